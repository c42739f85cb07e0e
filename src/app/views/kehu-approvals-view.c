/* kehu-approvals-view.c: the Approvals page
 *
 * Four inboxes (waiting for me, handled by me, submitted by me, copied to
 * me) with their counts, a list of approvals and, beside it in an
 * AdwLeaflet, the chosen one: its record, its flow as a timeline and the
 * actions the user may take now, each asking for a comment. Everything
 * runs on the local store through core (kehu-approvals.h); a desktop
 * notification tells when something new waits for the user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-approvals-view"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-approval-timeline.h"
#include "kehu-approvals-view.h"
#include "kehu-record.h"
#include "kehu-sync.h"

#define PAGE_SIZE 100
#define REFRESH_SECONDS 60

struct _KehuApprovalsView
{
  GtkWidget          parent_instance;

  KehuStore         *store;
  KehuSchema        *schema;
  KehuContext       *ctx;
  char              *user_id;
  KehuApprovalsBox   box;
  guint              counts[KEHU_APPROVALS_N_BOXES];
  char              *next;
  char              *selected_id;
  JsonNode          *selected;
  GHashTable        *known_waiting;
  GHashTable        *refusals;      /* instance id → why the server refused our action (sync_refusals) */
  gboolean           loaded;
  guint              n_notified;
  guint              refresh_id;

  AdwToastOverlay   *toast_overlay;
  AdwLeaflet        *leaflet;
  GtkToggleButton   *waiting_button;
  GtkToggleButton   *handled_button;
  GtkToggleButton   *submitted_button;
  GtkToggleButton   *copied_button;
  GtkLabel          *waiting_label;
  GtkLabel          *handled_label;
  GtkLabel          *submitted_label;
  GtkLabel          *copied_label;
  GtkStack          *list_stack;
  GtkListBox        *list_box;
  AdwStatusPage     *empty_page;
  GtkStack          *detail_stack;
  GtkButton         *back_button;
  GtkLabel          *title_label;
  GtkLabel          *sync_label;
  AdwActionRow      *type_row;
  AdwActionRow      *submitter_row;
  AdwActionRow      *amount_row;
  AdwActionRow      *submitted_row;
  AdwActionRow      *status_row;
  KehuApprovalTimeline *timeline;
  GtkWidget         *approve_button;
  GtkWidget         *reject_button;
  GtkWidget         *transfer_button;
  GtkWidget         *withdraw_button;
  GtkWidget         *resubmit_button;
};

G_DEFINE_FINAL_TYPE (KehuApprovalsView, kehu_approvals_view, GTK_TYPE_WIDGET)

static void update_detail (KehuApprovalsView *self);

static const char *
member (JsonObject *object,
        const char *name)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      JSON_NODE_TYPE (json_object_get_member (object, name)) != JSON_NODE_VALUE)
    return NULL;
  return json_object_get_string_member (object, name);
}

static const char *
business_type_label (const char *type)
{
  if (g_strcmp0 (type, "contract") == 0)
    return _("Contract");
  if (g_strcmp0 (type, "payment") == 0)
    return _("Payment");
  if (g_strcmp0 (type, "invoice") == 0)
    return _("Invoice");
  return _("Request");
}

static const char *
status_label (const char *status)
{
  if (g_strcmp0 (status, "pending") == 0)
    return _("Pending");
  if (g_strcmp0 (status, "approved") == 0)
    return _("Approved");
  if (g_strcmp0 (status, "rejected") == 0)
    return _("Rejected");
  if (g_strcmp0 (status, "withdrawn") == 0)
    return _("Withdrawn");
  return _("Draft");
}

static const char *
status_class (const char *status)
{
  if (g_strcmp0 (status, "approved") == 0)
    return "success";
  if (g_strcmp0 (status, "rejected") == 0)
    return "error";
  if (g_strcmp0 (status, "pending") == 0)
    return "warning";
  return "dim-label";
}

