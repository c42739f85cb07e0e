/* test-dashboard.c: the dashboard page under Xvfb
 *
 * On the small company of kehu-test-fixtures.h: the tiles show what was
 * worked out by hand, and what kehu-report computes here independently for
 * the same filter; the period and the owner filter change them; clicking a
 * funnel stage drills down to exactly its opportunities; the work desk
 * lists the task due, the plan due and the approval waiting; a change in
 * the store shows without a click; the PDF has one page. Screenshots of the
 * richer company at 1280×800 and 1024×600, light and dark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-dashboard-view.h"
#include "kehu-drill-dialog.h"
#include "kehu-test-fixtures.h"
#include "kehu-test-ui.h"
#include "kehu-reports-view.h"
#include "kehu-view-util.h"
#include "kehu-window.h"

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

typedef struct
{
  KehuTestStore *store;
  GtkWidget     *window;
  GtkWidget     *view;
  guint          updates;
  char          *shown_module;
  char          *shown_filter;
  char          *opened_module;
  char          *opened_id;
} Fixture;

static void
on_updated_cb (GtkWidget *view,
               Fixture   *f)
{
  f->updates++;
}

static void
show_records_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->shown_module, g_free);
  g_clear_pointer (&f->shown_filter, g_free);
  g_variant_get (parameter, "(ss)", &f->shown_module, &f->shown_filter);
}

static void
open_record_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->opened_module, g_free);
  g_clear_pointer (&f->opened_id, g_free);
  g_variant_get (parameter, "(ss)", &f->opened_module, &f->opened_id);
}

/* Waits until a computation started before this call has been shown. */
static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_updated (Fixture *f)
{
  guint before = f->updates;
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while ((f->updates == before || kehu_dashboard_view_is_busy (KEHU_DASHBOARD_VIEW (f->view))) &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_cmpuint (f->updates, >, before);
  g_assert_false (kehu_dashboard_view_is_busy (KEHU_DASHBOARD_VIEW (f->view)));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (KEHU_TEST_NOW, NULL);
  g_autoptr(GSimpleActionGroup) win = g_simple_action_group_new ();
  const GActionEntry entries[] = {
    { "show-records", show_records_cb, "(ss)", NULL, NULL, { 0 } },
    { "open-record", open_record_cb, "(ss)", NULL, NULL, { 0 } },
  };
  gboolean rich = GPOINTER_TO_INT (data);

  f->store = kehu_test_store_new ();
  if (rich)
    kehu_test_store_populate_rich (f->store);
  else
    kehu_test_store_populate_small (f->store);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  g_action_map_add_action_entries (G_ACTION_MAP (win), entries, G_N_ELEMENTS (entries), f);
  gtk_widget_insert_action_group (f->window, "win", G_ACTION_GROUP (win));

  f->view = kehu_dashboard_view_new (f->store->store);
  g_signal_connect (f->view, "updated", G_CALLBACK (on_updated_cb), f);
  kehu_dashboard_view_set_user_id (KEHU_DASHBOARD_VIEW (f->view), "u1");
  kehu_dashboard_view_set_now (KEHU_DASHBOARD_VIEW (f->view), now);
  gtk_window_set_child (GTK_WINDOW (f->window), f->view);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_updated (f);
  /* Settings made before the first showing may be computed twice. */
  kehu_test_ui_settle (100);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (f->window));
  kehu_test_ui_settle (50);
  kehu_test_store_free (f->store);
  g_free (f->shown_module);
  g_free (f->shown_filter);
  g_free (f->opened_module);
  g_free (f->opened_id);
}

/* The first widget of @type (named @name, if given) under @root. */
static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
tile (Fixture    *f,
      const char *figure)
{
  return kehu_dashboard_view_get_tile_text (KEHU_DASHBOARD_VIEW (f->view), figure);
}

/* kehu-report's brief for the same filter, computed here on the test's own
 * connection. */
