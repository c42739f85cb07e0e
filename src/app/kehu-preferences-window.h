/* kehu-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KEHU_TYPE_PREFERENCES_WINDOW (kehu_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (KehuPreferencesWindow, kehu_preferences_window, KEHU, PREFERENCES_WINDOW, AdwPreferencesWindow)

KehuPreferencesWindow *kehu_preferences_window_new (GSettings *settings);

gboolean               kehu_server_url_is_valid    (const char  *url,
                                                    GError     **error);

G_END_DECLS
