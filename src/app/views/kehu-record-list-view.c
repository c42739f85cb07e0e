/* kehu-record-list-view.c: the list of one module, made from its schema
 *
 * One widget serves leads, customers, the public pool, contacts,
 * opportunities, contracts, payments and products. Its columns are the
 * module's fields; which are visible and in what order is remembered in
 * GSettings ("list-columns"). Clicking a header sorts in SQL, the filter
 * bar and scenes build a KehuListQuery, and the model under the column
 * view reads only the pages on screen. Bulk actions work on the selected
 * rows through the core's rules, in one transaction each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-list"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "kehu-application.h"
#include "kehu-export.h"
#include "kehu-field-sorter.h"
#include "kehu-format.h"
#include "kehu-pages.h"
#include "kehu-progress-dialog.h"
#include "kehu-perm.h"
#include "kehu-record-actions.h"
#include "kehu-record-editor.h"
#include "kehu-record-list-view-private.h"
#include "kehu-rules.h"

typedef struct
{
  char *id;        /* NULL for a built-in scene */
  char *name;      /* shown as is (built-in ones already translated) */
  char *filters;   /* JSON */
} Scene;

struct _KehuRecordListView
{
  GtkWidget            parent_instance;

  KehuContext         *context;
  KehuPerm            *perm;          /* NULL: a store without users, all allowed */
  char                *page;
  const KehuModule    *module;
  KehuRecordModel     *model;
  GtkMultiSelection   *selection;
  KehuDictionaries    *dictionaries;
  GSettings           *settings;
  KehuListQuery       *query;
  GPtrArray           *scenes;        /* Scene* */
  GPtrArray           *columns;       /* GtkColumnViewColumn*, every field, view order */
  GtkStringList       *scene_names;
  char                *count_text;
  char                *totals_text;
  gboolean             reloading;

  /* Filter popover */
  GtkWidget           *filter_popover;
  GtkDropDown         *filter_field;
  GtkDropDown         *filter_op;
  GtkStack            *filter_stack;
  GtkEntry            *filter_text;
  GtkBox              *filter_choices;
  GtkEntry            *filter_min;
  GtkEntry            *filter_max;
  GtkDropDown         *filter_preset;
  GtkSpinButton       *filter_days;
  GtkEntry            *filter_from;
  GtkEntry            *filter_to;
  GtkLabel            *filter_error;
  GPtrArray           *filter_fields;  /* const KehuField* offered */

  /* Columns popover */
  GtkListBox          *columns_list;

  /* Template */
  GtkWidget           *box;
  GtkDropDown         *scene_dropdown;
  GtkSearchEntry      *search_entry;
  GtkMenuButton       *filter_button;
  GtkMenuButton       *columns_button;
  GtkWidget           *new_button;
  AdwButtonContent    *new_button_content;
  GtkBox              *chips_box;
  GtkStack            *content_stack;
  GtkColumnView       *column_view;
  AdwStatusPage       *empty_page;
  GtkButton           *empty_button;
  GtkLabel            *count_label;
  GtkLabel            *totals_label;
  GtkWidget           *selection_box;
  GtkLabel            *selected_label;
  GtkMenuButton       *bulk_menu_button;
};

G_DEFINE_FINAL_TYPE (KehuRecordListView, kehu_record_list_view, GTK_TYPE_WIDGET)

static void update_state (KehuRecordListView *self);
static void toast (KehuRecordListView *self, const char *message);
static void apply_query (KehuRecordListView *self);

static void
scene_free (Scene *scene)
{
  g_free (scene->id);
  g_free (scene->name);
  g_free (scene->filters);
  g_free (scene);
}

static const char *
page_module (const char *page)
{
  return g_strcmp0 (page, "pool") == 0 ? "customers" : page;
}

static gboolean
is_pool (KehuRecordListView *self)
{
  return g_strcmp0 (self->page, "pool") == 0;
}

static KehuStore *
get_store (KehuRecordListView *self)
{
  return kehu_context_get_store (self->context);
}

static void
show_error (KehuRecordListView *self,
            const char         *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_warning ("%s", message);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

/* Columns ----------------------------------------------------------------- */

static gboolean
field_is_listable (const KehuField *field)
{
  if (field->flags & KEHU_FIELD_HIDDEN)
    return FALSE;
  if (g_strcmp0 (field->name, "id") == 0 || g_strcmp0 (field->name, "rev") == 0 ||
      g_strcmp0 (field->name, "deleted_at") == 0)
    return FALSE;
  return field->type != KEHU_FIELD_JSON && field->type != KEHU_FIELD_ATTACHMENT;
}

static gboolean
field_is_right_aligned (const KehuField *field)
{
  return field->type == KEHU_FIELD_MONEY || field->type == KEHU_FIELD_INTEGER ||
         field->type == KEHU_FIELD_NUMBER || field->type == KEHU_FIELD_PERCENT ||
         field->type == KEHU_FIELD_QUANTITY;
}

static int
field_width (const KehuField *field)
{
  switch (field->type)
    {
    case KEHU_FIELD_MONEY: return 130;
    case KEHU_FIELD_DATE: return 110;
    case KEHU_FIELD_DATETIME: return 150;
    case KEHU_FIELD_BOOLEAN:
    case KEHU_FIELD_PERCENT:
    case KEHU_FIELD_INTEGER: return 90;
    case KEHU_FIELD_PHONE: return 130;
    case KEHU_FIELD_ENUM:
    case KEHU_FIELD_USER: return 110;
    case KEHU_FIELD_CHOICE: return 140;
    case KEHU_FIELD_LONG_TEXT: return 240;
    default: return 170;
    }
}

/* The title cell carries the row's sync mark: an icon while the record
 * has unsent changes, and "Claim pending" while a claim from the pool waits
 * for the server (the customer shows as the user's only tentatively). */
static gboolean
is_title_field (KehuRecordListView *self,
                const KehuField    *field)
{
  return g_strcmp0 (field->name, kehu_module_get_title_field (self->module)) == 0;
}

static GtkWidget *
title_cell_new (GtkWidget *inscription)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *mark = gtk_image_new ();
  GtkWidget *claim = gtk_label_new (_("Claim pending"));

  gtk_widget_set_hexpand (inscription, TRUE);
  gtk_box_append (GTK_BOX (box), inscription);
  gtk_widget_add_css_class (claim, "caption");
  gtk_widget_add_css_class (claim, "dim-label");
  gtk_widget_set_visible (claim, FALSE);
  gtk_box_append (GTK_BOX (box), claim);
  gtk_widget_add_css_class (mark, "kehu-sync-mark");
  gtk_widget_add_css_class (mark, "dim-label");
  gtk_widget_set_visible (mark, FALSE);
  gtk_box_append (GTK_BOX (box), mark);
  return box;
}

static void
bind_sync_mark (GtkWidget  *box,
                const char *state)
{
  GtkWidget *inscription = gtk_widget_get_first_child (box);
  GtkWidget *claim = gtk_widget_get_next_sibling (inscription);
  GtkWidget *mark = gtk_widget_get_last_child (box);
  gboolean claiming = g_strcmp0 (state, "claim") == 0;
  const char *text = NULL;

  if (claiming)
    text = _("Claimed while offline: the server confirms the claim at the next sync");
  else if (state != NULL)
    text = _("Changes not yet sent to the server");
  gtk_widget_set_visible (mark, state != NULL);
  gtk_widget_set_visible (claim, claiming);
  gtk_widget_set_opacity (inscription, claiming ? 0.6 : 1.0);
  if (state == NULL)
    return;
  gtk_image_set_from_icon_name (GTK_IMAGE (mark), claiming ? "user-status-pending-symbolic"
                                                           : "emblem-synchronizing-symbolic");
  gtk_widget_set_tooltip_text (mark, text);
  gtk_widget_set_tooltip_text (claim, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  claiming ? _("Claim pending") : _("Not synced yet"), -1);
}

/* A GtkInscription is as tall as a line of the interface font and clips to
 * that: with a Latin interface font (an English session) the Chinese names
 * a list is full of lost their lowest strokes. A line that mixes both
 * scripts is as tall as the taller fallback font. */
static int
cell_height (GtkWidget *cell)
{
  static int height = 0;

  if (height == 0)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (cell, "客户 Ag");

      pango_layout_get_pixel_size (layout, NULL, &height);
      height = MAX (height, 1);
    }
  return height;
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  const KehuField *field = user_data;
  KehuRecordListView *self = g_object_get_data (G_OBJECT (factory), "kehu-view");
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_set_size_request (cell, -1, cell_height (cell));
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 4);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 12);
  if (field_is_right_aligned (field))
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (cell), 1.0f);
      gtk_widget_add_css_class (cell, "numeric");
    }
  if (is_title_field (self, field))
    cell = title_cell_new (cell);
  gtk_list_item_set_child (list_item, cell);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  const KehuField *field = user_data;
  KehuRecordListView *self = g_object_get_data (G_OBJECT (factory), "kehu-view");
  KehuRecordItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  g_autofree char *text = NULL;

  if (item == NULL)
    return;
  text = kehu_format_field (field, kehu_record_item_get_value (item, field->name),
                            kehu_record_item_get_label (item, field->name),
                            self->dictionaries);
  if (GTK_IS_BOX (cell))
    {
      bind_sync_mark (cell, kehu_record_item_get_sync_state (item));
      cell = gtk_widget_get_first_child (cell);
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
}

static const KehuField *
column_field (GtkColumnViewColumn *column)
{
  return g_object_get_data (G_OBJECT (column), "kehu-field");
}

static GtkColumnViewColumn *
find_column (KehuRecordListView *self,
             const char         *name)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->columns, i);
      if (g_strcmp0 (column_field (column)->name, name) == 0)
        return column;
    }
  return NULL;
}

static char **
default_columns (KehuRecordListView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *title = kehu_module_get_title_field (self->module);

  g_strv_builder_add (builder, title);
  for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
    {
      const KehuField *field = kehu_module_get_field (self->module, i);

      if (!(field->flags & KEHU_FIELD_IN_LIST) || !field_is_listable (field) ||
          g_strcmp0 (field->name, title) == 0)
        continue;
      /* The pool has no owner to show; its former owner says more. */
      if (is_pool (self) && g_strcmp0 (field->name, "owner_id") == 0)
        {
          g_strv_builder_add (builder, "pooled_at");
          g_strv_builder_add (builder, "former_owner_id");
          continue;
        }
      g_strv_builder_add (builder, field->name);
    }
  return g_strv_builder_end (builder);
}

static void rebuild_columns_popover (KehuRecordListView *self);

static void
order_columns (KehuRecordListView *self,
               const char * const *visible)
{
  g_autoptr(GPtrArray) ordered = g_ptr_array_new_with_free_func (g_object_unref);

  /* Visible ones first in the given order, then the rest in schema order. */
  for (guint i = 0; visible[i]; i++)
    {
      GtkColumnViewColumn *column = find_column (self, visible[i]);
      if (column != NULL && !g_ptr_array_find (ordered, column, NULL))
        g_ptr_array_add (ordered, g_object_ref (column));
    }
  for (guint i = 0; i < self->columns->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->columns, i);
      if (!g_ptr_array_find (ordered, column, NULL))
        g_ptr_array_add (ordered, g_object_ref (column));
    }

  for (guint i = 0; i < ordered->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (ordered, i);
      gboolean shown = g_strv_contains (visible, column_field (column)->name);

      gtk_column_view_column_set_visible (column, shown);
      gtk_column_view_insert_column (self->column_view, i, column);
    }

  g_ptr_array_set_size (self->columns, 0);
  for (guint i = 0; i < ordered->len; i++)
    g_ptr_array_add (self->columns, g_object_ref (g_ptr_array_index (ordered, i)));
}

