/* kehu-sync-client.c: the app's link to kehu-server
 *
 * It knows whether the server answers (GET /api/v1/health at start, every
 * minute, and whenever GNetworkMonitor says the network changed) and, once
 * an account is signed in, syncs its cache (DESIGN.md "Sync protocol"):
 * at start, on the timer, on "Sync now" and when the network comes back,
 * with exponential backoff after failures. Each sync runs on a worker
 * thread with its own SQLite connection (KehuSyncEngine); progress and
 * results come back to the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "kehu-app-enums.h"
#include "kehu-sync-client.h"
#include "kehu-sync-engine.h"
#include "kehu-token-store.h"

#define CHECK_INTERVAL_SECONDS 60
#define REQUEST_TIMEOUT_SECONDS 10

struct _KehuSyncClient
{
  GObject        parent_instance;

  char          *server_url;
  SoupSession   *session;
  GCancellable  *cancellable;
  guint          check_source;

  KehuSyncState  state;
  char          *error;
  char          *server_version;

  char          *user_id;
  char          *token;
  char          *data_dir;
  gboolean       running;
  gboolean       again;       /* "Sync now" while a sync runs */
  guint          failures;
  guint          retry_source;
  guint          pending;
  GDateTime     *last_sync;
  KehuStore     *store;       /* the app's connection to the cache, for counts */
};

enum {
  SIGNAL_PROGRESS,
  SIGNAL_SYNCED,
  SIGNAL_CHANGED,
  SIGNAL_REJECTED,
  SIGNAL_ACCOUNT_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (KehuSyncClient, kehu_sync_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_STATE,
  PROP_ERROR,
  PROP_PENDING,
  PROP_LAST_SYNC,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
set_state (KehuSyncClient *self,
           KehuSyncState   state,
           const char     *error)
{
  if (g_strcmp0 (self->error, error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR]);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
    }
}

static void
health_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KehuSyncClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessage *msg;
  JsonNode *root;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bytes == NULL && self->running)
    return;
  if (bytes == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot reach %s: %s"),
                                                  self->server_url, error->message);
      set_state (self, KEHU_SYNC_STATE_OFFLINE, message);
      return;
    }

  msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "version"))
    {
      g_autofree char *message =
        g_strdup_printf (_("%s answered, but it is not a Kehu server (HTTP %u)"),
                         self->server_url, soup_message_get_status (msg));
      set_state (self, KEHU_SYNC_STATE_ERROR, message);
      return;
    }

  g_free (self->server_version);
  self->server_version = g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                                               "version", ""));
  if (self->running)
    return;
  set_state (self, KEHU_SYNC_STATE_ONLINE, NULL);
  if (self->token != NULL && self->retry_source == 0)
    kehu_sync_client_sync_now (self);
}

