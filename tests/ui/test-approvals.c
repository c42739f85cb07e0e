/* test-approvals.c: the Approvals page under Xvfb, in English and zh_CN
 *
 * A real store with a small organisation (张伟 general manager ← 李强
 * manager ← 王芳 sales rep), a contract flow (> 100 000.00 yuan: the
 * supervisor, then the general manager; else the supervisor only) and a
 * few submitted contracts. The page is seen as 李强: the counts of the
 * four inboxes, approving from the inbox through the comment dialog (the
 * approval leaves "waiting", the store has the contract approved), the
 * timeline of a two-step contract, a notification for a new arrival.
 * Screenshots: approvals-inbox, approvals-timeline, approval-timeline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "kehu-application.h"
#include "kehu-approval-flow-editor.h"
#include "kehu-approval-timeline.h"
#include "kehu-approvals-view.h"
#include "kehu-record.h"
#include "kehu-test-ui.h"

typedef struct
{
  char        *dir;
  KehuStore   *store;
  KehuSchema  *schema;
  KehuContext *ctx;
  char        *k1, *k2, *k3;
} Fixture;

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

static void
exec (Fixture    *f,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  kehu_store_exec (f->store, sql, &error);
  g_assert_no_error (error);
}

static char *
query (Fixture    *f,
       const char *sql,
       const char *param)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

static KehuContext *
as (Fixture    *f,
    const char *user,
    const char *when)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (when, NULL);

  kehu_context_set_user_id (f->ctx, user);
  kehu_context_set_now (f->ctx, now);
  return f->ctx;
}

static char *
submit (Fixture    *f,
        const char *id,
        const char *when)
{
  g_autoptr(GError) error = NULL;
  char *instance = kehu_approvals_submit (as (f, "rep", when), "contracts", id, NULL,
                                          "请审批", &error);

  g_assert_no_error (error);
  return instance;
}

static void
fixture_setup (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2026-11-01T08:00:00Z", NULL);
  g_autofree char *path = NULL;
  g_autofree char *flow_id = NULL;

  f->dir = g_dir_make_tmp ("kehu-ui-approvals-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "kehu.db", NULL);
  f->store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  f->schema = kehu_schema_new (f->store, &error);
  g_assert_no_error (error);
  f->ctx = kehu_context_new (f->schema, NULL);

  exec (f,
        "INSERT INTO users (id, created_at, updated_at, phone, name, supervisor_id, is_super_admin) VALUES"
        " ('admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '100', '管理员', NULL, 1),"
        " ('gm',  '2026-01-01T00:00:01Z', '2026-01-01T00:00:00Z', '101', '张伟', NULL, 0),"
        " ('mgr', '2026-01-01T00:00:02Z', '2026-01-01T00:00:00Z', '102', '李强', 'gm', 0),"
        " ('rep', '2026-01-01T00:00:03Z', '2026-01-01T00:00:00Z', '103', '王芳', 'mgr', 0),"
        " ('alt', '2026-01-01T00:00:04Z', '2026-01-01T00:00:00Z', '104', '赵敏', 'gm', 0);"
        "INSERT INTO roles (id, created_at, updated_at, name) VALUES"
        " ('gm', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '总经理');"
        "INSERT INTO user_roles (user_id, role_id) VALUES ('gm', 'gm');"
        "INSERT INTO customers (id, created_at, updated_at, owner_id, name) VALUES"
        " ('c1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'rep', '北京华信钢铁有限公司');"
        "INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id, amount) VALUES"
        " ('K1', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'rep', '华信钢铁 2027 年度供货合同', 'c1', 28650000),"
        " ('K2', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'rep', '华信钢铁 检测设备维保', 'c1', 4800000),"
        " ('K3', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'rep', '华信钢铁 二期扩建', 'c1', 15000000),"
        " ('K4', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', 'rep', '华信钢铁 备件采购', 'c1', 960000);");

  g_assert_true (json_parser_load_from_data (parser,
    "{\"name\": \"合同审批\", \"business_type\": \"contract\","
    " \"steps\": [{\"type\": \"condition\", \"field\": \"amount\", \"op\": \">\", \"value\": 10000000,"
    "   \"then\": [{\"type\": \"serial\", \"approvers\": [{\"supervisor\": 1}, {\"role\": \"gm\"}]}],"
    "   \"else\": [{\"type\": \"serial\", \"approvers\": [{\"supervisor\": 1}]}]}]}", -1, NULL));
  flow_id = kehu_approvals_save_flow (f->store, NULL, json_parser_get_root (parser), TRUE, 0,
                                      "admin", now, &error);
  g_assert_no_error (error);

  /* K1: 李强 approved, 张伟 waits. K2 and K3 wait for 李强. */
  f->k1 = submit (f, "K1", "2026-11-02T01:00:00Z");
  g_assert_true (kehu_approvals_act (as (f, "mgr", "2026-11-02T02:30:00Z"), f->k1,
                                     KEHU_APPROVAL_ACTION_APPROVE, "价格已核对", NULL, &error));
  g_assert_no_error (error);
  f->k2 = submit (f, "K2", "2026-11-02T03:00:00Z");
  f->k3 = submit (f, "K3", "2026-11-02T04:00:00Z");
}

