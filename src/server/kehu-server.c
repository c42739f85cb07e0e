/* kehu-server.c: the kehu-server executable
 *
 * Parses the command line, opens the store in the data folder, listens on
 * the requested address and serves /api/v1 until SIGINT or SIGTERM, then
 * closes the listening sockets and the store and exits 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-server"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "kehu-api.h"
#include "kehu-store.h"
#include "kehu-version.h"

#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT    8765

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Shutting down");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
listen_on (SoupServer  *server,
           const char  *address,
           int          port,
           gboolean     https,
           GError     **error)
{
  g_autoptr(GSocketAddress) sockaddr = NULL;
  g_autoptr(GInetAddress) inet = NULL;

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), address);
      return FALSE;
    }

  sockaddr = g_inet_socket_address_new (inet, port);
  return soup_server_listen (server, sockaddr,
                             https ? SOUP_SERVER_LISTEN_HTTPS : 0,
                             error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuStore) store = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(KehuApi) api = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *address = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  gboolean demo = FALSE;
  gboolean version = FALSE;
  int port = DEFAULT_PORT;
  GSList *uris;

  const GOptionEntry entries[] = {
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address,
      N_("Address to listen on (default 127.0.0.1)"), N_("ADDRESS") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      N_("Port to listen on (default 8765; 0 picks a free one)"), N_("PORT") },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Folder for the database and attachments"), N_("DIR") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo,
      N_("Seed a demo company into an empty database"), NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      N_("PEM certificate; serve HTTPS"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      N_("PEM private key for --tls-cert"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("The Kehu CRM server: a REST API under /api/v1."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("kehu-server %s\n", KEHU_VERSION);
      return 0;
    }

  if (port < 0 || port > 65535)
    {
      g_printerr ("kehu-server: %s\n", _("--port must be between 0 and 65535"));
      return 2;
    }

  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("kehu-server: %s\n", _("--tls-cert and --tls-key must be given together"));
      return 2;
    }

  if (data_dir == NULL)
    data_dir = g_build_filename (g_get_user_data_dir (), "kehu-server", NULL);
  db_path = g_build_filename (data_dir, "kehu.db", NULL);

  store = kehu_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 1;
    }

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr ("kehu-server: %s\n", error->message);
          return 1;
        }
    }

  server = soup_server_new ("server-header", "kehu-server/" KEHU_VERSION " ",
                            "tls-certificate", certificate,
                            NULL);
  api = kehu_api_new (store, server);

  if (!listen_on (server, address ? address : DEFAULT_ADDRESS, port,
                  certificate != NULL, &error))
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 1;
    }

  /* Before the address is printed: whoever reads it may signal us at once
   * (the same fix as on the server branch). */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);

  /* Scripts and tests read the chosen port from this line. */
  uris = soup_server_get_uris (server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *uri = g_uri_to_string (l->data);
      g_print ("kehu-server %s listening on %s\n", KEHU_VERSION, uri);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  fflush (stdout);

  if (demo)
    g_message ("Demo mode: data in %s", data_dir);

  g_main_loop_run (loop);

  soup_server_disconnect (server);

  return 0;
}
