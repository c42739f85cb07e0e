/* kehu-api-blobs.c: attachment contents, stored by SHA-256
 *
 * PUT /api/v1/blobs/{sha256} stores the body (up to
 * KEHU_API_MAX_ATTACHMENT_BODY) after checking that it hashes to the name;
 * the attachment record that points at it is created through the
 * attachments module. GET answers the bytes to whoever may read an
 * attachment that references them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "kehu-api.h"

static gboolean
valid_sha (const char *sha)
{
  return strlen (sha) == 64 && strspn (sha, "0123456789abcdef") == 64;
}

static char *
blob_path (KehuApi    *api,
           const char *sha)
{
  g_autofree char *prefix = g_strndup (sha, 2);

  return g_build_filename (kehu_api_get_data_dir (api), "blobs", prefix, sha, NULL);
}

static void
upload_cb (KehuApi     *api,
           KehuRequest *request)
{
  const char *sha = kehu_request_get_param (request, "sha256");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *now = kehu_request_get_now_iso (request);
  KehuStore *store = kehu_api_get_store (api);

  if (!kehu_request_require_permission (request, "attachment.create"))
    return;
  if (!valid_sha (sha))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "sha256",
                                _("The blob name must be a lower-case SHA-256 in hex"));
      return;
    }

  body = kehu_request_get_body (request);
  if (g_bytes_get_size (body) > KEHU_API_MAX_ATTACHMENT_BODY)
    {
      kehu_request_reply_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large", NULL,
                                _("The request body is larger than %d bytes"), KEHU_API_MAX_ATTACHMENT_BODY);
      return;
    }
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  if (!g_str_equal (actual, sha))
    {
      kehu_request_reply_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "sha256",
                                _("The content does not match its SHA-256 (it hashes to %s)"), actual);
      return;
    }

  path = blob_path (api, sha);
  dir = g_path_get_dirname (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *tmp = g_strconcat (path, ".part", NULL);

      /* Write aside, then rename: a crash never leaves half a blob under
       * its real name. */
      if (g_mkdir_with_parents (dir, 0700) != 0 ||
          !g_file_set_contents (tmp, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error) ||
          g_rename (tmp, path) != 0)
        {
          kehu_request_reply_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                                    _("Could not store the blob: %s"), error ? error->message : g_strerror (errno));
          return;
        }
    }

  if (kehu_sql_run (store, &error,
                    "INSERT OR IGNORE INTO blobs (sha256, size, path, stored_at) VALUES (?1, ?2, ?3, ?4)",
                    "siss", sha, (gint64) g_bytes_get_size (body), path, now) < 0)
    {
      kehu_request_reply_gerror (request, error);
      return;
    }

  reply = json_object_new ();
  json_object_set_string_member (reply, "sha256", sha);
  json_object_set_int_member (reply, "size", g_bytes_get_size (body));
  kehu_request_reply_object (request, SOUP_STATUS_CREATED, reply);
}

static void
download_cb (KehuApi     *api,
             KehuRequest *request)
{
  const char *sha = kehu_request_get_param (request, "sha256");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *mime = NULL;
  sqlite3_stmt *stmt = NULL;
  KehuPerm *perm;
  gboolean allowed = FALSE;
  gsize length;

  if (!(perm = kehu_request_require_permission (request, "attachment.read")))
    return;

  /* Readable when an attachment the user may see points at it. */
  condition = kehu_perm_restriction_sql (perm, "a");
  sql = g_strdup_printf ("SELECT a.mime_type FROM attachments a WHERE a.sha256 = :sha AND a.deleted_at IS NULL AND %s LIMIT 1",
                         condition);
  if (valid_sha (sha) &&
      sqlite3_prepare_v2 (kehu_store_get_db (kehu_api_get_store (api)), sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":sha"), sha, -1, SQLITE_STATIC);
      kehu_perm_bind_restriction (perm, stmt, "attachments");
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          allowed = TRUE;
          mime = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        }
    }
  sqlite3_finalize (stmt);

  path = valid_sha (sha) ? blob_path (api, sha) : NULL;
  if (!allowed || path == NULL || !g_file_get_contents (path, &contents, &length, NULL))
    {
      kehu_request_reply_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                _("There is no blob “%s”"), sha);
      return;
    }

  soup_server_message_set_status (kehu_request_get_message (request), SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (kehu_request_get_message (request),
                                    mime ? mime : "application/octet-stream",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&contents), length);
  kehu_request_mark_replied (request);
}

void
_kehu_api_blobs_register (KehuApi *self)
{
  kehu_api_add_route (self, "PUT", "/blobs/{sha256}", upload_cb);
  kehu_api_add_route (self, "GET", "/blobs/{sha256}", download_cb);
}
