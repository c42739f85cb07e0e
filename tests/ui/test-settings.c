/* test-settings.c: settings and administration, driven through its widgets
 *
 * Changes a role's permissions and data scope and checks them through
 * kehu-perm, restores and purges from the recycle bin (a record whose
 * customer is deleted first shows core's error), edits stages, departments,
 * users, dictionaries, pool rules and custom fields, and saves a
 * screenshot of every section.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "kehu-record-detail-view-private.h"
#include "kehu-record-list-view.h"
#include "kehu-settings-view.h"
#include "kehu-test-details.h"

static KehuApplication *app;
static KehuWindow *window;
static KehuStore *store;
static KehuSettingsView *view;

static KehuContext *
test_context (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuSchema) schema = kehu_schema_new (store, &error);

  g_assert_no_error (error);
  return kehu_context_new (schema, T_USER_ME);
}

static GtkWidget *
find (const char *name)
{
  GtkWidget *w = kehu_settings_view_find (view, name);

  if (w == NULL)
    g_error ("No widget “%s” in the section", name);
  return w;
}

static void
select_id (const char *drop_name,
           const char *id)
{
  GtkWidget *drop = find (drop_name);
  GPtrArray *ids = g_object_get_data (G_OBJECT (drop), "kehu-ids");

  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id) == 0)
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), i);
        kehu_test_ui_settle (50);
        return;
      }
  g_error ("“%s” is not offered in %s", id, drop_name);
}

static const char *
drop_down_selected_id (const char *drop_name)
{
  GtkWidget *drop = find (drop_name);
  GPtrArray *ids = g_object_get_data (G_OBJECT (drop), "kehu-ids");
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (drop));

  return selected < ids->len ? g_ptr_array_index (ids, selected) : NULL;
}

static void
click (const char *name)
{
  g_signal_emit_by_name (find (name), "clicked");
  kehu_test_ui_settle (80);
}

static const char *
last_message (void)
{
  return g_object_get_data (G_OBJECT (view), "kehu-last-message");
}

static void
shot (const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;

  kehu_test_ui_settle (250);
  texture = kehu_test_ui_screenshot (GTK_WIDGET (window), name);
  g_assert_cmpuint (kehu_test_ui_count_colours (texture), >, 8);
}

static gint64
scalar (const char *sql,
        const char *param)
{
  g_autoptr(JsonObject) row = kehu_test_row (store, sql, param);
  return json_object_get_int_member (row, "n");
}

static void
test_roles (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuPerm) before = NULL;
  g_autoptr(KehuPerm) after = NULL;
  gint64 epoch = scalar ("SELECT scope_epoch AS n FROM users WHERE id = ?", T_USER_OTHER);

  before = kehu_perm_load (store, T_USER_OTHER, &error);
  g_assert_no_error (error);
  g_assert_false (kehu_perm_can (before, "customer", "delete"));
  g_assert_true (kehu_perm_can (before, "lead", "create"));
  g_assert_true (kehu_perm_has (before, "customer.claim"));

  kehu_settings_view_show_section (view, "roles");
  select_id ("role", KEHU_ID_ROLE_SALES_REP);
  shot ("settings-roles");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (find ("customer.delete")), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find ("lead.create")), FALSE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find ("data-scope")), 2);   /* own department */
  click ("save-role");

  after = kehu_perm_load (store, T_USER_OTHER, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_perm_can (after, "customer", "delete"));
  g_assert_false (kehu_perm_can (after, "lead", "create"));
  /* What the matrix does not show is kept. */
  g_assert_true (kehu_perm_has (after, "customer.claim"));
  g_assert_true (kehu_perm_can (after, "lead", "read"));
  {
    g_autoptr(JsonObject) role = kehu_test_row (store, "SELECT data_scope FROM roles WHERE id = ?", KEHU_ID_ROLE_SALES_REP);
    g_assert_cmpstr (json_object_get_string_member (role, "data_scope"), ==, "department");
  }
  /* Its users' next pull starts over. */
  g_assert_cmpint (scalar ("SELECT scope_epoch AS n FROM users WHERE id = ?", T_USER_OTHER), ==, epoch + 1);
  /* Logged. */
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM oplog WHERE record_id = ? AND field = 'data_scope'",
                           KEHU_ID_ROLE_SALES_REP), ==, 1);

  /* The super administrator's role cannot be narrowed. */
  select_id ("role", KEHU_ID_ROLE_SUPER_ADMIN);
  g_assert_false (gtk_widget_get_sensitive (find ("save-role")));
}

