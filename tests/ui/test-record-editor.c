/* test-record-editor.c: the schema-driven editor under Xvfb
 *
 * Opens "New customer" the way Ctrl+N does, saves without the required
 * name (the message must appear beside the name), fills the form and
 * checks the row in the store; amounts typed in yuan must land as exact
 * cents; a customer close to an existing one must be held back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "kehu-admin.h"
#include "kehu-application.h"
#include "kehu-display.h"
#include "kehu-format.h"
#include "kehu-record-editor.h"
#include "kehu-record-list-view.h"
#include "kehu-test-records.h"
#include "kehu-test-ui.h"

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
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

static void
test_money_format (void)
{
  static const struct { const char *text; gint64 cents; } good[] = {
    { "1,234.50", 123450 }, { "1234.5", 123450 }, { "¥1,234", 123400 }, { "0.01", 1 },
    { " 12 ", 1200 }, { "-3.07", -307 }, { "￥99.9", 9990 }, { "100000000.00", 10000000000 },
  };
  static const char *bad[] = { "", "abc", "1.234", "1,23a", "1.2.3", "--1", "¥", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 cents = 0;

      g_assert_true (kehu_parse_money (good[i].text, &cents, &error));
      g_assert_no_error (error);
      g_assert_cmpint (cents, ==, good[i].cents);
    }
  for (guint i = 0; bad[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 cents = 0;

      g_assert_false (kehu_parse_money (bad[i], &cents, &error));
      g_assert_error (error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID);
    }

  {
    g_autofree char *a = kehu_format_money (123450);
    g_autofree char *b = kehu_format_money (-5);
    g_autofree char *c = kehu_format_money (100000000000);
    g_autofree char *d = kehu_format_money (G_MININT64);
    g_assert_cmpstr (a, ==, "1,234.50");
    g_assert_cmpstr (b, ==, "-0.05");
    g_assert_cmpstr (c, ==, "1,000,000,000.00");
    g_assert_cmpstr (d, ==, "-92,233,720,368,547,758.08");
  }
}

/* Status values have their own words, not those of a field with the
 * same English label ("Converted" the status, not "Converted" the time). */
static void
test_enum_labels (void)
{
  g_assert_cmpstr (kehu_format_enum ("status", "converted"), ==, is_zh () ? "已转化" : "Converted");
  g_assert_cmpstr (kehu_format_enum ("status", "won"), ==, is_zh () ? "赢单" : "Won");
  g_assert_cmpstr (kehu_format_enum ("approval_status", "pending"), ==, is_zh () ? "审批中" : "Awaiting approval");
  g_assert_cmpstr (kehu_format_enum ("status", "no-such-value"), ==, "no-such-value");
}

/* Names the core seeds (the default stage group, pool, top department)
 * read in the interface language wherever a record refers to them; a name
 * an administrator typed stays as typed. */
static void
test_seeded_titles (void)
{
  KehuTestRecords t;
  g_autofree char *group = NULL, *pool = NULL, *typed = NULL, *own = NULL;
  g_autoptr(GError) error = NULL;

  kehu_test_records_init (&t, NULL);
  group = kehu_display_record_title (t.store, "stage_groups", KEHU_ID_DEFAULT_STAGE_GROUP);
  pool = kehu_display_record_title (t.store, "pools", KEHU_ID_DEFAULT_POOL);
  g_assert_cmpstr (group, ==, is_zh () ? "默认销售流程" : "Default sales process");
  g_assert_cmpstr (pool, ==, is_zh () ? "公海" : "Public pool");
  own = kehu_admin_add_stage_group (t.ctx, "Renewals 续费", &error);
  g_assert_no_error (error);
  typed = kehu_display_record_title (t.store, "stage_groups", own);
  g_assert_cmpstr (typed, ==, "Renewals 续费");
  kehu_test_records_clear (&t);
}

static KehuRecordListView *
show_list (KehuTestRecords *t,
           const char      *page,
           GtkWindow      **window)
{
  KehuRecordListView *view = kehu_record_list_view_new (t->ctx, page);
  GtkWidget *overlay = adw_toast_overlay_new ();

  *window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (*window, 1000, 600);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (view));
  adw_window_set_content (ADW_WINDOW (*window), overlay);
  gtk_window_present (*window);
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view)), 3000);
  return view;
}

static void
set_combo (GtkWidget  *combo,
           const char *label)
{
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (combo));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) s = g_list_model_get_item (model, i);
      if (g_strcmp0 (gtk_string_object_get_string (s), label) == 0)
        {
          adw_combo_row_set_selected (ADW_COMBO_ROW (combo), i);
          return;
        }
    }
  g_error ("No “%s” in the combo", label);
}

