/* kehu-approval-flow-editor.c: define approval flows
 *
 * A simple editor for administrators: the list of flows, and a form for
 * one — name, business type, restart policy, enabled, position, copy-to
 * and its steps (serial, parallel all/any, or a condition on a record
 * field whose branches are one serial step each). Approvers are written
 * as "user:<name, phone or id>", "role:<name or id>" or "supervisor:<n>"
 * (the three words in the interface language too),
 * separated by commas. Saving validates every step with the engine, shows
 * each error beside its step, and stores the flow JSON through core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-approval-flow-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-approval-flow-editor.h"
#include "kehu-admin.h"
#include "kehu-approvals.h"

typedef struct
{
  GtkWidget   *group;
  AdwComboRow *type;
  AdwEntryRow *approvers;
  AdwEntryRow *field;
  AdwComboRow *op;
  AdwEntryRow *value;
  AdwEntryRow *then_approvers;
  AdwEntryRow *else_approvers;
  GtkLabel    *error;
  char        *error_text;
} Step;

struct _KehuApprovalFlowEditor
{
  GtkWidget    parent_instance;

  KehuStore   *store;
  char        *user_id;
  char        *flow_id;
  GPtrArray   *steps;

  GtkWidget   *scrolled;
  GtkWidget   *flows_group;
  GPtrArray   *flow_rows;
  GtkWidget   *form_group;
  AdwEntryRow *name_row;
  AdwComboRow *business_row;
  AdwComboRow *restart_row;
  GtkSwitch   *enabled_switch;
  GtkSpinButton *position_spin;
  AdwEntryRow *copy_row;
  GtkWidget   *steps_box;
  GtkLabel    *flow_error;
  GtkWidget   *delete_button;
};

G_DEFINE_FINAL_TYPE (KehuApprovalFlowEditor, kehu_approval_flow_editor, GTK_TYPE_WIDGET)

enum { SAVE_FLOW, DELETE_FLOW, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const business_types[] = { "contract", "payment", "invoice", "generic" };
static const char * const ops[] = { ">", ">=", "<", "<=", "==", "!=", "in", "empty", "not_empty" };

enum { STEP_SERIAL, STEP_PARALLEL_ALL, STEP_PARALLEL_ANY, STEP_CONDITION };

static void
step_free (Step *step)
{
  g_free (step->error_text);
  g_free (step);
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

/* Approvers as text and back */

static char *
lookup (KehuApprovalFlowEditor *self,
        const char             *sql,
        const char             *key)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (self->store), sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

/* The kinds of approver as the form writes them, "user:李强" or in Chinese
 * "用户:李强"; either word is read back. */
typedef enum { APPROVER_USER, APPROVER_ROLE, APPROVER_SUPERVISOR } ApproverKind;

static const char * const approver_words[] = {
  /* Translators: the word before an approver's name in an approval flow, "user:Li Lei" */
  [APPROVER_USER] = N_("user"),
  /* Translators: the word before a role in an approval flow, "role:Sales manager" */
  [APPROVER_ROLE] = N_("role"),
  /* Translators: the word before the levels up in an approval flow, "supervisor:1" */
  [APPROVER_SUPERVISOR] = N_("supervisor"),
};

/* The kind @word names, in English or the interface language; -1 if none. */
static int
approver_kind (const char *word)
{
  for (guint i = 0; i < G_N_ELEMENTS (approver_words); i++)
    if (g_ascii_strcasecmp (word, approver_words[i]) == 0 || g_strcmp0 (word, _(approver_words[i])) == 0)
      return (int) i;
  return -1;
}

/* A role by id, by the name stored, or by the name shown (seeded roles
 * show translated). */
static char *
lookup_role (KehuApprovalFlowEditor *self,
             const char             *key)
{
  g_autoptr(JsonArray) roles = kehu_admin_query (self->store, NULL,
    "SELECT id, name FROM roles WHERE deleted_at IS NULL ORDER BY id", NULL);

  for (guint i = 0; roles && i < json_array_get_length (roles); i++)
    {
      JsonObject *r = json_array_get_object_element (roles, i);
      const char *name = json_object_get_string_member (r, "name");

      if (g_strcmp0 (json_object_get_string_member (r, "id"), key) == 0 ||
          g_strcmp0 (name, key) == 0 || g_strcmp0 (kehu_schema_display_label (name), key) == 0)
        return g_strdup (json_object_get_string_member (r, "id"));
    }
  return NULL;
}

