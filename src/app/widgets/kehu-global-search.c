/* kehu-global-search.c: search every module from the header bar
 *
 * A search entry whose results, grouped by module, drop down under it as
 * the user types. GtkSearchEntry already waits 150 ms after the last key
 * before "search-changed"; the search itself is the core's FTS5 query
 * with a small limit per module, fast enough for the main thread (the
 * benchmark measures it on a million customers). Enter, or a click, opens
 * the record through "win.open-record".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-search"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-global-search.h"
#include "kehu-record-editor.h"
#include "kehu-schema.h"
#include "kehu-search.h"

#define LIMIT_PER_MODULE 5

struct _KehuGlobalSearch
{
  GtkWidget       parent_instance;

  KehuContext    *context;
  GtkWidget      *entry;
  GtkWidget      *popover;
  GtkWidget      *list;
  GtkWidget      *status;
  GPtrArray      *hits;      /* KehuSearchHit* */
  gint64          last_duration;
};

G_DEFINE_FINAL_TYPE (KehuGlobalSearch, kehu_global_search, GTK_TYPE_WIDGET)

static const struct { const char *module; const char *title; } module_titles[] = {
  { "leads", N_("Leads") },
  { "customers", N_("Customers") },
  { "contacts", N_("Contacts") },
  { "opportunities", N_("Opportunities") },
  { "contracts", N_("Contracts") },
  { "payments", N_("Payments") },
  { "invoices", N_("Invoices") },
  { "products", N_("Products") },
};

static const char *
module_title (const char *module)
{
  for (guint i = 0; i < G_N_ELEMENTS (module_titles); i++)
    if (g_strcmp0 (module_titles[i].module, module) == 0)
      return _(module_titles[i].title);
  return module;
}

static void
header_func (GtkListBoxRow *row,
             GtkListBoxRow *before,
             gpointer       user_data)
{
  const char *module = g_object_get_data (G_OBJECT (row), "kehu-module");
  const char *prev = before ? g_object_get_data (G_OBJECT (before), "kehu-module") : NULL;

  if (g_strcmp0 (module, prev) != 0)
    {
      GtkWidget *label = gtk_label_new (module_title (module));

      gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_top (label, before ? 12 : 6);
      gtk_widget_set_margin_bottom (label, 3);
      gtk_list_box_row_set_header (row, label);
    }
  else
    gtk_list_box_row_set_header (row, NULL);
}

static gboolean
open_hit (KehuGlobalSearch *self,
          guint             index)
{
  KehuSearchHit *hit;
  gboolean ok;

  if (index >= self->hits->len)
    return FALSE;
  hit = g_ptr_array_index (self->hits, index);
  ok = gtk_widget_activate_action (GTK_WIDGET (self), "win.open-record", "(ss)", hit->module, hit->id);
  if (!ok && self->context != NULL)
    {
      /* No detail pages in this build: the editor shows the record. */
      KehuRecordEditor *editor = kehu_record_editor_new (self->context, hit->module, hit->id);
      gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
      gtk_window_present (GTK_WINDOW (editor));
      ok = TRUE;
    }
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  return ok;
}

static void
on_row_activated_cb (KehuGlobalSearch *self,
                     GtkListBoxRow    *row)
{
  open_hit (self, (guint) gtk_list_box_row_get_index (row));
}

static void
show_results (KehuGlobalSearch *self,
              const char       *text)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), child);

  for (guint i = 0; i < self->hits->len; i++)
    {
      KehuSearchHit *hit = g_ptr_array_index (self->hits, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *title = gtk_label_new (hit->title);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (box), title);
      if (hit->subtitle && *hit->subtitle)
        {
          GtkWidget *sub = gtk_label_new (hit->subtitle);
          gtk_label_set_xalign (GTK_LABEL (sub), 0.0f);
          gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
          gtk_widget_add_css_class (sub, "caption");
          gtk_widget_add_css_class (sub, "dim-label");
          gtk_box_append (GTK_BOX (box), sub);
        }
      gtk_widget_set_margin_start (box, 6);
      gtk_widget_set_margin_end (box, 6);
      gtk_widget_set_margin_top (box, 4);
      gtk_widget_set_margin_bottom (box, 4);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      g_object_set_data_full (G_OBJECT (row), "kehu-module", g_strdup (hit->module), g_free);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
    }

  if (self->hits->len == 0)
    {
      g_autofree char *message = g_strdup_printf (_("Nothing found for “%s”"), text);
      gtk_label_set_text (GTK_LABEL (self->status), message);
    }
  gtk_widget_set_visible (self->status, self->hits->len == 0);
  gtk_widget_set_visible (gtk_widget_get_parent (self->list), self->hits->len > 0);

  if (self->hits->len > 0)
    gtk_list_box_select_row (GTK_LIST_BOX (self->list), gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->list), 0));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_popover_popup (GTK_POPOVER (self->popover));
}