static void
save_columns (KehuRecordListView *self)
{
  g_auto(GStrv) visible = kehu_record_list_view_dup_columns (self);
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "list-columns");
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sas}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s@as}", &key, &value))
    {
      if (g_strcmp0 (key, self->page) != 0)
        g_variant_builder_add (&builder, "{s@as}", key, value);
      g_variant_unref (value);
    }
  g_variant_builder_add (&builder, "{s^as}", self->page, visible);
  g_settings_set_value (self->settings, "list-columns", g_variant_builder_end (&builder));
}

static char **
load_columns (KehuRecordListView *self)
{
  g_autoptr(GVariant) all = g_settings_get_value (self->settings, "list-columns");
  g_autoptr(GVariant) mine = g_variant_lookup_value (all, self->page, G_VARIANT_TYPE_STRING_ARRAY);

  if (mine != NULL && g_variant_n_children (mine) > 0)
    return g_variant_dup_strv (mine, NULL);
  return default_columns (self);
}

static void
create_columns (KehuRecordListView *self)
{
  g_auto(GStrv) visible = NULL;

  for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
    {
      const KehuField *field = kehu_module_get_field (self->module, i);
      GtkListItemFactory *factory;
      GtkColumnViewColumn *column;

      if (!field_is_listable (field))
        continue;

      factory = gtk_signal_list_item_factory_new ();
      g_object_set_data (G_OBJECT (factory), "kehu-view", self);
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), (gpointer) field);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), (gpointer) field);

      column = gtk_column_view_column_new (kehu_field_get_label (field), factory);
      g_object_set_data (G_OBJECT (column), "kehu-field", (gpointer) field);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, field_width (field));
      /* The title column takes the room left over on wide windows. */
      if (g_strcmp0 (field->name, kehu_module_get_title_field (self->module)) == 0)
        {
          gtk_column_view_column_set_fixed_width (column, 220);
          gtk_column_view_column_set_expand (column, TRUE);
        }
      if (field->flags & KEHU_FIELD_SORTABLE)
        {
          g_autoptr(GtkSorter) sorter = kehu_field_sorter_new (field->name);
          gtk_column_view_column_set_sorter (column, sorter);
        }
      gtk_column_view_append_column (self->column_view, column);
      g_ptr_array_add (self->columns, column);
    }

  visible = load_columns (self);
  order_columns (self, (const char * const *) visible);
}

/* Columns popover --------------------------------------------------------- */

static void
on_column_toggled_cb (GtkCheckButton     *check,
                      KehuRecordListView *self)
{
  GtkColumnViewColumn *column = g_object_get_data (G_OBJECT (check), "kehu-column");

  gtk_column_view_column_set_visible (column, gtk_check_button_get_active (check));
  save_columns (self);
  update_state (self);
}

static void
move_column (KehuRecordListView  *self,
             GtkColumnViewColumn *column,
             int                  delta)
{
  guint index;
  int target;

  if (!g_ptr_array_find (self->columns, column, &index))
    return;
  target = (int) index + delta;
  if (target < 0 || target >= (int) self->columns->len)
    return;

  g_ptr_array_steal_index (self->columns, index);
  g_ptr_array_insert (self->columns, target, column);
  gtk_column_view_insert_column (self->column_view, (guint) target, column);
  save_columns (self);
  rebuild_columns_popover (self);
}

static void
on_column_up_cb (GtkButton          *button,
                 KehuRecordListView *self)
{
  move_column (self, g_object_get_data (G_OBJECT (button), "kehu-column"), -1);
}

static void
on_column_down_cb (GtkButton          *button,
                   KehuRecordListView *self)
{
  move_column (self, g_object_get_data (G_OBJECT (button), "kehu-column"), 1);
}

static void
rebuild_columns_popover (KehuRecordListView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->columns_list))) != NULL)
    gtk_list_box_remove (self->columns_list, child);

  for (guint i = 0; i < self->columns->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->columns, i);
      const KehuField *field = column_field (column);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *check = gtk_check_button_new_with_label (kehu_field_get_label (field));
      GtkWidget *up = gtk_button_new_from_icon_name ("go-up-symbolic");
      GtkWidget *down = gtk_button_new_from_icon_name ("go-down-symbolic");
      g_autofree char *up_label = g_strdup_printf (_("Move “%s” up"), kehu_field_get_label (field));
      g_autofree char *down_label = g_strdup_printf (_("Move “%s” down"), kehu_field_get_label (field));

      gtk_widget_set_hexpand (check, TRUE);
      gtk_widget_set_name (check, field->name);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), gtk_column_view_column_get_visible (column));
      g_object_set_data (G_OBJECT (check), "kehu-column", column);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_column_toggled_cb), self, 0);

      for (GtkWidget *b = up; b != NULL; b = b == up ? down : NULL)
        {
          gtk_widget_add_css_class (b, "flat");
          g_object_set_data (G_OBJECT (b), "kehu-column", column);
        }
      gtk_widget_set_tooltip_text (up, up_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (up), GTK_ACCESSIBLE_PROPERTY_LABEL, up_label, -1);
      gtk_widget_set_tooltip_text (down, down_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (down), GTK_ACCESSIBLE_PROPERTY_LABEL, down_label, -1);
      gtk_widget_set_sensitive (up, i > 0);
      gtk_widget_set_sensitive (down, i + 1 < self->columns->len);
      g_signal_connect_object (up, "clicked", G_CALLBACK (on_column_up_cb), self, 0);
      g_signal_connect_object (down, "clicked", G_CALLBACK (on_column_down_cb), self, 0);

      gtk_box_append (GTK_BOX (box), check);
      gtk_box_append (GTK_BOX (box), up);
      gtk_box_append (GTK_BOX (box), down);
      gtk_list_box_append (self->columns_list, box);
    }
}

static void
on_columns_reset_cb (GtkButton          *button,
                     KehuRecordListView *self)
{
  g_auto(GStrv) visible = default_columns (self);

  order_columns (self, (const char * const *) visible);
  save_columns (self);
  rebuild_columns_popover (self);
  update_state (self);
}

static void
create_columns_popover (KehuRecordListView *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *reset = gtk_button_new_with_mnemonic (_("_Reset Columns"));

  self->columns_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->columns_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->columns_list), "boxed-list");
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 420);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->columns_list));
  gtk_widget_set_size_request (scrolled, 280, -1);
  g_signal_connect_object (reset, "clicked", G_CALLBACK (on_columns_reset_cb), self, 0);

  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_box_append (GTK_BOX (box), reset);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (self->columns_button, popover);
  rebuild_columns_popover (self);
}

/* Sorting ----------------------------------------------------------------- */

static void
on_sorter_changed_cb (GtkSorter          *sorter,
                      GtkSorterChange     change,
                      KehuRecordListView *self)
{
  const char *field = NULL;
  gboolean desc = FALSE;

  if (kehu_field_sorter_get_primary (sorter, &field, &desc))
    kehu_list_query_set_sort (self->query, field, desc);
  else
    kehu_list_query_set_sort (self->query, NULL, FALSE);
  apply_query (self);
}

/* Query ------------------------------------------------------------------- */

static char *
describe_filter (KehuRecordListView *self,
                 const KehuFilter   *filter)
{
  const KehuField *field = kehu_module_lookup_field (self->module, filter->field);
  const char *label = field ? kehu_field_get_label (field) : filter->field;
  g_autoptr(GString) values = g_string_new (NULL);

  switch (filter->op)
    {
    case KEHU_FILTER_EMPTY:
      /* Translators: a filter, "Phone is empty" */
      return g_strdup_printf (_("%s is empty"), label);
    case KEHU_FILTER_NOT_EMPTY:
      return g_strdup_printf (_("%s is not empty"), label);
    case KEHU_FILTER_CONTAINS:
      return g_strdup_printf (_("%s contains “%s”"), label, filter->values[0] ? filter->values[0] : "");
    case KEHU_FILTER_DATE:
      {
        const char *p = filter->values[0];
        const char *n = p && filter->values[1] ? filter->values[1] : "";
        if (g_strcmp0 (p, "today") == 0) return g_strdup_printf (_("%s: today"), label);
        if (g_strcmp0 (p, "yesterday") == 0) return g_strdup_printf (_("%s: yesterday"), label);
        if (g_strcmp0 (p, "this_week") == 0) return g_strdup_printf (_("%s: this week"), label);
        if (g_strcmp0 (p, "this_month") == 0) return g_strdup_printf (_("%s: this month"), label);
        if (g_strcmp0 (p, "this_quarter") == 0) return g_strdup_printf (_("%s: this quarter"), label);
        if (g_strcmp0 (p, "this_year") == 0) return g_strdup_printf (_("%s: this year"), label);
        if (g_strcmp0 (p, "last_days") == 0) return g_strdup_printf (_("%s: last %s days"), label, n);
        if (g_strcmp0 (p, "before_days") == 0) return g_strdup_printf (_("%s: more than %s days ago or never"), label, n);
        return g_strdup_printf (_("%s: %s to %s"), label, n, p && n[0] && filter->values[2] ? filter->values[2] : "");
      }
    case KEHU_FILTER_RANGE:
      {
        g_autofree char *min = NULL;
        g_autofree char *max = NULL;
        const char *a = filter->values[0] ? filter->values[0] : "";
        const char *b = *a || filter->values[0] ? (filter->values[1] ? filter->values[1] : "") : "";

        if (field && field->type == KEHU_FIELD_MONEY)
          {
            min = *a ? kehu_format_money (g_ascii_strtoll (a, NULL, 10)) : g_strdup ("");
            max = *b ? kehu_format_money (g_ascii_strtoll (b, NULL, 10)) : g_strdup ("");
          }
        else
          {
            min = g_strdup (a);
            max = g_strdup (b);
          }
        if (*min && *max) return g_strdup_printf (_("%s from %s to %s"), label, min, max);
        if (*min) return g_strdup_printf (_("%s at least %s"), label, min);
        return g_strdup_printf (_("%s at most %s"), label, max);
      }
    case KEHU_FILTER_IN:
    case KEHU_FILTER_EQUALS:
    default:
      for (guint i = 0; filter->values[i]; i++)
        {
          const char *v = filter->values[i];
          g_autofree char *shown = NULL;

          if (g_strcmp0 (v, KEHU_FILTER_ME) == 0)
            shown = g_strdup (_("me"));
          else if (g_strcmp0 (v, KEHU_FILTER_TEAM) == 0)
            shown = g_strdup (_("my team"));
          else if (field && field->type == KEHU_FIELD_USER)
            {
              sqlite3_stmt *stmt = NULL;
              if (sqlite3_prepare_v2 (kehu_store_get_db (get_store (self)),
                                      "SELECT name FROM users WHERE id = ?", -1, &stmt, NULL) == SQLITE_OK)
                {
                  sqlite3_bind_text (stmt, 1, v, -1, SQLITE_TRANSIENT);
                  if (sqlite3_step (stmt) == SQLITE_ROW)
                    shown = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
                }
              sqlite3_finalize (stmt);
            }
          if (shown == NULL && field)
            shown = kehu_format_field (field, v, NULL, self->dictionaries);
          if (values->len)
            g_string_append (values, _(", "));
          g_string_append (values, shown ? shown : v);
        }
      return g_strdup_printf (_("%s: %s"), label, values->str);
    }
}