static void
fixture_teardown (Fixture *f)
{
  g_autofree char *db = g_build_filename (f->dir, "kehu.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_clear_object (&f->ctx);
  g_clear_object (&f->schema);
  g_assert_finalize_object (f->store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->k1);
  g_free (f->k2);
  g_free (f->k3);
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

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found)
        return found;
    }
  return NULL;
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static void
assert_counts (KehuApprovalsView *view,
               guint              waiting,
               guint              handled,
               guint              submitted,
               guint              copied)
{
  g_assert_cmpuint (kehu_approvals_view_get_count (view, KEHU_APPROVALS_BOX_WAITING), ==, waiting);
  g_assert_cmpuint (kehu_approvals_view_get_count (view, KEHU_APPROVALS_BOX_HANDLED), ==, handled);
  g_assert_cmpuint (kehu_approvals_view_get_count (view, KEHU_APPROVALS_BOX_SUBMITTED), ==, submitted);
  g_assert_cmpuint (kehu_approvals_view_get_count (view, KEHU_APPROVALS_BOX_COPIED), ==, copied);
}

static void
test_inbox_approve (void)
{
  Fixture f = { 0 };
  GtkWindow *window;
  KehuApprovalsView *view;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  g_auto(GStrv) listed = NULL;
  g_autofree char *status = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *waiting_tab = NULL;

  fixture_setup (&f);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1100, 720);
  view = KEHU_APPROVALS_VIEW (kehu_approvals_view_new (f.store, "mgr"));
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (view)))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);

  /* 李强: K2 and K3 wait, K1 handled. */
  assert_counts (view, 2, 1, 0, 0);
  waiting_tab = g_strdup (is_zh () ? "待我审批 (2)" : "Waiting (2)");
  g_assert_true (has_label (GTK_WIDGET (view), waiting_tab));
  listed = kehu_approvals_view_dup_listed (view);
  g_assert_cmpuint (g_strv_length (listed), ==, 2);
  g_assert_cmpstr (listed[0], ==, f.k3);     /* newest first */
  g_assert_cmpstr (listed[1], ==, f.k2);

  g_assert_true (kehu_approvals_view_select (view, f.k2));
  kehu_test_ui_settle (300);
  g_assert_true (gtk_widget_get_visible (find_action_button (GTK_WIDGET (view), "approvals.approve")));
  g_assert_true (gtk_widget_get_visible (find_action_button (GTK_WIDGET (view), "approvals.transfer")));
  /* 李强 did not submit it: no withdraw. */
  g_assert_false (gtk_widget_get_visible (find_action_button (GTK_WIDGET (view), "approvals.withdraw")));
  g_assert_true (has_label (GTK_WIDGET (view), "¥48,000.00"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "approvals-inbox"));

  /* Approve K2 from the inbox, through the comment dialog. */
  gtk_widget_activate_action (GTK_WIDGET (view), "approvals.approve", NULL);
  kehu_test_ui_settle (300);
  dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  entry = find_widget (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "同意，按期执行");
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (dialog), "approvals-approve-dialog"));
  adw_message_dialog_response (dialog, "ok");
  kehu_test_ui_settle (200);
  if (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL)
    gtk_window_destroy (GTK_WINDOW (dialog));
  kehu_test_ui_settle (200);

  /* It left "waiting"; the store has the contract approved. */
  assert_counts (view, 1, 2, 0, 0);
  g_clear_pointer (&listed, g_strfreev);
  listed = kehu_approvals_view_dup_listed (view);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_assert_cmpstr (listed[0], ==, f.k3);
  status = query (&f, "SELECT approval_status FROM contracts WHERE id = ?", "K2");
  g_assert_cmpstr (status, ==, "approved");
  comment = query (&f, "SELECT comment FROM approval_actions WHERE instance_id = ? AND action = 'approve'", f.k2);
  g_assert_cmpstr (comment, ==, "同意，按期执行");
  /* The detail shows the decision; nothing is left to do on it. */
  g_assert_cmpstr (kehu_approvals_view_get_selected (view), ==, f.k2);
  g_assert_false (gtk_widget_get_visible (find_action_button (GTK_WIDGET (view), "approvals.approve")));
  g_assert_false (gtk_widget_get_visible (find_action_button (GTK_WIDGET (view), "approvals.reject")));

  /* The two-step contract, in the handled box: 李强 approved, 张伟 waits. */
  kehu_approvals_view_set_box (view, KEHU_APPROVALS_BOX_HANDLED);
  g_assert_true (kehu_approvals_view_select (view, f.k1));
  kehu_test_ui_settle (300);
  g_assert_cmpuint (kehu_approval_timeline_get_n_steps (KEHU_APPROVAL_TIMELINE (kehu_approvals_view_get_timeline (view))),
                    ==, 3);
  g_assert_true (has_label (GTK_WIDGET (view), "价格已核对"));
  g_assert_true (has_label (GTK_WIDGET (view), is_zh () ? "已由 李强 通过" : "Approved by 李强"));
  g_assert_true (has_label (GTK_WIDGET (view), is_zh () ? "等待审批" : "Waiting"));
  /* The role is named beside who holds it. */
  g_assert_true (has_label (GTK_WIDGET (view), is_zh () ? "总经理（张伟）" : "总经理 (张伟)"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "approvals-timeline"));

  /* Something new waits for 李强: one notification at the next refresh. */
  g_assert_cmpuint (kehu_approvals_view_get_n_notified (view), ==, 0);
  g_free (submit (&f, "K4", "2026-11-02T06:00:00Z"));
  kehu_approvals_view_refresh (view);
  g_assert_cmpuint (kehu_approvals_view_get_n_notified (view), ==, 1);
  kehu_approvals_view_refresh (view);
  g_assert_cmpuint (kehu_approvals_view_get_n_notified (view), ==, 1);

  gtk_window_destroy (window);
  kehu_test_ui_settle (100);
  fixture_teardown (&f);
}

