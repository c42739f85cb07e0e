/* test-record-list.c: the schema-driven list under Xvfb
 *
 * Each case builds a store in a temporary folder with known records, shows
 * the list in a window and drives it through its widgets and actions; the
 * results are checked against SQL written here by hand, never against the
 * list's own queries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-format.h"
#include "kehu-global-search.h"
#include "kehu-record-editor.h"
#include "kehu-record-list-view-private.h"
#include "kehu-test-records.h"
#include "kehu-test-ui.h"
#include "kehu-window.h"

typedef struct
{
  KehuTestRecords     t;
  GtkWindow          *window;
  AdwToastOverlay    *overlay;
  KehuRecordListView *view;
  char               *pku;      /* 北京大学 */
  char               *thu;      /* 清华大学 */
  char               *pool_a;
} Fixture;

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

/* 2026-11-22 10:00 in China: "today" runs from 2026-11-21T16:00Z to 2026-11-22T16:00Z. */
static GDateTime *
fixed_now (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  return g_date_time_new (tz, 2026, 11, 22, 10, 0, 0);
}

static char *
customer (Fixture    *f,
          const char *name,
          const char *owner,
          const char *level,
          const char *followup)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append_printf (json, "{\"name\":\"%s\",\"level\":\"%s\",\"industry\":\"education\"", name, level);
  if (owner)
    g_string_append_printf (json, ",\"owner_id\":\"%s\"", owner);
  else
    g_string_append_printf (json, ",\"owner_id\":null,\"pool_id\":\"%s\",\"pooled_at\":\"2026-11-20T02:00:00Z\"",
                            KEHU_ID_DEFAULT_POOL);
  if (followup)
    g_string_append_printf (json, ",\"last_followup_at\":\"%s\"", followup);
  g_string_append_c (json, '}');
  return kehu_test_records_create (&f->t, "customers", json->str);
}

static void
show_view (Fixture    *f,
           const char *page)
{
  if (f->window != NULL)
    {
      gtk_window_destroy (f->window);
      kehu_test_ui_settle (20);
    }
  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 1100, 640);
  f->overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  f->view = kehu_record_list_view_new (f->t.ctx, page);
  {
    g_autoptr(GDateTime) now = fixed_now ();
    kehu_record_list_view_set_now (f->view, now);
  }
  adw_toast_overlay_set_child (f->overlay, GTK_WIDGET (f->view));
  adw_window_set_content (ADW_WINDOW (f->window), GTK_WIDGET (f->overlay));
  gtk_window_present (f->window);
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->view)), 3000);
  kehu_test_ui_settle (50);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GDateTime) now = fixed_now ();
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *pool_b = NULL;

  kehu_test_records_init (&f->t, now);
  f->pku = customer (f, "北京大学", f->t.me, "vip", "2026-11-22T01:00:00Z");
  f->thu = customer (f, "清华大学", f->t.me, "normal", "2026-11-10T02:00:00Z");
  a = customer (f, "上海交通大学", f->t.other, "vip", NULL);
  /* 00:30 on the 22nd in China, still the 21st in UTC: "today" here. */
  b = customer (f, "阿里巴巴", f->t.other, "potential", "2026-11-21T16:30:00Z");
  c = customer (f, "腾讯", f->t.me, "vip", "2026-10-01T02:00:00Z");
  /* 23:59 on the 21st in China: yesterday, although the 22nd… nowhere. */
  d = customer (f, "华为", f->t.me, "normal", "2026-11-21T15:59:00Z");
  f->pool_a = customer (f, "公海客户甲", NULL, "normal", NULL);
  pool_b = customer (f, "公海客户乙", NULL, "potential", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (f->window);
  kehu_test_ui_settle (20);
  g_free (f->pku);
  g_free (f->thu);
  g_free (f->pool_a);
  kehu_test_records_clear (&f->t);
}

static guint
n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (kehu_record_list_view_get_model (f->view)));
}

static const char *
item_value (Fixture    *f,
            guint       position,
            const char *field)
{
  g_autoptr(KehuRecordItem) item = g_list_model_get_item (G_LIST_MODEL (kehu_record_list_view_get_model (f->view)), position);

  g_assert_nonnull (item);
  /* The model keeps its items alive in its page cache. */
  return kehu_record_item_get_value (item, field);
}