static void
on_chip_clicked_cb (GtkButton          *button,
                    KehuRecordListView *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "kehu-index"));

  if (index < kehu_list_query_get_n_filters (self->query))
    kehu_list_query_remove_filter (self->query, index);
  apply_query (self);
}

static void
rebuild_chips (KehuRecordListView *self)
{
  GtkWidget *child;
  guint n = kehu_list_query_get_n_filters (self->query);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips_box))) != NULL)
    gtk_box_remove (self->chips_box, child);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = describe_filter (self, kehu_list_query_get_filter (self->query, i));
      g_autofree char *a11y = g_strdup_printf (_("Remove the filter “%s”"), text);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *content = adw_button_content_new ();

      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), text);
      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "window-close-symbolic");
      gtk_button_set_child (GTK_BUTTON (button), content);
      gtk_widget_add_css_class (button, "pill");
      gtk_widget_add_css_class (button, "small");
      gtk_widget_set_tooltip_text (button, a11y);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      g_object_set_data (G_OBJECT (button), "kehu-index", GUINT_TO_POINTER (i));
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_chip_clicked_cb), self, 0);
      gtk_box_append (self->chips_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->chips_box), n > 0);
}

static char *
format_count (guint n)
{
  g_autofree char *digits = g_strdup_printf ("%u", n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static GStrv
visible_money_fields (KehuRecordListView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->columns->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->columns, i);
      if (column_field (column)->type == KEHU_FIELD_MONEY && gtk_column_view_column_get_visible (column))
        g_strv_builder_add (builder, column_field (column)->name);
    }
  return g_strv_builder_end (builder);
}

static void
update_totals (KehuRecordListView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) fields = visible_money_fields (self);
  gboolean counting = kehu_record_model_get_counting (self->model);

  for (guint i = 0; fields[i]; i++)
    {
      const KehuField *field = kehu_module_lookup_field (self->module, fields[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *money = NULL;
      gint64 sum = 0;

      if (counting)
        break;
      /* Kept with the count; a column just made visible is added up now. */
      if (!kehu_record_model_get_total (self->model, field->name, &sum) &&
          !kehu_record_model_sum (self->model, field->name, &sum, &error))
        {
          g_warning ("%s", error->message);
          continue;
        }
      money = kehu_format_money (sum);
      if (text->len)
        g_string_append (text, "  ·  ");
      /* Translators: the total of an amount column, "Amount ¥1,234.00" */
      g_string_append_printf (text, _("%s ¥%s"), kehu_field_get_label (field), money);
    }

  g_free (self->totals_text);
  self->totals_text = text->len ? g_strdup_printf (_("Total: %s"), text->str) : g_strdup ("");
  gtk_label_set_text (self->totals_label, self->totals_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->totals_label), self->totals_text);
}

static void
update_count (KehuRecordListView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  g_autofree char *count = format_count (n);

  g_free (self->count_text);
  if (kehu_record_model_get_counting (self->model))
    self->count_text = g_strdup (_("Counting records…"));
  else
    self->count_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s record", "%s records", n), count);
  gtk_label_set_text (self->count_label, self->count_text);
}

static void
on_counting_changed_cb (KehuRecordListView *self)
{
  update_count (self);
  update_totals (self);
}

/* The operation permission behind each list action (kehu-perm). */
static const struct { const char *action; const char *permission; } action_permissions[] = {
  { "list.new", "create" },
  { "list.export", "export" },
  { "list.delete", "delete" },
  { "list.transfer", "transfer" },
  { "list.convert", "convert" },
  { "list.claim", "claim" },
  { "list.assign", "assign" },
  { "list.return", "return" },
  { "list.lock", "lock" },
  { "list.unlock", "lock" },
  { "list.open", "read" },
};

static gboolean
is_allowed (KehuRecordListView *self,
            const char         *action)
{
  if (self->perm == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (action_permissions); i++)
    if (g_strcmp0 (action_permissions[i].action, action) == 0)
      return kehu_perm_can (self->perm, kehu_module_get_permission_key (self->module),
                            action_permissions[i].permission);
  return TRUE;
}

static void
update_selection_state (KehuRecordListView *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint64 n = gtk_bitset_get_size (selected);
  g_autofree char *text = NULL;
  static const char *bulk[] = { "list.delete", "list.transfer", "list.convert",
                                "list.claim", "list.assign", "list.return", "list.lock",
                                "list.unlock", "list.open" };

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected", (gulong) n), (guint) n);
  gtk_label_set_text (self->selected_label, text);
  gtk_widget_set_visible (self->selection_box, n > 0);

  for (guint i = 0; i < G_N_ELEMENTS (bulk); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), bulk[i], n > 0 && is_allowed (self, bulk[i]));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "list.export", is_allowed (self, "list.export"));
}

static void
update_state (KehuRecordListView *self)
{
  guint n;

  if (self->model == NULL)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  gboolean filtered = kehu_list_query_get_n_filters (self->query) > 0 ||
                      kehu_list_query_get_search (self->query) != NULL;

  update_count (self);
  update_totals (self);
  update_selection_state (self);
  rebuild_chips (self);

  if (n > 0)
    gtk_stack_set_visible_child_name (self->content_stack, "list");
  else
    {
      const KehuPageInfo *info = kehu_pages_lookup (self->page);

      if (filtered)
        {
          adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
          adw_status_page_set_title (self->empty_page, _("No Matching Records"));
          adw_status_page_set_description (self->empty_page,
                                           _("Nothing matches the search and filters. Try other words, or clear the filters."));
          gtk_button_set_label (self->empty_button, _("_Clear Search and Filters"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_button), "list.clear-filters");
          gtk_widget_set_visible (GTK_WIDGET (self->empty_button), TRUE);
        }
      else
        {
          g_autofree char *label = g_strdup_printf (_("_New %s"), kehu_module_get_singular (self->module));

          adw_status_page_set_icon_name (self->empty_page, info ? info->icon_name : "view-list-symbolic");
          adw_status_page_set_title (self->empty_page, info ? _(info->empty_title) : kehu_module_get_plural (self->module));
          adw_status_page_set_description (self->empty_page, info ? _(info->empty_description) : NULL);
          gtk_button_set_label (self->empty_button, label);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_button), "list.new");
          gtk_widget_set_visible (GTK_WIDGET (self->empty_button), !is_pool (self));
        }
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
    }
}

static void
apply_query (KehuRecordListView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->model == NULL)
    return;  /* disposing: removing the columns changes the sorter */

  {
    g_auto(GStrv) money = visible_money_fields (self);
    kehu_record_model_set_total_fields (self->model, (const char * const *) money);
  }

  if (!kehu_record_model_set_query (self->model, self->query, &error))
    show_error (self, error->message);
  update_state (self);
}

/* One Latin letter or digit matches a good part of a big list (every
 * pinyin initial "b", every phone with a "1") and costs a full search: wait
 * for the second one, as people type names of at least two letters. One
 * Chinese character is a real query and searches at once. */
static gboolean
search_is_too_short (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  return strlen (stripped) == 1 && g_ascii_isalnum (stripped[0]);
}

static void
on_search_changed_cb (KehuRecordListView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(KehuListQuery) before = kehu_list_query_copy (self->query);
  gboolean too_short = search_is_too_short (text);

  kehu_list_query_set_search (self->query, too_short ? NULL : text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->search_entry),
                               too_short ? _("Type one more letter to search") : NULL);
  /* The entry waits for typing to stop (search-delay); an unchanged query
   * (a first letter) reads nothing. */
  if (!kehu_list_query_equal (before, self->query))
    apply_query (self);
}

/* Scenes ------------------------------------------------------------------ */

static void
add_scene (KehuRecordListView *self,
           const char         *id,
           const char         *name,
           const char         *filters)
{
  Scene *scene = g_new0 (Scene, 1);

  scene->id = g_strdup (id);
  scene->name = g_strdup (name);
  scene->filters = g_strdup (filters);
  g_ptr_array_add (self->scenes, scene);
  gtk_string_list_append (self->scene_names, name);
}