/* Cents as "¥1,234,567.89". */
static char *
format_money (gint64 cents)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  guint64 value = cents < 0 ? -(guint64) cents : (guint64) cents;
  g_autofree char *yuan = g_strdup_printf ("%" G_GUINT64_FORMAT, value / 100);
  gsize len = strlen (yuan);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (digits, ',');
      g_string_append_c (digits, yuan[i]);
    }
  return g_strdup_printf ("%s¥%s.%02u", cents < 0 ? "−" : "", digits->str, (guint) (value % 100));
}

static char *
format_when (const char *iso)
{
  g_autoptr(GDateTime) utc = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
toast (KehuApprovalsView *self,
       const char        *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static GtkWidget *
row_label (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static gboolean
is_pending (KehuApprovalsView *self,
            const char        *instance_id)
{
  return instance_id != NULL && kehu_sync_is_pending (self->store, "approval_instances", instance_id);
}

static GtkWidget *
create_row (KehuApprovalsView *self,
            JsonObject        *instance)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title;
  const char *status = member (instance, "status");
  g_autofree char *amount = NULL;
  g_autofree char *when = format_when (member (instance, "submitted_at"));
  g_autofree char *line = NULL;

  title = row_label (member (instance, "title") ? member (instance, "title") : _("Untitled"), "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (top), title);
  /* Our action on it has not reached the server yet, or was refused. */
  if (is_pending (self, member (instance, "id")))
    {
      GtkWidget *mark = row_label (_("Pending sync"), "accent");

      gtk_widget_set_name (mark, "pending-sync");
      gtk_widget_set_tooltip_text (mark, _("Your action is kept on this computer and sent when the server can be reached"));
      gtk_box_append (GTK_BOX (top), mark);
    }
  else if (g_hash_table_contains (self->refusals, member (instance, "id")))
    {
      GtkWidget *mark = row_label (_("Not accepted"), "error");

      gtk_widget_set_name (mark, "refused");
      gtk_widget_set_tooltip_text (mark, g_hash_table_lookup (self->refusals, member (instance, "id")));
      gtk_box_append (GTK_BOX (top), mark);
    }
  gtk_box_append (GTK_BOX (top), row_label (status_label (status), status_class (status)));
  gtk_box_append (GTK_BOX (box), top);

  if (json_object_has_member (instance, "amount") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (instance, "amount")))
    amount = format_money (json_object_get_int_member (instance, "amount"));
  /* Translators: business type · submitter · amount */
  line = amount ? g_strdup_printf (_("%s · %s · %s"), business_type_label (member (instance, "business_type")),
                                   member (instance, "submitter_name") ?: "?", amount)
                /* Translators: business type · submitter */
                : g_strdup_printf (_("%s · %s"), business_type_label (member (instance, "business_type")),
                                   member (instance, "submitter_name") ?: "?");
  gtk_box_append (GTK_BOX (box), row_label (line, NULL));
  gtk_box_append (GTK_BOX (box), row_label (when, "dim-label"));

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, member (instance, "id"));
  return row;
}

static void
set_tab_label (GtkLabel   *label,
               const char *name,
               guint       count)
{
  /* Translators: an inbox tab: its name and how many approvals it holds */
  g_autofree char *text = g_strdup_printf (_("%s (%u)"), name, count);

  gtk_label_set_label (label, text);
}

static void
update_counts (KehuApprovalsView *self)
{
  g_autoptr(GError) error = NULL;

  if (!kehu_approvals_count (self->store, self->user_id, self->counts, &error))
    {
      g_warning ("Cannot count approvals: %s", error->message);
      return;
    }
  set_tab_label (self->waiting_label, C_("inbox tab", "Waiting"), self->counts[KEHU_APPROVALS_BOX_WAITING]);
  set_tab_label (self->handled_label, C_("inbox tab", "Handled"), self->counts[KEHU_APPROVALS_BOX_HANDLED]);
  set_tab_label (self->submitted_label, C_("inbox tab", "Submitted"), self->counts[KEHU_APPROVALS_BOX_SUBMITTED]);
  set_tab_label (self->copied_label, C_("inbox tab", "Copied"), self->counts[KEHU_APPROVALS_BOX_COPIED]);
}

static void
on_more_clicked_cb (KehuApprovalsView *self,
                    GtkButton         *button);

static void
append_page (KehuApprovalsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *after = g_steal_pointer (&self->next);
  GtkWidget *last = gtk_widget_get_last_child (GTK_WIDGET (self->list_box));
  JsonArray *array;

  /* The "show more" row goes; the next page takes its place. */
  if (last != NULL && g_strcmp0 (gtk_widget_get_name (last), "more") == 0)
    gtk_list_box_remove (self->list_box, last);

  list = kehu_approvals_list (self->store, self->user_id, self->box, after, PAGE_SIZE,
                              &self->next, &error);
  if (list == NULL)
    {
      toast (self, error->message);
      return;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      GtkWidget *row = create_row (self, json_array_get_object_element (array, i));

      gtk_list_box_append (self->list_box, row);
      if (g_strcmp0 (gtk_widget_get_name (row), self->selected_id) == 0)
        gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
    }

  if (self->next != NULL)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *button = gtk_button_new_with_label (_("Show More"));

      gtk_widget_add_css_class (button, "flat");
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_more_clicked_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), button);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_widget_set_name (row, "more");
      gtk_list_box_append (self->list_box, row);
    }
}

