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
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib-unix.h>
#include <sodium.h>
#include <glib/gi18n.h>

#include "kehu-api.h"
#include "kehu-auth.h"
#include "kehu-demo-server.h"
#include "kehu-jobs.h"
#include "kehu-org.h"
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

/* --create-admin: the first line of standard input is the password, so
 * that it never shows in the process list or the shell history. */
static int
run_create_admin (KehuStore  *store,
                  const char *phone)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *id = NULL;
  char line[1024];
  gsize len;

  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_printerr ("kehu-server: %s\n", _("Give the password on standard input"));
      return 2;
    }
  len = strlen (line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';

  id = kehu_org_create_super_admin (store, phone, _("Administrator"), line, now, &error);
  sodium_memzero (line, sizeof line);
  if (id == NULL)
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 1;
    }

  g_print ("%s\n", id);
  return 0;
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
  g_autofree char *create_admin = NULL;
  gboolean demo = FALSE;
  gboolean version = FALSE;
  gboolean test_clock = FALSE;
  gboolean list_routes = FALSE;
  gboolean analyzed = FALSE;
  int recycle_minutes = KEHU_JOBS_DEFAULT_RECYCLE_MINUTES;
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
    { "recycle-interval", 0, 0, G_OPTION_ARG_INT, &recycle_minutes,
      N_("Minutes between runs of the pool recycle job (default 60; 0 turns it off)"), N_("MINUTES") },
    { "create-admin", 0, 0, G_OPTION_ARG_STRING, &create_admin,
      N_("Create a super administrator with this phone number, reading the password from standard input, and exit"),
      N_("PHONE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    /* For the tests only: honour X-Kehu-Now, and print the routes. */
    { "test-clock", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &test_clock, NULL, NULL },
    { "list-routes", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &list_routes, NULL, NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* KEHU_LOCALEDIR: the catalogs of an uninstalled build (the tests). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("KEHU_LOCALEDIR") ? g_getenv ("KEHU_LOCALEDIR") : LOCALEDIR);
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

#ifdef __linux__
  /* Under test, die with the test: an aborted test must not leave a
   * server holding its pipes open. */
  if (test_clock)
    prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif

  if (!kehu_auth_init ())
    {
      g_printerr ("kehu-server: %s\n", _("Could not initialise libsodium"));
      return 1;
    }

  if (list_routes)
    {
      g_autoptr(KehuStore) memory_store = kehu_store_open (":memory:", &error);
      g_autoptr(SoupServer) unused_server = soup_server_new (NULL, NULL);
      g_autoptr(KehuApi) routes_api = NULL;
      g_auto(GStrv) routes = NULL;

      if (memory_store == NULL)
        {
          g_printerr ("kehu-server: %s\n", error->message);
          return 1;
        }
      routes_api = kehu_api_new (memory_store, unused_server);
      routes = kehu_api_list_routes (routes_api);
      for (guint i = 0; routes[i] != NULL; i++)
        g_print ("%s\n", routes[i]);
      return 0;
    }

  if (port < 0 || port > 65535)
    {
      g_printerr ("kehu-server: %s\n", _("--port must be between 0 and 65535"));
      return 2;
    }

  if (recycle_minutes < 0)
    {
      g_printerr ("kehu-server: %s\n", _("--recycle-interval must not be negative"));
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

  if (create_admin != NULL)
    return run_create_admin (store, create_admin);

  if (demo && !kehu_demo_server_seed (store, &error))
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 1;
    }

  /* Before serving: ANALYZE holds the write lock while it runs, and it
   * only runs when the data has grown a lot since the last time. */
  if (!kehu_store_refresh_stats (store, FALSE, &analyzed, &error))
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 1;
    }
  if (analyzed)
    g_message ("Refreshed the database's planner statistics");

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
  kehu_api_set_data_dir (api, data_dir);
  kehu_api_set_test_clock (api, test_clock);

  /* Before the "listening" line: a script may signal us as soon as it
   * reads it, and the default handler would kill us uncleanly. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);

  if (!listen_on (server, address ? address : DEFAULT_ADDRESS, port,
                  certificate != NULL, &error))
    {
      g_printerr ("kehu-server: %s\n", error->message);
      return 1;
    }

  kehu_jobs_start_recycle (store, recycle_minutes);

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