static int
recycle_warning_days (KehuRecordListView *self)
{
  sqlite3_stmt *stmt = NULL;
  int days = 27;

  /* The default pool's rule for every level, less its warning days. */
  if (sqlite3_prepare_v2 (kehu_store_get_db (get_store (self)),
                          "SELECT r.no_followup_days - p.remind_days FROM pools p"
                          " JOIN pool_rules r ON r.pool_id = p.id AND r.customer_level IS NULL"
                          " WHERE p.is_default = 1 AND r.no_followup_days IS NOT NULL LIMIT 1",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    days = MAX (1, sqlite3_column_int (stmt, 0));
  sqlite3_finalize (stmt);
  return days;
}

static void
load_scenes (KehuRecordListView *self)
{
  gboolean has_followup = kehu_module_lookup_field (self->module, "last_followup_at") != NULL;
  const char *module = kehu_module_get_name (self->module);
  sqlite3_stmt *stmt = NULL;

  g_ptr_array_set_size (self->scenes, 0);
  gtk_string_list_splice (self->scene_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->scene_names)), NULL);

  add_scene (self, NULL, C_("scene", "All"), "[]");
  if (!is_pool (self) && kehu_module_lookup_field (self->module, "owner_id"))
    {
      add_scene (self, NULL, C_("scene", "Mine"), "[{\"field\":\"owner_id\",\"op\":\"in\",\"values\":[\"$me\"]}]");
      add_scene (self, NULL, C_("scene", "My Team’s"), "[{\"field\":\"owner_id\",\"op\":\"in\",\"values\":[\"$team\"]}]");
    }
  if (has_followup)
    {
      add_scene (self, NULL, C_("scene", "Followed Up Today"),
                 "[{\"field\":\"last_followup_at\",\"op\":\"date\",\"values\":[\"today\"]}]");
      add_scene (self, NULL, C_("scene", "Not Followed Up for 7 Days"),
                 "[{\"field\":\"last_followup_at\",\"op\":\"date\",\"values\":[\"before_days\",\"7\"]}]");
      add_scene (self, NULL, C_("scene", "Not Followed Up for 30 Days"),
                 "[{\"field\":\"last_followup_at\",\"op\":\"date\",\"values\":[\"before_days\",\"30\"]}]");
    }
  if (g_strcmp0 (self->page, "customers") == 0)
    {
      g_autofree char *json = g_strdup_printf ("[{\"field\":\"is_locked\",\"op\":\"equals\",\"values\":[\"0\"]},"
                                               "{\"field\":\"last_followup_at\",\"op\":\"date\",\"values\":[\"before_days\",\"%d\"]}]",
                                               recycle_warning_days (self));
      add_scene (self, NULL, C_("scene", "Due to Return to the Pool"), json);
      add_scene (self, NULL, C_("scene", "Locked"), "[{\"field\":\"is_locked\",\"op\":\"equals\",\"values\":[\"1\"]}]");
    }
  else if (g_strcmp0 (module, "leads") == 0)
    {
      add_scene (self, NULL, C_("scene", "Converted"), "[{\"field\":\"status\",\"op\":\"in\",\"values\":[\"converted\"]}]");
      add_scene (self, NULL, C_("scene", "Not Converted"), "[{\"field\":\"status\",\"op\":\"in\",\"values\":[\"new\",\"following\"]}]");
    }
  else if (g_strcmp0 (module, "opportunities") == 0)
    {
      add_scene (self, NULL, C_("scene", "Open"), "[{\"field\":\"status\",\"op\":\"in\",\"values\":[\"open\"]}]");
      add_scene (self, NULL, C_("scene", "Won"), "[{\"field\":\"status\",\"op\":\"in\",\"values\":[\"won\"]}]");
      add_scene (self, NULL, C_("scene", "Lost"), "[{\"field\":\"status\",\"op\":\"in\",\"values\":[\"lost\"]}]");
    }
  else if (g_strcmp0 (module, "contracts") == 0 || g_strcmp0 (module, "payments") == 0)
    {
      add_scene (self, NULL, C_("scene", "Awaiting Approval"),
                 "[{\"field\":\"approval_status\",\"op\":\"in\",\"values\":[\"pending\"]}]");
      add_scene (self, NULL, C_("scene", "Approved"),
                 "[{\"field\":\"approval_status\",\"op\":\"in\",\"values\":[\"approved\"]}]");
    }
  else if (is_pool (self))
    add_scene (self, NULL, C_("scene", "Entered This Week"),
               "[{\"field\":\"pooled_at\",\"op\":\"date\",\"values\":[\"this_week\"]}]");

  /* Saved scenes: everyone's defaults (no owner) and mine. */
  if (sqlite3_prepare_v2 (kehu_store_get_db (get_store (self)),
                          "SELECT id, name, filter FROM scenes WHERE module = ?"
                          " AND (owner_id IS NULL OR owner_id = ?) ORDER BY position, created_at",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, self->page, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, kehu_context_get_user_id (self->context), -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        add_scene (self,
                   (const char *) sqlite3_column_text (stmt, 0),
                   (const char *) sqlite3_column_text (stmt, 1),
                   (const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_finalize (stmt);
}

static void
on_scene_selected_cb (KehuRecordListView *self)
{
  guint index = gtk_drop_down_get_selected (self->scene_dropdown);
  g_autoptr(GError) error = NULL;
  Scene *scene;

  if (index >= self->scenes->len)
    return;
  scene = g_ptr_array_index (self->scenes, index);
  kehu_list_query_clear_filters (self->query);
  if (!kehu_list_query_filters_from_json (self->query, scene->filters, &error))
    show_error (self, error->message);
  apply_query (self);
}

/* Filter popover ---------------------------------------------------------- */

typedef enum
{
  EDIT_TEXT,
  EDIT_CHOICE,
  EDIT_RANGE,
  EDIT_DATE,
} EditKind;

static EditKind
field_edit_kind (const KehuField *field)
{
  switch (field->type)
    {
    case KEHU_FIELD_CHOICE:
    case KEHU_FIELD_MULTI_CHOICE:
    case KEHU_FIELD_ENUM:
    case KEHU_FIELD_USER:
    case KEHU_FIELD_BOOLEAN:
      return EDIT_CHOICE;
    case KEHU_FIELD_MONEY:
    case KEHU_FIELD_INTEGER:
    case KEHU_FIELD_NUMBER:
    case KEHU_FIELD_PERCENT:
    case KEHU_FIELD_QUANTITY:
      return EDIT_RANGE;
    case KEHU_FIELD_DATE:
    case KEHU_FIELD_DATETIME:
      return EDIT_DATE;
    default:
      return EDIT_TEXT;
    }
}

static const KehuField *
selected_filter_field (KehuRecordListView *self)
{
  guint i = gtk_drop_down_get_selected (self->filter_field);

  return i < self->filter_fields->len ? g_ptr_array_index (self->filter_fields, i) : NULL;
}

static void
add_choice (KehuRecordListView *self,
            const char         *value,
            const char         *label)
{
  GtkWidget *check = gtk_check_button_new_with_label (label);

  g_object_set_data_full (G_OBJECT (check), "kehu-value", g_strdup (value), g_free);
  gtk_box_append (self->filter_choices, check);
}

static void
fill_choices (KehuRecordListView *self,
              const KehuField    *field)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->filter_choices))) != NULL)
    gtk_box_remove (self->filter_choices, child);

  if (field->type == KEHU_FIELD_CHOICE || field->type == KEHU_FIELD_MULTI_CHOICE)
    {
      g_autoptr(GPtrArray) items = kehu_dictionaries_items (self->dictionaries, field->dictionary);
      for (guint i = 0; i + 1 < items->len; i += 2)
        add_choice (self, g_ptr_array_index (items, i), g_ptr_array_index (items, i + 1));
    }
  else if (field->type == KEHU_FIELD_ENUM)
    {
      for (guint i = 0; field->choices && field->choices[i]; i++)
        add_choice (self, field->choices[i], kehu_format_enum (field->name, field->choices[i]));
    }
  else if (field->type == KEHU_FIELD_BOOLEAN)
    {
      add_choice (self, "1", _("Yes"));
      add_choice (self, "0", _("No"));
    }
  else if (field->type == KEHU_FIELD_USER)
    {
      sqlite3_stmt *stmt = NULL;

      add_choice (self, KEHU_FILTER_ME, _("Me"));
      add_choice (self, KEHU_FILTER_TEAM, _("My team"));
      if (sqlite3_prepare_v2 (kehu_store_get_db (get_store (self)),
                              "SELECT id, name FROM users WHERE deleted_at IS NULL AND is_enabled = 1"
                              " ORDER BY name LIMIT 200", -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step (stmt) == SQLITE_ROW)
          add_choice (self, (const char *) sqlite3_column_text (stmt, 0),
                      (const char *) sqlite3_column_text (stmt, 1));
      sqlite3_finalize (stmt);
    }
}

static void
on_filter_field_changed_cb (KehuRecordListView *self)
{
  const KehuField *field = selected_filter_field (self);
  const char *ops[4] = { NULL };
  g_autoptr(GtkStringList) list = NULL;

  if (field == NULL)
    return;

  switch (field_edit_kind (field))
    {
    case EDIT_TEXT: ops[0] = _("contains"); break;
    case EDIT_CHOICE: ops[0] = _("is any of"); break;
    case EDIT_RANGE: ops[0] = _("is between"); break;
    case EDIT_DATE: ops[0] = _("is within"); break;
    }
  ops[1] = _("is empty");
  ops[2] = _("is not empty");
  list = gtk_string_list_new (ops);
  gtk_drop_down_set_model (self->filter_op, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->filter_op, 0);

  if (field_edit_kind (field) == EDIT_CHOICE)
    fill_choices (self, field);
  gtk_label_set_text (self->filter_error, "");
  gtk_widget_set_visible (GTK_WIDGET (self->filter_error), FALSE);
}

static void
on_filter_op_changed_cb (KehuRecordListView *self)
{
  const KehuField *field = selected_filter_field (self);
  const char *pages[] = { "text", "choice", "range", "date" };

  if (field == NULL)
    return;
  if (gtk_drop_down_get_selected (self->filter_op) != 0)
    gtk_stack_set_visible_child_name (self->filter_stack, "none");
  else
    gtk_stack_set_visible_child_name (self->filter_stack, pages[field_edit_kind (field)]);
}

static void
on_filter_preset_changed_cb (KehuRecordListView *self)
{
  guint preset = gtk_drop_down_get_selected (self->filter_preset);

  /* 6: last N days, 7: more than N days ago, 8: from … to */
  gtk_widget_set_visible (GTK_WIDGET (self->filter_days), preset == 6 || preset == 7);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->filter_from)), preset == 8);
}

static const char *date_presets[] = {
  "today", "yesterday", "this_week", "this_month", "this_quarter", "this_year",
  "last_days", "before_days", "range",
};

static gboolean
parse_range_value (const KehuField  *field,
                   const char       *text,
                   char            **out,
                   GError          **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0')
    {
      *out = g_strdup ("");
      return TRUE;
    }
  if (field->type == KEHU_FIELD_MONEY)
    {
      gint64 cents;
      if (!kehu_parse_money (stripped, &cents, error))
        return FALSE;
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, cents);
      return TRUE;
    }
  else
    {
      char *end = NULL;
      gint64 n = g_ascii_strtoll (stripped, &end, 10);
      if (end == stripped || *end != '\0')
        {
          g_set_error (error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID,
                       _("Enter a whole number"));
          return FALSE;
        }
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, n);
      return TRUE;
    }
}

static void
on_filter_add_cb (KehuRecordListView *self)
{
  const KehuField *field = selected_filter_field (self);
  guint op = gtk_drop_down_get_selected (self->filter_op);
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) strv = NULL;
  KehuFilterOp fop;

  if (field == NULL)
    return;

  if (op == 1)
    fop = KEHU_FILTER_EMPTY;
  else if (op == 2)
    fop = KEHU_FILTER_NOT_EMPTY;
  else
    switch (field_edit_kind (field))
      {
      case EDIT_TEXT:
        fop = KEHU_FILTER_CONTAINS;
        g_strv_builder_add (values, gtk_editable_get_text (GTK_EDITABLE (self->filter_text)));
        break;

      case EDIT_CHOICE:
        fop = field->type == KEHU_FIELD_BOOLEAN ? KEHU_FILTER_EQUALS : KEHU_FILTER_IN;
        for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->filter_choices)); c;
             c = gtk_widget_get_next_sibling (c))
          if (gtk_check_button_get_active (GTK_CHECK_BUTTON (c)))
            g_strv_builder_add (values, g_object_get_data (G_OBJECT (c), "kehu-value"));
        break;

      case EDIT_RANGE:
        {
          g_autofree char *min = NULL;
          g_autofree char *max = NULL;

          fop = KEHU_FILTER_RANGE;
          if (!parse_range_value (field, gtk_editable_get_text (GTK_EDITABLE (self->filter_min)), &min, &error) ||
              !parse_range_value (field, gtk_editable_get_text (GTK_EDITABLE (self->filter_max)), &max, &error))
            break;
          g_strv_builder_add (values, min);
          g_strv_builder_add (values, max);
        }
        break;

      case EDIT_DATE:
        {
          guint preset = gtk_drop_down_get_selected (self->filter_preset);

          fop = KEHU_FILTER_DATE;
          g_strv_builder_add (values, date_presets[MIN (preset, G_N_ELEMENTS (date_presets) - 1)]);
          if (preset == 6 || preset == 7)
            {
              g_autofree char *n = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->filter_days));
              g_strv_builder_add (values, n);
            }
          else if (preset == 8)
            {
              const char *texts[2] = { gtk_editable_get_text (GTK_EDITABLE (self->filter_from)),
                                       gtk_editable_get_text (GTK_EDITABLE (self->filter_to)) };
              for (guint i = 0; i < 2 && error == NULL; i++)
                {
                  g_autofree char *date = NULL;
                  if (*texts[i] == '\0')
                    g_strv_builder_add (values, "");
                  else if (kehu_parse_date (texts[i], &date, &error))
                    g_strv_builder_add (values, date);
                }
            }
        }
        break;

      default:
        g_assert_not_reached ();
      }

  if (error != NULL)
    {
      gtk_label_set_text (self->filter_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->filter_error), TRUE);
      return;
    }

  strv = g_strv_builder_end (values);
  if ((fop == KEHU_FILTER_IN || fop == KEHU_FILTER_EQUALS) && strv[0] == NULL)
    {
      gtk_label_set_text (self->filter_error, _("Choose at least one value"));
      gtk_widget_set_visible (GTK_WIDGET (self->filter_error), TRUE);
      return;
    }
  kehu_record_list_view_add_filter (self, field->name, fop, (const char * const *) strv);
  gtk_popover_popdown (GTK_POPOVER (self->filter_popover));
}

