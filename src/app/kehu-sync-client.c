/* kehu-sync-client.c: the app's link to kehu-server
 *
 * For now it knows whether the server answers: it asks GET /api/v1/health
 * at start, every minute, and whenever GNetworkMonitor says the network
 * changed, and reports local only / offline / online as its state. The
 * push and pull of DESIGN.md's sync protocol build on this object.
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
};

G_DEFINE_FINAL_TYPE (KehuSyncClient, kehu_sync_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_STATE,
  PROP_ERROR,
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
  set_state (self, KEHU_SYNC_STATE_ONLINE, NULL);
}

void
kehu_sync_client_check (KehuSyncClient *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (KEHU_IS_SYNC_CLIENT (self));

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
  kehu_sync_client_check (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_network_changed_cb (KehuSyncClient *self,
                       gboolean        available)
{
  kehu_sync_client_check (self);
}

static void
kehu_sync_client_dispose (GObject *object)
{
  KehuSyncClient *self = (KehuSyncClient *)object;

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
  g_object_class_install_properties (object_class, N_PROPS, properties);
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