static JsonArray *
parse_approvers (KehuApprovalFlowEditor *self,
                 const char             *text)
{
  JsonArray *array = json_array_new ();
  g_auto(GStrv) tokens = g_regex_split_simple ("[,，;；、]", text ? text : "", 0, 0);

  for (guint i = 0; tokens && tokens[i]; i++)
    {
      g_autofree char *token = g_strstrip (g_strdup (tokens[i]));
      g_auto(GStrv) parts = NULL;
      JsonObject *approver;
      int kind = APPROVER_USER;
      const char *value = token;

      if (*token == '\0')
        continue;
      /* "kind:value" with an ASCII or a full-width colon. */
      parts = g_regex_split_simple ("[:：]", token, 0, 0);
      if (parts[0] != NULL && parts[1] != NULL)
        {
          g_strstrip (parts[0]);
          g_strstrip (parts[1]);
          kind = approver_kind (parts[0]);
          if (kind < 0)
            kind = APPROVER_USER;
          else
            value = parts[1];
        }
      else if (approver_kind (token) == APPROVER_SUPERVISOR)
        {
          kind = APPROVER_SUPERVISOR;
          value = "1";
        }

      approver = json_object_new ();
      if (kind == APPROVER_SUPERVISOR)
        json_object_set_int_member (approver, "supervisor", g_ascii_strtoll (value, NULL, 10));
      else if (kind == APPROVER_ROLE)
        {
          g_autofree char *id = lookup_role (self, value);

          json_object_set_string_member (approver, "role", id ? id : value);
        }
      else
        {
          g_autofree char *id = lookup (self, "SELECT id FROM users WHERE deleted_at IS NULL"
                                        " AND (id = ?1 OR phone = ?1 OR name = ?1) ORDER BY id = ?1 DESC LIMIT 1",
                                        value);

          json_object_set_string_member (approver, "user", id ? id : value);
        }
      json_array_add_object_element (array, approver);
    }
  return array;
}

static char *
format_approvers (KehuApprovalFlowEditor *self,
                  JsonArray              *approvers)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; approvers && i < json_array_get_length (approvers); i++)
    {
      JsonObject *a = json_array_get_object_element (approvers, i);

      if (text->len > 0)
        g_string_append (text, ", ");
      if (a == NULL)
        continue;
      if (json_object_has_member (a, "supervisor"))
        g_string_append_printf (text, "%s:%" G_GINT64_FORMAT, _(approver_words[APPROVER_SUPERVISOR]),
                                json_object_get_int_member (a, "supervisor"));
      else if (json_object_has_member (a, "role"))
        {
          const char *id = json_object_get_string_member (a, "role");
          g_autofree char *name = lookup (self, "SELECT name FROM roles WHERE id = ?", id);

          g_string_append_printf (text, "%s:%s", _(approver_words[APPROVER_ROLE]),
                                  name ? kehu_schema_display_label (name) : id);
        }
      else if (json_object_has_member (a, "user"))
        {
          const char *id = json_object_get_string_member (a, "user");
          g_autofree char *name = lookup (self, "SELECT name FROM users WHERE id = ?", id);

          g_string_append_printf (text, "%s:%s", _(approver_words[APPROVER_USER]), name ? name : id);
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The form's help, in the words the form reads. */
static char *
approvers_hint (void)
{
  /* Translators: the three words are "user", "role" and "supervisor" as translated above */
  return g_strdup_printf (_("Approvers: %s:name or phone, %s:name, %s:n (levels up), separated by commas."),
                          _(approver_words[APPROVER_USER]), _(approver_words[APPROVER_ROLE]),
                          _(approver_words[APPROVER_SUPERVISOR]));
}

/* Steps */

static void
update_step_rows (Step *step)
{
  gboolean condition = adw_combo_row_get_selected (step->type) == STEP_CONDITION;
  guint op = adw_combo_row_get_selected (step->op);
  gboolean needs_value = op < G_N_ELEMENTS (ops) && !g_str_has_suffix (ops[op], "empty");

  gtk_widget_set_visible (GTK_WIDGET (step->approvers), !condition);
  gtk_widget_set_visible (GTK_WIDGET (step->field), condition);
  gtk_widget_set_visible (GTK_WIDGET (step->op), condition);
  gtk_widget_set_visible (GTK_WIDGET (step->value), condition && needs_value);
  gtk_widget_set_visible (GTK_WIDGET (step->then_approvers), condition);
  gtk_widget_set_visible (GTK_WIDGET (step->else_approvers), condition);
}

static void
on_step_type_changed_cb (GtkWidget  *row,
                         GParamSpec *pspec,
                         Step       *step)
{
  update_step_rows (step);
}

static void
renumber_steps (KehuApprovalFlowEditor *self)
{
  for (guint i = 0; i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);
      g_autofree char *title = g_strdup_printf (_("Step %u"), i + 1);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (step->group), title);
    }
}

