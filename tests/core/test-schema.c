/* test-schema.c: the schema description, seeds and custom fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "kehu-core.h"
#include "kehu-test-util.h"

static void
test_every_column_described (KehuFixture   *f,
                             gconstpointer  data)
{
  const char * const *modules = kehu_schema_list_modules ();
  guint n = 0;

  for (guint i = 0; modules[i]; i++, n++)
    {
      const KehuModule *module = kehu_schema_get_module (f->schema, modules[i]);
      g_autofree char *sql = g_strdup_printf ("PRAGMA table_info (%s)", modules[i]);
      sqlite3_stmt *stmt = NULL;
      guint columns = 0;

      g_assert_nonnull (module);
      g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *column = (const char *) sqlite3_column_text (stmt, 1);
          const KehuField *field = kehu_module_lookup_field (module, column);

          columns++;
          if (strcmp (column, "extra") == 0)
            {
              g_assert_true (kehu_module_has_column (module, "extra"));
              continue;
            }
          if (field == NULL)
            g_error ("%s.%s is not described", modules[i], column);
          g_assert_cmpstr (field->name, ==, column);
          g_assert_nonnull (field->label);
          if (field->type == KEHU_FIELD_CHOICE)
            g_assert_nonnull (field->dictionary);
          if (field->type == KEHU_FIELD_ENUM)
            g_assert_nonnull (field->choices);
          if (field->type == KEHU_FIELD_REFERENCE)
            g_assert_nonnull (field->reference);
          /* The NOT NULL flag comes from the table itself. */
          g_assert_cmpint (!!(field->flags & KEHU_FIELD_NOT_NULL), ==, sqlite3_column_int (stmt, 3));
        }
      sqlite3_finalize (stmt);
      g_assert_cmpuint (columns, >, 3);

      g_assert_nonnull (kehu_module_lookup_field (module, kehu_module_get_title_field (module)));
      g_assert_nonnull (kehu_module_lookup_field (module, kehu_module_get_default_sort (module, NULL)));
      g_assert_true (kehu_module_lookup_field (module, kehu_module_get_default_sort (module, NULL))->flags & KEHU_FIELD_SORTABLE);
    }
  g_assert_cmpuint (n, ==, 22);

  /* Known facts from SPEC.md. */
  {
    const KehuModule *customers = kehu_schema_get_module (f->schema, "customers");
    const KehuField *name = kehu_module_lookup_field (customers, "name");
    const KehuField *level = kehu_module_lookup_field (customers, "level");
    const KehuField *total = kehu_module_lookup_field (customers, "contract_total");
    const KehuField *contact_customer = kehu_module_lookup_field (kehu_schema_get_module (f->schema, "contacts"), "customer_id");

    g_assert_true (name->flags & KEHU_FIELD_REQUIRED);
    g_assert_true (name->flags & KEHU_FIELD_SEARCHABLE);
    g_assert_cmpstr (level->dictionary, ==, "customer_level");
    g_assert_cmpint (total->type, ==, KEHU_FIELD_MONEY);
    g_assert_true (total->flags & KEHU_FIELD_READ_ONLY);
    g_assert_cmpstr (contact_customer->reference, ==, "customers");
    g_assert_true (contact_customer->flags & KEHU_FIELD_PARENT);
    g_assert_cmpstr (kehu_module_get_permission_key (customers), ==, "customer");
    g_assert_null (kehu_schema_get_module (f->schema, "nonsense"));
  }
}

static int
count (KehuFixture *f,
       const char  *sql)
{
  return (int) kehu_test_query_int (f->store, sql);
}

