/* test-window.c: the main window under Xvfb, in English and in zh_CN
 *
 * Switches to every module of the sidebar, checks that its page and its
 * title (in the glossary's words for zh_CN) are shown, and saves a
 * screenshot of each under $KEHU_TEST_OUTPUT/screenshots/<lang>/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-pages.h"
#include "kehu-preferences-window.h"
#include "kehu-test-ui.h"
#include "kehu-window.h"

typedef struct
{
  const char *id;
  const char *en;
  const char *zh_CN;   /* SPEC.md glossary */
} ExpectedTitle;

static const ExpectedTitle expected_titles[] = {
  { "dashboard",     "Dashboard",     "仪表盘" },
  { "leads",         "Leads",         "线索" },
  { "customers",     "Customers",     "客户" },
  { "contacts",      "Contacts",      "联系人" },
  { "pool",          "Public Pool",   "公海" },
  { "opportunities", "Opportunities", "商机" },
  { "contracts",     "Contracts",     "合同" },
  { "payments",      "Payments",      "回款" },
  { "tasks",         "Tasks",         "任务" },
  { "approvals",     "Approvals",     "审批" },
  { "reports",       "Reports",       "数据报表" },
  { "settings",      "Settings",      "设置" },
};

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

static guint
count_labels (GtkWidget  *widget,
              const char *text)
{
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;

  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    n++;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_labels (child, text);

  return n;
}

static KehuApplication *app;

static KehuApplication *
create_app (void)
{
  /* One application per process: it stays registered on the bus. */
  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = kehu_application_new ();
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }

  return app;
}

static void
test_every_module (void)
{
  KehuWindow *window;
  guint n_pages;

  create_app ();

  kehu_pages_get (&n_pages);
  g_assert_cmpuint (n_pages, ==, G_N_ELEMENTS (expected_titles));

  window = kehu_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));

  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);

  for (guint i = 0; i < G_N_ELEMENTS (expected_titles); i++)
    {
      const ExpectedTitle *e = &expected_titles[i];
      const char *title = is_zh () ? e->zh_CN : e->en;
      g_autoptr(GdkTexture) shot = NULL;
      g_autofree char *name = NULL;
      GtkWidget *page;

      kehu_window_set_module (window, e->id);
      kehu_test_ui_settle (350);

      g_assert_cmpstr (kehu_window_get_module (window), ==, e->id);
      page = kehu_window_get_page (window, e->id);
      g_assert_nonnull (page);
      g_assert_true (gtk_widget_get_mapped (page));

      /* The title in the sidebar and in the header bar (Settings' empty
       * state repeats it). */
      g_assert_cmpuint (count_labels (GTK_WIDGET (window), title), >=, 2);

      name = g_strdup_printf ("%02u-%s", i + 1, e->id);
      shot = kehu_test_ui_screenshot (GTK_WIDGET (window), name);
      g_assert_cmpint (gdk_texture_get_width (shot), ==, gtk_widget_get_width (GTK_WIDGET (window)));
      g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
    }

  /* The local records live in the user's data folder. */
  {
    KehuStore *store = kehu_application_get_store (app);
    g_autofree char *expected = g_build_filename (g_getenv ("XDG_DATA_HOME"), "kehu", "local.db", NULL);

    g_assert_nonnull (store);
    g_assert_cmpstr (kehu_store_get_path (store), ==, expected);
    g_assert_cmpint (kehu_store_get_schema_version (store), ==, kehu_store_get_latest_version ());
  }

  /* Local only: no server is configured in the test's settings. */
  {
    KehuSyncIndicator *indicator = kehu_window_get_sync_indicator (window);
    g_assert_cmpint (kehu_sync_indicator_get_state (indicator), ==, KEHU_SYNC_STATE_LOCAL_ONLY);
    g_assert_cmpstr (kehu_sync_indicator_get_summary (indicator), ==, is_zh () ? "仅本机" : "Local only");

    kehu_sync_indicator_set_pending (indicator, 3);
    g_assert_cmpstr (kehu_sync_indicator_get_summary (indicator), ==,
                     is_zh () ? "仅本机 · 3 项更改待发送" : "Local only · 3 changes to send");
    kehu_sync_indicator_set_pending (indicator, 0);
  }

  /* The last module is remembered for the next start. */
  {
    g_autofree char *last = g_settings_get_string (kehu_application_get_settings (app), "last-module");
    g_assert_cmpstr (last, ==, "settings");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        return w;
    }

  return NULL;
}

static void
test_shortcuts_and_dialogs (void)
{
  g_auto(GStrv) quit = NULL;
  g_auto(GStrv) prefs = NULL;
  g_auto(GStrv) help = NULL;
  KehuWindow *window;
  GtkWindow *dialog;

  create_app ();
  quit = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  prefs = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.preferences");
  g_assert_true (g_strv_contains ((const char * const *) quit, "<Control>q"));
  g_assert_true (g_strv_contains ((const char * const *) prefs, "<Control>comma"));

  window = kehu_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);

  /* GtkApplication loads gtk/help-overlay.ui from the resources. */
  help = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");
  g_assert_nonnull (help);
  g_assert_nonnull (help[0]);
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  kehu_test_ui_settle (300);
  dialog = find_toplevel (KEHU_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (dialog);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (dialog), "preferences");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  gtk_window_destroy (dialog);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  kehu_test_ui_settle (300);
  dialog = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (dialog)), ==,
                   is_zh () ? "客户管理" : "Kehu");
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (dialog), "about");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  gtk_window_destroy (dialog);

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  kehu_test_ui_settle (300);
  dialog = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (dialog);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (dialog), "shortcuts");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  gtk_widget_set_visible (GTK_WIDGET (dialog), FALSE);

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
}

static void
test_server_url_validation (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kehu_server_url_is_valid ("", NULL));
  g_assert_true (kehu_server_url_is_valid ("http://127.0.0.1:8765", NULL));
  g_assert_true (kehu_server_url_is_valid ("https://crm.example.com", NULL));
  g_assert_false (kehu_server_url_is_valid ("ftp://crm.example.com", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (kehu_server_url_is_valid ("crm.example.com", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/window/every-module", test_every_module);
  g_test_add_func ("/ui/window/shortcuts-and-dialogs", test_shortcuts_and_dialogs);
  g_test_add_func ("/ui/preferences/server-url", test_server_url_validation);

  status = g_test_run ();
  g_clear_object (&app);

  return status;
}