static void
on_remove_step_clicked_cb (GtkButton              *button,
                           KehuApprovalFlowEditor *self)
{
  Step *step = g_object_get_data (G_OBJECT (button), "step");

  gtk_box_remove (GTK_BOX (self->steps_box), step->group);
  g_ptr_array_remove (self->steps, step);
  renumber_steps (self);
}

static AdwEntryRow *
entry_row (const char *title)
{
  return ADW_ENTRY_ROW (g_object_new (ADW_TYPE_ENTRY_ROW, "title", title, NULL));
}

static Step *
add_step (KehuApprovalFlowEditor *self)
{
  Step *step = g_new0 (Step, 1);
  const char *type_names[] = {
    _("One after another"),
    _("Parallel: all approve"),
    _("Parallel: any approves"),
    _("Condition"),
    NULL,
  };
  g_autoptr(GtkStringList) types = gtk_string_list_new (type_names);
  g_autoptr(GtkStringList) op_list = gtk_string_list_new ((const char * const *) ops);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  step->group = adw_preferences_group_new ();
  gtk_widget_set_tooltip_text (remove, _("Remove Step"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (remove), "step", step);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_step_clicked_cb), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (step->group), remove);

  step->type = ADW_COMBO_ROW (g_object_new (ADW_TYPE_COMBO_ROW, "title", _("Type"),
                                            "model", types, NULL));
  step->approvers = entry_row (_("Approvers"));
  step->field = entry_row (_("Field (amount, extra.region…)"));
  step->op = ADW_COMBO_ROW (g_object_new (ADW_TYPE_COMBO_ROW, "title", _("Operator"),
                                          "model", op_list, NULL));
  step->value = entry_row (_("Value (amounts in cents)"));
  step->then_approvers = entry_row (_("Then: approvers, one after another"));
  step->else_approvers = entry_row (_("Else: approvers, one after another"));
  step->error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (step->error, TRUE);
  gtk_label_set_xalign (step->error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (step->error), "error");
  gtk_widget_set_margin_top (GTK_WIDGET (step->error), 6);
  gtk_widget_set_visible (GTK_WIDGET (step->error), FALSE);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->type));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->approvers));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->field));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->op));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->value));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->then_approvers));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->else_approvers));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (step->group), GTK_WIDGET (step->error));

  g_signal_connect (step->type, "notify::selected", G_CALLBACK (on_step_type_changed_cb), step);
  g_signal_connect (step->op, "notify::selected", G_CALLBACK (on_step_type_changed_cb), step);
  update_step_rows (step);

  gtk_box_append (GTK_BOX (self->steps_box), step->group);
  g_ptr_array_add (self->steps, step);
  renumber_steps (self);
  return step;
}

static void
on_add_step_clicked_cb (KehuApprovalFlowEditor *self)
{
  add_step (self);
}

static void
clear_steps (KehuApprovalFlowEditor *self)
{
  for (guint i = 0; i < self->steps->len; i++)
    gtk_box_remove (GTK_BOX (self->steps_box), ((Step *) g_ptr_array_index (self->steps, i))->group);
  g_ptr_array_set_size (self->steps, 0);
}

static void
set_step_error (Step       *step,
                const char *message)
{
  g_free (step->error_text);
  step->error_text = g_strdup (message);
  gtk_label_set_label (step->error, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (step->error), message != NULL);
}

static JsonNode *
serial_step (JsonArray *approvers)
{
  JsonObject *step = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (step, "type", "serial");
  json_object_set_array_member (step, "approvers", approvers);
  json_node_take_object (node, step);
  return node;
}

