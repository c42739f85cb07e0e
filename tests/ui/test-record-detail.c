/* test-record-detail.c: the record detail page, driven through its actions
 *
 * Opens records with win.open-record, works on them through the detail
 * page's actions, dialogs and rows as a user would, and checks the store
 * afterwards against values computed here independently. Saves a
 * screenshot of the page of every module.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-approvals.h"
#include "kehu-record-detail-view-private.h"
#include "kehu-record-editor.h"
#include "kehu-test-details.h"

static KehuApplication *app;
static KehuWindow *window;
static KehuStore *store;

static KehuContext *
test_context (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuSchema) schema = kehu_schema_new (store, &error);

  g_assert_no_error (error);
  return kehu_context_new (schema, T_USER_ME);
}

static KehuRecordDetailView *
open_record (const char *module,
             const char *id)
{
  KehuRecordDetailView *detail;

  g_action_group_activate_action (G_ACTION_GROUP (window), "open-record",
                                  g_variant_new ("(ss)", module, id));
  kehu_test_ui_settle (250);

  g_assert_true (kehu_window_is_showing_record (window));
  detail = kehu_window_get_detail_view (window);
  g_assert_nonnull (detail);
  g_assert_cmpstr (kehu_record_detail_view_get_module (detail), ==, module);
  g_assert_cmpstr (kehu_record_detail_view_get_record_id (detail), ==, id);
  return detail;
}

static char *
utc_of_local (int y, int mo, int d, int h, int mi, int minus_minutes)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) local = g_date_time_new (tz, y, mo, d, h, mi, 0);
  g_autoptr(GDateTime) shifted = g_date_time_add_minutes (local, -minus_minutes);
  g_autoptr(GDateTime) utc = g_date_time_to_utc (shifted);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* Whether the detail page's action is enabled, as its buttons see it. */