void
kehu_global_search_run (KehuGlobalSearch *self,
                        const char       *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  gint64 start;

  g_return_if_fail (KEHU_IS_GLOBAL_SEARCH (self));

  g_ptr_array_set_size (self->hits, 0);
  if (*stripped == '\0' || self->context == NULL)
    {
      gtk_popover_popdown (GTK_POPOVER (self->popover));
      return;
    }

  start = g_get_monotonic_time ();
  {
    g_autoptr(GPtrArray) hits = kehu_search_global (kehu_context_get_store (self->context), stripped, LIMIT_PER_MODULE, &error);

    if (hits == NULL)
      g_warning ("Search failed: %s", error->message);
    else
      for (guint i = 0; i < hits->len; i++)
        g_ptr_array_add (self->hits, g_ptr_array_steal_index (hits, i--));
  }
  self->last_duration = g_get_monotonic_time () - start;
  g_debug ("Search for “%s”: %u results in %" G_GINT64_FORMAT " µs", stripped, self->hits->len, self->last_duration);

  /* Group by module in the sidebar's order. */
  {
    g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) kehu_search_hit_free);
    for (guint m = 0; m < G_N_ELEMENTS (module_titles); m++)
      for (guint i = 0; i < self->hits->len; i++)
        {
          KehuSearchHit *hit = g_ptr_array_index (self->hits, i);
          if (hit != NULL && g_strcmp0 (hit->module, module_titles[m].module) == 0)
            {
              g_ptr_array_add (sorted, hit);
              self->hits->pdata[i] = NULL;
            }
        }
    for (guint i = 0; i < self->hits->len; i++)
      if (self->hits->pdata[i] != NULL)
        g_ptr_array_add (sorted, g_steal_pointer (&self->hits->pdata[i]));
    g_ptr_array_set_size (self->hits, 0);
    for (guint i = 0; i < sorted->len; i++)
      g_ptr_array_add (self->hits, g_steal_pointer (&sorted->pdata[i]));
  }

  show_results (self, stripped);
}

static void
on_search_changed_cb (KehuGlobalSearch *self)
{
  kehu_global_search_run (self, gtk_editable_get_text (GTK_EDITABLE (self->entry)));
}

static void
on_activate_cb (KehuGlobalSearch *self)
{
  kehu_global_search_activate (self);
}

static void
on_stop_search_cb (KehuGlobalSearch *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  gtk_popover_popdown (GTK_POPOVER (self->popover));
}

static void
move_selection (KehuGlobalSearch *self,
                int               delta)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (GTK_LIST_BOX (self->list));
  int index = row ? gtk_list_box_row_get_index (row) + delta : 0;

  if (index < 0 || index >= (int) self->hits->len)
    return;
  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (self->list), index);
  gtk_list_box_select_row (GTK_LIST_BOX (self->list), row);
}

static gboolean
on_key_pressed_cb (KehuGlobalSearch      *self,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down)
    {
      move_selection (self, 1);
      return TRUE;
    }
  if (keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up)
    {
      move_selection (self, -1);
      return TRUE;
    }
  return FALSE;
}

static void
kehu_global_search_dispose (GObject *object)
{
  KehuGlobalSearch *self = (KehuGlobalSearch *)object;

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  g_clear_pointer (&self->entry, gtk_widget_unparent);

  G_OBJECT_CLASS (kehu_global_search_parent_class)->dispose (object);
}

static void
kehu_global_search_finalize (GObject *object)
{
  KehuGlobalSearch *self = (KehuGlobalSearch *)object;

  g_clear_pointer (&self->hits, g_ptr_array_unref);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (kehu_global_search_parent_class)->finalize (object);
}

