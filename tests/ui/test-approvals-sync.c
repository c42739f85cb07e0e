/* test-approvals-sync.c: the Approvals page on a client cache, against a real kehu-server
 *
 * A manager's cache is filled by a real pull (the approvals section), the
 * manager approves offline through the page's dialog: the item and the
 * detail pane say "pending sync" until the push; the submitter withdrew
 * meanwhile, so the server refuses, and the page says why and shows the
 * approval as the server has it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-approvals-view.h"
#include "kehu-record-detail-view.h"
#include "kehu-core.h"
#include "kehu-test-api.h"
#include "kehu-record-actions.h"
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

/* A mapped widget named @name inside @widget. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
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
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static void
test_pending_and_refused (void)
{
  g_autoptr(GError) error = NULL;
  KehuTestApi *api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *mgr = kehu_test_api_add_user (api, admin, "13900000061", "王经理", KEHU_ID_TOP_DEPARTMENT,
                                                 NULL, KEHU_ID_ROLE_SALES_MANAGER);
  g_autofree char *rep = kehu_test_api_add_user (api, admin, "13900000062", "李代表", KEHU_ID_TOP_DEPARTMENT,
                                                 mgr, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *mgr_token = kehu_test_api_login (api, "13900000061", KEHU_TEST_USER_PASSWORD);
  g_autofree char *rep_token = kehu_test_api_login (api, "13900000062", KEHU_TEST_USER_PASSWORD);
  g_autoptr(JsonObject) flow = kehu_test_api_expect (api, admin, "POST", "/api/v1/approval-flows",
                                                     "{\"definition\":{\"name\":\"合同审批\",\"business_type\":\"contract\","
                                                     "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}}", 201);
  g_autofree char *customer = kehu_test_api_create (api, rep_token, "customers", "{\"name\":\"华信钢铁\"}");
  g_autofree char *body = g_strdup_printf ("{\"name\":\"年度供货合同\",\"customer_id\":\"%s\",\"amount\":15000000}", customer);
  g_autofree char *contract = kehu_test_api_create (api, rep_token, "contracts", body);
  g_autofree char *submit = g_strdup_printf ("/api/v1/contracts/%s/submit", contract);
  g_autoptr(JsonObject) instance = kehu_test_api_expect (api, rep_token, "POST", submit, "{}", 201);
  const char *instance_id = json_object_get_string_member (instance, "id");
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-approvals-sync-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mgr.db", NULL);
  g_autoptr(KehuSyncEngine) engine = NULL;
  g_autoptr(KehuStore) store = NULL;
  KehuSyncStats stats = { 0 };
  KehuSyncRejection *rejection;
  KehuApprovalsView *view;
  AdwMessageDialog *dialog;
  GtkWindow *window;
  GtkWidget *label;
  g_auto(GStrv) listed = NULL;

  /* The manager's cache, filled by a real pull. */
  engine = kehu_sync_engine_new (path, api->server->base_url, mgr, &error);
  g_assert_no_error (error);
  kehu_sync_engine_set_token (engine, mgr_token);
  g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
  g_assert_no_error (error);
  kehu_sync_stats_clear (&stats);
  store = kehu_store_open (path, &error);
  g_assert_no_error (error);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1100, 720);
  view = KEHU_APPROVALS_VIEW (kehu_approvals_view_new (store, mgr));
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (view)))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);

  listed = kehu_approvals_view_dup_listed (view);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_assert_cmpstr (listed[0], ==, instance_id);
  g_assert_true (kehu_approvals_view_select (view, instance_id));
  kehu_test_ui_settle (200);
  /* The timeline came with the pull: the submission by 李代表. */
  g_assert_true (has_label (kehu_approvals_view_get_timeline (view), "李代表"));

  /* Approve through the dialog, offline (nothing is pushed yet). */
  gtk_widget_activate_action (GTK_WIDGET (view), "approvals.approve", NULL);
  kehu_test_ui_settle (300);
  dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), GTK_TYPE_ENTRY)), "同意");
  adw_message_dialog_response (dialog, "ok");
  kehu_test_ui_settle (200);
  if (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL)
    gtk_window_destroy (GTK_WINDOW (find_toplevel (ADW_TYPE_MESSAGE_DIALOG)));
  kehu_test_ui_settle (200);

  g_assert_true (kehu_sync_is_pending (store, "approval_instances", instance_id));
  /* Handled by me now, marked as pending sync, in the list and the pane. */
  kehu_approvals_view_set_box (view, KEHU_APPROVALS_BOX_HANDLED);
  kehu_test_ui_settle (200);
  g_clear_pointer (&listed, g_strfreev);
  listed = kehu_approvals_view_dup_listed (view);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_assert_nonnull (find_named (GTK_WIDGET (view), "pending-sync"));
  g_assert_true (has_label (GTK_WIDGET (view), is_zh () ? "待同步" : "Pending sync"));
  label = kehu_approvals_view_get_sync_label (view);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)),
                            is_zh () ? "尚未确认" : "the server has not confirmed it yet"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "approvals-pending-sync"));

  /* The submitter withdraws meanwhile; the push is refused. */
  {
    g_autofree char *action = g_strdup_printf ("/api/v1/approvals/%s/actions", instance_id);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (api, rep_token, "POST", action, "{\"action\":\"withdraw\"}", 200);
  }
  g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stats.rejections);
  g_assert_cmpuint (stats.rejections->len, ==, 1);
  rejection = g_ptr_array_index (stats.rejections, 0);
  g_assert_cmpstr (rejection->record_id, ==, instance_id);
  /* What the window does on the sync client's "rejected". */
  kehu_approvals_view_show_refusal (view, rejection->record_id, rejection->message);
  kehu_test_ui_settle (300);

  g_assert_false (kehu_sync_is_pending (store, "approval_instances", instance_id));
  g_assert_cmpstr (kehu_approvals_view_get_refusal (view, instance_id), ==, rejection->message);
  g_assert_cmpstr (kehu_approvals_view_get_selected (view), ==, instance_id);
  label = kehu_approvals_view_get_sync_label (view);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), rejection->message));
  /* Back to the server's state: withdrawn, nothing handled by me. */
  g_assert_true (has_label (GTK_WIDGET (view), is_zh () ? "已撤回" : "Withdrawn"));
  g_assert_cmpuint (kehu_approvals_view_get_count (view, KEHU_APPROVALS_BOX_HANDLED), ==, 0);
  g_assert_cmpuint (kehu_approvals_view_get_count (view, KEHU_APPROVALS_BOX_WAITING), ==, 0);
  g_assert_null (find_named (GTK_WIDGET (view), "pending-sync"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "approvals-refused"));

  /* The app restarts: a new view on the cache still marks the item. */
  view = KEHU_APPROVALS_VIEW (kehu_approvals_view_new (store, mgr));
  gtk_window_set_child (window, GTK_WIDGET (view));
  kehu_test_ui_settle (300);
  g_assert_cmpstr (kehu_approvals_view_get_refusal (view, instance_id), ==, rejection->message);
  kehu_sync_stats_clear (&stats);

  gtk_window_destroy (window);
  kehu_test_ui_settle (50);
  g_clear_object (&engine);
  g_clear_object (&store);
  kehu_test_api_free (api);
  kehu_test_rm_rf (dir);
}

