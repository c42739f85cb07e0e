/* test-sync-robust.c: kills, restarts and many clients against a real kehu-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "kehu-test-sync.h"

typedef struct
{
  KehuTestApi *api;
  char        *dir;
  char        *admin;
  char        *admin_id;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->api = kehu_test_api_start (TRUE, NULL);
  f->dir = g_dir_make_tmp ("kehu-test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->admin = kehu_test_api_login (f->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  f->admin_id = kehu_test_api_db_string (f->api, "SELECT id FROM users WHERE phone = '" KEHU_TEST_ADMIN_PHONE "'");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  kehu_test_api_free (f->api);
  kehu_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->admin);
  g_free (f->admin_id);
}

/* Makes @n customers in the client's cache, offline, in one transaction. */
static void
make_customers (TestClient *client,
                const char *prefix,
                guint       n)
{
  g_autoptr(GError) error = NULL;

  kehu_context_begin (client->ctx, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\":\"%s-%05u\",\"phone\":\"010-%05u\"}", prefix, i, i);
      g_autofree char *id = test_client_create (client, "customers", body);
    }
  kehu_context_commit (client->ctx, &error);
  g_assert_no_error (error);
}

static void
assert_converged (Fixture    *f,
                  TestClient *client,
                  const char *owner_filter)
{
  g_autofree char *mine = test_client_customers (client);
  g_autofree char *theirs = test_server_customers (f->api, owner_filter);

  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM sync_outbox"), ==, 0);
  g_assert_cmpstr (mine, ==, theirs);
}

/* `kehu --sync` for @client's account, as a child process. */
static GSubprocess *
spawn_kehu_sync (Fixture    *f,
                 TestClient *client,
                 const char *push_batch,
                 const char *pull_limit)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "KEHU_SYNC_TOKEN", client->token, TRUE);
  g_subprocess_launcher_setenv (launcher, "KEHU_SYNC_USER_ID", client->user_id, TRUE);
  g_subprocess_launcher_setenv (launcher, "KEHU_SYNC_PUSH_BATCH", push_batch, TRUE);
  g_subprocess_launcher_setenv (launcher, "KEHU_SYNC_PULL_LIMIT", pull_limit, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KEHU_APP_BIN"), "--sync",
                                         "--server", f->api->server->base_url, NULL);
  g_assert_no_error (error);
  return process;
}

static char *
run_kehu_sync (Fixture    *f,
               TestClient *client)
{
  g_autoptr(GSubprocess) process = spawn_kehu_sync (f, client, "200", "2000");
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return out;
}

static void
kill_after (GSubprocess *process,
            guint        ms)
{
  g_autoptr(GError) error = NULL;

  g_usleep (ms * 1000);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
}

/* The cache file of @client as `kehu --sync` in @f->dir names it. */
static TestClient *
kehu_client (Fixture    *f,
             const char *user_id,
             const char *token)
{
  g_autofree char *path = kehu_sync_cache_path (f->dir, f->api->server->base_url, user_id);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);

  *strrchr (base, '.') = '\0';
  return test_client_new (f->api, dir, base, user_id, token);
}

static void
test_kill_push (Fixture       *f,
                gconstpointer  data)
{
  TestClient *client = kehu_client (f, f->admin_id, f->admin);
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *summary = NULL;
  gint64 on_server;
  const guint n = 3000;

  make_customers (client, "push", n);
  /* Let go of the cache while the child has it. */
  g_clear_object (&client->engine);

  child = spawn_kehu_sync (f, client, "25", "2000");
  kill_after (child, 400);
  on_server = kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE name LIKE 'push-%'");
  g_test_message ("killed during push with %" G_GINT64_FORMAT " of %u on the server", on_server, n);

  summary = run_kehu_sync (f, client);
  g_assert_true (g_str_has_prefix (summary, "pushed "));
  test_client_reopen (client, f->api);
  /* Every op exactly once: nothing lost, nothing duplicated. */
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE name LIKE 'push-%'"), ==, n);
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(DISTINCT name) FROM customers WHERE name LIKE 'push-%'"), ==, n);
  assert_converged (f, client, NULL);
  test_client_free (client);
}

