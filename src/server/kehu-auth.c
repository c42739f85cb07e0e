/* kehu-auth.c: passwords, tokens, login throttling and the login log
 *
 * Passwords are hashed with Argon2id (libsodium crypto_pwhash_str, the
 * "interactive" cost). A token is 32 random bytes in base64url; only its
 * SHA-256 is stored (auth_tokens), so a copy of the database does not let
 * anyone in. Tokens expire after KEHU_AUTH_TOKEN_DAYS, and are revoked by
 * logout and when the user is disabled.
 *
 * Throttling counts failed logins in the login log over the last
 * KEHU_AUTH_THROTTLE_WINDOW_MINUTES: per account (since its last success)
 * and per address. Throttled attempts are logged but not counted, so the
 * lock ends when the window has passed over the failures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "kehu-api.h"
#include "kehu-auth.h"

G_DEFINE_QUARK (kehu-auth-error-quark, kehu_auth_error)

/* A hash to verify against when the phone is unknown, so that timing does
 * not tell which phones have accounts. Made once, at start. */
static char *dummy_hash;

gboolean
kehu_auth_init (void)
{
  if (sodium_init () < 0)
    return FALSE;
  if (dummy_hash == NULL)
    dummy_hash = kehu_auth_hash_password ("kehu-no-such-user", NULL);
  return dummy_hash != NULL;
}

char *
kehu_auth_hash_password (const char  *password,
                         GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_HASH,
                   _("Could not hash the password: out of memory"));
      return NULL;
    }

  return g_strdup (hash);
}

gboolean
kehu_auth_verify_password (const char *hash,
                           const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

gboolean
kehu_auth_check_password_strength (const char  *password,
                                   GError     **error)
{
  if (g_utf8_strlen (password, -1) < KEHU_AUTH_MIN_PASSWORD_LENGTH)
    {
      g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_WEAK_PASSWORD,
                   _("The password must have at least %d characters"),
                   KEHU_AUTH_MIN_PASSWORD_LENGTH);
      return FALSE;
    }
  return TRUE;
}

char *
kehu_auth_new_token (void)
{
  guchar bytes[32];
  char token[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (token, sizeof token, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);

  return g_strdup (token);
}

char *
kehu_auth_hash_token (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

static void
log_attempt (KehuStore  *store,
             const char *at,
             const char *address,
             const char *phone,
             const char *user_id,
             const char *result)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "INSERT INTO login_log (at, address, phone, user_id, result) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text (stmt, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, address, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, phone, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, user_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, result, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Could not write the login log: %s", sqlite3_errmsg (kehu_store_get_db (store)));
  sqlite3_finalize (stmt);
}

/* Failed attempts since @since (and, per account, since the last success);
 * @oldest gets the earliest of them. */
static int
count_failures (KehuStore   *store,
                const char  *column,
                const char  *value,
                const char  *since,
                char       **oldest)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int count = 0;

  /* column is one of two identifiers of this file, never user input. */
  sql = g_strdup_printf ("SELECT count(*), min(at) FROM login_log "
                         "WHERE %1$s = ?1 AND at >= ?2 "
                         "AND result IN ('wrong_password', 'unknown_user') "
                         "AND at >= coalesce((SELECT max(at) FROM login_log "
                         "                    WHERE %1$s = ?1 AND result = 'ok' AND ?3), '')",
                         column);
  if (sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, since, -1, SQLITE_STATIC);
  /* A success resets the count of an account, not of an address. */
  sqlite3_bind_int (stmt, 3, g_str_equal (column, "phone"));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      count = sqlite3_column_int (stmt, 0);
      *oldest = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);

  return count;
}

static gboolean
check_throttle (KehuStore   *store,
                const char  *phone,
                const char  *address,
                GDateTime   *now,
                GDateTime  **retry_at)
{
  g_autoptr(GDateTime) window_start = g_date_time_add_minutes (now, -KEHU_AUTH_THROTTLE_WINDOW_MINUTES);
  g_autofree char *since = kehu_iso_from_datetime (window_start);
  g_autofree char *oldest_phone = NULL;
  g_autofree char *oldest_address = NULL;
  const char *oldest = NULL;

  if (count_failures (store, "phone", phone, since, &oldest_phone) >= KEHU_AUTH_MAX_FAILURES_ACCOUNT)
    oldest = oldest_phone;
  else if (address != NULL &&
           count_failures (store, "address", address, since, &oldest_address) >= KEHU_AUTH_MAX_FAILURES_ADDRESS)
    oldest = oldest_address;

  if (oldest == NULL)
    return FALSE;

  if (retry_at != NULL)
    {
      g_autoptr(GDateTime) first = g_date_time_new_from_iso8601 (oldest, NULL);

      *retry_at = first ? g_date_time_add_minutes (first, KEHU_AUTH_THROTTLE_WINDOW_MINUTES)
                        : g_date_time_add_minutes (now, KEHU_AUTH_THROTTLE_WINDOW_MINUTES);
    }
  return TRUE;
}

