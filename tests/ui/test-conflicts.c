/* test-conflicts.c: the Conflicts window resolves a conflict into a change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-conflicts-window.h"
#include "kehu-sync-indicator.h"
#include "kehu-core.h"
#include "kehu-test-ui.h"

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static void
insert_conflict (KehuStore  *store,
                 const char *id,
                 const char *record_id,
                 const char *local,
                 const char *server)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store),
                                       "INSERT INTO sync_conflicts (id, module, record_id, field, local_value, server_value,"
                                       " server_rev, created_at) VALUES (?1, 'customers', ?2, 'phone', ?3, ?4, 7,"
                                       " '2026-01-01T00:00:00Z')", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, local, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, server, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* The window reloads in an idle after a choice: wait for it, up to 5 s. */
static void
wait_for_count (KehuConflictsWindow *window,
                guint                expected)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (kehu_conflicts_window_get_count (window) != expected && g_get_monotonic_time () < end)
    kehu_test_ui_settle (20);

  g_assert_cmpuint (kehu_conflicts_window_get_count (window), ==, expected);
}

static void
test_keep_mine (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-conflicts-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cache.db", NULL);
  g_autoptr(KehuStore) store = kehu_store_open (path, &error);
  g_autoptr(KehuSchema) schema = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(JsonObject) customer = json_object_new ();
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *id = NULL;
  KehuConflictsWindow *window;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  g_assert_true (kehu_sync_mark_cache (store, &error));
  schema = kehu_schema_new (store, &error);
  g_assert_no_error (error);
  ctx = kehu_context_new (schema, NULL);
  /* As the cache holds it after the conflict: the server's value at rev 7. */
  json_object_set_string_member (customer, "name", "北京大学");
  json_object_set_string_member (customer, "phone", "010-1111");
  id = kehu_record_create (ctx, "customers", customer, &error);
  g_assert_no_error (error);
  kehu_store_exec (store, "DELETE FROM sync_outbox; UPDATE customers SET rev = 7", &error);
  g_assert_no_error (error);
  insert_conflict (store, "c1", id, "\"010-2222\"", "\"010-1111\"");
  insert_conflict (store, "c2", id, "\"010-3333\"", "\"010-1111\"");

  window = kehu_conflicts_window_new (ctx);
  gtk_window_present (GTK_WINDOW (window));
  kehu_test_ui_settle (200);
  g_assert_cmpuint (kehu_conflicts_window_get_count (window), ==, 2);
  /* Side by side: mine and the server's. */
  g_assert_true (has_label (GTK_WIDGET (window), "010-2222"));
  g_assert_true (has_label (GTK_WIDGET (window), "010-1111"));
  kehu_test_ui_screenshot (GTK_WIDGET (window), "sync-conflicts");

  /* The first row's Keep Mine: a normal change based on the server's rev. */
  gtk_widget_activate (find_named (GTK_WIDGET (window), "keep-mine"));
  wait_for_count (window, 1);
  record = kehu_record_get (ctx, "customers", id, &error);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "010-2222");
  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store),
                                       "SELECT kind, fields, base_rev FROM sync_outbox", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "update");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "{\"phone\":\"010-2222\"}");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, 7);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  /* Keep Theirs: resolved, nothing more to send. */
  gtk_widget_activate (find_named (GTK_WIDGET (window), "keep-theirs"));
  wait_for_count (window, 0);
  g_assert_cmpint (kehu_sync_count_pending (store), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&ctx);
  g_clear_object (&schema);
  g_clear_object (&store);
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

/* The header bar shows how far the first sync of a large account got. */
static void
test_indicator_progress (void)
{
  GtkWidget *window = gtk_window_new ();
  KehuSyncIndicator *indicator = g_object_new (KEHU_TYPE_SYNC_INDICATOR, NULL);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (indicator));
  kehu_sync_indicator_set_state (indicator, KEHU_SYNC_STATE_SYNCING);
  kehu_sync_indicator_set_progress (indicator, 1234, 100000);
  if (g_str_equal (kehu_test_ui_lang (), "en"))
    g_assert_cmpstr (kehu_sync_indicator_get_summary (indicator), ==, "Syncing… 1234 of about 100000 records");
  kehu_sync_indicator_set_progress (indicator, 0, 0);
  kehu_sync_indicator_set_pending (indicator, 2);
  kehu_sync_indicator_set_state (indicator, KEHU_SYNC_STATE_OFFLINE);
  if (g_str_equal (kehu_test_ui_lang (), "en"))
    g_assert_cmpstr (kehu_sync_indicator_get_summary (indicator), ==, "Offline · 2 changes to send");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();
  g_test_add_func ("/ui/conflicts/keep-mine-and-theirs", test_keep_mine);
  g_test_add_func ("/ui/sync-indicator/progress", test_indicator_progress);
  return g_test_run ();
}
