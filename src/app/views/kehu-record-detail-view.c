/* kehu-record-detail-view.c: one record, with its timeline, info, related records
 *
 * The detail page of a lead, customer, contact, opportunity, contract,
 * payment plan or payment, generic over the schema description: a header
 * with the key facts and actions, then tabs for the follow-up timeline,
 * the basic info (every field, editable in place), related records, the
 * attachments and the operation log. Opportunities add their stage bar.
 *
 * Everything the user can do is a "detail.*" widget action, so buttons,
 * menus, keyboard shortcuts and tests all go the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-approval-timeline.h"
#include "kehu-approvals.h"
#include "kehu-display.h"
#include "kehu-record-editor.h"
#include "kehu-record-detail-view-private.h"
#include "kehu-sync.h"

typedef struct
{
  const KehuField *field;
  GtkWidget       *display;   /* AdwActionRow */
  GtkWidget       *editor;    /* AdwEntryRow or AdwComboRow */
  GtkWidget       *error_row;
  GtkLabel        *error_label;
  GPtrArray       *values;    /* combo rows: stored value per item ("" = none) */
} FieldRow;

struct _KehuRecordDetailView
{
  GtkWidget       parent_instance;

  KehuStore      *store;
  KehuSchema     *schema;
  char           *module;
  char           *record_id;
  char           *title;
  char           *user_id;
  JsonObject     *record;
  GPtrArray      *field_rows;
  GtkWidget      *dialog;
  gboolean        filling;

  /* template */
  GtkWidget      *main_box;
  GtkLabel       *title_label;
  GtkLabel       *subtitle_label;
  GtkLabel       *sync_label;
  GtkWidget      *convert_button;
  GtkFlowBox     *facts_box;
  GtkWidget      *stage_box;
  GtkBox         *stage_bar;
  GtkLabel       *stage_info_label;
  AdwViewStack   *view_stack;
  GtkListBox     *timeline_list;
  GtkListBox     *info_list;
  GtkBox         *related_box;
  GtkListBox     *attachments_list;
  GtkListBox     *log_list;
};

G_DEFINE_FINAL_TYPE (KehuRecordDetailView, kehu_record_detail_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
field_row_free (FieldRow *row)
{
  g_clear_pointer (&row->values, g_ptr_array_unref);
  g_free (row);
}

static GDateTime *
now_utc (void)
{
  return g_date_time_new_now_utc ();
}

static void
toast (KehuRecordDetailView *self,
       const char           *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_debug ("Toast: %s", message);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
  else
    g_message ("%s", message);
}

static const char *
str_member (JsonObject *object,
            const char *name)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      json_object_get_null_member (object, name))
    return NULL;
  if (json_node_get_value_type (json_object_get_member (object, name)) != G_TYPE_STRING)
    return NULL;
  return json_object_get_string_member (object, name);
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  if (object == NULL || !json_object_has_member (object, name) ||
      json_object_get_null_member (object, name))
    return 0;
  return json_object_get_int_member (object, name);
}

static const KehuModule *
get_module_desc (KehuRecordDetailView *self)
{
  return self->schema ? kehu_schema_get_module (self->schema, self->module) : NULL;
}

/* A context for one write: the schema, who writes, now. */
static KehuContext *
new_context (KehuRecordDetailView *self)
{
  return kehu_context_new (self->schema, self->user_id);
}

static void
remove_all (GtkWidget *container)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (container)) != NULL)
    {
      if (GTK_IS_LIST_BOX (container))
        gtk_list_box_remove (GTK_LIST_BOX (container), child);
      else if (GTK_IS_FLOW_BOX (container))
        gtk_flow_box_remove (GTK_FLOW_BOX (container), child);
      else
        gtk_box_remove (GTK_BOX (container), child);
    }
}

static GtkWidget *
placeholder_row (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  return label;
}

static GtkWidget *
open_row (const char *module,
          const char *id,
          const char *title,
          const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title && *title ? title : _("(untitled)"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle && *subtitle)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-record");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(ss)", module, id);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

/* Header -------------------------------------------------------------------------- */

static const char * const *
fact_fields (const char *module)
{
  static const char * const leads[] = { "status", "owner_id", "source", "phone", "last_followup_at", "next_contact_at", NULL };
  static const char * const customers[] = { "owner_id", "level", "deal_status", "contract_total", "plan_total", "received_total", "invoiced_total", "next_contact_at", NULL };
  static const char * const contacts[] = { "customer_id", "owner_id", "post", "mobile", "last_followup_at", NULL };
  static const char * const opportunities[] = { "customer_id", "owner_id", "amount", "status", "expected_close_date", NULL };
  static const char * const contracts[] = { "customer_id", "owner_id", "approval_status", "amount", "received_total", "outstanding", "invoiced_total", NULL };
  static const char * const plans[] = { "contract_id", "customer_id", "planned_amount", "planned_date", "received_amount", "status", NULL };
  static const char * const payments[] = { "contract_id", "customer_id", "amount", "paid_date", "approval_status", NULL };
  static const char * const none[] = { "owner_id", NULL };

  if (g_str_equal (module, "leads")) return leads;
  if (g_str_equal (module, "customers")) return customers;
  if (g_str_equal (module, "contacts")) return contacts;
  if (g_str_equal (module, "opportunities")) return opportunities;
  if (g_str_equal (module, "contracts")) return contracts;
  if (g_str_equal (module, "payment_plans")) return plans;
  if (g_str_equal (module, "payments")) return payments;
  return none;
}

static GtkWidget *
fact_widget (const char *caption,
             const char *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *c = gtk_label_new (caption);
  GtkWidget *v = gtk_label_new (value && *value ? value : "—");

  gtk_label_set_xalign (GTK_LABEL (c), 0);
  gtk_label_set_xalign (GTK_LABEL (v), 0);
  gtk_widget_add_css_class (c, "caption");
  gtk_widget_add_css_class (c, "dim-label");
  gtk_widget_add_css_class (v, "heading");
  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (v), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (v), 24);
  gtk_box_append (GTK_BOX (box), c);
  gtk_box_append (GTK_BOX (box), v);
  return box;
}

static void
fill_header (KehuRecordDetailView *self)
{
  const KehuModule *m = get_module_desc (self);
  const char * const *facts = fact_fields (self->module);
  const char *title_col = m ? kehu_module_get_title_field (m) : "name";
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  gboolean is_lead = g_str_equal (self->module, "leads");
  gboolean is_customer = g_str_equal (self->module, "customers");

  if (g_str_equal (self->module, "payment_plans"))
    title = g_strdup_printf (_("Instalment %d"), (int) int_member (self->record, "instalment"));
  else if (str_member (self->record, title_col) != NULL)
    title = g_strdup (str_member (self->record, title_col));
  else
    title = g_strdup_printf (_("%s without a number"), kehu_display_module_singular (self->module));

  g_free (self->title);
  self->title = g_strdup (title);
  gtk_label_set_label (self->title_label, title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);

  if (is_customer && int_member (self->record, "is_locked"))
    /* Translators: the subtitle of a locked customer's detail page */
    subtitle = g_strdup_printf (_("%s · Locked: never returns to the public pool"),
                                kehu_display_module_singular (self->module));
  else if (!json_object_get_null_member (self->record, "deleted_at"))
    subtitle = g_strdup_printf (_("%s · In the recycle bin"), kehu_display_module_singular (self->module));
  else
    subtitle = g_strdup (kehu_display_module_singular (self->module));
  gtk_label_set_label (self->subtitle_label, subtitle);

  remove_all (GTK_WIDGET (self->facts_box));
  for (guint i = 0; m && facts[i]; i++)
    {
      const KehuField *field = kehu_module_lookup_field (m, facts[i]);
      g_autofree char *value = NULL;

      if (field == NULL)
        continue;
      value = kehu_display_field (self->store, field, self->record);
      gtk_flow_box_append (self->facts_box, fact_widget (kehu_field_get_label (field), value));
    }

  gtk_widget_set_visible (self->convert_button,
                          is_lead && g_strcmp0 (str_member (self->record, "status"), "converted") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.convert",
                                 is_lead && g_strcmp0 (str_member (self->record, "status"), "converted") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.lock",
                                 is_customer && !int_member (self->record, "is_locked"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.unlock",
                                 is_customer && int_member (self->record, "is_locked"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.follow-up",
                                 g_strv_contains ((const char *[]) { "leads", "customers", "contacts",
                                                                     "opportunities", "contracts", NULL },
                                                  self->module));
}

/* The stage bar ------------------------------------------------------------------ */

static void
fill_stage_bar (KehuRecordDetailView *self)
{
  g_autoptr(JsonArray) stages = NULL;
  g_autoptr(GDateTime) now = now_utc ();
  const char *current = str_member (self->record, "stage_id");
  const char *since;
  gboolean passed = TRUE;
  GtkWidget *open_box, *closed_box;

  remove_all (GTK_WIDGET (self->stage_bar));
  gtk_widget_set_visible (self->stage_box, g_str_equal (self->module, "opportunities"));
  if (!g_str_equal (self->module, "opportunities"))
    return;

  stages = kehu_admin_query (self->store, NULL,
                             "SELECT id, name, win_rate, kind FROM stages WHERE group_id = ? "
                             "ORDER BY kind != 'open', position",
                             str_member (self->record, "stage_group_id"), NULL);
  /* Stages before the current one are done; a closed opportunity (won,
   * lost, invalid) did not necessarily pass through every open stage. */
  if (current == NULL || g_strcmp0 (str_member (self->record, "status"), "open") != 0)
    passed = FALSE;

  open_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  closed_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (open_box, "linked");
  gtk_widget_add_css_class (closed_box, "linked");
  gtk_widget_set_hexpand (open_box, TRUE);
  gtk_box_set_homogeneous (GTK_BOX (open_box), TRUE);
  gtk_box_append (self->stage_bar, open_box);
  gtk_box_append (self->stage_bar, closed_box);

  for (guint i = 0; stages && i < json_array_get_length (stages); i++)
    {
      JsonObject *s = json_array_get_object_element (stages, i);
      const char *id = str_member (s, "id");
      const char *kind = str_member (s, "kind");
      const char *name = kehu_schema_display_label (str_member (s, "name"));
      g_autofree char *rate = g_strdup_printf ("%" G_GINT64_FORMAT "%%", int_member (s, "win_rate"));
      g_autofree char *tooltip = g_strdup_printf (_("%s, win rate %s"), name, rate);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *name_label = gtk_label_new (name);
      GtkWidget *rate_label = gtk_label_new (rate);

      /* Two lines, the name shortened when the window is narrow: the whole
       * group stays visible down to 1024 pixels. */
      gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (rate_label, "caption");
      gtk_box_append (GTK_BOX (box), name_label);
      gtk_box_append (GTK_BOX (box), rate_label);
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);

      gtk_widget_set_name (button, id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "detail.stage");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
      if (g_strcmp0 (id, current) == 0)
        {
          gtk_widget_add_css_class (button, g_str_equal (kind, "lost") || g_str_equal (kind, "invalid")
                                              ? "destructive-action" : "suggested-action");
          gtk_accessible_update_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_PRESSED,
                                       GTK_ACCESSIBLE_TRISTATE_TRUE, -1);
          passed = FALSE;
        }
      else if (passed && g_str_equal (kind, "open"))
        gtk_widget_add_css_class (button, "success");
      gtk_box_append (GTK_BOX (g_str_equal (kind, "open") ? open_box : closed_box), button);
    }

  since = str_member (self->record, "stage_changed_at");
  if (since == NULL)
    since = str_member (self->record, "created_at");
  if (current != NULL)
    {
      g_autofree char *stage = kehu_display_record_title (self->store, "stages", current);
      int days = kehu_admin_dwell_days (since, now);
      g_autofree char *text = NULL;

      if (g_strcmp0 (str_member (self->record, "status"), "open") == 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In “%s” for %d day", "In “%s” for %d days", days),
                                stage, days);
      else
        {
          g_autofree char *when = kehu_display_time (since);
          text = g_strdup_printf (_("Closed as “%s” on %s"), stage, when);
        }
      if (str_member (self->record, "lost_reason") != NULL &&
          g_strcmp0 (str_member (self->record, "status"), "lost") == 0)
        {
          g_autofree char *reason = kehu_display_dictionary (self->store, "lost_reason",
                                                            str_member (self->record, "lost_reason"));
          g_autofree char *with_reason = g_strdup_printf (_("%s · Lost because: %s"), text, reason);
          gtk_label_set_label (self->stage_info_label, with_reason);
        }
      else
        gtk_label_set_label (self->stage_info_label, text);
    }
  else
    gtk_label_set_label (self->stage_info_label, _("No stage yet: choose the first one"));
}