void
kehu_sync_client_check (KehuSyncClient *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (KEHU_IS_SYNC_CLIENT (self));

  /* Changes made in the app since the last sync. */
  if (self->store != NULL)
    kehu_sync_client_set_pending (self, kehu_sync_count_pending (self->store));

  if (self->server_url == NULL || self->server_url[0] == '\0')
    {
      set_state (self, KEHU_SYNC_STATE_LOCAL_ONLY, NULL);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  url = g_strconcat (self->server_url,
                     g_str_has_suffix (self->server_url, "/") ? "" : "/",
                     "api/v1/health", NULL);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not a valid server address"),
                                                  self->server_url);
      set_state (self, KEHU_SYNC_STATE_ERROR, message);
      return;
    }

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, health_read_cb,
                                    g_object_ref (self));
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  /* A successful check starts a sync when an account is signed in. */
  kehu_sync_client_check (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_network_changed_cb (KehuSyncClient *self,
                       gboolean        available)
{
  kehu_sync_client_check (self);
}

/* Sync on a worker thread ------------------------------------------------------- */

typedef struct
{
  char          *url;
  char          *user_id;
  char          *token;
  char          *path;
  KehuSyncStats  stats;
  guint          pending;
  GWeakRef       client;
} SyncJob;

static void
sync_job_free (SyncJob *job)
{
  g_free (job->url);
  g_free (job->user_id);
  g_free (job->token);
  g_free (job->path);
  kehu_sync_stats_clear (&job->stats);
  g_weak_ref_clear (&job->client);
  g_free (job);
}

typedef struct
{
  GWeakRef client;
  guint    received;
  guint    total;
} Progress;

static gboolean
emit_progress_cb (gpointer data)
{
  Progress *progress = data;
  g_autoptr(KehuSyncClient) self = g_weak_ref_get (&progress->client);

  if (self != NULL)
    g_signal_emit (self, signals [SIGNAL_PROGRESS], 0, progress->received, progress->total);
  g_weak_ref_clear (&progress->client);
  g_free (progress);
  return G_SOURCE_REMOVE;
}

/* On the worker: hand each page's progress to the main thread. */
static void
engine_progress_cb (guint    received,
                    guint    total,
                    gpointer user_data)
{
  SyncJob *job = user_data;
  Progress *progress = g_new0 (Progress, 1);
  g_autoptr(GObject) client = g_weak_ref_get (&job->client);

  g_weak_ref_init (&progress->client, client);
  progress->received = received;
  progress->total = total;
  g_main_context_invoke (NULL, emit_progress_cb, progress);
}

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SyncJob *job = task_data;
  g_autoptr(KehuSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;

  engine = kehu_sync_engine_new (job->path, job->url, job->user_id, &error);
  if (engine != NULL)
    {
      kehu_sync_engine_set_token (engine, job->token);
      kehu_sync_engine_set_progress (engine, engine_progress_cb, job);
      kehu_sync_engine_run (engine, &job->stats, cancellable, &error);
      job->pending = kehu_sync_count_pending (kehu_sync_engine_get_store (engine));
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
retry_cb (gpointer user_data)
{
  KehuSyncClient *self = user_data;

  self->retry_source = 0;
  kehu_sync_client_sync_now (self);
  return G_SOURCE_REMOVE;
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  KehuSyncClient *self = KEHU_SYNC_CLIENT (object);
  SyncJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->running = FALSE;
  if (self->pending != job->pending)
    {
      self->pending = job->pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PENDING]);
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      guint delay;

      if (g_error_matches (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CANCELLED))
        return;
      /* 5 s, 10 s, 20 s … up to 10 minutes. */
      delay = MIN (5u << MIN (self->failures, 7u), 600u);
      self->failures++;
      g_clear_handle_id (&self->retry_source, g_source_remove);
      if (!g_error_matches (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_AUTH))
        self->retry_source = g_timeout_add_seconds (delay, retry_cb, self);
      set_state (self,
                 g_error_matches (error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK) ? KEHU_SYNC_STATE_OFFLINE
                                                                                  : KEHU_SYNC_STATE_ERROR,
                 error->message);
      return;
    }

  self->failures = 0;
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  self->last_sync = g_date_time_new_now_local ();
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LAST_SYNC]);
  if (job->stats.rejected > 0 && job->stats.messages != NULL && job->stats.messages->len > 0)
    {
      /* The user is told why a change was taken back. */
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "The server refused %u change: %s",
                                                               "The server refused %u changes; the first: %s",
                                                               job->stats.rejected),
                                                  job->stats.rejected,
                                                  (const char *) g_ptr_array_index (job->stats.messages, 0));
      set_state (self, KEHU_SYNC_STATE_ERROR, message);
    }
  else
    set_state (self, KEHU_SYNC_STATE_IDLE, NULL);
  g_signal_emit (self, signals [SIGNAL_SYNCED], 0, job->stats.pushed, job->stats.pulled,
                 job->stats.conflicts, job->stats.rejected);
  /* Each refusal for the view that shows its item, then one reload of
   * what changed. */
  for (guint i = 0; job->stats.rejections != NULL && i < job->stats.rejections->len; i++)
    {
      KehuSyncRejection *rejection = g_ptr_array_index (job->stats.rejections, i);

      g_signal_emit (self, signals [SIGNAL_REJECTED], 0, rejection->module, rejection->record_id,
                     rejection->action, rejection->message);
    }
  if (job->stats.modules != NULL && job->stats.modules->len > 0)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) modules = NULL;

      for (guint i = 0; i < job->stats.modules->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (job->stats.modules, i));
      modules = g_strv_builder_end (builder);
      g_signal_emit (self, signals [SIGNAL_CHANGED], 0, modules);
    }

  if (self->again)
    {
      self->again = FALSE;
      kehu_sync_client_sync_now (self);
    }
}