static JsonNode *
reference_brief (Fixture            *f,
                 KehuPeriodPreset    preset,
                 const char * const *owners)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (KEHU_TEST_NOW, NULL);
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) start = NULL, end = NULL;
  g_autoptr(GError) error = NULL;
  KehuReportFilter filter = { 0 };
  JsonNode *brief;

  g_assert_true (kehu_report_period_from_preset (preset, now, tz, &start, &end));
  filter.owner_ids = owners;
  filter.start = start;
  filter.end = end;
  filter.tz = tz;
  brief = kehu_report_sales_brief (f->store->store, &filter, &error);
  g_assert_no_error (error);
  return brief;
}

static void
assert_tiles_match (Fixture  *f,
                    JsonNode *brief)
{
  static const struct { const char *figure; gboolean money; } figures[] = {
    { "new_customers", FALSE }, { "new_contacts", FALSE }, { "new_opportunities", FALSE },
    { "opportunity_amount", TRUE }, { "contract_count", FALSE }, { "contract_amount", TRUE },
    { "payment_amount", TRUE }, { "followups", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      gint64 value = kehu_view_figure_value (json_node_get_object (brief), figures[i].figure);
      g_autofree char *expected = figures[i].money ? kehu_view_format_money_short (value)
                                                   : kehu_view_format_count (value);

      g_assert_cmpstr (tile (f, figures[i].figure), ==, expected);
    }
}

static void
test_brief (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) month = NULL;
  g_autoptr(JsonNode) quarter = NULL;
  g_autoptr(JsonNode) today = NULL;

  /* This month: c1 ¥100,000.00 + c2 ¥23,400.00; c4 is pending. */
  g_assert_cmpstr (tile (f, "contract_amount"), ==, is_zh () ? "¥12.34万" : "¥123.4k");
  g_assert_cmpstr (kehu_dashboard_view_get_tile_exact (KEHU_DASHBOARD_VIEW (f->view), "contract_amount"),
                   ==, "¥123,400.00");
  g_assert_cmpstr (tile (f, "contract_count"), ==, "2");
  g_assert_cmpstr (tile (f, "payment_amount"), ==, is_zh () ? "¥3万" : "¥30k");
  g_assert_cmpstr (tile (f, "new_customers"), ==, "2");
  g_assert_cmpstr (tile (f, "followups"), ==, "2");
  /* o1 ¥10,000.00 and o2 ¥5,000.00 were created in March. */
  g_assert_cmpstr (tile (f, "new_opportunities"), ==, "2");
  g_assert_cmpstr (kehu_dashboard_view_get_tile_exact (KEHU_DASHBOARD_VIEW (f->view), "opportunity_amount"),
                   ==, "¥15,000.00");
  month = reference_brief (f, KEHU_PERIOD_THIS_MONTH, NULL);
  assert_tiles_match (f, month);

  /* The quarter adds c3 (January) and k2 (February). */
  kehu_dashboard_view_set_period (KEHU_DASHBOARD_VIEW (f->view), KEHU_PERIOD_THIS_QUARTER);
  wait_updated (f);
  g_assert_cmpstr (tile (f, "contract_amount"), ==, is_zh () ? "¥17.34万" : "¥173.4k");
  g_assert_cmpstr (tile (f, "contract_count"), ==, "3");
  g_assert_cmpstr (tile (f, "new_customers"), ==, "3");
  quarter = reference_brief (f, KEHU_PERIOD_THIS_QUARTER, NULL);
  assert_tiles_match (f, quarter);

  /* Today: k3 and f1 only. */
  kehu_dashboard_view_set_period (KEHU_DASHBOARD_VIEW (f->view), KEHU_PERIOD_TODAY);
  wait_updated (f);
  g_assert_cmpstr (tile (f, "contract_amount"), ==, "¥0");
  g_assert_cmpstr (tile (f, "new_customers"), ==, "1");
  g_assert_cmpstr (tile (f, "followups"), ==, "1");
  today = reference_brief (f, KEHU_PERIOD_TODAY, NULL);
  assert_tiles_match (f, today);

  /* A custom range: March 10 to 12 holds c2 only. */
  kehu_dashboard_view_set_custom_range (KEHU_DASHBOARD_VIEW (f->view), "2026-03-10", "2026-03-12");
  wait_updated (f);
  g_assert_cmpstr (kehu_dashboard_view_get_tile_exact (KEHU_DASHBOARD_VIEW (f->view), "contract_amount"),
                   ==, "¥23,400.00");
  g_assert_cmpstr (tile (f, "contract_count"), ==, "1");
}

