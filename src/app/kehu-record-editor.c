/* kehu-record-editor.c: a form for one record, made from the schema
 *
 * One row per writable field, by type: entry rows for text and numbers,
 * amounts typed in yuan and kept as integer cents, combo rows for
 * dictionary and fixed choices, a calendar popover for dates, switches for
 * yes/no, and a searchable picker for users and linked records. The core's
 * record API validates; its error names the field, and the message is shown
 * right under that field's row. A new customer whose name or phone is close
 * to an existing one is held back with a warning that links to the other
 * record, so two reps do not chase the same customer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-editor"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "kehu-format.h"
#include "kehu-record-editor.h"
#include "kehu-rules.h"

typedef struct
{
  const KehuField *field;
  GtkWidget       *row;        /* what the group holds */
  GtkWidget       *input;      /* AdwEntryRow, AdwComboRow, GtkSwitch, AdwActionRow (picker) */
  GtkWidget       *error;      /* GtkLabel under the row */
  GtkWidget       *error_row;  /* the AdwPreferencesRow holding it */
  GPtrArray       *values;     /* combo: stored value per position (NULL = none) */
  char            *picked;     /* picker: the chosen id */
  GtkWidget       *results;    /* picker: GtkListBox */
  GtkWidget       *popover;    /* picker, date */
} FieldRow;

struct _KehuRecordEditor
{
  AdwWindow         parent_instance;

  KehuContext      *context;
  const KehuModule *module;
  KehuDictionaries *dictionaries;
  char             *id;
  JsonObject       *original;
  GPtrArray        *rows;         /* FieldRow* */
  char             *duplicate_id;
  gboolean          duplicate_confirmed;

  GtkWidget        *save_button;
  GtkWidget        *duplicate_revealer;
  GtkLabel         *duplicate_label;
  AdwToastOverlay  *toasts;
};

G_DEFINE_FINAL_TYPE (KehuRecordEditor, kehu_record_editor, ADW_TYPE_WINDOW)

enum { SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
field_row_free (FieldRow *row)
{
  g_clear_pointer (&row->values, g_ptr_array_unref);
  g_free (row->picked);
  g_free (row);
}

static FieldRow *
find_row (KehuRecordEditor *self,
          const char       *name)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *row = g_ptr_array_index (self->rows, i);
      if (g_strcmp0 (row->field->name, name) == 0)
        return row;
    }
  return NULL;
}

static gboolean
field_is_editable (const KehuField *field)
{
  static const char *system[] = { "id", "rev", "created_at", "updated_at", "created_by", "deleted_at", NULL };

  if (field->flags & (KEHU_FIELD_READ_ONLY | KEHU_FIELD_HIDDEN))
    return FALSE;
  if (g_strv_contains (system, field->name))
    return FALSE;
  /* What a follow-up or schedule is about is set where it is made (the
   * record's page), not typed as a module name and an id. */
  if (g_str_equal (field->name, "target_module") || g_str_equal (field->name, "target_id"))
    return FALSE;
  switch (field->type)
    {
    case KEHU_FIELD_JSON:
    case KEHU_FIELD_ATTACHMENT:
    case KEHU_FIELD_MULTI_CHOICE:
      return FALSE;
    default:
      return TRUE;
    }
}

static const char *
reference_target (const KehuField *field)
{
  return field->type == KEHU_FIELD_USER ? "users" : field->reference;
}

static void
set_row_error (FieldRow   *row,
               const char *message)
{
  gtk_label_set_text (GTK_LABEL (row->error), message ? message : "");
  gtk_widget_set_visible (row->error_row, message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (row->input, "error");
  else
    gtk_widget_remove_css_class (row->input, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row->input), GTK_ACCESSIBLE_STATE_INVALID,
                               message ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
}

static void
on_input_changed_cb (GtkEditable *editable,
                     FieldRow    *row)
{
  /* The message was about the old text. */
  if (gtk_widget_get_visible (row->error_row))
    set_row_error (row, NULL);
}

static void
clear_errors (KehuRecordEditor *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    set_row_error (g_ptr_array_index (self->rows, i), NULL);
}

/* Pickers ------------------------------------------------------------------ */

static char *
lookup_title (KehuRecordEditor *self,
              const KehuField  *field,
              const char       *id)
{
  const char *target = reference_target (field);
  const KehuModule *module = kehu_schema_get_module (kehu_context_get_schema (self->context), target);
  const char *title = module ? kehu_module_get_title_field (module) : "name";
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", title, target);
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  if (id == NULL)
    return NULL;
  if (sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (self->context)), sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        result = g_strdup (kehu_schema_display_label ((const char *) sqlite3_column_text (stmt, 0)));
    }
  sqlite3_finalize (stmt);
  return result;
}

static void fill_picker (KehuRecordEditor *self, FieldRow *row, const char *text);