/* Timeline ------------------------------------------------------------------------ */

static void
fill_timeline (KehuRecordDetailView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = kehu_admin_list_timeline (self->store, self->module, self->record_id, &error);

  remove_all (GTK_WIDGET (self->timeline_list));
  if (items == NULL)
    {
      gtk_list_box_append (self->timeline_list, placeholder_row (error->message));
      return;
    }
  if (json_array_get_length (items) == 0)
    {
      gtk_list_box_append (self->timeline_list,
                           placeholder_row (_("No follow-ups yet. Add one after each call, visit or meeting: the next contact time becomes a reminder.")));
      return;
    }

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *kind = str_member (item, "kind");
      g_autofree char *when = kehu_display_time (str_member (item, "at"));
      g_autofree char *meta = NULL;
      GtkWidget *row = adw_action_row_new ();
      const char *icon = "mail-send-receive-symbolic";

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (item, "text") ?: "");
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 4);

      if (g_str_equal (kind, "followup"))
        {
          g_autofree char *method = kehu_display_dictionary (self->store, "followup_method",
                                                            str_member (item, "method"));
          g_autofree char *next = kehu_display_time (str_member (item, "next_contact_at"));
          const char *who = str_member (item, "user_name");
          g_autofree char *base = who ? g_strdup_printf ("%s · %s · %s", when, method, who)
                                      : g_strdup_printf ("%s · %s", when, method);

          if (*next)
            meta = g_strdup_printf (_("%s · Next contact %s"), base, next);
          else
            meta = g_steal_pointer (&base);

          /* A customer's timeline also shows what was noted on its contacts,
           * opportunities and contracts: say where. */
          if (g_strcmp0 (str_member (item, "target_id"), self->record_id) != 0)
            {
              g_autofree char *on = kehu_display_record_title (self->store, str_member (item, "target_module"),
                                                              str_member (item, "target_id"));
              g_autofree char *with = g_strdup_printf (_("%s · on %s “%s”"), meta,
                                                       kehu_display_module_singular (str_member (item, "target_module")),
                                                       on);
              g_free (meta);
              meta = g_steal_pointer (&with);
            }
        }
      else if (g_str_equal (kind, "schedule"))
        {
          icon = "x-office-calendar-symbolic";
          meta = g_strdup_printf (_("Schedule · %s"), when);
        }
      else if (g_str_equal (kind, "task"))
        {
          icon = "checkbox-checked-symbolic";
          meta = g_strdup_printf (_("Task · %s · %s"), when, kehu_display_enum (str_member (item, "method")));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-record");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(ss)", "tasks", str_member (item, "id"));
        }
      else
        {
          icon = "emblem-default-symbolic";
          meta = g_strdup_printf (_("Approval · %s · %s"), when, kehu_display_enum (str_member (item, "method")));
        }

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), meta);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (icon));
      gtk_list_box_append (self->timeline_list, row);
    }
}

/* Basic info, edited in place ------------------------------------------------------ */

static char *
editable_text (const KehuField *field,
               JsonObject      *record)
{
  JsonNode *node = NULL;

  if (field->flags & KEHU_FIELD_CUSTOM)
    {
      const char *extra = str_member (record, "extra");
      g_autoptr(JsonNode) root = json_from_string (extra ? extra : "{}", NULL);

      if (root && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonNode *member = json_object_get_member (json_node_get_object (root), field->name);
          if (member && JSON_NODE_HOLDS_VALUE (member))
            {
              if (json_node_get_value_type (member) == G_TYPE_STRING)
                return g_strdup (json_node_get_string (member));
              if (json_node_get_value_type (member) == G_TYPE_INT64)
                return field->type == KEHU_FIELD_MONEY
                  ? g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", json_node_get_int (member) / 100,
                                     (int) ABS (json_node_get_int (member) % 100))
                  : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (member));
              if (json_node_get_value_type (member) == G_TYPE_DOUBLE)
                {
                  char buf[G_ASCII_DTOSTR_BUF_SIZE];
                  return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (member)));
                }
            }
        }
      return g_strdup ("");
    }

  node = json_object_get_member (record, field->name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      if (field->type == KEHU_FIELD_MONEY)
        return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02d", v < 0 ? "-" : "",
                                ABS (v) / 100, (int) (ABS (v) % 100));
      return g_strdup_printf ("%" G_GINT64_FORMAT, v);
    }
  if (field->type == KEHU_FIELD_DATETIME)
    return kehu_display_time (json_node_get_string (node));

  return g_strdup (json_node_get_string (node));
}

/* Turns what the user typed into the stored form: money in cents, local
 * times in UTC. NULL with @error when it cannot be read at all. */
static char *
stored_from_text (const KehuField *field,
                  const char      *text,
                  GError         **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  if (*stripped == '\0')
    return g_strdup ("");

  if (field->type == KEHU_FIELD_MONEY)
    {
      gint64 cents;

      if (!kehu_display_parse_money (stripped, &cents))
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” must be an amount like 12,800.50"), kehu_field_get_label (field));
          return NULL;
        }
      return g_strdup_printf ("%" G_GINT64_FORMAT, cents);
    }

  if (field->type == KEHU_FIELD_DATETIME)
    {
      g_autoptr(GDateTime) t = kehu_display_parse_local_time (stripped);

      if (t == NULL)
        {
          g_set_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID,
                       _("“%s” must be a time like 2026-03-31 14:30"), kehu_field_get_label (field));
          return NULL;
        }
      return kehu_admin_format_time (t);
    }

  return g_steal_pointer (&stripped);
}

static FieldRow *
find_field_row (KehuRecordDetailView *self,
                const char           *name)
{
  for (guint i = 0; self->field_rows && i < self->field_rows->len; i++)
    {
      FieldRow *row = g_ptr_array_index (self->field_rows, i);
      if (g_str_equal (row->field->name, name))
        return row;
    }
  return NULL;
}

static void
show_editor (FieldRow *row,
             gboolean  editing)
{
  gtk_widget_set_visible (row->display, !editing);
  gtk_widget_set_visible (row->editor, editing);
  if (!editing)
    gtk_widget_set_visible (row->error_row, FALSE);
  if (editing)
    gtk_widget_grab_focus (row->editor);
}