static void
test_create_customer (void)
{
  KehuTestRecords t;
  GtkWindow *window = NULL;
  KehuRecordListView *view;
  KehuRecordEditor *editor;
  const char *message;
  g_autofree char *id = NULL;

  kehu_test_records_init (&t, NULL);
  view = show_list (&t, "customers", &window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (kehu_record_list_view_get_model (view))), ==, 0);

  /* Ctrl+N ends up here: the list's "new" action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "list.new", NULL));
  KEHU_TEST_WAIT_FOR ((editor = (KehuRecordEditor *) find_toplevel (KEHU_TYPE_RECORD_EDITOR)) != NULL, 2000);
  g_assert_nonnull (editor);
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)), 2000);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, is_zh () ? "新建客户" : "New Customer");

  /* Required name missing: the message sits beside the name. */
  g_assert_false (kehu_record_editor_save (editor));
  message = kehu_record_editor_get_error (editor, "name");
  g_assert_nonnull (message);
  g_test_message ("Name error: %s", message);
  g_assert_nonnull (strstr (message, is_zh () ? "名称" : "Name"));
  g_assert_true (gtk_widget_has_css_class (kehu_record_editor_get_input (editor, "name"), "error"));
  g_assert_null (kehu_record_editor_get_error (editor, "phone"));
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (editor), "editor-customer-required");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT count(*) FROM customers", NULL), ==, 0);

  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "name")), "北京大学");
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "phone")), "010-62751201");
  set_combo (kehu_record_editor_get_input (editor, "level"), is_zh () ? "VIP客户" : "VIP customer");
  gtk_switch_set_active (GTK_SWITCH (kehu_record_editor_get_input (editor, "is_hot")), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "next_contact_at")), "2026-12-01 09:30");
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (editor), "editor-customer-filled");
  }
  g_assert_true (kehu_record_editor_save (editor));
  kehu_test_ui_settle (20);

  id = kehu_test_records_sql_text (&t, "SELECT id FROM customers WHERE name = '北京大学'", NULL);
  g_assert_nonnull (id);
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT count(*) FROM customers WHERE id = ? AND level = 'vip'"
                                             " AND phone = '010-62751201' AND is_hot = 1", id), ==, 1);
  {
    g_autofree char *owner = kehu_test_records_sql_text (&t, "SELECT owner_id FROM customers WHERE id = ?", id);
    g_autofree char *next = kehu_test_records_sql_text (&t, "SELECT next_contact_at FROM customers WHERE id = ?", id);
    g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
    g_autoptr(GDateTime) local = g_date_time_new (tz, 2026, 12, 1, 9, 30, 0);
    g_autoptr(GDateTime) utc = g_date_time_to_utc (local);
    g_autofree char *expected = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

    g_assert_cmpstr (owner, ==, t.me);
    g_assert_cmpstr (next, ==, expected);
  }
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT count(*) FROM oplog WHERE record_id = ? AND action = 'create'", id), >=, 1);
  /* The list shows it. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (kehu_record_list_view_get_model (view))), ==, 1);

  /* Editing: the form shows the stored values, and saves only changes. */
  editor = kehu_record_editor_new (t.ctx, "customers", id);
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "name"))), ==, "北京大学");
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "website")), "https://www.pku.edu.cn");
  g_assert_true (kehu_record_editor_save (editor));
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT count(*) FROM customers WHERE id = ?"
                                             " AND website = 'https://www.pku.edu.cn' AND level = 'vip'", id), ==, 1);

  gtk_window_destroy (window);
  kehu_test_ui_settle (20);
  kehu_test_records_clear (&t);
}

static void
test_money_and_pickers (void)
{
  KehuTestRecords t;
  KehuRecordEditor *editor;
  g_autofree char *customer = NULL;
  g_autofree char *id = NULL;

  kehu_test_records_init (&t, NULL);
  customer = kehu_test_records_create (&t, "customers", "{\"name\":\"清华大学\"}");

  editor = kehu_record_editor_new (t.ctx, "opportunities", NULL);
  gtk_window_present (GTK_WINDOW (editor));
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)), 2000);

  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "name")), "校园网升级");
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "amount")), "12.345");
  kehu_record_editor_pick (editor, "customer_id", customer);
  g_assert_false (kehu_record_editor_save (editor));
  g_assert_nonnull (kehu_record_editor_get_error (editor, "amount"));
  g_assert_null (kehu_record_editor_get_error (editor, "name"));

  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "amount")), "1,234,567.89");
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "expected_close_date")), "2026/12/31");
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (editor), "editor-opportunity");
  }
  g_assert_true (kehu_record_editor_save (editor));

  id = kehu_test_records_sql_text (&t, "SELECT id FROM opportunities WHERE name = '校园网升级'", NULL);
  g_assert_nonnull (id);
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT amount FROM opportunities WHERE id = ?", id), ==, 123456789);
  {
    g_autofree char *c = kehu_test_records_sql_text (&t, "SELECT customer_id FROM opportunities WHERE id = ?", id);
    g_autofree char *d = kehu_test_records_sql_text (&t, "SELECT expected_close_date FROM opportunities WHERE id = ?", id);
    g_assert_cmpstr (c, ==, customer);
    g_assert_cmpstr (d, ==, "2026-12-31");
  }
  kehu_test_ui_settle (20);
  kehu_test_records_clear (&t);
}

/* A new opportunity starts in the default stage group at its first stage;
 * choosing another group moves the stage to that group's first stage, and
 * the stage picker offers only the chosen group's stages. */