/**
 * kehu_sync_client_sync_now:
 *
 * Starts a sync of the signed-in account on a worker thread, or asks for
 * another one after the sync that runs. Nothing without an account.
 */
void
kehu_sync_client_sync_now (KehuSyncClient *self)
{
  g_autoptr(GTask) task = NULL;
  SyncJob *job;

  g_return_if_fail (KEHU_IS_SYNC_CLIENT (self));

  if (self->server_url == NULL || self->server_url[0] == '\0' || self->token == NULL)
    return;
  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);

  job = g_new0 (SyncJob, 1);
  job->url = g_strdup (self->server_url);
  job->user_id = g_strdup (self->user_id);
  job->token = g_strdup (self->token);
  job->path = kehu_sync_client_dup_cache_path (self);
  g_weak_ref_init (&job->client, self);

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  self->running = TRUE;
  set_state (self, KEHU_SYNC_STATE_SYNCING, self->error);
  task = g_task_new (self, self->cancellable, sync_done_cb, NULL);
  g_task_set_source_tag (task, kehu_sync_client_sync_now);
  g_task_set_task_data (task, job, (GDestroyNotify) sync_job_free);
  g_task_run_in_thread (task, sync_thread);
}

/* Sign in ------------------------------------------------------------------------ */

typedef struct
{
  char *url;
  char *phone;
  char *password;
  char *token;
  char *user_id;
  char *keyring_error;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_free (data->url);
  g_free (data->phone);
  g_free (data->password);
  g_free (data->token);
  g_free (data->user_id);
  g_free (data->keyring_error);
  g_free (data);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SignIn *data = task_data;
  g_autoptr(GError) error = NULL;

  data->token = kehu_sync_login (data->url, data->phone, data->password, &data->user_id, &error);
  if (data->token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!kehu_token_store_save (data->url, data->phone, data->token, &error))
    data->keyring_error = g_strdup (error->message);
  g_task_return_boolean (task, TRUE);
}

void
kehu_sync_client_sign_in_async (KehuSyncClient      *self,
                                const char          *phone,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  SignIn *data = g_new0 (SignIn, 1);

  data->url = g_strdup (self->server_url);
  data->phone = g_strdup (phone);
  data->password = g_strdup (password);
  g_task_set_source_tag (task, kehu_sync_client_sign_in_async);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);
  g_task_run_in_thread (task, sign_in_thread);
}

/**
 * kehu_sync_client_sign_in_finish:
 * @keyring_error: (out) (optional): why the token could not be kept in the
 *   keyring (it then lives for this run only)
 *
 * Returns: (transfer full): the signed-in user's id, or %NULL with @error
 */
char *
kehu_sync_client_sign_in_finish (KehuSyncClient  *self,
                                 GAsyncResult    *result,
                                 char           **keyring_error,
                                 GError         **error)
{
  SignIn *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  if (keyring_error != NULL)
    *keyring_error = g_strdup (data->keyring_error);
  kehu_sync_client_set_account (self, data->user_id, data->token);
  return g_strdup (data->user_id);
}

void
kehu_sync_client_set_account (KehuSyncClient *self,
                              const char     *user_id,
                              const char     *token)
{
  gboolean changed = g_strcmp0 (self->user_id, user_id) != 0;

  g_free (self->user_id);
  g_free (self->token);
  self->user_id = g_strdup (user_id);
  self->token = g_strdup (token);
  self->failures = 0;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  /* Before the first sync starts: the app opens the account's cache
   * (its migrations) while nothing else writes it. */
  if (changed)
    g_signal_emit (self, signals [SIGNAL_ACCOUNT_CHANGED], 0);
  kehu_sync_client_sync_now (self);
}

const char *
kehu_sync_client_get_user_id (KehuSyncClient *self)
{
  return self->user_id;
}

gboolean
kehu_sync_client_is_signed_in (KehuSyncClient *self)
{
  return self->token != NULL;
}

void
kehu_sync_client_set_data_dir (KehuSyncClient *self,
                               const char     *data_dir)
{
  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
}

/* Returns: (transfer full) (nullable): this account's cache file */
char *
kehu_sync_client_dup_cache_path (KehuSyncClient *self)
{
  if (self->user_id == NULL || self->server_url == NULL || self->server_url[0] == '\0')
    return NULL;
  return kehu_sync_cache_path (self->data_dir ? self->data_dir : g_get_user_data_dir (),
                               self->server_url, self->user_id);
}

