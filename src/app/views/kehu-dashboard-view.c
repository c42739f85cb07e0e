/* kehu-dashboard-view.c: the dashboard page (仪表盘, SPEC §1)
 *
 * The sales brief as tiles, the KPIs as gauges against the sales targets,
 * the funnel and the trend, and the work desk's short lists. Every figure
 * drills down to its records ("win.show-records"); every record of a list
 * opens ("win.open-record").
 *
 * Figures are computed by kehu-dashboard-data on a GTask thread with its
 * own connection to the store file (WAL lets it read while the main thread
 * writes); the store object itself stays on the main thread. One
 * computation runs at a time: a request during one marks the view dirty and
 * runs again when it ends, so the figures always end up current. The view
 * recomputes when it is shown, on F5, and when the store's data changes
 * (polled cheaply through PRAGMA data_version while it is on screen).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <adwaita.h>
#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "kehu-application.h"
#include "kehu-dashboard-view.h"
#include "kehu-funnel-chart.h"
#include "kehu-gauge-chart.h"
#include "kehu-trend-chart.h"
#include "kehu-view-util.h"

#define N_BRIEF 8
#define N_KPIS 3
#define POLL_SECONDS 2

typedef struct
{
  const char *figure;
  const char *title;   /* translatable */
  gboolean    money;
} BriefDef;

static const BriefDef brief_defs[N_BRIEF] = {
  { "new_customers", N_("New Customers"), FALSE },
  { "new_contacts", N_("New Contacts"), FALSE },
  { "new_opportunities", N_("New Opportunities"), FALSE },
  { "opportunity_amount", N_("Opportunity Amount"), TRUE },
  { "contract_count", N_("Contracts Signed"), FALSE },
  { "contract_amount", N_("Contract Amount"), TRUE },
  { "payment_amount", N_("Payments Received"), TRUE },
  { "followups", N_("Follow-ups"), FALSE },
};

static const BriefDef kpi_defs[N_KPIS] = {
  { "contract_amount", N_("Contract Amount"), TRUE },
  { "payment_amount", N_("Payment Amount"), TRUE },
  { "new_customers", N_("New Customers"), FALSE },
};

typedef struct
{
  const char *title;    /* translatable */
  const char *empty;    /* translatable */
  const char *figures[5];
  const char *labels[5]; /* translatable, with %s for the count */
} DeskDef;

static const DeskDef desk_defs[KEHU_DESK_N_LISTS] = {
  [KEHU_DESK_TASKS] = { N_("Tasks Due"), N_("No task is due"),
                        { "tasks_overdue", "tasks_today", NULL },
                        { N_("%s overdue"), N_("%s today"), NULL } },
  [KEHU_DESK_PLANS] = { N_("Payment Plans Due"), N_("No payment is due within 30 days"),
                        { "plans_overdue", "plans_due", NULL },
                        { N_("%s overdue"), N_("%s within 30 days"), NULL } },
  [KEHU_DESK_CONTRACTS] = { N_("Contracts Ending"), N_("No contract ends within 30 days"),
                            { "contracts_ending", NULL },
                            { N_("%s within 30 days"), NULL } },
  [KEHU_DESK_FOLLOWUPS] = { N_("Follow-ups Due Today"), N_("No follow-up is planned for today"),
                            { "followups_due_today.customers", "followups_due_today.opportunities",
                              "followups_due_today.contacts", "followups_due_today.leads", NULL },
                            { N_("%s customers"), N_("%s opportunities"), N_("%s contacts"), N_("%s leads"), NULL } },
  [KEHU_DESK_APPROVALS] = { N_("Approvals Waiting for Me"), N_("Nothing waits for your approval"),
                            { "approvals_waiting", NULL },
                            { N_("%s waiting"), NULL } },
};

/* The owner choices: everyone, departments (tree order), people. */
typedef enum
{
  OWNER_EVERYONE,
  OWNER_DEPARTMENT,
  OWNER_USER,
} OwnerKind;

typedef struct
{
  OwnerKind  kind;
  char      *id;
} OwnerChoice;

static const KehuPeriodPreset period_presets[] = {
  KEHU_PERIOD_TODAY, KEHU_PERIOD_THIS_WEEK, KEHU_PERIOD_THIS_MONTH,
  KEHU_PERIOD_THIS_QUARTER, KEHU_PERIOD_THIS_YEAR, KEHU_PERIOD_CUSTOM,
};

struct _KehuDashboardView
{
  GtkWidget          parent_instance;

  KehuStore         *store;
  char              *user_id;
  GDateTime         *now;
  KehuPeriodPreset   preset;
  char              *first_date;
  char              *last_date;
  char              *owner_user_id;
  char              *department_id;
  GArray            *owner_choices;   /* OwnerChoice */
  gboolean           updating_choices;

  GCancellable      *cancellable;
  gboolean           busy;
  gboolean           dirty;
  KehuDashboardData *data;
  guint              poll_id;
  gint64             seen_data_version;
  gint64             seen_changes;

  /* Template */
  GtkDropDown       *owner_dropdown;
  GtkDropDown       *period_dropdown;
  GtkMenuButton     *first_button;
  GtkMenuButton     *last_button;
  GtkCalendar       *first_calendar;
  GtkCalendar       *last_calendar;
  GtkLabel          *period_label;
  GtkSpinner        *spinner;
  GtkBox            *content;

  /* Built in code */
  GtkLabel          *brief_values[N_BRIEF];
  GtkLabel          *brief_exact[N_BRIEF];
  GtkWidget         *gauges[N_KPIS];
  GtkLabel          *kpi_captions[N_KPIS];
  GtkWidget         *funnel;
  GtkWidget         *trend;
  GtkBox            *desk_counts[KEHU_DESK_N_LISTS];
  GtkListBox        *desk_lists[KEHU_DESK_N_LISTS];
  GtkLabel          *desk_empty[KEHU_DESK_N_LISTS];
};

G_DEFINE_FINAL_TYPE (KehuDashboardView, kehu_dashboard_view, GTK_TYPE_WIDGET)

