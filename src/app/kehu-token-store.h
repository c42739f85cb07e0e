/* kehu-token-store.h: the sign-in token in the keyring (libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KEHU_TOKEN_STORE_ERROR (kehu_token_store_error_quark ())

typedef enum
{
  KEHU_TOKEN_STORE_ERROR_UNAVAILABLE,   /* no Secret Service answers */
  KEHU_TOKEN_STORE_ERROR_FAILED,
} KehuTokenStoreError;

GQuark    kehu_token_store_error_quark (void);

/* Schema "org.kehu.Kehu.Token", attributes server and phone. Without a
 * Secret Service these fail with KEHU_TOKEN_STORE_ERROR_UNAVAILABLE: the
 * token is never written to a plain file, the user signs in again. */
gboolean  kehu_token_store_save        (const char  *server,
                                        const char  *phone,
                                        const char  *token,
                                        GError     **error);
/* Returns: (nullable): the token, or NULL (none stored, or @error set) */
char     *kehu_token_store_lookup      (const char  *server,
                                        const char  *phone,
                                        GError     **error);
gboolean  kehu_token_store_clear       (const char  *server,
                                        const char  *phone,
                                        GError     **error);

G_END_DECLS
