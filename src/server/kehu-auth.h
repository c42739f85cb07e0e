/* kehu-auth.h: passwords, tokens, login throttling and the login log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_AUTH_ERROR (kehu_auth_error_quark ())

typedef enum
{
  KEHU_AUTH_ERROR_INVALID_TOKEN,
  KEHU_AUTH_ERROR_EXPIRED,
  KEHU_AUTH_ERROR_REVOKED,
  KEHU_AUTH_ERROR_DISABLED,
  KEHU_AUTH_ERROR_WRONG_CREDENTIALS,
  KEHU_AUTH_ERROR_THROTTLED,
  KEHU_AUTH_ERROR_WEAK_PASSWORD,
  KEHU_AUTH_ERROR_HASH,
} KehuAuthError;

/* Tokens live this long; failed logins are counted over this window. */
#define KEHU_AUTH_TOKEN_DAYS              30
#define KEHU_AUTH_THROTTLE_WINDOW_MINUTES 15
#define KEHU_AUTH_MAX_FAILURES_ACCOUNT    5
#define KEHU_AUTH_MAX_FAILURES_ADDRESS    20
#define KEHU_AUTH_MIN_PASSWORD_LENGTH     8

typedef struct _KehuLoginAttempt KehuLoginAttempt;

GQuark      kehu_auth_error_quark        (void);

gboolean    kehu_auth_init               (void);
char       *kehu_auth_hash_password      (const char  *password,
                                          GError     **error);
gboolean    kehu_auth_verify_password    (const char  *hash,
                                          const char  *password);
gboolean    kehu_auth_check_password_strength (const char *password,
                                          GError     **error);
char       *kehu_auth_new_token          (void);
char       *kehu_auth_hash_token         (const char  *token);

char       *kehu_auth_login              (KehuStore   *store,
                                          const char  *phone,
                                          const char  *password,
                                          const char  *address,
                                          GDateTime   *now,
                                          char       **user_id,
                                          GDateTime  **retry_at,
                                          GError     **error);
KehuLoginAttempt *kehu_auth_login_begin  (KehuStore   *store,
                                          const char  *phone,
                                          const char  *password,
                                          const char  *address,
                                          GDateTime   *now,
                                          GDateTime  **retry_at,
                                          GError     **error);
void        kehu_auth_login_verify       (KehuLoginAttempt *attempt);
char       *kehu_auth_login_finish       (KehuStore   *store,
                                          KehuLoginAttempt *attempt,
                                          char       **user_id,
                                          GError     **error);
void        kehu_login_attempt_free      (KehuLoginAttempt *attempt);
char       *kehu_auth_check_token        (KehuStore   *store,
                                          const char  *token,
                                          GDateTime   *now,
                                          GError     **error);
char       *kehu_auth_get_token_expiry   (KehuStore   *store,
                                          const char  *token_hash);
gboolean    kehu_auth_logout             (KehuStore   *store,
                                          const char  *token,
                                          GDateTime   *now,
                                          GError     **error);
gboolean    kehu_auth_revoke_user        (KehuStore   *store,
                                          const char  *user_id,
                                          GDateTime   *now,
                                          GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuLoginAttempt, kehu_login_attempt_free)

G_END_DECLS