static void
select_ids (Fixture            *f,
            const char * const *ids)
{
  GtkSelectionModel *selection = kehu_record_list_view_get_selection (f->view);

  gtk_selection_model_unselect_all (selection);
  for (guint i = 0; i < n_items (f); i++)
    if (g_strv_contains (ids, item_value (f, i, "id")))
      gtk_selection_model_select_item (selection, i, FALSE);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static GtkWidget *
find_named (GtkWidget  *root,
            GType       type,
            const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, type, name);
      if (found)
        return found;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */

static void
test_pages (Fixture       *f,
            gconstpointer  data)
{
  show_view (f, "customers");
  /* Owned customers only: the two pool ones are in the pool. */
  g_assert_cmpuint (n_items (f), ==, 6);
  g_assert_cmpstr (kehu_record_list_view_get_count_text (f->view), ==, is_zh () ? "6 条记录" : "6 records");

  show_view (f, "pool");
  g_assert_cmpuint (n_items (f), ==, 2);
}

static void
test_columns (Fixture       *f,
              gconstpointer  data)
{
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_auto(GStrv) again = NULL;
  GtkWidget *popover, *industry, *region;

  show_view (f, "customers");
  before = kehu_record_list_view_dup_columns (f->view);
  g_assert_cmpstr (before[0], ==, "name");
  g_assert_true (g_strv_contains ((const char * const *) before, "industry"));
  g_assert_false (g_strv_contains ((const char * const *) before, "region"));

  /* Untick Industry, tick Region in the columns popover. */
  popover = _kehu_record_list_view_get_columns_popover (f->view);
  industry = find_named (popover, GTK_TYPE_CHECK_BUTTON, "industry");
  region = find_named (popover, GTK_TYPE_CHECK_BUTTON, "region");
  g_assert_nonnull (industry);
  g_assert_nonnull (region);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (industry), FALSE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (region), TRUE);

  after = kehu_record_list_view_dup_columns (f->view);
  g_assert_false (g_strv_contains ((const char * const *) after, "industry"));
  g_assert_true (g_strv_contains ((const char * const *) after, "region"));
  g_assert_cmpuint (g_strv_length (after), ==, g_strv_length (before));

  /* Move Region to the front with its "up" buttons. */
  for (guint i = 0; i < 64; i++)
    {
      GtkWidget *row_box = gtk_widget_get_parent (find_named (popover, GTK_TYPE_CHECK_BUTTON, "region"));
      GtkWidget *up = gtk_widget_get_next_sibling (gtk_widget_get_first_child (row_box));
      if (gtk_widget_get_sensitive (up))
        g_signal_emit_by_name (up, "clicked");
    }
  g_strfreev (after);
  after = kehu_record_list_view_dup_columns (f->view);
  g_assert_cmpstr (after[0], ==, "region");

  /* Remembered: a new list of customers shows the same columns. */
  show_view (f, "customers");
  again = kehu_record_list_view_dup_columns (f->view);
  g_assert_cmpstrv (again, after);
  {
    g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
    g_autoptr(GVariant) all = g_settings_get_value (settings, "list-columns");
    g_autoptr(GVariant) mine = g_variant_lookup_value (all, "customers", G_VARIANT_TYPE_STRING_ARRAY);
    g_autofree const char **saved = g_variant_get_strv (mine, NULL);
    g_assert_cmpstrv (saved, after);
  }
  /* Other lists keep theirs. */
  show_view (f, "pool");
  {
    g_auto(GStrv) pool = kehu_record_list_view_dup_columns (f->view);
    g_assert_cmpstr (pool[0], ==, "name");
  }
  /* Leave the defaults for the other cases. */
  show_view (f, "customers");
  kehu_record_list_view_set_columns (f->view, (const char * const *) before);
}

static GtkColumnViewColumn *
column_for (Fixture    *f,
            const char *field)
{
  GListModel *columns = gtk_column_view_get_columns (kehu_record_list_view_get_column_view (f->view));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      const KehuField *fd = g_object_get_data (G_OBJECT (column), "kehu-field");
      if (g_strcmp0 (fd->name, field) == 0)
        return column;
    }
  return NULL;
}

