/* kehu-tasks-view.c: my tasks and schedules
 *
 * Tasks grouped as SPEC.md §8 asks: inbox (no due date), today (overdue
 * ones too, marked), next (the coming 7 days) and later, then the ones done
 * recently. The pane beside the list edits one task: name, description, due
 * date, priority, tags, participants, subtasks, comments and the records it
 * is about. A second tab lists the schedule entries by day.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kehu-display.h"
#include "kehu-record-editor.h"
#include "kehu-tasks-view-private.h"

struct _KehuTasksView
{
  GtkWidget     parent_instance;

  KehuStore    *store;
  KehuSchema   *schema;
  char         *user_id;
  char         *selected_id;
  gboolean      filling;

  GtkWidget    *main_box;
  AdwViewStack *view_stack;
  AdwLeaflet   *leaflet;
  GtkListBox   *task_list;
  AdwEntryRow  *new_task_row;
  GtkStack     *pane_stack;
  GtkBox       *pane_box;
  GtkListBox   *schedule_list;

  /* the pane */
  GtkWidget    *name_row;
  GtkWidget    *description_row;
  GtkWidget    *due_row;
  GtkWidget    *priority_row;
  GtkWidget    *tags_row;
  GtkWidget    *pane_error;
};

G_DEFINE_FINAL_TYPE (KehuTasksView, kehu_tasks_view, GTK_TYPE_WIDGET)

static const char * const priorities[] = { "none", "low", "medium", "high", NULL };

static void select_task (KehuTasksView *self,
                         const char    *task_id);

static KehuContext *
new_context (KehuTasksView *self)
{
  return kehu_context_new (self->schema, self->user_id);
}

static const char *
str_member (JsonObject *object,
            const char *name)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      json_object_get_null_member (object, name) ||
      json_node_get_value_type (json_object_get_member (object, name)) != G_TYPE_STRING)
    return NULL;
  return json_object_get_string_member (object, name);
}

static void
toast (KehuTasksView *self,
       const char    *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_debug ("Toast: %s", message);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
  else
    g_message ("%s", message);
}

static void
remove_all (GtkWidget *container)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (container)) != NULL)
    {
      if (GTK_IS_LIST_BOX (container))
        gtk_list_box_remove (GTK_LIST_BOX (container), child);
      else
        gtk_box_remove (GTK_BOX (container), child);
    }
}

static const char *
group_title (int group)
{
  switch (group)
    {
    case KEHU_TASK_GROUP_INBOX: return _("Inbox");
    case KEHU_TASK_GROUP_TODAY: return _("Today");
    case KEHU_TASK_GROUP_NEXT: return _("Next 7 Days");
    case KEHU_TASK_GROUP_LATER: return _("Later");
    default: return _("Done");
    }
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  int group = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "kehu-group"));
  int prev = before ? GPOINTER_TO_INT (g_object_get_data (G_OBJECT (before), "kehu-group")) : -1;

  if (group != prev)
    {
      GtkWidget *label = gtk_label_new (group_title (group - 1));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_set_margin_top (label, prev < 0 ? 0 : 12);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_widget_set_margin_start (label, 6);
      gtk_list_box_row_set_header (row, label);
    }
  else
    gtk_list_box_row_set_header (row, NULL);
}