static JsonNode *
step_to_json (KehuApprovalFlowEditor *self,
              Step                   *step)
{
  guint type = adw_combo_row_get_selected (step->type);
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (type == STEP_CONDITION)
    {
      guint op = adw_combo_row_get_selected (step->op);
      const char *value = gtk_editable_get_text (GTK_EDITABLE (step->value));
      JsonArray *then_steps = json_array_new ();
      JsonArray *else_steps = json_array_new ();
      JsonArray *then_approvers = parse_approvers (self, gtk_editable_get_text (GTK_EDITABLE (step->then_approvers)));
      JsonArray *else_approvers = parse_approvers (self, gtk_editable_get_text (GTK_EDITABLE (step->else_approvers)));

      json_object_set_string_member (object, "type", "condition");
      json_object_set_string_member (object, "field", gtk_editable_get_text (GTK_EDITABLE (step->field)));
      json_object_set_string_member (object, "op", op < G_N_ELEMENTS (ops) ? ops[op] : ">");
      if (op < G_N_ELEMENTS (ops) && !g_str_has_suffix (ops[op], "empty"))
        {
          g_autoptr(JsonParser) parser = json_parser_new ();

          /* A number, a list or a quoted string as JSON; anything else is
           * a string. */
          if (*value != '\0' && json_parser_load_from_data (parser, value, -1, NULL))
            json_object_set_member (object, "value", json_node_copy (json_parser_get_root (parser)));
          else
            json_object_set_string_member (object, "value", value);
        }
      if (json_array_get_length (then_approvers) > 0)
        json_array_add_element (then_steps, serial_step (then_approvers));
      else
        json_array_unref (then_approvers);
      if (json_array_get_length (else_approvers) > 0)
        json_array_add_element (else_steps, serial_step (else_approvers));
      else
        json_array_unref (else_approvers);
      json_object_set_array_member (object, "then", then_steps);
      json_object_set_array_member (object, "else", else_steps);
    }
  else
    {
      json_object_set_string_member (object, "type", type == STEP_SERIAL ? "serial" : "parallel");
      if (type != STEP_SERIAL)
        json_object_set_string_member (object, "mode", type == STEP_PARALLEL_ALL ? "all" : "any");
      json_object_set_array_member (object, "approvers",
                                    parse_approvers (self, gtk_editable_get_text (GTK_EDITABLE (step->approvers))));
    }
  json_node_take_object (node, object);
  return node;
}

/* A branch the form can show: empty, or one serial step. */
static gboolean
branch_to_text (KehuApprovalFlowEditor *self,
                JsonArray              *branch,
                char                  **text)
{
  JsonObject *step;

  *text = NULL;
  if (branch == NULL || json_array_get_length (branch) == 0)
    return TRUE;
  step = json_array_get_object_element (branch, 0);
  if (json_array_get_length (branch) > 1 || step == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (step, "type", NULL), "serial") != 0)
    return FALSE;
  *text = format_approvers (self, json_object_get_array_member (step, "approvers"));
  return TRUE;
}

static gboolean
step_from_json (KehuApprovalFlowEditor *self,
                JsonObject             *object)
{
  Step *step = add_step (self);
  const char *type = json_object_get_string_member_with_default (object, "type", "serial");
  gboolean complete = TRUE;

  if (g_strcmp0 (type, "condition") == 0)
    {
      const char *op = json_object_get_string_member_with_default (object, "op", ">");
      g_autofree char *then_text = NULL;
      g_autofree char *else_text = NULL;

      adw_combo_row_set_selected (step->type, STEP_CONDITION);
      gtk_editable_set_text (GTK_EDITABLE (step->field),
                             json_object_get_string_member_with_default (object, "field", ""));
      for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
        if (g_strcmp0 (ops[i], op) == 0)
          adw_combo_row_set_selected (step->op, i);
      if (json_object_has_member (object, "value"))
        {
          JsonNode *value = json_object_get_member (object, "value");
          g_autofree char *text = JSON_NODE_HOLDS_VALUE (value) &&
                                  json_node_get_value_type (value) == G_TYPE_STRING
                                  ? g_strdup (json_node_get_string (value))
                                  : json_to_string (value, FALSE);

          gtk_editable_set_text (GTK_EDITABLE (step->value), text);
        }
      complete &= branch_to_text (self, json_object_get_array_member (object, "then"), &then_text);
      complete &= branch_to_text (self, json_object_has_member (object, "else")
                                        ? json_object_get_array_member (object, "else") : NULL,
                                  &else_text);
      gtk_editable_set_text (GTK_EDITABLE (step->then_approvers), then_text ? then_text : "");
      gtk_editable_set_text (GTK_EDITABLE (step->else_approvers), else_text ? else_text : "");
    }
  else
    {
      g_autofree char *text = format_approvers (self, json_object_get_array_member (object, "approvers"));
      const char *mode = json_object_get_string_member_with_default (object, "mode", "all");

      adw_combo_row_set_selected (step->type,
                                  g_strcmp0 (type, "serial") == 0 ? STEP_SERIAL
                                  : g_strcmp0 (mode, "any") == 0 ? STEP_PARALLEL_ANY
                                                                 : STEP_PARALLEL_ALL);
      gtk_editable_set_text (GTK_EDITABLE (step->approvers), text);
    }
  update_step_rows (step);
  return complete;
}