static gboolean
save_field (KehuRecordDetailView *self,
            FieldRow             *row,
            const char           *stored)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = now_utc ();
  g_autofree char *field = g_strdup (row->field->name);

  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(JsonObject) all_changes = json_object_new ();
  JsonObject *changes = all_changes;
  const KehuField *f = row->field;

  /* Custom fields travel inside "extra". */
  if (f->flags & KEHU_FIELD_CUSTOM)
    {
      changes = json_object_new ();
      json_object_set_object_member (all_changes, "extra", changes);
    }

  /* The record API takes typed JSON values. */
  if (stored == NULL || *stored == '\0')
    json_object_set_null_member (changes, f->name);
  else if (f->type == KEHU_FIELD_BOOLEAN)
    json_object_set_boolean_member (changes, f->name, g_str_equal (stored, "1"));
  else if (f->type == KEHU_FIELD_NUMBER)
    {
      char *end = NULL;
      double d = g_ascii_strtod (stored, &end);
      if (end && *end == '\0')
        json_object_set_double_member (changes, f->name, d);
      else
        json_object_set_string_member (changes, f->name, stored);
    }
  else if (f->type == KEHU_FIELD_MONEY || f->type == KEHU_FIELD_INTEGER ||
           f->type == KEHU_FIELD_PERCENT || f->type == KEHU_FIELD_QUANTITY)
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (stored, &end, 10);
      if (end && *end == '\0')
        json_object_set_int_member (changes, f->name, v);
      else
        json_object_set_string_member (changes, f->name, stored);
    }
  else
    json_object_set_string_member (changes, f->name, stored);

  if (!kehu_record_update (ctx, self->module, self->record_id, all_changes, &error))
    {
      gtk_label_set_label (row->error_label, error->message);
      gtk_widget_set_visible (row->error_row, TRUE);
      gtk_widget_add_css_class (row->editor, "error");
      return FALSE;
    }

  kehu_record_detail_view_reload (self);
  {
    g_autofree char *message = g_strdup_printf (_("Saved “%s”"),
                                                kehu_field_get_label (find_field_row (self, field)->field));
    toast (self, message);
  }
  return TRUE;
}

static void
on_entry_apply_cb (AdwEntryRow          *entry,
                   KehuRecordDetailView *self)
{
  FieldRow *row = g_object_get_data (G_OBJECT (entry), "kehu-field-row");
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = stored_from_text (row->field, gtk_editable_get_text (GTK_EDITABLE (entry)), &error);

  if (stored == NULL)
    {
      gtk_label_set_label (row->error_label, error->message);
      gtk_widget_set_visible (row->error_row, TRUE);
      gtk_widget_add_css_class (row->editor, "error");
      return;
    }

  save_field (self, row, stored);
}

static void
on_combo_selected_cb (AdwComboRow          *combo,
                      GParamSpec           *pspec,
                      KehuRecordDetailView *self)
{
  FieldRow *row = g_object_get_data (G_OBJECT (combo), "kehu-field-row");
  guint selected = adw_combo_row_get_selected (combo);

  if (self->filling || selected == GTK_INVALID_LIST_POSITION || selected >= row->values->len)
    return;

  save_field (self, row, g_ptr_array_index (row->values, selected));
}

static gboolean
on_editor_key_pressed_cb (GtkEventControllerKey *controller,
                          guint                  keyval,
                          guint                  keycode,
                          GdkModifierType        state,
                          FieldRow              *row)
{
  if (keyval == GDK_KEY_Escape)
    {
      show_editor (row, FALSE);
      gtk_widget_grab_focus (row->display);
      return TRUE;
    }
  return FALSE;
}

static void
on_display_activated_cb (AdwActionRow         *display,
                         KehuRecordDetailView *self)
{
  FieldRow *row = g_object_get_data (G_OBJECT (display), "kehu-field-row");

  show_editor (row, TRUE);
}

/* The values a combo row offers: dictionary items, enum values, users or
 * records of the referenced module. */
static void
fill_combo (KehuRecordDetailView *self,
            FieldRow             *row,
            const char           *current)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(JsonArray) items = NULL;
  const KehuField *field = row->field;
  guint selected = 0;

  row->values = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (row->values, g_strdup (""));
  gtk_string_list_append (labels, "—");

  if (field->type == KEHU_FIELD_BOOLEAN)
    {
      g_ptr_array_add (row->values, g_strdup ("1"));
      gtk_string_list_append (labels, _("Yes"));
      g_ptr_array_add (row->values, g_strdup ("0"));
      gtk_string_list_append (labels, _("No"));
    }
  else if (field->type == KEHU_FIELD_ENUM)
    {
      for (guint i = 0; field->choices && field->choices[i]; i++)
        {
          g_ptr_array_add (row->values, g_strdup (field->choices[i]));
          gtk_string_list_append (labels, kehu_display_enum (field->choices[i]));
        }
    }
  else
    {
      if (field->type == KEHU_FIELD_CHOICE)
        items = kehu_admin_query (self->store, NULL,
                                  "SELECT value AS id, label AS title FROM dictionary_items "
                                  "WHERE dictionary_id = ? AND (is_enabled = 1 OR value = ?) ORDER BY position",
                                  field->dictionary, current ? current : "", NULL);
      else if (field->type == KEHU_FIELD_USER)
        items = kehu_admin_query (self->store, NULL,
                                  "SELECT id, name AS title FROM users WHERE deleted_at IS NULL "
                                  "AND (is_enabled = 1 OR id = ?) ORDER BY name",
                                  current ? current : "", NULL);
      else if (g_strcmp0 (field->reference, "stages") == 0)
        items = kehu_admin_query (self->store, NULL,
                                  "SELECT id, name AS title FROM stages WHERE group_id = ? ORDER BY position",
                                  str_member (self->record, "stage_group_id"), NULL);
      else if (field->reference != NULL)
        {
          const char *col = kehu_admin_table_title_column (field->reference);
          g_autofree char *sql = NULL;

          if (col == NULL)
            col = "name";
          /* Module and column from the schema description. */
          sql = g_strdup_printf ("SELECT id, CAST (%s AS TEXT) AS title FROM %s "
                                 "WHERE deleted_at IS NULL OR id = ? ORDER BY 2 LIMIT 500",
                                 col, field->reference);
          items = kehu_admin_query (self->store, NULL, sql, current ? current : "", NULL);
        }

      for (guint i = 0; items && i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          const char *title = str_member (item, "title");

          g_ptr_array_add (row->values, g_strdup (str_member (item, "id")));
          gtk_string_list_append (labels, field->type == KEHU_FIELD_CHOICE || g_strcmp0 (field->reference, "stages") == 0
                                            ? kehu_schema_display_label (title) : (title ? title : ""));
        }
    }

  for (guint i = 0; i < row->values->len; i++)
    if (g_strcmp0 (g_ptr_array_index (row->values, i), current ? current : "") == 0)
      selected = i;

  adw_combo_row_set_model (ADW_COMBO_ROW (row->editor), G_LIST_MODEL (labels));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row->editor), selected);
}

static gboolean
uses_combo (const KehuField *field)
{
  switch (field->type)
    {
    case KEHU_FIELD_CHOICE:
    case KEHU_FIELD_ENUM:
    case KEHU_FIELD_BOOLEAN:
    case KEHU_FIELD_REFERENCE:
    case KEHU_FIELD_USER:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_editable (const KehuField *field)
{
  if (field->flags & (KEHU_FIELD_READ_ONLY | KEHU_FIELD_SYSTEM | KEHU_FIELD_HIDDEN))
    return FALSE;
  /* Owners change by a transfer; stages by the stage bar. */
  if (g_str_equal (field->name, "owner_id") || g_str_equal (field->name, "stage_id") ||
      g_str_equal (field->name, "stage_group_id"))
    return FALSE;
  switch (field->type)
    {
    case KEHU_FIELD_JSON:
    case KEHU_FIELD_TAGS:
    case KEHU_FIELD_MULTI_CHOICE:
    case KEHU_FIELD_ATTACHMENT:
      return FALSE;
    default:
      return TRUE;
    }
}

static void
fill_info (KehuRecordDetailView *self)
{
  const KehuModule *m = get_module_desc (self);

  remove_all (GTK_WIDGET (self->info_list));
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);
  self->field_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) field_row_free);
  if (m == NULL)
    return;

  self->filling = TRUE;
  /* The record's own fields first, then who owns it and when it changed. */
  for (guint k = 0; k < 2 * kehu_module_get_n_fields (m); k++)
    {
      guint i = k % kehu_module_get_n_fields (m);
      gboolean second_pass = k >= kehu_module_get_n_fields (m);
      const KehuField *field = kehu_module_get_field (m, i);
      g_autofree char *value = NULL;
      g_autofree char *accessible = NULL;
      FieldRow *row;
      GtkWidget *error_box;

      if ((field->flags & (KEHU_FIELD_HIDDEN)) ||
          ((field->flags & KEHU_FIELD_SYSTEM) && !g_str_equal (field->name, "owner_id") &&
           !g_str_equal (field->name, "created_at") && !g_str_equal (field->name, "updated_at")))
        continue;
      if (second_pass != ((field->flags & KEHU_FIELD_SYSTEM) != 0))
        continue;

      row = g_new0 (FieldRow, 1);
      row->field = field;
      g_ptr_array_add (self->field_rows, row);

      value = kehu_display_field (self->store, field, self->record);
      row->display = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->display), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->display), kehu_field_get_label (field));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row->display), *value ? value : "—");
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row->display), 6);
      gtk_widget_add_css_class (row->display, "property");
      g_object_set_data (G_OBJECT (row->display), "kehu-field-row", row);
      accessible = g_strdup_printf ("%s: %s", kehu_field_get_label (field), *value ? value : "—");
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->display),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      gtk_list_box_append (self->info_list, row->display);

      if (!is_editable (field))
        {
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->display), FALSE);
          row->editor = gtk_list_box_row_new ();
          gtk_widget_set_visible (row->editor, FALSE);
        }
      else
        {
          GtkEventController *keys = gtk_event_controller_key_new ();

          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->display), TRUE);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row->display),
                                     gtk_image_new_from_icon_name ("document-edit-symbolic"));
          g_signal_connect_object (row->display, "activated",
                                   G_CALLBACK (on_display_activated_cb), self, 0);

          if (uses_combo (field))
            {
              row->editor = adw_combo_row_new ();
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->editor), kehu_field_get_label (field));
              fill_combo (self, row, str_member (self->record, field->name));
              g_signal_connect_object (row->editor, "notify::selected",
                                       G_CALLBACK (on_combo_selected_cb), self, 0);
            }
          else
            {
              g_autofree char *text = editable_text (field, self->record);

              row->editor = adw_entry_row_new ();
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->editor), kehu_field_get_label (field));
              adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row->editor), TRUE);
              gtk_editable_set_text (GTK_EDITABLE (row->editor), text);
              g_signal_connect_object (row->editor, "apply",
                                       G_CALLBACK (on_entry_apply_cb), self, 0);
              g_signal_connect_object (row->editor, "entry-activated",
                                       G_CALLBACK (on_entry_apply_cb), self, 0);
            }

          g_object_set_data (G_OBJECT (row->editor), "kehu-field-row", row);
          g_signal_connect (keys, "key-pressed", G_CALLBACK (on_editor_key_pressed_cb), row);
          gtk_widget_add_controller (row->editor, keys);
          gtk_widget_set_visible (row->editor, FALSE);
        }
      gtk_list_box_append (self->info_list, row->editor);

      row->error_row = gtk_list_box_row_new ();
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->error_row), FALSE);
      error_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_widget_set_margin_start (error_box, 12);
      gtk_widget_set_margin_end (error_box, 12);
      gtk_widget_set_margin_top (error_box, 6);
      gtk_widget_set_margin_bottom (error_box, 6);
      gtk_box_append (GTK_BOX (error_box), gtk_image_new_from_icon_name ("dialog-error-symbolic"));
      row->error_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_wrap (row->error_label, TRUE);
      gtk_label_set_xalign (row->error_label, 0);
      gtk_box_append (GTK_BOX (error_box), GTK_WIDGET (row->error_label));
      gtk_widget_add_css_class (error_box, "error");
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->error_row), error_box);
      gtk_widget_set_visible (row->error_row, FALSE);
      gtk_list_box_append (self->info_list, row->error_row);
    }
  self->filling = FALSE;
}