static void
test_recycle_bin (void)
{
  g_autoptr(KehuContext) ctx = test_context ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) expected = NULL;
  GtkWidget *row;

  g_assert_true (kehu_record_delete (ctx, "contacts", T_CONTACT, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_record_delete (ctx, "customers", T_CUSTOMER, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_record_delete (ctx, "payments", T_PAYMENT, &error));
  g_assert_no_error (error);

  kehu_settings_view_show_section (view, "recycle-bin");
  shot ("settings-recycle-bin");

  /* The contact's customer is deleted: core refuses, the page says why. */
  row = find (T_CONTACT);
  g_signal_emit_by_name (kehu_test_find_named (row, "restore"), "clicked");
  kehu_test_ui_settle (80);
  g_assert_false (kehu_record_restore (ctx, "contacts", T_CONTACT, &expected));
  g_assert_error (expected, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_PARENT_GONE);
  g_assert_cmpstr (last_message (), ==, expected->message);
  g_assert_cmpint (scalar ("SELECT deleted_at IS NOT NULL AS n FROM contacts WHERE id = ?", T_CONTACT), ==, 1);

  /* The customer first, then the contact. */
  g_signal_emit_by_name (kehu_test_find_named (find (T_CUSTOMER), "restore"), "clicked");
  kehu_test_ui_settle (80);
  g_signal_emit_by_name (kehu_test_find_named (find (T_CONTACT), "restore"), "clicked");
  kehu_test_ui_settle (80);
  g_assert_cmpint (scalar ("SELECT deleted_at IS NULL AS n FROM customers WHERE id = ?", T_CUSTOMER), ==, 1);
  g_assert_cmpint (scalar ("SELECT deleted_at IS NULL AS n FROM contacts WHERE id = ?", T_CONTACT), ==, 1);

  /* Purge asks first; cancel keeps it, purge removes the row. */
  g_signal_emit_by_name (kehu_test_find_named (find (T_PAYMENT), "purge"), "clicked");
  kehu_test_ui_settle (100);
  g_assert_nonnull (kehu_settings_view_get_dialog (view));
  {
    g_autoptr(GdkTexture) texture = kehu_test_ui_screenshot (kehu_settings_view_get_dialog (view), "settings-purge-dialog");
    g_assert_cmpuint (kehu_test_ui_count_colours (texture), >, 8);
  }
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (kehu_settings_view_get_dialog (view)), "cancel");
  kehu_test_ui_settle (50);
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM payments WHERE id = ?", T_PAYMENT), ==, 1);

  g_signal_emit_by_name (kehu_test_find_named (find (T_PAYMENT), "purge"), "clicked");
  kehu_test_ui_settle (100);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (kehu_settings_view_get_dialog (view)), "purge");
  kehu_test_ui_settle (100);
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM payments WHERE id = ?", T_PAYMENT), ==, 0);
  g_assert_null (kehu_settings_view_find (view, T_PAYMENT));
}