/* The flows list */

static void
on_flow_row_activated_cb (AdwActionRow           *row,
                          KehuApprovalFlowEditor *self)
{
  kehu_approval_flow_editor_load (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
reload_flows (KehuApprovalFlowEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) flows = kehu_approvals_list_flows (self->store, NULL, &error);
  JsonArray *array;

  for (guint i = 0; i < self->flow_rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->flows_group), g_ptr_array_index (self->flow_rows, i));
  g_ptr_array_set_size (self->flow_rows, 0);

  if (flows == NULL)
    {
      gtk_label_set_label (self->flow_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->flow_error), TRUE);
      return;
    }

  array = json_node_get_array (flows);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *flow = json_array_get_object_element (array, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle =
        g_strdup_printf (_("%s · position %d · %s"),
                         business_type_label (json_object_get_string_member (flow, "business_type")),
                         (int) json_object_get_int_member (flow, "position"),
                         json_object_get_boolean_member (flow, "is_enabled") ? _("enabled") : _("disabled"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), json_object_get_string_member (flow, "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_name (row, json_object_get_string_member (flow, "id"));
      /* Choosing what to look at: Settings leaves it usable while the
       * rest is read-only (offline on a server's cache). */
      g_object_set_data (G_OBJECT (row), "kehu-browse", GINT_TO_POINTER (TRUE));
      g_signal_connect (row, "activated", G_CALLBACK (on_flow_row_activated_cb), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->flows_group), row);
      g_ptr_array_add (self->flow_rows, row);
    }
}

static void
on_new_clicked_cb (KehuApprovalFlowEditor *self)
{
  kehu_approval_flow_editor_new_flow (self);
}

static JsonNode *checked_definition (KehuApprovalFlowEditor *self, GError **error);
static char *save_here (KehuApprovalFlowEditor *self, JsonNode *definition, GError **error);

/* A handler of ::save-flow may save the flow elsewhere (Settings on a
 * server's cache: the server's route); otherwise it is saved here. */
static void
on_save_clicked_cb (KehuApprovalFlowEditor *self)
{
  g_autoptr(JsonNode) definition = checked_definition (self, NULL);
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *id = NULL;
  gboolean handled = FALSE;

  if (definition == NULL)
    return;
  request = json_object_new ();
  json_object_set_member (request, "definition", json_node_copy (definition));
  json_object_set_boolean_member (request, "is_enabled", gtk_switch_get_active (self->enabled_switch));
  json_object_set_int_member (request, "position", gtk_spin_button_get_value_as_int (self->position_spin));
  g_signal_emit (self, signals[SAVE_FLOW], 0, self->flow_id, request, &handled);
  if (!handled)
    id = save_here (self, definition, NULL);
}

static void
on_delete_clicked_cb (KehuApprovalFlowEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean handled = FALSE;

  if (self->flow_id == NULL)
    return;
  g_signal_emit (self, signals[DELETE_FLOW], 0, self->flow_id, &handled);
  if (handled)
    return;
  if (!kehu_approvals_delete_flow (self->store, self->flow_id, self->user_id, now, &error))
    {
      gtk_label_set_label (self->flow_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->flow_error), TRUE);
      return;
    }
  reload_flows (self);
  kehu_approval_flow_editor_new_flow (self);
}

/* Overrides */

static void
kehu_approval_flow_editor_dispose (GObject *object)
{
  KehuApprovalFlowEditor *self = KEHU_APPROVAL_FLOW_EDITOR (object);

  g_clear_pointer (&self->scrolled, gtk_widget_unparent);

  G_OBJECT_CLASS (kehu_approval_flow_editor_parent_class)->dispose (object);
}

static void
kehu_approval_flow_editor_finalize (GObject *object)
{
  KehuApprovalFlowEditor *self = KEHU_APPROVAL_FLOW_EDITOR (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->flow_id, g_free);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->flow_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (kehu_approval_flow_editor_parent_class)->finalize (object);
}