static gboolean
detail_action_enabled (KehuRecordDetailView *detail,
                               const char           *name)
{
  GtkWidget *probe = gtk_button_new ();
  gboolean enabled;

  /* A button inside the page follows the action's enabled state. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (probe), name);
  gtk_widget_set_parent (probe, GTK_WIDGET (detail));
  kehu_test_ui_settle (20);
  enabled = gtk_widget_get_sensitive (probe);
  gtk_widget_unparent (probe);
  return enabled;
}

static void
set_text_view (GtkWidget  *view,
               const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

static void
test_open_and_back (void)
{
  KehuRecordDetailView *detail = open_record ("customers", T_CUSTOMER);

  g_assert_cmpstr (kehu_window_get_module (window), ==, "customers");
  g_assert_cmpstr (kehu_record_detail_view_get_title (detail), ==,
                   kehu_test_is_zh () ? "北京大学" : "Peking University");
  /* The totals of SPEC.md §3 in yuan. */
  g_assert_true (kehu_test_has_label (GTK_WIDGET (detail), "¥128,000.50"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (detail), "¥80,000.00"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (detail), "¥50,000.00"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (detail), "¥30,000.00"));
  g_assert_true (kehu_test_has_label (GTK_WIDGET (detail), kehu_test_is_zh () ? "VIP客户" : "VIP customer") ||
                 kehu_test_has_label (GTK_WIDGET (detail), kehu_test_is_zh () ? "VIP 客户" : "VIP customer"));

  /* Related: its contact opens the contact's page, in the Contacts module. */
  {
    GtkListBox *contacts = _kehu_record_detail_view_get_list (detail, "contacts");
    GtkListBoxRow *row;

    g_assert_nonnull (contacts);
    row = gtk_list_box_get_row_at_index (contacts, 0);
    g_assert_nonnull (row);
    g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
    kehu_test_ui_settle (250);
    g_assert_cmpstr (kehu_record_detail_view_get_record_id (detail), ==, T_CONTACT);
    g_assert_cmpstr (kehu_window_get_module (window), ==, "contacts");
  }

  /* Escape goes back to the list. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.back", NULL);
  kehu_test_ui_settle (200);
  g_assert_false (kehu_window_is_showing_record (window));
  g_assert_cmpstr (kehu_window_get_module (window), ==, "contacts");
}

static void
test_followup (void)
{
  KehuRecordDetailView *detail = open_record ("customers", T_CUSTOMER);
  g_autoptr(JsonObject) followup = NULL;
  g_autoptr(JsonObject) schedule = NULL;
  g_autoptr(JsonObject) customer = NULL;
  g_autofree char *at_utc = utc_of_local (2026, 11, 20, 10, 0, 0);
  g_autofree char *next_utc = utc_of_local (2030, 1, 2, 9, 30, 0);
  g_autofree char *remind_utc = utc_of_local (2030, 1, 2, 9, 30, 15);
  const char *content = kehu_test_is_zh () ? "电话沟通了实验室预算" : "Called about the lab budget";
  GtkWidget *dialog;
  GtkLabel *error;

  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.follow-up", NULL);
  kehu_test_ui_settle (200);
  dialog = _kehu_record_detail_view_get_dialog (detail);
  g_assert_nonnull (dialog);

  /* Empty content: Add waits, and the dialog says why. */
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add"));
  error = GTK_LABEL (kehu_test_find_named (dialog, "followup-error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));

  set_text_view (kehu_test_find_named (dialog, "followup-content"), content);
  gtk_editable_set_text (GTK_EDITABLE (kehu_test_find_named (dialog, "followup-time")), "2026-11-20 10:00");
  /* A next contact before the follow-up is refused. */
  gtk_editable_set_text (GTK_EDITABLE (kehu_test_find_named (dialog, "followup-next")), "2026-11-19 10:00");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add"));
  gtk_editable_set_text (GTK_EDITABLE (kehu_test_find_named (dialog, "followup-next")), "2030-01-02 09:30");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error)));

  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (dialog, "detail-followup-dialog");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "add");
  kehu_test_ui_settle (250);

  followup = kehu_test_row (store,
    "SELECT method, content, followed_at, next_contact_at, customer_id, target_module FROM followups WHERE target_id = ?",
    T_CUSTOMER);
  g_assert_cmpstr (json_object_get_string_member (followup, "method"), ==, "phone");
  g_assert_cmpstr (json_object_get_string_member (followup, "content"), ==, content);
  g_assert_cmpstr (json_object_get_string_member (followup, "followed_at"), ==, at_utc);
  g_assert_cmpstr (json_object_get_string_member (followup, "next_contact_at"), ==, next_utc);
  g_assert_cmpstr (json_object_get_string_member (followup, "customer_id"), ==, T_CUSTOMER);

  schedule = kehu_test_row (store,
    "SELECT start_at, remind_at, reminded_at, target_module FROM schedules WHERE target_id = ?", T_CUSTOMER);
  g_assert_cmpstr (json_object_get_string_member (schedule, "start_at"), ==, next_utc);
  g_assert_cmpstr (json_object_get_string_member (schedule, "remind_at"), ==, remind_utc);
  g_assert_true (json_object_get_null_member (schedule, "reminded_at"));
  g_assert_cmpstr (json_object_get_string_member (schedule, "target_module"), ==, "customers");

  customer = kehu_test_row (store, "SELECT last_followup_at, next_contact_at FROM customers WHERE id = ?", T_CUSTOMER);
  g_assert_cmpstr (json_object_get_string_member (customer, "last_followup_at"), ==, at_utc);
  g_assert_cmpstr (json_object_get_string_member (customer, "next_contact_at"), ==, next_utc);

  /* The timeline shows it (newest first: the schedule entry in 2030, then it). */
  {
    GtkListBox *timeline = _kehu_record_detail_view_get_list (detail, "timeline");
    GtkListBoxRow *second = gtk_list_box_get_row_at_index (timeline, 1);

    g_assert_nonnull (second);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (second)), ==, content);
  }

  /* A follow-up on the contact shows on its customer's timeline too. */
  {
    g_autoptr(GError) err = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) at = g_date_time_add_hours (now, -1);
    g_autoptr(JsonArray) items = NULL;
    g_autoptr(KehuContext) ctx = test_context ();

    g_assert_true (kehu_admin_add_followup (ctx, "contacts", T_CONTACT, "visit", "visit",
                                            at, NULL, NULL, &err));
    g_assert_no_error (err);
    items = kehu_admin_list_timeline (store, "customers", T_CUSTOMER, &err);
    g_assert_no_error (err);
    g_assert_cmpuint (json_array_get_length (items), ==, 3);
  }
}

