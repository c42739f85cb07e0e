/* test-detail-demo.c: the detail pages, Tasks and Settings over the demo company
 *
 * core's demo generator fills a fresh store; the test opens a record of
 * every module (the one with the most follow-ups, so the timeline is full),
 * checks the page shows that record, and saves screenshots for people to
 * look at, in English and zh_CN.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-settings-view.h"
#include "kehu-tasks-view.h"
#include "kehu-test-details.h"

static KehuApplication *app;
static KehuWindow *window;
static KehuStore *store;

static void
test_demo_pages (void)
{
  static const struct { const char *module, *sql, *tab; } pages[] = {
    { "customers", "SELECT customer_id AS id FROM followups WHERE customer_id IS NOT NULL "
                   "GROUP BY customer_id ORDER BY count (*) DESC LIMIT 1", "timeline" },
    { "customers", "SELECT id FROM customers WHERE contract_total > 0 AND deleted_at IS NULL "
                   "ORDER BY contract_total DESC LIMIT 1", "related" },
    { "leads", "SELECT id FROM leads WHERE deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1", "info" },
    { "contacts", "SELECT id FROM contacts WHERE deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1", "info" },
    { "opportunities", "SELECT o.id FROM opportunities o WHERE status = 'open' AND deleted_at IS NULL "
                       "AND EXISTS (SELECT 1 FROM opportunity_stage_history h WHERE h.opportunity_id = o.id) "
                       "ORDER BY amount DESC LIMIT 1", "related" },
    { "contracts", "SELECT id FROM contracts WHERE approval_status = 'approved' AND deleted_at IS NULL "
                   "ORDER BY received_total DESC LIMIT 1", "related" },
    { "payment_plans", "SELECT id FROM payment_plans WHERE deleted_at IS NULL ORDER BY planned_date LIMIT 1", "info" },
    { "payments", "SELECT id FROM payments WHERE deleted_at IS NULL ORDER BY paid_date DESC LIMIT 1", "info" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) row = kehu_admin_query_one (store, &error, pages[i].sql, NULL);
      g_autofree char *name = NULL;
      g_autoptr(GdkTexture) shot = NULL;
      KehuRecordDetailView *detail;
      const char *id;

      g_assert_no_error (error);
      id = json_object_get_string_member (row, "id");
      g_action_group_activate_action (G_ACTION_GROUP (window), "open-record",
                                      g_variant_new ("(ss)", pages[i].module, id));
      kehu_test_ui_settle (250);
      g_assert_true (kehu_window_is_showing_record (window));
      detail = kehu_window_get_detail_view (window);
      g_assert_cmpstr (kehu_record_detail_view_get_record_id (detail), ==, id);
      kehu_record_detail_view_show_tab (detail, pages[i].tab);
      kehu_test_ui_settle (300);

      name = g_strdup_printf ("demo-detail-%u-%s-%s", i + 1, pages[i].module, pages[i].tab);
      shot = kehu_test_ui_screenshot (GTK_WIDGET (window), name);
      g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
    }

  g_action_group_activate_action (G_ACTION_GROUP (window), "close-record", NULL);

  kehu_window_set_module (window, "tasks");
  kehu_test_ui_settle (400);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "demo-tasks");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  kehu_window_set_module (window, "settings");
  {
    static const char * const sections[] = {
      "departments", "users", "roles", "stages", "pools", "fields", "dictionaries", "recycle-bin",
    };
    KehuSettingsView *settings = KEHU_SETTINGS_VIEW (kehu_window_get_page (window, "settings"));

    for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
      {
        g_autofree char *name = g_strdup_printf ("demo-settings-%u-%s", i + 1, sections[i]);
        g_autoptr(GdkTexture) shot = NULL;

        kehu_settings_view_show_section (settings, sections[i]);
        kehu_test_ui_settle (300);
        shot = kehu_test_ui_screenshot (GTK_WIDGET (window), name);
        g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
      }
  }

  /* The smallest screen. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  kehu_test_ui_settle (300);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "demo-settings-1024x600");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  KehuDemoOptions options;
  KehuDemoStats stats;
  int status;

  kehu_test_private_data_dir ();
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  app = kehu_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  store = kehu_application_get_store (app);
  g_assert_nonnull (store);

  kehu_demo_options_init_demo (&options);
  g_assert_true (kehu_demo_generate (store, &options, &stats, &error));
  g_assert_no_error (error);
  window = kehu_test_window (app, 1200, 760);

  g_test_add_func ("/ui/detail-demo/pages", test_demo_pages);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_clear_object (&app);
  return status;
}