static void
kehu_approval_flow_editor_class_init (KehuApprovalFlowEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_approval_flow_editor_dispose;
  object_class->finalize = kehu_approval_flow_editor_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  /**
   * KehuApprovalFlowEditor::save-flow:
   * @flow_id: (nullable): the flow, or NULL for a new one
   * @request: the body of POST/PATCH /approval-flows: definition (already
   *   validated), is_enabled, position
   *
   * Return TRUE to save the flow yourself (it is not saved here then).
   */
  signals[SAVE_FLOW] = g_signal_new ("save-flow", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     g_signal_accumulator_true_handled, NULL, NULL,
                                     G_TYPE_BOOLEAN, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  /**
   * KehuApprovalFlowEditor::delete-flow:
   *
   * Return TRUE to delete the flow yourself.
   */
  signals[DELETE_FLOW] = g_signal_new ("delete-flow", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       g_signal_accumulator_true_handled, NULL, NULL,
                                       G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
}

static void
kehu_approval_flow_editor_init (KehuApprovalFlowEditor *self)
{
  const char *type_labels[] = { _("Contract"), _("Payment"), _("Invoice"), _("Request"), NULL };
  const char *restart_labels[] = { _("The first step"), _("The step that rejected"), NULL };
  g_autoptr(GtkStringList) type_list = gtk_string_list_new (type_labels);
  g_autoptr(GtkStringList) restart_list = gtk_string_list_new (restart_labels);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  GtkWidget *new_button = gtk_button_new_with_mnemonic (_("_New Flow"));
  GtkWidget *row, *buttons, *button;

  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  self->flow_rows = g_ptr_array_new ();

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), clamp);

  self->flows_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->flows_group), _("Approval Flows"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->flows_group),
                                         _("Per business type, the enabled flow with the lowest position applies."));
  gtk_widget_set_name (new_button, "new-flow");
  gtk_widget_add_css_class (new_button, "flat");
  g_signal_connect_swapped (new_button, "clicked", G_CALLBACK (on_new_clicked_cb), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->flows_group), new_button);
  gtk_box_append (GTK_BOX (box), self->flows_group);

  self->form_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->form_group), _("Flow"));
  {
    g_autofree char *hint = approvers_hint ();
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->form_group), hint);
  }
  self->name_row = entry_row (_("Name"));
  self->business_row = ADW_COMBO_ROW (g_object_new (ADW_TYPE_COMBO_ROW, "title", _("Business type"),
                                                    "model", type_list, NULL));
  self->restart_row = ADW_COMBO_ROW (g_object_new (ADW_TYPE_COMBO_ROW, "title", _("After a rejection, restart from"),
                                                   "model", restart_list, NULL));
  self->enabled_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_name (GTK_WIDGET (self->enabled_switch), "flow-enabled");
  gtk_widget_set_valign (GTK_WIDGET (self->enabled_switch), GTK_ALIGN_CENTER);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Enabled"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->enabled_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (self->enabled_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->form_group), GTK_WIDGET (self->name_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->form_group), GTK_WIDGET (self->business_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->form_group), GTK_WIDGET (self->restart_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->form_group), row);
  self->position_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (-1000, 1000, 1));
  gtk_widget_set_valign (GTK_WIDGET (self->position_spin), GTK_ALIGN_CENTER);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Position"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->position_spin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->form_group), row);
  self->copy_row = entry_row (_("Copy to"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->form_group), GTK_WIDGET (self->copy_row));
  gtk_box_append (GTK_BOX (box), self->form_group);

  self->steps_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_box_append (GTK_BOX (box), self->steps_box);

  self->flow_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->flow_error, TRUE);
  gtk_label_set_xalign (self->flow_error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->flow_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->flow_error), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->flow_error));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  button = gtk_button_new_with_mnemonic (_("_Add Step"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_add_step_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), button);
  self->delete_button = gtk_button_new_with_mnemonic (_("_Delete Flow"));
  gtk_widget_set_name (self->delete_button, "delete-flow");
  gtk_widget_add_css_class (self->delete_button, "destructive-action");
  g_signal_connect_swapped (self->delete_button, "clicked", G_CALLBACK (on_delete_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), self->delete_button);
  button = gtk_button_new_with_mnemonic (_("_Save Flow"));
  gtk_widget_set_name (button, "save-flow");
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_hexpand (button, TRUE);
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_save_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (box), buttons);
}

/* Public API */