enum {
  UPDATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void start_compute (KehuDashboardView *self);

/* Helpers */

/* Replaces *@dest by a copy of @src; TRUE when it changed (g_set_str() is
 * GLib 2.76). */
static gboolean
set_str (char       **dest,
         const char  *src)
{
  if (g_strcmp0 (*dest, src) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (src);
  return TRUE;
}

static GTimeZone *
view_zone (void)
{
  return g_time_zone_new_local ();
}

static GDateTime *
view_now (KehuDashboardView *self)
{
  g_autoptr(GTimeZone) tz = view_zone ();

  if (self->now != NULL)
    return g_date_time_to_timezone (self->now, tz);
  return g_date_time_new_now (tz);
}

static gboolean
compute_period (KehuDashboardView  *self,
                GDateTime         **start,
                GDateTime         **end,
                GError            **error)
{
  g_autoptr(GTimeZone) tz = view_zone ();
  g_autoptr(GDateTime) now = view_now (self);

  if (self->preset == KEHU_PERIOD_CUSTOM)
    return kehu_report_period_from_dates (self->first_date, self->last_date, tz, start, end, error);
  return kehu_report_period_from_preset (self->preset, now, tz, start, end);
}

/* The label's "%s" replaced by @count (labels come from a table, so not
 * through printf). */
static char *
fill_count (const char *label,
            const char *count)
{
  const char *at = strstr (label, "%s");

  if (at == NULL)
    return g_strdup (label);
  return g_strdup_printf ("%.*s%s%s", (int) (at - label), label, count, at + 2);
}

static JsonObject *
data_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static GtkWidget *
card_new (GtkOrientation orientation,
          int            spacing)
{
  GtkWidget *box = gtk_box_new (orientation, spacing);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_widget_set_margin_start (box, 3);
  gtk_widget_set_margin_end (box, 3);
  return box;
}

static GtkWidget *
card_heading_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 10);
  return label;
}

static GtkWidget *
flow_box_new (guint min_per_line,
              guint max_per_line)
{
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), min_per_line);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), max_per_line);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 6);
  return flow;
}

/* Drill-down */

static void
show_figure (KehuDashboardView *self,
             JsonNode          *part,
             const char        *path)
{
  JsonNode *drill = kehu_view_figure_drill (data_object (part), path);

  if (drill != NULL)
    kehu_view_show_records (GTK_WIDGET (self), drill);
}

static void
on_brief_clicked_cb (GtkButton         *button,
                     KehuDashboardView *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "kehu-index"));

  if (self->data != NULL)
    show_figure (self, self->data->brief, brief_defs[i].figure);
}

static void
on_gauge_activated_cb (KehuChart         *chart,
                       guint              series,
                       guint              index,
                       KehuDashboardView *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (chart), "kehu-index"));

  if (self->data != NULL)
    show_figure (self, self->data->kpis, kpi_defs[i].figure);
}

static void
on_funnel_activated_cb (KehuDashboardView *self,
                        guint              series,
                        guint              index)
{
  JsonObject *funnel = self->data ? data_object (self->data->funnel) : NULL;
  JsonArray *stages;

  if (funnel == NULL)
    return;
  stages = json_object_get_array_member (funnel, "stages");
  if (index < json_array_get_length (stages))
    {
      JsonObject *stage = json_array_get_object_element (stages, index);
      JsonNode *drill = kehu_view_figure_drill (stage, "count");

      if (drill != NULL)
        kehu_view_show_records (GTK_WIDGET (self), drill);
    }
}

static void
on_trend_activated_cb (KehuDashboardView *self,
                       guint              series,
                       guint              index)
{
  JsonObject *trend = self->data ? data_object (self->data->trend) : NULL;
  JsonArray *rows;

  if (trend == NULL)
    return;
  rows = json_object_get_array_member (trend, "rows");
  if (index < json_array_get_length (rows))
    {
      JsonObject *row = json_array_get_object_element (rows, index);
      JsonNode *drill = kehu_view_figure_drill (row, series == 1 ? "payment_amount" : "contract_amount");

      if (drill != NULL)
        kehu_view_show_records (GTK_WIDGET (self), drill);
    }
}

static void
on_desk_count_clicked_cb (GtkButton         *button,
                          KehuDashboardView *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "kehu-figure");

  if (self->data != NULL)
    show_figure (self, self->data->work_desk, path);
}

static void
on_desk_row_activated_cb (GtkListBox        *list,
                          GtkListBoxRow     *row,
                          KehuDashboardView *self)
{
  KehuRecordSummary *summary = g_object_get_data (G_OBJECT (row), "kehu-record");

  if (summary != NULL)
    kehu_view_open_record (GTK_WIDGET (self), summary->module, summary->id);
}

/* Building the page */

static void
build_brief (KehuDashboardView *self)
{
  GtkWidget *flow = flow_box_new (2, 4);

  gtk_box_append (self->content, kehu_view_heading_new (_("Sales Brief")));
  for (guint i = 0; i < N_BRIEF; i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *caption = gtk_label_new (_(brief_defs[i].title));
      GtkWidget *value = gtk_label_new ("–");
      GtkWidget *exact = gtk_label_new ("");

      gtk_label_set_xalign (GTK_LABEL (caption), 0.0f);
      gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0.0f);
      gtk_widget_add_css_class (value, "title-2");
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_xalign (GTK_LABEL (exact), 0.0f);
      gtk_label_set_ellipsize (GTK_LABEL (exact), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (exact, "caption");
      gtk_widget_add_css_class (exact, "dim-label");
      gtk_box_append (GTK_BOX (box), caption);
      gtk_box_append (GTK_BOX (box), value);
      gtk_box_append (GTK_BOX (box), exact);
      gtk_widget_set_margin_start (box, 6);
      gtk_widget_set_margin_end (box, 6);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);

      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "card");
      gtk_widget_set_size_request (button, 150, -1);
      gtk_widget_set_name (button, brief_defs[i].figure);
      g_object_set_data (G_OBJECT (button), "kehu-index", GUINT_TO_POINTER (i));
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_brief_clicked_cb), self, 0);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), button);

      self->brief_values[i] = GTK_LABEL (value);
      self->brief_exact[i] = GTK_LABEL (exact);
    }
  gtk_box_append (self->content, flow);
}