static void
kehu_global_search_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  KehuGlobalSearch *self = KEHU_GLOBAL_SEARCH (widget);

  gtk_widget_allocate (self->entry, width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
kehu_global_search_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  gtk_widget_measure (KEHU_GLOBAL_SEARCH (widget)->entry, orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static gboolean
kehu_global_search_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (KEHU_GLOBAL_SEARCH (widget)->entry);
}

static void
kehu_global_search_class_init (KehuGlobalSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_global_search_dispose;
  object_class->finalize = kehu_global_search_finalize;
  widget_class->size_allocate = kehu_global_search_size_allocate;
  widget_class->measure = kehu_global_search_measure;
  widget_class->grab_focus = kehu_global_search_grab_focus;
  gtk_widget_class_set_css_name (widget_class, "kehuglobalsearch");
}

static void
kehu_global_search_init (KehuGlobalSearch *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->hits = g_ptr_array_new_with_free_func ((GDestroyNotify) kehu_search_hit_free);

  self->entry = gtk_search_entry_new ();
  g_object_set (self->entry,
                "placeholder-text", _("Search everything (Ctrl+F)"),
                "width-chars", 16,
                "max-width-chars", 16,
                NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search all records"), -1);
  gtk_widget_set_parent (self->entry, GTK_WIDGET (self));
  g_signal_connect_swapped (self->entry, "search-changed", G_CALLBACK (on_search_changed_cb), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (on_activate_cb), self);
  g_signal_connect_swapped (self->entry, "stop-search", G_CALLBACK (on_stop_search_cb), self);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_key_pressed_cb), self);
  gtk_widget_add_controller (self->entry, keys);

  self->list = gtk_list_box_new ();
  gtk_list_box_set_header_func (GTK_LIST_BOX (self->list), header_func, NULL, NULL);
  gtk_widget_add_css_class (self->list, "navigation-sidebar");
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search results"), -1);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 480);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->list);
  gtk_widget_set_size_request (scrolled, 320, -1);

  self->status = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_set_margin_top (self->status, 12);
  gtk_widget_set_margin_bottom (self->status, 12);
  gtk_widget_set_margin_start (self->status, 12);
  gtk_widget_set_margin_end (self->status, 12);

  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_box_append (GTK_BOX (box), self->status);

  self->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->popover), box);
  gtk_popover_set_autohide (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), FALSE);
  gtk_popover_set_position (GTK_POPOVER (self->popover), GTK_POS_BOTTOM);
  gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
}

GtkWidget *
kehu_global_search_new (void)
{
  return g_object_new (KEHU_TYPE_GLOBAL_SEARCH, NULL);
}

void
kehu_global_search_set_context (KehuGlobalSearch *self,
                                KehuContext      *context)
{
  g_return_if_fail (KEHU_IS_GLOBAL_SEARCH (self));
  g_set_object (&self->context, context);
}

GtkEditable *
kehu_global_search_get_entry (KehuGlobalSearch *self)
{
  g_return_val_if_fail (KEHU_IS_GLOBAL_SEARCH (self), NULL);
  return GTK_EDITABLE (self->entry);
}

guint
kehu_global_search_get_n_results (KehuGlobalSearch *self)
{
  g_return_val_if_fail (KEHU_IS_GLOBAL_SEARCH (self), 0);
  return self->hits->len;
}

const char *
kehu_global_search_get_result (KehuGlobalSearch  *self,
                               guint              index,
                               const char       **module)
{
  KehuSearchHit *hit;

  g_return_val_if_fail (KEHU_IS_GLOBAL_SEARCH (self), NULL);
  g_return_val_if_fail (index < self->hits->len, NULL);

  hit = g_ptr_array_index (self->hits, index);
  if (module)
    *module = hit->module;
  return hit->id;
}

gboolean
kehu_global_search_activate (KehuGlobalSearch *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (KEHU_IS_GLOBAL_SEARCH (self), FALSE);

  row = gtk_list_box_get_selected_row (GTK_LIST_BOX (self->list));
  return open_hit (self, row ? (guint) gtk_list_box_row_get_index (row) : 0);
}

gint64
kehu_global_search_get_last_duration (KehuGlobalSearch *self)
{
  g_return_val_if_fail (KEHU_IS_GLOBAL_SEARCH (self), 0);
  return self->last_duration;
}
