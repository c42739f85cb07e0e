/* kehu-settings-view.h: settings and administration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-core.h"
#include "kehu-sync-client.h"

G_BEGIN_DECLS

#define KEHU_TYPE_SETTINGS_VIEW (kehu_settings_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuSettingsView, kehu_settings_view, KEHU, SETTINGS_VIEW, GtkWidget)

KehuSettingsView *kehu_settings_view_new          (KehuStore        *store);
void              kehu_settings_view_set_user_id  (KehuSettingsView *self,
                                                   const char       *user_id);
void              kehu_settings_view_reload       (KehuSettingsView *self);
void              kehu_settings_view_show_section (KehuSettingsView *self,
                                                   const char       *section);
gboolean          kehu_settings_view_is_allowed   (KehuSettingsView *self);
void              kehu_settings_view_set_sync_client (KehuSettingsView *self,
                                                      KehuSyncClient   *client);

/* For tests */
gboolean          kehu_settings_view_is_busy      (KehuSettingsView *self);
const char       *kehu_settings_view_get_banner   (KehuSettingsView *self);

/* For tests: the widget named @name in the current section. */
GtkWidget        *kehu_settings_view_find         (KehuSettingsView *self,
                                                   const char       *name);
GtkWidget        *kehu_settings_view_get_dialog   (KehuSettingsView *self);

G_END_DECLS