static void
build_kpis (KehuDashboardView *self)
{
  /* Three gauges side by side down to a folded window's width. */
  GtkWidget *flow = flow_box_new (3, 3);

  gtk_box_append (self->content, kehu_view_heading_new (_("KPIs")));
  for (guint i = 0; i < N_KPIS; i++)
    {
      GtkWidget *card = card_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *gauge = kehu_gauge_chart_new ();
      GtkWidget *caption = gtk_label_new ("");

      kehu_chart_set_title (KEHU_CHART (gauge), _(kpi_defs[i].title));
      gtk_widget_set_size_request (gauge, 180, 170);
      g_object_set_data (G_OBJECT (gauge), "kehu-index", GUINT_TO_POINTER (i));
      g_signal_connect_object (gauge, "activated", G_CALLBACK (on_gauge_activated_cb), self, 0);
      gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
      gtk_label_set_justify (GTK_LABEL (caption), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_widget_set_margin_bottom (caption, 8);
      gtk_widget_set_margin_start (caption, 6);
      gtk_widget_set_margin_end (caption, 6);
      gtk_box_append (GTK_BOX (card), gauge);
      gtk_box_append (GTK_BOX (card), caption);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), card);

      self->gauges[i] = gauge;
      self->kpi_captions[i] = GTK_LABEL (caption);
    }
  gtk_box_append (self->content, flow);
}

static void
build_charts (KehuDashboardView *self)
{
  GtkWidget *flow = flow_box_new (1, 2);
  GtkWidget *card;

  card = card_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (card), card_heading_new (_("Sales Funnel")));
  self->funnel = kehu_funnel_chart_new ();
  kehu_chart_set_title (KEHU_CHART (self->funnel), _("Sales Funnel"));
  gtk_widget_set_size_request (self->funnel, 360, 280);
  g_signal_connect_object (self->funnel, "activated", G_CALLBACK (on_funnel_activated_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (card), self->funnel);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), card);

  card = card_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (card), card_heading_new (_("Sales Trend")));
  self->trend = kehu_trend_chart_new ();
  kehu_chart_set_title (KEHU_CHART (self->trend), _("Sales Trend"));
  gtk_widget_set_size_request (self->trend, 360, 280);
  g_signal_connect_object (self->trend, "activated", G_CALLBACK (on_trend_activated_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (card), self->trend);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), card);

  gtk_box_append (self->content, flow);
}

static void
build_desk (KehuDashboardView *self)
{
  GtkWidget *flow = flow_box_new (1, 3);

  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), FALSE);
  gtk_box_append (self->content, kehu_view_heading_new (_("Work Desk")));
  for (guint i = 0; i < KEHU_DESK_N_LISTS; i++)
    {
      GtkWidget *card = card_new (GTK_ORIENTATION_VERTICAL, 4);
      GtkWidget *title = card_heading_new (_(desk_defs[i].title));
      GtkWidget *counts = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *list = gtk_list_box_new ();
      GtkWidget *empty = gtk_label_new (_(desk_defs[i].empty));

      gtk_widget_set_size_request (card, 240, -1);
      gtk_widget_set_valign (card, GTK_ALIGN_START);
      gtk_widget_set_margin_start (counts, 6);
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "navigation-sidebar");
      g_signal_connect_object (list, "row-activated", G_CALLBACK (on_desk_row_activated_cb), self, 0);
      gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
      gtk_label_set_xalign (GTK_LABEL (empty), 0.0f);
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_widget_set_margin_start (empty, 12);
      gtk_widget_set_margin_end (empty, 12);
      gtk_widget_set_margin_bottom (empty, 12);

      gtk_box_append (GTK_BOX (card), title);
      gtk_box_append (GTK_BOX (card), counts);
      gtk_box_append (GTK_BOX (card), list);
      gtk_box_append (GTK_BOX (card), empty);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), card);

      self->desk_counts[i] = GTK_BOX (counts);
      self->desk_lists[i] = GTK_LIST_BOX (list);
      self->desk_empty[i] = GTK_LABEL (empty);
    }
  gtk_box_append (self->content, flow);
}

/* Showing a result */

static void
show_brief (KehuDashboardView *self)
{
  JsonObject *brief = data_object (self->data->brief);

  for (guint i = 0; i < N_BRIEF; i++)
    {
      gint64 value = kehu_view_figure_value (brief, brief_defs[i].figure);
      g_autofree char *text = NULL;
      g_autofree char *exact = NULL;

      if (brief_defs[i].money)
        {
          text = kehu_view_format_money_short (value);
          exact = kehu_view_format_money_exact (value);
        }
      else
        {
          text = kehu_view_format_count (value);
          exact = g_strdup ("");
        }
      gtk_label_set_label (self->brief_values[i], text);
      gtk_label_set_label (self->brief_exact[i], exact);
      gtk_widget_set_tooltip_text (gtk_widget_get_ancestor (GTK_WIDGET (self->brief_values[i]), GTK_TYPE_BUTTON),
                                   _("Show the records behind this figure"));
    }
}

static void
show_kpis (KehuDashboardView *self)
{
  JsonObject *kpis = data_object (self->data->kpis);

  for (guint i = 0; i < N_KPIS; i++)
    {
      const char *name = kpi_defs[i].figure;
      KehuChartUnit unit = kpi_defs[i].money ? KEHU_CHART_UNIT_CENTS : KEHU_CHART_UNIT_COUNT;
      gint64 value = kehu_view_figure_value (kpis, name);
      g_autofree char *target_path = g_strconcat (name, ".target", NULL);
      g_autofree char *completion_path = g_strconcat (name, ".completion_bp", NULL);
      gint64 target = kehu_view_figure_value (kpis, target_path);
      g_autofree char *completion = kehu_view_format_basis_points (kehu_view_lookup (kpis, completion_path));
      g_autofree char *value_text = NULL, *target_text = NULL, *caption = NULL;
      const char *category = _(kpi_defs[i].title);
      g_autoptr(KehuChartData) data = kehu_chart_data_new (&category, 1);

      kehu_chart_data_add_series (data, _("Achieved"), KEHU_CHART_SERIES_BAR, unit, &value);
      kehu_chart_data_add_series (data, _("Target"), KEHU_CHART_SERIES_TARGET, unit, &target);
      kehu_chart_set_data (KEHU_CHART (self->gauges[i]), data);

      value_text = kpi_defs[i].money ? kehu_view_format_money_short (value) : kehu_view_format_count (value);
      if (target > 0)
        {
          target_text = kpi_defs[i].money ? kehu_view_format_money_short (target) : kehu_view_format_count (target);
          /* TRANSLATORS: achieved of target, completion: "¥12.5万 of ¥20万 · 62.50%" */
          caption = g_strdup_printf (_("%s of %s · %s"), value_text, target_text, completion);
        }
      else
        /* TRANSLATORS: the achieved value when no sales target is set */
        caption = g_strdup_printf (_("%s · no target set"), value_text);
      gtk_label_set_label (self->kpi_captions[i], caption);
    }
}