static void
test_seeds (KehuFixture   *f,
            gconstpointer  data)
{
  g_autofree char *perms = NULL;

  g_assert_cmpint (count (f, "SELECT count(*) FROM dictionaries"), ==, 8);
  g_assert_cmpint (count (f, "SELECT count(*) FROM dictionary_items WHERE dictionary_id = 'followup_method'"), ==, 6);
  g_assert_cmpint (count (f, "SELECT count(*) FROM dictionary_items WHERE dictionary_id = 'customer_level' AND value IN ('potential', 'normal', 'vip')"), ==, 3);

  /* SPEC §6 win rates, in order. */
  {
    sqlite3_stmt *stmt = NULL;
    const int rates[] = { 10, 30, 60, 80, 100, 0, 0 };
    const char *kinds[] = { "open", "open", "open", "open", "won", "lost", "invalid" };
    guint i = 0;

    g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store),
                                         "SELECT win_rate, kind FROM stages WHERE group_id = '" KEHU_ID_DEFAULT_STAGE_GROUP "' ORDER BY position",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        g_assert_cmpuint (i, <, G_N_ELEMENTS (rates));
        g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, rates[i]);
        g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, kinds[i]);
        i++;
      }
    sqlite3_finalize (stmt);
    g_assert_cmpuint (i, ==, 7);
  }

  g_assert_cmpint (count (f, "SELECT count(*) FROM departments WHERE id = '" KEHU_ID_TOP_DEPARTMENT "' AND parent_id IS NULL"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM roles WHERE is_system = 1"), ==, 3);
  g_assert_cmpint (count (f, "SELECT count(*) FROM roles WHERE id = '" KEHU_ID_ROLE_SALES_MANAGER "' AND data_scope = 'department_and_children'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM roles WHERE id = '" KEHU_ID_ROLE_SALES_REP "' AND data_scope = 'self'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pools WHERE id = '" KEHU_ID_DEFAULT_POOL "' AND is_default = 1"), ==, 1);

  perms = kehu_test_query_text (f->store, "SELECT permissions FROM roles WHERE id = '" KEHU_ID_ROLE_SALES_REP "'");
  g_assert_nonnull (strstr (perms, "\"customer.create\""));
  g_assert_null (strstr (perms, "\"customer.delete\""));
  g_free (perms);
  perms = kehu_test_query_text (f->store, "SELECT permissions FROM roles WHERE id = '" KEHU_ID_ROLE_SALES_MANAGER "'");
  g_assert_nonnull (strstr (perms, "\"customer.transfer\""));
  g_assert_nonnull (strstr (perms, "\"contract.approve\""));
  g_assert_null (strstr (perms, "\"role.edit\""));
  g_free (perms);
  perms = kehu_test_query_text (f->store, "SELECT permissions FROM roles WHERE id = '" KEHU_ID_ROLE_SUPER_ADMIN "'");
  g_assert_nonnull (strstr (perms, "\"role.edit\""));
  g_assert_nonnull (strstr (perms, "\"recycle.purge\""));
}

static void
test_seeds_once (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-schema-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "seeds.db", NULL);

  for (int from = 0; from <= kehu_store_get_latest_version (); from++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KehuStore) store = NULL;

      kehu_test_remove_db (path);
      g_clear_object (&store);
      store = kehu_store_open_at_version (path, from, &error);
      g_assert_no_error (error);
      g_clear_object (&store);
      store = kehu_store_open (path, &error);
      g_assert_no_error (error);
      g_clear_object (&store);
      /* A second open must not seed again. */
      store = kehu_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (kehu_test_query_int (store, "SELECT count(*) FROM departments"), ==, 1);
      g_assert_cmpint (kehu_test_query_int (store, "SELECT count(*) FROM stages"), ==, 7);
      g_assert_cmpint (kehu_test_query_int (store, "SELECT count(*) FROM roles"), ==, 3);
      g_assert_cmpint (kehu_test_query_int (store, "SELECT count(*) FROM dictionary_items WHERE dictionary_id = 'industry'"), ==, 9);
    }
  kehu_test_remove_db (path);
  g_rmdir (dir);
}