static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  GtkColumnView *view;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *followup_first = NULL;

  show_view (f, "customers");
  view = kehu_record_list_view_get_column_view (f->view);

  first = kehu_test_records_sql_text (&f->t, "SELECT id FROM customers WHERE deleted_at IS NULL"
                                      " AND owner_id IS NOT NULL ORDER BY name, id LIMIT 1", NULL);
  last = kehu_test_records_sql_text (&f->t, "SELECT id FROM customers WHERE deleted_at IS NULL"
                                     " AND owner_id IS NOT NULL ORDER BY name DESC, id DESC LIMIT 1", NULL);

  /* What a click on the header does. */
  gtk_column_view_sort_by_column (view, column_for (f, "name"), GTK_SORT_ASCENDING);
  g_assert_cmpstr (item_value (f, 0, "id"), ==, first);
  gtk_column_view_sort_by_column (view, column_for (f, "name"), GTK_SORT_DESCENDING);
  g_assert_cmpstr (item_value (f, 0, "id"), ==, last);

  /* NULLs first ascending, as SQLite orders them. */
  followup_first = kehu_test_records_sql_text (&f->t, "SELECT id FROM customers WHERE deleted_at IS NULL"
                                               " AND owner_id IS NOT NULL ORDER BY last_followup_at, id LIMIT 1", NULL);
  gtk_column_view_sort_by_column (view, column_for (f, "last_followup_at"), GTK_SORT_ASCENDING);
  g_assert_cmpstr (item_value (f, 0, "id"), ==, followup_first);
  g_assert_null (item_value (f, 0, "last_followup_at"));
  g_assert_cmpstr (item_value (f, n_items (f) - 1, "id"), ==, f->pku);
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  const char *today[] = { "today", NULL };
  GtkWidget *choices;
  gint64 expected;

  show_view (f, "customers");

  /* Date preset "today" in the user's zone (+08:00), bounds written by hand. */
  kehu_record_list_view_add_filter (f->view, "last_followup_at", KEHU_FILTER_DATE, today);
  expected = kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NULL"
                                        " AND owner_id IS NOT NULL AND last_followup_at >= '2026-11-21T16:00:00Z'"
                                        " AND last_followup_at < '2026-11-22T16:00:00Z'", NULL);
  g_assert_cmpint (expected, ==, 2);   /* 北京大学, 阿里巴巴 — not 华为 */
  g_assert_cmpuint (n_items (f), ==, expected);
  kehu_record_list_view_clear_filters (f->view);
  g_assert_cmpuint (n_items (f), ==, 6);

  /* A choice filter through the filter popover: level is VIP. */
  g_assert_true (_kehu_record_list_view_choose_filter_field (f->view, "level"));
  choices = _kehu_record_list_view_get_filter_choices (f->view);
  for (GtkWidget *c = gtk_widget_get_first_child (choices); c; c = gtk_widget_get_next_sibling (c))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (c), "kehu-value"), "vip") == 0)
      {
        g_assert_cmpstr (gtk_check_button_get_label (GTK_CHECK_BUTTON (c)), ==,
                         is_zh () ? "VIP客户" : "VIP customer");
        gtk_check_button_set_active (GTK_CHECK_BUTTON (c), TRUE);
      }
  _kehu_record_list_view_add_filter_from_popover (f->view);
  expected = kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NULL"
                                        " AND owner_id IS NOT NULL AND level = 'vip'", NULL);
  g_assert_cmpint (expected, ==, 3);
  g_assert_cmpuint (n_items (f), ==, expected);

  /* Both at once. */
  kehu_record_list_view_add_filter (f->view, "last_followup_at", KEHU_FILTER_DATE, today);
  g_assert_cmpuint (n_items (f), ==, 1);
  g_assert_cmpstr (item_value (f, 0, "id"), ==, f->pku);
}

static void
test_scenes (Fixture       *f,
             gconstpointer  data)
{
  guint mine = G_MAXUINT, stale = G_MAXUINT;
  g_autoptr(GError) error = NULL;
  gint64 expected;

  show_view (f, "customers");
  for (guint i = 0; i < kehu_record_list_view_get_n_scenes (f->view); i++)
    {
      const char *name = kehu_record_list_view_get_scene_name (f->view, i);
      if (g_strcmp0 (name, is_zh () ? "我的" : "Mine") == 0)
        mine = i;
      if (g_strcmp0 (name, is_zh () ? "超过 7 天未跟进" : "Not Followed Up for 7 Days") == 0)
        stale = i;
    }
  g_assert_cmpuint (mine, !=, G_MAXUINT);
  g_assert_cmpuint (stale, !=, G_MAXUINT);

  gtk_drop_down_set_selected (_kehu_record_list_view_get_scene_dropdown (f->view), mine);
  expected = kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NULL"
                                        " AND owner_id = ?", f->t.me);
  g_assert_cmpuint (n_items (f), ==, expected);

  /* Before 2026-11-16 00:00 local (= 2026-11-15T16:00Z), or never. */
  gtk_drop_down_set_selected (_kehu_record_list_view_get_scene_dropdown (f->view), stale);
  expected = kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NULL"
                                        " AND owner_id IS NOT NULL AND (last_followup_at IS NULL"
                                        " OR last_followup_at < '2026-11-15T16:00:00Z')", NULL);
  g_assert_cmpint (expected, ==, 3);
  g_assert_cmpuint (n_items (f), ==, expected);

  /* Saving the current filters as a scene. */
  g_assert_true (kehu_record_list_view_save_scene (f->view, "老客户", &error));
  g_assert_no_error (error);
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM scenes WHERE module = 'customers'"
                                              " AND name = '老客户' AND filter LIKE '%before_days%'", NULL), ==, 1);
  show_view (f, "customers");
  {
    guint n = kehu_record_list_view_get_n_scenes (f->view);
    g_assert_cmpstr (kehu_record_list_view_get_scene_name (f->view, n - 1), ==, "老客户");
    kehu_record_list_view_select_scene (f->view, n - 1);
    g_assert_cmpuint (n_items (f), ==, expected);
  }
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  GtkEditable *entry;

  show_view (f, "customers");
  entry = _kehu_record_list_view_get_search_entry (f->view);

  /* One Latin letter matches too much to be worth a search: nothing is
   * read until the second one, and the entry says so. */
  {
    KehuRecordModel *model = kehu_record_list_view_get_model (f->view);
    guint before = kehu_record_model_get_n_loaded_pages (model);

    gtk_editable_set_text (entry, "b");
    kehu_test_ui_settle (600);
    g_assert_cmpuint (n_items (f), ==, 6);
    g_assert_cmpuint (kehu_record_model_get_n_loaded_pages (model), ==, before);
    g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (entry)), ==,
                     is_zh () ? "再输入一个字母即可搜索" : "Type one more letter to search");
  }

  /* Initials of 北京大学; the entry waits for the typing to stop. */
  gtk_editable_set_text (entry, "bjdx");
  KEHU_TEST_WAIT_FOR (n_items (f) == 1, 3000);
  g_assert_cmpuint (n_items (f), ==, 1);
  g_assert_cmpstr (item_value (f, 0, "id"), ==, f->pku);

  gtk_editable_set_text (entry, "qinghua");
  KEHU_TEST_WAIT_FOR (n_items (f) == 1 && g_strcmp0 (item_value (f, 0, "id"), f->thu) == 0, 3000);
  g_assert_cmpstr (item_value (f, 0, "id"), ==, f->thu);

  gtk_editable_set_text (entry, "大学");
  KEHU_TEST_WAIT_FOR (n_items (f) == 3, 3000);
  g_assert_cmpuint (n_items (f), ==, 3);

  /* One Chinese character is a real query. */
  gtk_editable_set_text (entry, "腾");
  KEHU_TEST_WAIT_FOR (n_items (f) == 1, 3000);
  g_assert_cmpstr (item_value (f, 0, "name"), ==, "腾讯");

  gtk_editable_set_text (entry, "");
  KEHU_TEST_WAIT_FOR (n_items (f) == 6, 3000);
  g_assert_cmpuint (n_items (f), ==, 6);
}