static void
on_more_clicked_cb (KehuApprovalsView *self,
                    GtkButton         *button)
{
  append_page (self);
}

static void
update_list (KehuApprovalsView *self)
{
  static const char * const empty_titles[] = {
    N_("Nothing Waiting for You"),
    N_("Nothing Handled Yet"),
    N_("Nothing Submitted Yet"),
    N_("Nothing Copied to You"),
  };
  static const char * const empty_descriptions[] = {
    N_("Contracts, payments and invoices that wait for your approval appear here."),
    N_("Approvals you approved, rejected or transferred appear here."),
    N_("Records you submitted for approval appear here, with where they stand."),
    N_("Approvals whose flow copies them to you appear here."),
  };
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_clear_pointer (&self->next, g_free);

  append_page (self);

  adw_status_page_set_title (self->empty_page, _(empty_titles[self->box]));
  adw_status_page_set_description (self->empty_page, _(empty_descriptions[self->box]));
  gtk_stack_set_visible_child_name (self->list_stack,
                                    gtk_widget_get_first_child (GTK_WIDGET (self->list_box)) ? "list" : "empty");
}

/* Announces approvals that started waiting for the user since the last
 * refresh (not those found at the first one). */
static void
check_new_waiting (KehuApprovalsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = kehu_approvals_list (self->store, self->user_id, KEHU_APPROVALS_BOX_WAITING,
                                                  NULL, 500, NULL, &error);
  g_autoptr(GHashTable) now_waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *newest = NULL;
  guint n_new = 0;
  JsonArray *array;

  if (list == NULL)
    return;

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *instance = json_array_get_object_element (array, i);
      const char *id = member (instance, "id");

      g_hash_table_add (now_waiting, g_strdup (id));
      if (self->loaded && !g_hash_table_contains (self->known_waiting, id))
        {
          n_new++;
          if (newest == NULL)
            newest = instance;
        }
    }

  if (n_new > 0)
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *body = NULL;
      GApplication *app = g_application_get_default ();

      if (n_new == 1)
        body = g_strdup_printf (_("%s “%s” from %s"),
                                business_type_label (member (newest, "business_type")),
                                member (newest, "title") ?: "",
                                member (newest, "submitter_name") ?: "?");
      else
        body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u approval waits for you",
                                             "%u approvals wait for you", n_new), n_new);
      notification = g_notification_new (n_new == 1 ? _("An Approval Waits for You")
                                                    : _("Approvals Wait for You"));
      g_notification_set_body (notification, body);
      if (app != NULL && g_application_get_is_registered (app))
        g_application_send_notification (app, "kehu-approvals-waiting", notification);
      self->n_notified += n_new;
    }

  g_clear_pointer (&self->known_waiting, g_hash_table_unref);
  self->known_waiting = g_steal_pointer (&now_waiting);
  self->loaded = TRUE;
}

