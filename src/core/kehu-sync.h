/* kehu-sync.h: the sync protocol's shared logic (DESIGN.md "Sync protocol")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three parts, all without I/O beyond the store: the field-level merge the
 * server decides with, the client's outbox (written by the record API in the
 * same transaction as the change when the context is a client cache), and
 * the client's side of applying pulled records and push results to its
 * cache. The HTTP driver is kehu-sync-engine.{c,h}.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kehu-approval.h"
#include "kehu-record.h"
#include "kehu-rules.h"

G_BEGIN_DECLS

#define KEHU_SYNC_ERROR (kehu_sync_error_quark ())

typedef enum
{
  KEHU_SYNC_ERROR_NETWORK,     /* no answer: retry later */
  KEHU_SYNC_ERROR_SERVER,      /* the server answered with an error */
  KEHU_SYNC_ERROR_AUTH,        /* the token is not (or no longer) valid */
  KEHU_SYNC_ERROR_PROTOCOL,    /* an answer this client does not understand */
  KEHU_SYNC_ERROR_CACHE,       /* the local cache could not be written */
  KEHU_SYNC_ERROR_CANCELLED,
} KehuSyncError;

GQuark       kehu_sync_error_quark          (void);

/* The merge decision ------------------------------------------------------------ */

typedef enum
{
  KEHU_SYNC_FIELD_APPLY,      /* not changed on the server since base_rev */
  KEHU_SYNC_FIELD_SAME,       /* changed there, but to the pushed value */
  KEHU_SYNC_FIELD_CONFLICT,   /* changed there since base_rev to another value */
} KehuSyncFieldDecision;

/* One pushed field against the server's state: @server_rev is the rev at
 * which the field last changed on the server (0: never), @server_value its
 * value there (NULL for none). Pure. */
KehuSyncFieldDecision kehu_sync_decide_field (gint64       base_rev,
                                              gint64       server_rev,
                                              JsonNode    *pushed_value,
                                              JsonNode    *server_value);

/* Splits @pushed (the changed fields of an update op, custom fields under
 * "extra") into what to apply and what conflicts. @field_revs maps a field
 * name (custom fields by their own name) to its server rev as a gint64 *;
 * @server_record is the record as stored. On return *@apply holds the fields
 * to write and *@conflicts one member per conflicting field:
 * {"field", "server_value", "client_value", "server_rev"} objects in an
 * array. Pure. */
void         kehu_sync_merge                (JsonObject   *pushed,
                                             gint64        base_rev,
                                             GHashTable   *field_revs,
                                             JsonObject   *server_record,
                                             JsonObject  **apply,
                                             JsonArray   **conflicts);

/* The client's outbox -------------------------------------------------------- */

/* A client cache's context appends every record change it makes to the
 * outbox (kehu-record.c calls in); changes made by the rules inside another
 * change are not queued: the server runs the same rules. */
void         kehu_context_set_outbox        (KehuContext  *ctx,
                                             gboolean      outbox);
gboolean     kehu_context_get_outbox        (KehuContext  *ctx);

/* A client cache is marked in its kehu_meta; contexts made on a marked
 * store have the outbox on. */
gboolean     kehu_sync_mark_cache           (KehuStore    *store,
                                             GError      **error);
gboolean     kehu_sync_store_is_cache       (KehuStore    *store);

/* An action only the server may decide (transfer, claim, convert, approval
 * actions); @args is the action's body. Inside the caller's transaction. */
gboolean     kehu_sync_queue_action         (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *record_id,
                                             const char   *action,
                                             JsonObject   *args,
                                             GError      **error);

/* Transfer on a client cache: applied locally at once (with the rules'
 * cascade) and queued as one transfer action per record. */
gboolean     kehu_sync_transfer             (KehuContext  *ctx,
                                             const char   *module,
                                             const char * const *ids,
                                             const char   *new_owner_id,
                                             gboolean      cascade,
                                             GError      **error);

/* The same with every option of kehu_rules_transfer(): cascade, and
 * keeping the old owner on the team ("keep_team": "read"/"write" in the op). */
gboolean     kehu_sync_transfer_full        (KehuContext  *ctx,
                                             const char   *module,
                                             const char * const *ids,
                                             const char   *new_owner_id,
                                             KehuTransferFlags flags,
                                             GError      **error);

/* Claim from the public pool on a client cache: tentative (the record shows
 * the user as owner) until the server, which alone applies the limits,
 * confirms or refuses it. */
gboolean     kehu_sync_claim                (KehuContext  *ctx,
                                             const char   *customer_id,
                                             GError      **error);

gint64       kehu_sync_count_pending        (KehuStore    *store);
/* Is there an unacknowledged op for this record (e.g. a tentative claim)? */
gboolean     kehu_sync_is_pending           (KehuStore    *store,
                                             const char   *module,
                                             const char   *record_id);

/* Applying the server's answers to a cache ------------------------------------ */

/* Writes the server's @record into the cache as is (no rules, no outbox),
 * then lays the still unsent local changes of the record on top. */
gboolean     kehu_sync_cache_put            (KehuContext  *ctx,
                                             const char   *module,
                                             JsonObject   *record,
                                             GError      **error);
gboolean     kehu_sync_cache_drop           (KehuContext  *ctx,
                                             const char   *module,
                                             const char   *record_id,
                                             GError      **error);

/* Bulk pulls ------------------------------------------------------------------- */

/* "SELECT json_object(…), id, owner_id, pool_id FROM module WHERE id = ?1":
 * the record as kehu_record_from_statement() shows it, made as JSON text
 * by SQLite (the server's pull); NULL when the module cannot be read so. */
