/* test-reports.c: the reports page under Xvfb
 *
 * On the small company of kehu-test-fixtures.h: the tables hold what was
 * worked out by hand (money in exact yuan, a totals row); the period, the
 * comparison and the dimension change them; export writes an .xlsx whose
 * sheet has the cells (read back with unzip); a cancelled export leaves no
 * file; the sales targets editor writes yuan as cents, shows completion from
 * the records and says in words where the parts do not add up. Screenshots
 * of every report of the richer company, light, and some dark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-report-row.h"
#include "kehu-reports-view.h"
#include "kehu-targets-editor.h"
#include "kehu-test-fixtures.h"
#include "kehu-test-ui.h"
#include "kehu-view-util.h"

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
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_updated (Fixture *f,
              guint    before)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while ((f->updates == before || kehu_reports_view_is_busy (KEHU_REPORTS_VIEW (f->view))) &&
         g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_cmpuint (f->updates, >, before);
}

static void
select_report (Fixture        *f,
               KehuReportKind  kind)
{
  guint before = f->updates;

  if (kehu_reports_view_get_selected (KEHU_REPORTS_VIEW (f->view)) == kind)
    return;
  kehu_reports_view_select (KEHU_REPORTS_VIEW (f->view), kind);
  wait_updated (f, before);
}

static void
set_period (Fixture          *f,
            KehuPeriodPreset  preset)
{
  guint before = f->updates;

  kehu_reports_view_set_period (KEHU_REPORTS_VIEW (f->view), preset);
  wait_updated (f, before);
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
  guint before;

  f->store = kehu_test_store_new ();
  if (GPOINTER_TO_INT (data))
    kehu_test_store_populate_rich (f->store);
  else
    kehu_test_store_populate_small (f->store);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  g_action_map_add_action_entries (G_ACTION_MAP (win), entries, G_N_ELEMENTS (entries), f);
  gtk_widget_insert_action_group (f->window, "win", G_ACTION_GROUP (win));

  f->view = kehu_reports_view_new (f->store->store);
  g_signal_connect (f->view, "updated", G_CALLBACK (on_updated_cb), f);
  before = f->updates;
  kehu_reports_view_set_now (KEHU_REPORTS_VIEW (f->view), now);
  gtk_window_set_child (GTK_WINDOW (f->window), f->view);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_updated (f, before);
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
}

static char *
cell (Fixture *f,
      guint    row,
      guint    column)
{
  return kehu_reports_view_dup_cell_text (KEHU_REPORTS_VIEW (f->view), row, column);
}

/* The row whose first cell is @first, or -1. */
static int
find_row (Fixture    *f,
          const char *first)
{
  GListModel *rows = kehu_reports_view_get_rows (KEHU_REPORTS_VIEW (f->view));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autofree char *text = cell (f, i, 0);
      if (g_str_equal (g_strstrip (text), first))
        return (int) i;
    }
  return -1;
}

#define assert_cell(f, row, column, expected) \
  G_STMT_START { \
    g_autofree char *_text = cell (f, row, column); \
    g_assert_cmpstr (_text, ==, expected); \
  } G_STMT_END