static void
show_funnel (KehuDashboardView *self)
{
  JsonObject *funnel = data_object (self->data->funnel);
  JsonArray *stages = json_object_get_array_member (funnel, "stages");
  guint n = json_array_get_length (stages);
  g_autofree const char **names = g_new0 (const char *, n + 1);
  g_autofree gint64 *counts = g_new0 (gint64, n + 1);
  g_autofree gint64 *amounts = g_new0 (gint64, n + 1);
  g_autofree gint64 *weighted = g_new0 (gint64, n + 1);
  g_autoptr(KehuChartData) data = NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);

      names[i] = json_object_get_string_member (stage, "name");
      counts[i] = kehu_view_figure_value (stage, "count");
      amounts[i] = kehu_view_figure_value (stage, "amount");
      weighted[i] = kehu_view_figure_value (stage, "weighted_amount");
    }
  data = kehu_chart_data_new (names, n);
  kehu_chart_data_add_series (data, _("Opportunities"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, counts);
  kehu_chart_data_add_series (data, _("Amount"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, amounts);
  kehu_chart_data_add_series (data, _("Weighted by win rate"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, weighted);
  kehu_chart_set_data (KEHU_CHART (self->funnel), data);
}

static void
show_trend (KehuDashboardView *self)
{
  JsonObject *trend = data_object (self->data->trend);
  JsonArray *rows = json_object_get_array_member (trend, "rows");
  guint n = json_array_get_length (rows);
  g_autofree const char **months = g_new0 (const char *, n + 1);
  g_autofree gint64 *contracts = g_new0 (gint64, n + 1);
  g_autofree gint64 *payments = g_new0 (gint64, n + 1);
  g_autofree gint64 *targets = g_new0 (gint64, n + 1);
  g_autoptr(KehuChartData) data = NULL;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      months[i] = json_object_get_string_member (row, "month");
      contracts[i] = kehu_view_figure_value (row, "contract_amount");
      payments[i] = kehu_view_figure_value (row, "payment_amount");
      targets[i] = kehu_view_figure_value (row, "contract_target");
    }
  data = kehu_chart_data_new (months, n);
  kehu_chart_data_add_series (data, _("Contract Amount"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, contracts);
  kehu_chart_data_add_series (data, _("Payment Amount"), KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, payments);
  kehu_chart_data_add_series (data, _("Contract Target"), KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, targets);
  kehu_chart_set_data (KEHU_CHART (self->trend), data);
}

static void
show_desk (KehuDashboardView *self)
{
  JsonObject *desk = data_object (self->data->work_desk);

  for (guint i = 0; i < KEHU_DESK_N_LISTS; i++)
    {
      GtkWidget *child;
      GPtrArray *records = self->data->desk[i];
      gint64 total = 0;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->desk_counts[i]))) != NULL)
        gtk_box_remove (self->desk_counts[i], child);
      for (guint j = 0; desk_defs[i].figures[j] != NULL; j++)
        {
          gint64 value = kehu_view_figure_value (desk, desk_defs[i].figures[j]);
          g_autofree char *count = kehu_view_format_count (value);
          g_autofree char *text = fill_count (_(desk_defs[i].labels[j]), count);
          GtkWidget *button;

          total += value;
          if (value == 0 && desk_defs[i].figures[1] != NULL)
            continue;
          button = gtk_button_new_with_label (text);
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_tooltip_text (button, _("Show all of them"));
          g_object_set_data (G_OBJECT (button), "kehu-figure", (gpointer) desk_defs[i].figures[j]);
          g_signal_connect_object (button, "clicked", G_CALLBACK (on_desk_count_clicked_cb), self, 0);
          gtk_box_append (self->desk_counts[i], button);
        }

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->desk_lists[i]))) != NULL)
        gtk_list_box_remove (self->desk_lists[i], child);
      for (guint j = 0; j < records->len; j++)
        {
          KehuRecordSummary *summary = g_ptr_array_index (records, j);
          GtkWidget *row = gtk_list_box_row_new ();
          GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          GtkWidget *label = gtk_label_new (summary->title);

          gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_widget_set_hexpand (label, TRUE);
          gtk_box_append (GTK_BOX (box), label);
          if (summary->has_amount)
            {
              g_autofree char *amount = kehu_view_format_money_short (summary->amount);
              GtkWidget *amount_label = gtk_label_new (amount);

              gtk_widget_add_css_class (amount_label, "dim-label");
              gtk_widget_add_css_class (amount_label, "numeric");
              gtk_box_append (GTK_BOX (box), amount_label);
            }
          gtk_widget_set_tooltip_text (row, summary->title);
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
          g_object_set_data (G_OBJECT (row), "kehu-record", summary);
          gtk_list_box_append (self->desk_lists[i], row);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->desk_lists[i]), records->len > 0);
      gtk_widget_set_visible (GTK_WIDGET (self->desk_empty[i]), total == 0);
    }
}

static void
show_data (KehuDashboardView *self)
{
  g_autofree char *period = kehu_view_format_period (self->data->start, self->data->end);

  gtk_label_set_label (self->period_label, period);
  show_brief (self);
  show_kpis (self);
  show_funnel (self);
  show_trend (self);
  show_desk (self);
}

/* Computing */