static void
test_stages (void)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *row, *rate;
  gint64 needs_pos, proposal_pos;

  kehu_settings_view_show_section (view, "stages");
  shot ("settings-stages");

  row = find (KEHU_ID_STAGE_PROPOSAL);
  rate = kehu_test_find_named (row, "win-rate");
  gtk_editable_set_text (GTK_EDITABLE (row), "方案与报价");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rate), 55);
  g_signal_emit_by_name (row, "apply");
  kehu_test_ui_settle (80);
  {
    g_autoptr(JsonObject) stage = kehu_test_row (store, "SELECT name, win_rate FROM stages WHERE id = ?", KEHU_ID_STAGE_PROPOSAL);
    g_assert_cmpstr (json_object_get_string_member (stage, "name"), ==, "方案与报价");
    g_assert_cmpint (json_object_get_int_member (stage, "win_rate"), ==, 55);
  }
  g_assert_false (kehu_admin_save_stage (store, KEHU_ID_STAGE_PROPOSAL, "x", 101, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);

  /* Move "proposal" before "needs analysis" with its up button. */
  row = find (KEHU_ID_STAGE_PROPOSAL);
  g_signal_emit_by_name (kehu_test_find_named (row, "move-up"), "clicked");
  kehu_test_ui_settle (80);
  needs_pos = scalar ("SELECT position AS n FROM stages WHERE id = ?", KEHU_ID_STAGE_NEEDS);
  proposal_pos = scalar ("SELECT position AS n FROM stages WHERE id = ?", KEHU_ID_STAGE_PROPOSAL);
  g_assert_cmpint (proposal_pos, <, needs_pos);
  /* The first open stage cannot move earlier; won stays last. */
  g_assert_true (kehu_admin_move_stage (store, KEHU_ID_STAGE_QUALIFY, -1, &error));
  g_assert_cmpint (scalar ("SELECT position AS n FROM stages WHERE id = ?", KEHU_ID_STAGE_QUALIFY), ==, 1);

  /* A new stage lands among the open ones, before won. */
  {
    GtkWidget *add;

    kehu_settings_view_show_section (view, "stages");
    add = find ("new-stage");
    gtk_editable_set_text (GTK_EDITABLE (add), "Pilot");
    g_signal_emit_by_name (add, "apply");
    kehu_test_ui_settle (80);
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM stages WHERE name = ? AND kind = 'open'", "Pilot"), ==, 1);
    g_assert_cmpint (scalar ("SELECT position AS n FROM stages WHERE name = ?", "Pilot"), <,
                     scalar ("SELECT position AS n FROM stages WHERE id = ?", KEHU_ID_STAGE_WON));
  }
}