static void
on_save_scene_response_cb (AdwMessageDialog   *dialog,
                           const char         *response,
                           KehuRecordListView *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "kehu-entry");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "save") != 0)
    return;
  if (!kehu_record_list_view_save_scene (self, gtk_editable_get_text (entry), &error))
    show_error (self, error->message);
}

static void
on_save_scene_clicked_cb (KehuRecordListView *self)
{
  GtkWidget *dialog, *entry;

  gtk_popover_popdown (GTK_POPOVER (self->filter_popover));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Save as Scene"),
                                   _("The scene keeps the current filters, to pick them again from the scene list."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Scene name"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  g_object_set_data (G_OBJECT (dialog), "kehu-entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_save_scene_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
labelled (const char *text,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

static void
create_filter_popover (KehuRecordListView *self)
{
  g_autoptr(GtkStringList) field_names = gtk_string_list_new (NULL);
  const char *preset_names[] = {
    _("Today"), _("Yesterday"), _("This week"), _("This month"), _("This quarter"), _("This year"),
    _("In the last N days"), _("More than N days ago, or never"), _("From … to …"), NULL,
  };
  GtkWidget *box, *page, *buttons, *add, *save, *range_box, *dates_box, *scrolled;

  for (guint i = 0; i < kehu_module_get_n_fields (self->module); i++)
    {
      const KehuField *field = kehu_module_get_field (self->module, i);

      if (!(field->flags & KEHU_FIELD_FILTERABLE) || !field_is_listable (field) ||
          field->type == KEHU_FIELD_TAGS)
        continue;
      if (field->type == KEHU_FIELD_REFERENCE)
        continue;  /* needs a record picker; search by name covers it */
      g_ptr_array_add (self->filter_fields, (gpointer) field);
      gtk_string_list_append (field_names, kehu_field_get_label (field));
    }

  self->filter_popover = gtk_popover_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_size_request (box, 300, -1);

  self->filter_field = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (field_names)), NULL));
  self->filter_op = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_box_append (GTK_BOX (box), labelled (_("_Field"), GTK_WIDGET (self->filter_field)));
  gtk_box_append (GTK_BOX (box), labelled (_("C_ondition"), GTK_WIDGET (self->filter_op)));

  self->filter_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (self->filter_stack, FALSE);
  gtk_stack_set_hhomogeneous (self->filter_stack, FALSE);

  self->filter_text = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_activates_default (self->filter_text, TRUE);
  gtk_stack_add_named (self->filter_stack, labelled (_("_Text"), GTK_WIDGET (self->filter_text)), "text");

  self->filter_choices = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->filter_choices));
  gtk_stack_add_named (self->filter_stack, scrolled, "choice");

  range_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->filter_min = GTK_ENTRY (gtk_entry_new ());
  self->filter_max = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->filter_min, _("Lowest"));
  gtk_entry_set_placeholder_text (self->filter_max, _("Highest"));
  gtk_box_append (GTK_BOX (range_box), labelled (_("F_rom"), GTK_WIDGET (self->filter_min)));
  gtk_box_append (GTK_BOX (range_box), labelled (_("_To"), GTK_WIDGET (self->filter_max)));
  gtk_stack_add_named (self->filter_stack, range_box, "range");

  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->filter_preset = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (preset_names));
  self->filter_days = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 3650, 1));
  gtk_spin_button_set_value (self->filter_days, 7);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->filter_days), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Number of days"), -1);
  dates_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->filter_from = GTK_ENTRY (gtk_entry_new ());
  self->filter_to = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->filter_from, "2026-01-01");
  gtk_entry_set_placeholder_text (self->filter_to, "2026-12-31");
  gtk_box_append (GTK_BOX (dates_box), labelled (_("First _day"), GTK_WIDGET (self->filter_from)));
  gtk_box_append (GTK_BOX (dates_box), labelled (_("_Last day"), GTK_WIDGET (self->filter_to)));
  gtk_box_append (GTK_BOX (page), labelled (_("_Period"), GTK_WIDGET (self->filter_preset)));
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->filter_days));
  gtk_box_append (GTK_BOX (page), dates_box);
  gtk_stack_add_named (self->filter_stack, page, "date");
  gtk_stack_add_named (self->filter_stack, gtk_box_new (GTK_ORIENTATION_VERTICAL, 0), "none");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->filter_stack));

  self->filter_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->filter_error, TRUE);
  gtk_label_set_xalign (self->filter_error, 0.0f);
  gtk_widget_add_css_class (GTK_WIDGET (self->filter_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->filter_error), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->filter_error));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  save = gtk_button_new_with_mnemonic (_("_Save as Scene…"));
  add = gtk_button_new_with_mnemonic (_("_Add Filter"));
  gtk_widget_set_hexpand (add, TRUE);
  gtk_widget_set_halign (add, GTK_ALIGN_END);
  gtk_widget_add_css_class (add, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), save);
  gtk_box_append (GTK_BOX (buttons), add);
  gtk_box_append (GTK_BOX (box), buttons);

  g_signal_connect_object (self->filter_field, "notify::selected", G_CALLBACK (on_filter_field_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_op, "notify::selected", G_CALLBACK (on_filter_op_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_preset, "notify::selected", G_CALLBACK (on_filter_preset_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (add, "clicked", G_CALLBACK (on_filter_add_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (save, "clicked", G_CALLBACK (on_save_scene_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_text, "activate", G_CALLBACK (on_filter_add_cb), self, G_CONNECT_SWAPPED);

  gtk_popover_set_child (GTK_POPOVER (self->filter_popover), box);
  gtk_popover_set_default_widget (GTK_POPOVER (self->filter_popover), add);
  gtk_menu_button_set_popover (self->filter_button, self->filter_popover);

  on_filter_field_changed_cb (self);
  on_filter_op_changed_cb (self);
  on_filter_preset_changed_cb (self);
}

/* Actions ----------------------------------------------------------------- */

static char **
selected_ids_strv (KehuRecordListView *self)
{
  g_autoptr(GPtrArray) ids = kehu_record_list_view_dup_selected_ids (self);

  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

static void
on_editor_saved_cb (KehuRecordListView *self)
{
  kehu_record_list_view_reload (self);
}

static void
open_editor (KehuRecordListView *self,
             const char         *id)
{
  KehuRecordEditor *editor = kehu_record_editor_new (self->context, kehu_module_get_name (self->module), id);

  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);

  if (is_pool (self))
    return;
  open_editor (self, NULL);
}

static void
open_record (KehuRecordListView *self,
             const char         *id)
{
  /* The detail page when there is one; the editor otherwise. */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.open-record", "(ss)",
                                   kehu_module_get_name (self->module), id))
    open_editor (self, id);
}

static void
on_row_activated_cb (KehuRecordListView *self,
                     guint               position)
{
  g_autoptr(KehuRecordItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (item != NULL)
    open_record (self, kehu_record_item_get_id (item));
}

static void
open_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);
  g_autoptr(GPtrArray) ids = kehu_record_list_view_dup_selected_ids (self);

  if (ids->len > 0)
    open_record (self, g_ptr_array_index (ids, 0));
}

typedef struct
{
  KehuRecordListView *self;
  char              **ids;
  char               *module;
} UndoData;

static void
undo_data_free (gpointer  user_data,
                GClosure *closure)
{
  UndoData *data = user_data;

  g_object_unref (data->self);
  g_strfreev (data->ids);
  g_free (data->module);
  g_free (data);
}

static void
on_undo_delete_cb (AdwToast *toast,
                   UndoData *data)
{
  g_autoptr(GError) error = NULL;

  if (!kehu_record_actions_restore (data->self->context, data->module,
                                    (const char * const *) data->ids, &error))
    show_error (data->self, error->message);
  kehu_record_list_view_reload (data->self);
}

static void
delete_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);
  g_auto(GStrv) ids = selected_ids_strv (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  GtkWidget *overlay;
  guint n = g_strv_length (ids);

  if (n == 0)
    return;
  if (!kehu_record_actions_delete (self->context, kehu_module_get_name (self->module),
                                   (const char * const *) ids, &error))
    {
      show_error (self, error->message);
      return;
    }
  kehu_record_list_view_reload (self);

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record moved to the recycle bin",
                                        "%u records moved to the recycle bin", n), n);
  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      AdwToast *toast = adw_toast_new (title);
      UndoData *data = g_new0 (UndoData, 1);

      data->self = g_object_ref (self);
      data->ids = g_steal_pointer (&ids);
      data->module = g_strdup (kehu_module_get_name (self->module));
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_delete_cb),
                             data, undo_data_free, 0);
      g_object_set_data_full (G_OBJECT (self), "kehu-last-toast", g_object_ref (toast), g_object_unref);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
}

/* A dialog that asks for a user (transfer, assign) or a reason (return). */
typedef enum { ASK_TRANSFER, ASK_ASSIGN, ASK_RETURN } AskKind;

static void
on_ask_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    KehuRecordListView *self)
{
  AskKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kehu-kind"));
  char **ids = g_object_get_data (G_OBJECT (dialog), "kehu-ids");
  GtkDropDown *users = g_object_get_data (G_OBJECT (dialog), "kehu-users");
  GPtrArray *user_ids = g_object_get_data (G_OBJECT (dialog), "kehu-user-ids");
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *user_id = NULL;
  gboolean ok = FALSE;
  guint n = g_strv_length (ids);

  if (g_strcmp0 (response, "ok") != 0)
    return;
  if (users != NULL && gtk_drop_down_get_selected (users) < user_ids->len)
    user_id = g_ptr_array_index (user_ids, gtk_drop_down_get_selected (users));

  switch (kind)
    {
    case ASK_TRANSFER:
      {
        GtkCheckButton *cascade = g_object_get_data (G_OBJECT (dialog), "kehu-cascade");
        GtkCheckButton *keep = g_object_get_data (G_OBJECT (dialog), "kehu-keep");
        KehuTransferFlags flags = KEHU_TRANSFER_NONE;

        if (cascade && gtk_check_button_get_active (cascade))
          flags |= KEHU_TRANSFER_CASCADE;
        if (keep && gtk_check_button_get_active (keep))
          flags |= KEHU_TRANSFER_KEEP_TEAM_WRITE;
        ok = kehu_rules_transfer (self->context, kehu_module_get_name (self->module),
                                  (const char * const *) ids, user_id, flags, &error);
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record transferred",
                                                "%u records transferred", n), n);
      }
      break;
    case ASK_ASSIGN:
      ok = kehu_record_actions_assign (self->context, (const char * const *) ids, user_id, &error);
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u customer assigned",
                                              "%u customers assigned", n), n);
      break;
    case ASK_RETURN:
      {
        GtkEditable *reason = g_object_get_data (G_OBJECT (dialog), "kehu-reason");
        ok = kehu_record_actions_return (self->context, (const char * const *) ids,
                                         gtk_editable_get_text (reason), &error);
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u customer returned to the public pool",
                                                "%u customers returned to the public pool", n), n);
      }
      break;
    }

  if (!ok)
    show_error (self, error ? error->message : _("The action failed"));
  else
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
    }
  kehu_record_list_view_reload (self);
}