static void
test_kill_pull (Fixture       *f,
                gconstpointer  data)
{
  TestClient *writer = test_client_new (f->api, f->dir, "writer", f->admin_id, f->admin);
  TestClient *client = kehu_client (f, f->admin_id, f->admin);
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *summary = NULL;
  gint64 cached;
  const guint n = 4000;

  make_customers (writer, "pull", n);
  test_client_sync (writer, NULL);
  g_clear_object (&client->engine);

  for (guint round = 0; round < 2; round++)
    {
      g_clear_object (&child);
      child = spawn_kehu_sync (f, client, "200", "40");
      kill_after (child, 300 + round * 200);
    }
  test_client_reopen (client, f->api);
  cached = test_client_count (client, "SELECT COUNT(*) FROM customers");
  g_test_message ("killed during pull with %" G_GINT64_FORMAT " of %u in the cache", cached, n);
  g_clear_object (&client->engine);

  summary = run_kehu_sync (f, client);
  test_client_reopen (client, f->api);
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM customers"), ==, n);
  assert_converged (f, client, NULL);
  /* The search index covers what the interrupted first pull wrote. */
  g_assert_cmpint (test_client_count (client, "SELECT COUNT(*) FROM kehu_meta WHERE key = 'sync.search_dirty' AND value = '1'"), ==, 0);
  {
    g_autoptr(GPtrArray) hits = kehu_search_global (kehu_sync_engine_get_store (client->engine), "pull-00123", 10, NULL);
    g_assert_nonnull (hits);
    g_assert_cmpuint (hits->len, >=, 1);
  }
  test_client_free (writer);
  test_client_free (client);
}

typedef struct
{
  TestClient *client;
  GError     *error;
  gboolean    ok;
} SyncJob;

static gpointer
sync_thread (gpointer data)
{
  SyncJob *job = data;
  KehuSyncStats stats = { 0 };

  job->ok = kehu_sync_engine_run (job->client->engine, &stats, NULL, &job->error);
  kehu_sync_stats_clear (&stats);
  return NULL;
}

static void
test_server_restart (Fixture       *f,
                     gconstpointer  data)
{
  TestClient *client = test_client_new (f->api, f->dir, "laptop", f->admin_id, f->admin);
  g_autofree char *port = NULL;
  g_autofree char *data_dir = NULL;
  SyncJob job = { client, NULL, FALSE };
  GThread *thread;
  const guint n = 3000;

  make_customers (client, "restart", n);
  kehu_sync_engine_set_batch (client->engine, 25, 2000);

  thread = g_thread_new ("sync", sync_thread, &job);
  g_usleep (400 * 1000);
  /* Kill the server in the middle of the push, start it again. */
  port = g_strdup_printf ("--port=%u", f->api->server->port);
  data_dir = g_strdup (f->api->server->data_dir);
  f->api->server->own_data_dir = FALSE;
  kehu_test_server_stop (f->api->server, SIGKILL);
  g_thread_join (thread);
  g_test_message ("the sync %s when the server went away", job.ok ? "had finished" : "failed");
  if (!job.ok)
    g_assert_true (g_error_matches (job.error, KEHU_SYNC_ERROR, KEHU_SYNC_ERROR_NETWORK));
  g_clear_error (&job.error);
  kehu_test_server_free (f->api->server);
  f->api->server = kehu_test_server_start (data_dir, "--test-clock", port, NULL);
  f->api->server->own_data_dir = TRUE;

  test_client_sync (client, NULL);
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers WHERE name LIKE 'restart-%'"), ==, n);
  assert_converged (f, client, NULL);
  test_client_free (client);
}

/* Many clients, random operations, random offline periods ----------------------------- */

#define N_CLIENTS 10

static char *
random_mine (TestClient *client,
             GRand      *rand,
             gboolean    live)
{
  sqlite3 *db = kehu_store_get_db (kehu_sync_engine_get_store (client->engine));
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM customers WHERE owner_id = ?1 %s ORDER BY id"
                                          " LIMIT 1 OFFSET ?2", live ? "AND deleted_at IS NULL" : "");
  g_autofree char *count_sql = g_strdup_printf ("SELECT COUNT(*) FROM customers WHERE owner_id = ?1 %s",
                                                live ? "AND deleted_at IS NULL" : "");
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;
  char *id = NULL;

  sqlite3_prepare_v2 (db, count_sql, -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, client->user_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (n == 0)
    return NULL;
  sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, client->user_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_rand_int_range (rand, 0, (gint32) n));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}