static void
test_inline_edit (void)
{
  KehuRecordDetailView *detail = open_record ("customers", T_CUSTOMER);
  const char *new_name = kehu_test_is_zh () ? "北京大学医学部" : "Peking University Health Science Center";
  g_autoptr(JsonObject) row = NULL;
  g_autoptr(JsonObject) log = NULL;
  GtkWidget *display, *editor;
  GtkLabel *error;

  kehu_record_detail_view_show_tab (detail, "info");
  kehu_test_ui_settle (150);

  display = _kehu_record_detail_view_get_field_row (detail, "name");
  editor = _kehu_record_detail_view_get_field_editor (detail, "name");
  g_assert_nonnull (display);
  g_assert_false (gtk_widget_get_visible (editor));

  /* Clicking the value opens its editor. */
  g_assert_true (gtk_widget_activate (display));
  kehu_test_ui_settle (100);
  g_assert_true (gtk_widget_get_visible (editor));
  g_assert_false (gtk_widget_get_visible (display));

  /* A required field left empty: the error shows beside it, nothing saved. */
  gtk_editable_set_text (GTK_EDITABLE (editor), "  ");
  g_signal_emit_by_name (editor, "apply");
  kehu_test_ui_settle (100);
  error = _kehu_record_detail_view_get_field_error (detail, "name");
  g_assert_nonnull (error);
  g_assert_cmpstr (gtk_label_get_label (error), ==,
                   kehu_test_is_zh () ? "“名称”为必填项" : "“Name” is required");
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-inline-error");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  row = kehu_test_row (store, "SELECT name FROM customers WHERE id = ?", T_CUSTOMER);
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==,
                   kehu_test_is_zh () ? "北京大学" : "Peking University");
  g_clear_pointer (&row, json_object_unref);

  /* A bad e-mail address is refused too, with the field named. */
  display = _kehu_record_detail_view_get_field_row (detail, "email");
  editor = _kehu_record_detail_view_get_field_editor (detail, "email");
  gtk_widget_activate (display);
  gtk_editable_set_text (GTK_EDITABLE (editor), "not-an-address");
  g_signal_emit_by_name (editor, "apply");
  kehu_test_ui_settle (100);
  g_assert_nonnull (_kehu_record_detail_view_get_field_error (detail, "email"));

  /* Then a good value is saved, logged, and shown. */
  display = _kehu_record_detail_view_get_field_row (detail, "name");
  editor = _kehu_record_detail_view_get_field_editor (detail, "name");
  gtk_widget_activate (display);
  gtk_editable_set_text (GTK_EDITABLE (editor), new_name);
  g_signal_emit_by_name (editor, "apply");
  kehu_test_ui_settle (150);

  row = kehu_test_row (store, "SELECT name FROM customers WHERE id = ?", T_CUSTOMER);
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, new_name);
  log = kehu_test_row (store,
    "SELECT old_value, new_value FROM oplog WHERE record_id = ? AND field = 'name' ORDER BY id DESC LIMIT 1",
    T_CUSTOMER);
  g_assert_cmpstr (json_object_get_string_member (log, "old_value"), ==,
                   kehu_test_is_zh () ? "北京大学" : "Peking University");
  g_assert_cmpstr (json_object_get_string_member (log, "new_value"), ==, new_name);
  g_assert_cmpstr (kehu_record_detail_view_get_title (detail), ==, new_name);

  /* The log reads as a sentence: label, old → new. */
  {
    GtkListBoxRow *first = gtk_list_box_get_row_at_index (_kehu_record_detail_view_get_list (detail, "log"), 0);
    g_autofree char *expected = g_strdup_printf (kehu_test_is_zh () ? "名称：%s → %s" : "Name: %s → %s",
                                                 kehu_test_is_zh () ? "北京大学" : "Peking University", new_name);

    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==, expected);
  }

  /* Money is typed in yuan and stored in cents. */
  detail = open_record ("opportunities", T_OPPORTUNITY);
  kehu_record_detail_view_show_tab (detail, "info");
  display = _kehu_record_detail_view_get_field_row (detail, "amount");
  editor = _kehu_record_detail_view_get_field_editor (detail, "amount");
  gtk_widget_activate (display);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor)), ==, "500000.00");
  gtk_editable_set_text (GTK_EDITABLE (editor), "12.3.4");
  g_signal_emit_by_name (editor, "apply");
  g_assert_nonnull (_kehu_record_detail_view_get_field_error (detail, "amount"));
  gtk_editable_set_text (GTK_EDITABLE (editor), "¥612,800.5");
  g_signal_emit_by_name (editor, "apply");
  kehu_test_ui_settle (100);
  g_clear_pointer (&row, json_object_unref);
  row = kehu_test_row (store, "SELECT amount FROM opportunities WHERE id = ?", T_OPPORTUNITY);
  g_assert_cmpint (json_object_get_int_member (row, "amount"), ==, 61280050);
}