/* The group whose stages the stage picker offers: the chosen one. */
static const char *
chosen_stage_group (KehuRecordEditor *self)
{
  FieldRow *group = find_row (self, "stage_group_id");

  return group ? group->picked : NULL;
}

static gboolean
stage_in_group (KehuRecordEditor *self,
                const char       *stage_id,
                const char       *group_id)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (stage_id == NULL || group_id == NULL)
    return FALSE;
  if (sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (self->context)),
                          "SELECT 1 FROM stages WHERE id = ?1 AND group_id = ?2", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, stage_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, group_id, -1, SQLITE_TRANSIENT);
      found = sqlite3_step (stmt) == SQLITE_ROW;
    }
  sqlite3_finalize (stmt);
  return found;
}

static void
picker_set (KehuRecordEditor *self,
            FieldRow         *row,
            const char       *id)
{
  g_autofree char *title = lookup_title (self, row->field, id);

  g_free (row->picked);
  row->picked = g_strdup (id);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row->input), title ? title : _("None"));

  /* Stages belong to a stage group: another group, its first stage. */
  if (g_str_equal (row->field->name, "stage_group_id"))
    {
      FieldRow *stage = find_row (self, "stage_id");

      if (stage != NULL && !stage_in_group (self, stage->picked, id))
        {
          g_autofree char *first = kehu_rules_dup_first_stage (self->context, id);
          picker_set (self, stage, first);
        }
      if (stage != NULL && stage->results != NULL)
        fill_picker (self, stage, NULL);
    }
}

static void
on_picker_row_activated_cb (GtkListBox    *list,
                            GtkListBoxRow *item,
                            FieldRow      *row)
{
  KehuRecordEditor *self = g_object_get_data (G_OBJECT (list), "kehu-editor");

  picker_set (self, row, gtk_widget_get_name (GTK_WIDGET (item)));
  set_row_error (row, NULL);
  gtk_popover_popdown (GTK_POPOVER (row->popover));
}

static void
fill_picker (KehuRecordEditor *self,
             FieldRow         *row,
             const char       *text)
{
  const char *target = reference_target (row->field);
  const KehuModule *module = kehu_schema_get_module (kehu_context_get_schema (self->context), target);
  const char *title = module ? kehu_module_get_title_field (module) : "name";
  gboolean soft = module && kehu_module_has_column (module, "deleted_at");
  g_autofree char *sql = NULL;
  g_autoptr(GString) pattern = g_string_new ("%");
  sqlite3_stmt *stmt = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (row->results)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (row->results), child);

  for (const char *p = text ? text : ""; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');

  if (g_strcmp0 (target, "stages") == 0)
    /* The chosen group's stages, in the order of the sales process. */
    sql = g_strdup ("SELECT id, name FROM stages WHERE group_id = ?2 AND name LIKE ?1 ESCAPE '\\'"
                    " ORDER BY kind != 'open', position LIMIT 30");
  else
    sql = g_strdup_printf ("SELECT id, %s FROM %s WHERE %s %s LIKE ?1 ESCAPE '\\' ORDER BY %s LIMIT 30",
                           title, target, soft ? "deleted_at IS NULL AND" : "", title, title);
  if (sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (self->context)), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("Cannot list %s: %s", target, sqlite3_errmsg (kehu_store_get_db (kehu_context_get_store (self->context))));
      return;
    }
  sqlite3_bind_text (stmt, 1, pattern->str, -1, SQLITE_TRANSIENT);
  if (g_strcmp0 (target, "stages") == 0)
    sqlite3_bind_text (stmt, 2, chosen_stage_group (self) ? chosen_stage_group (self) : "", -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GtkWidget *label = gtk_label_new (kehu_schema_display_label ((const char *) sqlite3_column_text (stmt, 1)));
      GtkWidget *item = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (item), label);
      gtk_widget_set_name (item, (const char *) sqlite3_column_text (stmt, 0));
      gtk_list_box_append (GTK_LIST_BOX (row->results), item);
    }
  sqlite3_finalize (stmt);
}

