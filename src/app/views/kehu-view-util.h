/* kehu-view-util.h: what the dashboard and the report pages share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "kehu-report.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_VIEW_ERROR (kehu_view_error_quark ())

typedef enum
{
  KEHU_VIEW_ERROR_INVALID_AMOUNT,
  KEHU_VIEW_ERROR_NO_STORE,
} KehuViewError;

GQuark      kehu_view_error_quark          (void);

/* "¥12.35万" / "¥123.45k": the charts' abbreviation, for tiles. */
char       *kehu_view_format_money_short   (gint64       cents);
/* "¥123,450.00": exact, for tables and tooltips. */
char       *kehu_view_format_money_exact   (gint64       cents);
char       *kehu_view_format_count         (gint64       count);
/* "12.34%" from basis points; "—" for none. */
char       *kehu_view_format_basis_points  (JsonNode    *node);

/* Yuan as typed ("1,234.5", "¥ 80", "") to cents, without floating
 * point; an empty text is 0. */
gboolean    kehu_view_parse_yuan           (const char  *text,
                                            gint64      *cents,
                                            GError     **error);

/* A figure {"value", "drill"} or a plain integer member of @object;
 * @path may name a nested member ("total.contract_amount"). */
JsonNode   *kehu_view_lookup               (JsonObject  *object,
                                            const char  *path);
gint64      kehu_view_figure_value         (JsonObject  *object,
                                            const char  *path);
JsonNode   *kehu_view_figure_drill         (JsonObject  *object,
                                            const char  *path);

/* Opens the records behind a figure: activates "win.show-records"
 * "(ss)" (module, filter JSON) from @widget. */
gboolean    kehu_view_show_records         (GtkWidget   *widget,
                                            JsonNode    *drill);
/* Opens one record: "win.open-record" "(ss)" (module, id). */
gboolean    kehu_view_open_record          (GtkWidget   *widget,
                                            const char  *module,
                                            const char  *id);

/* A label for the period [start, end) in local dates: "2026-11-01 – 2026-11-30". */
char       *kehu_view_format_period        (GDateTime   *start,
                                            GDateTime   *end);

/* The store of the running application, if any. */
KehuStore  *kehu_view_get_default_store    (void);

/* Marks up a heading label (class "heading" / "title-4"). */
GtkWidget  *kehu_view_heading_new          (const char  *text);

G_END_DECLS
