/* kehu-tasks-view.h: my tasks and schedules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-core.h"

G_BEGIN_DECLS

#define KEHU_TYPE_TASKS_VIEW (kehu_tasks_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuTasksView, kehu_tasks_view, KEHU, TASKS_VIEW, GtkWidget)

KehuTasksView *kehu_tasks_view_new         (KehuStore     *store);
void           kehu_tasks_view_set_user_id (KehuTasksView *self,
                                            const char    *user_id);
void           kehu_tasks_view_reload      (KehuTasksView *self);
void           kehu_tasks_view_select_task (KehuTasksView *self,
                                            const char    *task_id);

G_END_DECLS
