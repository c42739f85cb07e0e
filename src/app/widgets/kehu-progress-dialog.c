/* kehu-progress-dialog.c: a small window for long work, with a Cancel button
 *
 * Shown over the main window while a worker thread runs (the list export):
 * a title, a progress bar saying "1,234 of 5,000 rows", and Cancel, which
 * (like closing the window) cancels the work's GCancellable. The caller
 * destroys the window when the work has ended either way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-progress-dialog.h"

struct _KehuProgressDialog
{
  AdwWindow       parent_instance;

  GtkLabel       *title;
  GtkProgressBar *bar;
  GtkButton      *cancel_button;
  GCancellable   *cancellable;
  gint64          done;
  gint64          total;
};

G_DEFINE_FINAL_TYPE (KehuProgressDialog, kehu_progress_dialog, ADW_TYPE_WINDOW)

static void
cancel_clicked_cb (KehuProgressDialog *self)
{
  kehu_progress_dialog_cancel (self);
}

static gboolean
kehu_progress_dialog_close_request (GtkWindow *window)
{
  KehuProgressDialog *self = KEHU_PROGRESS_DIALOG (window);

  /* Closing means cancel; the owner destroys the window once the work
   * has stopped, so nothing is left half done behind it. */
  kehu_progress_dialog_cancel (self);
  return TRUE;
}

static void
kehu_progress_dialog_dispose (GObject *object)
{
  KehuProgressDialog *self = KEHU_PROGRESS_DIALOG (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (kehu_progress_dialog_parent_class)->dispose (object);
}

static void
kehu_progress_dialog_class_init (KehuProgressDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kehu_progress_dialog_dispose;
  window_class->close_request = kehu_progress_dialog_close_request;
}

static void
kehu_progress_dialog_init (KehuProgressDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);

  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "title-4");
  gtk_label_set_wrap (self->title, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->title));

  self->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->bar, TRUE);
  gtk_progress_bar_set_text (self->bar, _("Starting…"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->bar));

  self->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Cancel")));
  gtk_widget_set_halign (GTK_WIDGET (self->cancel_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->cancel_button), "pill");
  g_signal_connect_object (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->cancel_button));

  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_window_set_default_size (GTK_WINDOW (self), 360, -1);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
}

/**
 * kehu_progress_dialog_new:
 * @parent: (nullable): the window it stands over
 * @title: what is being done, e.g. "Exporting Customers"
 * @cancellable: cancelled by the Cancel button or by closing the window
 */
KehuProgressDialog *
kehu_progress_dialog_new (GtkWindow    *parent,
                          const char   *title,
                          GCancellable *cancellable)
{
  KehuProgressDialog *self = g_object_new (KEHU_TYPE_PROGRESS_DIALOG, NULL);

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_label_set_text (self->title, title);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  return self;
}

void
kehu_progress_dialog_set_progress (KehuProgressDialog *self,
                                   gint64              done,
                                   gint64              total)
{
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (KEHU_IS_PROGRESS_DIALOG (self));

  if (done == self->done && total == self->total)
    return;
  self->done = done;
  self->total = total;
  done_text = g_strdup_printf ("%'" G_GINT64_FORMAT, done);
  total_text = g_strdup_printf ("%'" G_GINT64_FORMAT, total);
  if (total > 0)
    {
      gtk_progress_bar_set_fraction (self->bar, CLAMP ((double) done / (double) total, 0.0, 1.0));
      /* TRANSLATORS: progress of an export: "1,234 of 5,000 rows" */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s row", "%s of %s rows", (gulong) total),
                              done_text, total_text);
    }
  else
    {
      gtk_progress_bar_pulse (self->bar);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s row", "%s rows", (gulong) done), done_text);
    }
  gtk_progress_bar_set_text (self->bar, text);
}

void
kehu_progress_dialog_cancel (KehuProgressDialog *self)
{
  g_return_if_fail (KEHU_IS_PROGRESS_DIALOG (self));

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_progress_bar_set_text (self->bar, _("Cancelling…"));
}

GtkProgressBar *
kehu_progress_dialog_get_bar (KehuProgressDialog *self)
{
  g_return_val_if_fail (KEHU_IS_PROGRESS_DIALOG (self), NULL);
  return self->bar;
}