GtkWidget *
kehu_approval_flow_editor_new (KehuStore  *store,
                               const char *user_id)
{
  KehuApprovalFlowEditor *self;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  self = g_object_new (KEHU_TYPE_APPROVAL_FLOW_EDITOR, NULL);
  self->store = g_object_ref (store);
  self->user_id = g_strdup (user_id);
  reload_flows (self);
  kehu_approval_flow_editor_new_flow (self);
  return GTK_WIDGET (self);
}

void
kehu_approval_flow_editor_new_flow (KehuApprovalFlowEditor *self)
{
  g_return_if_fail (KEHU_IS_APPROVAL_FLOW_EDITOR (self));

  g_clear_pointer (&self->flow_id, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  adw_combo_row_set_selected (self->business_row, 0);
  adw_combo_row_set_selected (self->restart_row, 0);
  gtk_switch_set_active (self->enabled_switch, TRUE);
  gtk_spin_button_set_value (self->position_spin, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->copy_row), "");
  clear_steps (self);
  add_step (self);
  gtk_widget_set_visible (GTK_WIDGET (self->flow_error), FALSE);
  gtk_widget_set_sensitive (self->delete_button, FALSE);
}

gboolean
kehu_approval_flow_editor_set_definition (KehuApprovalFlowEditor *self,
                                          JsonNode               *definition)
{
  JsonObject *flow;
  JsonArray *steps;
  const char *type;
  g_autofree char *copy = NULL;
  gboolean complete = TRUE;

  g_return_val_if_fail (KEHU_IS_APPROVAL_FLOW_EDITOR (self), FALSE);
  g_return_val_if_fail (definition != NULL && JSON_NODE_HOLDS_OBJECT (definition), FALSE);

  flow = json_node_get_object (definition);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), json_object_get_string_member_with_default (flow, "name", ""));
  type = json_object_get_string_member_with_default (flow, "business_type", "contract");
  for (guint i = 0; i < G_N_ELEMENTS (business_types); i++)
    if (g_strcmp0 (business_types[i], type) == 0)
      adw_combo_row_set_selected (self->business_row, i);
  adw_combo_row_set_selected (self->restart_row,
                              g_strcmp0 (json_object_get_string_member_with_default (flow, "restart", NULL),
                                         "rejected_step") == 0);
  copy = format_approvers (self, json_object_has_member (flow, "copy_to")
                                 ? json_object_get_array_member (flow, "copy_to") : NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->copy_row), copy);

  clear_steps (self);
  steps = json_object_has_member (flow, "steps") ? json_object_get_array_member (flow, "steps") : NULL;
  for (guint i = 0; steps && i < json_array_get_length (steps); i++)
    if (json_array_get_object_element (steps, i) != NULL)
      complete &= step_from_json (self, json_array_get_object_element (steps, i));
  if (self->steps->len == 0)
    add_step (self);
  gtk_widget_set_visible (GTK_WIDGET (self->flow_error), FALSE);
  return complete;
}

gboolean
kehu_approval_flow_editor_load (KehuApprovalFlowEditor *self,
                                const char             *flow_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) flow = kehu_approvals_get_flow (self->store, flow_id, &error);
  JsonObject *object;

  if (flow == NULL)
    {
      gtk_label_set_label (self->flow_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->flow_error), TRUE);
      return FALSE;
    }
  object = json_node_get_object (flow);
  if (!kehu_approval_flow_editor_set_definition (self, json_object_get_member (object, "definition")))
    {
      gtk_label_set_label (self->flow_error,
                           _("This flow has nested steps the simple editor cannot show; saving it here replaces them."));
      gtk_widget_set_visible (GTK_WIDGET (self->flow_error), TRUE);
    }
  g_free (self->flow_id);
  self->flow_id = g_strdup (flow_id);
  gtk_switch_set_active (self->enabled_switch, json_object_get_boolean_member (object, "is_enabled"));
  gtk_spin_button_set_value (self->position_spin, json_object_get_int_member (object, "position"));
  gtk_widget_set_sensitive (self->delete_button, TRUE);
  return TRUE;
}