static void
test_stage (void)
{
  KehuRecordDetailView *detail = open_record ("opportunities", T_OPPORTUNITY);
  g_autoptr(JsonObject) before = kehu_test_row (store,
    "SELECT stage_changed_at FROM opportunities WHERE id = ?", T_OPPORTUNITY);
  g_autoptr(JsonObject) history = NULL;
  g_autoptr(JsonObject) opp = NULL;
  g_autoptr(GDateTime) changed = g_date_time_new_from_iso8601 (json_object_get_string_member (before, "stage_changed_at"), NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  /* Independently: whole days between the two instants. */
  gint64 expected_days = (g_date_time_to_unix (now) - g_date_time_to_unix (changed)) / 86400;
  GtkWidget *button, *dialog;
  g_autofree char *dwell = g_strdup_printf (kehu_test_is_zh () ? "已在“验证客户”阶段停留 %d 天"
                                                                : "In “Qualify the customer” for %d days",
                                            (int) expected_days);

  g_assert_cmpint (expected_days, ==, 5);
  g_assert_true (kehu_test_has_label (GTK_WIDGET (detail), dwell));
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-opportunity");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  button = _kehu_record_detail_view_get_stage_button (detail, KEHU_ID_STAGE_NEEDS);
  g_assert_nonnull (button);
  /* A button's keyboard activation clicks after a delay: click it. */
  g_signal_emit_by_name (button, "clicked");
  kehu_test_ui_settle (150);

  history = kehu_test_row (store,
    "SELECT from_stage_id, to_stage_id, dwell_days FROM opportunity_stage_history WHERE opportunity_id = ? ORDER BY id",
    T_OPPORTUNITY);
  g_assert_cmpstr (json_object_get_string_member (history, "from_stage_id"), ==, KEHU_ID_STAGE_QUALIFY);
  g_assert_cmpstr (json_object_get_string_member (history, "to_stage_id"), ==, KEHU_ID_STAGE_NEEDS);
  g_assert_cmpint (json_object_get_int_member (history, "dwell_days"), ==, expected_days);
  opp = kehu_test_row (store, "SELECT stage_id, status FROM opportunities WHERE id = ?", T_OPPORTUNITY);
  g_assert_cmpstr (json_object_get_string_member (opp, "stage_id"), ==, KEHU_ID_STAGE_NEEDS);
  g_assert_cmpstr (json_object_get_string_member (opp, "status"), ==, "open");
  g_clear_pointer (&opp, json_object_unref);

  /* Lost asks why. */
  button = _kehu_record_detail_view_get_stage_button (detail, KEHU_ID_STAGE_LOST);
  g_signal_emit_by_name (button, "clicked");
  kehu_test_ui_settle (150);
  dialog = _kehu_record_detail_view_get_dialog (detail);
  g_assert_nonnull (dialog);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kehu_test_find_named (dialog, "lost-reason")), 1);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (dialog, "detail-lost-dialog");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "lost");
  kehu_test_ui_settle (150);

  opp = kehu_test_row (store, "SELECT stage_id, status, lost_reason FROM opportunities WHERE id = ?", T_OPPORTUNITY);
  g_assert_cmpstr (json_object_get_string_member (opp, "stage_id"), ==, KEHU_ID_STAGE_LOST);
  g_assert_cmpstr (json_object_get_string_member (opp, "status"), ==, "lost");
  /* The second reason of the seeded lost_reason dictionary. */
  g_assert_cmpstr (json_object_get_string_member (opp, "lost_reason"), ==, "competitor");
  g_clear_pointer (&history, json_object_unref);
  history = kehu_test_row (store,
    "SELECT to_stage_id, dwell_days FROM opportunity_stage_history WHERE opportunity_id = ? ORDER BY id DESC",
    T_OPPORTUNITY);
  g_assert_cmpstr (json_object_get_string_member (history, "to_stage_id"), ==, KEHU_ID_STAGE_LOST);
  g_assert_cmpint (json_object_get_int_member (history, "dwell_days"), ==, 0);
}

