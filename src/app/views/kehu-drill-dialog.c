/* kehu-drill-dialog.c: the records behind a figure
 *
 * Every dashboard and report figure carries the filter of the records it
 * counts (kehu-report.h). Until the list pages can take such a filter,
 * drill-down shows them here: title, owner and amount, newest first as
 * kehu_report_drill_ids() gives them; activating a row (click or Enter)
 * opens the record through "win.open-record" (module, id).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-views"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-dashboard-data.h"
#include "kehu-drill-dialog.h"
#include "kehu-report.h"
#include "kehu-view-util.h"

struct _KehuDrillDialog
{
  AdwWindow   parent_instance;

  GtkWindow  *parent;
  char       *module;
  GPtrArray  *ids;
  GPtrArray  *titles;
  GtkListBox *list;
  AdwWindowTitle *title;
};

G_DEFINE_FINAL_TYPE (KehuDrillDialog, kehu_drill_dialog, ADW_TYPE_WINDOW)

/* The window's title per module. */
typedef struct
{
  const char *module;
  const char *label;   /* translatable */
} ModuleLabel;

static const ModuleLabel module_labels[] = {
  { "leads", N_("Leads") },
  { "customers", N_("Customers") },
  { "contacts", N_("Contacts") },
  { "opportunities", N_("Opportunities") },
  { "contracts", N_("Contracts") },
  { "payments", N_("Payments") },
  { "payment_plans", N_("Payment Plans") },
  { "followups", N_("Follow-ups") },
  { "tasks", N_("Tasks") },
  { "approval_instances", N_("Approvals") },
};

static const char *
module_label (const char *module)
{
  for (guint i = 0; i < G_N_ELEMENTS (module_labels); i++)
    if (g_strcmp0 (module_labels[i].module, module) == 0)
      return _(module_labels[i].label);
  return module;
}

static void
on_row_activated_cb (KehuDrillDialog *self,
                     GtkListBoxRow   *row)
{
  guint index = (guint) gtk_list_box_row_get_index (row);
  GtkWidget *target = self->parent ? GTK_WIDGET (self->parent) : GTK_WIDGET (self);

  if (index < self->ids->len)
    kehu_view_open_record (target, self->module, g_ptr_array_index (self->ids, index));
}