/* The server's refusals of our actions, kept in the cache by the sync
 * (they outlive a restart); read once per refresh, not per row. */
static void
load_refusals (KehuApprovalsView *self)
{
  g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL,
    "SELECT record_id, message FROM sync_refusals WHERE module = 'approval_instances'", NULL);

  g_hash_table_remove_all (self->refusals);
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      g_hash_table_replace (self->refusals, g_strdup (member (row, "record_id")), g_strdup (member (row, "message")));
    }
}

void
kehu_approvals_view_refresh (KehuApprovalsView *self)
{
  g_return_if_fail (KEHU_IS_APPROVALS_VIEW (self));

  load_refusals (self);
  update_counts (self);
  update_list (self);
  check_new_waiting (self);
  if (self->selected_id != NULL)
    {
      g_autofree char *id = g_strdup (self->selected_id);

      kehu_approvals_view_select (self, id);
    }
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  KehuApprovalsView *self = user_data;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    kehu_approvals_view_refresh (self);
  return G_SOURCE_CONTINUE;
}

/* The detail pane */

static const char *
action_done_label (KehuApprovalAction action)
{
  static const char * const done[] = {
    [KEHU_APPROVAL_ACTION_APPROVE] = N_("Approved"),
    [KEHU_APPROVAL_ACTION_REJECT] = N_("Rejected"),
    [KEHU_APPROVAL_ACTION_TRANSFER] = N_("Transferred"),
    [KEHU_APPROVAL_ACTION_WITHDRAW] = N_("Withdrawn"),
    [KEHU_APPROVAL_ACTION_RESUBMIT] = N_("Resubmitted"),
  };

  return action < G_N_ELEMENTS (done) && done[action] ? _(done[action]) : "";
}

static void
set_row (AdwActionRow *row,
         const char   *value)
{
  adw_action_row_set_subtitle (row, value ? value : "");
}

static gboolean
detail_flag (KehuApprovalsView *self,
             const char        *name)
{
  return self->selected != NULL &&
         json_object_get_boolean_member_with_default (json_node_get_object (self->selected), name, FALSE);
}

static void
update_actions (KehuApprovalsView *self)
{
  /* One action at a time: the next waits for the server's answer. */
  gboolean pending = self->selected != NULL && is_pending (self, self->selected_id);
  gboolean can_act = !pending && detail_flag (self, "can_act");
  gboolean can_withdraw = !pending && detail_flag (self, "can_withdraw");
  gboolean can_resubmit = !pending && detail_flag (self, "can_resubmit");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "approvals.approve", can_act);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "approvals.reject", can_act);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "approvals.transfer", can_act);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "approvals.withdraw", can_withdraw);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "approvals.resubmit", can_resubmit);

  gtk_widget_set_visible (self->approve_button, can_act);
  gtk_widget_set_visible (self->reject_button, can_act);
  gtk_widget_set_visible (self->transfer_button, can_act);
  gtk_widget_set_visible (self->withdraw_button, can_withdraw);
  gtk_widget_set_visible (self->resubmit_button, can_resubmit);
}

static void
update_sync_label (KehuApprovalsView *self)
{
  const char *refusal = self->selected_id ? g_hash_table_lookup (self->refusals, self->selected_id) : NULL;
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "accent");
  gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "error");
  if (self->selected_id != NULL && is_pending (self, self->selected_id))
    {
      g_autofree char *action = kehu_sync_dup_pending_action (self->store, "approval_instances", self->selected_id);
      KehuApprovalAction a;

      /* Translators: %s is what the user did, e.g. "Approved" */
      text = g_strdup_printf (_("%s on this computer; pending sync: the server has not confirmed it yet."),
                              action && kehu_approval_action_from_string (action, &a) ? action_done_label (a)
                                                                                       : _("Changed"));
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "accent");
    }
  else if (refusal != NULL)
    {
      text = g_strdup_printf (_("The server did not accept your action: %s"), refusal);
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "error");
    }
  gtk_label_set_label (self->sync_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sync_label), text != NULL);
}