static void
test_convert (void)
{
  KehuRecordDetailView *detail = open_record ("leads", T_LEAD);
  g_autoptr(JsonObject) lead = NULL;
  g_autoptr(JsonObject) customer = NULL;
  const char *customer_id;

  g_assert_true (detail_action_enabled (detail, "detail.convert"));
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.convert", NULL);
  kehu_test_ui_settle (250);

  lead = kehu_test_row (store, "SELECT status, converted_customer_id FROM leads WHERE id = ?", T_LEAD);
  g_assert_cmpstr (json_object_get_string_member (lead, "status"), ==, "converted");
  customer_id = json_object_get_string_member (lead, "converted_customer_id");
  g_assert_nonnull (customer_id);
  customer = kehu_test_row (store, "SELECT name, source, owner_id FROM customers WHERE id = ?", customer_id);
  g_assert_cmpstr (json_object_get_string_member (customer, "name"), ==,
                   kehu_test_is_zh () ? "清华科技园" : "Tsinghua Science Park");
  g_assert_cmpstr (json_object_get_string_member (customer, "source"), ==, "exhibition");
  g_assert_cmpstr (json_object_get_string_member (customer, "owner_id"), ==, T_USER_ME);

  /* The page now shows the new customer. */
  g_assert_cmpstr (kehu_record_detail_view_get_module (detail), ==, "customers");
  g_assert_cmpstr (kehu_record_detail_view_get_record_id (detail), ==, customer_id);

  /* Converting twice is refused. */
  detail = open_record ("leads", T_LEAD);
  g_assert_false (detail_action_enabled (detail, "detail.convert"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KehuContext) ctx = test_context ();
    g_autofree char *again = NULL;

    g_assert_false (kehu_rules_convert_lead (ctx, T_LEAD, &again, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_ALREADY_CONVERTED);
  }
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* A draft contract's page offers "Submit for Approval"; submitting starts
 * the contract flow, after which the page shows the flow and no button. */
static void
test_submit_for_approval (void)
{
  g_autoptr(KehuContext) ctx = test_context ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(JsonObject) row = NULL;
  g_autofree char *contract = NULL;
  g_autofree char *flow = NULL;
  KehuRecordDetailView *detail;
  GtkWidget *submit;

  json_object_set_string_member (fields, "name", "Approval test contract");
  json_object_set_string_member (fields, "customer_id", T_CUSTOMER);
  json_object_set_int_member (fields, "amount", 2000000);
  contract = kehu_record_create (ctx, "contracts", fields, &error);
  g_assert_no_error (error);

  g_assert_true (json_parser_load_from_data (parser,
    "{\"name\": \"Contracts\", \"business_type\": \"contract\","
    " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"user\": \"" T_USER_OTHER "\"}]}]}",
    -1, NULL));
  flow = kehu_approvals_save_flow (store, NULL, json_parser_get_root (parser), TRUE, 0,
                                   T_USER_ME, now, &error);
  g_assert_no_error (error);
  g_assert_nonnull (flow);

  detail = open_record ("contracts", contract);
  kehu_record_detail_view_show_tab (detail, "related");
  kehu_test_ui_settle (150);
  g_assert_nonnull (find_named (GTK_WIDGET (detail), "approval"));
  submit = find_named (GTK_WIDGET (detail), "approval-submit");
  g_assert_nonnull (submit);
  g_signal_emit_by_name (submit, "clicked");
  kehu_test_ui_settle (200);

  row = kehu_test_row (store,
                       "SELECT c.approval_status AS status, w.user_id AS waiting"
                       " FROM contracts c JOIN approval_instances i ON i.record_id = c.id"
                       " JOIN approval_waiting w ON w.instance_id = i.id WHERE c.id = ?", contract);
  g_assert_nonnull (row);
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (row, "waiting"), ==, T_USER_OTHER);

  /* Pending: nothing to submit any more. */
  detail = kehu_window_get_detail_view (window);
  g_assert_null (find_named (GTK_WIDGET (detail), "approval-submit"));
  g_assert_nonnull (find_named (GTK_WIDGET (detail), "approval"));

  g_assert_true (kehu_approvals_delete_flow (store, flow, T_USER_ME, now, &error));
  g_assert_no_error (error);
}

static void
test_transfer (void)
{
  KehuRecordDetailView *detail = open_record ("contracts", T_CONTRACT);
  g_autoptr(JsonObject) contract = NULL;
  g_autoptr(JsonObject) log = NULL;
  GtkWidget *dialog;
  GtkDropDown *drop;

  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.transfer", NULL);
  kehu_test_ui_settle (150);
  dialog = _kehu_record_detail_view_get_dialog (detail);
  g_assert_nonnull (dialog);
  drop = GTK_DROP_DOWN (kehu_test_find_named (dialog, "transfer-user"));
  /* Only the other user is offered: the owner is left out. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (drop)), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (drop)), 0), ==,
                   kehu_test_is_zh () ? "李娜" : "Li Na");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "transfer");
  kehu_test_ui_settle (150);

  contract = kehu_test_row (store, "SELECT owner_id FROM contracts WHERE id = ?", T_CONTRACT);
  g_assert_cmpstr (json_object_get_string_member (contract, "owner_id"), ==, T_USER_OTHER);
  log = kehu_test_row (store,
    "SELECT old_value, new_value FROM oplog WHERE record_id = ? AND action = 'transfer'", T_CONTRACT);
  g_assert_cmpstr (json_object_get_string_member (log, "old_value"), ==, T_USER_ME);
  g_assert_cmpstr (json_object_get_string_member (log, "new_value"), ==, T_USER_OTHER);
}

static void
test_delete (void)
{
  KehuRecordDetailView *detail = open_record ("contacts", T_CONTACT);
  g_autoptr(JsonObject) contact = NULL;

  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.delete", NULL);
  kehu_test_ui_settle (150);
  g_assert_false (kehu_window_is_showing_record (window));
  contact = kehu_test_row (store, "SELECT deleted_at FROM contacts WHERE id = ?", T_CONTACT);
  g_assert_false (json_object_get_null_member (contact, "deleted_at"));

  /* Back for the screenshots below. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KehuContext) ctx = test_context ();
    g_assert_true (kehu_record_restore (ctx, "contacts", T_CONTACT, &error));
    g_assert_no_error (error);
  }
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
test_edit_opens_editor (void)
{
  KehuRecordDetailView *detail = open_record ("contracts", T_CONTRACT);
  GtkWindow *editor;

  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.edit", NULL);
  kehu_test_ui_settle (300);
  editor = find_toplevel (KEHU_TYPE_RECORD_EDITOR);
  g_assert_nonnull (editor);
  g_assert_cmpstr (kehu_record_editor_get_module (KEHU_RECORD_EDITOR (editor)), ==, "contracts");
  g_assert_cmpstr (kehu_record_editor_get_id (KEHU_RECORD_EDITOR (editor)), ==, T_CONTRACT);
  gtk_window_destroy (editor);
  kehu_test_ui_settle (100);
}

static void
test_attachment (void)
{
  g_autoptr(KehuContext) ctx = test_context ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-attach-XXXXXX", NULL);
  g_autofree char *src = g_build_filename (dir, "名片 card.txt", NULL);
  g_autofree char *blobs = g_build_filename (dir, "blobs", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  const char *content = "张伟 13800000001";
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  g_autoptr(GFile) file = g_file_new_for_path (src);
  g_autoptr(GFile) copy = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *blob_path = g_build_filename (blobs, sha, NULL);
  KehuRecordDetailView *detail;

  g_assert_true (g_file_set_contents (src, content, -1, NULL));
  id = kehu_admin_add_attachment (ctx, blobs, "customers", T_CUSTOMER, file, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) row = kehu_test_row (store, "SELECT name, size, sha256 FROM attachments WHERE id = ?", id);
    g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, "名片 card.txt");
    g_assert_cmpint (json_object_get_int_member (row, "size"), ==, (gint64) strlen (content));
    g_assert_cmpstr (json_object_get_string_member (row, "sha256"), ==, sha);
  }
  /* Stored by content: a second attachment of the same file adds no blob. */
  g_assert_true (g_file_test (blob_path, G_FILE_TEST_IS_REGULAR));
  again = kehu_admin_add_attachment (ctx, blobs, "customers", T_CUSTOMER, file, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) n = kehu_test_row (store, "SELECT count (*) AS n FROM blobs WHERE sha256 = ?", sha);
    g_assert_cmpint (json_object_get_int_member (n, "n"), ==, 1);
  }

  /* Opening copies it out under its real name. */
  copy = kehu_admin_export_attachment (store, blobs, id, out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_file_peek_path (copy) + strlen (g_file_peek_path (copy)) - strlen ("名片 card.txt"), ==, "名片 card.txt");
  g_assert_true (g_file_get_contents (g_file_peek_path (copy), &copied, NULL, NULL));
  g_assert_cmpstr (copied, ==, content);

  /* And the page lists both. */
  detail = open_record ("customers", T_CUSTOMER);
  kehu_record_detail_view_show_tab (detail, "attachments");
  kehu_test_ui_settle (150);
  {
    GtkListBox *list = _kehu_record_detail_view_get_list (detail, "attachments");
    GtkListBoxRow *first = gtk_list_box_get_row_at_index (list, 0);

    g_assert_nonnull (gtk_list_box_get_row_at_index (list, 1));
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==, "名片 card.txt");
  }
}