/* Related records ------------------------------------------------------------------ */

static void
add_related_group (KehuRecordDetailView *self,
                   const char           *name,
                   const char           *title,
                   const char           *module,
                   JsonArray            *rows,
                   const char           *empty)
{
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_name (list, name);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);

  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);
      gtk_list_box_append (GTK_LIST_BOX (list),
                           open_row (module, str_member (r, "id"), str_member (r, "title"),
                                     str_member (r, "subtitle")));
    }
  if (rows == NULL || json_array_get_length (rows) == 0)
    gtk_list_box_append (GTK_LIST_BOX (list), placeholder_row (empty));

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (self->related_box, box);
}

static JsonArray *
money_rows (KehuRecordDetailView *self,
            const char           *sql,
            const char           *param)
{
  /* The queries return amount and a date; the subtitle is made here so the
   * money is formatted in yuan. */
  g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL, sql, param, NULL);

  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);
      g_autofree char *amount = kehu_display_money (int_member (r, "amount"));
      const char *status = str_member (r, "status");
      g_autofree char *subtitle = g_strdup_printf ("%s · %s%s%s", amount,
                                                   str_member (r, "day") ? str_member (r, "day") : "—",
                                                   status ? " · " : "", status ? kehu_display_enum (status) : "");

      json_object_set_string_member (r, "subtitle", subtitle);
      if (str_member (r, "title") == NULL)
        json_object_set_string_member (r, "title", _("(no number)"));
    }

  return g_steal_pointer (&rows);
}

static void
on_team_remove_clicked_cb (GtkButton            *button,
                           KehuRecordDetailView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);

  /* Through the rules: logged, and queued for the server on a cache. */
  if (!kehu_context_begin (ctx, &error) ||
      !kehu_rules_remove_team_member (ctx, self->module, self->record_id,
                                      g_object_get_data (G_OBJECT (button), "kehu-user-id"), NULL, &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      toast (self, error->message);
    }
  kehu_record_detail_view_reload (self);
}

static void
on_team_add_clicked_cb (GtkButton            *button,
                        KehuRecordDetailView *self)
{
  GtkDropDown *users = g_object_get_data (G_OBJECT (button), "kehu-users");
  GtkDropDown *access = g_object_get_data (G_OBJECT (button), "kehu-access");
  GPtrArray *ids = g_object_get_data (G_OBJECT (button), "kehu-user-ids");
  guint selected = gtk_drop_down_get_selected (users);
  g_autoptr(GError) error = NULL;

  if (selected == GTK_INVALID_LIST_POSITION || selected >= ids->len)
    return;

  g_autoptr(KehuContext) ctx = new_context (self);

  if (!kehu_context_begin (ctx, &error) ||
      !kehu_rules_add_team_member (ctx, self->module, self->record_id,
                                   g_ptr_array_index (ids, selected),
                                   gtk_drop_down_get_selected (access) == 1 ? "write" : "read",
                                   &error) ||
      !kehu_context_commit (ctx, &error))
    {
      kehu_context_rollback (ctx);
      toast (self, error->message);
    }
  kehu_record_detail_view_reload (self);
}