char        *kehu_sync_record_json_sql      (KehuSchema   *schema,
                                             const char   *module);
/* A pull page's own members; @changes points into the page's text. */
typedef struct
{
  gboolean    reset;
  gint64      cursor;
  gboolean    more;
  gint64      epoch;
  gint64      total;
  const char *changes;
  gsize       changes_length;
  const char *settings;         /* the "settings" member's text, or NULL */
  gsize       settings_length;
  const char *teams;            /* the "teams" member's text, or NULL */
  gsize       teams_length;
} KehuSyncPage;

/* Reads the members of a pull page (the server's JSON text) without
 * building a tree; FALSE when the text is not a page with "changes". */
gboolean     kehu_sync_page_read_head       (const char   *page,
                                             gsize         length,
                                             KehuSyncPage *head);
/* Applies a whole pull page to the cache in one pass over its text: new
 * records are bound column by column into a kept INSERT, known ones go
 * through kehu_sync_cache_put() (only changed columns) and lose their team
 * rows, as gone ones do (kehu_sync_cache_apply_teams() brings them). */
gboolean     kehu_sync_cache_apply_page     (KehuContext  *ctx,
                                             const char   *page,
                                             gsize         length,
                                             guint        *pulled,
                                             guint        *gone,
                                             GError      **error);

/* Inserts the page's "teams" section (kehu-sync-teams.c), after
 * kehu_sync_cache_apply_page() dropped the team rows of the page's records
 * that the cache held: their teams are replaced. The modules of the rows
 * are added to @modules. */
gboolean     kehu_sync_cache_apply_teams    (KehuContext        *ctx,
                                             const KehuSyncPage *head,
                                             GPtrArray          *modules,
                                             GError            **error);

/* Conflicts the user resolves ------------------------------------------------- */

typedef struct
{
  char   *id;
  char   *module;
  char   *record_id;
  char   *field;
  char   *local_value;    /* JSON */
  char   *server_value;   /* JSON */
  gint64  server_rev;
} KehuSyncConflict;

void         kehu_sync_conflict_free        (KehuSyncConflict *conflict);
GPtrArray   *kehu_sync_list_conflicts       (KehuStore    *store);
/* Keep mine: a new update op with the server's rev as base; keep theirs:
 * nothing to send. Either way the conflict is marked resolved. */
gboolean     kehu_sync_resolve_conflict     (KehuContext  *ctx,
                                             const char   *conflict_id,
                                             gboolean      keep_mine,
                                             GError      **error);

/* Approvals on a client cache (kehu-sync-approvals.c) ------------------------- */

/* An approval action: on a client cache applied at once (the local engine
 * decides as the server would) and queued as an action op on
 * "approval_instances", pending until the push answers; elsewhere simply
 * kehu_approvals_act(). */
gboolean     kehu_sync_approval_act         (KehuContext  *ctx,
                                             const char   *instance_id,
                                             KehuApprovalAction action,
                                             const char   *comment,
                                             const char   *target_user,
                                             GError      **error);
/* Writes one instance as the server sends it (kehu-api-sync-approvals.c:
 * the row, "actions", "waiting" as JSON text) into the cache, replacing
 * its waiting list and actions. */
gboolean     kehu_sync_cache_put_approval   (KehuContext  *ctx,
                                             JsonObject   *instance,
                                             GError      **error);
gboolean     kehu_sync_cache_drop_approval  (KehuContext  *ctx,
                                             const char   *instance_id,
                                             GError      **error);
/* The "approvals" section of a pull page; instances with an unanswered
 * action of this client are left as they are. @pulled counts them. */
gboolean     kehu_sync_cache_apply_approvals (KehuContext *ctx,
                                              const char  *page,
                                              gsize        length,
                                              guint       *pulled,
                                              GError     **error);
/* The record's unanswered op: its action ("claim", "transfer", "approve"…)
 * when there is one, else its kind ("create", "update", "delete"); NULL
 * when nothing waits. */
char        *kehu_sync_dup_pending_action   (KehuStore    *store,
                                             const char   *module,
                                             const char   *record_id);
/* Why the server refused the last change sent for the record (its
 * message), until the user changes the record again; NULL when it did not. */
char        *kehu_sync_dup_refusal          (KehuStore    *store,
                                             const char   *module,
                                             const char   *record_id);

/* The settings snapshot of a pull (kehu-sync-settings.c) -------------------- */

/* The tables it carries, parents first. */
const char * const *kehu_sync_settings_tables (void);
/* The store's settings revision (migration 10's counter). */
gint64       kehu_sync_settings_rev         (KehuStore    *store);
/* Server: appends {"rev":N,"tables":{table:[row…]…}} to @out; read it in
 * the same read transaction as the page it goes with. */
gboolean     kehu_sync_settings_append_snapshot (KehuStore *store,
                                                 GString   *out,
                                                 gint64    *rev,
                                                 GError   **error);
/* Client: replaces the content of every table the snapshot lists (inside
 * the caller's transaction; foreign keys are checked at its commit). Sets
 * @rev to the snapshot's revision and adds the tables whose rows changed
 * to @changed_tables (nullable, element-type utf8, owned). */
gboolean     kehu_sync_cache_apply_settings (KehuStore    *store,
                                             const char   *text,
                                             gsize         length,
                                             gint64       *rev,
                                             GPtrArray    *changed_tables,
                                             GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuSyncConflict, kehu_sync_conflict_free)

G_END_DECLS
