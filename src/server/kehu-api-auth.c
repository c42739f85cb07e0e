/* kehu-api-auth.c: /api/v1/auth — login, logout, the current user, the
 * own password, and the login log for administrators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kehu-api.h"
#include "kehu-auth.h"

/* Replies to a login: the token and the user, or the error. */
static void
reply_login (KehuRequest *request,
             const char  *token,
             const char  *user_id,
             GDateTime   *retry_at,
             GError      *error)
{
  KehuStore *store = kehu_api_get_store (kehu_request_get_api (request));
  GDateTime *now = kehu_request_get_now (request);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) user_error = NULL;

  if (token == NULL)
    {
      if (g_error_matches (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_THROTTLED))
        {
          g_autofree char *retry = kehu_iso_from_datetime (retry_at);
          g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                      MAX (1, g_date_time_difference (retry_at, now) / G_USEC_PER_SEC));

          soup_message_headers_replace (soup_server_message_get_response_headers (kehu_request_get_message (request)),
                                        "Retry-After", seconds);
          kehu_request_reply_error (request, 429, "too_many_attempts", NULL,
                                    _("Too many failed logins; try again after %s"), retry);
        }
      else if (g_error_matches (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_WRONG_CREDENTIALS))
        kehu_request_reply_error (request, SOUP_STATUS_UNAUTHORIZED, "invalid_credentials", NULL,
                                  "%s", error->message);
      else if (g_error_matches (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_DISABLED))
        kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "account_disabled", NULL,
                                  "%s", error->message);
      else
        kehu_request_reply_gerror (request, error);
      return;
    }

  user = _kehu_api_user_json (store, user_id, TRUE, &user_error);
  if (user == NULL)
    {
      kehu_request_reply_gerror (request, user_error);
      return;
    }

  reply = json_object_new ();
  json_object_set_string_member (reply, "token", token);
  {
    g_autoptr(GDateTime) expires = g_date_time_add_days (now, KEHU_AUTH_TOKEN_DAYS);
    g_autofree char *expires_at = kehu_iso_from_datetime (expires);

    json_object_set_string_member (reply, "expires_at", expires_at);
  }
  json_object_set_object_member (reply, "user", g_steal_pointer (&user));
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

typedef struct
{
  KehuRequest      *request;
  KehuLoginAttempt *attempt;
} LoginJob;

static void
login_job_free (gpointer data)
{
  LoginJob *job = data;

  g_clear_pointer (&job->attempt, kehu_login_attempt_free);
  g_free (job);
}

/* Argon2id takes tens of milliseconds: off the main loop, so that other
 * requests go on meanwhile. */
static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginJob *job = task_data;

  kehu_auth_login_verify (job->attempt);
  g_task_return_boolean (task, TRUE);
}

static void
login_verified_cb (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LoginJob *job = g_task_get_task_data (G_TASK (result));
  KehuRequest *request = job->request;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *user_id = NULL;

  token = kehu_auth_login_finish (kehu_api_get_store (kehu_request_get_api (request)), job->attempt,
                                  &user_id, &error);
  reply_login (request, token, user_id, NULL, error);
  job->request = NULL;
  kehu_request_resume (request);
}

static void
login_cb (KehuApi     *api,
          KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "phone", KEHU_BODY_STRING, TRUE, FALSE },
    { "password", KEHU_BODY_STRING, TRUE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GDateTime) retry_at = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  KehuLoginAttempt *attempt;
  LoginJob *job;

  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;

  attempt = kehu_auth_login_begin (kehu_api_get_store (api),
                                   json_object_get_string_member (body, "phone"),
                                   json_object_get_string_member (body, "password"),
                                   kehu_request_get_address (request),
                                   kehu_request_get_now (request), &retry_at, &error);
  if (attempt == NULL)
    {
      reply_login (request, NULL, NULL, retry_at, error);
      return;
    }

  job = g_new0 (LoginJob, 1);
  job->attempt = attempt;
  job->request = kehu_request_pause (request);
  task = g_task_new (NULL, NULL, login_verified_cb, NULL);
  g_task_set_task_data (task, job, login_job_free);
  g_task_run_in_thread (task, login_thread);
}