guint
kehu_sync_client_get_pending (KehuSyncClient *self)
{
  return self->pending;
}

void
kehu_sync_client_set_pending (KehuSyncClient *self,
                              guint           pending)
{
  if (self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PENDING]);
}

GDateTime *
kehu_sync_client_get_last_sync (KehuSyncClient *self)
{
  return self->last_sync;
}

/* The app's own connection to the cache: pending changes are counted on it. */
void
kehu_sync_client_set_store (KehuSyncClient *self,
                            KehuStore      *store)
{
  g_set_object (&self->store, store);
  if (store != NULL)
    kehu_sync_client_set_pending (self, kehu_sync_count_pending (store));
}

/* REST calls ---------------------------------------------------------------------- */

/**
 * kehu_sync_client_can_call:
 *
 * Whether an account is signed in and the server answered its last check
 * or sync: settings are then written on the server.
 */
gboolean
kehu_sync_client_can_call (KehuSyncClient *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_CLIENT (self), FALSE);

  return self->token != NULL && self->server_url != NULL && self->server_url[0] != '\0' &&
         (self->state == KEHU_SYNC_STATE_ONLINE || self->state == KEHU_SYNC_STATE_IDLE ||
          self->state == KEHU_SYNC_STATE_SYNCING ||
          /* The server answered, but refused a pushed change. */
          (self->state == KEHU_SYNC_STATE_ERROR && self->failures == 0));
}

typedef struct
{
  char *field;
  char *what;   /* "PATCH /custom-fields/…", for messages */
} Call;

static void
call_free (Call *call)
{
  g_free (call->field);
  g_free (call->what);
  g_free (call);
}

static void
call_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessage *msg;
  JsonNode *root = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_new_error (task, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_CANCELLED, "%s", error->message);
      else
        g_task_return_new_error (task, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK,
                                 _("The server cannot be reached: %s"), error->message);
      return;
    }

  msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  status = soup_message_get_status (msg);
  if (g_bytes_get_size (bytes) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL))
    root = json_parser_get_root (parser);

  if (status < 200 || status >= 300)
    {
      JsonObject *err = NULL;
      const char *message = NULL;

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          json_object_has_member (json_node_get_object (root), "error") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "error")))
        err = json_object_get_object_member (json_node_get_object (root), "error");
      if (err != NULL)
        {
          message = json_object_get_string_member_with_default (err, "message", NULL);
          if (json_object_has_member (err, "field") && !json_object_get_null_member (err, "field"))
            call->field = g_strdup (json_object_get_string_member (err, "field"));
        }
      if (message == NULL)
        g_task_return_new_error (task, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                                 _("The server refused %s (HTTP %u)"), call->what, status);
      else
        g_task_return_new_error (task, KEHU_SYNC_ERROR,
                                 status == SOUP_STATUS_UNAUTHORIZED ? KEHU_SYNC_ERROR_AUTH : KEHU_SYNC_ERROR_SERVER,
                                 "%s", message);
      return;
    }

  if (root == NULL)
    g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
  else
    g_task_return_pointer (task, json_node_copy (root), (GDestroyNotify) json_node_unref);
}

void
kehu_sync_client_call_async (KehuSyncClient      *self,
                             const char          *method,
                             const char          *path,
                             JsonObject          *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  kehu_sync_client_call_full_async (self, method, path, NULL, body, cancellable, callback, user_data);
}

/**
 * kehu_sync_client_call_full_async:
 * @if_match: (nullable): the revision the change is based on, for the
 *   record routes' PATCH (the server refuses it when the record moved on)
 *
 * As kehu_sync_client_call_async(); finish with
 * kehu_sync_client_call_finish().
 */
void
kehu_sync_client_call_full_async (KehuSyncClient      *self,
                                  const char          *method,
                                  const char          *path,
                                  const char          *if_match,
                                  JsonObject          *body,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  Call *call;

  g_return_if_fail (KEHU_IS_SYNC_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kehu_sync_client_call_async);
  call = g_new0 (Call, 1);
  call->what = g_strdup_printf ("%s %s", method, path);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  if (self->token == NULL || self->server_url == NULL || self->server_url[0] == '\0')
    {
      g_task_return_new_error (task, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_AUTH,
                               _("Sign in to the server first"));
      return;
    }

  url = g_strconcat (self->server_url, g_str_has_suffix (self->server_url, "/") ? "" : "/",
                     "api/v1", path, NULL);
  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_PROTOCOL,
                               _("“%s” is not a valid server address"), self->server_url);
      return;
    }
  auth = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (if_match != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-Match", if_match);
  if (body != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), body);
      char *text = json_to_string (node, FALSE);
      gsize length = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    call_read_cb, g_steal_pointer (&task));
}