static void
on_picker_search_changed_cb (GtkSearchEntry *entry,
                             FieldRow       *row)
{
  KehuRecordEditor *self = g_object_get_data (G_OBJECT (entry), "kehu-editor");

  fill_picker (self, row, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_picker_clear_cb (GtkButton *button,
                    FieldRow  *row)
{
  KehuRecordEditor *self = g_object_get_data (G_OBJECT (button), "kehu-editor");

  picker_set (self, row, NULL);
}

static GtkWidget *
create_picker (KehuRecordEditor *self,
               FieldRow         *row,
               const char       *title)
{
  GtkWidget *action_row = adw_action_row_new ();
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *clear = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *search = gtk_search_entry_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  g_autofree char *choose = g_strdup_printf (_("Choose %s"), kehu_field_get_label (row->field));
  g_autofree char *clear_label = g_strdup_printf (_("Clear %s"), kehu_field_get_label (row->field));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), _("None"));

  row->results = gtk_list_box_new ();
  gtk_widget_add_css_class (row->results, "navigation-sidebar");
  g_object_set_data (G_OBJECT (row->results), "kehu-editor", self);
  g_signal_connect (row->results, "row-activated", G_CALLBACK (on_picker_row_activated_cb), row);
  g_object_set_data (G_OBJECT (search), "kehu-editor", self);
  g_signal_connect (search, "search-changed", G_CALLBACK (on_picker_search_changed_cb), row);
  gtk_accessible_update_property (GTK_ACCESSIBLE (search), GTK_ACCESSIBLE_PROPERTY_LABEL, choose, -1);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), row->results);
  gtk_widget_set_size_request (box, 280, -1);
  gtk_box_append (GTK_BOX (box), search);
  gtk_box_append (GTK_BOX (box), scrolled);

  row->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (row->popover), box);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), row->popover);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "edit-find-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, choose);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, choose, -1);

  gtk_widget_set_valign (clear, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (clear, "flat");
  gtk_widget_set_tooltip_text (clear, clear_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (clear), GTK_ACCESSIBLE_PROPERTY_LABEL, clear_label, -1);
  g_object_set_data (G_OBJECT (clear), "kehu-editor", self);
  g_signal_connect (clear, "clicked", G_CALLBACK (on_picker_clear_cb), row);

  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), clear);
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (action_row), button);
  fill_picker (self, row, NULL);
  return action_row;
}

/* Dates --------------------------------------------------------------------- */

static void
on_day_selected_cb (GtkCalendar *calendar,
                    FieldRow    *row)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  g_autofree char *text = g_date_time_format (date, "%Y-%m-%d");

  gtk_editable_set_text (GTK_EDITABLE (row->input), text);
  gtk_popover_popdown (GTK_POPOVER (row->popover));
}

static void
add_calendar (FieldRow *row)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *calendar = gtk_calendar_new ();
  g_autofree char *label = g_strdup_printf (_("Pick %s from a calendar"), kehu_field_get_label (row->field));

  row->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (row->popover), calendar);
  g_signal_connect (calendar, "day-selected", G_CALLBACK (on_day_selected_cb), row);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), row->popover);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row->input), button);
}

/* Rows ------------------------------------------------------------------------ */

static FieldRow *
create_row (KehuRecordEditor *self,
            const KehuField  *field)
{
  FieldRow *row = g_new0 (FieldRow, 1);
  g_autofree char *title = NULL;

  row->field = field;
  if (field->flags & KEHU_FIELD_REQUIRED)
    title = g_strdup_printf ("%s *", kehu_field_get_label (field));
  else
    title = g_strdup (kehu_field_get_label (field));

  switch (field->type)
    {
    case KEHU_FIELD_BOOLEAN:
      {
        GtkWidget *sw = gtk_switch_new ();

        row->row = adw_action_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), title);
        gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), sw);
        adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row->row), sw);
        gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        kehu_field_get_label (field), -1);
        row->input = sw;
      }
      break;

    case KEHU_FIELD_CHOICE:
    case KEHU_FIELD_ENUM:
      {
        g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

        row->values = g_ptr_array_new_with_free_func (g_free);
        if (!(field->flags & KEHU_FIELD_NOT_NULL))
          {
            g_ptr_array_add (row->values, NULL);
            gtk_string_list_append (labels, _("None"));
          }
        if (field->type == KEHU_FIELD_CHOICE)
          {
            g_autoptr(GPtrArray) items = kehu_dictionaries_items (self->dictionaries, field->dictionary);
            for (guint i = 0; i + 1 < items->len; i += 2)
              {
                g_ptr_array_add (row->values, g_strdup (g_ptr_array_index (items, i)));
                gtk_string_list_append (labels, g_ptr_array_index (items, i + 1));
              }
          }
        else
          for (guint i = 0; field->choices && field->choices[i]; i++)
            {
              g_ptr_array_add (row->values, g_strdup (field->choices[i]));
              gtk_string_list_append (labels, kehu_format_enum (field->name, field->choices[i]));
            }

        row->row = adw_combo_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), title);
        adw_combo_row_set_model (ADW_COMBO_ROW (row->row), G_LIST_MODEL (labels));
        row->input = row->row;
      }
      break;

    case KEHU_FIELD_USER:
    case KEHU_FIELD_REFERENCE:
      row->row = create_picker (self, row, title);
      row->input = row->row;
      break;

    default:
      row->row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), title);
      row->input = row->row;
      g_signal_connect (row->row, "changed", G_CALLBACK (on_input_changed_cb), row);
      if (field->type == KEHU_FIELD_MONEY)
        {
          GtkWidget *unit = gtk_label_new (_("yuan"));
          gtk_widget_add_css_class (unit, "dim-label");
          adw_entry_row_add_suffix (ADW_ENTRY_ROW (row->row), unit);
          gtk_editable_set_alignment (GTK_EDITABLE (row->row), 1.0f);
        }
      else if (field->type == KEHU_FIELD_DATE || field->type == KEHU_FIELD_DATETIME)
        add_calendar (row);
      else if (field->type == KEHU_FIELD_PHONE)
        gtk_editable_set_max_width_chars (GTK_EDITABLE (row->row), 20);
      if (field->type == KEHU_FIELD_EMAIL)
        g_object_set (row->row, "input-purpose", GTK_INPUT_PURPOSE_EMAIL, NULL);
      else if (field->type == KEHU_FIELD_PHONE)
        g_object_set (row->row, "input-purpose", GTK_INPUT_PURPOSE_PHONE, NULL);
      else if (kehu_field_type_is_numeric (field->type))
        g_object_set (row->row, "input-purpose", GTK_INPUT_PURPOSE_NUMBER, NULL);
      break;
    }

  gtk_widget_set_name (row->row, field->name);

  /* A row of its own right under the field: the group puts anything that is
   * not a preferences row below the whole list. */
  row->error = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (row->error), TRUE);
  gtk_label_set_xalign (GTK_LABEL (row->error), 0.0f);
  gtk_widget_set_margin_start (row->error, 12);
  gtk_widget_set_margin_end (row->error, 12);
  gtk_widget_set_margin_top (row->error, 6);
  gtk_widget_set_margin_bottom (row->error, 6);
  gtk_widget_add_css_class (row->error, "error");
  row->error_row = adw_preferences_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->error_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row->error_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->error_row), row->error);
  gtk_widget_set_visible (row->error_row, FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->input), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  row->error, NULL, -1);
  return row;
}