static GtkWidget *
ask (KehuRecordListView *self,
     AskKind             kind)
{
  g_auto(GStrv) ids = selected_ids_strv (self);
  guint n = g_strv_length (ids);
  g_autofree char *body = NULL;
  const char *heading, *ok;
  GtkWidget *dialog, *box;

  if (n == 0)
    return NULL;

  switch (kind)
    {
    case ASK_TRANSFER:
      heading = _("Transfer to Another Owner");
      ok = _("_Transfer");
      body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Choose the new owner of the selected record.",
                                           "Choose the new owner of the %u selected records.", n), n);
      break;
    case ASK_ASSIGN:
      heading = _("Assign Customers");
      ok = _("_Assign");
      body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Choose who takes the selected customer out of the public pool.",
                                           "Choose who takes the %u selected customers out of the public pool.", n), n);
      break;
    case ASK_RETURN:
    default:
      heading = _("Return to the Public Pool");
      ok = _("_Return");
      body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The selected customer loses its owner; others may claim it.",
                                           "The %u selected customers lose their owner; others may claim them.", n), n);
      break;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  if (kind == ASK_TRANSFER || kind == ASK_ASSIGN)
    {
      GPtrArray *user_ids = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      g_autoptr(GtkExpression) expr = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
      GtkWidget *users;
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (kehu_store_get_db (get_store (self)),
                              "SELECT id, name FROM users WHERE deleted_at IS NULL AND is_enabled = 1"
                              " ORDER BY name", -1, &stmt, NULL) == SQLITE_OK)
        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            g_ptr_array_add (user_ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
            gtk_string_list_append (names, (const char *) sqlite3_column_text (stmt, 1));
          }
      sqlite3_finalize (stmt);

      users = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), gtk_expression_ref (expr));
      gtk_drop_down_set_enable_search (GTK_DROP_DOWN (users), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (users), GTK_ACCESSIBLE_PROPERTY_LABEL, _("New owner"), -1);
      gtk_box_append (GTK_BOX (box), users);
      g_object_set_data (G_OBJECT (dialog), "kehu-users", users);
      g_object_set_data_full (G_OBJECT (dialog), "kehu-user-ids", user_ids, (GDestroyNotify) g_ptr_array_unref);

      if (kind == ASK_TRANSFER && g_strcmp0 (kehu_module_get_name (self->module), "customers") == 0)
        {
          GtkWidget *cascade = gtk_check_button_new_with_mnemonic (_("Also transfer their _contacts, opportunities and contracts"));
          gtk_check_button_set_active (GTK_CHECK_BUTTON (cascade), TRUE);
          gtk_box_append (GTK_BOX (box), cascade);
          g_object_set_data (G_OBJECT (dialog), "kehu-cascade", cascade);
        }
      if (kind == ASK_TRANSFER)
        {
          GtkWidget *keep = gtk_check_button_new_with_mnemonic (_("_Keep the old owner as a team member"));
          gtk_box_append (GTK_BOX (box), keep);
          g_object_set_data (G_OBJECT (dialog), "kehu-keep", keep);
        }
    }
  else
    {
      GtkWidget *reason = gtk_entry_new ();
      gtk_entry_set_placeholder_text (GTK_ENTRY (reason), _("Reason, such as “no budget this year”"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (reason), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"), -1);
      gtk_box_append (GTK_BOX (box), reason);
      g_object_set_data (G_OBJECT (dialog), "kehu-reason", reason);
    }

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "ok", ok, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok",
                                              kind == ASK_RETURN ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "kehu-kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (dialog), "kehu-ids", g_steal_pointer (&ids), (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_ask_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
transfer_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask (KEHU_RECORD_LIST_VIEW (widget), ASK_TRANSFER);
}

static void
assign_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask (KEHU_RECORD_LIST_VIEW (widget), ASK_ASSIGN);
}

static void
return_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask (KEHU_RECORD_LIST_VIEW (widget), ASK_RETURN);
}

static void
toast (KehuRecordListView *self,
       const char         *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static void
claim_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);
  g_auto(GStrv) ids = selected_ids_strv (self);
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (ids);

  if (n == 0)
    return;
  if (!kehu_record_actions_claim (self->context, (const char * const *) ids, &error))
    show_error (self, error->message);
  else
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u customer claimed; find it under Customers",
                                                               "%u customers claimed; find them under Customers", n), n);
      toast (self, message);
    }
  kehu_record_list_view_reload (self);
}

static void
set_locked (KehuRecordListView *self,
            gboolean            locked)
{
  g_auto(GStrv) ids = selected_ids_strv (self);
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (ids);

  if (n == 0)
    return;
  if (!kehu_record_actions_set_locked (self->context, (const char * const *) ids, locked, &error))
    show_error (self, error->message);
  else
    {
      g_autofree char *message = locked
        ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u customer locked: it will not return to the pool",
                                        "%u customers locked: they will not return to the pool", n), n)
        : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u customer unlocked", "%u customers unlocked", n), n);
      toast (self, message);
    }
  kehu_record_list_view_reload (self);
}

static void
lock_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  set_locked (KEHU_RECORD_LIST_VIEW (widget), TRUE);
}

static void
unlock_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  set_locked (KEHU_RECORD_LIST_VIEW (widget), FALSE);
}

static void
convert_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);
  g_auto(GStrv) ids = selected_ids_strv (self);
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (ids);

  if (n == 0)
    return;
  if (!kehu_rules_convert_leads (self->context, (const char * const *) ids, &error))
    show_error (self, error->message);
  else
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u lead converted to a customer",
                                                               "%u leads converted to customers", n), n);
      toast (self, message);
    }
  kehu_record_list_view_reload (self);
}

/* Export -------------------------------------------------------------------- */

/* An export runs in a GTask thread over its own read-only connection to
 * the store (the main thread's stays free for the window), writes a
 * temporary file beside the chosen one and renames it only when every row
 * is written: a cancelled or failed export leaves nothing behind. */
typedef struct
{
  KehuStore           *store;      /* the worker's own connection */
  KehuRecordModelIter *iter;
  KehuDictionaries    *dictionaries;
  GPtrArray           *fields;     /* const KehuField*, the visible columns */
  GPtrArray           *headers;    /* char*, NULL-terminated */
  KehuExportColumnType *types;
  GHashTable          *only;       /* ids, or NULL for every row */
  char                *sheet_title;
  char                *path;
  gboolean             csv;
  GCancellable        *cancellable;
  KehuRecordItem      *item;       /* the row being written */
  GPtrArray           *texts;      /* its strings */
  gint64               total;      /* rows to write, -1 until counted */
  int                  n_rows;     /* written so far (atomic: read by the progress) */
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->item);
  g_clear_pointer (&job->iter, kehu_record_model_iter_free);
  g_clear_pointer (&job->dictionaries, kehu_dictionaries_free);
  g_clear_object (&job->store);
  g_clear_pointer (&job->fields, g_ptr_array_unref);
  g_clear_pointer (&job->headers, g_ptr_array_unref);
  g_clear_pointer (&job->types, g_free);
  g_clear_pointer (&job->only, g_hash_table_unref);
  g_clear_pointer (&job->sheet_title, g_free);
  g_clear_pointer (&job->path, g_free);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->texts, g_ptr_array_unref);
  g_free (job);
}

static gboolean
export_row_cb (KehuExportCell  *cells,
               guint            n_columns,
               gpointer         user_data,
               GError         **error)
{
  ExportJob *job = user_data;
  GError *local_error = NULL;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return FALSE;

  /* One row at a time from SQLite: memory stays flat however long the list. */
  do
    {
      g_clear_object (&job->item);
      job->item = kehu_record_model_iter_next (job->iter, &local_error);
    }
  while (job->item != NULL && job->only != NULL &&
         !g_hash_table_contains (job->only, kehu_record_item_get_id (job->item)));
  if (job->item == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return FALSE;
    }
  g_ptr_array_set_size (job->texts, 0);

  for (guint c = 0; c < n_columns; c++)
    {
      const KehuField *field = g_ptr_array_index (job->fields, c);
      const char *value = kehu_record_item_get_value (job->item, field->name);

      if (value == NULL)
        {
          cells[c].is_null = TRUE;
          continue;
        }
      switch (field->type)
        {
        case KEHU_FIELD_MONEY:
        case KEHU_FIELD_INTEGER:
          cells[c].number = g_ascii_strtoll (value, NULL, 10);
          break;
        default:
          {
            char *text = kehu_format_field (field, value, kehu_record_item_get_label (job->item, field->name),
                                            job->dictionaries);
            g_ptr_array_add (job->texts, text);
            cells[c].text = text;
          }
          break;
        }
    }
  g_atomic_int_inc (&job->n_rows);
  return TRUE;
}