/**
 * kehu_sync_client_call_finish:
 * @field: (out) (optional): the body member a refusal is about
 *
 * Returns: (transfer full): the server's answer (a null node for none)
 */
JsonNode *
kehu_sync_client_call_finish (KehuSyncClient  *self,
                              GAsyncResult    *result,
                              char           **field,
                              GError         **error)
{
  Call *call = g_task_get_task_data (G_TASK (result));

  if (field != NULL)
    *field = g_strdup (call->field);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
kehu_sync_client_dispose (GObject *object)
{
  KehuSyncClient *self = (KehuSyncClient *)object;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_object (&self->store);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->check_source, g_source_remove);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (kehu_sync_client_parent_class)->dispose (object);
}

static void
kehu_sync_client_finalize (GObject *object)
{
  KehuSyncClient *self = (KehuSyncClient *)object;

  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->server_version, g_free);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->last_sync, g_date_time_unref);

  G_OBJECT_CLASS (kehu_sync_client_parent_class)->finalize (object);
}

static void
kehu_sync_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KehuSyncClient *self = KEHU_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_sync_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KehuSyncClient *self = KEHU_SYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      kehu_sync_client_set_server_url (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_sync_client_class_init (KehuSyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kehu_sync_client_dispose;
  object_class->finalize = kehu_sync_client_finalize;
  object_class->get_property = kehu_sync_client_get_property;
  object_class->set_property = kehu_sync_client_set_property;

  properties [PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       KEHU_TYPE_SYNC_STATE, KEHU_SYNC_STATE_LOCAL_ONLY,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_LAST_SYNC] =
    g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* received, total (an estimate): the first sync of a large account */
  signals [SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /* pushed, pulled, conflicts, rejected */
  signals [SIGNAL_SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
  /* After a sync that wrote the cache: the modules whose rows changed
   * (approvals as "approval_instances"), so that open views reload once. */
  signals [SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRV);
  /* module, record id, action (or op kind), the server's message: an op the
   * server refused; its local change was taken back. */
  /* Another user signed in (kehu_sync_client_dup_cache_path() is theirs),
   * just before their first sync starts. */
  signals [SIGNAL_ACCOUNT_CHANGED] =
    g_signal_new ("account-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals [SIGNAL_REJECTED] =
    g_signal_new ("rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
kehu_sync_client_init (KehuSyncClient *self)
{
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                 "user-agent", "kehu/" PACKAGE_VERSION " ",
                                                 NULL);
  self->state = KEHU_SYNC_STATE_LOCAL_ONLY;
  self->check_source = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, check_timeout_cb, self);

  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (on_network_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

KehuSyncClient *
kehu_sync_client_new (const char *server_url)
{
  return g_object_new (KEHU_TYPE_SYNC_CLIENT,
                       "server-url", server_url,
                       NULL);
}

const char *
kehu_sync_client_get_server_url (KehuSyncClient *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_CLIENT (self), NULL);
  return self->server_url;
}

void
kehu_sync_client_set_server_url (KehuSyncClient *self,
                                 const char     *server_url)
{
  g_return_if_fail (KEHU_IS_SYNC_CLIENT (self));

  if (g_strcmp0 (self->server_url, server_url) == 0)
    return;

  g_free (self->server_url);
  self->server_url = g_strdup (server_url);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SERVER_URL]);

  kehu_sync_client_check (self);
}

KehuSyncState
kehu_sync_client_get_state (KehuSyncClient *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_CLIENT (self), KEHU_SYNC_STATE_LOCAL_ONLY);
  return self->state;
}

const char *
kehu_sync_client_get_error (KehuSyncClient *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_CLIENT (self), NULL);
  return self->error;
}

const char *
kehu_sync_client_get_server_version (KehuSyncClient *self)
{
  g_return_val_if_fail (KEHU_IS_SYNC_CLIENT (self), NULL);
  return self->server_version;
}