static void
update_detail (KehuApprovalsView *self)
{
  JsonObject *detail;
  const char *status;
  g_autofree char *when = NULL;
  g_autofree char *amount = NULL;

  if (self->selected == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      update_actions (self);
      return;
    }

  detail = json_node_get_object (self->selected);
  status = member (detail, "status");
  gtk_label_set_label (self->title_label, member (detail, "title") ?: _("Untitled"));
  set_row (self->type_row, business_type_label (member (detail, "business_type")));
  set_row (self->submitter_row, member (detail, "submitter_name"));
  if (json_object_has_member (detail, "amount") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (detail, "amount")))
    amount = format_money (json_object_get_int_member (detail, "amount"));
  set_row (self->amount_row, amount ? amount : "—");
  gtk_widget_set_visible (GTK_WIDGET (self->amount_row), amount != NULL);
  when = format_when (member (detail, "submitted_at"));
  set_row (self->submitted_row, when);
  set_row (self->status_row, status_label (status));

  kehu_approval_timeline_set_instances (self->timeline, self->selected);
  update_sync_label (self);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
  update_actions (self);
}

gboolean
kehu_approvals_view_select (KehuApprovalsView *self,
                            const char        *instance_id)
{
  g_autoptr(GError) error = NULL;
  JsonNode *detail;

  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), FALSE);

  detail = kehu_approvals_get_detail (self->store, instance_id, self->user_id, &error);
  if (detail == NULL)
    {
      toast (self, error->message);
      g_clear_pointer (&self->selected_id, g_free);
      g_clear_pointer (&self->selected, json_node_unref);
      update_detail (self);
      return FALSE;
    }

  if (self->selected_id != instance_id)
    {
      g_free (self->selected_id);
      self->selected_id = g_strdup (instance_id);
    }
  g_clear_pointer (&self->selected, json_node_unref);
  self->selected = detail;
  update_detail (self);

  /* The list shows which one is open, when it holds it. */
  gtk_list_box_unselect_all (self->list_box);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), instance_id) == 0)
      gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
  return TRUE;
}

static void
on_row_activated_cb (KehuApprovalsView *self,
                     GtkListBoxRow     *row)
{
  const char *id = gtk_widget_get_name (GTK_WIDGET (row));

  if (g_strcmp0 (id, "more") == 0)
    return;
  if (kehu_approvals_view_select (self, id))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_back_clicked_cb (KehuApprovalsView *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_folded_changed_cb (KehuApprovalsView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

static void
on_box_toggled_cb (KehuApprovalsView *self,
                   GtkToggleButton   *button)
{
  GtkToggleButton *buttons[] = { self->waiting_button, self->handled_button,
                                 self->submitted_button, self->copied_button };

  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (buttons[i] == button && self->box != i)
      {
        self->box = i;
        if (self->store != NULL)
          update_list (self);
      }
}

/* Actions and their comment dialog */

static void
do_act (KehuApprovalsView  *self,
        KehuApprovalAction  action,
        const char         *comment,
        const char         *target)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (self->selected_id);

  if (id == NULL || self->ctx == NULL || self->user_id == NULL)
    return;

  kehu_context_set_user_id (self->ctx, self->user_id);
  kehu_context_set_now (self->ctx, NULL);
  /* On a client cache the action is queued for the server (pending). */
  if (!kehu_sync_approval_act (self->ctx, id, action, comment && *comment ? comment : NULL, target, &error))
    {
      toast (self, error->message);
      kehu_approvals_view_refresh (self);
      return;
    }
  g_hash_table_remove (self->refusals, id);
  toast (self, action_done_label (action));
  kehu_approvals_view_refresh (self);
  /* Queued for the server: send it now when the server can be reached. */
  if (is_pending (self, id))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.sync-now", NULL);
}

typedef struct
{
  KehuApprovalsView  *self;
  KehuApprovalAction  action;
  GtkEditable        *comment;
  GtkDropDown        *target;
  GPtrArray          *target_ids;
} DialogData;

static void
dialog_data_free (DialogData *data)
{
  g_clear_pointer (&data->target_ids, g_ptr_array_unref);
  g_object_unref (data->self);
  g_free (data);
}

static void
on_dialog_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       DialogData       *data)
{
  const char *target = NULL;

  if (g_strcmp0 (response, "cancel") == 0 || g_strcmp0 (response, "close") == 0)
    return;

  if (data->target != NULL)
    {
      guint i = gtk_drop_down_get_selected (data->target);

      if (i == GTK_INVALID_LIST_POSITION || i >= data->target_ids->len)
        return;
      target = g_ptr_array_index (data->target_ids, i);
    }
  do_act (data->self, data->action, gtk_editable_get_text (data->comment), target);
}

/* Enabled users other than me and the submitter, for a transfer. */
static GtkDropDown *
create_user_picker (KehuApprovalsView *self,
                    GPtrArray         *ids)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  sqlite3_stmt *stmt = NULL;
  const char *submitter = member (json_node_get_object (self->selected), "submitter_id");
  GtkWidget *drop_down;

  if (sqlite3_prepare_v2 (kehu_store_get_db (self->store),
                          "SELECT id, name FROM users WHERE is_enabled = 1 AND deleted_at IS NULL"
                          " AND id != ?1 AND id != ?2 ORDER BY name, id", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, self->user_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, submitter, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
          gtk_string_list_append (names, (const char *) sqlite3_column_text (stmt, 1));
        }
    }
  sqlite3_finalize (stmt);

  drop_down = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&names)), NULL);
  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop_down), TRUE);
  return GTK_DROP_DOWN (drop_down);
}