static void
set_row_value (KehuRecordEditor *self,
               FieldRow         *row,
               JsonNode         *node)
{
  const KehuField *field = row->field;
  gboolean is_null = node == NULL || JSON_NODE_HOLDS_NULL (node);

  switch (field->type)
    {
    case KEHU_FIELD_BOOLEAN:
      gtk_switch_set_active (GTK_SWITCH (row->input), !is_null && json_node_get_boolean (node));
      break;
    case KEHU_FIELD_CHOICE:
    case KEHU_FIELD_ENUM:
      {
        const char *value = is_null ? NULL : json_node_get_string (node);
        for (guint i = 0; i < row->values->len; i++)
          if (g_strcmp0 (g_ptr_array_index (row->values, i), value) == 0)
            adw_combo_row_set_selected (ADW_COMBO_ROW (row->input), i);
      }
      break;
    case KEHU_FIELD_USER:
    case KEHU_FIELD_REFERENCE:
      picker_set (self, row, is_null ? NULL : json_node_get_string (node));
      break;
    case KEHU_FIELD_MONEY:
      if (!is_null)
        {
          g_autofree char *text = kehu_format_money (json_node_get_int (node));
          gtk_editable_set_text (GTK_EDITABLE (row->input), text);
        }
      break;
    case KEHU_FIELD_INTEGER:
    case KEHU_FIELD_PERCENT:
    case KEHU_FIELD_QUANTITY:
    case KEHU_FIELD_NUMBER:
      if (!is_null)
        {
          g_autofree char *text = NULL;
          if (field->type == KEHU_FIELD_QUANTITY)
            {
              gint64 q = json_node_get_int (node);
              text = q % 1000 == 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, q / 1000)
                                   : g_strdup_printf ("%" G_GINT64_FORMAT ".%03d", q / 1000, (int) ABS (q % 1000));
            }
          else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            text = g_strdup_printf ("%g", json_node_get_double (node));
          else
            text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          gtk_editable_set_text (GTK_EDITABLE (row->input), text);
        }
      break;
    case KEHU_FIELD_DATETIME:
      if (!is_null)
        {
          g_autofree char *text = kehu_format_datetime (json_node_get_string (node));
          gtk_editable_set_text (GTK_EDITABLE (row->input), text);
        }
      break;
    case KEHU_FIELD_TAGS:
      if (!is_null && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          g_autoptr(GString) text = g_string_new (NULL);
          for (guint i = 0; i < json_array_get_length (array); i++)
            g_string_append_printf (text, "%s%s", i ? ", " : "", json_array_get_string_element (array, i));
          gtk_editable_set_text (GTK_EDITABLE (row->input), text->str);
        }
      break;
    default:
      if (!is_null && json_node_get_value_type (node) == G_TYPE_STRING)
        gtk_editable_set_text (GTK_EDITABLE (row->input), json_node_get_string (node));
      break;
    }
}

