/* kehu-conflicts-window.c: sync conflicts, mine and the server's side by side
 *
 * One row per conflicting field: the value kept on this computer and the
 * server's (which the record now shows), and "Keep Mine" / "Keep Theirs".
 * Keeping mine is an ordinary change queued for the server on top of the
 * server's current rev (kehu_sync_resolve_conflict()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-conflicts-window.h"
#include "kehu-sync.h"

struct _KehuConflictsWindow
{
  AdwWindow      parent_instance;

  KehuContext   *ctx;
  GtkWidget     *list;      /* GtkBox of rows */
  GtkWidget     *empty;
  AdwToastOverlay *toasts;
  guint          count;
};

G_DEFINE_FINAL_TYPE (KehuConflictsWindow, kehu_conflicts_window, ADW_TYPE_WINDOW)

/* A stored JSON value as a person reads it. */
static char *
display_value (const char *json)
{
  g_autoptr(JsonNode) node = json ? json_from_string (json, NULL) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup (_("(empty)"));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? _("Yes") : _("No"));
  return json_to_string (node, FALSE);
}

static gboolean
reload_idle_cb (gpointer data)
{
  kehu_conflicts_window_reload (data);
  return G_SOURCE_REMOVE;
}

static void
resolve (KehuConflictsWindow *self,
         GtkWidget           *button,
         gboolean             keep_mine)
{
  const char *id = g_object_get_data (G_OBJECT (button), "conflict-id");
  g_autoptr(GError) error = NULL;

  if (!kehu_sync_resolve_conflict (self->ctx, id, keep_mine, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
  /* Not from inside the clicked button's own handler: the reload destroys it. */
  gtk_widget_set_sensitive (gtk_widget_get_parent (button), FALSE);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, reload_idle_cb, g_object_ref (self), g_object_unref);
}

static void
on_keep_mine_clicked_cb (GtkWidget           *button,
                         KehuConflictsWindow *self)
{
  resolve (self, button, TRUE);
}

static void
on_keep_theirs_clicked_cb (GtkWidget           *button,
                           KehuConflictsWindow *self)
{
  resolve (self, button, FALSE);
}

static GtkWidget *
value_box (const char *heading,
           const char *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (heading);
  GtkWidget *text = gtk_label_new (value);

  gtk_widget_set_hexpand (box, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "dim-label");
  gtk_widget_add_css_class (title, "caption");
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), text);
  return box;
}

static GtkWidget *
conflict_row (KehuConflictsWindow *self,
              KehuSyncConflict    *conflict)
{
  KehuSchema *schema = kehu_context_get_schema (self->ctx);
  const KehuModule *module = kehu_schema_get_module (schema, conflict->module);
  const KehuField *field = module ? kehu_module_lookup_field (module, conflict->field) : NULL;
  g_autoptr(JsonObject) record = module ? kehu_record_get (self->ctx, conflict->module, conflict->record_id, NULL) : NULL;
  const char *title_field = module ? kehu_module_get_title_field (module) : NULL;
  const char *record_title = record && title_field && json_object_has_member (record, title_field) &&
                             !json_object_get_null_member (record, title_field) &&
                             json_node_get_value_type (json_object_get_member (record, title_field)) == G_TYPE_STRING
                             ? json_object_get_string_member (record, title_field) : conflict->record_id;
  g_autofree char *heading = g_strdup_printf (_("%s “%s”: %s"),
                                              module ? kehu_schema_display_label (kehu_module_get_singular (module)) : conflict->module,
                                              record_title,
                                              field ? kehu_field_get_label (field) : conflict->field);
  g_autofree char *mine = display_value (conflict->local_value);
  g_autofree char *theirs = display_value (conflict->server_value);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *values = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (heading);
  GtkWidget *keep_mine = gtk_button_new_with_mnemonic (_("Keep _Mine"));
  GtkWidget *keep_theirs = gtk_button_new_with_mnemonic (_("Keep _Theirs"));

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (values), value_box (_("On this computer"), mine));
  gtk_box_append (GTK_BOX (values), value_box (_("On the server"), theirs));
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  g_object_set_data_full (G_OBJECT (keep_mine), "conflict-id", g_strdup (conflict->id), g_free);
  g_object_set_data_full (G_OBJECT (keep_theirs), "conflict-id", g_strdup (conflict->id), g_free);
  gtk_widget_set_name (keep_mine, "keep-mine");
  gtk_widget_set_name (keep_theirs, "keep-theirs");
  g_signal_connect_object (keep_mine, "clicked", G_CALLBACK (on_keep_mine_clicked_cb), self, 0);
  g_signal_connect_object (keep_theirs, "clicked", G_CALLBACK (on_keep_theirs_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (buttons), keep_theirs);
  gtk_box_append (GTK_BOX (buttons), keep_mine);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), values);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_frame_set_child (GTK_FRAME (frame), box);
  return frame;
}

void
kehu_conflicts_window_reload (KehuConflictsWindow *self)
{
  g_autoptr(GPtrArray) conflicts = kehu_sync_list_conflicts (kehu_context_get_store (self->ctx));
  GtkWidget *child;

  /* The focus may sit on a button of a row that goes away. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  while ((child = gtk_widget_get_first_child (self->list)) != NULL)
    gtk_box_remove (GTK_BOX (self->list), child);
  for (guint i = 0; i < conflicts->len; i++)
    gtk_box_append (GTK_BOX (self->list), conflict_row (self, g_ptr_array_index (conflicts, i)));
  self->count = conflicts->len;
  gtk_widget_set_visible (self->empty, conflicts->len == 0);
}

guint
kehu_conflicts_window_get_count (KehuConflictsWindow *self)
{
  return self->count;
}

static void
kehu_conflicts_window_dispose (GObject *object)
{
  KehuConflictsWindow *self = (KehuConflictsWindow *) object;

  g_clear_object (&self->ctx);
  G_OBJECT_CLASS (kehu_conflicts_window_parent_class)->dispose (object);
}

static void
kehu_conflicts_window_class_init (KehuConflictsWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kehu_conflicts_window_dispose;
}

static void
kehu_conflicts_window_init (KehuConflictsWindow *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *intro = gtk_label_new (_("These fields were changed both here and on the server. "
                                      "The server’s value is shown in the record until you choose."));

  gtk_window_set_title (GTK_WINDOW (self), _("Sync Conflicts"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 520);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  self->list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  self->empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->empty), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->empty), _("No Conflicts"));
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_widget_add_css_class (intro, "dim-label");
  gtk_widget_set_margin_top (column, 12);
  gtk_widget_set_margin_bottom (column, 12);
  gtk_widget_set_margin_start (column, 12);
  gtk_widget_set_margin_end (column, 12);
  gtk_box_append (GTK_BOX (column), intro);
  gtk_box_append (GTK_BOX (column), self->list);
  gtk_box_append (GTK_BOX (column), self->empty);
  adw_clamp_set_child (ADW_CLAMP (clamp), column);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), scroller);
  adw_toast_overlay_set_child (self->toasts, content);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));
}

KehuConflictsWindow *
kehu_conflicts_window_new (KehuContext *ctx)
{
  KehuConflictsWindow *self = g_object_new (KEHU_TYPE_CONFLICTS_WINDOW, NULL);

  self->ctx = g_object_ref (ctx);
  kehu_conflicts_window_reload (self);
  return self;
}