static void
logout_cb (KehuApi     *api,
           KehuRequest *request)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (kehu_request_require_user (request) == NULL)
    return;

  if (!kehu_auth_logout (kehu_api_get_store (api), kehu_request_get_token (request),
                         kehu_request_get_now (request), &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  reply = json_object_new ();
  json_object_set_boolean_member (reply, "ok", TRUE);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
me_cb (KehuApi     *api,
       KehuRequest *request)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(GError) error = NULL;
  KehuPerm *perm;
  JsonObject *user;

  if ((perm = kehu_request_require_user (request)) == NULL)
    return;

  user = _kehu_api_user_json (kehu_api_get_store (api), kehu_perm_get_user_id (perm), TRUE, &error);
  if (user == NULL)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  json_object_set_object_member (reply, "user", user);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
password_cb (KehuApi     *api,
             KehuRequest *request)
{
  static const KehuBodySpec fields[] = {
    { "old_password", KEHU_BODY_STRING, TRUE, FALSE },
    { "new_password", KEHU_BODY_STRING, TRUE, FALSE },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_hash = NULL;
  g_autofree char *new_hash = NULL;
  g_autofree char *now = NULL;
  KehuStore *store = kehu_api_get_store (api);
  sqlite3_stmt *stmt = NULL;
  KehuPerm *perm;
  const char *new_password;

  if ((perm = kehu_request_require_user (request)) == NULL)
    return;
  if (!(body = kehu_request_read_object (request, fields, G_N_ELEMENTS (fields))))
    return;

  sqlite3_prepare_v2 (kehu_store_get_db (store), "SELECT password_hash FROM users WHERE id = ?1",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, kehu_perm_get_user_id (perm), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    old_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  if (!kehu_auth_verify_password (old_hash, json_object_get_string_member (body, "old_password")))
    {
      kehu_request_reply_error (request, SOUP_STATUS_FORBIDDEN, "invalid_credentials", "old_password",
                                _("The current password is wrong"));
      return;
    }

  new_password = json_object_get_string_member (body, "new_password");
  if (!kehu_auth_check_password_strength (new_password, &error))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "new_password",
                                "%s", error->message);
      return;
    }

  if (!(new_hash = kehu_auth_hash_password (new_password, &error)))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  now = kehu_request_get_now_iso (request);
  if (!kehu_store_begin (store, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }
  sqlite3_prepare_v2 (kehu_store_get_db (store),
                      "UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE id = ?3",
                      -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, new_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, kehu_perm_get_user_id (perm), -1, SQLITE_STATIC);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  /* Other sessions end; this one goes on. */
  sqlite3_prepare_v2 (kehu_store_get_db (store),
                      "UPDATE auth_tokens SET revoked_at = ?1 "
                      "WHERE user_id = ?2 AND token_hash <> ?3 AND revoked_at IS NULL",
                      -1, &stmt, NULL);
  {
    g_autofree char *token_hash = kehu_auth_hash_token (kehu_request_get_token (request));

    sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, kehu_perm_get_user_id (perm), -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, token_hash, -1, SQLITE_TRANSIENT);
    sqlite3_step (stmt);
    sqlite3_finalize (stmt);
  }

  if (!kehu_store_commit (store, &error))
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  reply = json_object_new ();
  json_object_set_boolean_member (reply, "ok", TRUE);
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

static void
login_log_cb (KehuApi     *api,
              KehuRequest *request)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  JsonArray *items = json_array_new ();
  sqlite3_stmt *stmt = NULL;
  const char *after = kehu_request_get_query (request, "after");
  const char *limit_text = kehu_request_get_query (request, "limit");
  gint64 limit = 100;
  gint64 last_id = 0;
  guint n = 0;

  if (kehu_request_require_permission (request, "login_log.read") == NULL)
    {
      json_array_unref (items);
      return;
    }

  if (limit_text != NULL &&
      (!g_ascii_string_to_signed (limit_text, 10, 1, 500, &limit, NULL)))
    {
      json_array_unref (items);
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "limit",
                                _("“limit” must be a number from 1 to 500"));
      return;
    }

  /* Newest first; the cursor is the id of the last row seen. */
  sqlite3_prepare_v2 (kehu_store_get_db (kehu_api_get_store (api)),
                      "SELECT id, at, address, phone, user_id, result FROM login_log "
                      "WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
                      -1, &stmt, NULL);
  if (after != NULL)
    sqlite3_bind_int64 (stmt, 1, g_ascii_strtoll (after, NULL, 10));
  sqlite3_bind_int64 (stmt, 2, limit + 1);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (n++ == limit)
        break;
      last_id = sqlite3_column_int64 (stmt, 0);
      json_array_add_object_element (items, kehu_json_object_from_stmt (stmt, NULL));
    }
  sqlite3_finalize (stmt);

  json_object_set_array_member (reply, "items", items);
  if (n > limit)
    {
      g_autofree char *next = g_strdup_printf ("%" G_GINT64_FORMAT, last_id);
      json_object_set_string_member (reply, "next", next);
    }
  else
    json_object_set_null_member (reply, "next");
  kehu_request_reply_object (request, SOUP_STATUS_OK, reply);
}

void
_kehu_api_auth_register (KehuApi *self)
{
  kehu_api_add_route (self, "POST", "/auth/login", login_cb);
  kehu_api_add_route (self, "POST", "/auth/logout", logout_cb);
  kehu_api_add_route (self, "GET", "/auth/me", me_cb);
  kehu_api_add_route (self, "POST", "/auth/password", password_cb);
  kehu_api_add_route (self, "GET", "/auth/login-log", login_log_cb);
}