static GtkWidget *
create_row (const char *title,
            const char *owner,
            gboolean    has_amount,
            gint64      amount)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), owner ? owner : _("No owner"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  if (has_amount)
    {
      g_autofree char *text = kehu_view_format_money_exact (amount);
      GtkWidget *label = gtk_label_new (text);

      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  return row;
}

static gboolean
load (KehuDrillDialog *self,
      KehuStore       *store,
      JsonNode        *drill,
      GError         **error)
{
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *subtitle = NULL;
  guint shown;

  if (!kehu_record_summary_knows (self->module))
    {
      g_set_error (error, KEHU_REPORT_ERROR, KEHU_REPORT_ERROR_INVALID,
                   _("Records of “%s” cannot be listed"), self->module);
      return FALSE;
    }

  /* One more than shown, to tell whether there are more. */
  ids = kehu_report_drill_ids (store, drill, KEHU_DRILL_DIALOG_LIMIT + 1, error);
  if (ids == NULL)
    return FALSE;
  shown = MIN (ids->len, KEHU_DRILL_DIALOG_LIMIT);

  for (guint i = 0; i < shown; i++)
    {
      g_autoptr(KehuRecordSummary) summary = NULL;

      summary = kehu_record_summary_load (store, self->module, g_ptr_array_index (ids, i), error);
      if (summary == NULL)
        return FALSE;
      g_ptr_array_add (self->ids, g_strdup (summary->id));
      g_ptr_array_add (self->titles, g_strdup (summary->title));
      gtk_list_box_append (self->list, create_row (summary->title, summary->owner,
                                                   summary->has_amount, summary->amount));
    }

  if (ids->len > KEHU_DRILL_DIALOG_LIMIT)
    subtitle = g_strdup_printf (_("The first %u records"), KEHU_DRILL_DIALOG_LIMIT);
  else
    subtitle = g_strdup_printf (ngettext ("%u record", "%u records", shown), shown);
  adw_window_title_set_subtitle (self->title, subtitle);
  return TRUE;
}

static void
kehu_drill_dialog_dispose (GObject *object)
{
  KehuDrillDialog *self = KEHU_DRILL_DIALOG (object);

  g_clear_weak_pointer (&self->parent);
  G_OBJECT_CLASS (kehu_drill_dialog_parent_class)->dispose (object);
}

static void
kehu_drill_dialog_finalize (GObject *object)
{
  KehuDrillDialog *self = KEHU_DRILL_DIALOG (object);

  g_free (self->module);
  g_ptr_array_unref (self->ids);
  g_ptr_array_unref (self->titles);
  G_OBJECT_CLASS (kehu_drill_dialog_parent_class)->finalize (object);
}

static void
kehu_drill_dialog_class_init (KehuDrillDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_drill_dialog_dispose;
  object_class->finalize = kehu_drill_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kehu_drill_dialog_init (KehuDrillDialog *self)
{
  GtkWidget *box, *header, *title, *scrolled, *clamp;

  self->ids = g_ptr_array_new_with_free_func (g_free);
  self->titles = g_ptr_array_new_with_free_func (g_free);

  gtk_window_set_default_size (GTK_WINDOW (self), 560, 520);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = adw_window_title_new ("", NULL);
  self->title = ADW_WINDOW_TITLE (title);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated_cb),
                           self, G_CONNECT_SWAPPED);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  gtk_widget_set_margin_top (clamp, 12);
  gtk_widget_set_margin_bottom (clamp, 12);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->list));

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_box_append (GTK_BOX (box), scrolled);

  adw_window_set_content (ADW_WINDOW (self), box);
}

/**
 * kehu_drill_dialog_new:
 * @module: the module of the records (the drill filter's "module")
 * @filter_json: the drill filter as kehu-report gives it
 *
 * Returns: (transfer none): a dialog listing the records, not yet shown
 *   (owned by GTK like every toplevel), or %NULL with @error set when the
 *   filter is not understood
 */
KehuDrillDialog *
kehu_drill_dialog_new (GtkWindow   *parent,
                       KehuStore   *store,
                       const char  *module,
                       const char  *filter_json,
                       GError     **error)
{
  KehuDrillDialog *self;
  g_autoptr(JsonNode) drill = NULL;
  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);
  g_return_val_if_fail (module != NULL, NULL);
  g_return_val_if_fail (filter_json != NULL, NULL);

  drill = json_from_string (filter_json, error);
  if (drill == NULL)
    return NULL;

  self = g_object_new (KEHU_TYPE_DRILL_DIALOG, NULL);
  self->module = g_strdup (module);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      g_set_weak_pointer (&self->parent, parent);
    }
  adw_window_title_set_title (self->title, module_label (module));
  gtk_window_set_title (GTK_WINDOW (self), module_label (module));

  if (!load (self, store, drill, error))
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return NULL;
    }
  return self;
}

const char *
kehu_drill_dialog_get_module (KehuDrillDialog *self)
{
  g_return_val_if_fail (KEHU_IS_DRILL_DIALOG (self), NULL);
  return self->module;
}

GPtrArray *
kehu_drill_dialog_get_ids (KehuDrillDialog *self)
{
  g_return_val_if_fail (KEHU_IS_DRILL_DIALOG (self), NULL);
  return self->ids;
}

const char *
kehu_drill_dialog_get_title (KehuDrillDialog *self,
                             guint            index)
{
  g_return_val_if_fail (KEHU_IS_DRILL_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->titles->len, NULL);
  return g_ptr_array_index (self->titles, index);
}