static void
test_departments_and_users (void)
{
  const char *name = kehu_test_is_zh () ? "华东区" : "East China";
  g_autoptr(JsonObject) dept = NULL;
  GtkWidget *dialog;

  kehu_settings_view_show_section (view, "departments");
  gtk_editable_set_text (GTK_EDITABLE (find ("new-department")), name);
  select_id ("new-department-parent", KEHU_ID_TOP_DEPARTMENT);
  click ("add-department");
  dept = kehu_test_row (store, "SELECT id, parent_id FROM departments WHERE name = ?", name);
  g_assert_cmpstr (json_object_get_string_member (dept, "parent_id"), ==, KEHU_ID_TOP_DEPARTMENT);
  shot ("settings-departments");

  kehu_settings_view_show_section (view, "users");
  click ("add-user");
  dialog = kehu_settings_view_get_dialog (view);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (kehu_test_find_named (dialog, "user-name")), kehu_test_is_zh () ? "陈静" : "Chen Jing");
  gtk_editable_set_text (GTK_EDITABLE (kehu_test_find_named (dialog, "user-phone")), "13900001111");
  /* Two roles: a sales rep who also manages. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (kehu_test_find_named (dialog, KEHU_ID_ROLE_SALES_MANAGER)), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (kehu_test_find_named (dialog, KEHU_ID_ROLE_SALES_REP)), TRUE);
  {
    g_autoptr(GdkTexture) texture = NULL;

    kehu_test_ui_settle (250);
    texture = kehu_test_ui_screenshot (dialog, "settings-user-dialog");
    g_assert_cmpuint (kehu_test_ui_count_colours (texture), >, 8);
  }
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
  kehu_test_ui_settle (100);
  {
    g_autoptr(JsonObject) user = kehu_test_row (store,
      "SELECT u.id, u.is_enabled, (SELECT group_concat (role_id, ',') FROM "
      "(SELECT role_id FROM user_roles r WHERE r.user_id = u.id ORDER BY role_id)) AS roles FROM users u WHERE u.phone = ?",
      "13900001111");
    const char *id = json_object_get_string_member (user, "id");
    g_autoptr(KehuPerm) perm = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *subtitle = NULL;
    GtkWidget *toggle;

    g_assert_cmpint (json_object_get_int_member (user, "is_enabled"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (user, "roles"), ==,
                     KEHU_ID_ROLE_SALES_MANAGER "," KEHU_ID_ROLE_SALES_REP);
    /* The list shows both, in the user's language. */
    g_object_get (find (id), "subtitle", &subtitle, NULL);
    g_assert_nonnull (strstr (subtitle, kehu_test_is_zh () ? "销售经理" : "Sales manager"));
    g_assert_nonnull (strstr (subtitle, kehu_test_is_zh () ? "销售代表" : "Sales rep"));
    shot ("settings-users-two-roles");
    /* Both roles count: the manager's permissions come with the rep's. */
    perm = kehu_perm_load (store, id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length ((char **) kehu_perm_get_role_ids (perm)), ==, 2);
    g_assert_true (kehu_perm_has (perm, "customer.assign"));
    g_assert_true (kehu_perm_has (perm, "customer.claim"));

    /* Editing shows them ticked; untick the rep. */
    g_signal_emit_by_name (kehu_test_find_named (find (id), "edit"), "clicked");
    kehu_test_ui_settle (80);
    dialog = kehu_settings_view_get_dialog (view);
    g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (kehu_test_find_named (dialog, KEHU_ID_ROLE_SALES_MANAGER))));
    g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (kehu_test_find_named (dialog, KEHU_ID_ROLE_SALES_REP))));
    gtk_check_button_set_active (GTK_CHECK_BUTTON (kehu_test_find_named (dialog, KEHU_ID_ROLE_SALES_REP)), FALSE);
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
    kehu_test_ui_settle (100);
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM user_roles WHERE user_id = ?", id), ==, 1);

    /* Disabled, never deleted. */
    toggle = kehu_test_find_named (find (id), "enabled");
    gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
    kehu_test_ui_settle (100);
    g_assert_cmpint (scalar ("SELECT is_enabled AS n FROM users WHERE id = ?", id), ==, 0);
  }
  shot ("settings-users");
}