static void
test_random_convergence (Fixture       *f,
                         gconstpointer  data)
{
  const char *ops_env = g_getenv ("KEHU_TEST_SYNC_OPS");
  guint n_ops = ops_env ? (guint) atoi (ops_env) : 1000;
  TestClient *clients[N_CLIENTS];
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint counts[4] = { 0 };
  gint64 start = g_get_monotonic_time ();
  guint rejected = 0;
  g_autoptr(JsonObject) role = kehu_test_api_expect (f->api, f->admin, "POST", "/api/v1/roles",
                                                     "{\"name\":\"外勤\",\"data_scope\":\"self\",\"permissions\":"
                                                     "[\"customer.create\",\"customer.read\",\"customer.edit\","
                                                     "\"customer.delete\",\"customer.transfer\"]}", 201);

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *phone = g_strdup_printf ("139000010%02u", i);
      g_autofree char *name = g_strdup_printf ("Rep %u", i);
      g_autofree char *file = g_strdup_printf ("rep%u", i);
      g_autofree char *id = kehu_test_api_add_user (f->api, f->admin, phone, name, KEHU_ID_TOP_DEPARTMENT, NULL,
                                                    json_object_get_string_member (role, "id"));
      g_autofree char *token = kehu_test_api_login (f->api, phone, KEHU_TEST_USER_PASSWORD);

      clients[i] = test_client_new (f->api, f->dir, file, id, token);
    }

  /* Signed in and synced once: each knows the others. */
  for (guint i = 0; i < N_CLIENTS; i++)
    test_client_sync (clients[i], NULL);

  /* Round robin: each client does its next op; each is offline (does not
   * sync) for a random stretch between syncs. */
  for (guint step = 0; step < n_ops; step++)
    for (guint i = 0; i < N_CLIENTS; i++)
      {
        TestClient *c = clients[i];
        guint what = g_rand_int_range (rand, 0, 100);
        g_autoptr(GError) error = NULL;

        if (what < 35)
          {
            g_autofree char *body = g_strdup_printf ("{\"name\":\"c%u-%u\",\"phone\":\"010-%u\"}", i, step, step);
            g_autofree char *id = test_client_create (c, "customers", body);
            counts[0]++;
          }
        else if (what < 75)
          {
            g_autofree char *id = random_mine (c, rand, TRUE);
            g_autofree char *body = g_strdup_printf (g_rand_boolean (rand) ? "{\"phone\":\"020-%u%u\"}"
                                                                             : "{\"address\":\"路 %u-%u\"}", i, step);
            if (id != NULL)
              {
                test_client_update (c, "customers", id, body);
                counts[1]++;
              }
          }
        else if (what < 85)
          {
            g_autofree char *id = random_mine (c, rand, TRUE);
            if (id != NULL)
              {
                kehu_record_delete (c->ctx, "customers", id, &error);
                g_assert_no_error (error);
                counts[2]++;
              }
          }
        else
          {
            g_autofree char *id = random_mine (c, rand, TRUE);
            TestClient *to = clients[(i + 1 + g_rand_int_range (rand, 0, N_CLIENTS - 1)) % N_CLIENTS];
            const char *ids[] = { id, NULL };

            if (id != NULL)
              {
                kehu_sync_transfer (c->ctx, "customers", ids, to->user_id, FALSE, &error);
                g_assert_no_error (error);
                counts[3]++;
              }
          }

        /* Back online now and then. */
        if (g_rand_int_range (rand, 0, 100) < 4)
          {
            KehuSyncStats stats = { 0 };
            test_client_sync (c, &stats);
            rejected += stats.rejected;
            for (guint m = 0; stats.messages && m < stats.messages->len && rejected < 6; m++)
              g_test_message ("rejected: %s", (const char *) g_ptr_array_index (stats.messages, m));
            kehu_sync_stats_clear (&stats);
          }
      }

  /* Everyone online: two rounds, so that every change reaches everyone. */
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < N_CLIENTS; i++)
      {
        KehuSyncStats stats = { 0 };
        test_client_sync (clients[i], &stats);
        rejected += stats.rejected;
        kehu_sync_stats_clear (&stats);
      }

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *filter = g_strdup_printf ("WHERE owner_id = '%s'", clients[i]->user_id);
      assert_converged (f, clients[i], filter);
    }
  /* Nothing a client made was lost: every create reached the server. */
  g_assert_cmpint (kehu_test_api_db_int (f->api, "SELECT COUNT(*) FROM customers"), ==, counts[0]);
  g_test_message ("%u clients × %u steps: %u creates, %u edits, %u deletes, %u transfers, %u rejected, %.1f s",
                  N_CLIENTS, n_ops, counts[0], counts[1], counts[2], counts[3], rejected,
                  (g_get_monotonic_time () - start) / 1e6);

  for (guint i = 0; i < N_CLIENTS; i++)
    test_client_free (clients[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/kill/push", test_kill_push);
  ADD ("/sync/kill/pull", test_kill_pull);
  ADD ("/sync/server/restart", test_server_restart);
  ADD ("/sync/random/convergence", test_random_convergence);
#undef ADD

  return g_test_run ();
}