static void
test_owner_filter (Fixture       *f,
                   gconstpointer  data)
{
  const char *sales[] = { "u1", "u2", NULL };
  const char *li[] = { "u2", NULL };
  g_autoptr(JsonNode) department = NULL;
  g_autoptr(JsonNode) person = NULL;

  kehu_dashboard_view_set_period (KEHU_DASHBOARD_VIEW (f->view), KEHU_PERIOD_THIS_QUARTER);
  wait_updated (f);

  /* 销售部 with its sub-department 华北区: 张三 and 李四, not 王五's c3. */
  kehu_dashboard_view_set_owner (KEHU_DASHBOARD_VIEW (f->view), NULL, "D1");
  wait_updated (f);
  g_assert_cmpstr (kehu_dashboard_view_get_tile_exact (KEHU_DASHBOARD_VIEW (f->view), "contract_amount"),
                   ==, "¥123,400.00");
  department = reference_brief (f, KEHU_PERIOD_THIS_QUARTER, sales);
  assert_tiles_match (f, department);

  kehu_dashboard_view_set_owner (KEHU_DASHBOARD_VIEW (f->view), "u2", NULL);
  wait_updated (f);
  g_assert_cmpstr (kehu_dashboard_view_get_tile_exact (KEHU_DASHBOARD_VIEW (f->view), "contract_amount"),
                   ==, "¥23,400.00");
  g_assert_cmpstr (tile (f, "new_customers"), ==, "1");
  person = reference_brief (f, KEHU_PERIOD_THIS_QUARTER, li);
  assert_tiles_match (f, person);
}

static void
test_kpis_and_trend (Fixture       *f,
                     gconstpointer  data)
{
  KehuChart *gauge = kehu_dashboard_view_get_chart (KEHU_DASHBOARD_VIEW (f->view), "gauge-contract_amount");
  KehuChart *trend = kehu_dashboard_view_get_chart (KEHU_DASHBOARD_VIEW (f->view), "trend");
  KehuChartData *gd = kehu_chart_get_data (gauge);
  KehuChartData *td = kehu_chart_get_data (trend);
  guint n;

  /* ¥123,400.00 against the company's ¥200,000.00 for March. */
  g_assert_cmpint (kehu_chart_data_get_value (gd, 0, 0), ==, 12340000);
  g_assert_cmpint (kehu_chart_data_get_value (gd, 1, 0), ==, 20000000);

  /* Six months up to March; March's bar and target. */
  n = kehu_chart_data_get_n_categories (td);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpstr (kehu_chart_data_get_category (td, 0), ==, "2025-10");
  g_assert_cmpstr (kehu_chart_data_get_category (td, n - 1), ==, "2026-03");
  g_assert_cmpint (kehu_chart_data_get_value (td, 0, n - 1), ==, 12340000);
  g_assert_cmpint (kehu_chart_data_get_value (td, 1, n - 1), ==, 3000000);
  g_assert_cmpint (kehu_chart_data_get_value (td, 2, n - 1), ==, 20000000);
  g_assert_cmpint (kehu_chart_data_get_value (td, 0, n - 3), ==, 5000000);
}