static void
test_stage_group (void)
{
  KehuTestRecords t;
  KehuRecordEditor *editor;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) on = json_object_new ();
  g_autofree char *customer = NULL, *group = NULL, *stage = NULL, *id = NULL;
  g_autofree char *qualify = NULL;
  AdwActionRow *group_row, *stage_row;

  kehu_test_records_init (&t, NULL);
  customer = kehu_test_records_create (&t, "customers", "{\"name\":\"清华大学\"}");
  group = kehu_admin_add_stage_group (t.ctx, "续费流程", &error);
  g_assert_no_error (error);
  stage = kehu_admin_add_stage (t.store, group, "确认续费意向", 40, &error);
  g_assert_no_error (error);
  json_object_set_boolean_member (on, "is_default", TRUE);
  g_assert_true (kehu_record_update (t.ctx, "stage_groups", group, on, &error));
  g_assert_no_error (error);
  qualify = kehu_test_records_sql_text (&t, "SELECT name FROM stages WHERE id = ?", KEHU_ID_STAGE_QUALIFY);

  editor = kehu_record_editor_new (t.ctx, "opportunities", NULL);
  gtk_window_present (GTK_WINDOW (editor));
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)), 2000);
  group_row = ADW_ACTION_ROW (kehu_record_editor_get_input (editor, "stage_group_id"));
  stage_row = ADW_ACTION_ROW (kehu_record_editor_get_input (editor, "stage_id"));
  g_assert_cmpstr (adw_action_row_get_subtitle (group_row), ==, "续费流程");
  g_assert_cmpstr (adw_action_row_get_subtitle (stage_row), ==, "确认续费意向");
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (editor), "editor-opportunity-stage-group");
  }

  /* The seeded sales process instead: its first stage. */
  kehu_record_editor_pick (editor, "stage_group_id", KEHU_ID_DEFAULT_STAGE_GROUP);
  g_assert_cmpstr (adw_action_row_get_subtitle (stage_row), ==, kehu_schema_display_label (qualify));
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "name")), "年度维保");
  kehu_record_editor_pick (editor, "customer_id", customer);
  g_assert_true (kehu_record_editor_save (editor));

  id = kehu_test_records_sql_text (&t, "SELECT id FROM opportunities WHERE name = '年度维保'", NULL);
  g_assert_nonnull (id);
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT stage_group_id = '" KEHU_ID_DEFAULT_STAGE_GROUP "'"
                                                  " AND stage_id = '" KEHU_ID_STAGE_QUALIFY "' FROM opportunities WHERE id = ?", id), ==, 1);
  kehu_test_ui_settle (20);
  kehu_test_records_clear (&t);
}

static void
test_duplicate_customer (void)
{
  KehuTestRecords t;
  KehuRecordEditor *editor;
  g_autofree char *existing = NULL;

  kehu_test_records_init (&t, NULL);
  {
    g_autofree char *json = g_strdup_printf ("{\"name\":\"北京大学\",\"phone\":\"010-62751201\",\"owner_id\":\"%s\"}", t.other);
    existing = kehu_test_records_create (&t, "customers", json);
  }

  editor = kehu_record_editor_new (t.ctx, "customers", NULL);
  gtk_window_present (GTK_WINDOW (editor));
  KEHU_TEST_WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)), 2000);
  /* Same customer, typed a little differently. */
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "name")), " 北京大学 ");
  g_assert_false (kehu_record_editor_save (editor));
  g_assert_cmpstr (kehu_record_editor_get_duplicate (editor), ==, existing);
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT count(*) FROM customers", NULL), ==, 1);
  kehu_test_ui_settle (300);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (editor), "editor-customer-duplicate");
  }

  /* "Save Anyway" */
  g_assert_true (kehu_record_editor_save (editor));
  g_assert_cmpint (kehu_test_records_sql_int (&t, "SELECT count(*) FROM customers", NULL), ==, 2);

  /* A different name with the same phone is caught too. */
  editor = kehu_record_editor_new (t.ctx, "customers", NULL);
  gtk_window_present (GTK_WINDOW (editor));
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "name")), "北大医院");
  gtk_editable_set_text (GTK_EDITABLE (kehu_record_editor_get_input (editor, "phone")), "010-62751201");
  g_assert_false (kehu_record_editor_save (editor));
  g_assert_nonnull (kehu_record_editor_get_duplicate (editor));
  gtk_window_destroy (GTK_WINDOW (editor));

  kehu_test_ui_settle (20);
  kehu_test_records_clear (&t);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add_func ("/ui/format/money", test_money_format);
  g_test_add_func ("/ui/format/enum-labels", test_enum_labels);
  g_test_add_func ("/ui/format/seeded-titles", test_seeded_titles);
  g_test_add_func ("/ui/record-editor/create-customer", test_create_customer);
  g_test_add_func ("/ui/record-editor/money-and-pickers", test_money_and_pickers);
  g_test_add_func ("/ui/record-editor/duplicate-customer", test_duplicate_customer);
  g_test_add_func ("/ui/record-editor/stage-group", test_stage_group);

  return g_test_run ();
}