static void
test_delete_undo (Fixture       *f,
                  gconstpointer  data)
{
  const char *ids[] = { f->pku, f->thu, NULL };
  AdwToast *toast;

  show_view (f, "customers");
  select_ids (f, ids);
  g_assert_cmpuint (gtk_bitset_get_size (gtk_selection_model_get_selection (kehu_record_list_view_get_selection (f->view))), ==, 2);

  /* The Delete key's action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.delete", NULL));
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NOT NULL", NULL), ==, 2);
  g_assert_cmpuint (n_items (f), ==, 4);
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM oplog WHERE module = 'customers'"
                                              " AND action = 'delete' AND record_id = ?", f->pku), >=, 1);

  toast = _kehu_record_list_view_get_last_toast (f->view);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==,
                   is_zh () ? "2 条记录已移入回收站" : "2 records moved to the recycle bin");
  g_signal_emit_by_name (toast, "button-clicked");
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NOT NULL", NULL), ==, 0);
  g_assert_cmpuint (n_items (f), ==, 6);
}

static void
test_transfer (Fixture       *f,
               gconstpointer  data)
{
  const char *ids[] = { f->pku, f->thu, NULL };
  GtkWindow *dialog;
  GtkDropDown *users;
  GPtrArray *user_ids;
  guint other = G_MAXUINT;

  show_view (f, "customers");
  select_ids (f, ids);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.transfer", NULL));
  KEHU_TEST_WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
  g_assert_nonnull (dialog);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (dialog), "list-transfer-dialog");
  }

  users = g_object_get_data (G_OBJECT (dialog), "kehu-users");
  user_ids = g_object_get_data (G_OBJECT (dialog), "kehu-user-ids");
  for (guint i = 0; i < user_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (user_ids, i), f->t.other) == 0)
      other = i;
  g_assert_cmpuint (other, !=, G_MAXUINT);
  gtk_drop_down_set_selected (users, other);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  kehu_test_ui_settle (20);

  for (guint i = 0; ids[i]; i++)
    {
      g_autofree char *owner = kehu_test_records_sql_text (&f->t, "SELECT owner_id FROM customers WHERE id = ?", ids[i]);
      g_assert_cmpstr (owner, ==, f->t.other);
      g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM oplog WHERE record_id = ?"
                                                  " AND action = 'transfer'", ids[i]), >=, 1);
    }
}

static void
test_claim (Fixture       *f,
            gconstpointer  data)
{
  const char *ids[] = { f->pool_a, NULL };
  g_autofree char *owner = NULL;

  show_view (f, "pool");
  g_assert_cmpuint (n_items (f), ==, 2);
  select_ids (f, ids);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.claim", NULL));

  owner = kehu_test_records_sql_text (&f->t, "SELECT owner_id FROM customers WHERE id = ?", f->pool_a);
  g_assert_cmpstr (owner, ==, f->t.me);
  /* As on the server (core's kehu_pool_claim): the pool stays the
   * customer's home pool, whose rules recycle it. */
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE id = ?"
                                              " AND pool_id IS NOT NULL AND pooled_at IS NULL"
                                              " AND owned_since IS NOT NULL", f->pool_a), ==, 1);
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM pool_history WHERE customer_id = ?"
                                              " AND action = 'claim'", f->pool_a), ==, 1);
  g_assert_cmpuint (n_items (f), ==, 1);

  /* And back, with a reason. */
  show_view (f, "customers");
  select_ids (f, ids);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.return", NULL));
  {
    GtkWindow *dialog = NULL;
    KEHU_TEST_WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
    g_assert_nonnull (dialog);
    gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "kehu-reason"), "今年没有预算");
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  }
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE id = ?"
                                              " AND owner_id IS NULL AND return_reason = '今年没有预算'", f->pool_a), ==, 1);
}