typedef struct
{
  char       *path;
  char       *owner_user_id;
  char       *department_id;
  char       *user_id;
  GDateTime  *start;
  GDateTime  *end;
  GDateTime  *now;
  GTimeZone  *tz;
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job->owner_user_id);
  g_free (job->department_id);
  g_free (job->user_id);
  g_clear_pointer (&job->start, g_date_time_unref);
  g_clear_pointer (&job->end, g_date_time_unref);
  g_clear_pointer (&job->now, g_date_time_unref);
  g_clear_pointer (&job->tz, g_time_zone_unref);
  g_free (job);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  KehuDashboardQuery query = {
    .owner_user_id = job->owner_user_id,
    .department_id = job->department_id,
    .start = job->start,
    .end = job->end,
    .now = job->now,
    .tz = job->tz,
    .user_id = job->user_id,
  };
  KehuDashboardData *data;

  /* A connection of this thread's own: SQLite connections are not shared
   * across threads here. */
  store = kehu_store_open (job->path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data = kehu_dashboard_data_compute (store, &query, &error);
  if (data == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, data, (GDestroyNotify) kehu_dashboard_data_free);
}

static void
remember_data_version (KehuDashboardView *self)
{
  sqlite3 *db = kehu_store_get_db (self->store);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    self->seen_data_version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  self->seen_changes = sqlite3_total_changes64 (db);
}

static void
compute_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KehuDashboardView) self = user_data;
  g_autoptr(GError) error = NULL;
  KehuDashboardData *data = g_task_propagate_pointer (G_TASK (result), &error);

  self->busy = FALSE;
  gtk_spinner_stop (self->spinner);

  if (data == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not compute the dashboard: %s", error->message);
          gtk_label_set_label (self->period_label, error->message);
        }
    }
  else
    {
      g_clear_pointer (&self->data, kehu_dashboard_data_free);
      self->data = data;
      show_data (self);
      g_debug ("Dashboard computed in %" G_GINT64_FORMAT " µs", data->elapsed_us);
    }

  if (self->dirty && self->store != NULL)
    start_compute (self);
  else
    g_signal_emit (self, signals[UPDATED], 0);
}

static void
start_compute (KehuDashboardView *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Job *job;

  if (self->store == NULL)
    return;
  if (self->busy)
    {
      self->dirty = TRUE;
      return;
    }
  self->dirty = FALSE;

  job = g_new0 (Job, 1);
  if (!compute_period (self, &job->start, &job->end, &error))
    {
      gtk_label_set_label (self->period_label, error->message);
      job_free (job);
      return;
    }
  job->path = g_strdup (kehu_store_get_path (self->store));
  job->owner_user_id = g_strdup (self->owner_user_id);
  job->department_id = g_strdup (self->department_id);
  job->user_id = g_strdup (self->user_id);
  job->now = view_now (self);
  job->tz = view_zone ();

  remember_data_version (self);
  self->busy = TRUE;
  gtk_spinner_start (self->spinner);

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, compute_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_compute);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, compute_thread);
}

static gboolean
poll_cb (gpointer user_data)
{
  KehuDashboardView *self = user_data;
  gint64 version = self->seen_data_version, changes = self->seen_changes;

  if (self->store == NULL || self->busy)
    return G_SOURCE_CONTINUE;
  remember_data_version (self);
  if (version != self->seen_data_version || changes != self->seen_changes)
    start_compute (self);
  return G_SOURCE_CONTINUE;
}

/* Filters */

static void
owner_choice_clear (gpointer p)
{
  OwnerChoice *choice = p;
  g_free (choice->id);
}

typedef struct
{
  char *id;
  char *name;
  char *parent_id;
} Department;

static void
department_free (gpointer p)
{
  Department *d = p;
  g_free (d->id);
  g_free (d->name);
  g_free (d->parent_id);
  g_free (d);
}

static void
add_departments (KehuDashboardView *self,
                 GtkStringList     *names,
                 GPtrArray         *departments,
                 const char        *parent_id,
                 guint              depth)
{
  for (guint i = 0; i < departments->len; i++)
    {
      Department *d = g_ptr_array_index (departments, i);

      if (g_strcmp0 (d->parent_id, parent_id) == 0)
        {
          g_autofree char *indent = g_strnfill (depth * 2, ' ');
          g_autofree char *label = g_strconcat (indent, d->name, NULL);
          OwnerChoice choice = { OWNER_DEPARTMENT, g_strdup (d->id) };

          gtk_string_list_append (names, label);
          g_array_append_val (self->owner_choices, choice);
          if (depth < 16)
            add_departments (self, names, departments, d->id, depth + 1);
        }
    }
}