static void
test_summary_by_person (Fixture       *f,
                        gconstpointer  data)
{
  GListModel *rows = kehu_reports_view_get_rows (KEHU_REPORTS_VIEW (f->view));
  guint n, last;
  int zhang;
  KehuReportRow *total;

  /* This year: c1 and c2 in March, c3 in January. */
  set_period (f, KEHU_PERIOD_THIS_YEAR);
  g_assert_cmpint (kehu_reports_view_get_selected (KEHU_REPORTS_VIEW (f->view)), ==, KEHU_REPORT_KIND_SUMMARY_PERSON);
  g_assert_cmpuint (kehu_reports_view_get_n_columns (KEHU_REPORTS_VIEW (f->view)), ==, 6);
  g_assert_cmpstr (kehu_reports_view_get_column_title (KEHU_REPORTS_VIEW (f->view), 2), ==,
                   is_zh () ? "合同金额" : "Contract Amount");
  n = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n, ==, 4);
  zhang = find_row (f, "张三");
  g_assert_cmpint (zhang, >=, 0);
  assert_cell (f, zhang, 1, "1");
  assert_cell (f, zhang, 2, "¥100,000.00");
  assert_cell (f, zhang, 3, "¥30,000.00");
  assert_cell (f, zhang, 4, "1");
  assert_cell (f, zhang, 5, "1");
  assert_cell (f, find_row (f, "王五"), 2, "¥50,000.00");
  assert_cell (f, find_row (f, "李四"), 2, "¥23,400.00");

  last = n - 1;
  total = g_list_model_get_item (rows, last);
  g_assert_true (kehu_report_row_is_total (total));
  g_object_unref (total);
  assert_cell (f, last, 0, is_zh () ? "合计" : "Total");
  assert_cell (f, last, 1, "3");
  assert_cell (f, last, 2, "¥173,400.00");
  assert_cell (f, last, 3, "¥30,000.00");
  assert_cell (f, last, 4, "3");

  /* The chart has one bar group per person. */
  g_assert_nonnull (kehu_reports_view_get_chart (KEHU_REPORTS_VIEW (f->view)));
  g_assert_cmpuint (kehu_chart_data_get_n_categories (kehu_chart_get_data (kehu_reports_view_get_chart (KEHU_REPORTS_VIEW (f->view)))),
                    ==, 3);

  /* Last month (February) has no contract at all. */
  set_period (f, KEHU_PERIOD_LAST_MONTH);
  n = g_list_model_get_n_items (rows);
  assert_cell (f, n - 1, 2, "¥0.00");
}

static void
test_details_and_top (Fixture       *f,
                      gconstpointer  data)
{
  GListModel *rows = kehu_reports_view_get_rows (KEHU_REPORTS_VIEW (f->view));

  set_period (f, KEHU_PERIOD_THIS_MONTH);
  select_report (f, KEHU_REPORT_KIND_CONTRACT_DETAILS);
  /* c1, c2 and the totals row; the pending c4 is not a sale. */
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  assert_cell (f, 0, 0, "HT-001");
  assert_cell (f, 0, 4, "2026-03-02");
  assert_cell (f, 0, 7, "¥100,000.00");
  assert_cell (f, 0, 8, "¥30,000.00");
  assert_cell (f, 1, 0, "HT-002");
  assert_cell (f, 2, 7, "¥123,400.00");

  select_report (f, KEHU_REPORT_KIND_PAYMENT_DETAILS);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  assert_cell (f, 0, 0, "HK-001");
  assert_cell (f, 0, 6, "¥30,000.00");

  set_period (f, KEHU_PERIOD_THIS_QUARTER);
  select_report (f, KEHU_REPORT_KIND_TOP_CONTRACT);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  assert_cell (f, 0, 1, "甲公司");
  assert_cell (f, 0, 2, "¥100,000.00");
  assert_cell (f, 1, 1, "丙公司");
  assert_cell (f, 2, 0, "3");
  assert_cell (f, 2, 2, "¥23,400.00");
}

