/* kehu-preferences-window.c: Preferences (Ctrl+,)
 *
 * The server address is saved only when the user applies it and it is a
 * well-formed http(s) address; an empty address means local only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-preferences-window.h"

struct _KehuPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *server_row;
  GtkLabel             *server_error;
  AdwComboRow          *style_row;
};

G_DEFINE_FINAL_TYPE (KehuPreferencesWindow, kehu_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char *color_schemes[] = { "default", "light", "dark" };

gboolean
kehu_server_url_is_valid (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL || url[0] == '\0')
    return TRUE;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Enter an address that starts with http:// or https://, for example http://crm.example.com:8765"));
      return FALSE;
    }

  return TRUE;
}

static void
on_server_applied_cb (KehuPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  g_autoptr(GError) error = NULL;

  if (!kehu_server_url_is_valid (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
      gtk_label_set_label (self->server_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->server_error), TRUE);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->server_error), FALSE);
  g_settings_set_string (self->settings, "server-url", url);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (url[0] ? _("Server address saved")
                                                          : _("Kehu now works on this computer only")));
}

static void
on_style_selected_cb (KehuPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->style_row);

  if (selected < G_N_ELEMENTS (color_schemes))
    g_settings_set_string (self->settings, "color-scheme", color_schemes[selected]);
}

static void
kehu_preferences_window_dispose (GObject *object)
{
  KehuPreferencesWindow *self = (KehuPreferencesWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (kehu_preferences_window_parent_class)->dispose (object);
}

static void
kehu_preferences_window_class_init (KehuPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/kehu/Kehu/ui/kehu-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KehuPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, KehuPreferencesWindow, server_error);
  gtk_widget_class_bind_template_child (widget_class, KehuPreferencesWindow, style_row);
  gtk_widget_class_bind_template_callback (widget_class, on_server_applied_cb);
}

static void
kehu_preferences_window_init (KehuPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

KehuPreferencesWindow *
kehu_preferences_window_new (GSettings *settings)
{
  KehuPreferencesWindow *self;
  g_autofree char *url = NULL;
  g_autofree char *scheme = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (KEHU_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);

  url = g_settings_get_string (settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);

  scheme = g_settings_get_string (settings, "color-scheme");
  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    if (g_strcmp0 (scheme, color_schemes[i]) == 0)
      adw_combo_row_set_selected (self->style_row, i);

  /* Connected last, so that setting the initial value saves nothing. */
  g_signal_connect_object (self->style_row, "notify::selected",
                           G_CALLBACK (on_style_selected_cb), self,
                           G_CONNECT_SWAPPED);

  return self;
}
