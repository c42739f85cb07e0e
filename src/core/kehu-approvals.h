/* kehu-approvals.h: approvals on the store (flows, instances, inbox, stats)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure engine (kehu-approval.h) decides; this file keeps its flows and
 * instances in the store and applies what a decision means to the records:
 *
 * - approval_flows: one flow JSON per row, validated before it is saved;
 *   the enabled flow with the lowest position applies to its business type.
 * - Submitting a contract, payment or invoice (module "contracts",
 *   "payments", "invoices") or a generic request (module "requests", no
 *   table of its own: the record is {"title": …}) creates an
 *   approval_instances row holding a snapshot of the flow, the engine's
 *   state, the waiting list (mirrored into approval_waiting) and copy_to;
 *   the record's approval_status becomes the instance's status.
 *   Submitting a record whose last instance was rejected or withdrawn
 *   resubmits that instance.
 * - Only an approved contract takes payments: submitting a payment whose
 *   contract is not approved is refused (KEHU_APPROVALS_ERROR_CONTRACT_NOT_APPROVED).
 * - The record's approval_status is written through the record API
 *   (kehu-record.h) as a trusted writer, so core's rules recompute the
 *   contract's received/outstanding/invoiced amounts, payment plans and the
 *   customer's totals from the approved payments and invoices, assign revs
 *   on the server and log the change.
 * - Every write runs in one transaction (BEGIN IMMEDIATE, or a savepoint
 *   inside the caller's) and leaves oplog rows; `now` is always a
 *   parameter (the context's, for submit and act).
 *
 * Errors of the engine (KEHU_APPROVAL_ERROR: NOT_WAITING, DECIDED, …) are
 * passed through unchanged so callers can tell them apart.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-approval.h"
#include "kehu-record.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_APPROVALS_ERROR (kehu_approvals_error_quark ())

typedef enum
{
  KEHU_APPROVALS_ERROR_NOT_FOUND,              /* record, instance or flow */
  KEHU_APPROVALS_ERROR_INVALID,                /* a bad argument, named */
  KEHU_APPROVALS_ERROR_NO_FLOW,                /* no enabled flow for the type */
  KEHU_APPROVALS_ERROR_ALREADY_PENDING,        /* the record waits already */
  KEHU_APPROVALS_ERROR_ALREADY_APPROVED,
  KEHU_APPROVALS_ERROR_CONTRACT_NOT_APPROVED,  /* a payment on such a contract */
} KehuApprovalsError;

typedef enum
{
  KEHU_APPROVALS_BOX_WAITING,     /* waiting for me now */
  KEHU_APPROVALS_BOX_HANDLED,     /* I approved, rejected or transferred */
  KEHU_APPROVALS_BOX_SUBMITTED,   /* I submitted */
  KEHU_APPROVALS_BOX_COPIED,      /* copied to me */
  KEHU_APPROVALS_N_BOXES
} KehuApprovalsBox;

GQuark       kehu_approvals_error_quark              (void);

const char  *kehu_approvals_box_to_string            (KehuApprovalsBox       box);
gboolean     kehu_approvals_box_from_string          (const char            *str,
                                                      KehuApprovalsBox      *box);
/* "contracts" → "contract", …, "requests" → "generic"; NULL for others. */
const char  *kehu_approvals_business_type_for_module (const char            *module);

/* The organisation on the store: users.supervisor_id, user_roles,
 * users.is_enabled, the earliest enabled super administrator as the
 * administrator. The store is not referenced: keep it alive. */
void         kehu_approvals_directory_init           (KehuApprovalDirectory *directory,
                                                      KehuStore             *store);

/* "Me" on a local store: the user kehu_meta "user_id" names when it is an
 * enabled user, else the earliest enabled super administrator; a store
 * without any user (single-user local mode) gets one, a super
 * administrator named after the system user, recorded as kehu_meta
 * "user_id". */
char        *kehu_approvals_dup_local_user           (KehuStore             *store,
                                                      GDateTime             *now,
                                                      GError               **error);

/* Flows. A flow object: {"id", "name", "business_type", "definition"
 * (the flow JSON), "is_enabled", "position", "created_at", "updated_at"}. */
JsonNode    *kehu_approvals_list_flows               (KehuStore             *store,
                                                      const char            *business_type,
                                                      GError               **error);
JsonNode    *kehu_approvals_get_flow                 (KehuStore             *store,
                                                      const char            *flow_id,
                                                      GError               **error);