static void
add_team_group (KehuRecordDetailView *self)
{
  g_autoptr(JsonArray) members = NULL;
  g_autoptr(JsonArray) users = NULL;
  g_autoptr(GtkStringList) user_names = gtk_string_list_new (NULL);
  GPtrArray *user_ids = g_ptr_array_new_with_free_func (g_free);
  const char *access_names[] = { _("Read only"), _("Read and write"), NULL };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (_("Team"));
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *add_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *user_drop, *access_drop, *add;

  members = kehu_admin_query (self->store, NULL,
                              "SELECT t.user_id, t.access, u.name FROM team_members t "
                              "LEFT JOIN users u ON u.id = t.user_id "
                              "WHERE t.module = ? AND t.record_id = ? ORDER BY u.name",
                              self->module, self->record_id, NULL);
  users = kehu_admin_query (self->store, NULL,
                            "SELECT id, name FROM users WHERE is_enabled = 1 AND deleted_at IS NULL "
                            "AND id IS NOT ? AND id NOT IN (SELECT user_id FROM team_members "
                            "WHERE module = ? AND record_id = ?) ORDER BY name",
                            str_member (self->record, "owner_id"), self->module, self->record_id, NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_name (list, "team");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Team"), -1);

  for (guint i = 0; members && i < json_array_get_length (members); i++)
    {
      JsonObject *r = json_array_get_object_element (members, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
      g_autofree char *remove_label = g_strdup_printf (_("Remove %s from the team"),
                                                       str_member (r, "name") ?: "");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (r, "name") ?: _("Unknown user"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   g_strcmp0 (str_member (r, "access"), "write") == 0
                                   ? _("Read and write") : _("Read only"));
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, remove_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
      g_object_set_data_full (G_OBJECT (remove), "kehu-user-id", g_strdup (str_member (r, "user_id")), g_free);
      g_signal_connect_object (remove, "clicked", G_CALLBACK (on_team_remove_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  if (members == NULL || json_array_get_length (members) == 0)
    gtk_list_box_append (GTK_LIST_BOX (list),
                         placeholder_row (_("Only the owner works on this record. Add colleagues who help maintain it.")));

  for (guint i = 0; users && i < json_array_get_length (users); i++)
    {
      JsonObject *u = json_array_get_object_element (users, i);
      gtk_string_list_append (user_names, str_member (u, "name") ?: "");
      g_ptr_array_add (user_ids, g_strdup (str_member (u, "id")));
    }

  user_drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (user_names)), NULL);
  gtk_widget_set_hexpand (user_drop, TRUE);
  gtk_widget_set_name (user_drop, "team-user");
  gtk_accessible_update_property (GTK_ACCESSIBLE (user_drop), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Colleague"), -1);
  access_drop = gtk_drop_down_new_from_strings (access_names);
  gtk_widget_set_name (access_drop, "team-access");
  gtk_accessible_update_property (GTK_ACCESSIBLE (access_drop), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Access"), -1);
  add = gtk_button_new_with_mnemonic (_("_Add to Team"));
  gtk_widget_set_name (add, "team-add");
  gtk_widget_set_sensitive (add, user_ids->len > 0);
  g_object_set_data (G_OBJECT (add), "kehu-users", user_drop);
  g_object_set_data (G_OBJECT (add), "kehu-access", access_drop);
  g_object_set_data_full (G_OBJECT (add), "kehu-user-ids", user_ids, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (add, "clicked", G_CALLBACK (on_team_add_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (add_box), user_drop);
  gtk_box_append (GTK_BOX (add_box), access_drop);
  gtk_box_append (GTK_BOX (add_box), add);

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), add_box);
  gtk_box_append (self->related_box, box);
}

static void
on_submit_approval_clicked_cb (GtkButton            *button,
                               KehuRecordDetailView *self)
{
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *instance = NULL;

  instance = kehu_approvals_submit (ctx, self->module, self->record_id, NULL, NULL, &error);
  if (instance == NULL)
    {
      toast (self, error->message);
      return;
    }

  toast (self, _("Submitted for approval"));
  kehu_record_detail_view_reload (self);
}

/* Contracts, payments and invoices go through an approval flow (SPEC §7):
 * their page shows where the approval stands, who decided what, and lets
 * the owner submit a draft or resubmit after a rejection or withdrawal. */
static void
add_approval_group (KehuRecordDetailView *self)
{
  const char *status = str_member (self->record, "approval_status");
  GtkWidget *box, *label, *timeline;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_name (box, "approval");
  label = gtk_label_new (_("Approval"));
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  timeline = kehu_approval_timeline_new ();
  kehu_approval_timeline_set_history (KEHU_APPROVAL_TIMELINE (timeline), self->store,
                                      self->module, self->record_id);
  gtk_box_append (GTK_BOX (box), timeline);

  if (status == NULL || g_str_equal (status, "draft") ||
      g_str_equal (status, "rejected") || g_str_equal (status, "withdrawn"))
    {
      GtkWidget *submit = gtk_button_new_with_mnemonic (status && !g_str_equal (status, "draft")
                                                        ? _("_Resubmit for Approval")
                                                        : _("_Submit for Approval"));

      gtk_widget_set_name (submit, "approval-submit");
      gtk_widget_set_halign (submit, GTK_ALIGN_START);
      gtk_widget_add_css_class (submit, "suggested-action");
      g_signal_connect_object (submit, "clicked", G_CALLBACK (on_submit_approval_clicked_cb), self, 0);
      gtk_box_append (GTK_BOX (box), submit);
    }

  gtk_box_append (self->related_box, box);
}

static void
fill_related (KehuRecordDetailView *self)
{
  const char *id = self->record_id;
  const char *customer_id = str_member (self->record, "customer_id");
  const char *contract_id = str_member (self->record, "contract_id");

  remove_all (GTK_WIDGET (self->related_box));

  if (g_str_equal (self->module, "contracts") || g_str_equal (self->module, "payments") ||
      g_str_equal (self->module, "invoices"))
    add_approval_group (self);

  if (customer_id != NULL && !g_str_equal (self->module, "customers"))
    {
      g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL,
        "SELECT id, name AS title, phone AS subtitle FROM customers WHERE id = ?", customer_id, NULL);
      add_related_group (self, "customer", _("Customer"), "customers", rows, _("The customer is not on this computer."));
    }
  if (contract_id != NULL)
    {
      g_autoptr(JsonArray) rows = money_rows (self,
        "SELECT id, COALESCE (number, name) AS title, amount, signed_date AS day, approval_status AS status "
        "FROM contracts WHERE id = ?", contract_id);
      add_related_group (self, "contract", _("Contract"), "contracts", rows, _("The contract is not on this computer."));
    }

  if (g_str_equal (self->module, "leads"))
    {
      g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL,
        "SELECT id, name AS title, NULL AS subtitle FROM customers WHERE id = ?",
        str_member (self->record, "converted_customer_id") ?: "", NULL);
      add_related_group (self, "converted", _("Converted to Customer"), "customers", rows,
                         _("Not converted yet. Convert the lead when it becomes a real customer."));
    }
  else if (g_str_equal (self->module, "customers"))
    {
      g_autoptr(JsonArray) contacts = kehu_admin_query (self->store, NULL,
        "SELECT id, name AS title, trim (COALESCE (post, '') || ' ' || COALESCE (mobile, phone, '')) AS subtitle "
        "FROM contacts WHERE customer_id = ? AND deleted_at IS NULL ORDER BY is_primary DESC, name", id, NULL);
      g_autoptr(JsonArray) opps = money_rows (self,
        "SELECT id, name AS title, amount, expected_close_date AS day, status FROM opportunities "
        "WHERE customer_id = ? AND deleted_at IS NULL ORDER BY updated_at DESC", id);
      g_autoptr(JsonArray) contracts = money_rows (self,
        "SELECT id, COALESCE (number || ' ' || name, name) AS title, amount, signed_date AS day, approval_status AS status "
        "FROM contracts WHERE customer_id = ? AND deleted_at IS NULL ORDER BY signed_date DESC", id);
      g_autoptr(JsonArray) plans = money_rows (self,
        "SELECT p.id, c.name || ' · ' || p.instalment AS title, p.planned_amount AS amount, p.planned_date AS day, p.status "
        "FROM payment_plans p LEFT JOIN contracts c ON c.id = p.contract_id "
        "WHERE p.customer_id = ? AND p.deleted_at IS NULL ORDER BY p.planned_date", id);
      g_autoptr(JsonArray) payments = money_rows (self,
        "SELECT id, number AS title, amount, paid_date AS day, approval_status AS status FROM payments "
        "WHERE customer_id = ? AND deleted_at IS NULL ORDER BY paid_date DESC", id);

      add_related_group (self, "contacts", _("Contacts"), "contacts", contacts, _("No contacts yet."));
      add_team_group (self);
      add_related_group (self, "opportunities", _("Opportunities"), "opportunities", opps, _("No opportunities yet."));
      add_related_group (self, "contracts", _("Contracts"), "contracts", contracts, _("No contracts yet."));
      add_related_group (self, "payment-plans", _("Payment Plans"), "payment_plans", plans, _("No payment plans yet."));
      add_related_group (self, "payments", _("Payments"), "payments", payments, _("No payments yet."));
    }
  else if (g_str_equal (self->module, "contacts"))
    {
      g_autoptr(JsonArray) opps = money_rows (self,
        "SELECT id, name AS title, amount, expected_close_date AS day, status FROM opportunities "
        "WHERE customer_id = ? AND deleted_at IS NULL ORDER BY updated_at DESC", customer_id ?: "");
      add_related_group (self, "opportunities", _("The Customer’s Opportunities"), "opportunities", opps,
                         _("The customer has no opportunities yet."));
    }
  else if (g_str_equal (self->module, "opportunities"))
    {
      g_autoptr(JsonArray) contracts = money_rows (self,
        "SELECT id, COALESCE (number || ' ' || name, name) AS title, amount, signed_date AS day, approval_status AS status "
        "FROM contracts WHERE opportunity_id = ? AND deleted_at IS NULL", id);
      g_autoptr(JsonArray) history = kehu_admin_query (self->store, NULL,
        "SELECT h.changed_at, h.dwell_days, h.reason, f.name AS from_name, t.name AS to_name "
        "FROM opportunity_stage_history h LEFT JOIN stages f ON f.id = h.from_stage_id "
        "LEFT JOIN stages t ON t.id = h.to_stage_id WHERE h.opportunity_id = ? ORDER BY h.id DESC", id, NULL);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *label = gtk_label_new (_("Stage History"));
      GtkWidget *list = gtk_list_box_new ();

      add_related_group (self, "contracts", _("Contracts"), "contracts", contracts, _("No contracts yet."));
      add_team_group (self);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_set_name (list, "stage-history");
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      for (guint i = 0; history && i < json_array_get_length (history); i++)
        {
          JsonObject *h = json_array_get_object_element (history, i);
          GtkWidget *row = adw_action_row_new ();
          g_autofree char *when = kehu_display_time (str_member (h, "changed_at"));
          g_autofree char *title = g_strdup_printf ("%s → %s",
                                                    str_member (h, "from_name") ? kehu_schema_display_label (str_member (h, "from_name")) : _("(none)"),
                                                    str_member (h, "to_name") ? kehu_schema_display_label (str_member (h, "to_name")) : _("(none)"));
          int days = (int) int_member (h, "dwell_days");
          g_autofree char *dwell = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · after %d day", "%s · after %d days", days),
                                                    when, days);

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          if (str_member (h, "reason"))
            {
              g_autofree char *reason = kehu_display_dictionary (self->store, "lost_reason", str_member (h, "reason"));
              g_autofree char *sub = g_strdup_printf ("%s · %s", dwell, reason);
              adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
            }
          else
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dwell);
          gtk_list_box_append (GTK_LIST_BOX (list), row);
        }
      if (history == NULL || json_array_get_length (history) == 0)
        gtk_list_box_append (GTK_LIST_BOX (list), placeholder_row (_("The stage has not changed yet.")));
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), list);
      gtk_box_append (self->related_box, box);
    }
  else if (g_str_equal (self->module, "contracts"))
    {
      g_autoptr(JsonArray) plans = money_rows (self,
        "SELECT id, ?1 || '' AS dummy, instalment AS n, planned_amount AS amount, planned_date AS day, status, "
        "NULL AS title FROM payment_plans WHERE contract_id = ?1 AND deleted_at IS NULL ORDER BY instalment", id);
      g_autoptr(JsonArray) payments = money_rows (self,
        "SELECT id, number AS title, amount, paid_date AS day, approval_status AS status FROM payments "
        "WHERE contract_id = ? AND deleted_at IS NULL ORDER BY paid_date DESC", id);
      g_autoptr(JsonArray) invoices = money_rows (self,
        "SELECT id, number AS title, amount, invoice_date AS day, approval_status AS status FROM invoices "
        "WHERE contract_id = ? AND deleted_at IS NULL ORDER BY invoice_date DESC", id);

      for (guint i = 0; plans && i < json_array_get_length (plans); i++)
        {
          JsonObject *p = json_array_get_object_element (plans, i);
          g_autofree char *t = g_strdup_printf (_("Instalment %d"), (int) int_member (p, "n"));
          json_object_set_string_member (p, "title", t);
        }
      add_related_group (self, "payment-plans", _("Payment Plans"), "payment_plans", plans, _("No payment plans yet."));
      add_related_group (self, "payments", _("Payments"), "payments", payments, _("No payments yet."));
      add_related_group (self, "invoices", _("Invoices"), "invoices", invoices, _("No invoices yet."));
      add_team_group (self);
    }
  else if (g_str_equal (self->module, "payment_plans"))
    {
      g_autoptr(JsonArray) payments = money_rows (self,
        "SELECT id, number AS title, amount, paid_date AS day, approval_status AS status FROM payments "
        "WHERE plan_id = ? AND deleted_at IS NULL ORDER BY paid_date DESC", id);
      add_related_group (self, "payments", _("Payments"), "payments", payments, _("Nothing received against this instalment yet."));
    }
}

/* Attachments ---------------------------------------------------------------------- */

static char *
blobs_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "kehu", "blobs", NULL);
}

static void
fill_attachments (KehuRecordDetailView *self)
{
  g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL,
    "SELECT id, name, mime_type, size, created_at FROM attachments "
    "WHERE target_module = ? AND target_id = ? AND deleted_at IS NULL ORDER BY created_at DESC",
    self->module, self->record_id, NULL);

  remove_all (GTK_WIDGET (self->attachments_list));
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *a = json_array_get_object_element (rows, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *open = gtk_button_new_from_icon_name ("document-open-symbolic");
      g_autofree char *size = g_format_size (int_member (a, "size"));
      g_autofree char *when = kehu_display_time (str_member (a, "created_at"));
      g_autofree char *type = str_member (a, "mime_type") ? g_content_type_get_description (str_member (a, "mime_type")) : NULL;
      g_autofree char *sub = g_strdup_printf ("%s · %s · %s", size, type ? type : _("Unknown type"), when);
      g_autofree char *open_label = g_strdup_printf (_("Open %s"), str_member (a, "name"));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), str_member (a, "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-attachment-symbolic"));
      gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (open, "flat");
      gtk_widget_set_tooltip_text (open, open_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "detail.open-attachment");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (open), "s", str_member (a, "id"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), open);
      gtk_list_box_append (self->attachments_list, row);
    }
  if (rows == NULL || json_array_get_length (rows) == 0)
    gtk_list_box_append (self->attachments_list,
                         placeholder_row (_("No attachments. Add business card photos, quotes or scanned contracts.")));
}

