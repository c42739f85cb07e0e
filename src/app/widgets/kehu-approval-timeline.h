/* kehu-approval-timeline.h: the approval history of a record, as steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TYPE_APPROVAL_TIMELINE (kehu_approval_timeline_get_type ())

G_DECLARE_FINAL_TYPE (KehuApprovalTimeline, kehu_approval_timeline, KEHU, APPROVAL_TIMELINE, GtkWidget)

GtkWidget *kehu_approval_timeline_new             (void);
/* Shows every approval of the record (module "contracts", "payments",
 * "invoices" or "requests"), oldest first, read from the store now;
 * returns FALSE and shows the error when it cannot be read. */
gboolean   kehu_approval_timeline_set_history     (KehuApprovalTimeline *self,
                                                   KehuStore            *store,
                                                   const char           *module,
                                                   const char           *record_id);
/* Shows instances as kehu_approvals_history() or
 * kehu_approvals_get_detail() return them (an array, or one object). */
void       kehu_approval_timeline_set_instances   (KehuApprovalTimeline *self,
                                                   JsonNode             *instances);
/* The number of steps drawn (submission and stages of every instance). */
guint      kehu_approval_timeline_get_n_steps     (KehuApprovalTimeline *self);

G_END_DECLS
