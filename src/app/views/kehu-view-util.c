/* kehu-view-util.c: formatting and drill-down shared by the dashboard and
 * the report pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-chart.h"
#include "kehu-view-util.h"

G_DEFINE_QUARK (kehu-view-error-quark, kehu_view_error)

char *
kehu_view_format_money_short (gint64 cents)
{
  g_autofree char *v = kehu_chart_format_value (cents, KEHU_CHART_UNIT_CENTS,
                                                kehu_chart_number_style_default ());
  return g_strconcat ("¥", v, NULL);
}

char *
kehu_view_format_money_exact (gint64 cents)
{
  g_autofree char *v = kehu_chart_format_value_exact (cents, KEHU_CHART_UNIT_CENTS);

  if (v[0] == '-')
    return g_strconcat ("-¥", v + 1, NULL);
  return g_strconcat ("¥", v, NULL);
}

char *
kehu_view_format_count (gint64 count)
{
  return kehu_chart_format_value_exact (count, KEHU_CHART_UNIT_COUNT);
}

char *
kehu_view_format_basis_points (JsonNode *node)
{
  gint64 bp, mag;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return g_strdup ("—");
  bp = json_node_get_int (node);
  mag = bp < 0 ? -bp : bp;
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02" G_GINT64_FORMAT "%%",
                          bp < 0 ? "-" : "", mag / 100, mag % 100);
}

gboolean
kehu_view_parse_yuan (const char  *text,
                      gint64      *cents,
                      GError     **error)
{
  gint64 yuan = 0, fraction = 0;
  guint n_fraction = 0, n_digits = 0;
  gboolean negative = FALSE, in_fraction = FALSE;
  const char *p = text ? text : "";

  *cents = 0;
  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || c == ',' || c == 0xFFE5 /* ￥ */ || c == 0x00A5 /* ¥ */)
        continue;
      if (c == '-' && n_digits == 0 && !negative && !in_fraction)
        negative = TRUE;
      else if (c == '.' && !in_fraction)
        in_fraction = TRUE;
      else if (c >= '0' && c <= '9')
        {
          n_digits++;
          if (in_fraction)
            {
              if (++n_fraction > 2)
                goto invalid;
              fraction = fraction * 10 + (c - '0');
            }
          else
            {
              if (yuan > (G_MAXINT64 / 100 - 9) / 10)
                goto invalid;
              yuan = yuan * 10 + (c - '0');
            }
        }
      else
        goto invalid;
    }
  if (n_fraction == 1)
    fraction *= 10;
  if (negative)
    goto invalid;
  *cents = yuan * 100 + fraction;
  return TRUE;

invalid:
  g_set_error (error, KEHU_VIEW_ERROR, KEHU_VIEW_ERROR_INVALID_AMOUNT,
               _("“%s” is not an amount in yuan: write digits with at most two decimals, such as 12500.50"),
               text);
  return FALSE;
}

JsonNode *
kehu_view_lookup (JsonObject *object,
                  const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (object == NULL || !json_object_has_member (object, parts[i]))
        return NULL;
      node = json_object_get_member (object, parts[i]);
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  return node;
}

gint64
kehu_view_figure_value (JsonObject *object,
                        const char *path)
{
  JsonNode *node = kehu_view_lookup (object, path);

  if (node == NULL)
    return 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      return json_object_has_member (o, "value") ? json_object_get_int_member (o, "value") : 0;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  return 0;
}

JsonNode *
kehu_view_figure_drill (JsonObject *object,
                        const char *path)
{
  JsonNode *node = kehu_view_lookup (object, path);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return kehu_view_lookup (json_node_get_object (node), "drill");
}

gboolean
kehu_view_show_records (GtkWidget *widget,
                        JsonNode  *drill)
{
  g_autofree char *json = NULL;
  const char *module;

  if (drill == NULL || !JSON_NODE_HOLDS_OBJECT (drill))
    return FALSE;
  module = json_object_get_string_member_with_default (json_node_get_object (drill), "module", "");
  json = json_to_string (drill, FALSE);
  return gtk_widget_activate_action (widget, "win.show-records", "(ss)", module, json);
}

gboolean
kehu_view_open_record (GtkWidget  *widget,
                       const char *module,
                       const char *id)
{
  return gtk_widget_activate_action (widget, "win.open-record", "(ss)", module, id);
}

char *
kehu_view_format_period (GDateTime *start,
                         GDateTime *end)
{
  g_autoptr(GDateTime) s = NULL;
  g_autoptr(GDateTime) last = NULL;
  g_autofree char *a = NULL, *b = NULL;

  if (start == NULL || end == NULL)
    return g_strdup (_("All time"));
  s = g_date_time_to_local (start);
  last = g_date_time_add_seconds (end, -1);
  {
    g_autoptr(GDateTime) l = g_date_time_to_local (last);
    b = g_date_time_format (l, "%Y-%m-%d");
  }
  a = g_date_time_format (s, "%Y-%m-%d");
  if (g_str_equal (a, b))
    return g_steal_pointer (&a);
  return g_strdup_printf ("%s – %s", a, b);
}

KehuStore *
kehu_view_get_default_store (void)
{
  GApplication *app = g_application_get_default ();

  if (app == NULL || !KEHU_IS_APPLICATION (app))
    return NULL;
  return kehu_application_get_store (KEHU_APPLICATION (app));
}

GtkWidget *
kehu_view_heading_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "title-4");
  gtk_widget_set_margin_top (label, 6);
  return label;
}