static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  static const gint64 amounts[] = { 123450, 100000000, 99, 555555 };
  g_autofree char *expected_text = NULL;
  g_autofree char *money = NULL;
  gint64 sum = 0, expected;

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"name\":\"商机 %u\",\"customer_id\":\"%s\",\"amount\":%" G_GINT64_FORMAT "}",
                                               i, i % 2 ? f->pku : f->thu, amounts[i]);
      g_autofree char *id = kehu_test_records_create (&f->t, "opportunities", json);
    }

  show_view (f, "opportunities");
  /* A page of one row would do: the sum is over the query, not the loaded rows. */
  expected = kehu_test_records_sql_int (&f->t, "SELECT sum (amount) FROM opportunities WHERE deleted_at IS NULL", NULL);
  g_assert_cmpint (expected, ==, 100679104);
  g_assert_true (kehu_record_list_view_get_total (f->view, "amount", &sum));
  g_assert_cmpint (sum, ==, expected);
  money = kehu_format_money (expected);
  g_assert_cmpstr (money, ==, "1,006,791.04");
  g_assert_nonnull (strstr (kehu_record_list_view_get_totals_text (f->view), money));

  /* Filtered: only 北京大学's. */
  {
    const char *range[] = { "100000", "", NULL };
    kehu_record_list_view_add_filter (f->view, "amount", KEHU_FILTER_RANGE, range);
    expected = kehu_test_records_sql_int (&f->t, "SELECT sum (amount) FROM opportunities WHERE deleted_at IS NULL"
                                          " AND amount >= 100000", NULL);
    g_assert_true (kehu_record_list_view_get_total (f->view, "amount", &sum));
    g_assert_cmpint (sum, ==, expected);
    g_assert_cmpuint (n_items (f), ==, 3);
  }
}

static void
test_lazy (Fixture       *f,
           gconstpointer  data)
{
  KehuRecordModel *model;
  sqlite3 *db = kehu_store_get_db (f->t.store);

  /* 5 000 leads, straight into the table (counted at once: not above 5 000). */
  g_assert_cmpint (sqlite3_exec (db,
                                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
                                 " INSERT INTO leads (id, created_at, updated_at, name)"
                                 " SELECT printf ('lead-%05d', i), '2026-01-01T00:00:00Z',"
                                 " printf ('2026-01-01T00:%02d:%02dZ', i / 60 % 60, i % 60), printf ('线索 %05d', i) FROM n",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  show_view (f, "leads");
  model = kehu_record_list_view_get_model (f->view);
  g_assert_cmpuint (n_items (f), ==, 5000);
  kehu_test_ui_settle (100);
  /* Only what is on screen was read: the table is 79 pages. */
  {
    guint before = kehu_record_model_get_n_loaded_pages (model);

    kehu_record_list_view_reload (f->view);
    kehu_test_ui_settle (100);
    g_assert_cmpuint (kehu_record_model_get_n_loaded_pages (model) - before, <=, 8);
  }

  /* Counted in a thread: the first page at once, the count when it comes. */
  kehu_record_model_set_sync_count_max (model, 1000);
  kehu_record_list_view_reload (f->view);
  g_assert_cmpuint (n_items (f), ==, KEHU_RECORD_MODEL_PAGE_SIZE);
  g_assert_true (kehu_record_model_get_counting (model));
  g_assert_cmpstr (kehu_record_list_view_get_count_text (f->view), ==,
                   is_zh () ? "正在统计记录…" : "Counting records…");
  KEHU_TEST_WAIT_FOR (!kehu_record_model_get_counting (model), 5000);
  g_assert_false (kehu_record_model_get_counting (model));
  g_assert_cmpuint (n_items (f), ==, 5000);
  g_assert_cmpstr (kehu_record_list_view_get_count_text (f->view), ==,
                   is_zh () ? "5,000 条记录" : "5,000 records");
  /* A newer query wins over a count still running for an older one. */
  {
    const char *name[] = { "线索 0490", NULL };
    g_autoptr(KehuListQuery) q = kehu_list_query_new ();

    kehu_record_list_view_reload (f->view);
    kehu_list_query_add_filter (q, "name", KEHU_FILTER_CONTAINS, name);
    g_assert_true (kehu_record_model_set_query (model, q, NULL));
    KEHU_TEST_WAIT_FOR (!kehu_record_model_get_counting (model), 5000);
    kehu_test_ui_settle (100);
    g_assert_cmpuint (n_items (f), ==, 10);   /* 线索 04900 … 04909 */
    kehu_list_query_clear_filters (q);
    g_assert_true (kehu_record_model_set_query (model, q, NULL));
    KEHU_TEST_WAIT_FOR (!kehu_record_model_get_counting (model), 5000);
  }

  /* Keyset paging gives the same rows as OFFSET would. */
  for (guint pos = 0; pos < 5000; pos += 997)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM leads ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET %u", pos);
      g_autofree char *expected = kehu_test_records_sql_text (&f->t, sql, NULL);
      g_assert_cmpstr (item_value (f, pos, "id"), ==, expected);
    }
  for (guint pos = 60; pos < 200; pos++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM leads ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET %u", pos);
      g_autofree char *expected = kehu_test_records_sql_text (&f->t, sql, NULL);
      g_assert_cmpstr (item_value (f, pos, "id"), ==, expected);
    }
}

static char *
unzip_sheet (const char *path)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "unzip", "-p", path, "xl/worksheets/sheet1.xml", NULL };
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  return g_steal_pointer (&out);
}

