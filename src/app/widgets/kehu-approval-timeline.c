/* kehu-approval-timeline.c: the approval history of a record, as steps
 *
 * A vertical timeline: the submission, then each stage of the flow with
 * who decides it, its state, when and with which comment; a dot per step
 * joined by a line. Below, the full list of actions (transfers,
 * withdrawals and resubmissions included). Used by the Approvals page and
 * the detail pages of contracts, payments and invoices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-approval-timeline"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-approvals.h"
#include "kehu-approval-timeline.h"

struct _KehuApprovalTimeline
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  guint      n_steps;
};

G_DEFINE_FINAL_TYPE (KehuApprovalTimeline, kehu_approval_timeline, GTK_TYPE_WIDGET)

static const char *
member (JsonObject *object,
        const char *name)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      JSON_NODE_TYPE (json_object_get_member (object, name)) != JSON_NODE_VALUE)
    return NULL;
  return json_object_get_string_member (object, name);
}

/* "2026-11-02T09:00:00Z" in the user's time zone. */
static char *
format_when (const char *iso)
{
  g_autoptr(GDateTime) utc = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static GtkWidget *
label_new (const char *text,
           const char *css_class,
           gboolean    wrap)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), wrap);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (css_class)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* One step: a dot (an icon in the state's colour) over a line to the next
 * step, and beside it a title, a state, a time and a comment. */
static void
add_step (KehuApprovalTimeline *self,
          const char           *icon_name,
          const char           *colour_class,
          const char           *title,
          const char           *state,
          const char           *when,
          const char           *comment,
          gboolean              last)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *rail = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *dot = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *heading = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *title_label = label_new (title, "heading", TRUE);

  gtk_widget_set_valign (dot, GTK_ALIGN_START);
  gtk_widget_set_margin_top (dot, 2);
  if (colour_class)
    gtk_widget_add_css_class (dot, colour_class);
  gtk_box_append (GTK_BOX (rail), dot);
  if (!last)
    {
      GtkWidget *line = gtk_separator_new (GTK_ORIENTATION_VERTICAL);

      gtk_widget_set_vexpand (line, TRUE);
      gtk_widget_set_halign (line, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (rail), line);
    }
  gtk_box_append (GTK_BOX (row), rail);

  gtk_widget_set_hexpand (title_label, TRUE);
  gtk_box_append (GTK_BOX (heading), title_label);
  if (when)
    gtk_box_append (GTK_BOX (heading), label_new (when, "dim-label", FALSE));
  gtk_box_append (GTK_BOX (text), heading);
  if (state)
    {
      GtkWidget *state_label = label_new (state, colour_class, TRUE);

      gtk_box_append (GTK_BOX (text), state_label);
    }
  if (comment && *comment)
    {
      g_autofree char *quoted = g_strdup_printf (_("“%s”"), comment);

      gtk_box_append (GTK_BOX (text), label_new (quoted, "dim-label", TRUE));
    }
  gtk_widget_set_margin_bottom (text, last ? 0 : 14);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (row), text);

  gtk_widget_add_css_class (row, "kehu-approval-step");
  gtk_box_append (GTK_BOX (self->box), row);
  self->n_steps++;
}