struct _KehuLoginAttempt
{
  char      *phone;
  char      *password;
  char      *address;
  GDateTime *now;
  char      *user_id;
  char      *hash;
  gboolean   enabled;
  gboolean   verified;
};


void
kehu_login_attempt_free (KehuLoginAttempt *attempt)
{
  if (attempt == NULL)
    return;
  g_free (attempt->phone);
  if (attempt->password != NULL)
    sodium_memzero (attempt->password, strlen (attempt->password));
  g_free (attempt->password);
  g_free (attempt->address);
  g_clear_pointer (&attempt->now, g_date_time_unref);
  g_free (attempt->user_id);
  g_free (attempt->hash);
  g_free (attempt);
}

/**
 * kehu_auth_login_begin:
 * @retry_at: (out) (optional): when throttled, when to try again
 *
 * The first, quick part of a login, on the thread that owns the store:
 * the throttle check and the user's row. kehu_auth_login_verify() (slow,
 * any thread) and kehu_auth_login_finish() follow.
 *
 * Returns: (transfer full) (nullable): the attempt, or %NULL with @error
 *   set (KEHU_AUTH_ERROR_THROTTLED)
 */
KehuLoginAttempt *
kehu_auth_login_begin (KehuStore   *store,
                       const char  *phone,
                       const char  *password,
                       const char  *address,
                       GDateTime   *now,
                       GDateTime  **retry_at,
                       GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);
  KehuLoginAttempt *attempt;
  sqlite3_stmt *stmt;

  if (check_throttle (store, phone, address, now, retry_at))
    {
      log_attempt (store, at, address, phone, NULL, "throttled");
      g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_THROTTLED,
                   _("Too many failed logins; try again later"));
      return NULL;
    }

  attempt = g_new0 (KehuLoginAttempt, 1);
  attempt->phone = g_strdup (phone);
  attempt->password = g_strdup (password);
  attempt->address = g_strdup (address);
  attempt->now = g_date_time_ref (now);

  stmt = kehu_sql_prepare (store, NULL,
                           "SELECT id, password_hash, is_enabled FROM users WHERE phone = ?1 AND deleted_at IS NULL",
                           "s", phone);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      attempt->user_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      attempt->hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      attempt->enabled = sqlite3_column_int (stmt, 2) != 0;
    }
  sqlite3_finalize (stmt);

  return attempt;
}

/* The slow part: Argon2id. Touches no store, so it may run on any thread. */
void
kehu_auth_login_verify (KehuLoginAttempt *attempt)
{
  attempt->verified = kehu_auth_verify_password (attempt->hash ? attempt->hash : dummy_hash,
                                                 attempt->password) &&
                      attempt->hash != NULL;
}

/**
 * kehu_auth_login_finish:
 * @user_id: (out): the user who logged in
 *
 * Writes the login log and, when the password was right and the user is
 * enabled, stores a new token.
 *
 * Returns: (transfer full) (nullable): the token, or %NULL with @error set
 *   (KEHU_AUTH_ERROR_WRONG_CREDENTIALS for an unknown phone and a wrong
 *   password alike, so that phones cannot be probed)
 */
