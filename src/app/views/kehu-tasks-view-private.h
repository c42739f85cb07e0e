/* kehu-tasks-view-private.h: what the UI tests reach into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-tasks-view.h"

G_BEGIN_DECLS

GtkListBox *_kehu_tasks_view_get_task_list     (KehuTasksView *self);
GtkListBox *_kehu_tasks_view_get_schedule_list (KehuTasksView *self);
GtkWidget  *_kehu_tasks_view_get_new_task_row  (KehuTasksView *self);
GtkWidget  *_kehu_tasks_view_get_pane          (KehuTasksView *self);
void        _kehu_tasks_view_show_tab          (KehuTasksView *self,
                                                const char    *name);

G_END_DECLS