JsonNode *
kehu_approval_flow_editor_dup_definition (KehuApprovalFlowEditor *self)
{
  JsonObject *flow = json_object_new ();
  JsonArray *steps = json_array_new ();
  JsonArray *copy_to;
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  guint type = adw_combo_row_get_selected (self->business_row);

  json_object_set_string_member (flow, "name", gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  json_object_set_string_member (flow, "business_type",
                                 business_types[MIN (type, G_N_ELEMENTS (business_types) - 1)]);
  json_object_set_string_member (flow, "restart",
                                 adw_combo_row_get_selected (self->restart_row) == 1 ? "rejected_step" : "first_step");
  copy_to = parse_approvers (self, gtk_editable_get_text (GTK_EDITABLE (self->copy_row)));
  if (json_array_get_length (copy_to) > 0)
    json_object_set_array_member (flow, "copy_to", copy_to);
  else
    json_array_unref (copy_to);
  for (guint i = 0; i < self->steps->len; i++)
    json_array_add_element (steps, step_to_json (self, g_ptr_array_index (self->steps, i)));
  json_object_set_array_member (flow, "steps", steps);
  json_node_take_object (node, flow);
  return node;
}

/* The flow the form describes, each step validated with the engine and
 * its error shown beside it; NULL (the error shown) when one is wrong. */
static JsonNode *
checked_definition (KehuApprovalFlowEditor  *self,
                    GError                 **error)
{
  g_autoptr(JsonNode) definition = NULL;
  g_autoptr(GError) local_error = NULL;
  KehuApprovalDirectory directory;
  JsonArray *steps;

  definition = kehu_approval_flow_editor_dup_definition (self);
  steps = json_object_get_array_member (json_node_get_object (definition), "steps");
  kehu_approvals_directory_init (&directory, self->store);

  /* Each step alone, behind as many always-valid steps as precede it, so
   * the engine's message names it by its own number. */
  for (guint i = 0; i < self->steps->len; i++)
    {
      g_autoptr(GError) step_error = NULL;
      g_autoptr(JsonNode) probe = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      JsonArray *probe_steps = json_array_new ();

      for (guint j = 0; j < i; j++)
        json_array_add_element (probe_steps,
                                json_from_string ("{\"type\": \"serial\", \"approvers\": [{\"supervisor\": 1}]}", NULL));
      json_array_add_element (probe_steps, json_node_copy (json_array_get_element (steps, i)));
      json_object_set_string_member (object, "name", "probe");
      json_object_set_string_member (object, "business_type", "generic");
      json_object_set_array_member (object, "steps", probe_steps);
      json_node_take_object (probe, object);

      kehu_approval_flow_validate (probe, &directory, &step_error);
      set_step_error (g_ptr_array_index (self->steps, i), step_error ? step_error->message : NULL);
      if (step_error != NULL && local_error == NULL)
        local_error = g_error_copy (step_error);
    }

  if (local_error != NULL)
    {
      gtk_label_set_label (self->flow_error, _("Fix the steps marked in red, then save again."));
      gtk_widget_set_visible (GTK_WIDGET (self->flow_error), TRUE);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&definition);
}

/* Saves @definition in the store this editor shows. */
static char *
save_here (KehuApprovalFlowEditor  *self,
           JsonNode                *definition,
           GError                 **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) local_error = NULL;
  char *id;

  id = kehu_approvals_save_flow (self->store, self->flow_id, definition,
                                 gtk_switch_get_active (self->enabled_switch),
                                 gtk_spin_button_get_value_as_int (self->position_spin),
                                 self->user_id, now, &local_error);
  if (id != NULL)
    {
      g_free (self->flow_id);
      self->flow_id = g_strdup (id);
      gtk_widget_set_visible (GTK_WIDGET (self->flow_error), FALSE);
      gtk_widget_set_sensitive (self->delete_button, TRUE);
      reload_flows (self);
      return id;
    }
  gtk_label_set_label (self->flow_error, local_error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->flow_error), TRUE);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

char *
kehu_approval_flow_editor_save (KehuApprovalFlowEditor  *self,
                                GError                 **error)
{
  g_autoptr(JsonNode) definition = NULL;

  g_return_val_if_fail (KEHU_IS_APPROVAL_FLOW_EDITOR (self), NULL);

  definition = checked_definition (self, error);
  if (definition == NULL)
    return NULL;
  return save_here (self, definition, error);
}

guint
kehu_approval_flow_editor_get_n_steps (KehuApprovalFlowEditor *self)
{
  g_return_val_if_fail (KEHU_IS_APPROVAL_FLOW_EDITOR (self), 0);
  return self->steps->len;
}

const char *
kehu_approval_flow_editor_get_step_error (KehuApprovalFlowEditor *self,
                                          guint                   index)
{
  g_return_val_if_fail (KEHU_IS_APPROVAL_FLOW_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);
  return ((Step *) g_ptr_array_index (self->steps, index))->error_text;
}
