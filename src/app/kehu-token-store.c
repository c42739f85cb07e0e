/* kehu-token-store.c: the sign-in token in the keyring (libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "kehu-token-store.h"

G_DEFINE_QUARK (kehu-token-store-error-quark, kehu_token_store_error)

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.kehu.Kehu.Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "phone", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/* Every failure to reach the keyring reads the same to the user: there is
 * none, so sign in again; the reason goes after it. */
static void
set_unavailable (GError **error,
                 GError  *cause)
{
  g_set_error (error, KEHU_TOKEN_STORE_ERROR, KEHU_TOKEN_STORE_ERROR_UNAVAILABLE,
               _("No keyring (Secret Service) answers, so Kehu cannot remember your sign-in and will ask for "
                 "your password again; it never writes the token to a file (%s)"),
               cause ? cause->message : _("unknown reason"));
}

gboolean
kehu_token_store_save (const char  *server,
                       const char  *phone,
                       const char  *token,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = g_strdup_printf (_("Kehu sign-in for %s at %s"), phone, server);

  if (!secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, NULL, &local_error,
                                   "server", server, "phone", phone, NULL))
    {
      set_unavailable (error, local_error);
      return FALSE;
    }
  return TRUE;
}

char *
kehu_token_store_lookup (const char  *server,
                         const char  *phone,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret = secret_password_lookup_sync (token_schema (), NULL, &local_error,
                                              "server", server, "phone", phone, NULL);
  char *token;

  if (local_error != NULL)
    {
      set_unavailable (error, local_error);
      return NULL;
    }
  token = g_strdup (secret);
  secret_password_free (secret);
  return token;
}

gboolean
kehu_token_store_clear (const char  *server,
                        const char  *phone,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  secret_password_clear_sync (token_schema (), NULL, &local_error, "server", server, "phone", phone, NULL);
  if (local_error != NULL)
    {
      set_unavailable (error, local_error);
      return FALSE;
    }
  return TRUE;
}