static void
load_owner_choices (KehuDashboardView *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) departments = g_ptr_array_new_with_free_func (department_free);
  OwnerChoice everyone = { OWNER_EVERYONE, NULL };
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  g_array_set_size (self->owner_choices, 0);
  gtk_string_list_append (names, _("Everyone"));
  g_array_append_val (self->owner_choices, everyone);

  if (self->store != NULL)
    {
      db = kehu_store_get_db (self->store);
      if (sqlite3_prepare_v2 (db, "SELECT id, name, parent_id FROM departments WHERE deleted_at IS NULL"
                              " ORDER BY position, name, id", -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            Department *d = g_new0 (Department, 1);

            d->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
            d->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
            d->parent_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
            g_ptr_array_add (departments, d);
          }
      sqlite3_finalize (stmt);

      /* Departments whose parent is gone are shown at the top level. */
      for (guint i = 0; i < departments->len; i++)
        {
          Department *d = g_ptr_array_index (departments, i);
          gboolean found = d->parent_id == NULL;

          for (guint j = 0; !found && j < departments->len; j++)
            found = g_strcmp0 (((Department *) g_ptr_array_index (departments, j))->id, d->parent_id) == 0;
          if (!found)
            g_clear_pointer (&d->parent_id, g_free);
        }
      add_departments (self, names, departments, NULL, 0);

      stmt = NULL;
      if (sqlite3_prepare_v2 (db, "SELECT id, name FROM users WHERE deleted_at IS NULL ORDER BY name, id",
                              -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            OwnerChoice choice = { OWNER_USER, g_strdup ((const char *) sqlite3_column_text (stmt, 0)) };

            gtk_string_list_append (names, (const char *) sqlite3_column_text (stmt, 1));
            g_array_append_val (self->owner_choices, choice);
          }
      sqlite3_finalize (stmt);
    }

  self->updating_choices = TRUE;
  gtk_drop_down_set_model (self->owner_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->owner_dropdown, 0);
  for (guint i = 0; i < self->owner_choices->len; i++)
    {
      OwnerChoice *c = &g_array_index (self->owner_choices, OwnerChoice, i);

      if ((c->kind == OWNER_USER && g_strcmp0 (c->id, self->owner_user_id) == 0) ||
          (c->kind == OWNER_DEPARTMENT && g_strcmp0 (c->id, self->department_id) == 0))
        gtk_drop_down_set_selected (self->owner_dropdown, i);
    }
  self->updating_choices = FALSE;
}

static void
on_owner_selected_cb (KehuDashboardView *self)
{
  guint i = gtk_drop_down_get_selected (self->owner_dropdown);
  OwnerChoice *c;

  if (self->updating_choices || i >= self->owner_choices->len)
    return;
  c = &g_array_index (self->owner_choices, OwnerChoice, i);
  kehu_dashboard_view_set_owner (self,
                                 c->kind == OWNER_USER ? c->id : NULL,
                                 c->kind == OWNER_DEPARTMENT ? c->id : NULL);
}

static void
update_date_buttons (KehuDashboardView *self)
{
  gboolean custom = self->preset == KEHU_PERIOD_CUSTOM;

  gtk_widget_set_visible (GTK_WIDGET (self->first_button), custom);
  gtk_widget_set_visible (GTK_WIDGET (self->last_button), custom);
  gtk_menu_button_set_label (self->first_button, self->first_date ? self->first_date : "");
  gtk_menu_button_set_label (self->last_button, self->last_date ? self->last_date : "");
}

static void
select_calendar_day (GtkCalendar *calendar,
                     const char  *date)
{
  int y, m, d;

  if (date != NULL && sscanf (date, "%d-%d-%d", &y, &m, &d) == 3)
    {
      g_autoptr(GTimeZone) tz = view_zone ();
      g_autoptr(GDateTime) day = g_date_time_new (tz, y, m, d, 12, 0, 0);

      if (day != NULL)
        gtk_calendar_select_day (calendar, day);
    }
}

static void
on_period_selected_cb (KehuDashboardView *self)
{
  guint i = gtk_drop_down_get_selected (self->period_dropdown);

  if (i >= G_N_ELEMENTS (period_presets) || period_presets[i] == self->preset)
    return;

  if (period_presets[i] == KEHU_PERIOD_CUSTOM)
    {
      g_autoptr(GDateTime) start = NULL, end = NULL;

      /* Start from the period shown so far. */
      if (self->first_date == NULL && compute_period (self, &start, &end, NULL))
        {
          g_autoptr(GDateTime) last = g_date_time_add_seconds (end, -1);
          g_autoptr(GDateTime) local_start = g_date_time_to_local (start);
          g_autoptr(GDateTime) local_last = g_date_time_to_local (last);

          self->first_date = g_date_time_format (local_start, "%Y-%m-%d");
          self->last_date = g_date_time_format (local_last, "%Y-%m-%d");
        }
      select_calendar_day (self->first_calendar, self->first_date);
      select_calendar_day (self->last_calendar, self->last_date);
    }
  self->preset = period_presets[i];
  update_date_buttons (self);
  start_compute (self);
}

static void
on_first_day_selected_cb (KehuDashboardView *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->first_calendar);
  g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");

  if (g_strcmp0 (date, self->first_date) == 0)
    return;
  kehu_dashboard_view_set_custom_range (self, date, self->last_date);
}

static void
on_last_day_selected_cb (KehuDashboardView *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->last_calendar);
  g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");

  if (g_strcmp0 (date, self->last_date) == 0)
    return;
  kehu_dashboard_view_set_custom_range (self, self->first_date, date);
}

/* Actions */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  kehu_dashboard_view_refresh (KEHU_DASHBOARD_VIEW (widget));
}

static void
on_export_response_cb (GtkNativeDialog   *dialog,
                       int                response,
                       KehuDashboardView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path != NULL && !kehu_dashboard_view_export_pdf (self, path, &error))
        {
          GtkWidget *message = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                       _("Could Not Export the Dashboard"),
                                                       error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (message), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (message));
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KehuDashboardView *self = KEHU_DASHBOARD_VIEW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->data == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Export the Dashboard"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  /* TRANSLATORS: the file name offered for the dashboard's PDF */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), _("dashboard.pdf"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static gboolean
f5_cb (GtkWidget *widget,
       GVariant  *args,
       gpointer   user_data)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  kehu_dashboard_view_refresh (KEHU_DASHBOARD_VIEW (widget));
  return TRUE;
}

/* GtkWidget */

static void
kehu_dashboard_view_map (GtkWidget *widget)
{
  KehuDashboardView *self = KEHU_DASHBOARD_VIEW (widget);

  GTK_WIDGET_CLASS (kehu_dashboard_view_parent_class)->map (widget);

  if (self->store != NULL)
    {
      if (self->data == NULL)
        start_compute (self);
      else
        poll_cb (self);
    }
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (POLL_SECONDS, poll_cb, self);
}

static void
kehu_dashboard_view_unmap (GtkWidget *widget)
{
  KehuDashboardView *self = KEHU_DASHBOARD_VIEW (widget);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  GTK_WIDGET_CLASS (kehu_dashboard_view_parent_class)->unmap (widget);
}

static void
kehu_dashboard_view_dispose (GObject *object)
{
  KehuDashboardView *self = KEHU_DASHBOARD_VIEW (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->data, kehu_dashboard_data_free);

  G_OBJECT_CLASS (kehu_dashboard_view_parent_class)->dispose (object);
}

static void
kehu_dashboard_view_finalize (GObject *object)
{
  KehuDashboardView *self = KEHU_DASHBOARD_VIEW (object);

  g_free (self->user_id);
  g_free (self->first_date);
  g_free (self->last_date);
  g_free (self->owner_user_id);
  g_free (self->department_id);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_array_unref (self->owner_choices);

  G_OBJECT_CLASS (kehu_dashboard_view_parent_class)->finalize (object);
}

