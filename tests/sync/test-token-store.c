/* test-token-store.c: the sign-in token in the keyring, and without one
 *
 * Run twice by meson: inside run-with-keyring.sh (KEHU_TEST_KEYRING=1, a
 * real gnome-keyring-daemon on a private session bus) and with a session
 * bus address that leads nowhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "kehu-token-store.h"

#define SERVER "http://127.0.0.1:8765"

/* What secret-tool, not our code, finds in the keyring. */
static char *
secret_tool_lookup (const char *phone)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *cmd = g_strdup_printf ("secret-tool lookup server " SERVER " phone %s", phone);
  int status = 0;

  g_spawn_command_line_sync (cmd, &out, NULL, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    return NULL;
  return g_strdup (g_strstrip (out));
}

static void
test_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *seen = NULL;

  g_assert_true (kehu_token_store_save (SERVER, "13800000000", "token-one", &error));
  g_assert_no_error (error);
  seen = secret_tool_lookup ("13800000000");
  g_assert_cmpstr (seen, ==, "token-one");

  token = kehu_token_store_lookup (SERVER, "13800000000", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-one");
  g_clear_pointer (&token, g_free);

  /* Another account on the same server has its own entry. */
  token = kehu_token_store_lookup (SERVER, "13900000000", &error);
  g_assert_no_error (error);
  g_assert_null (token);

  /* Signing in again replaces the token. */
  g_assert_true (kehu_token_store_save (SERVER, "13800000000", "token-two", &error));
  token = kehu_token_store_lookup (SERVER, "13800000000", &error);
  g_assert_cmpstr (token, ==, "token-two");
  g_clear_pointer (&token, g_free);

  g_assert_true (kehu_token_store_clear (SERVER, "13800000000", &error));
  g_assert_no_error (error);
  token = kehu_token_store_lookup (SERVER, "13800000000", &error);
  g_assert_no_error (error);
  g_assert_null (token);
  g_clear_pointer (&seen, g_free);
  seen = secret_tool_lookup ("13800000000");
  g_assert_null (seen);
}

static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      return g_file_get_contents (path, &contents, &length, NULL) &&
             g_strstr_len (contents, length, needle) != NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (tree_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

static void
test_no_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *home = g_dir_make_tmp ("kehu-test-token-XXXXXX", NULL);

  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_assert_false (kehu_token_store_save (SERVER, "13800000000", "secret-token-xyz", &error));
  g_assert_error (error, KEHU_TOKEN_STORE_ERROR, KEHU_TOKEN_STORE_ERROR_UNAVAILABLE);
  /* Says what happened and what the user will see. */
  g_assert_nonnull (strstr (error->message, "keyring"));
  g_assert_nonnull (strstr (error->message, "password again"));
  g_clear_error (&error);

  token = kehu_token_store_lookup (SERVER, "13800000000", &error);
  g_assert_null (token);
  g_assert_error (error, KEHU_TOKEN_STORE_ERROR, KEHU_TOKEN_STORE_ERROR_UNAVAILABLE);
  /* And no plain file holds the token instead. */
  g_assert_false (tree_contains (home, "secret-token-xyz"));
  {
    const char *argv[] = { "rm", "-rf", home, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("KEHU_TEST_KEYRING") != NULL)
    g_test_add_func ("/token-store/keyring", test_keyring);
  else
    g_test_add_func ("/token-store/no-secret-service", test_no_service);

  return g_test_run ();
}