/* A sales rep (not a manager) may claim but not delete or transfer. */
static void
test_permissions (Fixture       *f,
                  gconstpointer  data)
{
  const char *ids[] = { f->pku, NULL };
  sqlite3 *db = kehu_store_get_db (f->t.store);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO user_roles (user_id, role_id) VALUES ('%s', '%s')",
                                          f->t.other, KEHU_ID_ROLE_SALES_REP);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  /* The super administrator may transfer: the dialog comes up. */
  show_view (f, "customers");
  select_ids (f, ids);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.transfer", NULL));
  {
    GtkWindow *dialog = NULL;
    KEHU_TEST_WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 2000);
    g_assert_nonnull (dialog);
    gtk_window_destroy (dialog);
    kehu_test_ui_settle (20);
  }

  kehu_context_set_user_id (f->t.ctx, f->t.other);
  show_view (f, "customers");
  /* A rep's data scope is their own records: 上海交通大学 and 阿里巴巴. */
  g_assert_cmpuint (n_items (f), ==, kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers"
                                                                 " WHERE deleted_at IS NULL AND owner_id = ?", f->t.other));
  g_assert_cmpuint (n_items (f), ==, 2);
  {
    g_autofree char *alibaba = kehu_test_records_sql_text (&f->t, "SELECT id FROM customers WHERE name = '阿里巴巴'", NULL);
    const char *rep_ids[] = { alibaba, NULL };
    select_ids (f, rep_ids);
  }
  /* Disabled actions do nothing: the record stays where it is. */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "list.delete", NULL);
  g_assert_cmpint (kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers WHERE deleted_at IS NOT NULL", NULL), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "list.transfer", NULL);
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  /* …and what they are on the team of. */
  {
    g_autofree char *sql2 = g_strdup_printf ("INSERT INTO team_members (module, record_id, user_id, access, added_at)"
                                             " VALUES ('customers', '%s', '%s', 'read', '2026-11-22T00:00:00Z')",
                                             f->pku, f->t.other);
    g_assert_cmpint (sqlite3_exec (db, sql2, NULL, NULL, NULL), ==, SQLITE_OK);
    kehu_record_list_view_reload (f->view);
    g_assert_cmpuint (n_items (f), ==, 3);
  }

  /* Claiming from the pool is a rep's job. */
  show_view (f, "pool");
  {
    const char *pool_ids[] = { f->pool_a, NULL };
    select_ids (f, pool_ids);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "list.claim", NULL));
  {
    g_autofree char *owner = kehu_test_records_sql_text (&f->t, "SELECT owner_id FROM customers WHERE id = ?", f->pool_a);
    g_assert_cmpstr (owner, ==, f->t.other);
  }
  kehu_context_set_user_id (f->t.ctx, f->t.me);
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  const char *ids[] = { f->pku, f->thu, NULL };
  g_autofree char *path = g_build_filename (f->t.dir, "customers.xlsx", NULL);
  g_autofree char *all_path = g_build_filename (f->t.dir, "all.xlsx", NULL);
  g_autofree char *sheet = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  show_view (f, "customers");
  select_ids (f, ids);
  g_assert_true (kehu_record_list_view_export (f->view, path, TRUE, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  sheet = unzip_sheet (path);
  g_assert_nonnull (strstr (sheet, "北京大学"));
  g_assert_nonnull (strstr (sheet, "清华大学"));
  g_assert_null (strstr (sheet, "腾讯"));
  /* Labels, not stored values: the level's and the owner's names. */
  g_assert_nonnull (strstr (sheet, is_zh () ? "VIP客户" : "VIP customer"));
  g_assert_nonnull (strstr (sheet, "李雷"));

  g_assert_true (kehu_record_list_view_export (f->view, all_path, FALSE, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, kehu_test_records_sql_int (&f->t, "SELECT count(*) FROM customers"
                                                      " WHERE deleted_at IS NULL AND owner_id IS NOT NULL", NULL));
  g_unlink (path);
  g_unlink (all_path);
}

static void
test_global_search (Fixture       *f,
                    gconstpointer  data)
{
  KehuGlobalSearch *search = KEHU_GLOBAL_SEARCH (kehu_global_search_new ());
  GtkWindow *window = GTK_WINDOW (adw_window_new ());
  GtkWindow *editor = NULL;
  const char *module = NULL;

  kehu_global_search_set_context (search, f->t.ctx);
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (search));
  gtk_window_present (window);
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (search)), 2000);

  /* Typing, as the user does: the entry waits ~150 ms, then searches. */
  gtk_editable_set_text (kehu_global_search_get_entry (search), "bjdx");
  KEHU_TEST_WAIT_FOR (kehu_global_search_get_n_results (search) > 0, 3000);
  g_assert_cmpuint (kehu_global_search_get_n_results (search), ==, 1);
  g_assert_cmpstr (kehu_global_search_get_result (search, 0, &module), ==, f->pku);
  g_assert_cmpstr (module, ==, "customers");
  g_test_message ("Global search took %" G_GINT64_FORMAT " µs", kehu_global_search_get_last_duration (search));

  /* Grouped by module: a contact of 北京大学 comes after the customers. */
  {
    g_autofree char *json = g_strdup_printf ("{\"name\":\"王北京\",\"customer_id\":\"%s\"}", f->thu);
    g_autofree char *contact = kehu_test_records_create (&f->t, "contacts", json);
    kehu_global_search_run (search, "北京");
    g_assert_cmpuint (kehu_global_search_get_n_results (search), ==, 2);
    kehu_global_search_get_result (search, 0, &module);
    g_assert_cmpstr (module, ==, "customers");
    g_assert_cmpstr (kehu_global_search_get_result (search, 1, &module), ==, contact);
    g_assert_cmpstr (module, ==, "contacts");
  }

  /* Enter opens the first result (here, without detail pages, in the editor). */
  kehu_global_search_run (search, "bjdx");
  g_assert_true (kehu_global_search_activate (search));
  KEHU_TEST_WAIT_FOR ((editor = find_toplevel (KEHU_TYPE_RECORD_EDITOR)) != NULL, 2000);
  g_assert_nonnull (editor);
  g_assert_cmpstr (kehu_record_editor_get_id (KEHU_RECORD_EDITOR (editor)), ==, f->pku);
  gtk_window_destroy (editor);

  kehu_global_search_run (search, "没有这个客户");
  g_assert_cmpuint (kehu_global_search_get_n_results (search), ==, 0);
  gtk_window_destroy (window);
}