char *
kehu_auth_login_finish (KehuStore         *store,
                        KehuLoginAttempt  *attempt,
                        char             **user_id,
                        GError           **error)
{
  g_autofree char *at = kehu_iso_from_datetime (attempt->now);
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *expires = NULL;
  g_autoptr(GDateTime) expires_at = NULL;

  if (attempt->user_id == NULL)
    {
      log_attempt (store, at, attempt->address, attempt->phone, NULL, "unknown_user");
      g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_WRONG_CREDENTIALS,
                   _("Wrong phone number or password"));
      return NULL;
    }

  if (!attempt->verified)
    {
      log_attempt (store, at, attempt->address, attempt->phone, attempt->user_id, "wrong_password");
      g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_WRONG_CREDENTIALS,
                   _("Wrong phone number or password"));
      return NULL;
    }

  if (!attempt->enabled)
    {
      log_attempt (store, at, attempt->address, attempt->phone, attempt->user_id, "disabled");
      g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_DISABLED,
                   _("This account is disabled"));
      return NULL;
    }

  token = kehu_auth_new_token ();
  token_hash = kehu_auth_hash_token (token);
  expires_at = g_date_time_add_days (attempt->now, KEHU_AUTH_TOKEN_DAYS);
  expires = kehu_iso_from_datetime (expires_at);

  if (!kehu_store_begin (store, error))
    return NULL;
  if (kehu_sql_run (store, error,
                    "INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at, address) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
                    "sssss", token_hash, attempt->user_id, at, expires, attempt->address) < 0 ||
      kehu_sql_run (store, error, "UPDATE users SET last_login_at = ?1 WHERE id = ?2",
                    "ss", at, attempt->user_id) < 0)
    {
      kehu_store_rollback (store);
      return NULL;
    }
  log_attempt (store, at, attempt->address, attempt->phone, attempt->user_id, "ok");
  if (!kehu_store_commit (store, error))
    {
      kehu_store_rollback (store);
      return NULL;
    }

  *user_id = g_strdup (attempt->user_id);
  return g_steal_pointer (&token);
}

/* All three steps on the calling thread. */
char *
kehu_auth_login (KehuStore   *store,
                 const char  *phone,
                 const char  *password,
                 const char  *address,
                 GDateTime   *now,
                 char       **user_id,
                 GDateTime  **retry_at,
                 GError     **error)
{
  KehuLoginAttempt *attempt = kehu_auth_login_begin (store, phone, password, address, now, retry_at, error);
  char *token;

  if (attempt == NULL)
    return NULL;
  kehu_auth_login_verify (attempt);
  token = kehu_auth_login_finish (store, attempt, user_id, error);
  kehu_login_attempt_free (attempt);
  return token;
}

/**
 * kehu_auth_check_token:
 *
 * Returns: (transfer full) (nullable): the user the token belongs to, or
 *   %NULL with @error set when it is unknown, expired, revoked, or its
 *   user is disabled
 */
char *
kehu_auth_check_token (KehuStore   *store,
                       const char  *token,
                       GDateTime   *now,
                       GError     **error)
{
  g_autofree char *token_hash = kehu_auth_hash_token (token);
  g_autofree char *at = kehu_iso_from_datetime (now);
  g_autofree char *user_id = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store),
                           "SELECT t.user_id, t.expires_at, t.revoked_at, u.is_enabled "
                           "FROM auth_tokens t JOIN users u ON u.id = t.user_id "
                           "WHERE t.token_hash = ?1",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      kehu_store_set_error_from_db (store, rc, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_STATIC);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_INVALID_TOKEN,
                 _("The token is not valid; log in again"));
  else if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_REVOKED,
                 _("The token was revoked; log in again"));
  else if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), at) <= 0)
    g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_EXPIRED,
                 _("The token has expired; log in again"));
  else if (sqlite3_column_int (stmt, 3) == 0)
    g_set_error (error, KEHU_AUTH_ERROR, KEHU_AUTH_ERROR_DISABLED,
                 _("This account is disabled"));
  else
    user_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return g_steal_pointer (&user_id);
}

char *
kehu_auth_get_token_expiry (KehuStore  *store,
                            const char *token_hash)
{
  sqlite3_stmt *stmt = kehu_sql_prepare (store, NULL, "SELECT expires_at FROM auth_tokens WHERE token_hash = ?1",
                                         "s", token_hash);
  char *expires = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    expires = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return expires;
}

static gboolean
run_revoke (KehuStore   *store,
            const char  *sql,
            const char  *key,
            GDateTime   *now,
            GError     **error)
{
  g_autofree char *at = kehu_iso_from_datetime (now);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return kehu_store_set_error_from_db (store, rc, error);
  sqlite3_bind_text (stmt, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

gboolean
kehu_auth_logout (KehuStore   *store,
                  const char  *token,
                  GDateTime   *now,
                  GError     **error)
{
  g_autofree char *token_hash = kehu_auth_hash_token (token);

  return run_revoke (store,
                     "UPDATE auth_tokens SET revoked_at = ?1 "
                     "WHERE token_hash = ?2 AND revoked_at IS NULL",
                     token_hash, now, error);
}

/* Called inside the caller's transaction when a user is disabled. */
gboolean
kehu_auth_revoke_user (KehuStore   *store,
                       const char  *user_id,
                       GDateTime   *now,
                       GError     **error)
{
  return run_revoke (store,
                     "UPDATE auth_tokens SET revoked_at = ?1 "
                     "WHERE user_id = ?2 AND revoked_at IS NULL",
                     user_id, now, error);
}