static void
open_dialog (KehuApprovalsView  *self,
             KehuApprovalAction  action)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *title = member (json_node_get_object (self->selected), "title") ?: "";
  g_autofree char *heading = NULL;
  const char *label = NULL;
  AdwResponseAppearance appearance = ADW_RESPONSE_DEFAULT;
  AdwMessageDialog *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *entry = gtk_entry_new ();
  DialogData *data = g_new0 (DialogData, 1);

  switch (action)
    {
    case KEHU_APPROVAL_ACTION_APPROVE:
      heading = g_strdup_printf (_("Approve “%s”?"), title);
      label = _("_Approve");
      appearance = ADW_RESPONSE_SUGGESTED;
      break;
    case KEHU_APPROVAL_ACTION_REJECT:
      heading = g_strdup_printf (_("Reject “%s”?"), title);
      label = _("_Reject");
      appearance = ADW_RESPONSE_DESTRUCTIVE;
      break;
    case KEHU_APPROVAL_ACTION_TRANSFER:
      heading = g_strdup_printf (_("Transfer “%s”"), title);
      label = _("_Transfer");
      appearance = ADW_RESPONSE_SUGGESTED;
      break;
    case KEHU_APPROVAL_ACTION_WITHDRAW:
      heading = g_strdup_printf (_("Withdraw “%s”?"), title);
      label = _("_Withdraw");
      appearance = ADW_RESPONSE_DESTRUCTIVE;
      break;
    case KEHU_APPROVAL_ACTION_RESUBMIT:
    default:
      heading = g_strdup_printf (_("Resubmit “%s”?"), title);
      label = _("Re_submit");
      appearance = ADW_RESPONSE_SUGGESTED;
      break;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, NULL));
  adw_message_dialog_set_body (dialog,
                               action == KEHU_APPROVAL_ACTION_REJECT
                               ? _("The record goes back to its submitter. Say what should change.")
                               : action == KEHU_APPROVAL_ACTION_TRANSFER
                               ? _("Hand your place in this approval to another user, who decides instead of you.")
                               : _("Your comment is kept in the approval history."));
  data->self = g_object_ref (self);
  data->action = action;

  if (action == KEHU_APPROVAL_ACTION_TRANSFER)
    {
      data->target_ids = g_ptr_array_new_with_free_func (g_free);
      data->target = create_user_picker (self, data->target_ids);
      gtk_accessible_update_property (GTK_ACCESSIBLE (data->target),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Transfer to"), -1);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (data->target));
    }
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Comment"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  data->comment = GTK_EDITABLE (entry);
  gtk_box_append (GTK_BOX (box), entry);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "ok", label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "ok", appearance);
  adw_message_dialog_set_default_response (dialog, "ok");
  adw_message_dialog_set_close_response (dialog, "cancel");
  if (data->target_ids != NULL && data->target_ids->len == 0)
    adw_message_dialog_set_response_enabled (dialog, "ok", FALSE);

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_dialog_response_cb), data,
                         (GClosureNotify) (void (*) (void)) dialog_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_cb (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  KehuApprovalsView *self = KEHU_APPROVALS_VIEW (widget);
  KehuApprovalAction action;

  if (self->selected == NULL ||
      !kehu_approval_action_from_string (action_name + strlen ("approvals."), &action))
    return;
  open_dialog (self, action);
}