static gboolean
parse_scaled (const char  *text,
              int          decimals,
              gint64      *out,
              GError     **error)
{
  gint64 cents;

  /* Quantities have three decimals: reuse the exact money parser on the
   * text shifted by one place. */
  if (decimals == 3)
    {
      g_autofree char *copy = g_strdup (text);
      char *dot = strchr (copy, '.');
      g_autofree char *shifted = NULL;

      if (dot != NULL && dot[1] != '\0')
        {
          dot[0] = dot[1];
          dot[1] = '.';
        }
      else if (dot == NULL)
        {
          shifted = g_strconcat (copy, "0", NULL);
          g_free (copy);
          copy = g_steal_pointer (&shifted);
        }
      else
        dot[0] = '\0', shifted = NULL;
      if (!kehu_parse_money (copy, &cents, error))
        return FALSE;
      *out = cents;
      return TRUE;
    }
  return kehu_parse_money (text, out, error);
}

/* Reads the row into @fields; FALSE with the message beside the row. */
static gboolean
read_row (KehuRecordEditor *self,
          FieldRow         *row,
          JsonObject       *fields)
{
  const KehuField *field = row->field;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  switch (field->type)
    {
    case KEHU_FIELD_BOOLEAN:
      node = json_node_init_boolean (json_node_alloc (), gtk_switch_get_active (GTK_SWITCH (row->input)));
      break;

    case KEHU_FIELD_CHOICE:
    case KEHU_FIELD_ENUM:
      {
        guint i = adw_combo_row_get_selected (ADW_COMBO_ROW (row->input));
        const char *value = i < row->values->len ? g_ptr_array_index (row->values, i) : NULL;
        node = value ? json_node_init_string (json_node_alloc (), value) : json_node_init_null (json_node_alloc ());
      }
      break;

    case KEHU_FIELD_USER:
    case KEHU_FIELD_REFERENCE:
      node = row->picked ? json_node_init_string (json_node_alloc (), row->picked)
                         : json_node_init_null (json_node_alloc ());
      break;

    default:
      {
        g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row->input))));

        if (*text == '\0')
          {
            /* No tags is an empty list: the column is NOT NULL. */
            if (field->type == KEHU_FIELD_TAGS)
              {
                JsonArray *empty = json_array_new ();
                node = json_node_init_array (json_node_alloc (), empty);
                json_array_unref (empty);
              }
            else
              node = json_node_init_null (json_node_alloc ());
            break;
          }
        switch (field->type)
          {
          case KEHU_FIELD_MONEY:
            {
              gint64 cents;
              if (kehu_parse_money (text, &cents, &error))
                node = json_node_init_int (json_node_alloc (), cents);
            }
            break;
          case KEHU_FIELD_QUANTITY:
            {
              gint64 q;
              if (parse_scaled (text, 3, &q, &error))
                node = json_node_init_int (json_node_alloc (), q * 10);
            }
            break;
          case KEHU_FIELD_INTEGER:
          case KEHU_FIELD_PERCENT:
          case KEHU_FIELD_NUMBER:
            {
              char *end = NULL;
              gint64 n = g_ascii_strtoll (text, &end, 10);

              if (end != text && *end == '\0')
                node = json_node_init_int (json_node_alloc (), n);
              else if (field->type == KEHU_FIELD_NUMBER)
                {
                  double d = g_ascii_strtod (text, &end);
                  if (end != text && *end == '\0')
                    node = json_node_init_double (json_node_alloc (), d);
                }
              if (node == NULL)
                g_set_error (&error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID,
                             field->type == KEHU_FIELD_NUMBER ? _("Enter a number") : _("Enter a whole number"));
            }
            break;
          case KEHU_FIELD_DATE:
            {
              g_autofree char *date = NULL;
              if (kehu_parse_date (text, &date, &error))
                node = json_node_init_string (json_node_alloc (), date);
            }
            break;
          case KEHU_FIELD_DATETIME:
            {
              g_autofree char *date = NULL;
              int h = 0, m = 0;
              char day[11] = { 0 };

              /* "2026-11-22" or "2026-11-22 14:30", local time. */
              if (sscanf (text, "%10s %d:%d", day, &h, &m) >= 1 && kehu_parse_date (day, &date, &error))
                {
                  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
                  int y = 0, mo = 0, d = 0;
                  g_autoptr(GDateTime) local = NULL;
                  g_autoptr(GDateTime) utc = NULL;
                  g_autofree char *iso = NULL;

                  sscanf (date, "%d-%d-%d", &y, &mo, &d);
                  local = g_date_time_new (tz, y, mo, d, CLAMP (h, 0, 23), CLAMP (m, 0, 59), 0);
                  utc = g_date_time_to_utc (local);
                  iso = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
                  node = json_node_init_string (json_node_alloc (), iso);
                }
            }
            break;
          case KEHU_FIELD_TAGS:
            {
              g_auto(GStrv) parts = g_strsplit_set (text, ",，", -1);
              JsonArray *array = json_array_new ();
              for (guint i = 0; parts[i]; i++)
                {
                  char *tag = g_strstrip (parts[i]);
                  if (*tag)
                    json_array_add_string_element (array, tag);
                }
              node = json_node_init_array (json_node_alloc (), array);
              json_array_unref (array);
            }
            break;
          default:
            node = json_node_init_string (json_node_alloc (), text);
            break;
          }
      }
      break;
    }

  if (error != NULL)
    {
      set_row_error (row, error->message);
      return FALSE;
    }

  if (field->flags & KEHU_FIELD_CUSTOM)
    {
      JsonObject *extra = json_object_get_object_member (fields, "extra");
      if (extra == NULL)
        {
          extra = json_object_new ();
          json_object_set_object_member (fields, "extra", extra);
        }
      json_object_set_member (extra, field->name, g_steal_pointer (&node));
    }
  else
    json_object_set_member (fields, field->name, g_steal_pointer (&node));
  return TRUE;
}

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  gboolean a_null = a == NULL || JSON_NODE_HOLDS_NULL (a);
  gboolean b_null = b == NULL || JSON_NODE_HOLDS_NULL (b);

  if (a_null || b_null)
    return a_null == b_null;
  return json_node_equal (a, b);
}