static void
test_dictionaries_pools_fields (void)
{
  gint64 n_default_members;
  GtkWidget *row, *toggle;

  /* Dictionaries: a new follow-up method, and one disabled. */
  kehu_settings_view_show_section (view, "dictionaries");
  select_id ("dictionary", "followup_method");
  gtk_editable_set_text (GTK_EDITABLE (find ("new-item")), "钉钉");
  g_signal_emit_by_name (find ("new-item"), "apply");
  kehu_test_ui_settle (80);
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM dictionary_items WHERE dictionary_id = 'followup_method' AND label = ?",
                           "钉钉"), ==, 1);
  {
    g_autoptr(JsonObject) sms = kehu_test_row (store,
      "SELECT id FROM dictionary_items WHERE dictionary_id = 'followup_method' AND value = ?", "sms");
    row = find (json_object_get_string_member (sms, "id"));
    toggle = g_object_get_data (G_OBJECT (row), "kehu-switch");
    gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
    kehu_test_ui_settle (80);
    g_assert_cmpint (scalar ("SELECT is_enabled AS n FROM dictionary_items WHERE id = ?",
                             json_object_get_string_member (sms, "id")), ==, 0);
  }
  shot ("settings-dictionaries");

  /* Pools: VIP customers return after 30 days without a follow-up; reps
   * claim at most 5 a day. */
  kehu_settings_view_show_section (view, "pools");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find ("no-followup-vip")), 30);
  {
    g_autofree char *day = g_strconcat ("day-", KEHU_ID_ROLE_SALES_REP, NULL);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (day)), 5);
  }
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find ("reclaim_cooldown_days")), 14);
  click ("save-pool");
  g_assert_cmpint (scalar ("SELECT no_followup_days AS n FROM pool_rules WHERE customer_level = ?", "vip"), ==, 30);
  g_assert_cmpint (scalar ("SELECT per_day AS n FROM pool_claim_limits WHERE role_id = ?", KEHU_ID_ROLE_SALES_REP), ==, 5);
  g_assert_cmpint (scalar ("SELECT reclaim_cooldown_days AS n FROM pools WHERE id = ?", KEHU_ID_DEFAULT_POOL), ==, 14);
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM pool_claim_limits WHERE role_id = ?", KEHU_ID_ROLE_SUPER_ADMIN), ==, 0);
  shot ("settings-pools");

  /* A second pool, whose members are one department: added from the
   * chooser, made the pool's administrator, then removed again. */
  n_default_members = scalar ("SELECT count (*) AS n FROM pool_members WHERE pool_id = ?", KEHU_ID_DEFAULT_POOL);
  gtk_editable_set_text (GTK_EDITABLE (find ("new-pool")), "华东公海");
  g_signal_emit_by_name (find ("new-pool"), "apply");
  kehu_test_ui_settle (100);
  {
    g_autoptr(JsonObject) pool = kehu_test_row (store, "SELECT id FROM pools WHERE name = ?", "华东公海");
    const char *pool_id = json_object_get_string_member (pool, "id");
    g_autofree char *key = g_strdup_printf ("department:%s", KEHU_ID_TOP_DEPARTMENT);
    GtkWidget *add = find ("add-pool-member");
    GListModel *labels = adw_combo_row_get_model (ADW_COMBO_ROW (add));
    GPtrArray *keys = g_object_get_data (G_OBJECT (add), "kehu-keys");
    guint at = 0;

    g_assert_cmpstr (drop_down_selected_id ("pool"), ==, pool_id);
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM pool_members WHERE pool_id = ?", pool_id), ==, 0);
    for (guint i = 1; i < keys->len; i++)
      if (g_strcmp0 (g_ptr_array_index (keys, i), key) == 0)
        at = i;
    g_assert_cmpuint (at, >, 0);
    g_assert_cmpuint (g_list_model_get_n_items (labels), ==, keys->len);
    adw_combo_row_set_selected (ADW_COMBO_ROW (add), at);
    kehu_test_ui_settle (100);
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM pool_members WHERE pool_id = ? AND member_type = 'department'"
                             " AND is_admin = 0", pool_id), ==, 1);
    gtk_switch_set_active (GTK_SWITCH (kehu_test_find_named (find (key), "pool-admin")), TRUE);
    kehu_test_ui_settle (100);
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM pool_members WHERE pool_id = ? AND is_admin = 1", pool_id), ==, 1);
    {
      GtkWidget *scrolled = gtk_widget_get_ancestor (find ("pool-members"), GTK_TYPE_SCROLLED_WINDOW);
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

      kehu_test_ui_settle (100);
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    }
    shot ("settings-pool-members");
    g_signal_emit_by_name (kehu_test_find_named (find (key), "remove"), "clicked");
    kehu_test_ui_settle (100);
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM pool_members WHERE pool_id = ?", pool_id), ==, 0);
    /* The seeded pool kept its members. */
    g_assert_cmpint (scalar ("SELECT count (*) AS n FROM pool_members WHERE pool_id = ?", KEHU_ID_DEFAULT_POOL), ==,
                     n_default_members);
  }

  /* Custom fields: one on customers, shown on the detail page. */
  kehu_settings_view_show_section (view, "fields");
  select_id ("field-module", "customers");
  gtk_editable_set_text (GTK_EDITABLE (find ("new-field-label")), "开户银行");
  click ("add-field");
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM custom_fields WHERE module = 'customers' AND label = ?",
                           "开户银行"), ==, 1);
  shot ("settings-fields");
  {
    g_autoptr(JsonObject) field = kehu_test_row (store, "SELECT name FROM custom_fields WHERE label = ?", "开户银行");
    KehuRecordDetailView *detail;
    GtkWidget *display, *editor;

    g_action_group_activate_action (G_ACTION_GROUP (window), "open-record",
                                    g_variant_new ("(ss)", "customers", T_CUSTOMER));
    kehu_test_ui_settle (200);
    detail = kehu_window_get_detail_view (window);
    display = _kehu_record_detail_view_get_field_row (detail, json_object_get_string_member (field, "name"));
    g_assert_nonnull (display);
    editor = _kehu_record_detail_view_get_field_editor (detail, json_object_get_string_member (field, "name"));
    gtk_widget_activate (display);
    gtk_editable_set_text (GTK_EDITABLE (editor), "招商银行");
    g_signal_emit_by_name (editor, "apply");
    kehu_test_ui_settle (100);
    {
      g_autofree char *sql = g_strdup_printf ("SELECT json_extract (extra, '$.%s') AS v FROM customers WHERE id = ?",
                                              json_object_get_string_member (field, "name"));
      g_autoptr(JsonObject) row2 = kehu_test_row (store, sql, T_CUSTOMER);
      g_assert_cmpstr (json_object_get_string_member (row2, "v"), ==, "招商银行");
    }
    g_action_group_activate_action (G_ACTION_GROUP (window), "close-record", NULL);
    kehu_window_set_module (window, "settings");
  }
}