static gboolean
reload_idle_cb (gpointer user_data)
{
  kehu_tasks_view_reload (KEHU_TASKS_VIEW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_done_toggled_cb (GtkCheckButton *check,
                    KehuTasksView  *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  const char *id = g_object_get_data (G_OBJECT (check), "kehu-task-id");

  if (self->filling)
    return;

  ctx = new_context (self);
  if (!kehu_admin_set_task_done (ctx, id, gtk_check_button_get_active (check), &error))
    {
      toast (self, error->message);
      return;
    }

  /* Reload from idle: the check button that fired is about to go away. */
  g_idle_add_full (G_PRIORITY_DEFAULT, reload_idle_cb, g_object_ref (self), g_object_unref);
}

static GtkWidget *
task_row (KehuTasksView *self,
          JsonObject    *task,
          int            group,
          gboolean       overdue)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  const char *id = str_member (task, "id");
  const char *priority = str_member (task, "priority");
  const char *due = str_member (task, "due_at");
  gboolean done = g_strcmp0 (str_member (task, "status"), "done") == 0;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *check_label = g_strdup_printf (_("Mark “%s” done"), str_member (task, "name"));
  gint64 n_sub = json_object_get_int_member_with_default (task, "n_sub", 0);
  gint64 n_sub_done = json_object_get_int_member_with_default (task, "n_sub_done", 0);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (task, "name"));

  if (due != NULL)
    {
      g_autofree char *when = kehu_display_time (due);
      g_string_append (subtitle, when);
    }
  if (priority != NULL && !g_str_equal (priority, "none"))
    {
      g_autofree char *p = g_strdup_printf (_("%s priority"), kehu_display_enum (priority));
      if (subtitle->len)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, p);
    }
  if (n_sub > 0)
    {
      g_autofree char *s = g_strdup_printf (_("%d of %d subtasks done"), (int) n_sub_done, (int) n_sub);
      if (subtitle->len)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, s);
    }
  if (subtitle->len)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);

  if (overdue && !done)
    {
      GtkWidget *badge = gtk_label_new (_("Overdue"));
      gtk_widget_add_css_class (badge, "error");
      gtk_widget_add_css_class (badge, "caption-heading");
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }
  if (g_strcmp0 (priority, "high") == 0 && !done)
    {
      GtkWidget *flag = gtk_image_new_from_icon_name ("emblem-important-symbolic");
      gtk_widget_add_css_class (flag, "warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (flag), GTK_ACCESSIBLE_PROPERTY_LABEL, _("High priority"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), flag);
    }

  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), done);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (check, check_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, check_label, -1);
  g_object_set_data_full (G_OBJECT (check), "kehu-task-id", g_strdup (id), g_free);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_done_toggled_cb), self, 0);
  gtk_widget_set_name (check, "done");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  if (done)
    gtk_widget_add_css_class (row, "dim-label");

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, id);
  g_object_set_data (G_OBJECT (row), "kehu-group", GINT_TO_POINTER (group + 1));
  return row;
}

static void
fill_tasks (KehuTasksView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) tasks = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  GPtrArray *groups[5];

  self->filling = TRUE;
  remove_all (GTK_WIDGET (self->task_list));

  tasks = kehu_admin_query (self->store, &error,
    "SELECT t.id, t.name, t.due_at, t.priority, t.status, t.done_at,"
    " (SELECT count (*) FROM tasks s WHERE s.parent_id = t.id AND s.deleted_at IS NULL) AS n_sub,"
    " (SELECT count (*) FROM tasks s WHERE s.parent_id = t.id AND s.deleted_at IS NULL AND s.status = 'done') AS n_sub_done "
    "FROM tasks t WHERE t.parent_id IS NULL AND t.deleted_at IS NULL "
    "AND (?1 IS NULL OR t.owner_id = ?1 OR t.owner_id IS NULL "
    "     OR t.id IN (SELECT task_id FROM task_participants WHERE user_id = ?1)) "
    "AND (t.status = 'todo' OR t.done_at >= strftime ('%Y-%m-%dT%H:%M:%SZ', 'now', '-14 days')) "
    "ORDER BY t.due_at IS NULL, t.due_at, "
    " CASE t.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, t.position",
    self->user_id, NULL);
  if (tasks == NULL)
    {
      toast (self, error->message);
      self->filling = FALSE;
      return;
    }

  for (guint g = 0; g < 5; g++)
    groups[g] = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      gboolean overdue = FALSE;
      int group;

      if (g_strcmp0 (str_member (task, "status"), "done") == 0)
        group = 4;
      else
        group = kehu_task_group_for_due (str_member (task, "due_at"), now, tz, &overdue);
      g_ptr_array_add (groups[group], task_row (self, task, group, overdue));
    }

  for (guint g = 0; g < 5; g++)
    {
      for (guint i = 0; i < groups[g]->len; i++)
        gtk_list_box_append (self->task_list, g_ptr_array_index (groups[g], i));
      g_ptr_array_unref (groups[g]);
    }

  if (json_array_get_length (tasks) == 0)
    {
      GtkWidget *empty = gtk_label_new (_("Nothing to do. Add a task above; follow-ups with a next contact time appear under Schedules."));
      gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_widget_set_margin_top (empty, 24);
      gtk_list_box_append (self->task_list, empty);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (empty)), FALSE);
    }

  self->filling = FALSE;
}

