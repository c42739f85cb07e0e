/* kehu-format.h: values of records as users read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-core.h"

G_BEGIN_DECLS

char       *kehu_format_money          (gint64             cents);
gboolean    kehu_parse_money           (const char        *text,
                                        gint64            *cents);
char       *kehu_format_time           (const char        *iso_utc);
GDateTime  *kehu_parse_local_time      (const char        *text);
const char *kehu_format_enum           (const char        *value);
char       *kehu_format_dictionary     (KehuStore         *store,
                                        const char        *dictionary,
                                        const char        *value);
char       *kehu_format_record_title   (KehuStore         *store,
                                        const char        *module,
                                        const char        *id);
char       *kehu_format_user           (KehuStore         *store,
                                        const char        *user_id);
char       *kehu_format_field          (KehuStore         *store,
                                        const KehuField   *field,
                                        JsonObject        *record);
char       *kehu_format_stored_value   (KehuStore         *store,
                                        const KehuField   *field,
                                        const char        *value);
const char *kehu_format_module_singular (const char       *module);
const char *kehu_format_page_for_module (const char       *module);

G_END_DECLS