static void
test_timeline (void)
{
  Fixture f = { 0 };
  GtkWindow *window;
  GtkWidget *timeline;

  fixture_setup (&f);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 520, 420);
  timeline = kehu_approval_timeline_new ();
  gtk_widget_set_margin_start (timeline, 18);
  gtk_widget_set_margin_end (timeline, 18);
  gtk_widget_set_margin_top (timeline, 18);
  gtk_window_set_child (window, timeline);

  /* Not submitted: no step. */
  g_assert_true (kehu_approval_timeline_set_history (KEHU_APPROVAL_TIMELINE (timeline), f.store, "contracts", "K4"));
  g_assert_cmpuint (kehu_approval_timeline_get_n_steps (KEHU_APPROVAL_TIMELINE (timeline)), ==, 0);

  /* K3 rejected by 李强 and resubmitted: one instance, round 2. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (kehu_approvals_act (as (&f, "mgr", "2026-11-03T01:00:00Z"), f.k3,
                                       KEHU_APPROVAL_ACTION_REJECT, "请补充交货期", NULL, &error));
    g_assert_no_error (error);
    g_free (submit (&f, "K3", "2026-11-03T02:00:00Z"));
  }
  g_assert_true (kehu_approval_timeline_set_history (KEHU_APPROVAL_TIMELINE (timeline), f.store, "contracts", "K3"));
  /* Submission + supervisor + general manager. */
  g_assert_cmpuint (kehu_approval_timeline_get_n_steps (KEHU_APPROVAL_TIMELINE (timeline)), ==, 3);

  gtk_window_present (window);
  while (!gtk_widget_get_mapped (timeline))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);
  g_assert_true (has_label (timeline, is_zh () ? "王芳 重新提交" : "Resubmitted by 王芳"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "approval-timeline"));

  gtk_window_destroy (window);
  kehu_test_ui_settle (100);
  fixture_teardown (&f);
}