/* Schedules by day ------------------------------------------------------------------ */

static void
schedule_header_func (GtkListBoxRow *row,
                      GtkListBoxRow *before,
                      gpointer       user_data)
{
  const char *day = g_object_get_data (G_OBJECT (row), "kehu-day");
  const char *prev = before ? g_object_get_data (G_OBJECT (before), "kehu-day") : NULL;

  if (day != NULL && g_strcmp0 (day, prev) != 0)
    {
      GtkWidget *label = gtk_label_new (day);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_widget_set_margin_start (label, 12);
      gtk_list_box_row_set_header (row, label);
    }
  else
    gtk_list_box_row_set_header (row, NULL);
}

static char *
day_title (GDateTime *local,
           GDateTime *today)
{
  g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
  int diff = g_date_time_get_day_of_year (local) - g_date_time_get_day_of_year (today);

  if (g_date_time_get_year (local) == g_date_time_get_year (today))
    {
      if (diff == 0)
        return g_strdup_printf (_("Today, %s"), date);
      if (diff == 1)
        return g_strdup_printf (_("Tomorrow, %s"), date);
      if (diff == -1)
        return g_strdup_printf (_("Yesterday, %s"), date);
    }
  return g_date_time_format (local, _("%Y-%m-%d, %A"));
}

static void
fill_schedules (KehuTasksView *self)
{
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GDateTime) today = g_date_time_new_now_local ();

  remove_all (GTK_WIDGET (self->schedule_list));
  rows = kehu_admin_query (self->store, NULL,
    "SELECT id, title, description, start_at, remind_at, reminded_at, target_module, target_id "
    "FROM schedules WHERE deleted_at IS NULL AND start_at >= strftime ('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days') "
    "AND (?1 IS NULL OR owner_id = ?1 OR owner_id IS NULL) ORDER BY start_at LIMIT 500",
    self->user_id, NULL);

  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *s = json_array_get_object_element (rows, i);
      g_autoptr(GDateTime) start = kehu_admin_parse_time (str_member (s, "start_at"));
      g_autoptr(GDateTime) local = start ? g_date_time_to_local (start) : NULL;
      g_autofree char *time = local ? g_date_time_format (local, "%H:%M") : g_strdup ("");
      g_autofree char *title = g_strdup_printf ("%s  %s", time, str_member (s, "title"));
      GtkWidget *row = adw_action_row_new ();
      const char *module = str_member (s, "target_module");
      const char *target = str_member (s, "target_id");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (str_member (s, "description"))
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), str_member (s, "description"));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (str_member (s, "reminded_at")
                                                               ? "alarm-symbolic" : "x-office-calendar-symbolic"));
      if (module && target)
        {
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-record");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(ss)", module, target);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
        }
      else
        {
          /* An entry of one's own: open it to change or move it. */
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("document-edit-symbolic"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "tasks.edit-schedule");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", str_member (s, "id"));
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
        }
      gtk_widget_set_name (row, str_member (s, "id"));
      g_object_set_data_full (G_OBJECT (row), "kehu-day", local ? day_title (local, today) : NULL, g_free);
      gtk_list_box_append (self->schedule_list, row);
    }

  if (rows == NULL || json_array_get_length (rows) == 0)
    {
      GtkWidget *empty = gtk_label_new (_("No schedules. A follow-up’s next contact time becomes a schedule entry with a reminder."));
      gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_widget_set_margin_top (empty, 18);
      gtk_widget_set_margin_bottom (empty, 18);
      gtk_widget_set_margin_start (empty, 12);
      gtk_widget_set_margin_end (empty, 12);
      gtk_list_box_append (self->schedule_list, empty);
    }
}