/* Duplicate customers --------------------------------------------------------- */

static void
show_duplicate (KehuRecordEditor *self,
                JsonObject       *candidate)
{
  const char *name = json_object_get_string_member_with_default (candidate, "name", "");
  const char *match = json_object_get_string_member_with_default (candidate, "match", "name");
  const char *owner_id = json_object_get_string_member_with_default (candidate, "owner_id", NULL);
  g_autofree char *owner = NULL;
  g_autofree char *text = NULL;
  sqlite3_stmt *stmt = NULL;

  if (owner_id != NULL &&
      sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (self->context)),
                          "SELECT name FROM users WHERE id = ?", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, owner_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        owner = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);

  if (owner_id == NULL)
    text = g_strdup_printf (g_strcmp0 (match, "phone") == 0
                              ? _("“%s” has the same phone number and is in the public pool. Claim it rather than adding it again?")
                              : _("“%s” looks like the same customer and is in the public pool. Claim it rather than adding it again?"),
                            name);
  else
    text = g_strdup_printf (g_strcmp0 (match, "phone") == 0
                              ? _("“%s” has the same phone number and is already owned by %s.")
                              : _("“%s” looks like the same customer and is already owned by %s."),
                            name, owner ? owner : _("someone else"));

  g_free (self->duplicate_id);
  self->duplicate_id = g_strdup (json_object_get_string_member_with_default (candidate, "id", NULL));
  gtk_label_set_text (self->duplicate_label, text);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->duplicate_revealer), TRUE);
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("Save _Anyway"));
}

