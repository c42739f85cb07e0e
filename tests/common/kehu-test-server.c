/* kehu-test-server.c: a real kehu-server process for the tests
 *
 * Starts the kehu-server binary named by $KEHU_SERVER_BIN on a free
 * loopback port (--port 0), reads the port back from the line it prints,
 * and stops it with a signal, returning its exit status. $KEHU_SERVER_WRAPPER,
 * when set, is put before the command (a memory checker).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "kehu-test-server.h"

void
kehu_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      kehu_test_rm_rf (child);
    }
  g_rmdir (path);
}

KehuTestServer *
kehu_test_server_start (const char *data_dir,
                        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *bin = g_getenv ("KEHU_SERVER_BIN");
  KehuTestServer *server;
  const char *marker;
  va_list args;

  g_assert_nonnull (bin);

  server = g_new0 (KehuTestServer, 1);
  if (data_dir == NULL)
    {
      server->data_dir = g_dir_make_tmp ("kehu-test-server-XXXXXX", &error);
      g_assert_no_error (error);
      server->own_data_dir = TRUE;
    }
  else
    server->data_dir = g_strdup (data_dir);

  /* KEHU_SERVER_WRAPPER runs the server under another program, such as
   * "valgrind --leak-check=full --error-exitcode=1" (README.md, "Checking memory"). */
  if (g_getenv ("KEHU_SERVER_WRAPPER") != NULL && *g_getenv ("KEHU_SERVER_WRAPPER") != '\0')
    {
      g_auto(GStrv) wrapper = NULL;

      g_shell_parse_argv (g_getenv ("KEHU_SERVER_WRAPPER"), NULL, &wrapper, &error);
      g_assert_no_error (error);
      for (guint i = 0; wrapper[i] != NULL; i++)
        g_ptr_array_add (argv, g_strdup (wrapper[i]));
    }
  g_ptr_array_add (argv, g_strdup (bin));
  g_ptr_array_add (argv, g_strdup ("--port=0"));
  g_ptr_array_add (argv, g_strdup_printf ("--data-dir=%s", server->data_dir));

  va_start (args, data_dir);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  server->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("kehu-server exited before it printed its address");

  marker = strstr (line, "listening on http");
  g_assert_nonnull (marker);
  {
    const char *colon = strrchr (line, ':');
    g_assert_nonnull (colon);
    server->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  }
  g_assert_cmpuint (server->port, >, 0);

  server->base_url = g_strdup_printf ("http://127.0.0.1:%u", server->port);

  return server;
}

/* Returns the exit status, or -signal when the process was killed. */
int
kehu_test_server_stop (KehuTestServer *server,
                       int             signum)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (server->process);

  g_subprocess_send_signal (server->process, signum);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);

  if (g_subprocess_get_if_signaled (server->process))
    return -g_subprocess_get_term_sig (server->process);

  return g_subprocess_get_exit_status (server->process);
}

void
kehu_test_server_free (KehuTestServer *server)
{
  if (server == NULL)
    return;

  if (server->process != NULL && g_subprocess_get_identifier (server->process) != NULL)
    {
      /* Under a wrapper, let the server shut down cleanly, so that a memory
       * checker sees it exit and reports its leaks. */
      if (g_getenv ("KEHU_SERVER_WRAPPER") != NULL && *g_getenv ("KEHU_SERVER_WRAPPER") != '\0')
        g_subprocess_send_signal (server->process, SIGTERM);
      else
        g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
    }
  g_clear_object (&server->process);

  if (server->own_data_dir)
    kehu_test_rm_rf (server->data_dir);

  g_free (server->data_dir);
  g_free (server->base_url);
  g_free (server);
}

char *
kehu_test_server_url (KehuTestServer *server,
                      const char     *path)
{
  return g_strconcat (server->base_url, path, NULL);
}

/* A blocking request; the reply is parsed as JSON, which every reply of
 * kehu-server must be, errors included. */
JsonNode *
kehu_test_http (SoupSession *session,
                const char  *method,
                const char  *url,
                const char  *body,
                guint       *status)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *content_type;

  g_assert_nonnull (msg);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  *status = soup_message_get_status (msg);

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  g_assert_cmpstr (content_type, ==, "application/json");

  json_parser_load_from_data (parser,
                              g_bytes_get_data (reply, NULL),
                              g_bytes_get_size (reply),
                              &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}