static void
on_schedule_saved_cb (KehuTasksView    *self,
                      KehuRecordEditor *editor)
{
  fill_schedules (self);
  toast (self, _("Schedule entry saved"));
}

static void
open_schedule_editor (KehuTasksView *self,
                      const char    *id)
{
  g_autoptr(KehuContext) ctx = NULL;
  KehuRecordEditor *editor;

  if (self->schema == NULL)
    return;
  ctx = new_context (self);
  editor = kehu_record_editor_new (ctx, "schedules", id);
  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_schedule_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_schedule_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  open_schedule_editor (KEHU_TASKS_VIEW (widget), NULL);
}

static void
edit_schedule_action_cb (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  open_schedule_editor (KEHU_TASKS_VIEW (widget), g_variant_get_string (parameter, NULL));
}

/* The task pane --------------------------------------------------------------------- */

static GtkWidget *
group_box (const char *title,
           GtkWidget  *list)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), list);
  return box;
}

static GtkWidget *
boxed_list (const char *name)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_widget_set_name (list, name);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return list;
}

static void
on_save_clicked_cb (KehuTasksView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(GPtrArray) tag_list = g_ptr_array_new ();
  g_autofree char *due = NULL;
  g_auto(GStrv) tags = NULL;
  const char *due_text = gtk_editable_get_text (GTK_EDITABLE (self->due_row));
  guint priority = adw_combo_row_get_selected (ADW_COMBO_ROW (self->priority_row));

  if (*due_text != '\0')
    {
      g_autoptr(GDateTime) t = kehu_display_parse_local_time (due_text);

      if (t == NULL)
        {
          gtk_label_set_label (GTK_LABEL (self->pane_error),
                               _("The due date must look like 2026-03-31 or 2026-03-31 17:00."));
          gtk_widget_set_visible (self->pane_error, TRUE);
          gtk_widget_add_css_class (self->due_row, "error");
          return;
        }
      /* A date alone means by the end of that local day. */
      if (strlen (due_text) <= 10)
        {
          g_autoptr(GDateTime) end = g_date_time_add_full (t, 0, 0, 0, 23 - g_date_time_get_hour (t),
                                                           59 - g_date_time_get_minute (t), 0);
          due = kehu_admin_format_time (end);
        }
      else
        due = kehu_admin_format_time (t);
    }

  tags = g_strsplit_set (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)), ",，", -1);
  for (guint i = 0; tags[i]; i++)
    {
      g_strstrip (tags[i]);
      if (*tags[i])
        g_ptr_array_add (tag_list, tags[i]);
    }
  g_ptr_array_add (tag_list, NULL);

  if (!kehu_admin_update_task (ctx, self->selected_id,
                               gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
                               gtk_editable_get_text (GTK_EDITABLE (self->description_row)),
                               due, priorities[MIN (priority, 3)],
                               (const char * const *) tag_list->pdata, &error))
    {
      gtk_label_set_label (GTK_LABEL (self->pane_error), error->message);
      gtk_widget_set_visible (self->pane_error, TRUE);
      return;
    }

  toast (self, _("Task saved"));
  kehu_tasks_view_reload (self);
}

static void
on_subtask_apply_cb (AdwEntryRow   *row,
                     KehuTasksView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *id = NULL;

  id = kehu_admin_create_task (ctx, self->selected_id,
                               gtk_editable_get_text (GTK_EDITABLE (row)), NULL, NULL, "none", &error);
  if (id == NULL)
    {
      toast (self, error->message);
      return;
    }
  kehu_tasks_view_reload (self);
}

static void
on_comment_apply_cb (AdwEntryRow   *row,
                     KehuTasksView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (!kehu_admin_add_task_comment (self->store, self->selected_id, self->user_id,
                                    gtk_editable_get_text (GTK_EDITABLE (row)), now, &error))
    {
      toast (self, error->message);
      return;
    }
  kehu_tasks_view_reload (self);
}