static void
on_open_duplicate_cb (KehuRecordEditor *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char *id = g_strdup (self->duplicate_id);

  if (id == NULL)
    return;
  if (parent == NULL ||
      !gtk_widget_activate_action (GTK_WIDGET (parent), "win.open-record", "(ss)", "customers", id))
    {
      KehuRecordEditor *other = kehu_record_editor_new (self->context, "customers", id);
      gtk_window_set_transient_for (GTK_WINDOW (other), parent);
      gtk_window_present (GTK_WINDOW (other));
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Saving ------------------------------------------------------------------------ */

gboolean
kehu_record_editor_save (KehuRecordEditor *self)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  const char *module = kehu_module_get_name (self->module);
  gboolean ok = TRUE;

  g_return_val_if_fail (KEHU_IS_RECORD_EDITOR (self), FALSE);

  clear_errors (self);
  for (guint i = 0; i < self->rows->len; i++)
    ok &= read_row (self, g_ptr_array_index (self->rows, i), fields);
  if (!ok)
    {
      g_debug ("Some fields cannot be read");
      return FALSE;
    }

  if (self->id == NULL)
    {
      /* Leave out what was not filled so defaults apply. */
      g_autoptr(GList) names = json_object_get_members (fields);
      for (GList *l = names; l; l = l->next)
        if (JSON_NODE_HOLDS_NULL (json_object_get_member (fields, l->data)))
          json_object_remove_member (fields, l->data);

      if (g_strcmp0 (module, "customers") == 0 && !self->duplicate_confirmed)
        {
          g_autoptr(JsonArray) dups = kehu_rules_find_duplicate_customers (
            self->context,
            json_object_get_string_member_with_default (fields, "name", NULL),
            json_object_get_string_member_with_default (fields, "phone", NULL),
            NULL);

          if (dups != NULL && json_array_get_length (dups) > 0 &&
              kehu_record_validate (self->context, module, fields, TRUE, NULL))
            {
              show_duplicate (self, json_array_get_object_element (dups, 0));
              self->duplicate_confirmed = TRUE;
              return FALSE;
            }
        }

      if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
        {
          g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), fields);
          g_autofree char *text = json_to_string (root, FALSE);
          g_debug ("Creating %s: %s", module, text);
        }
      self->id = kehu_record_create (self->context, module, fields, &error);
      ok = self->id != NULL;
    }
  else
    {
      g_autoptr(JsonObject) changes = json_object_new ();
      g_autoptr(GList) names = json_object_get_members (fields);

      for (GList *l = names; l; l = l->next)
        {
          JsonNode *node = json_object_get_member (fields, l->data);
          JsonNode *old = self->original ? json_object_get_member (self->original, l->data) : NULL;

          if (g_strcmp0 (l->data, "extra") == 0)
            {
              JsonObject *extra = json_node_get_object (node);
              JsonObject *old_extra = old && JSON_NODE_HOLDS_OBJECT (old) ? json_node_get_object (old) : NULL;
              g_autoptr(GList) keys = json_object_get_members (extra);
              JsonObject *changed = json_object_new ();

              for (GList *k = keys; k; k = k->next)
                if (!nodes_equal (json_object_get_member (extra, k->data),
                                  old_extra ? json_object_get_member (old_extra, k->data) : NULL))
                  json_object_set_member (changed, k->data, json_node_copy (json_object_get_member (extra, k->data)));
              if (json_object_get_size (changed) > 0)
                json_object_set_object_member (changes, "extra", changed);
              else
                json_object_unref (changed);
            }
          else if (!nodes_equal (node, old))
            json_object_set_member (changes, l->data, json_node_copy (node));
        }
      ok = json_object_get_size (changes) == 0 ||
           kehu_record_update (self->context, module, self->id, changes, &error);
    }

  if (!ok)
    {
      const char *name = kehu_record_error_get_field (error);
      FieldRow *row = name ? find_row (self, name) : NULL;

      if (row != NULL)
        {
          set_row_error (row, error->message);
          gtk_widget_grab_focus (row->input);
        }
      else
        adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      g_debug ("Cannot save: %s (field %s)", error->message, name ? name : "none");
      return FALSE;
    }

  g_signal_emit (self, signals[SAVED], 0, self->id);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
on_save_clicked_cb (KehuRecordEditor *self)
{
  kehu_record_editor_save (self);
}

static void
on_cancel_clicked_cb (KehuRecordEditor *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

/* GObject ------------------------------------------------------------------------- */

static void
kehu_record_editor_finalize (GObject *object)
{
  KehuRecordEditor *self = (KehuRecordEditor *)object;

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->dictionaries, kehu_dictionaries_free);
  g_clear_pointer (&self->original, json_object_unref);
  g_clear_object (&self->context);
  g_free (self->id);
  g_free (self->duplicate_id);

  G_OBJECT_CLASS (kehu_record_editor_parent_class)->finalize (object);
}

static gboolean
close_shortcut_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  gtk_window_close (GTK_WINDOW (widget));
  return TRUE;
}

static gboolean
save_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  kehu_record_editor_save (KEHU_RECORD_EDITOR (widget));
  return TRUE;
}