static void
export_thread_cb (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (job->path);
  g_autofree char *base = g_path_get_basename (job->path);
  g_autofree char *template = g_strdup_printf ("%s%s.kehu-XXXXXX.part", base[0] == '.' ? "" : ".", base);
  g_autofree char *tmp_path = g_build_filename (dir, template, NULL);
  gboolean ok;
  int fd;

  job->total = job->only != NULL ? (gint64) g_hash_table_size (job->only)
                                 : kehu_record_model_iter_count (job->iter, &error);
  if (job->total < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Beside the target, so that the rename stays on one file system. */
  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not write in the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return;
    }
  close (fd);

  if (job->csv)
    ok = kehu_export_table_csv (tmp_path, (const char * const *) job->headers->pdata, job->types,
                                job->fields->len, export_row_cb, job, &error);
  else
    ok = kehu_export_table_xlsx (tmp_path, job->sheet_title, (const char * const *) job->headers->pdata,
                                 job->types, job->fields->len, export_row_cb, job, &error);
  if (ok && g_rename (tmp_path, job->path) != 0)
    {
      int saved_errno = errno;

      ok = FALSE;
      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not save “%s”: %s"), job->path, g_strerror (saved_errno));
    }
  if (!ok)
    {
      g_unlink (tmp_path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_int (task, g_atomic_int_get (&job->n_rows));
}

/* Everything the worker needs, taken from the view now (main thread). */
static ExportJob *
export_job_new (KehuRecordListView  *self,
                const char          *path,
                gboolean             selected_only,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(KehuStore) store = NULL;
  ExportJob *job;

  store = kehu_store_open (kehu_store_get_path (get_store (self)), error);
  if (store == NULL)
    return NULL;
  /* The worker only reads. */
  if (!kehu_store_exec (store, "PRAGMA query_only = ON", error))
    return NULL;

  job = g_new0 (ExportJob, 1);
  job->store = g_steal_pointer (&store);
  job->fields = g_ptr_array_new ();
  job->headers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->columns->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->columns, i);

      if (gtk_column_view_column_get_visible (column))
        {
          g_ptr_array_add (job->fields, (gpointer) column_field (column));
          g_ptr_array_add (job->headers, g_strdup (kehu_field_get_label (column_field (column))));
        }
    }
  g_ptr_array_add (job->headers, NULL);
  job->types = g_new0 (KehuExportColumnType, MAX (job->fields->len, 1));
  for (guint i = 0; i < job->fields->len; i++)
    {
      const KehuField *field = g_ptr_array_index (job->fields, i);
      job->types[i] = field->type == KEHU_FIELD_MONEY ? KEHU_EXPORT_MONEY
                    : field->type == KEHU_FIELD_INTEGER ? KEHU_EXPORT_INT
                    : field->type == KEHU_FIELD_DATE ? KEHU_EXPORT_DATE
                    : KEHU_EXPORT_TEXT;
    }

  if (selected_only)
    {
      g_autoptr(GPtrArray) ids = kehu_record_list_view_dup_selected_ids (self);
      job->only = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < ids->len; i++)
        g_hash_table_add (job->only, g_strdup (g_ptr_array_index (ids, i)));
    }

  job->sheet_title = g_strdup (kehu_module_get_plural (self->module));
  job->path = g_strdup (path);
  job->csv = g_str_has_suffix (path, ".csv") || g_str_has_suffix (path, ".CSV");
  job->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  job->texts = g_ptr_array_new_with_free_func (g_free);
  job->total = -1;
  job->dictionaries = kehu_dictionaries_new (job->store);
  job->iter = kehu_record_model_iter_new_on (self->model, job->store, error);
  if (job->iter == NULL)
    {
      export_job_free (job);
      return NULL;
    }
  return job;
}

/* Starts the worker; returns the task (owned by the worker) for its
 * progress. */
static GTask *
export_start (KehuRecordListView  *self,
              const char          *path,
              gboolean             selected_only,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  ExportJob *job;

  g_task_set_source_tag (task, kehu_record_list_view_export_async);
  /* The file is renamed or removed by the worker itself. */
  g_task_set_return_on_cancel (task, FALSE);
  job = export_job_new (self, path, selected_only, cancellable, &error);
  if (job == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return task;
    }
  g_task_set_task_data (task, job, export_job_free);
  g_task_run_in_thread (task, export_thread_cb);
  return task;
}

/**
 * kehu_record_list_view_export_async:
 * @path: the file to write: .csv for CSV, anything else .xlsx
 * @selected_only: only the selected rows, else every row of the list
 *
 * Writes the visible columns in a worker thread with its own read-only
 * connection, to a temporary file beside @path renamed at the end.
 */
void
kehu_record_list_view_export_async (KehuRecordListView  *self,
                                    const char          *path,
                                    gboolean             selected_only,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  export_start (self, path, selected_only, cancellable, callback, user_data);
}

gboolean
kehu_record_list_view_export_finish (KehuRecordListView  *self,
                                     GAsyncResult        *result,
                                     guint               *n_rows,
                                     GError             **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_rows)
    *n_rows = (guint) n;
  return TRUE;
}

/* Rows written so far and the total (-1 while counting). */
static void
export_get_progress (GTask  *task,
                     gint64 *done,
                     gint64 *total)
{
  ExportJob *job = g_task_get_task_data (task);

  *done = job ? g_atomic_int_get (&job->n_rows) : 0;
  *total = job ? job->total : -1;
}

gboolean
kehu_record_list_view_export (KehuRecordListView  *self,
                              const char          *path,
                              gboolean             selected_only,
                              guint               *n_rows,
                              GError             **error)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);
  ExportJob *job;
  gssize n;

  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), FALSE);

  job = export_job_new (self, path, selected_only, NULL, error);
  if (job == NULL)
    return FALSE;
  g_task_set_task_data (task, job, export_job_free);
  g_task_run_in_thread_sync (task, export_thread_cb);
  n = g_task_propagate_int (task, error);
  if (n_rows)
    *n_rows = n < 0 ? 0 : (guint) n;
  return n >= 0;
}

/* One export in progress: its task, the progress window, the timer. */
typedef struct
{
  KehuRecordListView *self;
  KehuProgressDialog *dialog;
  GTask              *task;      /* set once started */
  guint               timeout_id;
} ExportRun;

static gboolean
export_progress_cb (gpointer user_data)
{
  ExportRun *run = user_data;
  gint64 done = 0, total = -1;

  if (run->task != NULL)
    export_get_progress (run->task, &done, &total);
  kehu_progress_dialog_set_progress (run->dialog, done, total);
  return G_SOURCE_CONTINUE;
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ExportRun *run = user_data;
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (source);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_clear_handle_id (&run->timeout_id, g_source_remove);
  gtk_window_destroy (GTK_WINDOW (run->dialog));
  g_clear_object (&run->dialog);

  if (!kehu_record_list_view_export_finish (self, result, &n, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Export cancelled; no file was written"));
      else
        show_error (self, error->message);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u record exported",
                                                               "%u records exported", n), n);
      toast (self, message);
    }
  g_clear_object (&run->task);
  g_object_unref (run->self);
  g_free (run);
}

static void
on_export_response_cb (GtkNativeDialog    *chooser,
                       int                 response,
                       KehuRecordListView *self)
{
  gboolean selected_only = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "kehu-selected"));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  ExportRun *run;

  if (response != GTK_RESPONSE_ACCEPT)
    goto out;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file ? g_file_get_path (file) : NULL;
  if (path == NULL)
    goto out;

  cancellable = g_cancellable_new ();
  /* TRANSLATORS: the title of the export's progress window: "Exporting Customers" */
  title = g_strdup_printf (_("Exporting %s"), kehu_module_get_plural (self->module));
  run = g_new0 (ExportRun, 1);
  run->self = g_object_ref (self);
  run->dialog = g_object_ref_sink (kehu_progress_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                             title, cancellable));
  gtk_window_present (GTK_WINDOW (run->dialog));
  /* The callback comes from the main loop, after this: the task is alive. */
  run->task = g_object_ref (export_start (self, path, selected_only, cancellable, export_done_cb, run));
  run->timeout_id = g_timeout_add (100, export_progress_cb, run);
out:
  g_object_unref (chooser);
}

static void
export_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  gboolean selected_only = !gtk_bitset_is_empty (selected);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("%s %s.xlsx", kehu_module_get_plural (self->module), day);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) csv_filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (selected_only ? _("Export the Selected Records") : _("Export the List"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Excel workbooks"));
  gtk_file_filter_add_suffix (filter, "xlsx");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_filter_set_name (csv_filter, _("CSV files"));
  gtk_file_filter_add_suffix (csv_filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv_filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "kehu-selected", GINT_TO_POINTER (selected_only));
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
clear_filters_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  KehuRecordListView *self = KEHU_RECORD_LIST_VIEW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  kehu_record_list_view_clear_filters (self);
}

static void
refresh_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  kehu_record_list_view_reload (KEHU_RECORD_LIST_VIEW (widget));
}

static GMenuModel *
create_bulk_menu (KehuRecordListView *self)
{
  GMenu *menu = g_menu_new ();
  const char *module = kehu_module_get_name (self->module);

  if (is_pool (self))
    {
      g_menu_append (menu, _("_Claim"), "list.claim");
      g_menu_append (menu, _("_Assign To…"), "list.assign");
    }
  else
    {
      if (g_strcmp0 (module, "products") != 0 && kehu_module_lookup_field (self->module, "owner_id"))
        g_menu_append (menu, _("_Transfer…"), "list.transfer");
      if (g_strcmp0 (module, "leads") == 0)
        g_menu_append (menu, _("Con_vert to Customers"), "list.convert");
      if (g_strcmp0 (module, "customers") == 0)
        {
          g_menu_append (menu, _("_Return to Public Pool…"), "list.return");
          g_menu_append (menu, _("_Lock"), "list.lock");
          g_menu_append (menu, _("_Unlock"), "list.unlock");
        }
    }
  g_menu_append (menu, _("_Open"), "list.open");
  return G_MENU_MODEL (menu);
}

/* GObject ----------------------------------------------------------------- */

static void
on_selection_changed_cb (KehuRecordListView *self)
{
  update_selection_state (self);
}

static void
on_map_cb (KehuRecordListView *self)
{
  /* Other views (details, editors) change records: read again when shown. */
  kehu_record_list_view_reload (self);
}

static void
kehu_record_list_view_dispose (GObject *object)
{
  KehuRecordListView *self = (KehuRecordListView *)object;

  g_clear_object (&self->model);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (kehu_record_list_view_parent_class)->dispose (object);
}

static void
kehu_record_list_view_finalize (GObject *object)
{
  KehuRecordListView *self = (KehuRecordListView *)object;

  g_clear_pointer (&self->dictionaries, kehu_dictionaries_free);
  g_clear_pointer (&self->query, kehu_list_query_free);
  g_clear_pointer (&self->scenes, g_ptr_array_unref);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_pointer (&self->filter_fields, g_ptr_array_unref);
  g_clear_object (&self->scene_names);
  g_clear_object (&self->settings);
  g_clear_object (&self->context);
  g_clear_object (&self->perm);
  g_free (self->count_text);
  g_free (self->totals_text);
  g_free (self->page);

  G_OBJECT_CLASS (kehu_record_list_view_parent_class)->finalize (object);
}

static void
kehu_record_list_view_class_init (KehuRecordListViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_record_list_view_dispose;
  object_class->finalize = kehu_record_list_view_finalize;

  kehu_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-record-list-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, scene_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, filter_button);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, columns_button);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, new_button);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, new_button_content);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, chips_box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, column_view);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, empty_button);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, count_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, totals_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, selection_box);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, selected_label);
  gtk_widget_class_bind_template_child (widget_class, KehuRecordListView, bulk_menu_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "list.new", NULL, new_action_cb);
  gtk_widget_class_install_action (widget_class, "list.open", NULL, open_action_cb);
  gtk_widget_class_install_action (widget_class, "list.delete", NULL, delete_action_cb);
  gtk_widget_class_install_action (widget_class, "list.transfer", NULL, transfer_action_cb);
  gtk_widget_class_install_action (widget_class, "list.convert", NULL, convert_action_cb);
  gtk_widget_class_install_action (widget_class, "list.claim", NULL, claim_action_cb);
  gtk_widget_class_install_action (widget_class, "list.assign", NULL, assign_action_cb);
  gtk_widget_class_install_action (widget_class, "list.return", NULL, return_action_cb);
  gtk_widget_class_install_action (widget_class, "list.lock", NULL, lock_action_cb);
  gtk_widget_class_install_action (widget_class, "list.unlock", NULL, unlock_action_cb);
  gtk_widget_class_install_action (widget_class, "list.clear-filters", NULL, clear_filters_action_cb);
  gtk_widget_class_install_action (widget_class, "list.refresh", NULL, refresh_action_cb);
  gtk_widget_class_install_action (widget_class, "list.export", NULL, export_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "list.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "list.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "list.refresh", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kehurecordlist");
}