static void
on_participant_add_cb (GtkButton     *button,
                       KehuTasksView *self)
{
  GtkDropDown *drop = g_object_get_data (G_OBJECT (button), "kehu-drop");
  GPtrArray *ids = g_object_get_data (G_OBJECT (button), "kehu-ids");
  guint selected = gtk_drop_down_get_selected (drop);
  g_autoptr(GError) error = NULL;

  if (selected >= ids->len)
    return;
  if (!kehu_admin_set_task_participant (self->store, self->selected_id,
                                        g_ptr_array_index (ids, selected), TRUE, &error))
    toast (self, error->message);
  kehu_tasks_view_reload (self);
}

static void
on_participant_remove_cb (GtkButton     *button,
                          KehuTasksView *self)
{
  g_autoptr(GError) error = NULL;

  if (!kehu_admin_set_task_participant (self->store, self->selected_id,
                                        g_object_get_data (G_OBJECT (button), "kehu-user"), FALSE, &error))
    toast (self, error->message);
  kehu_tasks_view_reload (self);
}

static void
fill_pane (KehuTasksView *self)
{
  g_autoptr(JsonObject) task = NULL;
  g_autoptr(JsonArray) subtasks = NULL;
  g_autoptr(JsonArray) comments = NULL;
  g_autoptr(JsonArray) links = NULL;
  g_autoptr(JsonArray) participants = NULL;
  g_autoptr(JsonArray) users = NULL;
  g_autoptr(GtkStringList) priority_labels = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) user_names = gtk_string_list_new (NULL);
  GPtrArray *user_ids;
  GtkWidget *details, *list, *button, *row, *header, *title, *save, *done, *drop, *add_box;
  g_autofree char *tags_text = NULL;
  g_autofree char *due_text = NULL;
  gboolean is_done;

  remove_all (GTK_WIDGET (self->pane_box));
  if (self->selected_id == NULL ||
      (task = kehu_admin_query_one (self->store, NULL,
                                    "SELECT * FROM tasks WHERE id = ? AND deleted_at IS NULL",
                                    self->selected_id, NULL)) == NULL)
    {
      gtk_stack_set_visible_child_name (self->pane_stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->pane_stack, "task");
  is_done = g_strcmp0 (str_member (task, "status"), "done") == 0;

  /* Title and the done button. */
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  title = gtk_label_new (str_member (task, "name"));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "title-3");
  done = gtk_button_new_with_mnemonic (is_done ? _("_Reopen") : _("Mark _Done"));
  gtk_widget_set_name (done, "mark-done");
  gtk_widget_set_valign (done, GTK_ALIGN_CENTER);
  if (!is_done)
    gtk_widget_add_css_class (done, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (done), "tasks.toggle-done");
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), done);
  gtk_box_append (self->pane_box, header);

  /* The fields. */
  details = boxed_list ("task-details");
  self->name_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), str_member (task, "name"));
  self->description_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->description_row), _("Description"));
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), str_member (task, "description") ?: "");
  self->due_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->due_row), _("Due (YYYY-MM-DD or YYYY-MM-DD HH:MM)"));
  due_text = kehu_display_time (str_member (task, "due_at"));
  gtk_editable_set_text (GTK_EDITABLE (self->due_row), due_text);
  self->priority_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->priority_row), _("Priority"));
  for (guint i = 0; priorities[i]; i++)
    gtk_string_list_append (priority_labels, kehu_display_enum (priorities[i]));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->priority_row), G_LIST_MODEL (priority_labels));
  for (guint i = 0; priorities[i]; i++)
    if (g_strcmp0 (priorities[i], str_member (task, "priority")) == 0)
      adw_combo_row_set_selected (ADW_COMBO_ROW (self->priority_row), i);
  self->tags_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->tags_row), _("Tags, separated by commas"));
  {
    g_autoptr(JsonNode) tags = json_from_string (str_member (task, "tags") ?: "[]", NULL);
    g_autoptr(GString) text = g_string_new (NULL);

    for (guint i = 0; tags && JSON_NODE_HOLDS_ARRAY (tags) && i < json_array_get_length (json_node_get_array (tags)); i++)
      {
        if (i > 0)
          g_string_append (text, ", ");
        g_string_append (text, json_array_get_string_element (json_node_get_array (tags), i));
      }
    tags_text = g_string_free (g_steal_pointer (&text), FALSE);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags_text);
  gtk_list_box_append (GTK_LIST_BOX (details), self->name_row);
  gtk_list_box_append (GTK_LIST_BOX (details), self->description_row);
  gtk_list_box_append (GTK_LIST_BOX (details), self->due_row);
  gtk_list_box_append (GTK_LIST_BOX (details), self->priority_row);
  gtk_list_box_append (GTK_LIST_BOX (details), self->tags_row);
  gtk_box_append (self->pane_box, details);

  self->pane_error = gtk_label_new (NULL);
  gtk_widget_set_name (self->pane_error, "task-error");
  gtk_label_set_wrap (GTK_LABEL (self->pane_error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->pane_error), 0);
  gtk_widget_add_css_class (self->pane_error, "error");
  gtk_widget_set_visible (self->pane_error, FALSE);
  gtk_box_append (self->pane_box, self->pane_error);

  save = gtk_button_new_with_mnemonic (_("_Save Task"));
  gtk_widget_set_name (save, "save-task");
  gtk_widget_set_halign (save, GTK_ALIGN_END);
  g_signal_connect_object (save, "clicked", G_CALLBACK (on_save_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (self->pane_box, save);

  /* Subtasks. */
  subtasks = kehu_admin_query (self->store, NULL,
    "SELECT id, name, status FROM tasks WHERE parent_id = ? AND deleted_at IS NULL ORDER BY position",
    self->selected_id, NULL);
  list = boxed_list ("subtasks");
  for (guint i = 0; subtasks && i < json_array_get_length (subtasks); i++)
    {
      JsonObject *s = json_array_get_object_element (subtasks, i);
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *label = g_strdup_printf (_("Mark “%s” done"), str_member (s, "name"));

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (s, "name"));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_strcmp0 (str_member (s, "status"), "done") == 0);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_object_set_data_full (G_OBJECT (check), "kehu-task-id", g_strdup (str_member (s, "id")), g_free);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_done_toggled_cb), self, 0);
      gtk_widget_set_name (check, str_member (s, "id"));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  row = adw_entry_row_new ();
  gtk_widget_set_name (row, "new-subtask");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Add a subtask"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_signal_connect_object (row, "apply", G_CALLBACK (on_subtask_apply_cb), self, 0);
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (on_subtask_apply_cb), self, 0);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_box_append (self->pane_box, group_box (_("Subtasks"), list));

  /* Participants. */
  participants = kehu_admin_query (self->store, NULL,
    "SELECT p.user_id, u.name FROM task_participants p LEFT JOIN users u ON u.id = p.user_id "
    "WHERE p.task_id = ? ORDER BY u.name", self->selected_id, NULL);
  users = kehu_admin_query (self->store, NULL,
    "SELECT id, name FROM users WHERE is_enabled = 1 AND deleted_at IS NULL AND id NOT IN "
    "(SELECT user_id FROM task_participants WHERE task_id = ?) ORDER BY name", self->selected_id, NULL);
  list = boxed_list ("participants");
  for (guint i = 0; participants && i < json_array_get_length (participants); i++)
    {
      JsonObject *p = json_array_get_object_element (participants, i);
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), str_member (p, "name") ?: "");

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (p, "name") ?: _("Unknown user"));
      button = gtk_button_new_from_icon_name ("list-remove-symbolic");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, remove_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
      g_object_set_data_full (G_OBJECT (button), "kehu-user", g_strdup (str_member (p, "user_id")), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_participant_remove_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  user_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; users && i < json_array_get_length (users); i++)
    {
      JsonObject *u = json_array_get_object_element (users, i);
      gtk_string_list_append (user_names, str_member (u, "name") ?: "");
      g_ptr_array_add (user_ids, g_strdup (str_member (u, "id")));
    }
  add_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (user_names)), NULL);
  gtk_widget_set_hexpand (drop, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Colleague"), -1);
  button = gtk_button_new_with_mnemonic (_("_Add Participant"));
  gtk_widget_set_sensitive (button, user_ids->len > 0);
  g_object_set_data (G_OBJECT (button), "kehu-drop", drop);
  g_object_set_data_full (G_OBJECT (button), "kehu-ids", user_ids, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_participant_add_cb), self, 0);
  gtk_box_append (GTK_BOX (add_box), drop);
  gtk_box_append (GTK_BOX (add_box), button);
  {
    GtkWidget *box = group_box (_("Participants"), list);
    if (participants == NULL || json_array_get_length (participants) == 0)
      gtk_widget_set_visible (list, FALSE);
    gtk_box_append (GTK_BOX (box), add_box);
    gtk_box_append (self->pane_box, box);
  }

  /* Linked records. */
  links = kehu_admin_query (self->store, NULL,
    "SELECT target_module, target_id FROM task_links WHERE task_id = ?", self->selected_id, NULL);
  if (links && json_array_get_length (links) > 0)
    {
      list = boxed_list ("links");
      for (guint i = 0; i < json_array_get_length (links); i++)
        {
          JsonObject *l = json_array_get_object_element (links, i);
          const char *module = str_member (l, "target_module");
          g_autofree char *name = kehu_display_record_title (self->store, module, str_member (l, "target_id"));

          row = adw_action_row_new ();
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), kehu_display_module_singular (module));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-record");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(ss)", module, str_member (l, "target_id"));
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          gtk_list_box_append (GTK_LIST_BOX (list), row);
        }
      gtk_box_append (self->pane_box, group_box (_("About"), list));
    }

  /* Comments. */
  comments = kehu_admin_query (self->store, NULL,
    "SELECT c.content, c.created_at, u.name FROM task_comments c LEFT JOIN users u ON u.id = c.user_id "
    "WHERE c.task_id = ? ORDER BY c.created_at, c.id", self->selected_id, NULL);
  list = boxed_list ("comments");
  for (guint i = 0; comments && i < json_array_get_length (comments); i++)
    {
      JsonObject *c = json_array_get_object_element (comments, i);
      g_autofree char *when = kehu_display_time (str_member (c, "created_at"));
      g_autofree char *sub = g_strdup_printf ("%s · %s", str_member (c, "name") ?: _("You"), when);

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (c, "content"));
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  row = adw_entry_row_new ();
  gtk_widget_set_name (row, "new-comment");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Write a comment"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  g_signal_connect_object (row, "apply", G_CALLBACK (on_comment_apply_cb), self, 0);
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (on_comment_apply_cb), self, 0);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_box_append (self->pane_box, group_box (_("Comments"), list));
}

