/* test-tls.c: kehu-server serves HTTPS with --tls-cert and --tls-key
 *
 * A self-signed certificate is made with the openssl tool (the test skips
 * when it is missing); the client accepts exactly that certificate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "kehu-test-server.h"

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTlsCertificate *expected = user_data;

  /* Self-signed: trust it because it is the one we made, nothing else. */
  return g_tls_certificate_is_same (certificate, expected);
}

static void
test_https (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert_arg = NULL;
  g_autofree char *key_arg = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) make = NULL;
  g_autoptr(KehuTestServer) server = NULL;
  g_autoptr(GTlsCertificate) expected = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  dir = g_dir_make_tmp ("kehu-test-tls-XXXXXX", &error);
  g_assert_no_error (error);
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);
  make = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (make, NULL, &error);
  g_assert_no_error (error);

  cert_arg = g_strdup_printf ("--tls-cert=%s", cert);
  key_arg = g_strdup_printf ("--tls-key=%s", key);
  server = kehu_test_server_start (NULL, cert_arg, key_arg, NULL);
  expected = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);

  session = soup_session_new ();
  url = g_strdup_printf ("https://127.0.0.1:%u/api/v1/health", server->port);
  msg = soup_message_new ("GET", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), expected);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "\"status\":\"ok\""));

  /* Plain HTTP on the same port does not get an answer. */
  {
    g_autofree char *plain = g_strdup_printf ("http://127.0.0.1:%u/api/v1/health", server->port);
    g_autoptr(SoupMessage) plain_msg = soup_message_new ("GET", plain);
    g_autoptr(GError) plain_error = NULL;
    g_autoptr(GBytes) plain_body = soup_session_send_and_read (session, plain_msg, NULL, &plain_error);

    g_assert_true (plain_error != NULL || soup_message_get_status (plain_msg) != 200);
  }

  g_assert_cmpint (kehu_test_server_stop (server, SIGTERM), ==, 0);
  kehu_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tls/https", test_https);

  return g_test_run ();
}