static void
kehu_record_list_view_init (KehuRecordListView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->query = kehu_list_query_new ();
  self->scenes = g_ptr_array_new_with_free_func ((GDestroyNotify) scene_free);
  self->columns = g_ptr_array_new_with_free_func (g_object_unref);
  self->filter_fields = g_ptr_array_new ();
  self->scene_names = gtk_string_list_new (NULL);
  self->settings = g_settings_new (APPLICATION_ID);
}

KehuRecordListView *
kehu_record_list_view_new (KehuContext *context,
                           const char  *page)
{
  KehuRecordListView *self;
  g_autoptr(GMenuModel) bulk = NULL;
  KehuSchema *schema;

  g_return_val_if_fail (KEHU_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (page != NULL, NULL);

  self = g_object_new (KEHU_TYPE_RECORD_LIST_VIEW, NULL);
  self->context = g_object_ref (context);
  self->page = g_strdup (page);
  schema = kehu_context_get_schema (context);
  self->module = kehu_schema_get_module (schema, page_module (page));
  g_return_val_if_fail (self->module != NULL, self);
  self->dictionaries = kehu_dictionaries_new (get_store (self));

  self->model = kehu_record_model_new (schema, page_module (page));
  kehu_record_model_set_user (self->model, kehu_context_get_user_id (context));
  if (kehu_module_lookup_field (self->module, "owner_id") != NULL &&
      g_strcmp0 (page_module (page), "customers") == 0)
    {
      g_autoptr(KehuListQuery) base = kehu_list_query_new ();

      kehu_list_query_add_filter (base, "owner_id",
                                  is_pool (self) ? KEHU_FILTER_EMPTY : KEHU_FILTER_NOT_EMPTY, NULL);
      kehu_record_model_set_base (self->model, base);
    }
  g_signal_connect_object (self->model, "notify::counting",
                           G_CALLBACK (on_counting_changed_cb), self, G_CONNECT_SWAPPED);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_changed_cb), self, G_CONNECT_SWAPPED);

  create_columns (self);
  create_columns_popover (self);
  create_filter_popover (self);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_sorter_changed_cb), self, 0);

  load_scenes (self);
  gtk_drop_down_set_model (self->scene_dropdown, G_LIST_MODEL (self->scene_names));
  g_signal_connect_object (self->scene_dropdown, "notify::selected",
                           G_CALLBACK (on_scene_selected_cb), self, G_CONNECT_SWAPPED);

  bulk = create_bulk_menu (self);
  gtk_menu_button_set_menu_model (self->bulk_menu_button, bulk);
  {
    g_autofree char *label = g_strdup_printf (_("New %s"), kehu_module_get_singular (self->module));
    gtk_widget_set_tooltip_text (self->new_button, label);
  }
  /* What the user's roles allow (everything for a super administrator). */
  if (kehu_context_get_user_id (context) != NULL)
    self->perm = kehu_perm_load (get_store (self), kehu_context_get_user_id (context), NULL);
  /* The data scope hides what the user may not read; the pool is everyone's
   * and products are reference data. */
  if (self->perm != NULL && !kehu_perm_sees_all (self->perm) && !is_pool (self) &&
      kehu_module_lookup_field (self->module, "owner_id") != NULL &&
      g_strcmp0 (kehu_module_get_name (self->module), "products") != 0)
    {
      g_autofree char *owners = kehu_perm_get_owner_ids_json (self->perm);
      kehu_record_model_set_scope (self->model, owners, kehu_context_get_user_id (context));
    }
  gtk_widget_set_visible (self->new_button, !is_pool (self) && is_allowed (self, "list.new"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "list.new", !is_pool (self) && is_allowed (self, "list.new"));

  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
  apply_query (self);
  return self;
}

const char *
kehu_record_list_view_get_page (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return self->page;
}

const char *
kehu_record_list_view_get_module (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return kehu_module_get_name (self->module);
}

KehuRecordModel *
kehu_record_list_view_get_model (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return self->model;
}

GtkSelectionModel *
kehu_record_list_view_get_selection (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

GtkColumnView *
kehu_record_list_view_get_column_view (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return self->column_view;
}

char **
kehu_record_list_view_dup_columns (KehuRecordListView *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);

  for (guint i = 0; i < self->columns->len; i++)
    {
      GtkColumnViewColumn *column = g_ptr_array_index (self->columns, i);
      if (gtk_column_view_column_get_visible (column))
        g_strv_builder_add (builder, column_field (column)->name);
    }
  return g_strv_builder_end (builder);
}

void
kehu_record_list_view_set_columns (KehuRecordListView *self,
                                   const char * const *fields)
{
  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  order_columns (self, fields);
  save_columns (self);
  rebuild_columns_popover (self);
  update_state (self);
}

void
kehu_record_list_view_add_filter (KehuRecordListView *self,
                                  const char         *field,
                                  KehuFilterOp        op,
                                  const char * const *values)
{
  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  kehu_list_query_add_filter (self->query, field, op, values);
  apply_query (self);
}

void
kehu_record_list_view_clear_filters (KehuRecordListView *self)
{
  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  kehu_list_query_clear_filters (self->query);
  if (gtk_drop_down_get_selected (self->scene_dropdown) != 0)
    gtk_drop_down_set_selected (self->scene_dropdown, 0);  /* applies */
  else
    apply_query (self);
}

guint
kehu_record_list_view_get_n_scenes (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), 0);
  return self->scenes->len;
}

const char *
kehu_record_list_view_get_scene_name (KehuRecordListView *self,
                                      guint               index)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  g_return_val_if_fail (index < self->scenes->len, NULL);
  return ((Scene *) g_ptr_array_index (self->scenes, index))->name;
}

void
kehu_record_list_view_select_scene (KehuRecordListView *self,
                                    guint               index)
{
  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  if (gtk_drop_down_get_selected (self->scene_dropdown) == index)
    on_scene_selected_cb (self);
  else
    gtk_drop_down_set_selected (self->scene_dropdown, index);
}

gboolean
kehu_record_list_view_save_scene (KehuRecordListView  *self,
                                  const char          *name,
                                  GError             **error)
{
  g_autofree char *filters = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now = kehu_context_now_string (self->context);
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));
  g_auto(GStrv) columns = kehu_record_list_view_dup_columns (self);
  g_autofree char *columns_json = NULL;
  KehuStore *store = get_store (self);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), FALSE);

  if (*stripped == '\0')
    {
      g_set_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_REQUIRED, _("The scene needs a name"));
      return FALSE;
    }
  filters = kehu_list_query_filters_to_json (self->query);
  {
    g_autoptr(GString) json = g_string_new ("[");
    for (guint i = 0; columns[i]; i++)
      g_string_append_printf (json, "%s\"%s\"", i ? "," : "", columns[i]);
    g_string_append_c (json, ']');
    columns_json = g_string_free (g_steal_pointer (&json), FALSE);
  }

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store),
                           "INSERT INTO scenes (id, created_at, updated_at, module, name, owner_id, filter, columns, position)"
                           " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7,"
                           " (SELECT coalesce (max (position), 0) + 1 FROM scenes WHERE module = ?3))",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, self->page, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, stripped, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, kehu_context_get_user_id (self->context), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, filters, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, columns_json, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);

  g_signal_handlers_block_by_func (self->scene_dropdown, on_scene_selected_cb, self);
  load_scenes (self);
  gtk_drop_down_set_selected (self->scene_dropdown, self->scenes->len - 1);
  g_signal_handlers_unblock_by_func (self->scene_dropdown, on_scene_selected_cb, self);
  return TRUE;
}

void
kehu_record_list_view_set_now (KehuRecordListView *self,
                               GDateTime          *now)
{
  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  kehu_record_model_set_now (self->model, now);
  apply_query (self);
}

void
kehu_record_list_view_reload (KehuRecordListView *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) money = NULL;

  g_return_if_fail (KEHU_IS_RECORD_LIST_VIEW (self));

  money = visible_money_fields (self);
  kehu_record_model_set_total_fields (self->model, (const char * const *) money);
  if (!kehu_record_model_reload (self->model, &error))
    show_error (self, error->message);
  update_state (self);
}

const char *
kehu_record_list_view_get_count_text (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return self->count_text;
}

const char *
kehu_record_list_view_get_totals_text (KehuRecordListView *self)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), NULL);
  return self->totals_text;
}

gboolean
kehu_record_list_view_get_total (KehuRecordListView *self,
                                 const char         *field,
                                 gint64             *sum)
{
  g_return_val_if_fail (KEHU_IS_RECORD_LIST_VIEW (self), FALSE);
  return kehu_record_model_sum (self->model, field, sum, NULL);
}

GPtrArray *
kehu_record_list_view_dup_selected_ids (KehuRecordListView *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  GtkBitsetIter iter;
  guint position;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (n_items > 0 && gtk_bitset_get_size (selected) == n_items)
    {
      /* Everything (Ctrl+A): ask SQL rather than page through each row. */
      g_autoptr(GPtrArray) all = kehu_record_model_dup_all_ids (self->model, NULL);
      if (all != NULL)
        {
          g_ptr_array_unref (ids);
          return g_steal_pointer (&all);
        }
    }

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(KehuRecordItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), position);
      if (item != NULL)
        g_ptr_array_add (ids, g_strdup (kehu_record_item_get_id (item)));
    }
  return ids;
}

/* For tests (kehu-record-list-view-private.h). */

GtkWidget *
_kehu_record_list_view_get_columns_popover (KehuRecordListView *self)
{
  return gtk_menu_button_get_popover (self->columns_button) ? GTK_WIDGET (gtk_menu_button_get_popover (self->columns_button)) : NULL;
}

GtkEditable *
_kehu_record_list_view_get_search_entry (KehuRecordListView *self)
{
  return GTK_EDITABLE (self->search_entry);
}

GtkDropDown *
_kehu_record_list_view_get_scene_dropdown (KehuRecordListView *self)
{
  return self->scene_dropdown;
}

gboolean
_kehu_record_list_view_choose_filter_field (KehuRecordListView *self,
                                            const char         *field)
{
  for (guint i = 0; i < self->filter_fields->len; i++)
    if (g_strcmp0 (((const KehuField *) g_ptr_array_index (self->filter_fields, i))->name, field) == 0)
      {
        gtk_drop_down_set_selected (self->filter_field, i);
        on_filter_field_changed_cb (self);
        gtk_drop_down_set_selected (self->filter_op, 0);
        on_filter_op_changed_cb (self);
        return TRUE;
      }
  return FALSE;
}

GtkWidget *
_kehu_record_list_view_get_filter_choices (KehuRecordListView *self)
{
  return GTK_WIDGET (self->filter_choices);
}

void
_kehu_record_list_view_add_filter_from_popover (KehuRecordListView *self)
{
  on_filter_add_cb (self);
}

AdwToast *
_kehu_record_list_view_get_last_toast (KehuRecordListView *self)
{
  return g_object_get_data (G_OBJECT (self), "kehu-last-toast");
}