static void
test_zh_cn_labels (KehuFixture   *f,
                   gconstpointer  data)
{
  g_autofree char *office = kehu_test_query_text (f->store, "SELECT name FROM departments WHERE id = '" KEHU_ID_TOP_DEPARTMENT "'");
  g_autofree char *stage = kehu_test_query_text (f->store, "SELECT name FROM stages WHERE id = '" KEHU_ID_STAGE_QUALIFY "'");
  const char *old_lang = g_getenv ("LANGUAGE");
  g_autofree char *saved = g_strdup (old_lang);
  const KehuModule *customers = kehu_schema_get_module (f->schema, "customers");

  g_assert_cmpstr (office, ==, "Office");
  g_assert_cmpstr (kehu_schema_display_label ("Administrator's own name"), ==, "Administrator's own name");

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("no zh_CN.UTF-8 locale");
      return;
    }
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("KEHU_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_assert_cmpstr (kehu_schema_display_label (office), ==, "办公室");
  g_assert_cmpstr (kehu_schema_display_label (stage), ==, "验证客户");
  g_assert_cmpstr (kehu_module_get_plural (customers), ==, "客户");
  g_assert_cmpstr (kehu_field_get_label (kehu_module_lookup_field (customers, "owner_id")), ==, "负责人");
  /* A renamed department has no translation and shows as typed. */
  g_assert_cmpstr (kehu_schema_display_label ("华东大区"), ==, "华东大区");

  if (saved)
    g_setenv ("LANGUAGE", saved, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C.UTF-8");
}

static void
test_custom_fields (KehuFixture   *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *extra = NULL;
  const KehuModule *customers;
  const KehuField *field;

  id = kehu_schema_add_custom_field (f->schema, "customers", "budget", "预算", KEHU_FIELD_MONEY,
                                     KEHU_FIELD_IN_LIST, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  customers = kehu_schema_get_module (f->schema, "customers");
  field = kehu_module_lookup_field (customers, "budget");
  g_assert_nonnull (field);
  g_assert_true (field->flags & KEHU_FIELD_CUSTOM);
  g_assert_cmpint (field->type, ==, KEHU_FIELD_MONEY);
  g_assert_cmpstr (kehu_field_get_label (field), ==, "预算");
  {
    g_autofree char *sql = kehu_field_get_sql (field);
    g_assert_cmpstr (sql, ==, "json_extract (extra, '$.budget')");
  }

  /* Duplicates and bad names are refused. */
  g_assert_null (kehu_schema_add_custom_field (f->schema, "customers", "budget", "x", KEHU_FIELD_TEXT, 0, NULL, &error));
  g_assert_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_null (kehu_schema_add_custom_field (f->schema, "customers", "name", "x", KEHU_FIELD_TEXT, 0, NULL, &error));
  g_assert_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_null (kehu_schema_add_custom_field (f->schema, "customers", "x'; DROP", "x", KEHU_FIELD_TEXT, 0, NULL, &error));
  g_assert_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_null (kehu_schema_add_custom_field (f->schema, "nope", "a", "x", KEHU_FIELD_TEXT, 0, NULL, &error));
  g_assert_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_UNKNOWN_MODULE);
  g_clear_error (&error);

  /* Values in extra follow a rename and go with a removal. */
  g_assert_true (kehu_store_exec (f->store,
                                  "INSERT INTO customers (id, created_at, updated_at, name, extra) VALUES"
                                  " ('c1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'A', '{\"budget\":500,\"other\":1}'),"
                                  " ('c2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'B', '{}')", &error));
  g_assert_no_error (error);
  g_assert_true (kehu_schema_rename_custom_field (f->schema, "customers", "budget", "budget2", &error));
  g_assert_no_error (error);
  customers = kehu_schema_get_module (f->schema, "customers");
  g_assert_null (kehu_module_lookup_field (customers, "budget"));
  g_assert_nonnull (kehu_module_lookup_field (customers, "budget2"));
  extra = kehu_test_query_text (f->store, "SELECT extra FROM customers WHERE id = 'c1'");
  g_assert_cmpstr (extra, ==, "{\"other\":1,\"budget2\":500}");
  g_free (extra);
  extra = kehu_test_query_text (f->store, "SELECT extra FROM customers WHERE id = 'c2'");
  g_assert_cmpstr (extra, ==, "{}");
  g_free (extra);

  g_assert_true (kehu_schema_remove_custom_field (f->schema, "customers", "budget2", &error));
  g_assert_no_error (error);
  customers = kehu_schema_get_module (f->schema, "customers");
  g_assert_null (kehu_module_lookup_field (customers, "budget2"));
  extra = kehu_test_query_text (f->store, "SELECT extra FROM customers WHERE id = 'c1'");
  g_assert_cmpstr (extra, ==, "{\"other\":1}");

  g_assert_false (kehu_schema_remove_custom_field (f->schema, "customers", "name", &error));
  g_assert_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_NOT_FOUND);
}

static void
test_normalize_name (void)
{
  const struct { const char *in; const char *out; } cases[] = {
    { "北京某某科技有限公司", "北京某某科技" },
    { "  北京某某科技 股份有限公司 ", "北京某某科技" },
    { "北京某某科技", "北京某某科技" },
    { "ＡＢＣ　Ｔｅｃｈ", "abctech" },
    { "ABC Tech Co., Ltd.", "abctech" },
    { "abc tech inc", "abctech" },
    { "上海某某（集团）有限公司", "上海某某" },
    { "有限公司", "有限公司" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = kehu_schema_normalize_name (cases[i].in);
      g_assert_cmpstr (key, ==, cases[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  KEHU_TEST_ADD ("/schema/describe/every-column", test_every_column_described);
  KEHU_TEST_ADD ("/schema/seeds/content", test_seeds);
  KEHU_TEST_ADD ("/schema/seeds/zh-cn", test_zh_cn_labels);
  KEHU_TEST_ADD ("/schema/custom-fields/add-rename-remove", test_custom_fields);
  g_test_add_func ("/schema/seeds/once-from-each-version", test_seeds_once);
  g_test_add_func ("/schema/normalize-name", test_normalize_name);

  return g_test_run ();
}