static void
test_funnel_drill_down (Fixture       *f,
                        gconstpointer  data)
{
  KehuChart *funnel = kehu_dashboard_view_get_chart (KEHU_DASHBOARD_VIEW (f->view), "funnel");
  KehuChartData *fd = kehu_chart_get_data (funnel);
  g_autoptr(GError) error = NULL;
  KehuDrillDialog *dialog;
  GPtrArray *ids;
  GtkWidget *list;

  g_assert_cmpuint (kehu_chart_data_get_n_categories (fd), ==, 3);
  g_assert_cmpstr (kehu_chart_data_get_category (fd, 1), ==, "需求分析");
  g_assert_cmpint (kehu_chart_data_get_value (fd, 0, 1), ==, 2);
  g_assert_cmpint (kehu_chart_data_get_value (fd, 1, 1), ==, 750000);
  /* 30% of ¥7,500.00 */
  g_assert_cmpint (kehu_chart_data_get_value (fd, 2, 1), ==, 225000);

  /* A click on the second stage, as the chart's controller does it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (funnel), "chart.activate-item", "(uu)", 0, 1));
  g_assert_cmpstr (f->shown_module, ==, "opportunities");
  g_assert_nonnull (f->shown_filter);

  dialog = kehu_drill_dialog_new (GTK_WINDOW (f->window), f->store->store, f->shown_module, f->shown_filter, &error);
  g_assert_no_error (error);
  ids = kehu_drill_dialog_get_ids (dialog);
  g_assert_cmpuint (ids->len, ==, 2);
  {
    gboolean has_o2 = FALSE, has_o3 = FALSE;

    for (guint i = 0; i < ids->len; i++)
      {
        has_o2 |= g_str_equal (g_ptr_array_index (ids, i), "o2");
        has_o3 |= g_str_equal (g_ptr_array_index (ids, i), "o3");
      }
    g_assert_true (has_o2 && has_o3);
  }
  gtk_window_present (GTK_WINDOW (dialog));
  kehu_test_ui_settle (200);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (dialog), "dashboard-drill-down");
  }

  /* Activating a row (Enter) opens that record. */
  list = find_widget (GTK_WIDGET (dialog), GTK_TYPE_LIST_BOX, NULL);
  g_assert_nonnull (list);
  g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
  g_assert_cmpstr (f->opened_module, ==, "opportunities");
  g_assert_cmpstr (f->opened_id, ==, g_ptr_array_index (ids, 0));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_brief_drill_down (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  KehuDrillDialog *dialog;
  GPtrArray *ids;
  GtkWidget *button;

  /* The contract amount tile, clicked. */
  button = find_widget (f->view, GTK_TYPE_BUTTON, "contract_amount");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (f->shown_module, ==, "contracts");

  dialog = kehu_drill_dialog_new (NULL, f->store->store, f->shown_module, f->shown_filter, &error);
  g_assert_no_error (error);
  ids = kehu_drill_dialog_get_ids (dialog);
  g_assert_cmpuint (ids->len, ==, 2);
  for (guint i = 0; i < ids->len; i++)
    g_assert_true (g_str_equal (g_ptr_array_index (ids, i), "c1") || g_str_equal (g_ptr_array_index (ids, i), "c2"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_work_desk (Fixture       *f,
                gconstpointer  data)
{
  const KehuDashboardData *d = kehu_dashboard_view_get_data (KEHU_DASHBOARD_VIEW (f->view));
  KehuRecordSummary *s;

  g_assert_nonnull (d);
  /* t1 is overdue; t2 is done. */
  g_assert_cmpuint (d->desk[KEHU_DESK_TASKS]->len, ==, 1);
  s = g_ptr_array_index (d->desk[KEHU_DESK_TASKS], 0);
  g_assert_cmpstr (s->module, ==, "tasks");
  g_assert_cmpstr (s->id, ==, "t1");
  g_assert_true (g_str_has_prefix (s->title, "准备报价单"));
  /* pl1 is due on April 1, within 30 days. */
  g_assert_cmpuint (d->desk[KEHU_DESK_PLANS]->len, ==, 1);
  s = g_ptr_array_index (d->desk[KEHU_DESK_PLANS], 0);
  g_assert_cmpstr (s->id, ==, "pl1");
  g_assert_true (s->has_amount);
  g_assert_cmpint (s->amount, ==, 2000000);
  /* c1 ends on April 10. */
  g_assert_cmpuint (d->desk[KEHU_DESK_CONTRACTS]->len, ==, 1);
  g_assert_cmpstr (((KehuRecordSummary *) g_ptr_array_index (d->desk[KEHU_DESK_CONTRACTS], 0))->id, ==, "c1");
  g_assert_cmpuint (d->desk[KEHU_DESK_FOLLOWUPS]->len, ==, 0);
  g_assert_cmpuint (d->desk[KEHU_DESK_APPROVALS]->len, ==, 1);
  s = g_ptr_array_index (d->desk[KEHU_DESK_APPROVALS], 0);
  g_assert_cmpstr (s->module, ==, "approval_instances");
  g_assert_cmpstr (s->title, ==, "待审合同");
}

static void
test_store_change (Fixture       *f,
                   gconstpointer  data)
{
  /* A contract signed today through the main connection: the view notices
   * without being asked. */
  kehu_test_store_exec (f->store,
    "INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id, amount, signed_date, approval_status)"
    " VALUES ('c9', " KT ", 'u3', '新合同', 'k3', 1000000, '2026-03-18', 'approved');");
  wait_updated (f);
  g_assert_cmpstr (kehu_dashboard_view_get_tile_exact (KEHU_DASHBOARD_VIEW (f->view), "contract_amount"),
                   ==, "¥133,400.00");
  g_assert_cmpstr (tile (f, "contract_count"), ==, "3");

  /* F5 recomputes. */
  gtk_widget_activate_action (f->view, "dashboard.refresh", NULL);
  wait_updated (f);
  g_assert_cmpstr (tile (f, "contract_count"), ==, "3");
}

/* Occurrences of @needle in the binary @data. */
static guint
count_bytes (const char *data,
             gsize       length,
             const char *needle,
             gboolean    not_plural)
{
  gsize n_len = strlen (needle);
  guint n = 0;

  for (gsize i = 0; i + n_len <= length; i++)
    if (memcmp (data + i, needle, n_len) == 0 &&
        (!not_plural || i + n_len >= length || data[i + n_len] != 's'))
      n++;
  return n;
}

static void
test_pdf (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->store->dir, "dashboard.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (kehu_dashboard_view_export_pdf (KEHU_DASHBOARD_VIEW (f->view), path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_true (length > 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_cmpuint (count_bytes (contents, length, "/Type /Page", TRUE), ==, 1);
  /* A4 landscape in points. */
  g_assert_cmpuint (count_bytes (contents, length, "/MediaBox [ 0 0 842 595 ]", FALSE), ==, 1);

  {
    const char *out = g_getenv ("KEHU_TEST_OUTPUT");
    g_autofree char *dir = g_build_filename (out ? out : ".", "screenshots", kehu_test_ui_lang (), NULL);
    g_autofree char *keep = g_build_filename (dir, "dashboard.pdf", NULL);

    g_mkdir_with_parents (dir, 0755);
    g_file_set_contents (keep, contents, length, NULL);
  }
}

static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  static const struct { int width, height; gboolean dark; const char *name; } shots[] = {
    { 1280, 800, FALSE, "dashboard" },
    { 1024, 600, FALSE, "dashboard-1024x600" },
    { 1280, 800, TRUE, "dashboard-dark" },
    { 1024, 600, TRUE, "dashboard-1024x600-dark" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    {
      g_autoptr(GdkTexture) shot = NULL;

      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          shots[i].dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      gtk_window_set_default_size (GTK_WINDOW (f->window), shots[i].width, shots[i].height);
      gtk_widget_set_size_request (f->window, shots[i].width, shots[i].height);
      kehu_test_ui_settle (400);
      shot = kehu_test_ui_screenshot (f->window, shots[i].name);
      g_assert_cmpint (gdk_texture_get_width (shot), ==, shots[i].width);
      g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 20);

      /* The funnel, the trend and the work desk further down. */
      {
        GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (find_widget (f->view, GTK_TYPE_SCROLLED_WINDOW, "dashboard-scroll"));
        GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scrolled);
        g_autofree char *name = g_strconcat (shots[i].name, "-bottom", NULL);
        g_autoptr(GdkTexture) bottom = NULL;

        gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
        kehu_test_ui_settle (300);
        bottom = kehu_test_ui_screenshot (f->window, name);
        gtk_adjustment_set_value (adj, 0);
      }
    }

  /* The drill-down needs a KehuWindow's action; here the test's own. */
  g_assert_true (gtk_widget_activate_action (f->view, "win.show-records", "(ss)", "contracts", "{}"));
}

/* The real window: its dashboard and reports pages come from the page
 * factory with the application's store, and "win.show-records" lists the
 * records of a drill filter in a dialog. */
static void
test_window_show_records (void)
{
  g_autoptr(KehuApplication) app = kehu_application_new ();
  g_autoptr(GError) error = NULL;
  GListModel *toplevels;
  KehuDrillDialog *dialog = NULL;
  KehuWindow *window;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  if (kehu_application_get_store (KEHU_APPLICATION (app)) == NULL)
    {
      g_test_skip ("The application has no local store here");
      return;
    }

  window = kehu_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  kehu_test_ui_settle (200);
  g_assert_true (KEHU_IS_DASHBOARD_VIEW (kehu_window_get_page (window, "dashboard")));
  g_assert_true (KEHU_IS_REPORTS_VIEW (kehu_window_get_page (window, "reports")));

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-records",
                                  g_variant_new ("(ss)", "contracts",
                                                 "{\"module\": \"contracts\", \"conditions\": "
                                                 "[{\"field\": \"id\", \"op\": \"eq\", \"value\": \"none\"}]}"));
  kehu_test_ui_settle (100);
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (KEHU_IS_DRILL_DIALOG (w))
        dialog = KEHU_DRILL_DIALOG (w);
    }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (kehu_drill_dialog_get_module (dialog), ==, "contracts");
  g_assert_cmpuint (kehu_drill_dialog_get_ids (dialog)->len, ==, 0);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (100);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "Asia/Shanghai", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add ("/dashboard/brief", Fixture, NULL, fixture_set_up, test_brief, fixture_tear_down);
  g_test_add ("/dashboard/owner-filter", Fixture, NULL, fixture_set_up, test_owner_filter, fixture_tear_down);
  g_test_add ("/dashboard/kpis-and-trend", Fixture, NULL, fixture_set_up, test_kpis_and_trend, fixture_tear_down);
  g_test_add ("/dashboard/funnel-drill-down", Fixture, NULL, fixture_set_up, test_funnel_drill_down, fixture_tear_down);
  g_test_add ("/dashboard/brief-drill-down", Fixture, NULL, fixture_set_up, test_brief_drill_down, fixture_tear_down);
  g_test_add ("/dashboard/work-desk", Fixture, NULL, fixture_set_up, test_work_desk, fixture_tear_down);
  g_test_add ("/dashboard/store-change", Fixture, NULL, fixture_set_up, test_store_change, fixture_tear_down);
  g_test_add ("/dashboard/pdf", Fixture, NULL, fixture_set_up, test_pdf, fixture_tear_down);
  g_test_add_func ("/dashboard/window-show-records", test_window_show_records);
  g_test_add ("/dashboard/screenshots", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_screenshots, fixture_tear_down);

  return g_test_run ();
}