/* Every module's list over the demo company, saved for people to look at. */
static void
test_screenshots (void)
{
  static const char *pages[] = { "leads", "customers", "contacts", "pool", "opportunities",
                                 "contracts", "payments", "products" };
  g_autoptr(GDateTime) now = fixed_now ();
  KehuDemoOptions options;
  KehuDemoStats stats;
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };
  gint64 start;

  kehu_test_records_init_full (&f.t, now, TRUE);
  kehu_demo_options_init_demo (&options);
  options.now = now;
  start = g_get_monotonic_time ();
  g_assert_true (kehu_demo_generate (f.t.store, &options, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("Demo company: %u customers in %.1f s", stats.n_customers,
                  (g_get_monotonic_time () - start) / 1e6);
  kehu_context_set_user_id (f.t.ctx, KEHU_DEMO_ADMIN_ID);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GdkTexture) shot = NULL;
      g_autofree char *name = g_strdup_printf ("list-%s", pages[i]);

      show_view (&f, pages[i]);
      kehu_test_ui_settle (200);
      g_assert_cmpuint (n_items (&f), >, 0);
      shot = kehu_test_ui_screenshot (GTK_WIDGET (f.window), name);
      g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
    }

  /* Selected rows, the bulk bar and a filter chip. */
  {
    g_autoptr(GdkTexture) shot = NULL;
    const char *vip[] = { "vip", NULL };

    show_view (&f, "customers");
    kehu_record_list_view_add_filter (f.view, "level", KEHU_FILTER_IN, vip);
    gtk_selection_model_select_range (kehu_record_list_view_get_selection (f.view), 1, 3, TRUE);
    kehu_test_ui_settle (200);
    shot = kehu_test_ui_screenshot (GTK_WIDGET (f.window), "list-customers-selected");
  }

  /* The smallest screen the app supports, in dark style. */
  {
    g_autoptr(GdkTexture) shot = NULL;

    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
    show_view (&f, "opportunities");
    gtk_window_set_default_size (f.window, 804, 600);  /* 1024 less the sidebar */
    kehu_test_ui_settle (300);
    shot = kehu_test_ui_screenshot (GTK_WIDGET (f.window), "list-opportunities-dark-small");
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  }

  gtk_window_destroy (f.window);
  kehu_test_ui_settle (50);
  kehu_test_records_clear (&f.t);
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type);
      if (found)
        return found;
    }
  return NULL;
}

/* The real window on the smallest supported screen, over the demo company
 * in the application's own store: the sidebar stays, columns scroll. */