static void
test_compare_and_analysis (Fixture       *f,
                           gconstpointer  data)
{
  GListModel *rows = kehu_reports_view_get_rows (KEHU_REPORTS_VIEW (f->view));
  guint before;

  set_period (f, KEHU_PERIOD_THIS_QUARTER);
  select_report (f, KEHU_REPORT_KIND_COMPARE);
  /* Q1 2026 against Q4 2025: from nothing, so no rate. */
  before = f->updates;
  kehu_reports_view_set_compare (KEHU_REPORTS_VIEW (f->view), KEHU_REPORT_METRIC_CONTRACT_AMOUNT,
                                 KEHU_COMPARE_PERIOD_OVER_PERIOD);
  wait_updated (f, before);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  assert_cell (f, 0, 1, "2026-01-01");
  assert_cell (f, 0, 2, "2026-03-31");
  assert_cell (f, 0, 3, "¥173,400.00");
  assert_cell (f, 0, 4, "¥173,400.00");
  assert_cell (f, 0, 5, "");
  assert_cell (f, 1, 1, "2025-10-01");
  assert_cell (f, 1, 3, "¥0.00");

  /* March against February for new customers: 2 against 1, +100%. */
  set_period (f, KEHU_PERIOD_THIS_MONTH);
  before = f->updates;
  kehu_reports_view_set_compare (KEHU_REPORTS_VIEW (f->view), KEHU_REPORT_METRIC_NEW_CUSTOMERS,
                                 KEHU_COMPARE_PERIOD_OVER_PERIOD);
  wait_updated (f, before);
  assert_cell (f, 0, 3, "2");
  assert_cell (f, 1, 3, "1");
  assert_cell (f, 0, 5, "100.00%");

  /* Customers by source this quarter: exhibition 2 (k1, k2), web 1. */
  set_period (f, KEHU_PERIOD_THIS_QUARTER);
  select_report (f, KEHU_REPORT_KIND_CUSTOMER_ANALYSIS);
  g_assert_cmpint (find_row (f, "exhibition"), >=, 0);
  assert_cell (f, find_row (f, "exhibition"), 1, "2");
  assert_cell (f, find_row (f, "exhibition"), 2, "66.67%");
  assert_cell (f, find_row (f, "web"), 1, "1");
  before = f->updates;
  kehu_reports_view_set_dimension (KEHU_REPORTS_VIEW (f->view), KEHU_CUSTOMER_BY_REGION);
  wait_updated (f, before);
  assert_cell (f, find_row (f, "北京"), 1, "2");
  assert_cell (f, find_row (f, "上海"), 1, "1");
  g_assert_cmpint (find_row (f, "exhibition"), ==, -1);
}