/* Operation log -------------------------------------------------------------------- */

static char *
log_value (KehuRecordDetailView *self,
           const char           *field_name,
           const char           *value)
{
  const KehuModule *m = get_module_desc (self);
  const KehuField *field = (m && field_name) ? kehu_module_lookup_field (m, field_name) : NULL;
  g_autofree char *text = NULL;

  if (value == NULL || *value == '\0')
    return g_strdup (_("(empty)"));
  if (field == NULL)
    return g_strdup (value);

  text = kehu_display_stored_value (self->store, field, value);
  return g_steal_pointer (&text);
}

static void
fill_log (KehuRecordDetailView *self)
{
  const KehuModule *m = get_module_desc (self);
  g_autoptr(JsonArray) rows = kehu_admin_query (self->store, NULL,
    "SELECT o.at, o.action, o.field, o.old_value, o.new_value, u.name AS user_name "
    "FROM oplog o LEFT JOIN users u ON u.id = o.user_id "
    "WHERE o.module = ? AND o.record_id = ? ORDER BY o.id DESC LIMIT 500",
    self->module, self->record_id, NULL);

  remove_all (GTK_WIDGET (self->log_list));
  for (guint i = 0; rows && i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);
      const char *action = str_member (o, "action");
      const char *field_name = str_member (o, "field");
      const KehuField *field = (m && field_name) ? kehu_module_lookup_field (m, field_name) : NULL;
      g_autofree char *when = kehu_display_time (str_member (o, "at"));
      g_autofree char *title = g_strdup_printf ("%s · %s", str_member (o, "user_name") ?: _("You"), when);
      g_autofree char *old_v = log_value (self, field_name, str_member (o, "old_value"));
      g_autofree char *new_v = log_value (self, field_name, str_member (o, "new_value"));
      g_autofree char *what = NULL;
      GtkWidget *row = adw_action_row_new ();

      if (g_strcmp0 (action, "create") == 0)
        what = g_strdup (_("Created the record"));
      else if (g_strcmp0 (action, "delete") == 0)
        what = g_strdup (_("Moved it to the recycle bin"));
      else if (g_strcmp0 (action, "restore") == 0)
        what = g_strdup (_("Restored it from the recycle bin"));
      else if (g_strcmp0 (action, "transfer") == 0)
        what = g_strdup_printf (_("Transferred it from %s to %s"), old_v, new_v);
      else if (g_strcmp0 (action, "convert") == 0)
        what = g_strdup (_("Converted the lead to a customer"));
      else if (g_strcmp0 (action, "lock") == 0)
        what = g_strdup (_("Locked the customer"));
      else if (g_strcmp0 (action, "unlock") == 0)
        what = g_strdup (_("Unlocked the customer"));
      else if (field_name != NULL)
        what = g_strdup_printf (_("%s: %s → %s"), field ? kehu_field_get_label (field) : field_name, old_v, new_v);
      else
        what = g_strdup (action);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), what);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), title);
      gtk_list_box_append (self->log_list, row);
    }
  if (rows == NULL || json_array_get_length (rows) == 0)
    gtk_list_box_append (self->log_list, placeholder_row (_("No changes recorded yet.")));
}

/* Dialogs -------------------------------------------------------------------------- */

static void
on_dialog_destroyed_cb (KehuRecordDetailView *self)
{
  self->dialog = NULL;
}

static AdwMessageDialog *
new_dialog (KehuRecordDetailView *self,
            const char           *heading,
            const char           *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  self->dialog = dialog;
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_dialog_destroyed_cb), self, G_CONNECT_SWAPPED);
  return ADW_MESSAGE_DIALOG (dialog);
}

static GtkWidget *
labelled (const char *label,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *l = gtk_label_new_with_mnemonic (label);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), widget);
  gtk_widget_add_css_class (l, "heading");
  gtk_box_append (GTK_BOX (box), l);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);
      if (found)
        return found;
    }
  return NULL;
}

static char *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Checks the follow-up form as the user types; the Add button waits until
 * it is right, and the label says what is missing. */
static void
on_followup_changed_cb (GtkWidget *dialog)
{
  GtkLabel *error = GTK_LABEL (find_named (dialog, "followup-error"));
  g_autofree char *content = text_view_text (GTK_TEXT_VIEW (find_named (dialog, "followup-content")));
  const char *at = gtk_editable_get_text (GTK_EDITABLE (find_named (dialog, "followup-time")));
  const char *next = gtk_editable_get_text (GTK_EDITABLE (find_named (dialog, "followup-next")));
  g_autoptr(GDateTime) at_t = kehu_display_parse_local_time (at);
  g_autoptr(GDateTime) next_t = *next ? kehu_display_parse_local_time (next) : NULL;
  const char *message = NULL;

  g_strstrip (content);
  if (*content == '\0')
    message = _("Write what was said or done.");
  else if (at_t == NULL)
    message = _("The time must look like 2026-03-31 14:30.");
  else if (*next && next_t == NULL)
    message = _("The next contact time must look like 2026-04-07 10:00, or stay empty.");
  else if (next_t != NULL && g_date_time_compare (next_t, at_t) <= 0)
    message = _("The next contact time must be after the follow-up.");

  gtk_label_set_label (error, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (error), message != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "add", message == NULL);
}

static void
on_followup_response_cb (AdwMessageDialog     *dialog,
                         const char           *response,
                         KehuRecordDetailView *self)
{
  GtkDropDown *method = GTK_DROP_DOWN (find_named (GTK_WIDGET (dialog), "followup-method"));
  GPtrArray *values = g_object_get_data (G_OBJECT (method), "kehu-values");
  g_autofree char *content = NULL;
  g_autoptr(GDateTime) at = NULL;
  g_autoptr(GDateTime) next = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  guint selected;

  if (!g_str_equal (response, "add"))
    return;

  content = text_view_text (GTK_TEXT_VIEW (find_named (GTK_WIDGET (dialog), "followup-content")));
  at = kehu_display_parse_local_time (gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "followup-time"))));
  next = kehu_display_parse_local_time (gtk_editable_get_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "followup-next"))));
  selected = gtk_drop_down_get_selected (method);

  ctx = new_context (self);
  if (at == NULL || selected >= values->len ||
      !kehu_admin_add_followup (ctx, self->module, self->record_id,
                                g_ptr_array_index (values, selected), content, at, next, NULL, &error))
    {
      toast (self, error ? error->message : _("The follow-up could not be added"));
      return;
    }

  kehu_record_detail_view_reload (self);
  adw_view_stack_set_visible_child_name (self->view_stack, "timeline");
  toast (self, next ? _("Follow-up added; you will be reminded before the next contact")
                    : _("Follow-up added"));
}