/* Creates (flow_id NULL) or replaces a flow; returns its id. The
 * definition is validated by kehu_approval_flow_validate (named users and
 * roles must exist) and its business_type must be contract, payment,
 * invoice or generic. */
char        *kehu_approvals_save_flow                (KehuStore             *store,
                                                      const char            *flow_id,
                                                      JsonNode              *definition,
                                                      gboolean               is_enabled,
                                                      int                    position,
                                                      const char            *user_id,
                                                      GDateTime             *now,
                                                      GError               **error);
gboolean     kehu_approvals_delete_flow              (KehuStore             *store,
                                                      const char            *flow_id,
                                                      const char            *user_id,
                                                      GDateTime             *now,
                                                      GError               **error);

/* Instances. The context says who acts and when; its transaction nests.
 * Returns the instance id. For module "requests", record_id may be NULL (a
 * new id is made) and `title` names the request; otherwise the title comes
 * from the record. */
char        *kehu_approvals_submit                   (KehuContext           *ctx,
                                                      const char            *module,
                                                      const char            *record_id,
                                                      const char            *title,
                                                      const char            *comment,
                                                      GError               **error);
gboolean     kehu_approvals_act                      (KehuContext           *ctx,
                                                      const char            *instance_id,
                                                      KehuApprovalAction     action,
                                                      const char            *comment,
                                                      const char            *target_user,
                                                      GError               **error);

/* One instance as the inbox shows it: {"id", "module", "record_id",
 * "business_type", "title", "submitter_id", "submitter_name", "amount"
 * (cents or null), "status", "submitted_at", "decided_at", "waiting":
 * [ids], "copy_to": [ids], "can_act" (user_id waits), "can_withdraw"
 * (user_id submitted it and it is pending), "can_resubmit"}. */
JsonNode    *kehu_approvals_get_instance             (KehuStore             *store,
                                                      const char            *instance_id,
                                                      const char            *user_id,
                                                      GError               **error);

/* A page of a box, newest submission first; `after` is the `next` cursor
 * of the previous page (NULL for the first); *next is NULL on the last. */
JsonNode    *kehu_approvals_list                     (KehuStore             *store,
                                                      const char            *user_id,
                                                      KehuApprovalsBox       box,
                                                      const char            *after,
                                                      guint                  limit,
                                                      char                 **next,
                                                      GError               **error);
gboolean     kehu_approvals_count                    (KehuStore             *store,
                                                      const char            *user_id,
                                                      guint                  counts[KEHU_APPROVALS_N_BOXES],
                                                      GError               **error);

/* Every instance of a record, oldest first: the instance fields above plus
 * "stages" (from the state: {"key", "mode", "status", "reason", "slots":
 * [{"approver", "role_name" (for a role), "users": [{"id","name"}], "decision", "by", "by_name",
 * "at", "comment"}]}) and "actions" (the approval_actions rows: {"action",
 * "user_id", "user_name", "comment", "target_user", "target_name", "at"}). */
JsonNode    *kehu_approvals_history                  (KehuStore             *store,
                                                      const char            *module,
                                                      const char            *record_id,
                                                      GError               **error);
/* The same for one instance. */
JsonNode    *kehu_approvals_get_detail               (KehuStore             *store,
                                                      const char            *instance_id,
                                                      const char            *user_id,
                                                      GError               **error);

/* Statistics of instances submitted in [from, to) (ISO 8601 UTC, either
 * NULL for open) and of approver actions taken in it:
 *   {"total": GROUP, "by_type": [GROUP + "business_type"],
 *    "by_approver": [{"user_id", "name", "handled", "approved", "rejected",
 *                     "avg_seconds", "pass_rate_bp"}]}
 *   GROUP = {"count", "pending", "approved", "rejected", "withdrawn",
 *            "avg_seconds", "pass_rate_bp"}
 * avg_seconds: the mean time from (re)submission to decision of approved
 * and rejected instances (per approver: from when they started waiting to
 * their approve/reject), rounded down, null without any; pass_rate_bp:
 * approved × 10000 / (approved + rejected), rounded half up, null without
 * any. */
JsonNode    *kehu_approvals_stats                    (KehuStore             *store,
                                                      const char            *from,
                                                      const char            *to,
                                                      GError               **error);

/* Whether a payment may be made on the contract: it exists and is approved.
 * For the record rules of payment creation. */
gboolean     kehu_approvals_check_payment_contract    (KehuStore            *store,
                                                       const char           *contract_id,
                                                       GError              **error);

G_END_DECLS
