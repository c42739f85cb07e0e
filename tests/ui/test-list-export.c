/* test-list-export.c: the list's Export action under Xvfb
 *
 * A list of a few thousand customers goes through the real action: the
 * file chooser, the worker thread and its progress window. The file is
 * read back (.xlsx through unzip, .csv as text) and checked against the
 * store with SQL written here; a cancelled export must leave no file, not
 * even a temporary one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-progress-dialog.h"
#include "kehu-record-list-view-private.h"
#include "kehu-test-records.h"
#include "kehu-test-ui.h"

typedef struct
{
  KehuTestRecords     t;
  GtkWindow          *window;
  KehuRecordListView *view;
  char               *out_dir;
} Fixture;

static void
add_customers (Fixture *f,
               int      n)
{
  g_autofree char *sql = g_strdup_printf (
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
    "INSERT INTO customers (id, created_at, updated_at, name, owner_id, phone) "
    "SELECT printf ('c%%05d', i), '2026-01-01T00:00:00Z', printf ('2026-01-01T00:%%02d:%%02dZ', (i / 60) %% 60, i %% 60),"
    " printf ('导出客户%%05d', i), '%s', printf ('138%%08d', i) FROM n", n, f->t.me);
  g_autoptr(GError) error = NULL;

  g_assert_true (kehu_store_exec (f->t.store, sql, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  kehu_test_records_init (&f->t, NULL);
  add_customers (f, GPOINTER_TO_INT (data));
  f->out_dir = g_dir_make_tmp ("kehu-export-XXXXXX", &error);
  g_assert_no_error (error);

  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 1000, 600);
  f->view = kehu_record_list_view_new (f->t.ctx, "customers");
  adw_window_set_content (ADW_WINDOW (f->window),
                          adw_toast_overlay_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (adw_window_get_content (ADW_WINDOW (f->window))),
                               GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->view)), 3000);
  kehu_test_ui_settle (50);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->out_dir, 0, NULL);
  const char *name;

  gtk_window_destroy (f->window);
  kehu_test_ui_settle (20);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->out_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->out_dir);
  g_free (f->out_dir);
  kehu_test_records_clear (&f->t);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *list = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (list, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
is_folder (GtkWindow *chooser,
           GFile     *folder)
{
  g_autoptr(GFile) current = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (chooser));

  return current != NULL && g_file_equal (current, folder);
}

static gboolean
is_file (GtkWindow *chooser,
         GFile     *file)
{
  g_autoptr(GFile) current = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  return current != NULL && g_file_equal (current, file);
}

/* Export through the action and its file chooser, as a user does. */
static void
export_via_action (Fixture    *f,
                   const char *name)
{
  g_autoptr(GFile) folder = g_file_new_for_path (f->out_dir);
  GtkWindow *chooser = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.export", NULL));
  KEHU_TEST_WAIT_FOR ((chooser = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL, 5000);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  /* The chooser loads the folder before it takes a name in it. */
  KEHU_TEST_WAIT_FOR (is_folder (chooser, folder), 5000);
  g_assert_true (is_folder (chooser, folder));
  {
    g_autoptr(GFile) file = g_file_get_child (folder, name);

    g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL));
    KEHU_TEST_WAIT_FOR (is_file (chooser, file), 5000);
    if (!is_file (chooser, file))
      {
        gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
        KEHU_TEST_WAIT_FOR (is_file (chooser, file), 5000);
      }
    g_assert_true (is_file (chooser, file));
  }
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static char *
unzip_sheet (const char *path)
{
  g_autofree char *out = NULL;
  const char *argv[] = { "unzip", "-p", path, "xl/worksheets/sheet1.xml", NULL };
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  return g_steal_pointer (&out);
}

static guint
files_in (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_xlsx_and_csv (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *xlsx = g_build_filename (f->out_dir, "客户.xlsx", NULL);
  g_autofree char *csv = g_build_filename (f->out_dir, "客户.csv", NULL);
  g_autofree char *sheet = NULL;
  g_autofree char *text = NULL;
  g_autofree char *first = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 n = kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NULL", NULL);

  g_assert_cmpint (n, ==, 3000);
  export_via_action (f, "客户.xlsx");
  /* The progress window stands over the list while the worker runs. */
  KEHU_TEST_WAIT_FOR (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG) != NULL, 5000);
  g_assert_nonnull (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG));
  KEHU_TEST_WAIT_FOR (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG) == NULL, 60000);
  g_assert_null (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG));
  g_assert_true (g_file_test (xlsx, G_FILE_TEST_EXISTS));
  /* Only the file itself: the temporary one was renamed. */
  g_assert_cmpuint (files_in (f->out_dir), ==, 1);

  sheet = unzip_sheet (xlsx);
  /* A header row and one row per customer. */
  g_assert_cmpuint (count_occurrences (sheet, "<row "), ==, n + 1);
  g_assert_nonnull (strstr (sheet, "导出客户00001"));
  g_assert_nonnull (strstr (sheet, "导出客户03000"));
  g_assert_null (strstr (sheet, "导出客户03001"));

  /* The same list as CSV, by the file name. */
  export_via_action (f, "客户.csv");
  KEHU_TEST_WAIT_FOR (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG) == NULL && g_file_test (csv, G_FILE_TEST_EXISTS),
                      60000);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBF"));
  lines = g_strsplit (text, "\r\n", -1);
  /* Header, 3000 rows, and the empty string after the last CRLF. */
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
  /* The list's first row (newest update first) is the store's. */
  first = kehu_test_records_sql_text (&f->t, "SELECT name FROM customers ORDER BY updated_at DESC, id DESC LIMIT 1", NULL);
  g_assert_nonnull (strstr (lines[1], first));
  g_assert_cmpuint (count_occurrences (text, "导出客户"), ==, n);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *xlsx = g_build_filename (f->out_dir, "cancelled.xlsx", NULL);
  GtkWindow *progress;

  export_via_action (f, "cancelled.xlsx");
  KEHU_TEST_WAIT_FOR ((progress = find_toplevel (KEHU_TYPE_PROGRESS_DIALOG)) != NULL, 5000);
  g_assert_nonnull (progress);
  /* As the Cancel button does. */
  kehu_progress_dialog_cancel (KEHU_PROGRESS_DIALOG (progress));
  KEHU_TEST_WAIT_FOR (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG) == NULL, 60000);
  g_assert_null (find_toplevel (KEHU_TYPE_PROGRESS_DIALOG));
  g_assert_false (g_file_test (xlsx, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (files_in (f->out_dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add ("/ui/list-export/xlsx-csv", Fixture, GINT_TO_POINTER (3000), fixture_setup, test_xlsx_and_csv,
              fixture_teardown);
  g_test_add ("/ui/list-export/cancel", Fixture, GINT_TO_POINTER (30000), fixture_setup, test_cancel,
              fixture_teardown);

  return g_test_run ();
}