/* The record page says when its changes have not reached the server, and
 * shows a claim from the pool as tentative until the server confirms it. */
static void
test_detail_pending (void)
{
  g_autoptr(GError) error = NULL;
  KehuTestApi *api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_autofree char *rep = kehu_test_api_add_user (api, admin, "13900000063", "周代表", KEHU_ID_TOP_DEPARTMENT,
                                                 NULL, KEHU_ID_ROLE_SALES_REP);
  g_autofree char *rep_token = kehu_test_api_login (api, "13900000063", KEHU_TEST_USER_PASSWORD);
  g_autofree char *pooled = kehu_test_api_create (api, admin, "customers", "{\"name\":\"公海客户\"}");
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-detail-sync-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "rep.db", NULL);
  g_autoptr(KehuSyncEngine) engine = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autofree char *mine = NULL;
  KehuRecordDetailView *detail;
  KehuSyncStats stats = { 0 };
  GtkWindow *window;
  const char *note;

  {
    g_autofree char *body = g_strdup_printf ("{\"ids\":[\"%s\"],\"reason\":\"没有预算\"}", pooled);
    g_autoptr(JsonObject) reply = kehu_test_api_expect (api, admin, "POST", "/api/v1/customers/actions/return", body, 200);
  }
  engine = kehu_sync_engine_new (path, api->server->base_url, rep, &error);
  g_assert_no_error (error);
  kehu_sync_engine_set_token (engine, rep_token);
  g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
  g_assert_no_error (error);
  kehu_sync_stats_clear (&stats);

  /* Offline: a new customer, and a claim from the pool. */
  {
    g_autoptr(JsonNode) fields = json_from_string ("{\"name\":\"新建客户\"}", NULL);
    mine = kehu_record_create (kehu_sync_engine_get_context (engine), "customers", json_node_get_object (fields), &error);
    g_assert_no_error (error);
  }
  g_assert_true (kehu_sync_claim (kehu_sync_engine_get_context (engine), pooled, &error));
  g_assert_no_error (error);

  store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1000, 700);
  detail = kehu_record_detail_view_new (store);
  kehu_record_detail_view_set_user_id (detail, rep);
  gtk_window_set_child (window, GTK_WIDGET (detail));
  gtk_window_present (window);

  g_assert_true (kehu_record_detail_view_load (detail, "customers", mine, &error));
  g_assert_no_error (error);
  kehu_test_ui_settle (300);
  note = kehu_record_detail_view_get_sync_note (detail);
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, is_zh () ? "尚未同步" : "Not yet synced"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-not-yet-synced"));

  g_assert_true (kehu_record_detail_view_load (detail, "customers", pooled, &error));
  g_assert_no_error (error);
  kehu_test_ui_settle (300);
  note = kehu_record_detail_view_get_sync_note (detail);
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, is_zh () ? "领取待确认" : "Claim pending confirmation"));
  g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-claim-pending"));

  /* The server confirms both: the lines go. */
  g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.rejected, ==, 0);
  kehu_sync_stats_clear (&stats);
  kehu_record_detail_view_reload (detail);
  g_assert_null (kehu_record_detail_view_get_sync_note (detail));
  g_assert_true (kehu_record_detail_view_load (detail, "customers", mine, &error));
  g_assert_null (kehu_record_detail_view_get_sync_note (detail));

  /* Claims the cache can already see are over the limit the server set
   * (it came with the pull) are refused at once, nothing queued; within
   * it, the claim is queued for the server as before. */
  {
    g_autofree char *c1 = kehu_test_api_create (api, admin, "customers", "{\"name\":\"公海一\"}");
    g_autofree char *c2 = kehu_test_api_create (api, admin, "customers", "{\"name\":\"公海二\"}");
    g_autofree char *c3 = kehu_test_api_create (api, admin, "customers", "{\"name\":\"公海三\"}");
    g_autofree char *back = g_strdup_printf ("{\"ids\":[\"%s\",\"%s\",\"%s\"],\"reason\":\"重新分配\"}", c1, c2, c3);
    g_autoptr(JsonObject) returned = kehu_test_api_expect (api, admin, "POST", "/api/v1/customers/actions/return", back, 200);
    g_autoptr(JsonObject) limits = kehu_test_api_expect (api, admin, "PUT", "/api/v1/pools/" KEHU_ID_DEFAULT_POOL "/claim-limits",
                                                         "{\"items\":[{\"role_id\":\"" KEHU_ID_ROLE_SALES_REP "\",\"per_day\":2}]}",
                                                         200);
    const char *three[] = { c1, c2, c3, NULL };
    const char *one[] = { c1, NULL };
    KehuContext *ctx = kehu_sync_engine_get_context (engine);

    g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
    g_assert_no_error (error);
    kehu_sync_stats_clear (&stats);
    g_assert_false (kehu_record_actions_claim (ctx, three, &error));
    g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_CLAIM_LIMIT);
    g_clear_error (&error);
    g_assert_null (kehu_sync_dup_pending_action (store, "customers", c1));
    g_assert_true (kehu_record_actions_claim (ctx, one, &error));
    g_assert_no_error (error);
    {
      g_autofree char *pending = kehu_sync_dup_pending_action (store, "customers", c1);
      g_assert_cmpstr (pending, ==, "claim");
    }
  }

  /* A change the server refuses (the contract number is taken by a
   * contract the rep cannot see): the page says why the value is back. */
  {
    g_autofree char *taken = kehu_test_api_create (api, admin, "customers", "{\"name\":\"别人的客户\"}");
    g_autofree char *theirs = g_strdup_printf ("{\"number\":\"HT-2026-001\",\"name\":\"他人合同\",\"customer_id\":\"%s\","
                                               "\"amount\":100000}", taken);
    g_autofree char *other = kehu_test_api_create (api, admin, "contracts", theirs);
    g_autofree char *ours = g_strdup_printf ("{\"number\":\"HT-2026-002\",\"name\":\"我的合同\",\"customer_id\":\"%s\","
                                             "\"amount\":200000}", mine);
    g_autoptr(JsonNode) fields = json_from_string (ours, NULL);
    g_autoptr(JsonNode) change = json_from_string ("{\"number\":\"HT-2026-001\"}", NULL);
    g_autofree char *contract = kehu_record_create (kehu_sync_engine_get_context (engine), "contracts",
                                                    json_node_get_object (fields), &error);

    g_assert_no_error (error);
    g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
    g_assert_cmpuint (stats.rejected, ==, 0);
    kehu_sync_stats_clear (&stats);
    g_assert_true (kehu_record_update (kehu_sync_engine_get_context (engine), "contracts", contract,
                                       json_node_get_object (change), &error));
    g_assert_no_error (error);
    g_assert_true (kehu_sync_engine_run (engine, &stats, NULL, &error));
    g_assert_cmpuint (stats.rejected, ==, 1);
    kehu_sync_stats_clear (&stats);

    g_assert_true (kehu_record_detail_view_load (detail, "contracts", contract, &error));
    g_assert_no_error (error);
    kehu_test_ui_settle (300);
    note = kehu_record_detail_view_get_sync_note (detail);
    g_assert_nonnull (note);
    g_assert_nonnull (strstr (note, is_zh () ? "服务器未接受您的上一次修改" : "The server did not accept your last change"));
    g_object_unref (kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-refused"));
  }

  gtk_window_destroy (window);
  kehu_test_ui_settle (50);
  g_clear_object (&engine);
  g_clear_object (&store);
  kehu_test_api_free (api);
  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add_func ("/ui/approvals-sync/pending-and-refused", test_pending_and_refused);
  g_test_add_func ("/ui/approvals-sync/detail-pending", test_detail_pending);

  return g_test_run ();
}
