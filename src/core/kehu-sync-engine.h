/* kehu-sync-engine.h: one client cache synchronised with kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blocking (libsoup's sync API): run it on a worker thread. The engine owns
 * its own SQLite connection to the cache, so the UI's connection stays free.
 */
#pragma once

#include "kehu-sync.h"

G_BEGIN_DECLS

typedef struct
{
  guint      pushed;      /* ops the server answered */
  guint      applied;     /* … of which applied or merged */
  guint      conflicts;   /* conflicting fields recorded */
  guint      rejected;
  guint      pulled;      /* records received */
  guint      gone;        /* records dropped from the cache */
  gboolean   reset;       /* the scope changed: re-pulled from zero */
  GPtrArray *messages;    /* (element-type utf8): why ops were rejected */
  GPtrArray *rejections;  /* (element-type KehuSyncRejection): the same, per op */
  GPtrArray *modules;     /* (element-type utf8): modules whose cached rows changed;
                           * approvals count as "approval_instances" */
} KehuSyncStats;

/* One op the server refused, for the UI to point at the item. */
typedef struct
{
  char *module;
  char *record_id;
  char *action;     /* the op's action, or its kind */
  char *message;
} KehuSyncRejection;

void         kehu_sync_stats_clear          (KehuSyncStats *stats);
gboolean     kehu_sync_stats_has_module     (KehuSyncStats *stats,
                                             const char    *module);

/* received so far of about @total; called on the engine's thread. */
typedef void (*KehuSyncProgressFunc) (guint    received,
                                      guint    total,
                                      gpointer user_data);

#define KEHU_TYPE_SYNC_ENGINE (kehu_sync_engine_get_type ())

G_DECLARE_FINAL_TYPE (KehuSyncEngine, kehu_sync_engine, KEHU, SYNC_ENGINE, GObject)

/* "$data_dir/kehu/caches/<host_port>/<user id>.db" */
char           *kehu_sync_cache_path          (const char      *data_dir,
                                               const char      *base_url,
                                               const char      *user_id);

/* POST /api/v1/auth/login; @user_id: (out) (optional) */
char           *kehu_sync_login               (const char      *base_url,
                                               const char      *phone,
                                               const char      *password,
                                               char           **user_id,
                                               GError         **error);

KehuSyncEngine *kehu_sync_engine_new          (const char      *cache_path,
                                               const char      *base_url,
                                               const char      *user_id,
                                               GError         **error);
void            kehu_sync_engine_set_token    (KehuSyncEngine  *self,
                                               const char      *token);
/* Ops per push request and records per pull page. */
void            kehu_sync_engine_set_batch    (KehuSyncEngine  *self,
                                               guint            push_ops,
                                               guint            pull_limit);
void            kehu_sync_engine_set_progress (KehuSyncEngine  *self,
                                               KehuSyncProgressFunc func,
                                               gpointer         user_data);
/* A context on the engine's connection with the outbox on (tests, kehu --sync). */
KehuContext    *kehu_sync_engine_get_context  (KehuSyncEngine  *self);
KehuStore      *kehu_sync_engine_get_store    (KehuSyncEngine  *self);

/* Attachment contents, content-addressed: kept next to the cache, uploaded
 * before the push of the op that references them, downloaded on demand. */
char           *kehu_sync_engine_add_blob     (KehuSyncEngine  *self,
                                               GBytes          *data,
                                               GError         **error);
GBytes         *kehu_sync_engine_fetch_blob   (KehuSyncEngine  *self,
                                               const char      *sha256,
                                               GCancellable    *cancellable,
                                               GError         **error);

gboolean        kehu_sync_engine_push         (KehuSyncEngine  *self,
                                               KehuSyncStats   *stats,
                                               GCancellable    *cancellable,
                                               GError         **error);
gboolean        kehu_sync_engine_pull         (KehuSyncEngine  *self,
                                               KehuSyncStats   *stats,
                                               GCancellable    *cancellable,
                                               GError         **error);
/* Push, then pull, then drop what the rules made locally and the server
 * will have sent in its own version. */
gboolean        kehu_sync_engine_run          (KehuSyncEngine  *self,
                                               KehuSyncStats   *stats,
                                               GCancellable    *cancellable,
                                               GError         **error);

G_END_DECLS