static void
test_screenshots (void)
{
  static const struct { const char *module, *id, *tab; } pages[] = {
    { "customers", T_CUSTOMER, "timeline" },
    { "customers", T_CUSTOMER, "related" },
    { "customers", T_CUSTOMER, "info" },
    { "customers", T_CUSTOMER, "log" },
    { "leads", T_LEAD, "timeline" },
    { "contacts", T_CONTACT, "info" },
    { "opportunities", T_OPPORTUNITY, "related" },
    { "contracts", T_CONTRACT, "related" },
    { "payment_plans", T_PLAN, "info" },
    { "payments", T_PAYMENT, "info" },
    { "customers", T_CUSTOMER, "attachments" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      KehuRecordDetailView *detail = open_record (pages[i].module, pages[i].id);
      g_autofree char *name = g_strdup_printf ("detail-%s-%s", pages[i].module, pages[i].tab);
      g_autoptr(GdkTexture) shot = NULL;

      kehu_record_detail_view_show_tab (detail, pages[i].tab);
      kehu_test_ui_settle (350);
      shot = kehu_test_ui_screenshot (GTK_WIDGET (window), name);
      g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
    }

  /* The smallest screen the app must fit. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  open_record ("customers", T_CUSTOMER);
  kehu_test_ui_settle (400);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-customers-1024x600");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }

  /* Dark. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  kehu_test_ui_settle (300);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (GTK_WIDGET (window), "detail-customers-dark");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 8);
  }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
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
  kehu_record_detail_view_set_user_id (kehu_window_get_detail_view (window), T_USER_ME);

  g_test_add_func ("/ui/detail/open-and-back", test_open_and_back);
  g_test_add_func ("/ui/detail/followup", test_followup);
  g_test_add_func ("/ui/detail/inline-edit", test_inline_edit);
  g_test_add_func ("/ui/detail/stage", test_stage);
  g_test_add_func ("/ui/detail/convert", test_convert);
  g_test_add_func ("/ui/detail/transfer", test_transfer);
  g_test_add_func ("/ui/detail/submit-for-approval", test_submit_for_approval);
  g_test_add_func ("/ui/detail/delete", test_delete);
  g_test_add_func ("/ui/detail/edit-opens-editor", test_edit_opens_editor);
  g_test_add_func ("/ui/detail/attachment", test_attachment);
  g_test_add_func ("/ui/detail/screenshots", test_screenshots);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
  g_clear_object (&app);
  return status;
}
