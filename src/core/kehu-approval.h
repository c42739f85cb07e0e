/* kehu-approval.h: the approval engine (pure logic: no I/O, no clock)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine takes (flow, record, state, action) and returns a new state.
 * Everything it needs from the organisation comes through a
 * KehuApprovalDirectory the caller implements (the server on its database,
 * the tests in memory); the time of an action is passed in.
 *
 * ## Flow JSON
 *
 *   {
 *     "name": "Contract approval",                    required, non-empty
 *     "business_type": "contract",                    contract | payment | invoice |
 *                                                     expense | leave | generic
 *     "restart": "first_step",                        first_step (default) | rejected_step
 *     "copy_to": [ APPROVER, … ],                     optional: told, never asked
 *     "steps": [ STEP, … ]                            required, at least one
 *   }
 *
 *   STEP is one of
 *     { "type": "serial", "approvers": [ APPROVER, … ] }
 *         one approver after another: each approver is a stage of its own;
 *     { "type": "parallel", "mode": "all" | "any", "approvers": [ APPROVER, … ] }
 *         one stage where every approver waits at once: "all" needs every
 *         approver's approval; "any": the first decision decides the step —
 *         one approval passes it, one rejection rejects the instance;
 *     { "type": "condition", "field": "amount", "op": OP, "value": V,
 *       "then": [ STEP, … ], "else": [ STEP, … ] }
 *         "then" is required ("else" is optional, both may be empty); the
 *         branch taken is inlined in place of the condition.
 *
 *   APPROVER is one of
 *     { "user": "<user id>" }
 *     { "role": "<role id>" }     any one enabled holder of the role acts
 *                                 for the role (all holders wait; the first
 *                                 one to approve or reject decides)
 *     { "supervisor": n }         the submitter's supervisor n ≥ 1 levels up
 *
 *   Condition fields name a member of the record: "amount", "stage", … A
 *   dot walks into objects, so custom fields, which live in the record's
 *   `extra` object, are named "extra.<field>", e.g. "extra.region". `extra`
 *   may also be a JSON object serialised as a string (as stored in SQLite).
 *   A missing member is null.
 *
 *   OP and V:
 *     ">" ">=" "<" "<="  V is a number or a string; numbers compare with
 *                        numbers (money is integer cents), strings with
 *                        strings (byte order: right for ISO 8601 dates);
 *                        any other pairing, or a missing field, is false;
 *     "==" "!="          V is any JSON value; numbers compare by value;
 *     "in"               V is an array: true when the field equals one of
 *                        its items (a multi-select field, an array, is in
 *                        when any of its items is);
 *     "empty"            no V: true for missing, null, "", [] and {};
 *     "not_empty"        the opposite.
 *
 * ## State JSON (what the caller stores; treat it as opaque)
 *
 *   {
 *     "version": 1,
 *     "status": "pending",             draft | pending | approved | rejected | withdrawn
 *     "submitter": "<user id>",
 *     "round": 1,                      1 + the number of resubmissions
 *     "current": 0,                    index into "stages" of the stage that
 *                                      waits (= length once approved)
 *     "waiting": [ "<user id>", … ],   who may act now (empty unless pending)
 *     "copy_to": [ "<user id>", … ],   the resolved copy-to list
 *     "resume_from": "<stage key>",    the stage that was rejected or withdrawn
 *                                      (null otherwise)
 *     "stages": [ {
 *         "key": "2.then.1/0",         where in the flow: step path, approver
 *         "mode": "all" | "any",
 *         "status": "pending" | "approved" | "rejected" | "skipped" | "withdrawn",
 *         "reason": "submitter" | "unavailable",          (skipped stages)
 *         "slots": [ {                 one per approver spec
 *             "approver": { "role": "finance" },          the spec as written
 *             "users": [ "<user id>", … ],               who may decide it
 *             "decision": null | "approve" | "reject",
 *             "by": "<user id>", "at": "<ISO 8601 UTC>", "comment": "…"
 *         } ]
 *     } ],
 *     "history": [ {
 *         "round": 1, "at": "2026-11-22T09:30:00Z", "actor": "<user id>" | null,
 *         "action": "submit" | "approve" | "reject" | "transfer" | "withdraw" |
 *                   "resubmit" | "skip",
 *         "comment": "…", "stage": "<stage key>" | null,
 *         "target": "<user id>" (transfer), "reason": "…" (skip)
 *     } ]
 *   }
 *
 *   Step paths count from 1: "2" is the second top-level step, "2.then.1"
 *   the first step of its then branch; a serial step's stages add
 *   "/<approver index from 0>".
 *
 * ## Rules for the tricky cases
 *
 * - Resolution happens once, at submission (and again at resubmission): the
 *   instance then runs on the stages stored in its state, so editing a flow
 *   or the organisation never changes an instance that is under way.
 * - The submitter never approves their own submission: they are removed from
 *   every approver set as if not listed. A stage left with nobody because
 *   its only approver was the submitter passes automatically ("skipped",
 *   reason "submitter", with a "skip" entry in the history); if every stage
 *   passes that way the instance is approved at submission.
 * - Disabled (or unknown) users are skipped. A step whose approvers all
 *   resolve to nobody (every one disabled, a role without an enabled
 *   holder, …) is an error at submission (KEHU_APPROVAL_ERROR_NO_APPROVERS,
 *   naming the step), never a silent pass; so is a flow that has no stage at
 *   all for the record. In a serial step, an approver resolving to nobody
 *   while others remain is a "skipped" stage with reason "unavailable".
 * - Supervisor n levels up: walk n links up from the submitter. If the chain
 *   ends earlier, the highest supervisor found is taken. If that person is
 *   disabled, the walk continues upwards to the first enabled supervisor.
 *   If the submitter has no (enabled) supervisor at all, the directory's
 *   administrator is taken, when it names one; otherwise nobody.
 * - Transfer: a waiting approver hands their place to another enabled user,
 *   who waits instead (for a role, the whole slot goes to the new user); the
 *   history records actor and target. The target may not be the actor, the
 *   submitter, or someone already waiting at this stage.
 * - "any": the first decision decides (one rejection rejects). "all": every
 *   approver must approve; one rejection rejects at once. A user who waits
 *   in several slots of one stage decides all of them with one action.
 * - A rejection sends the instance back to the submitter (status rejected).
 * - Withdraw: only the submitter, only while pending (also after some
 *   approvals); status withdrawn.
 * - Resubmit: only the submitter, after a rejection or a withdrawal. The
 *   flow is resolved again against the (possibly edited) record. With
 *   "restart": "first_step" every stage waits again; with "rejected_step"
 *   the stages approved in the previous round keep their approval and the
 *   instance resumes at the first stage that was not approved (normally the
 *   one that rejected or was current at withdrawal), which waits afresh.
 * - An action by someone not waiting is refused (NOT_WAITING); an approve,
 *   reject, transfer or withdraw on an instance that is not pending is
 *   refused (DECIDED); so is a resubmit of an approved one (a pending one
 *   gives STILL_PENDING).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KEHU_APPROVAL_ERROR (kehu_approval_error_quark ())

typedef enum
{
  KEHU_APPROVAL_ERROR_INVALID_FLOW,
  KEHU_APPROVAL_ERROR_INVALID_RECORD,
  KEHU_APPROVAL_ERROR_INVALID_STATE,
  KEHU_APPROVAL_ERROR_INVALID_ACTION,
  KEHU_APPROVAL_ERROR_NO_APPROVERS,
  KEHU_APPROVAL_ERROR_NOT_WAITING,
  KEHU_APPROVAL_ERROR_NOT_SUBMITTER,
  KEHU_APPROVAL_ERROR_DECIDED,
  KEHU_APPROVAL_ERROR_STILL_PENDING,
  KEHU_APPROVAL_ERROR_INVALID_TARGET,
} KehuApprovalError;

typedef enum
{
  KEHU_APPROVAL_STATUS_DRAFT,
  KEHU_APPROVAL_STATUS_PENDING,
  KEHU_APPROVAL_STATUS_APPROVED,
  KEHU_APPROVAL_STATUS_REJECTED,
  KEHU_APPROVAL_STATUS_WITHDRAWN,
} KehuApprovalStatus;

typedef enum
{
  KEHU_APPROVAL_ACTION_APPROVE,
  KEHU_APPROVAL_ACTION_REJECT,
  KEHU_APPROVAL_ACTION_TRANSFER,
  KEHU_APPROVAL_ACTION_WITHDRAW,
  KEHU_APPROVAL_ACTION_RESUBMIT,
} KehuApprovalAction;

/* The organisation as the engine sees it. Returned strings and vectors are
 * newly allocated and freed by the engine. `user_enabled` answers FALSE for
 * unknown users. `administrator`, `user_exists` and `role_exists` may be
 * NULL: without the first, a missing supervisor has no fallback; without
 * the others, validation does not check that named users and roles exist.
 */