static void
kehu_dashboard_view_class_init (KehuDashboardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_dashboard_view_dispose;
  object_class->finalize = kehu_dashboard_view_finalize;
  widget_class->map = kehu_dashboard_view_map;
  widget_class->unmap = kehu_dashboard_view_unmap;

  /**
   * KehuDashboardView::updated:
   *
   * New figures are shown (or computing them failed).
   */
  signals[UPDATED] =
    g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  kehu_ensure_resources ();
  g_type_ensure (KEHU_TYPE_FUNNEL_CHART);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-dashboard-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, owner_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, first_button);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, last_button);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, first_calendar);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, last_calendar);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, period_label);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, spinner);
  gtk_widget_class_bind_template_child (widget_class, KehuDashboardView, content);
  gtk_widget_class_bind_template_callback (widget_class, on_first_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_last_day_selected_cb);

  gtk_widget_class_install_action (widget_class, "dashboard.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "dashboard.export-pdf", NULL, export_pdf_action);
}

static void
kehu_dashboard_view_init (KehuDashboardView *self)
{
  g_autoptr(GtkStringList) periods = NULL;
  GtkEventController *shortcuts;

  self->preset = KEHU_PERIOD_THIS_MONTH;
  self->owner_choices = g_array_new (FALSE, TRUE, sizeof (OwnerChoice));
  g_array_set_clear_func (self->owner_choices, owner_choice_clear);

  gtk_widget_init_template (GTK_WIDGET (self));

  periods = gtk_string_list_new ((const char * const []) {
    _("Today"), _("This Week"), _("This Month"), _("This Quarter"), _("This Year"), _("Custom Range"), NULL,
  });
  gtk_drop_down_set_model (self->period_dropdown, G_LIST_MODEL (periods));
  gtk_drop_down_set_selected (self->period_dropdown, 2);
  g_signal_connect_object (self->period_dropdown, "notify::selected",
                           G_CALLBACK (on_period_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->owner_dropdown, "notify::selected",
                           G_CALLBACK (on_owner_selected_cb), self, G_CONNECT_SWAPPED);

  build_brief (self);
  build_kpis (self);
  build_charts (self);
  build_desk (self);
  load_owner_choices (self);

  /* F5 while the dashboard is on screen; Ctrl+R belongs to sync. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_F5, 0),
                                                          gtk_callback_action_new (f5_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

/* PDF */

static void
pdf_text (cairo_t    *cr,
          const char *text,
          double      x,
          double      y,
          double      width,
          int         size_pt,
          gboolean    bold,
          double      grey)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, size_pt * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  cairo_set_source_rgb (cr, grey, grey, grey);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* Charts lay their text out for the screen: on paper they are drawn at
 * 1/@zoom of a larger size, so that labels fit as they do on screen. */
static void
pdf_chart (cairo_t   *cr,
           GtkWidget *chart,
           double     x,
           double     y,
           double     width,
           double     height,
           double     zoom)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  cairo_scale (cr, 1 / zoom, 1 / zoom);
  kehu_chart_render (KEHU_CHART (chart), cr, (int) (width * zoom), (int) (height * zoom), FALSE);
  cairo_restore (cr);
}

/**
 * kehu_dashboard_view_export_pdf:
 *
 * Writes what the dashboard shows to a one-page A4 landscape PDF: the
 * title, whose figures, the period and when it was made; the sales brief,
 * the KPI gauges, the funnel and the trend.
 */
gboolean
kehu_dashboard_view_export_pdf (KehuDashboardView  *self,
                                const char         *path,
                                GError            **error)
{
  const double page_w = 842, page_h = 595, margin = 28;
  g_autoptr(GDateTime) generated = g_date_time_new_now_local ();
  g_autofree char *generated_text = g_date_time_format (generated, "%Y-%m-%d %H:%M");
  g_autofree char *period = NULL, *subtitle = NULL;
  const char *whose;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  double x, y, col_w;

  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->data == NULL)
    {
      g_set_error (error, KEHU_VIEW_ERROR, KEHU_VIEW_ERROR_NO_STORE,
                   _("The dashboard has no figures to export yet"));
      return FALSE;
    }

  surface = cairo_pdf_surface_create (path, page_w, page_h);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  period = kehu_view_format_period (self->data->start, self->data->end);
  {
    GObject *item = G_OBJECT (gtk_drop_down_get_selected_item (self->owner_dropdown));

    /* Without the indentation of sub-departments. */
    whose = item ? gtk_string_object_get_string (GTK_STRING_OBJECT (item)) : _("Everyone");
    while (*whose == ' ')
      whose++;
  }
  /* TRANSLATORS: the PDF's subtitle: whose figures, period, generation time */
  subtitle = g_strdup_printf (_("%s · %s · generated %s"), whose, period, generated_text);
  pdf_text (cr, _("Dashboard"), margin, margin - 6, 400, 18, TRUE, 0.1);
  pdf_text (cr, subtitle, margin, margin + 20, page_w - 2 * margin, 9, FALSE, 0.35);

  /* The brief: two rows of four figures. */
  y = margin + 44;
  col_w = (page_w - 2 * margin) / 4;
  for (guint i = 0; i < N_BRIEF; i++)
    {
      x = margin + (i % 4) * col_w;
      double row_y = y + (i / 4) * 40;

      cairo_set_source_rgb (cr, 0.95, 0.95, 0.96);
      cairo_rectangle (cr, x + 2, row_y, col_w - 4, 36);
      cairo_fill (cr);
      pdf_text (cr, _(brief_defs[i].title), x + 8, row_y + 3, col_w - 16, 7, FALSE, 0.4);
      pdf_text (cr, gtk_label_get_label (self->brief_values[i]), x + 8, row_y + 14, col_w - 16, 12, TRUE, 0.1);
    }

  /* KPIs on the left, the funnel on the right. */
  y += 86;
  pdf_text (cr, _("KPIs"), margin, y, 300, 10, TRUE, 0.1);
  pdf_text (cr, _("Sales Funnel"), margin + 400, y, 300, 10, TRUE, 0.1);
  for (guint i = 0; i < N_KPIS; i++)
    {
      x = margin + i * 130;
      pdf_chart (cr, self->gauges[i], x, y + 16, 126, 118, 1.6);
      pdf_text (cr, gtk_label_get_label (self->kpi_captions[i]), x, y + 136, 126, 6, FALSE, 0.35);
    }
  pdf_chart (cr, self->funnel, margin + 400, y + 16, page_w - 2 * margin - 400, 140, 1.5);

  /* The trend across the bottom. */
  y += 160;
  pdf_text (cr, _("Sales Trend"), margin, y, 300, 10, TRUE, 0.1);
  y += 16;
  pdf_chart (cr, self->trend, margin, y, page_w - 2 * margin, page_h - margin - y, 1.4);

  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write the PDF “%s”: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* Public API */

GtkWidget *
kehu_dashboard_view_new (KehuStore *store)
{
  KehuDashboardView *self = g_object_new (KEHU_TYPE_DASHBOARD_VIEW, NULL);

  kehu_dashboard_view_set_store (self, store);
  return GTK_WIDGET (self);
}

GtkWidget *
kehu_dashboard_view_create (const KehuPageInfo *info)
{
  return kehu_dashboard_view_new (kehu_view_get_default_store ());
}

KehuStore *
kehu_dashboard_view_get_store (KehuDashboardView *self)
{
  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), NULL);
  return self->store;
}