/* The column of a record list that shows @field, or NULL. */
static GtkColumnViewColumn *
list_column (const char *page,
             const char *field)
{
  GtkWidget *list = kehu_window_get_page (window, page);
  GListModel *columns;

  g_assert_true (KEHU_IS_RECORD_LIST_VIEW (list));
  columns = gtk_column_view_get_columns (kehu_record_list_view_get_column_view (KEHU_RECORD_LIST_VIEW (list)));
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      const KehuField *f = g_object_get_data (G_OBJECT (column), "kehu-field");

      if (f != NULL && g_strcmp0 (f->name, field) == 0)
        return column;
    }
  return NULL;
}

static void
test_custom_field_rename (void)
{
  const char *renamed = kehu_test_is_zh () ? "基本户开户行" : "Bank of the main account";
  g_autoptr(JsonObject) field = kehu_test_row (store, "SELECT id, name FROM custom_fields WHERE label = ?", "开户银行");
  const char *name = json_object_get_string_member (field, "name");
  g_autofree char *value_sql = g_strdup_printf ("SELECT json_extract (extra, '$.%s') AS v FROM customers WHERE id = ?", name);
  GtkColumnViewColumn *column;
  GtkWidget *row;

  kehu_settings_view_show_section (view, "fields");
  select_id ("field-module", "customers");
  column = list_column ("customers", name);
  g_assert_nonnull (column);
  g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, "开户银行");

  /* Rename: the key and the value stay, the list's column follows. */
  row = find (name);
  gtk_editable_set_text (GTK_EDITABLE (row), renamed);
  g_signal_emit_by_name (row, "apply");
  kehu_test_ui_settle (200);
  {
    g_autoptr(JsonObject) after = kehu_test_row (store, "SELECT name, label FROM custom_fields WHERE id = ?",
                                                 json_object_get_string_member (field, "id"));
    g_autoptr(JsonObject) value = kehu_test_row (store, value_sql, T_CUSTOMER);

    g_assert_cmpstr (json_object_get_string_member (after, "label"), ==, renamed);
    g_assert_cmpstr (json_object_get_string_member (after, "name"), ==, name);
    g_assert_cmpstr (json_object_get_string_member (value, "v"), ==, "招商银行");
  }
  column = list_column ("customers", name);
  g_assert_nonnull (column);
  g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, renamed);
  /* The pool lists customers too. */
  column = list_column ("pool", name);
  g_assert_nonnull (column);
  g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, renamed);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (name))), ==, renamed);
  shot ("settings-fields-renamed");

  /* An empty label is refused and says so. */
  row = find (name);
  gtk_editable_set_text (GTK_EDITABLE (row), "  ");
  g_signal_emit_by_name (row, "apply");
  kehu_test_ui_settle (80);
  g_assert_cmpstr (last_message (), ==, _("A custom field needs a label"));

  /* Deactivate: the column goes, the value stays; then back. */
  kehu_settings_view_show_section (view, "fields");
  gtk_switch_set_active (GTK_SWITCH (kehu_test_find_named (find (name), "enabled")), FALSE);
  kehu_test_ui_settle (200);
  g_assert_cmpint (scalar ("SELECT is_enabled AS n FROM custom_fields WHERE name = ?", name), ==, 0);
  g_assert_null (list_column ("customers", name));
  {
    g_autoptr(JsonObject) value = kehu_test_row (store, value_sql, T_CUSTOMER);
    g_assert_cmpstr (json_object_get_string_member (value, "v"), ==, "招商银行");
  }
  shot ("settings-fields-inactive");
  gtk_switch_set_active (GTK_SWITCH (kehu_test_find_named (find (name), "enabled")), TRUE);
  kehu_test_ui_settle (200);
  column = list_column ("customers", name);
  g_assert_nonnull (column);
  g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, renamed);
}