static void
test_drill_down (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *column_view = NULL;

  set_period (f, KEHU_PERIOD_THIS_YEAR);
  /* The chart's bar of a person opens the contracts behind it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (kehu_reports_view_get_chart (KEHU_REPORTS_VIEW (f->view))),
                                             "chart.activate-item", "(uu)", 0, 0));
  g_assert_cmpstr (f->shown_module, ==, "contracts");
  g_assert_nonnull (strstr (f->shown_filter, "owner_id"));

  /* So does activating a table row. */
  g_clear_pointer (&f->shown_module, g_free);
  {
    GtkWidget *stack[64];
    guint depth = 0;

    stack[depth++] = f->view;
    while (depth > 0 && column_view == NULL)
      {
        GtkWidget *w = stack[--depth];
        if (GTK_IS_COLUMN_VIEW (w))
          column_view = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c && depth < 64; c = gtk_widget_get_next_sibling (c))
          stack[depth++] = c;
      }
  }
  g_assert_nonnull (column_view);
  g_signal_emit_by_name (column_view, "activate", 0);
  g_assert_cmpstr (f->shown_module, ==, "contracts");
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  if (!kehu_reports_view_export_finish (KEHU_REPORTS_VIEW (source), result, error) && *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
run_export (Fixture      *f,
            const char   *path,
            GCancellable *cancellable,
            GError      **error)
{
  kehu_reports_view_export_async (KEHU_REPORTS_VIEW (f->view), path, cancellable, export_done_cb, error);
  while (*error == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->store->dir, "summary.xlsx", NULL);
  g_autofree char *quoted = g_shell_quote (path);
  g_autofree char *command = g_strdup_printf ("unzip -p %s xl/worksheets/sheet1.xml", quoted);
  g_autofree char *sheet = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int status;

  set_period (f, KEHU_PERIOD_THIS_YEAR);
  run_export (f, path, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);   /* the "done" marker */
  g_clear_error (&error);

  g_assert_true (g_spawn_command_line_sync (command, &sheet, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  /* Headers, a name, and money as yuan numbers: ¥100,000.00, ¥173,400.00. */
  g_assert_nonnull (strstr (sheet, is_zh () ? "合同金额" : "Contract Amount"));
  g_assert_nonnull (strstr (sheet, "张三"));
  g_assert_nonnull (strstr (sheet, "<v>100000</v>"));
  g_assert_nonnull (strstr (sheet, "<v>173400</v>"));
  g_assert_nonnull (strstr (sheet, "<v>23400</v>"));
  g_assert_nonnull (strstr (sheet, is_zh () ? "合计" : "Total"));

  /* Cancelled before it starts: an error, and no file left. */
  g_unlink (path);
  g_cancellable_cancel (cancellable);
  run_export (f, path, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Charts to PDF and PNG. */
  {
    g_autofree char *pdf = g_build_filename (f->store->dir, "chart.pdf", NULL);
    g_autofree char *png = g_build_filename (f->store->dir, "chart.png", NULL);
    g_autofree char *contents = NULL;

    g_assert_true (kehu_chart_export (kehu_reports_view_get_chart (KEHU_REPORTS_VIEW (f->view)), pdf,
                                      KEHU_CHART_EXPORT_PDF, 800, 400, &error));
    g_assert_true (g_file_get_contents (pdf, &contents, NULL, &error));
    g_assert_true (g_str_has_prefix (contents, "%PDF-"));
    g_assert_true (kehu_chart_export (kehu_reports_view_get_chart (KEHU_REPORTS_VIEW (f->view)), png,
                                      KEHU_CHART_EXPORT_PNG, 800, 400, &error));
    g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  }
}

static void
test_targets (Fixture       *f,
              gconstpointer  data)
{
  KehuTargetsEditor *editor;
  g_autoptr(GError) error = NULL;
  gint64 value = 0;
  gboolean is_set = FALSE;

  select_report (f, KEHU_REPORT_KIND_TARGETS);
  editor = KEHU_TARGETS_EDITOR (kehu_reports_view_get_targets_editor (KEHU_REPORTS_VIEW (f->view)));
  kehu_targets_editor_show (editor, KEHU_TARGET_COMPANY, NULL, 2026, KEHU_TARGET_CONTRACT_AMOUNT);

  /* The fixture's ¥200,000.00 for March, and 61.70% achieved. */
  g_assert_cmpstr (gtk_editable_get_text (kehu_targets_editor_get_entry (editor, 3)), ==, "200000.00");
  g_assert_cmpstr (kehu_targets_editor_get_completion_text (editor, 3), ==, "61.70%");
  g_assert_cmpstr (kehu_targets_editor_get_completion_text (editor, 4), ==, "—");

  /* April in yuan with a separator and a decimal. */
  gtk_editable_set_text (kehu_targets_editor_get_entry (editor, 4), "150,000.5");
  g_assert_true (kehu_targets_editor_save (editor, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_report_target_get (f->store->store, KEHU_TARGET_COMPANY, NULL, 2026, 4,
                                         KEHU_TARGET_CONTRACT_AMOUNT, &value, &is_set, &error));
  g_assert_true (is_set);
  g_assert_cmpint (value, ==, 15000050);
  g_assert_cmpstr (kehu_targets_editor_get_completion_text (editor, 4), ==, "0.00%");

  /* A bad amount writes nothing. */
  gtk_editable_set_text (kehu_targets_editor_get_entry (editor, 5), "12.345");
  g_assert_false (kehu_targets_editor_save (editor, &error));
  g_assert_error (error, KEHU_VIEW_ERROR, KEHU_VIEW_ERROR_INVALID_AMOUNT);
  g_clear_error (&error);

  /* The company's March target has no parts: the check says so in words,
   * with the amounts. */
  g_assert_nonnull (strstr (kehu_targets_editor_get_check_text (editor), "¥200,000.00"));
  g_assert_nonnull (strstr (kehu_targets_editor_get_check_text (editor), "¥0.00"));

  /* Departments that add up to it: 销售部 ¥200,000.00 = 张三's ¥180,000.00 +
   * 华北区 ¥20,000.00 (= 李四's); the company = 销售部 + 市场部 (0). */
  g_assert_true (kehu_report_target_set (f->store->store, KEHU_TARGET_DEPARTMENT, "D1", 2026, 3,
                                         KEHU_TARGET_CONTRACT_AMOUNT, 20000000, &error));
  g_assert_true (kehu_report_target_set (f->store->store, KEHU_TARGET_DEPARTMENT, "D2", 2026, 3,
                                         KEHU_TARGET_CONTRACT_AMOUNT, 2000000, &error));
  g_assert_true (kehu_report_target_set (f->store->store, KEHU_TARGET_USER, "u1", 2026, 3,
                                         KEHU_TARGET_CONTRACT_AMOUNT, 18000000, &error));
  g_assert_true (kehu_report_target_set (f->store->store, KEHU_TARGET_USER, "u2", 2026, 3,
                                         KEHU_TARGET_CONTRACT_AMOUNT, 2000000, &error));
  gtk_editable_set_text (kehu_targets_editor_get_entry (editor, 4), "");
  gtk_editable_set_text (kehu_targets_editor_get_entry (editor, 5), "");
  g_assert_true (kehu_targets_editor_save (editor, &error));
  g_assert_null (strstr (kehu_targets_editor_get_check_text (editor), "¥"));

  /* 李四's own completion: ¥23,400.00 of ¥20,000.00. */
  kehu_targets_editor_show (editor, KEHU_TARGET_USER, "u2", 2026, KEHU_TARGET_CONTRACT_AMOUNT);
  g_assert_cmpstr (gtk_editable_get_text (kehu_targets_editor_get_entry (editor, 3)), ==, "20000.00");
  g_assert_cmpstr (kehu_targets_editor_get_completion_text (editor, 3), ==, "117.00%");

  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (f->window, "reports-targets");
  }
}

static void
test_screenshots (Fixture       *f,
                  gconstpointer  data)
{
  set_period (f, KEHU_PERIOD_THIS_YEAR);
  for (guint kind = 0; kind < KEHU_REPORT_N_KINDS; kind++)
    {
      g_autoptr(GdkTexture) shot = NULL;
      g_autofree char *name = g_strdup_printf ("reports-%02u", kind);

      select_report (f, (KehuReportKind) kind);
      kehu_test_ui_settle (250);
      shot = kehu_test_ui_screenshot (f->window, name);
      g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 10);
      if (kind != KEHU_REPORT_KIND_TARGETS && kind != KEHU_REPORT_KIND_COMPARE)
        g_assert_cmpuint (g_list_model_get_n_items (kehu_reports_view_get_rows (KEHU_REPORTS_VIEW (f->view))), >, 1);
    }

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1024, 600);
  gtk_widget_set_size_request (f->window, 1024, 600);
  for (guint kind = 0; kind < KEHU_REPORT_N_KINDS; kind += 5)
    {
      g_autoptr(GdkTexture) shot = NULL;
      g_autofree char *name = g_strdup_printf ("reports-%02u-1024x600-dark", kind);

      select_report (f, (KehuReportKind) kind);
      kehu_test_ui_settle (300);
      shot = kehu_test_ui_screenshot (f->window, name);
      g_assert_cmpint (gdk_texture_get_width (shot), ==, 1024);
    }
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

  g_test_add ("/reports/summary-by-person", Fixture, NULL, fixture_set_up, test_summary_by_person, fixture_tear_down);
  g_test_add ("/reports/details-and-top", Fixture, NULL, fixture_set_up, test_details_and_top, fixture_tear_down);
  g_test_add ("/reports/compare-and-analysis", Fixture, NULL, fixture_set_up, test_compare_and_analysis, fixture_tear_down);
  g_test_add ("/reports/drill-down", Fixture, NULL, fixture_set_up, test_drill_down, fixture_tear_down);
  g_test_add ("/reports/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/reports/targets", Fixture, NULL, fixture_set_up, test_targets, fixture_tear_down);
  g_test_add ("/reports/screenshots", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_screenshots, fixture_tear_down);

  return g_test_run ();
}