static void
kehu_record_editor_class_init (KehuRecordEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kehu_record_editor_finalize;

  /**
   * KehuRecordEditor::saved:
   * @id: the id of the record written
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, close_shortcut_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, save_shortcut_cb, NULL);
}

static void
kehu_record_editor_init (KehuRecordEditor *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) field_row_free);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 680);
}

static void
build (KehuRecordEditor *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *basic = adw_preferences_group_new ();
  GtkWidget *custom = NULL;
  GtkWidget *banner, *open;
  g_autofree char *title = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  const KehuField *title_field, *owner_field;
  guint n_required = 0;

  title = g_strdup_printf (self->id ? _("Edit %s") : _("New %s"), kehu_module_get_singular (self->module));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (title, NULL));
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);

  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked_cb), self);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (on_cancel_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);

  /* The duplicate warning sits above the form, where it cannot be missed. */
  banner = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (banner, "toolbar");
  gtk_widget_add_css_class (banner, "warning");
  self->duplicate_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->duplicate_label, TRUE);
  gtk_label_set_xalign (self->duplicate_label, 0.0f);
  gtk_widget_set_hexpand (GTK_WIDGET (self->duplicate_label), TRUE);
  gtk_widget_set_margin_start (GTK_WIDGET (self->duplicate_label), 6);
  open = gtk_button_new_with_mnemonic (_("_Open Existing"));
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (open, "clicked", G_CALLBACK (on_open_duplicate_cb), self);
  gtk_box_append (GTK_BOX (banner), GTK_WIDGET (self->duplicate_label));
  gtk_box_append (GTK_BOX (banner), open);
  self->duplicate_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->duplicate_revealer), banner);
  gtk_box_append (GTK_BOX (box), self->duplicate_revealer);

  /* The title first and the owner last: the order people fill a form in. */
  fields = g_ptr_array_new ();
  title_field = kehu_module_lookup_field (self->module, kehu_module_get_title_field (self->module));
  owner_field = kehu_module_lookup_field (self->module, "owner_id");
  if (title_field != NULL)
    g_ptr_array_add (fields, (gpointer) title_field);
  for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
    {
      const KehuField *field = kehu_module_get_field (self->module, i);
      if (field != title_field && field != owner_field)
        g_ptr_array_add (fields, (gpointer) field);
    }
  if (owner_field != NULL)
    g_ptr_array_add (fields, (gpointer) owner_field);

  for (guint i = 0; i < fields->len; i++)
    {
      const KehuField *field = g_ptr_array_index (fields, i);
      FieldRow *row;
      GtkWidget *group;

      if (!field_is_editable (field))
        continue;
      row = create_row (self, field);
      g_ptr_array_add (self->rows, row);
      if (field->flags & KEHU_FIELD_REQUIRED)
        n_required++;

      if (field->flags & KEHU_FIELD_CUSTOM)
        {
          if (custom == NULL)
            {
              custom = adw_preferences_group_new ();
              adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (custom), _("Custom Fields"));
            }
          group = custom;
        }
      else
        group = basic;
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row->row);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row->error_row);
    }
  if (n_required > 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (basic), _("Fields marked * are required."));

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (basic));
  if (custom != NULL)
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (custom));
  gtk_widget_set_vexpand (page, TRUE);

  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, page);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);
}

KehuRecordEditor *
kehu_record_editor_new (KehuContext *context,
                        const char  *module,
                        const char  *id)
{
  KehuRecordEditor *self;

  g_return_val_if_fail (KEHU_IS_CONTEXT (context), NULL);

  self = g_object_new (KEHU_TYPE_RECORD_EDITOR, NULL);
  self->context = g_object_ref (context);
  self->module = kehu_schema_get_module (kehu_context_get_schema (context), module);
  g_return_val_if_fail (self->module != NULL, self);
  self->dictionaries = kehu_dictionaries_new (kehu_context_get_store (context));
  self->id = g_strdup (id);
  build (self);

  if (id != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->original = kehu_record_get (context, module, id, &error);
      if (self->original == NULL)
        adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      else
        for (guint i = 0; i < self->rows->len; i++)
          {
            FieldRow *row = g_ptr_array_index (self->rows, i);
            JsonNode *node;

            if (row->field->flags & KEHU_FIELD_CUSTOM)
              {
                JsonObject *extra = json_object_get_object_member (self->original, "extra");
                node = extra ? json_object_get_member (extra, row->field->name) : NULL;
              }
            else
              node = json_object_get_member (self->original, row->field->name);
            set_row_value (self, row, node);
          }
    }
  else
    {
      /* A new record is the creator's: owner preset to the current user. */
      FieldRow *owner = find_row (self, "owner_id");
      FieldRow *group = find_row (self, "stage_group_id");

      if (owner != NULL)
        picker_set (self, owner, kehu_context_get_user_id (context));
      /* A new opportunity: the default sales process, at its first stage. */
      if (group != NULL)
        {
          g_autofree char *id_default = kehu_rules_dup_default_stage_group (context);
          picker_set (self, group, id_default);
        }
    }

  return self;
}

const char *
kehu_record_editor_get_module (KehuRecordEditor *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_EDITOR (self), NULL);
  return kehu_module_get_name (self->module);
}

const char *
kehu_record_editor_get_id (KehuRecordEditor *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_EDITOR (self), NULL);
  return self->id;
}

GtkWidget *
kehu_record_editor_get_input (KehuRecordEditor *self,
                              const char       *field)
{
  FieldRow *row = find_row (self, field);

  return row ? row->input : NULL;
}

const char *
kehu_record_editor_get_error (KehuRecordEditor *self,
                              const char       *field)
{
  FieldRow *row = find_row (self, field);

  if (row == NULL || !gtk_widget_get_visible (row->error_row))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (row->error));
}

void
kehu_record_editor_pick (KehuRecordEditor *self,
                         const char       *field,
                         const char       *id)
{
  FieldRow *row = find_row (self, field);

  g_return_if_fail (row != NULL && row->picked != (char *) -1);
  picker_set (self, row, id);
}

const char *
kehu_record_editor_get_duplicate (KehuRecordEditor *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_EDITOR (self), NULL);
  return gtk_revealer_get_reveal_child (GTK_REVEALER (self->duplicate_revealer)) ? self->duplicate_id : NULL;
}