static void
select_task (KehuTasksView *self,
             const char    *task_id)
{
  if (task_id != self->selected_id)
    {
      g_free (self->selected_id);
      self->selected_id = g_strdup (task_id);
    }
  fill_pane (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tasks.toggle-done", task_id != NULL);
}

static void
on_task_activated_cb (KehuTasksView *self,
                      GtkListBoxRow *row)
{
  select_task (self, gtk_widget_get_name (GTK_WIDGET (row)));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_new_task_apply_cb (KehuTasksView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *id = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->new_task_row));

  id = kehu_admin_create_task (ctx, NULL, name, NULL, NULL, "none", &error);
  if (id == NULL)
    {
      toast (self, error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->new_task_row), "");
  g_free (self->selected_id);
  self->selected_id = g_steal_pointer (&id);
  kehu_tasks_view_reload (self);
}

static void
toggle_done_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  KehuTasksView *self = KEHU_TASKS_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(JsonObject) task = NULL;
  gboolean done;

  if (self->selected_id == NULL)
    return;
  task = kehu_admin_query_one (self->store, NULL, "SELECT status FROM tasks WHERE id = ?", self->selected_id, NULL);
  if (task == NULL)
    return;
  done = g_strcmp0 (str_member (task, "status"), "done") != 0;
  if (!kehu_admin_set_task_done (ctx, self->selected_id, done, &error))
    {
      toast (self, error->message);
      return;
    }
  toast (self, done ? _("Task done") : _("Task reopened"));
  kehu_tasks_view_reload (self);
}