static void
test_flow_editor (void)
{
  Fixture f = { 0 };
  GtkWindow *window;
  KehuApprovalFlowEditor *editor;
  g_autoptr(JsonNode) flows = NULL;
  g_autoptr(JsonNode) original = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *stored = NULL;
  JsonObject *flow;

  fixture_setup (&f);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 900, 760);
  editor = KEHU_APPROVAL_FLOW_EDITOR (kehu_approval_flow_editor_new (f.store, "admin"));
  gtk_window_set_child (window, GTK_WIDGET (editor));

  /* The fixture's flow round-trips through the form. */
  flows = kehu_approvals_list_flows (f.store, "contract", &error);
  g_assert_no_error (error);
  flow = json_array_get_object_element (json_node_get_array (flows), 0);
  original = json_node_copy (json_object_get_member (flow, "definition"));
  g_assert_true (kehu_approval_flow_editor_load (editor, json_object_get_string_member (flow, "id")));
  g_assert_cmpuint (kehu_approval_flow_editor_get_n_steps (editor), ==, 1);
  again = kehu_approval_flow_editor_dup_definition (editor);
  {
    JsonObject *a = json_node_get_object (again);
    JsonObject *cond = json_array_get_object_element (json_object_get_array_member (a, "steps"), 0);
    JsonArray *then_approvers = json_object_get_array_member (
      json_array_get_object_element (json_object_get_array_member (cond, "then"), 0), "approvers");

    g_assert_cmpstr (json_object_get_string_member (a, "name"), ==, "合同审批");
    g_assert_cmpstr (json_object_get_string_member (cond, "op"), ==, ">");
    g_assert_cmpint (json_object_get_int_member (cond, "value"), ==, 10000000);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (then_approvers, 0), "supervisor"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (then_approvers, 1), "role"), ==, "gm");
  }
  id = kehu_approval_flow_editor_save (editor, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, json_object_get_string_member (flow, "id"));

  /* A seeded role (its name shown translated), a supervisor two levels up
   * and a user come back from the form as the same ids, in either
   * language's words. */
  {
    g_autoptr(JsonNode) seeded = json_from_string (
      "{\"name\": \"发票审批\", \"business_type\": \"invoice\","
      " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"role\": \"" KEHU_ID_ROLE_SALES_MANAGER "\"},"
      " {\"supervisor\": 2}, {\"user\": \"mgr\"}]}]}", NULL);
    g_autoptr(JsonNode) back = NULL;
    JsonArray *approvers;

    kehu_approval_flow_editor_new_flow (editor);
    g_assert_true (kehu_approval_flow_editor_set_definition (editor, seeded));
    back = kehu_approval_flow_editor_dup_definition (editor);
    approvers = json_object_get_array_member (
      json_array_get_object_element (json_object_get_array_member (json_node_get_object (back), "steps"), 0), "approvers");
    g_assert_cmpuint (json_array_get_length (approvers), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (approvers, 0), "role"), ==,
                     KEHU_ID_ROLE_SALES_MANAGER);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (approvers, 1), "supervisor"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (approvers, 2), "user"), ==, "mgr");
  }

  /* An unknown approver in step 2: the engine's error beside that step,
   * nothing saved. */
  bad = json_from_string ("{\"name\": \"回款审批\", \"business_type\": \"payment\","
                          " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"user\": \"mgr\"}]},"
                          " {\"type\": \"parallel\", \"mode\": \"any\","
                          "  \"approvers\": [{\"role\": \"gm\"}, {\"user\": \"钱多多\"}]}]}", NULL);
  kehu_approval_flow_editor_new_flow (editor);
  g_assert_true (kehu_approval_flow_editor_set_definition (editor, bad));
  g_assert_cmpuint (kehu_approval_flow_editor_get_n_steps (editor), ==, 2);
  failed = kehu_approval_flow_editor_save (editor, &error);
  g_assert_null (failed);
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW);
  g_assert_null (kehu_approval_flow_editor_get_step_error (editor, 0));
  g_assert_nonnull (strstr (kehu_approval_flow_editor_get_step_error (editor, 1), "钱多多"));
  g_assert_nonnull (strstr (kehu_approval_flow_editor_get_step_error (editor, 1), "2"));
  stored = query (&f, "SELECT count(*) FROM approval_flows WHERE business_type = ?", "payment");
  g_assert_cmpstr (stored, ==, "0");

  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (editor)))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);
  {
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (
      GTK_SCROLLED_WINDOW (find_widget (GTK_WIDGET (editor), GTK_TYPE_SCROLLED_WINDOW)));

    /* Down to the step with the error. */
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  }
  kehu_test_ui_settle (300);
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "approval-flow-editor"));

  gtk_window_destroy (window);
  kehu_test_ui_settle (100);
  fixture_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add_func ("/ui/approvals/inbox-approve", test_inbox_approve);
  g_test_add_func ("/ui/approvals/timeline", test_timeline);
  g_test_add_func ("/ui/approvals/flow-editor", test_flow_editor);

  return g_test_run ();
}