static char *
join_names (JsonArray *users)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; users && i < json_array_get_length (users); i++)
    {
      const char *name = member (json_array_get_object_element (users, i), "name");

      if (names->len > 0)
        /* Translators: between names of approvers */
        g_string_append (names, _(", "));
      g_string_append (names, name ? name : "?");
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static const char *
action_label (const char *action)
{
  if (g_strcmp0 (action, "submit") == 0)
    return _("Submitted");
  if (g_strcmp0 (action, "approve") == 0)
    return _("Approved");
  if (g_strcmp0 (action, "reject") == 0)
    return _("Rejected");
  if (g_strcmp0 (action, "transfer") == 0)
    return _("Transferred");
  if (g_strcmp0 (action, "withdraw") == 0)
    return _("Withdrawn");
  if (g_strcmp0 (action, "resubmit") == 0)
    return _("Resubmitted");
  return action;
}

static void
add_stage (KehuApprovalTimeline *self,
           JsonObject           *stage,
           guint                 index,
           gboolean              last)
{
  JsonArray *slots = json_object_get_array_member (stage, "slots");
  const char *status = member (stage, "status");
  const char *mode = member (stage, "mode");
  gboolean current = json_object_get_boolean_member_with_default (stage, "current", FALSE);
  g_autoptr(GString) who = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *state = NULL;
  g_autofree char *when = NULL;
  g_autoptr(GString) comments = g_string_new (NULL);
  const char *icon = "radio-symbolic";
  const char *colour = "dim-label";
  const char *deciders = NULL;
  g_autoptr(GString) by = g_string_new (NULL);
  const char *last_at = NULL;

  for (guint i = 0; slots && i < json_array_get_length (slots); i++)
    {
      JsonObject *slot = json_array_get_object_element (slots, i);
      g_autofree char *names = join_names (json_object_get_array_member (slot, "users"));
      const char *comment = member (slot, "comment");

      if (who->len > 0)
        g_string_append (who, _(", "));
      if (member (slot, "role_name"))
        /* Translators: a role, then who holds it */
        g_string_append_printf (who, _("%s (%s)"), member (slot, "role_name"), names);
      else
        g_string_append (who, names);
      if (member (slot, "by_name"))
        {
          if (by->len > 0)
            g_string_append (by, _(", "));
          g_string_append (by, member (slot, "by_name"));
          if (g_strcmp0 (member (slot, "at"), last_at) > 0)
            last_at = member (slot, "at");
        }
      if (comment && *comment)
        {
          if (comments->len > 0)
            g_string_append (comments, "\n");
          g_string_append (comments, comment);
        }
    }
  deciders = by->len > 0 ? by->str : NULL;

  if (slots && json_array_get_length (slots) > 1)
    {
      if (g_strcmp0 (mode, "any") == 0)
        /* Translators: step %u of a flow, then the approvers of a parallel step where one suffices */
        title = g_strdup_printf (_("Step %u · any of %s"), index, who->str);
      else
        /* Translators: step %u of a flow, then the approvers of a parallel step where all must approve */
        title = g_strdup_printf (_("Step %u · all of %s"), index, who->str);
    }
  else
    title = g_strdup_printf (_("Step %u · %s"), index, who->str);

  if (g_strcmp0 (status, "approved") == 0)
    {
      icon = "emblem-ok-symbolic";
      colour = "success";
      state = g_strdup_printf (_("Approved by %s"), deciders ? deciders : "?");
    }
  else if (g_strcmp0 (status, "rejected") == 0)
    {
      icon = "window-close-symbolic";
      colour = "error";
      state = g_strdup_printf (_("Rejected by %s"), deciders ? deciders : "?");
    }
  else if (g_strcmp0 (status, "skipped") == 0)
    {
      icon = "go-next-symbolic";
      state = g_strdup (g_strcmp0 (member (stage, "reason"), "submitter") == 0
                        ? _("Skipped: the submitter approves nothing of their own")
                        : _("Skipped: nobody available"));
    }
  else if (g_strcmp0 (status, "withdrawn") == 0)
    {
      icon = "edit-undo-symbolic";
      state = g_strdup (_("Withdrawn while waiting here"));
    }
  else if (current)
    {
      icon = "alarm-symbolic";
      colour = "warning";
      state = deciders ? g_strdup_printf (_("Waiting · approved so far by %s"), deciders)
                       : g_strdup (_("Waiting"));
    }
  else
    state = g_strdup (_("Not reached yet"));

  when = format_when (last_at);
  add_step (self, icon, colour, title, state, when,
            comments->len > 0 ? comments->str : NULL, last);
}

static void
add_instance (KehuApprovalTimeline *self,
              JsonObject           *instance,
              gboolean              with_heading)
{
  JsonArray *stages = json_object_get_array_member (instance, "stages");
  JsonArray *actions = json_object_get_array_member (instance, "actions");
  JsonObject *first = NULL;
  const char *submitter = member (instance, "submitter_name");
  g_autofree char *when = NULL;
  g_autofree char *title = NULL;
  guint n_stages = stages ? json_array_get_length (stages) : 0;
  GtkWidget *history;

  if (with_heading)
    {
      GtkWidget *label = label_new (member (instance, "title") ?: "", "title-4", TRUE);

      gtk_widget_set_margin_top (label, self->n_steps > 0 ? 18 : 0);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_box_append (GTK_BOX (self->box), label);
    }

  /* The latest (re)submission starts the steps of the current round. */
  for (guint i = 0; actions && i < json_array_get_length (actions); i++)
    {
      JsonObject *a = json_array_get_object_element (actions, i);

      if (g_strcmp0 (member (a, "action"), "submit") == 0 ||
          g_strcmp0 (member (a, "action"), "resubmit") == 0)
        first = a;
    }
  when = format_when (first ? member (first, "at") : member (instance, "submitted_at"));
  title = g_strdup_printf (g_strcmp0 (member (first, "action"), "resubmit") == 0
                           ? _("Resubmitted by %s") : _("Submitted by %s"),
                           submitter ? submitter : "?");
  add_step (self, "document-send-symbolic", "accent", title, NULL, when,
            first ? member (first, "comment") : NULL, n_stages == 0);

  for (guint i = 0; i < n_stages; i++)
    add_stage (self, json_array_get_object_element (stages, i), i + 1, i + 1 == n_stages);

  /* Every action, in order, for what the steps do not show. */
  if (actions && json_array_get_length (actions) > 1)
    {
      GtkWidget *expander;

      history = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
      for (guint i = 0; i < json_array_get_length (actions); i++)
        {
          JsonObject *a = json_array_get_object_element (actions, i);
          g_autofree char *at = format_when (member (a, "at"));
          g_autofree char *line = NULL;

          if (member (a, "target_name"))
            /* Translators: time, who, action ("Transferred"), to whom */
            line = g_strdup_printf (_("%s  %s · %s to %s"), at ?: "", member (a, "user_name") ?: "?",
                                    action_label (member (a, "action")), member (a, "target_name"));
          else
            /* Translators: time, who, action ("Approved") */
            line = g_strdup_printf (_("%s  %s · %s"), at ?: "", member (a, "user_name") ?: "?",
                                    action_label (member (a, "action")));
          if (member (a, "comment") && *member (a, "comment"))
            {
              g_autofree char *with = g_strdup_printf (_("%s: “%s”"), line, member (a, "comment"));

              g_free (line);
              line = g_steal_pointer (&with);
            }
          gtk_box_append (GTK_BOX (history), label_new (line, "caption", TRUE));
        }
      expander = gtk_expander_new (_("All actions"));
      gtk_expander_set_child (GTK_EXPANDER (expander), history);
      gtk_widget_set_margin_top (expander, 8);
      gtk_box_append (GTK_BOX (self->box), expander);
    }
}

static void
clear (KehuApprovalTimeline *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);
  self->n_steps = 0;
}