static void
test_stage_groups (void)
{
  const char *group_name = kehu_test_is_zh () ? "续费流程" : "Renewals";
  const char *stage_names[] = { kehu_test_is_zh () ? "到期提醒" : "Renewal due",
                                kehu_test_is_zh () ? "续费报价" : "Renewal quote" };
  g_autoptr(JsonObject) group = NULL;
  const char *group_id;
  GtkWidget *add;

  kehu_settings_view_show_section (view, "stages");
  add = find ("new-stage-group");
  gtk_editable_set_text (GTK_EDITABLE (add), group_name);
  g_signal_emit_by_name (add, "apply");
  kehu_test_ui_settle (100);
  group = kehu_test_row (store, "SELECT id FROM stage_groups WHERE name = ?", group_name);
  group_id = json_object_get_string_member (group, "id");
  /* The new group is the one shown, with its closing stages. */
  g_assert_cmpstr (drop_down_selected_id ("stage-group"), ==, group_id);
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM stages WHERE group_id = ? AND kind != 'open'", group_id), ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (stage_names); i++)
    {
      add = find ("new-stage");
      gtk_editable_set_text (GTK_EDITABLE (add), stage_names[i]);
      g_signal_emit_by_name (add, "apply");
      kehu_test_ui_settle (100);
    }
  /* Win rates set on the page. */
  {
    g_autoptr(JsonObject) quote = kehu_test_row (store, "SELECT id FROM stages WHERE name = ?", stage_names[1]);
    GtkWidget *row = find (json_object_get_string_member (quote, "id"));

    gtk_spin_button_set_value (GTK_SPIN_BUTTON (kehu_test_find_named (row, "win-rate")), 70);
    kehu_test_ui_settle (80);
  }
  {
    g_autoptr(JsonObject) stages = kehu_test_row (store,
      "SELECT group_concat (name || ':' || win_rate || ':' || kind, ',') AS list FROM "
      "(SELECT * FROM stages WHERE group_id = ? ORDER BY position)", group_id);
    g_autofree char *expected = g_strdup_printf ("%s:50:open,%s:70:open,Deal won:100:won,Deal lost:0:lost,"
                                                 "Invalid opportunity:0:invalid", stage_names[0], stage_names[1]);

    g_assert_cmpstr (json_object_get_string_member (stages, "list"), ==, expected);
  }
  /* The default group is untouched. */
  g_assert_cmpint (scalar ("SELECT count (*) AS n FROM stages WHERE group_id = ?", KEHU_ID_DEFAULT_STAGE_GROUP), ==, 8);
  /* Closing stages keep their rates: their spin buttons are off. */
  {
    g_autoptr(JsonObject) won = kehu_test_row (store, "SELECT id FROM stages WHERE group_id = ? AND kind = 'won'", group_id);
    g_assert_false (gtk_widget_get_sensitive (kehu_test_find_named (find (json_object_get_string_member (won, "id")), "win-rate")));
  }
  shot ("settings-stage-group");

  /* Made the default: new opportunities follow it, the seeded group gives
   * the mark up, and the switch cannot be turned off again. */
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (find ("stage-group-default"))));
  gtk_switch_set_active (GTK_SWITCH (find ("stage-group-default")), TRUE);
  kehu_test_ui_settle (100);
  g_assert_cmpint (scalar ("SELECT is_default AS n FROM stage_groups WHERE id = ?", group_id), ==, 1);
  g_assert_cmpint (scalar ("SELECT is_default AS n FROM stage_groups WHERE id = ?", KEHU_ID_DEFAULT_STAGE_GROUP), ==, 0);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (find ("stage-group-default"))));
  g_assert_false (gtk_widget_get_can_target (find ("stage-group-default")));
  /* Back to the seeded group for the tests that follow. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) back = json_object_new ();
    g_autoptr(KehuSchema) schema = kehu_schema_new (store, NULL);
    g_autoptr(KehuContext) ctx = kehu_context_new (schema, NULL);

    json_object_set_boolean_member (back, "is_default", TRUE);
    g_assert_true (kehu_record_update (ctx, "stage_groups", KEHU_ID_DEFAULT_STAGE_GROUP, back, &error));
    g_assert_no_error (error);
    g_assert_cmpint (scalar ("SELECT is_default AS n FROM stage_groups WHERE id = ?", group_id), ==, 0);
  }
}

static void
test_denied (void)
{
  kehu_settings_view_set_user_id (view, T_USER_OTHER);
  g_assert_false (kehu_settings_view_is_allowed (view));
  shot ("settings-denied");
  kehu_settings_view_set_user_id (view, T_USER_ME);
  g_assert_true (kehu_settings_view_is_allowed (view));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
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
  kehu_test_fill_store (store);
  window = kehu_test_window (app, 1200, 760);
  kehu_window_set_module (window, "settings");
  view = KEHU_SETTINGS_VIEW (kehu_window_get_page (window, "settings"));
  g_assert_true (KEHU_IS_SETTINGS_VIEW (view));
  kehu_settings_view_set_user_id (view, T_USER_ME);
  kehu_record_detail_view_set_user_id (kehu_window_get_detail_view (window), T_USER_ME);

  g_test_add_func ("/ui/settings/roles", test_roles);
  g_test_add_func ("/ui/settings/recycle-bin", test_recycle_bin);
  g_test_add_func ("/ui/settings/stages", test_stages);
  g_test_add_func ("/ui/settings/departments-and-users", test_departments_and_users);
  g_test_add_func ("/ui/settings/dictionaries-pools-fields", test_dictionaries_pools_fields);
  g_test_add_func ("/ui/settings/custom-field-rename", test_custom_field_rename);
  g_test_add_func ("/ui/settings/stage-groups", test_stage_groups);
  g_test_add_func ("/ui/settings/denied", test_denied);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_clear_object (&app);
  return status;
}