typedef struct _KehuApprovalDirectory KehuApprovalDirectory;

struct _KehuApprovalDirectory
{
  char     *(*supervisor_of)   (gpointer    user_data,
                                const char *user_id);
  char    **(*users_with_role) (gpointer    user_data,
                                const char *role_id);
  gboolean  (*user_enabled)    (gpointer    user_data,
                                const char *user_id);
  char     *(*administrator)   (gpointer    user_data);
  gboolean  (*user_exists)     (gpointer    user_data,
                                const char *user_id);
  gboolean  (*role_exists)     (gpointer    user_data,
                                const char *role_id);
  gpointer    user_data;
};

GQuark              kehu_approval_error_quark         (void);

const char         *kehu_approval_status_to_string    (KehuApprovalStatus            status);
gboolean            kehu_approval_status_from_string  (const char                   *str,
                                                       KehuApprovalStatus           *status);
const char         *kehu_approval_action_to_string    (KehuApprovalAction            action);
gboolean            kehu_approval_action_from_string  (const char                   *str,
                                                       KehuApprovalAction           *action);

gboolean            kehu_approval_flow_validate       (JsonNode                     *flow,
                                                       const KehuApprovalDirectory  *directory,
                                                       GError                      **error);

/* Validates the flow's structure (not that its users and roles exist: an
 * unknown user is treated like a disabled one), resolves it for `record`
 * (may be NULL: no fields) and `submitter`, and returns the first state:
 * pending, or approved when every stage was the submitter's own. The
 * "draft" status is the caller's, for records not submitted yet; the
 * engine never produces it and refuses to act on it.
 */