static void
kehu_approval_timeline_dispose (GObject *object)
{
  KehuApprovalTimeline *self = KEHU_APPROVAL_TIMELINE (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (kehu_approval_timeline_parent_class)->dispose (object);
}

static void
kehu_approval_timeline_class_init (KehuApprovalTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_approval_timeline_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "approval-timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LIST);
}

static void
kehu_approval_timeline_init (KehuApprovalTimeline *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  /* Steps keep their natural height; the lines only join them. */
  gtk_widget_set_valign (self->box, GTK_ALIGN_START);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

GtkWidget *
kehu_approval_timeline_new (void)
{
  return g_object_new (KEHU_TYPE_APPROVAL_TIMELINE, NULL);
}

void
kehu_approval_timeline_set_instances (KehuApprovalTimeline *self,
                                      JsonNode             *instances)
{
  g_return_if_fail (KEHU_IS_APPROVAL_TIMELINE (self));

  clear (self);

  if (instances != NULL && JSON_NODE_HOLDS_OBJECT (instances))
    {
      add_instance (self, json_node_get_object (instances), FALSE);
      return;
    }

  if (instances == NULL || !JSON_NODE_HOLDS_ARRAY (instances) ||
      json_array_get_length (json_node_get_array (instances)) == 0)
    {
      gtk_box_append (GTK_BOX (self->box),
                      label_new (_("Not submitted for approval yet."), "dim-label", TRUE));
      return;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (instances)); i++)
    add_instance (self, json_array_get_object_element (json_node_get_array (instances), i),
                  json_array_get_length (json_node_get_array (instances)) > 1);
}

gboolean
kehu_approval_timeline_set_history (KehuApprovalTimeline *self,
                                    KehuStore            *store,
                                    const char           *module,
                                    const char           *record_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) history = NULL;

  g_return_val_if_fail (KEHU_IS_APPROVAL_TIMELINE (self), FALSE);
  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  history = kehu_approvals_history (store, module, record_id, &error);
  if (history == NULL)
    {
      clear (self);
      gtk_box_append (GTK_BOX (self->box), label_new (error->message, "error", TRUE));
      return FALSE;
    }
  kehu_approval_timeline_set_instances (self, history);
  return TRUE;
}

guint
kehu_approval_timeline_get_n_steps (KehuApprovalTimeline *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVAL_TIMELINE (self), 0);

  return self->n_steps;
}
