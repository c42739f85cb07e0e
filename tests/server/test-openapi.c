/* test-openapi.c: docs/api/openapi.yaml and kehu-server's routes match
 *
 * The server lists its routes (the hidden --list-routes option); the YAML's
 * paths and methods are read line by line (the file keeps the usual
 * layout: two spaces before a path, four before a method). Every route must
 * be documented and every documented operation must exist.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-server.h"

static const char * const methods[] = { "get", "post", "put", "patch", "delete", NULL };

/* "METHOD /path" for every operation of the YAML text. */
static GHashTable *
operations_of_yaml (const char *text)
{
  GHashTable *operations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *path = NULL;
  gboolean in_paths = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] != ' ' && line[0] != '\0' && line[0] != '#')
        in_paths = g_str_equal (line, "paths:");
      if (!in_paths)
        continue;

      if (g_str_has_prefix (line, "  /") && g_str_has_suffix (line, ":"))
        {
          g_free (path);
          path = g_strndup (line + 2, strlen (line) - 3);
        }
      else if (path != NULL && g_str_has_prefix (line, "    ") && line[4] != ' ')
        {
          for (guint m = 0; methods[m] != NULL; m++)
            {
              g_autofree char *key = g_strconcat (methods[m], ":", NULL);
              g_autofree char *upper = g_ascii_strup (methods[m], -1);

              if (g_str_equal (line + 4, key))
                g_hash_table_add (operations, g_strdup_printf ("%s %s", upper, path));
            }
        }
    }

  return operations;
}

static GHashTable *
operations_of_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *operations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              g_getenv ("KEHU_SERVER_BIN"), "--list-routes", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_hash_table_add (operations, g_strdup (lines[i]));

  return operations;
}

/* The keys of @a missing from @b, sorted, one per line. */
static char *
missing (GHashTable *a,
         GHashTable *b)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      g_ptr_array_add (out, key);
  g_ptr_array_sort (out, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("\n", (char **) out->pdata);
}

static void
test_parser (void)
{
  const char yaml[] =
    "openapi: 3.0.3\n"
    "info:\n  title: x\n"
    "paths:\n"
    "  /api/v1/a:\n"
    "    get:\n"
    "      summary: get: not a method\n"
    "    post:\n"
    "      responses: {}\n"
    "  /api/v1/a/{id}:\n"
    "    parameters: []\n"
    "    delete:\n"
    "      summary: x\n"
    "components:\n"
    "  /api/v1/not-a-path:\n"
    "    get:\n";
  g_autoptr(GHashTable) operations = operations_of_yaml (yaml);

  g_assert_cmpuint (g_hash_table_size (operations), ==, 3);
  g_assert_true (g_hash_table_contains (operations, "GET /api/v1/a"));
  g_assert_true (g_hash_table_contains (operations, "POST /api/v1/a"));
  g_assert_true (g_hash_table_contains (operations, "DELETE /api/v1/a/{id}"));
}

static void
test_routes_match (void)
{
  g_autofree char *path = g_build_filename (KEHU_SOURCE_ROOT, "docs", "api", "openapi.yaml", NULL);
  g_autofree char *text = NULL;
  g_autofree char *undocumented = NULL;
  g_autofree char *unserved = NULL;
  g_autoptr(GHashTable) documented = NULL;
  g_autoptr(GHashTable) served = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  documented = operations_of_yaml (text);
  served = operations_of_server ();

  /* Sanity: both sides really were read. */
  g_assert_cmpuint (g_hash_table_size (served), >, 100);
  g_assert_true (g_hash_table_contains (served, "POST /api/v1/auth/login"));

  undocumented = missing (served, documented);
  unserved = missing (documented, served);
  if (undocumented[0] != '\0')
    g_test_message ("Routes missing from %s:\n%s", path, undocumented);
  if (unserved[0] != '\0')
    g_test_message ("Operations in %s that kehu-server does not serve:\n%s", path, unserved);
  g_assert_cmpstr (undocumented, ==, "");
  g_assert_cmpstr (unserved, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/openapi/parser", test_parser);
  g_test_add_func ("/openapi/routes-match", test_routes_match);

  return g_test_run ();
}