/* Overrides */

static void
kehu_approvals_view_map (GtkWidget *widget)
{
  KehuApprovalsView *self = KEHU_APPROVALS_VIEW (widget);

  GTK_WIDGET_CLASS (kehu_approvals_view_parent_class)->map (widget);

  /* Coming back to the page shows what changed meanwhile. */
  if (self->store != NULL && self->loaded)
    kehu_approvals_view_refresh (self);
}

static void
kehu_approvals_view_dispose (GObject *object)
{
  KehuApprovalsView *self = KEHU_APPROVALS_VIEW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), KEHU_TYPE_APPROVALS_VIEW);

  G_OBJECT_CLASS (kehu_approvals_view_parent_class)->dispose (object);
}

static void
kehu_approvals_view_finalize (GObject *object)
{
  KehuApprovalsView *self = KEHU_APPROVALS_VIEW (object);

  g_clear_object (&self->ctx);
  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->next, g_free);
  g_clear_pointer (&self->selected_id, g_free);
  g_clear_pointer (&self->selected, json_node_unref);
  g_clear_pointer (&self->known_waiting, g_hash_table_unref);
  g_clear_pointer (&self->refusals, g_hash_table_unref);

  G_OBJECT_CLASS (kehu_approvals_view_parent_class)->finalize (object);
}

static void
kehu_approvals_view_class_init (KehuApprovalsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_approvals_view_dispose;
  object_class->finalize = kehu_approvals_view_finalize;
  widget_class->map = kehu_approvals_view_map;

  g_type_ensure (KEHU_TYPE_APPROVAL_TIMELINE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-approvals-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, waiting_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, handled_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, submitted_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, copied_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, handled_label);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, submitted_label);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, copied_label);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, list_box);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, back_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, title_label);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, sync_label);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, type_row);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, submitter_row);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, amount_row);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, submitted_row);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, status_row);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, timeline);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, approve_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, reject_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, transfer_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, withdraw_button);
  gtk_widget_class_bind_template_child (widget_class, KehuApprovalsView, resubmit_button);
  gtk_widget_class_bind_template_callback (widget_class, on_box_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);

  gtk_widget_class_install_action (widget_class, "approvals.approve", NULL, action_cb);
  gtk_widget_class_install_action (widget_class, "approvals.reject", NULL, action_cb);
  gtk_widget_class_install_action (widget_class, "approvals.transfer", NULL, action_cb);
  gtk_widget_class_install_action (widget_class, "approvals.withdraw", NULL, action_cb);
  gtk_widget_class_install_action (widget_class, "approvals.resubmit", NULL, action_cb);
}

static void
kehu_approvals_view_init (KehuApprovalsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->known_waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->refusals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect_object (self->leaflet, "notify::folded",
                           G_CALLBACK (on_folded_changed_cb), self, G_CONNECT_SWAPPED);
  update_actions (self);
}

/* Public API */

GtkWidget *
kehu_approvals_view_new (KehuStore  *store,
                         const char *user_id)
{
  g_autoptr(GError) error = NULL;
  KehuApprovalsView *self;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  self = g_object_new (KEHU_TYPE_APPROVALS_VIEW, NULL);
  self->store = g_object_ref (store);
  self->schema = kehu_schema_new (store, &error);
  if (self->schema == NULL)
    g_warning ("Cannot read the schema of the store: %s", error->message);
  g_clear_error (&error);

  if (user_id != NULL)
    self->user_id = g_strdup (user_id);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      self->user_id = kehu_approvals_dup_local_user (store, now, &error);
      if (self->user_id == NULL)
        g_warning ("Cannot tell who you are on this store: %s", error->message);
    }
  if (self->schema != NULL)
    self->ctx = kehu_context_new (self->schema, self->user_id);

  kehu_approvals_view_refresh (self);
  self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, refresh_timeout_cb, self);
  return GTK_WIDGET (self);
}