static void
new_task_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KehuTasksView *self = KEHU_TASKS_VIEW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "tasks");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->new_task_row));
}

static void
kehu_tasks_view_dispose (GObject *object)
{
  KehuTasksView *self = (KehuTasksView *)object;

  g_clear_pointer (&self->main_box, gtk_widget_unparent);
  G_OBJECT_CLASS (kehu_tasks_view_parent_class)->dispose (object);
}

static void
kehu_tasks_view_finalize (GObject *object)
{
  KehuTasksView *self = (KehuTasksView *)object;

  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_free (self->user_id);
  g_free (self->selected_id);
  G_OBJECT_CLASS (kehu_tasks_view_parent_class)->finalize (object);
}

static void
kehu_tasks_view_class_init (KehuTasksViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_tasks_view_dispose;
  object_class->finalize = kehu_tasks_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-tasks-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, main_box);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, task_list);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, new_task_row);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, pane_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, pane_box);
  gtk_widget_class_bind_template_child (widget_class, KehuTasksView, schedule_list);
  gtk_widget_class_bind_template_callback (widget_class, on_new_task_apply_cb);

  gtk_widget_class_install_action (widget_class, "tasks.toggle-done", NULL, toggle_done_action_cb);
  gtk_widget_class_install_action (widget_class, "tasks.new", NULL, new_task_action_cb);
  gtk_widget_class_install_action (widget_class, "tasks.new-schedule", NULL, new_schedule_action_cb);
  gtk_widget_class_install_action (widget_class, "tasks.edit-schedule", "s", edit_schedule_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "tasks.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK, "tasks.toggle-done", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
kehu_tasks_view_init (KehuTasksView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_header_func (self->task_list, header_func, NULL, NULL);
  gtk_list_box_set_header_func (self->schedule_list, schedule_header_func, NULL, NULL);
  g_signal_connect_object (self->task_list, "row-activated", G_CALLBACK (on_task_activated_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tasks.toggle-done", FALSE);
}

KehuTasksView *
kehu_tasks_view_new (KehuStore *store)
{
  KehuTasksView *self = g_object_new (KEHU_TYPE_TASKS_VIEW, NULL);
  g_autoptr(GError) error = NULL;

  self->store = g_object_ref (store);
  self->schema = kehu_schema_new (store, &error);
  if (self->schema == NULL)
    g_warning ("The tasks page cannot read the schema: %s", error->message);
  kehu_tasks_view_reload (self);
  return self;
}

void
kehu_tasks_view_set_user_id (KehuTasksView *self,
                             const char    *user_id)
{
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  kehu_tasks_view_reload (self);
}

void
kehu_tasks_view_reload (KehuTasksView *self)
{
  g_return_if_fail (KEHU_IS_TASKS_VIEW (self));

  fill_tasks (self);
  fill_schedules (self);
  select_task (self, self->selected_id);
}

void
kehu_tasks_view_select_task (KehuTasksView *self,
                             const char    *task_id)
{
  select_task (self, task_id);
}

GtkListBox *
_kehu_tasks_view_get_task_list (KehuTasksView *self)
{
  return self->task_list;
}

GtkListBox *
_kehu_tasks_view_get_schedule_list (KehuTasksView *self)
{
  return self->schedule_list;
}

GtkWidget *
_kehu_tasks_view_get_new_task_row (KehuTasksView *self)
{
  return GTK_WIDGET (self->new_task_row);
}

GtkWidget *
_kehu_tasks_view_get_pane (KehuTasksView *self)
{
  return GTK_WIDGET (self->pane_box);
}

void
_kehu_tasks_view_show_tab (KehuTasksView *self,
                           const char    *name)
{
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}