static void
follow_up_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  AdwMessageDialog *dialog = new_dialog (self, _("Add a Follow-up"), NULL);
  g_autoptr(JsonArray) methods = kehu_admin_query (self->store, NULL,
    "SELECT value, label FROM dictionary_items WHERE dictionary_id = 'followup_method' "
    "AND is_enabled = 1 ORDER BY position", NULL);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%d %H:%M");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *method, *content, *scrolled, *at, *next, *error;

  for (guint i = 0; methods && i < json_array_get_length (methods); i++)
    {
      JsonObject *m = json_array_get_object_element (methods, i);
      g_ptr_array_add (values, g_strdup (str_member (m, "value")));
      gtk_string_list_append (labels, kehu_schema_display_label (str_member (m, "label")));
    }

  method = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (labels)), NULL);
  gtk_widget_set_name (method, "followup-method");
  g_object_set_data_full (G_OBJECT (method), "kehu-values", values, (GDestroyNotify) g_ptr_array_unref);

  content = gtk_text_view_new ();
  gtk_widget_set_name (content, "followup-content");
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (content), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (content), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (content), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (content), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (content), 6);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (content), FALSE);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), content);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 96);
  gtk_widget_set_size_request (scrolled, 360, -1);
  gtk_widget_add_css_class (scrolled, "card");

  at = gtk_entry_new ();
  gtk_widget_set_name (at, "followup-time");
  gtk_editable_set_text (GTK_EDITABLE (at), now_text);
  next = gtk_entry_new ();
  gtk_widget_set_name (next, "followup-next");
  gtk_entry_set_placeholder_text (GTK_ENTRY (next), _("e.g. 2026-04-07 10:00 (optional)"));

  error = gtk_label_new (NULL);
  gtk_widget_set_name (error, "followup-error");
  gtk_label_set_wrap (GTK_LABEL (error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (error), 0);
  gtk_widget_add_css_class (error, "error");

  gtk_box_append (GTK_BOX (box), labelled (_("_Method"), method));
  gtk_box_append (GTK_BOX (box), labelled (_("_Content"), scrolled));
  gtk_box_append (GTK_BOX (box), labelled (_("_Time"), at));
  gtk_box_append (GTK_BOX (box), labelled (_("_Next contact"), next));
  gtk_box_append (GTK_BOX (box), error);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "add");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_signal_connect_object (gtk_text_view_get_buffer (GTK_TEXT_VIEW (content)), "changed",
                           G_CALLBACK (on_followup_changed_cb), dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (at, "changed", G_CALLBACK (on_followup_changed_cb), dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (next, "changed", G_CALLBACK (on_followup_changed_cb), dialog, G_CONNECT_SWAPPED);
  on_followup_changed_cb (GTK_WIDGET (dialog));

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_followup_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (content);
}

static void
on_editor_destroyed_cb (KehuRecordDetailView *self)
{
  kehu_record_detail_view_reload (self);
}

/* Edit opens the whole form (the record editor of the lists); single
 * values are also edited in place on the Basic Info tab. */
static void
edit_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  g_autoptr(KehuContext) ctx = new_context (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  KehuRecordEditor *editor;

  if (self->schema == NULL || self->module == NULL)
    return;

  editor = kehu_record_editor_new (ctx, self->module, self->record_id);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  gtk_window_set_modal (GTK_WINDOW (editor), TRUE);
  g_signal_connect_object (editor, "destroy", G_CALLBACK (on_editor_destroyed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
on_transfer_response_cb (AdwMessageDialog     *dialog,
                         const char           *response,
                         KehuRecordDetailView *self)
{
  GtkDropDown *drop = GTK_DROP_DOWN (find_named (GTK_WIDGET (dialog), "transfer-user"));
  GPtrArray *ids = g_object_get_data (G_OBJECT (drop), "kehu-values");
  guint selected = gtk_drop_down_get_selected (drop);
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "transfer") || selected >= ids->len)
    return;
  {

  GtkWidget *cascade = find_named (GTK_WIDGET (dialog), "transfer-cascade");
  GtkWidget *keep = find_named (GTK_WIDGET (dialog), "transfer-keep");
  g_autoptr(KehuContext) ctx = new_context (self);
  const char *ids_one[] = { self->record_id, NULL };
  KehuTransferFlags flags = KEHU_TRANSFER_NONE;

  if (cascade && gtk_check_button_get_active (GTK_CHECK_BUTTON (cascade)))
    flags |= KEHU_TRANSFER_CASCADE;
  if (keep && gtk_check_button_get_active (GTK_CHECK_BUTTON (keep)))
    flags |= KEHU_TRANSFER_KEEP_TEAM_READ;

  if (!kehu_rules_transfer (ctx, self->module, ids_one, g_ptr_array_index (ids, selected), flags, &error))
    {
      toast (self, error->message);
      return;
    }

  kehu_record_detail_view_reload (self);
  {
    g_autofree char *to = kehu_display_user (self->store, g_ptr_array_index (ids, selected));
    g_autofree char *message = g_strdup_printf (_("Transferred to %s"), to);
    toast (self, message);
  }
  }
}

static void
transfer_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  g_autoptr(JsonArray) users = kehu_admin_query (self->store, NULL,
    "SELECT id, name FROM users WHERE is_enabled = 1 AND deleted_at IS NULL AND id IS NOT ? ORDER BY name",
    str_member (self->record, "owner_id"), NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = g_strdup_printf (_("Choose the new owner of “%s”."), self->title);
  AdwMessageDialog *dialog;
  GtkWidget *drop;

  dialog = new_dialog (self, _("Transfer"), body);
  for (guint i = 0; users && i < json_array_get_length (users); i++)
    {
      JsonObject *u = json_array_get_object_element (users, i);
      gtk_string_list_append (names, str_member (u, "name") ?: "");
      g_ptr_array_add (ids, g_strdup (str_member (u, "id")));
    }
  drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
  gtk_widget_set_name (drop, "transfer-user");
  g_object_set_data_full (G_OBJECT (drop), "kehu-values", ids, (GDestroyNotify) g_ptr_array_unref);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New owner"), -1);
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

    gtk_box_append (GTK_BOX (box), labelled (_("_New owner"), drop));
    if (g_str_equal (self->module, "customers"))
      {
        GtkWidget *cascade = gtk_check_button_new_with_mnemonic (_("Also transfer its _contacts, opportunities and contracts"));
        GtkWidget *keep = gtk_check_button_new_with_mnemonic (_("_Keep the current owner in the team (read only)"));

        gtk_widget_set_name (cascade, "transfer-cascade");
        gtk_widget_set_name (keep, "transfer-keep");
        gtk_check_button_set_active (GTK_CHECK_BUTTON (cascade), TRUE);
        gtk_box_append (GTK_BOX (box), cascade);
        gtk_box_append (GTK_BOX (box), keep);
      }
    adw_message_dialog_set_extra_child (dialog, box);
  }
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "transfer", _("_Transfer"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "transfer", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "transfer", ids->len > 0);
  adw_message_dialog_set_default_response (dialog, "transfer");
  adw_message_dialog_set_close_response (dialog, "cancel");
  if (ids->len == 0)
    adw_message_dialog_set_body (dialog, _("There is no other enabled user to transfer to. Add users in Settings."));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_transfer_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  KehuSchema *schema;
  char       *module;
  char       *id;
  char       *user_id;
} UndoData;

static void
undo_data_free (gpointer  user_data,
                GClosure *closure)
{
  UndoData *data = user_data;

  g_clear_object (&data->schema);
  g_free (data->module);
  g_free (data->id);
  g_free (data->user_id);
  g_free (data);
}

static void
on_undo_delete_cb (AdwToast *toast_obj,
                   UndoData *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = kehu_context_new (data->schema, data->user_id);

  if (!kehu_record_restore (ctx, data->module, data->id, &error))
    g_warning ("Undo delete: %s", error->message);
}

static void
delete_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *message = NULL;
  UndoData *data;
  AdwToast *t;

  if (!kehu_record_delete (ctx, self->module, self->record_id, &error))
    {
      toast (self, error->message);
      return;
    }

  message = g_strdup_printf (_("“%s” moved to the recycle bin"), self->title);
  t = adw_toast_new (message);
  adw_toast_set_button_label (t, _("_Undo"));
  data = g_new0 (UndoData, 1);
  data->schema = g_object_ref (self->schema);
  data->module = g_strdup (self->module);
  data->id = g_strdup (self->record_id);
  data->user_id = g_strdup (self->user_id);
  g_signal_connect_data (t, "button-clicked", G_CALLBACK (on_undo_delete_cb), data,
                         undo_data_free, 0);
  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), t);
  else
    g_object_unref (g_object_ref_sink (t));

  gtk_widget_activate_action (widget, "win.close-record", NULL);
}

static void
set_locked (KehuRecordDetailView *self,
            gboolean              locked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(JsonObject) changes = json_object_new ();

  json_object_set_boolean_member (changes, "is_locked", locked);
  if (!kehu_record_update (ctx, "customers", self->record_id, changes, &error))
    {
      toast (self, error->message);
      return;
    }
  kehu_record_detail_view_reload (self);
  toast (self, locked ? _("Locked: the customer will not return to the public pool")
                      : _("Unlocked: pool rules apply again"));
}

static void
lock_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  set_locked (KEHU_RECORD_DETAIL_VIEW (widget), g_str_equal (action_name, "detail.lock"));
}

static void
convert_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *customer_id = NULL;

  if (!kehu_rules_convert_lead (ctx, self->record_id, &customer_id, &error))
    {
      toast (self, error->message);
      return;
    }

  toast (self, _("Lead converted to a customer"));
  gtk_widget_activate_action (widget, "win.open-record", "(ss)", "customers", customer_id);
}

static void
on_lost_response_cb (AdwMessageDialog     *dialog,
                     const char           *response,
                     KehuRecordDetailView *self)
{
  GtkDropDown *drop = GTK_DROP_DOWN (find_named (GTK_WIDGET (dialog), "lost-reason"));
  GPtrArray *values = g_object_get_data (G_OBJECT (drop), "kehu-values");
  const char *stage_id = g_object_get_data (G_OBJECT (dialog), "kehu-stage");
  guint selected = gtk_drop_down_get_selected (drop);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autoptr(JsonObject) changes = json_object_new ();

  if (!g_str_equal (response, "lost") || selected >= values->len)
    return;

  /* The stage the user clicked, with the reason: the stage rule records
   * the history and dwell days. */
  json_object_set_string_member (changes, "stage_id", stage_id);
  json_object_set_string_member (changes, "lost_reason", g_ptr_array_index (values, selected));
  if (!kehu_record_update (ctx, "opportunities", self->record_id, changes, &error))
    {
      toast (self, error->message);
      return;
    }
  kehu_record_detail_view_reload (self);
  toast (self, _("Marked as lost"));
}

static void
stage_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  const char *stage_id = g_variant_get_string (parameter, NULL);
  g_autoptr(JsonObject) stage = kehu_admin_query_one (self->store, NULL,
    "SELECT kind, name FROM stages WHERE id = ?", stage_id, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);

  if (stage == NULL || g_strcmp0 (stage_id, str_member (self->record, "stage_id")) == 0)
    return;

  if (g_strcmp0 (str_member (stage, "kind"), "lost") == 0)
    {
      AdwMessageDialog *dialog = new_dialog (self, _("Mark as Lost"),
                                             _("Why was the opportunity lost? The reason feeds the loss analysis."));
      g_autoptr(JsonArray) reasons = kehu_admin_query (self->store, NULL,
        "SELECT value, label FROM dictionary_items WHERE dictionary_id = 'lost_reason' AND is_enabled = 1 "
        "ORDER BY position", NULL);
      g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
      GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
      GtkWidget *drop;

      for (guint i = 0; reasons && i < json_array_get_length (reasons); i++)
        {
          JsonObject *r = json_array_get_object_element (reasons, i);
          g_ptr_array_add (values, g_strdup (str_member (r, "value")));
          gtk_string_list_append (labels, kehu_schema_display_label (str_member (r, "label")));
        }
      drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (labels)), NULL);
      gtk_widget_set_name (drop, "lost-reason");
      g_object_set_data_full (G_OBJECT (drop), "kehu-values", values, (GDestroyNotify) g_ptr_array_unref);
      g_object_set_data_full (G_OBJECT (dialog), "kehu-stage", g_strdup (stage_id), g_free);
      adw_message_dialog_set_extra_child (dialog, labelled (_("_Reason"), drop));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "lost", _("Mark as _Lost"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "lost", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_enabled (dialog, "lost", values->len > 0);
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_lost_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (!kehu_rules_change_stage (ctx, self->record_id, stage_id, NULL, &error))
    {
      toast (self, error->message);
      return;
    }
  kehu_record_detail_view_reload (self);
  {
    g_autofree char *message = g_strdup_printf (g_strcmp0 (str_member (stage, "kind"), "won") == 0
                                                ? _("Won! The opportunity is now “%s”")
                                                : _("Moved to “%s”"),
                                                kehu_schema_display_label (str_member (stage, "name")));
    toast (self, message);
  }
}