GtkWidget *
kehu_approvals_view_create_page (const KehuPageInfo *info)
{
  GApplication *app = g_application_get_default ();
  KehuStore *store = KEHU_IS_APPLICATION (app) ? kehu_application_get_store (KEHU_APPLICATION (app)) : NULL;

  if (store == NULL)
    return g_object_new (ADW_TYPE_STATUS_PAGE,
                         "icon-name", info->icon_name,
                         "title", _(info->empty_title),
                         "description", _(info->empty_description),
                         NULL);
  return kehu_approvals_view_new (store, NULL);
}

const char *
kehu_approvals_view_get_user_id (KehuApprovalsView *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), NULL);
  return self->user_id;
}

KehuApprovalsBox
kehu_approvals_view_get_box (KehuApprovalsView *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), 0);
  return self->box;
}

void
kehu_approvals_view_set_box (KehuApprovalsView *self,
                             KehuApprovalsBox   box)
{
  GtkToggleButton *buttons[] = { self->waiting_button, self->handled_button,
                                 self->submitted_button, self->copied_button };

  g_return_if_fail (KEHU_IS_APPROVALS_VIEW (self));
  g_return_if_fail (box < KEHU_APPROVALS_N_BOXES);

  gtk_toggle_button_set_active (buttons[box], TRUE);
}

guint
kehu_approvals_view_get_count (KehuApprovalsView *self,
                               KehuApprovalsBox   box)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), 0);
  g_return_val_if_fail (box < KEHU_APPROVALS_N_BOXES, 0);
  return self->counts[box];
}

GStrv
kehu_approvals_view_dup_listed (KehuApprovalsView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), "more") != 0)
      g_strv_builder_add (builder, gtk_widget_get_name (row));
  return g_strv_builder_end (builder);
}

const char *
kehu_approvals_view_get_selected (KehuApprovalsView *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), NULL);
  return self->selected_id;
}

GtkWidget *
kehu_approvals_view_get_timeline (KehuApprovalsView *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), NULL);
  return GTK_WIDGET (self->timeline);
}

guint
kehu_approvals_view_get_n_notified (KehuApprovalsView *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), 0);
  return self->n_notified;
}

/**
 * kehu_approvals_view_show_refusal:
 * @instance_id: the approval the server refused our action on
 * @message: the server's reason
 *
 * Tells the user why and shows the instance as the server has it. The sync
 * already wrote both the instance and the refusal, which marks the item
 * until the user acts on it again.
 */
void
kehu_approvals_view_show_refusal (KehuApprovalsView *self,
                                  const char        *instance_id,
                                  const char        *message)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) instance = NULL;
  const char *title = NULL;

  g_return_if_fail (KEHU_IS_APPROVALS_VIEW (self));
  g_return_if_fail (instance_id != NULL);

  instance = kehu_approvals_get_instance (self->store, instance_id, self->user_id, NULL);
  if (instance != NULL)
    title = member (json_node_get_object (instance), "title");
  text = g_strdup_printf (_("The server did not accept your action on “%s”: %s"),
                          title ? title : _("Untitled"), message ? message : "");
  toast (self, text);
  kehu_approvals_view_refresh (self);
}

/* The refusal the item is marked with, or NULL. */
const char *
kehu_approvals_view_get_refusal (KehuApprovalsView *self,
                                 const char        *instance_id)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), NULL);
  return g_hash_table_lookup (self->refusals, instance_id);
}

GtkWidget *
kehu_approvals_view_get_sync_label (KehuApprovalsView *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVALS_VIEW (self), NULL);
  return GTK_WIDGET (self->sync_label);
}
