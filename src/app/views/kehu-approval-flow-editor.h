/* kehu-approval-flow-editor.h: define approval flows (Settings, administrators)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TYPE_APPROVAL_FLOW_EDITOR (kehu_approval_flow_editor_get_type ())

G_DECLARE_FINAL_TYPE (KehuApprovalFlowEditor, kehu_approval_flow_editor, KEHU, APPROVAL_FLOW_EDITOR, GtkWidget)

/* The list of flows and an editor of one; `user_id` is the administrator
 * (for the operation log). Place it in the Settings page. Its Save and
 * Delete emit ::save-flow and ::delete-flow first: a handler returning
 * TRUE takes the change (to a server's route). */
GtkWidget *kehu_approval_flow_editor_new              (KehuStore              *store,
                                                       const char             *user_id);
/* Starts a new flow (empty, business type contract). */
void       kehu_approval_flow_editor_new_flow         (KehuApprovalFlowEditor *self);
gboolean   kehu_approval_flow_editor_load             (KehuApprovalFlowEditor *self,
                                                       const char             *flow_id);
/* Fills the form from a flow JSON. Steps are serial, parallel (all/any) or
 * a condition whose branches are one serial step each (or empty): what
 * the simple editor can show; FALSE when the flow has more than that. */
gboolean   kehu_approval_flow_editor_set_definition   (KehuApprovalFlowEditor *self,
                                                       JsonNode               *definition);
/* The flow JSON the form describes now. */
JsonNode  *kehu_approval_flow_editor_dup_definition   (KehuApprovalFlowEditor *self);
/* Validates each step (its error shown beside it) and the whole flow, and
 * saves it; returns the flow id or NULL with the error (also shown). */
char      *kehu_approval_flow_editor_save             (KehuApprovalFlowEditor *self,
                                                       GError                **error);
guint      kehu_approval_flow_editor_get_n_steps      (KehuApprovalFlowEditor *self);
/* The error shown beside step `index` (from 0), or NULL. */
const char *kehu_approval_flow_editor_get_step_error  (KehuApprovalFlowEditor *self,
                                                       guint                   index);

G_END_DECLS