static void
on_file_chosen_cb (GtkNativeDialog      *chooser,
                   int                   response,
                   KehuRecordDetailView *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = new_context (self);
  g_autofree char *dir = blobs_dir ();
  g_autofree char *id = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file == NULL)
    return;

  id = kehu_admin_add_attachment (ctx, dir, self->module, self->record_id, file, &error);
  if (id == NULL)
    {
      toast (self, error->message);
      return;
    }
  kehu_record_detail_view_reload (self);
  adw_view_stack_set_visible_child_name (self->view_stack, "attachments");
  toast (self, _("Attachment added"));
}

static void
add_attachment_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Add an Attachment"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_file_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_attachment_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (widget);
  g_autofree char *blobs = blobs_dir ();
  g_autofree char *dest = g_build_filename (g_get_user_cache_dir (), "kehu", "open", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) copy = NULL;
  g_autofree char *uri = NULL;

  copy = kehu_admin_export_attachment (self->store, blobs, g_variant_get_string (parameter, NULL), dest, &error);
  if (copy == NULL)
    {
      toast (self, error->message);
      return;
    }

  uri = g_file_get_uri (copy);
  if (!g_app_info_launch_default_for_uri (uri, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("No application can open it: %s"), error->message);
      toast (self, message);
    }
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.close-record", NULL);
}

/* GObject ---------------------------------------------------------------------------- */

static void
kehu_record_detail_view_dispose (GObject *object)
{
  KehuRecordDetailView *self = (KehuRecordDetailView *)object;

  if (self->dialog)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_pointer (&self->main_box, gtk_widget_unparent);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (kehu_record_detail_view_parent_class)->dispose (object);
}

static void
kehu_record_detail_view_finalize (GObject *object)
{
  KehuRecordDetailView *self = (KehuRecordDetailView *)object;

  g_clear_object (&self->schema);
  g_clear_object (&self->store);
  g_clear_pointer (&self->record, json_object_unref);
  g_free (self->module);
  g_free (self->record_id);
  g_free (self->title);
  g_free (self->user_id);

  G_OBJECT_CLASS (kehu_record_detail_view_parent_class)->finalize (object);
}

static void
kehu_record_detail_view_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  KehuRecordDetailView *self = KEHU_RECORD_DETAIL_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_record_detail_view_class_init (KehuRecordDetailViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_record_detail_view_dispose;
  object_class->finalize = kehu_record_detail_view_finalize;
  object_class->get_property = kehu_record_detail_view_get_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-record-detail-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, main_box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, title_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, sync_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, convert_button);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, facts_box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, stage_box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, stage_bar);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, stage_info_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, timeline_list);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, info_list);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, related_box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, attachments_list);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordDetailView, log_list);

  gtk_widget_class_install_action (widget_class, "detail.follow-up", NULL, follow_up_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.edit", NULL, edit_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.transfer", NULL, transfer_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.delete", NULL, delete_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.lock", NULL, lock_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.unlock", NULL, lock_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.convert", NULL, convert_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.stage", "s", stage_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.add-attachment", NULL, add_attachment_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.open-attachment", "s", open_attachment_action_cb);
  gtk_widget_class_install_action (widget_class, "detail.back", NULL, back_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "detail.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "detail.follow-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "detail.edit", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
kehu_record_detail_view_init (KehuRecordDetailView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

KehuRecordDetailView *
kehu_record_detail_view_new (KehuStore *store)
{
  KehuRecordDetailView *self = g_object_new (KEHU_TYPE_RECORD_DETAIL_VIEW, NULL);
  g_autoptr(GError) error = NULL;

  self->store = g_object_ref (store);
  self->schema = kehu_schema_new (store, &error);
  if (self->schema == NULL)
    g_warning ("The detail page cannot read the schema: %s", error->message);

  return self;
}

/* On a client cache: the record's changes that have not reached the
 * server yet, a claim from the pool that only the server may confirm, or
 * why the server refused the last change. */
static void
fill_sync_state (KehuRecordDetailView *self)
{
  g_autofree char *pending = NULL;
  g_autofree char *refusal = NULL;
  g_autofree char *refused = NULL;
  const char *text = NULL;
  const char *name = NULL;

  if (kehu_sync_store_is_cache (self->store))
    {
      pending = kehu_sync_dup_pending_action (self->store, self->module, self->record_id);
      refusal = pending ? NULL : kehu_sync_dup_refusal (self->store, self->module, self->record_id);
    }
  if (refusal != NULL)
    {
      /* The page shows the server's version; say why ours is gone. */
      refused = g_strdup_printf (_("The server did not accept your last change: %s"), refusal);
      text = refused;
      name = "refused";
    }
  else if (g_strcmp0 (pending, "claim") == 0)
    {
      text = _("Claim pending confirmation: the server checks the pool’s limits when it can be reached");
      name = "claim-pending";
    }
  else if (pending != NULL)
    {
      text = _("Not yet synced: your changes are kept on this computer and sent when the server can be reached");
      name = "not-synced";
    }
  gtk_label_set_label (self->sync_label, text ? text : "");
  gtk_widget_set_name (GTK_WIDGET (self->sync_label), name ? name : "sync-label");
  if (refusal != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "accent");
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->sync_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_label), "accent");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->sync_label), text != NULL);
}

/**
 * kehu_record_detail_view_get_sync_note:
 *
 * Returns: (nullable): the line about unsent changes or a pending claim,
 *   when the page shows one
 */
const char *
kehu_record_detail_view_get_sync_note (KehuRecordDetailView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_DETAIL_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->sync_label)) ? gtk_label_get_label (self->sync_label) : NULL;
}

gboolean
kehu_record_detail_view_load (KehuRecordDetailView  *self,
                              const char            *module,
                              const char            *record_id,
                              GError               **error)
{
  g_autoptr(JsonObject) record = NULL;

  g_return_val_if_fail (KEHU_IS_RECORD_DETAIL_VIEW (self), FALSE);

  record = kehu_admin_load_row (self->store, module, record_id, error);
  if (record == NULL)
    return FALSE;

  if (self->schema)
    kehu_schema_reload (self->schema, NULL);

  if (g_strcmp0 (self->module, module) != 0 || g_strcmp0 (self->record_id, record_id) != 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "timeline");

  g_free (self->module);
  self->module = g_strdup (module);
  g_free (self->record_id);
  self->record_id = g_strdup (record_id);
  g_clear_pointer (&self->record, json_object_unref);
  self->record = g_steal_pointer (&record);

  fill_header (self);
  fill_sync_state (self);
  fill_stage_bar (self);
  fill_timeline (self);
  fill_info (self);
  fill_related (self);
  fill_attachments (self);
  fill_log (self);

  return TRUE;
}

void
kehu_record_detail_view_reload (KehuRecordDetailView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *module = g_strdup (self->module);
  g_autofree char *id = g_strdup (self->record_id);
  g_autofree char *tab = g_strdup (adw_view_stack_get_visible_child_name (self->view_stack));

  if (module == NULL)
    return;
  if (!kehu_record_detail_view_load (self, module, id, &error))
    toast (self, error->message);
  if (tab)
    adw_view_stack_set_visible_child_name (self->view_stack, tab);
}

const char *
kehu_record_detail_view_get_module (KehuRecordDetailView *self)
{
  return self->module;
}

const char *
kehu_record_detail_view_get_record_id (KehuRecordDetailView *self)
{
  return self->record_id;
}

const char *
kehu_record_detail_view_get_title (KehuRecordDetailView *self)
{
  return self->title;
}

void
kehu_record_detail_view_set_user_id (KehuRecordDetailView *self,
                                     const char           *user_id)
{
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
}

void
kehu_record_detail_view_show_tab (KehuRecordDetailView *self,
                                  const char           *name)
{
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

GtkWidget *
_kehu_record_detail_view_get_field_row (KehuRecordDetailView *self,
                                        const char           *field)
{
  FieldRow *row = find_field_row (self, field);
  return row ? row->display : NULL;
}

GtkWidget *
_kehu_record_detail_view_get_field_editor (KehuRecordDetailView *self,
                                           const char           *field)
{
  FieldRow *row = find_field_row (self, field);
  return row ? row->editor : NULL;
}

GtkLabel *
_kehu_record_detail_view_get_field_error (KehuRecordDetailView *self,
                                          const char           *field)
{
  FieldRow *row = find_field_row (self, field);
  return row && gtk_widget_get_visible (row->error_row) ? row->error_label : NULL;
}

GtkWidget *
_kehu_record_detail_view_get_dialog (KehuRecordDetailView *self)
{
  return self->dialog;
}

GtkWidget *
_kehu_record_detail_view_get_stage_button (KehuRecordDetailView *self,
                                           const char           *stage_id)
{
  return find_named (GTK_WIDGET (self->stage_bar), stage_id);
}

GtkListBox *
_kehu_record_detail_view_get_list (KehuRecordDetailView *self,
                                   const char           *name)
{
  if (g_str_equal (name, "timeline"))
    return self->timeline_list;
  if (g_str_equal (name, "attachments"))
    return self->attachments_list;
  if (g_str_equal (name, "log"))
    return self->log_list;
  return GTK_LIST_BOX (find_named (GTK_WIDGET (self->related_box), name));
}