gboolean            kehu_approval_start               (JsonNode                     *flow,
                                                       JsonNode                     *record,
                                                       const char                   *submitter,
                                                       const KehuApprovalDirectory  *directory,
                                                       GDateTime                    *now,
                                                       JsonNode                    **state,
                                                       GError                      **error);

/* `flow` and `record` are only read by resubmit (which resolves the flow
 * again) and may be NULL for the other actions; `target_user` is the new
 * approver of a transfer and ignored otherwise; `comment` may be NULL.
 * `state` is not modified.
 */
gboolean            kehu_approval_act                 (JsonNode                     *flow,
                                                       JsonNode                     *record,
                                                       JsonNode                     *state,
                                                       const char                   *actor,
                                                       KehuApprovalAction            action,
                                                       const char                   *comment,
                                                       const char                   *target_user,
                                                       GDateTime                    *now,
                                                       const KehuApprovalDirectory  *directory,
                                                       JsonNode                    **new_state,
                                                       GError                      **error);

KehuApprovalStatus  kehu_approval_get_status          (JsonNode                     *state);
char              **kehu_approval_get_waiting         (JsonNode                     *state);
char              **kehu_approval_get_copy_to         (JsonNode                     *state);
gboolean            kehu_approval_is_waiting          (JsonNode                     *state,
                                                       const char                   *user_id);

G_END_DECLS
