/* kehu-approvals-view.h: the Approvals page (inbox, detail, actions)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-approvals.h"
#include "kehu-pages.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TYPE_APPROVALS_VIEW (kehu_approvals_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuApprovalsView, kehu_approvals_view, KEHU, APPROVALS_VIEW, GtkWidget)

/* `user_id` is who "me" is; NULL takes kehu_approvals_dup_local_user():
 * the account the store belongs to, else its super administrator (made on
 * a store without users, single-user local mode). */
GtkWidget         *kehu_approvals_view_new            (KehuStore          *store,
                                                       const char         *user_id);
/* The page factory of kehu-pages.c: the view on the application's store. */
GtkWidget         *kehu_approvals_view_create_page    (const KehuPageInfo *info);

const char        *kehu_approvals_view_get_user_id    (KehuApprovalsView  *self);
void               kehu_approvals_view_refresh        (KehuApprovalsView  *self);
KehuApprovalsBox   kehu_approvals_view_get_box        (KehuApprovalsView  *self);
void               kehu_approvals_view_set_box        (KehuApprovalsView  *self,
                                                       KehuApprovalsBox    box);
guint              kehu_approvals_view_get_count      (KehuApprovalsView  *self,
                                                       KehuApprovalsBox    box);
/* Ids of the instances listed in the current box, in order. */
GStrv              kehu_approvals_view_dup_listed     (KehuApprovalsView  *self);
/* Shows an instance in the detail pane; FALSE when it cannot be read. */
gboolean           kehu_approvals_view_select         (KehuApprovalsView  *self,
                                                       const char         *instance_id);
const char        *kehu_approvals_view_get_selected   (KehuApprovalsView  *self);
GtkWidget         *kehu_approvals_view_get_timeline   (KehuApprovalsView  *self);
/* How many instances were announced with a desktop notification as newly
 * waiting (since the view was made). */
guint              kehu_approvals_view_get_n_notified (KehuApprovalsView  *self);
/* The server refused an action made offline (the sync client's "rejected"):
 * the user is told why and the item is marked until acted on again. */
void               kehu_approvals_view_show_refusal   (KehuApprovalsView  *self,
                                                       const char         *instance_id,
                                                       const char         *message);
const char        *kehu_approvals_view_get_refusal    (KehuApprovalsView  *self,
                                                       const char         *instance_id);
/* The detail pane's line about a pending or refused action. */
GtkWidget         *kehu_approvals_view_get_sync_label (KehuApprovalsView  *self);

G_END_DECLS