void
kehu_dashboard_view_set_store (KehuDashboardView *self,
                               KehuStore         *store)
{
  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (store == NULL || KEHU_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_clear_pointer (&self->data, kehu_dashboard_data_free);
  load_owner_choices (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_compute (self);
}

void
kehu_dashboard_view_set_user_id (KehuDashboardView *self,
                                 const char        *user_id)
{
  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));

  if (set_str (&self->user_id, user_id))
    start_compute (self);
}

void
kehu_dashboard_view_set_now (KehuDashboardView *self,
                             GDateTime         *now)
{
  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now ? g_date_time_ref (now) : NULL;
  start_compute (self);
}

void
kehu_dashboard_view_set_period (KehuDashboardView *self,
                                KehuPeriodPreset   preset)
{
  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (period_presets); i++)
    if (period_presets[i] == preset)
      {
        gtk_drop_down_set_selected (self->period_dropdown, i);
        return;
      }
  /* A preset the drop-down does not offer (yesterday, last month…). */
  self->preset = preset;
  update_date_buttons (self);
  start_compute (self);
}

void
kehu_dashboard_view_set_custom_range (KehuDashboardView *self,
                                      const char        *first_date,
                                      const char        *last_date)
{
  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));

  set_str (&self->first_date, first_date);
  set_str (&self->last_date, last_date);
  select_calendar_day (self->first_calendar, first_date);
  select_calendar_day (self->last_calendar, last_date);
  if (self->preset != KEHU_PERIOD_CUSTOM)
    kehu_dashboard_view_set_period (self, KEHU_PERIOD_CUSTOM);
  else
    {
      update_date_buttons (self);
      start_compute (self);
    }
}

void
kehu_dashboard_view_set_owner (KehuDashboardView *self,
                               const char        *user_id,
                               const char        *department_id)
{
  gboolean changed;

  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (user_id == NULL || department_id == NULL);

  changed = set_str (&self->owner_user_id, user_id);
  changed |= set_str (&self->department_id, department_id);
  if (!changed)
    return;

  self->updating_choices = TRUE;
  gtk_drop_down_set_selected (self->owner_dropdown, 0);
  for (guint i = 0; i < self->owner_choices->len; i++)
    {
      OwnerChoice *c = &g_array_index (self->owner_choices, OwnerChoice, i);

      if ((c->kind == OWNER_USER && g_strcmp0 (c->id, user_id) == 0) ||
          (c->kind == OWNER_DEPARTMENT && g_strcmp0 (c->id, department_id) == 0))
        gtk_drop_down_set_selected (self->owner_dropdown, i);
    }
  self->updating_choices = FALSE;
  start_compute (self);
}

void
kehu_dashboard_view_refresh (KehuDashboardView *self)
{
  g_return_if_fail (KEHU_IS_DASHBOARD_VIEW (self));
  start_compute (self);
}

gboolean
kehu_dashboard_view_is_busy (KehuDashboardView *self)
{
  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), FALSE);
  return self->busy;
}

const KehuDashboardData *
kehu_dashboard_view_get_data (KehuDashboardView *self)
{
  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), NULL);
  return self->data;
}

const char *
kehu_dashboard_view_get_tile_text (KehuDashboardView *self,
                                   const char        *figure)
{
  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), NULL);

  for (guint i = 0; i < N_BRIEF; i++)
    if (g_str_equal (brief_defs[i].figure, figure))
      return gtk_label_get_label (self->brief_values[i]);
  return NULL;
}

const char *
kehu_dashboard_view_get_tile_exact (KehuDashboardView *self,
                                    const char        *figure)
{
  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), NULL);

  for (guint i = 0; i < N_BRIEF; i++)
    if (g_str_equal (brief_defs[i].figure, figure))
      return gtk_label_get_label (self->brief_exact[i]);
  return NULL;
}

/**
 * kehu_dashboard_view_get_chart:
 * @name: "funnel", "trend", or "gauge-" and a KPI ("gauge-contract_amount",
 *   "gauge-payment_amount", "gauge-new_customers")
 *
 * Returns: (transfer none) (nullable): the chart
 */
KehuChart *
kehu_dashboard_view_get_chart (KehuDashboardView *self,
                               const char        *name)
{
  g_return_val_if_fail (KEHU_IS_DASHBOARD_VIEW (self), NULL);

  if (g_str_equal (name, "funnel"))
    return KEHU_CHART (self->funnel);
  if (g_str_equal (name, "trend"))
    return KEHU_CHART (self->trend);
  if (g_str_has_prefix (name, "gauge-"))
    for (guint i = 0; i < N_KPIS; i++)
      if (g_str_equal (name + 6, kpi_defs[i].figure))
        return KEHU_CHART (self->gauges[i]);
  return NULL;
}
