/* kehu-conflicts-window.h: sync conflicts, mine and the server's side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-record.h"

G_BEGIN_DECLS

#define KEHU_TYPE_CONFLICTS_WINDOW (kehu_conflicts_window_get_type ())

G_DECLARE_FINAL_TYPE (KehuConflictsWindow, kehu_conflicts_window, KEHU, CONFLICTS_WINDOW, AdwWindow)

/* @ctx: a context on the client cache (its changes go to the outbox) */
KehuConflictsWindow *kehu_conflicts_window_new      (KehuContext         *ctx);
void                 kehu_conflicts_window_reload   (KehuConflictsWindow *self);
guint                kehu_conflicts_window_get_count (KehuConflictsWindow *self);

G_END_DECLS
