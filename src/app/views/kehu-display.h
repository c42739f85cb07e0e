/* kehu-display.h: values of records as users read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-core.h"

G_BEGIN_DECLS

char       *kehu_display_money          (gint64             cents);
gboolean    kehu_display_parse_money           (const char        *text,
                                        gint64            *cents);
char       *kehu_display_time           (const char        *iso_utc);
GDateTime  *kehu_display_parse_local_time      (const char        *text);
const char *kehu_display_enum           (const char        *value);
char       *kehu_display_dictionary     (KehuStore         *store,
                                        const char        *dictionary,
                                        const char        *value);
char       *kehu_display_record_title   (KehuStore         *store,
                                        const char        *module,
                                        const char        *id);
char       *kehu_display_user           (KehuStore         *store,
                                        const char        *user_id);
char       *kehu_display_field          (KehuStore         *store,
                                        const KehuField   *field,
                                        JsonObject        *record);
char       *kehu_display_stored_value   (KehuStore         *store,
                                        const KehuField   *field,
                                        const char        *value);
const char *kehu_display_module_singular (const char       *module);
const char *kehu_display_page_for_module (const char       *module);

G_END_DECLS