static void
test_window_small (void)
{
  g_autoptr(GError) error = NULL;
  KehuApplication *app = kehu_application_new ();
  KehuWindow *window;
  KehuStore *store;
  GtkWidget *leaflet;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  store = kehu_application_get_store (app);
  g_assert_nonnull (store);

  {
    sqlite3_stmt *stmt = NULL;
    gint64 n = 0;

    g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT count(*) FROM customers", -1, &stmt, NULL), ==, SQLITE_OK);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      n = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    if (n == 0)
      {
        KehuDemoOptions options;
        g_autoptr(GDateTime) now = fixed_now ();

        kehu_demo_options_init_demo (&options);
        options.now = now;
        g_assert_true (kehu_demo_generate (store, &options, NULL, &error));
        g_assert_no_error (error);
      }
  }

  window = kehu_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  gtk_window_present (GTK_WINDOW (window));
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)), 3000);
  kehu_window_set_module (window, "opportunities");
  kehu_test_ui_settle (400);

  leaflet = find_type (GTK_WIDGET (window), ADW_TYPE_LEAFLET);
  g_assert_nonnull (leaflet);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1024);
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "window-1024x600-opportunities");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  kehu_window_set_module (window, "customers");
  kehu_test_ui_settle (400);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "window-1024x600-customers");
  }
  kehu_window_set_module (window, "pool");
  kehu_test_ui_settle (400);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "window-1024x600-pool");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_object_unref (app);
}

/* The sync mark of the row titled @name, if it shows one. */
static GtkWidget *
sync_mark_of (GtkWidget  *root,
              const char *name)
{
  if (GTK_IS_IMAGE (root) && gtk_widget_has_css_class (root, "kehu-sync-mark"))
    {
      GtkWidget *title = gtk_widget_get_first_child (gtk_widget_get_parent (root));

      if (GTK_IS_INSCRIPTION (title) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (title)), name) == 0 &&
          gtk_widget_get_visible (root))
        return root;
      return NULL;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = sync_mark_of (c, name);
      if (found)
        return found;
    }
  return NULL;
}

static void
test_sync_marks (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox = g_strdup_printf ("INSERT INTO sync_outbox (op_id, module, record_id, kind, fields, created_at)"
                                             " VALUES ('op-test-1', 'customers', '%s', 'update', '{\"level\":\"vip\"}',"
                                             " '2026-11-22T02:00:00Z')", f->pku);
  GtkWidget *mark, *claim;

  g_assert_true (kehu_store_exec (f->t.store, "DELETE FROM sync_outbox", &error));
  show_view (f, "customers");
  g_assert_null (sync_mark_of (GTK_WIDGET (f->view), "北京大学"));
  g_assert_null (sync_mark_of (GTK_WIDGET (f->view), "清华大学"));

  /* An unsent edit, and a claim made offline that the server has not confirmed. */
  g_assert_true (kehu_store_exec (f->t.store, outbox, &error));
  g_assert_true (kehu_sync_claim (f->t.ctx, f->pool_a, &error));
  g_assert_no_error (error);
  kehu_record_list_view_reload (f->view);
  kehu_test_ui_settle (100);
  g_assert_cmpuint (n_items (f), ==, 7);

  mark = sync_mark_of (GTK_WIDGET (f->view), "北京大学");
  g_assert_nonnull (mark);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (mark)), ==, "emblem-synchronizing-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (mark), ==,
                   is_zh () ? "更改尚未发送到服务器" : "Changes not yet sent to the server");
  g_assert_null (sync_mark_of (GTK_WIDGET (f->view), "清华大学"));

  mark = sync_mark_of (GTK_WIDGET (f->view), "公海客户甲");
  g_assert_nonnull (mark);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (mark)), ==, "user-status-pending-symbolic");
  claim = gtk_widget_get_prev_sibling (mark);
  g_assert_true (GTK_IS_LABEL (claim) && gtk_widget_get_visible (claim));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (claim)), ==, is_zh () ? "待确认领取" : "Claim pending");
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (f->window), "record-list-sync-marks");
  }

  /* The server acknowledged both: the outbox is empty, the marks go. */
  g_assert_true (kehu_store_exec (f->t.store, "DELETE FROM sync_outbox", &error));
  kehu_record_list_view_reload (f->view);
  kehu_test_ui_settle (100);
  g_assert_null (sync_mark_of (GTK_WIDGET (f->view), "北京大学"));
  g_assert_null (sync_mark_of (GTK_WIDGET (f->view), "公海客户甲"));
  g_assert_cmpuint (n_items (f), ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/ui/record-list/pages", test_pages);
  ADD ("/ui/record-list/columns", test_columns);
  ADD ("/ui/record-list/sort", test_sort);
  ADD ("/ui/record-list/filters", test_filters);
  ADD ("/ui/record-list/scenes", test_scenes);
  ADD ("/ui/record-list/search", test_search);
  ADD ("/ui/record-list/delete-undo", test_delete_undo);
  ADD ("/ui/record-list/transfer", test_transfer);
  ADD ("/ui/record-list/claim-return", test_claim);
  ADD ("/ui/record-list/totals", test_totals);
  ADD ("/ui/record-list/lazy", test_lazy);
  ADD ("/ui/record-list/sync-marks", test_sync_marks);
  ADD ("/ui/record-list/export", test_export);
  ADD ("/ui/record-list/permissions", test_permissions);
  ADD ("/ui/global-search", test_global_search);
  g_test_add_func ("/ui/record-list/screenshots", test_screenshots);
  g_test_add_func ("/ui/window/small-screen", test_window_small);

  return g_test_run ();
}
