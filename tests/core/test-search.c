/* test-search.c: quick search on a real store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kehu-search.h"
#include "kehu-store.h"

typedef struct
{
  char      *dir;
  char      *path;
  KehuStore *store;
} Fixture;

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

static void
exec (KehuStore  *store,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  kehu_store_exec (store, sql, &error);
  g_assert_no_error (error);
}

static void
insert_customer (KehuStore  *store,
                 const char *id,
                 const char *name,
                 const char *phone,
                 const char *email)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (store),
                                       "INSERT INTO customers (id, created_at, updated_at, name, phone, email)"
                                       " VALUES (?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?, ?)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, phone, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, email, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("kehu-test-search-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "kehu.db", NULL);
  f->store = kehu_store_open (f->path, &error);
  g_assert_no_error (error);

  insert_customer (f->store, "a", "北京大学", "138-1234-5678", "pku.admin@pku.edu.cn");
  insert_customer (f->store, "b", "南京大学", "13900001111", "nju@nju.edu.cn");
  insert_customer (f->store, "c", "北京理工大学", NULL, NULL);
  insert_customer (f->store, "d", "Acme 科技 (Shenzhen) Ltd.", "+86 755 8888 0000", "Sales@ACME.com");
  insert_customer (f->store, "e", "单雄信", NULL, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* The ids of the module's live records that @query finds, sorted, joined with ",". */
static char *
search_module (KehuStore  *store,
               const char *module,
               const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *condition = NULL;
  g_auto(GStrv) params = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GString) ids = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_true (kehu_search_condition (module, query, "t.rowid", &condition, &params, &error));
  g_assert_no_error (error);
  sql = g_strdup_printf ("SELECT id FROM %s AS t WHERE deleted_at IS NULL AND %s ORDER BY id",
                         module, condition);
  rc = sqlite3_prepare_v2 (kehu_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (kehu_store_get_db (store)));
  g_assert_cmpuint (g_strv_length (params), ==, (guint) sqlite3_bind_parameter_count (stmt));
  for (guint i = 0; params[i] != NULL; i++)
    sqlite3_bind_text (stmt, i + 1, params[i], -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (ids->len > 0)
        g_string_append_c (ids, ',');
      g_string_append (ids, (const char *) sqlite3_column_text (stmt, 0));
    }
  if (rc != SQLITE_DONE)
    g_error ("“%s”: %s", query, sqlite3_errmsg (kehu_store_get_db (store)));
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
search (KehuStore  *store,
        const char *query)
{
  return search_module (store, "customers", query);
}

#define assert_finds(store, query, expected) \
  G_STMT_START { \
    g_autofree char *found_ = search ((store), (query)); \
    g_test_message ("query “%s”", (query)); \
    g_assert_cmpstr (found_, ==, (expected)); \
  } G_STMT_END

static void
test_chinese (Fixture       *f,
              gconstpointer  data)
{
  assert_finds (f->store, "bjdx", "a");
  assert_finds (f->store, "BJDX", "a");
  assert_finds (f->store, "bj", "a,c");
  assert_finds (f->store, "beijing", "a,c");
  assert_finds (f->store, "beijingdaxue", "a");
  assert_finds (f->store, "北京", "a,c");
  assert_finds (f->store, "京", "a,b,c");
  assert_finds (f->store, "北京大学", "a");
  assert_finds (f->store, "大学", "a,b,c");
  assert_finds (f->store, "南京", "b");
  assert_finds (f->store, "nanjing", "b");
  /* From a syllable boundary inside the name. */
  assert_finds (f->store, "daxue", "a,b,c");
  assert_finds (f->store, "ligong", "c");
  assert_finds (f->store, "lgdx", "c");
  /* Characters that are not next to each other are not a phrase. */
  assert_finds (f->store, "北大", "");
  assert_finds (f->store, "京北", "");
  /* A person's name, with either reading of the surname. */
  assert_finds (f->store, "shanxiongxin", "e");
  assert_finds (f->store, "danxiongxin", "e");
  assert_finds (f->store, "sxx", "e");
  /* Latin words of a name, any case. */
  assert_finds (f->store, "acme", "d");
  assert_finds (f->store, "SHENZ", "d");
  assert_finds (f->store, "科技", "d");
  assert_finds (f->store, "keji", "d");
}

static void
test_keywords (Fixture       *f,
               gconstpointer  data)
{
  assert_finds (f->store, "北京 理工", "c");
  assert_finds (f->store, "北京 南京", "");
  assert_finds (f->store, "beijing daxue", "a,c");
  assert_finds (f->store, "bj 理工", "c");
  assert_finds (f->store, "  大学\t京\u3000北  ", "a,c");
  /* Each keyword may match another column. */
  assert_finds (f->store, "北京 5678", "a");
  assert_finds (f->store, "acme 0000", "d");
  assert_finds (f->store, "acme 5678", "");
}

static void
test_phone (Fixture       *f,
            gconstpointer  data)
{
  assert_finds (f->store, "5678", "a");
  assert_finds (f->store, "1234", "a");
  assert_finds (f->store, "13812345678", "a");
  assert_finds (f->store, "138-1234", "a");
  assert_finds (f->store, "138 1234 5678", "a");
  assert_finds (f->store, "0000", "b,d");
  assert_finds (f->store, "1111", "b");
  assert_finds (f->store, "8675588880000", "d");
  assert_finds (f->store, "7558888", "d");
  assert_finds (f->store, "99999", "");
}

static void
test_email (Fixture       *f,
            gconstpointer  data)
{
  assert_finds (f->store, "pku.admin", "a");
  assert_finds (f->store, "pku.admin@pku", "a");
  assert_finds (f->store, "nju@", "b");
  assert_finds (f->store, "sales@acme.com", "d");
  assert_finds (f->store, "edu.cn", "a,b");
  assert_finds (f->store, "admin@nju", "");
}

static void
test_update (Fixture       *f,
             gconstpointer  data)
{
  exec (f->store, "UPDATE customers SET name = '清华大学', phone = '010-6278-0000' WHERE id = 'a'");

  assert_finds (f->store, "bjdx", "");
  assert_finds (f->store, "北京大学", "");
  assert_finds (f->store, "北京", "c");
  assert_finds (f->store, "qhdx", "a");
  assert_finds (f->store, "清华", "a");
  assert_finds (f->store, "5678", "");
  assert_finds (f->store, "62780000", "a");
  /* E-mail untouched, still found. */
  assert_finds (f->store, "pku.admin", "a");

  /* An update of other columns leaves the index alone. */
  exec (f->store, "UPDATE customers SET level = 'vip', updated_at = '2026-02-01T00:00:00Z' WHERE id = 'a'");
  assert_finds (f->store, "qhdx", "a");

  exec (f->store, "INSERT INTO customers_fts (customers_fts, rank) VALUES ('integrity-check', 0)");
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  sqlite3_stmt *stmt = NULL;

  /* Soft delete: still indexed (the recycle bin searches), filtered out. */
  exec (f->store, "UPDATE customers SET deleted_at = '2026-03-01T00:00:00Z' WHERE id = 'a'");
  assert_finds (f->store, "bjdx", "");
  assert_finds (f->store, "北京", "c");
  hits = kehu_search_global (f->store, "北京", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[0])->id, ==, "c");

  /* Restored: found again. */
  exec (f->store, "UPDATE customers SET deleted_at = NULL WHERE id = 'a'");
  assert_finds (f->store, "bjdx", "a");

  /* Purged: gone from the index itself. */
  exec (f->store, "DELETE FROM customers WHERE id = 'a'");
  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store),
                                       "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH '\"bjdx\" *'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  assert_finds (f->store, "京", "b,c");

  exec (f->store, "INSERT INTO customers_fts (customers_fts, rank) VALUES ('integrity-check', 0)");
}

static void
test_match_expression (void)
{
  const struct { const char *query; const char *match; } cases[] = {
    { "北京", "\"北 京\"" },
    { "bjdx", "\"bjdx\" *" },
    { "北京 BJ", "\"北 京\" AND \"bj\" *" },
    { "abc科技", "\"abc 科 技\"" },
    { "138-1234", "(\"138 1234\" * OR \"1381234\" *)" },
    { "\"OR\" NEAR(", "\"or\" * AND \"near\" *" },
    { "col:北", "\"col 北\"" },
    { "", NULL },
    { " \t ", NULL },
    { "\"*-^()", NULL },
    { "😀", NULL },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *match = kehu_search_build_match (cases[i].query);
      g_assert_cmpstr (match, ==, cases[i].match);
    }
}

static void
test_nasty_input (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GString) long_query = g_string_new (NULL);
  const char *queries[] = {
    "\"", "\"\"", "'", "*", "**", "OR", "AND", "NOT", "or", "NEAR(", "NEAR(a b)", "NEAR(北 京, 2)",
    "-", "-北京", "+", "^北京", "北京*", "\"北京\"", "(", ")", "a OR b", "NOT 北京",
    "words:北京", "{words codes}: 北京", "'; DROP TABLE customers; --", "\\", "%", "_",
    "", "   ", "\t\n", "\u3000", "😀", "😀北京", "\xff\xfe", "北京\xc3", "\xe2\x80\x8b",
    "\xee\x80\x80", "北\xee\x80\x80京", NULL, NULL,
  };

  for (guint i = 0; i < 250; i++)
    g_string_append (long_query, "北京a\"* ");
  queries[G_N_ELEMENTS (queries) - 2] = long_query->str;

  for (guint i = 0; i < G_N_ELEMENTS (queries) - 1; i++)
    {
      g_autofree char *found = search (f->store, queries[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = kehu_search_global (f->store, queries[i], 5, &error);

      g_assert_no_error (error);
      g_assert_nonnull (hits);
    }

  /* Operators and quotes are plain text; what is left still searches. */
  assert_finds (f->store, "-北京", "a,c");
  assert_finds (f->store, "\"北京\"", "a,c");
  assert_finds (f->store, "北京*", "a,c");
  assert_finds (f->store, "NOT 北京", "");
  assert_finds (f->store, "OR", "");
  assert_finds (f->store, "😀北京", "a,c");
  /* The private-use field separator cannot be typed to join two fields. */
  assert_finds (f->store, "北\xee\x80\x80京", "a,c");
  /* Blank restricts nothing; nothing searchable finds nothing. */
  assert_finds (f->store, "", "a,b,c,d,e");
  assert_finds (f->store, "  \t", "a,b,c,d,e");
  assert_finds (f->store, "\"", "");
  assert_finds (f->store, "😀", "");
  g_assert_true (kehu_store_exec (f->store, "SELECT count(*) FROM customers", NULL));
}

static void
test_global (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  KehuSearchHit *hit;

  exec (f->store,
        "INSERT INTO contacts (id, created_at, updated_at, name, mobile, email)"
        " VALUES ('k1', 'x', 'x', '曾北京', '13700005678', 'zeng@example.com');"
        "INSERT INTO leads (id, created_at, updated_at, name, contact_name, phone)"
        " VALUES ('l1', 'x', 'x', '北京星光贸易', '解晓东', '021-5555-1234');"
        "INSERT INTO opportunities (id, created_at, updated_at, name)"
        " VALUES ('o1', 'x', 'x', '北京大学实验室设备');"
        "INSERT INTO contracts (id, created_at, updated_at, name, number)"
        " VALUES ('t1', 'x', 'x', '设备采购合同', 'HT-2026-0042');"
        "INSERT INTO products (id, created_at, updated_at, name, code)"
        " VALUES ('p1', 'x', 'x', '北京烤鸭礼盒', 'SKU-BJ-01');"
        "INSERT INTO payments (id, created_at, updated_at, number, paid_date)"
        " VALUES ('m1', 'x', 'x', 'HK-2026-0042', '2026-05-01');"
        "INSERT INTO invoices (id, created_at, updated_at, number, title)"
        " VALUES ('i1', 'x', 'x', 'FP-0042', '北京大学');");

  hits = kehu_search_global (f->store, "北京", 10, &error);
  g_assert_no_error (error);
  /* customers c then a (newest first), contacts, leads, opportunities, products, invoices */
  g_assert_cmpuint (hits->len, ==, 7);
  hit = hits->pdata[0];
  g_assert_cmpstr (hit->module, ==, "customers");
  g_assert_cmpstr (hit->id, ==, "c");
  g_assert_cmpstr (hit->title, ==, "北京理工大学");
  hit = hits->pdata[1];
  g_assert_cmpstr (hit->id, ==, "a");
  g_assert_cmpstr (hit->subtitle, ==, "138-1234-5678");
  hit = hits->pdata[2];
  g_assert_cmpstr (hit->module, ==, "contacts");
  g_assert_cmpstr (hit->subtitle, ==, "13700005678 zeng@example.com");
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[3])->module, ==, "leads");
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[4])->module, ==, "opportunities");
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[5])->module, ==, "products");
  hit = hits->pdata[6];
  g_assert_cmpstr (hit->module, ==, "invoices");
  g_assert_cmpstr (hit->title, ==, "FP-0042");
  g_assert_cmpstr (hit->subtitle, ==, "北京大学");
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* The limit is per module. */
  hits = kehu_search_global (f->store, "北京", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 6);
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[0])->id, ==, "c");
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[1])->id, ==, "k1");
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Numbers of contracts and payments; "0042" is in three numbers. */
  hits = kehu_search_global (f->store, "0042", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[0])->id, ==, "t1");
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[1])->id, ==, "m1");
  g_assert_cmpstr (((KehuSearchHit *) hits->pdata[2])->id, ==, "i1");
  g_clear_pointer (&hits, g_ptr_array_unref);

  hits = kehu_search_global (f->store, "", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);
}

static void
test_modules (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_auto(GStrv) params = NULL;
  g_autofree char *found = NULL;

  exec (f->store,
        "INSERT INTO contacts (id, created_at, updated_at, name, mobile, wechat)"
        " VALUES ('k1', 'x', 'x', '曾北京', '13700005678', 'zb_wx88');"
        "INSERT INTO leads (id, created_at, updated_at, name, contact_name, mobile)"
        " VALUES ('l1', 'x', 'x', '星光贸易', '解晓东', '186 0000 4321');"
        "INSERT INTO products (id, created_at, updated_at, name, code)"
        " VALUES ('p1', 'x', 'x', '烤鸭礼盒', 'SKU-BJ-01');");

  /* A contact is a person: the surname reading of 曾 is indexed too. */
  found = search_module (f->store, "contacts", "zengbeijing");
  g_assert_cmpstr (found, ==, "k1");
  g_clear_pointer (&found, g_free);
  found = search_module (f->store, "contacts", "zb_wx");
  g_assert_cmpstr (found, ==, "k1");
  g_clear_pointer (&found, g_free);
  found = search_module (f->store, "leads", "xiexiaodong");
  g_assert_cmpstr (found, ==, "l1");
  g_clear_pointer (&found, g_free);
  found = search_module (f->store, "leads", "4321");
  g_assert_cmpstr (found, ==, "l1");
  g_clear_pointer (&found, g_free);
  found = search_module (f->store, "products", "sku-bj");
  g_assert_cmpstr (found, ==, "p1");
  g_clear_pointer (&found, g_free);
  found = search_module (f->store, "products", "kylh");
  g_assert_cmpstr (found, ==, "p1");

  g_assert_false (kehu_search_condition ("users", "x", NULL, &sql, &params, &error));
  g_assert_error (error, KEHU_SEARCH_ERROR, KEHU_SEARCH_ERROR_UNKNOWN_MODULE);
  g_assert_false (kehu_search_is_module_searchable ("users"));
  for (const char **m = kehu_search_get_modules (); *m != NULL; m++)
    g_assert_true (kehu_search_is_module_searchable (*m));
}

/* Han names from a small alphabet, searched for random substrings: the FTS
 * answer must equal a plain scan with instr(). */
static void
test_substring_reference (Fixture       *f,
                          gconstpointer  data)
{
  const char *alphabet[] = { "北", "京", "南", "大", "学", "华", "科", "技", "东", "方" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  exec (f->store, "DELETE FROM customers");
  kehu_store_begin (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    {
      GString *name = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("r%03u", i);
      guint len = g_rand_int_range (rand, 1, 8);

      for (guint j = 0; j < len; j++)
        g_string_append (name, alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);
      insert_customer (f->store, id, name->str, NULL, NULL);
      g_ptr_array_add (names, g_string_free (name, FALSE));
    }
  kehu_store_commit (f->store, &error);
  g_assert_no_error (error);

  for (guint q = 0; q < 200; q++)
    {
      GString *query = g_string_new (NULL);
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autofree char *found = NULL;
      guint len = g_rand_int_range (rand, 1, 4);

      for (guint j = 0; j < len; j++)
        g_string_append (query, alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);

      for (guint i = 0; i < names->len; i++)
        if (strstr (names->pdata[i], query->str) != NULL)
          g_string_append_printf (expected, "%sr%03u", expected->len ? "," : "", i);

      found = search (f->store, query->str);
      g_test_message ("query “%s”", query->str);
      g_assert_cmpstr (found, ==, expected->str);
      g_string_free (query, TRUE);
    }
}

static void
test_rebuild (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  kehu_store_begin (f->store, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_search_rebuild (f->store, &error));
  g_assert_no_error (error);
  kehu_store_commit (f->store, &error);
  g_assert_no_error (error);

  assert_finds (f->store, "bjdx", "a");
  assert_finds (f->store, "京", "a,b,c");
  assert_finds (f->store, "5678", "a");
  /* The triggers still agree with the rebuilt index. */
  exec (f->store, "UPDATE customers SET name = '复旦大学' WHERE id = 'a'");
  assert_finds (f->store, "bjdx", "");
  assert_finds (f->store, "fddx", "a");
  exec (f->store, "INSERT INTO customers_fts (customers_fts, rank) VALUES ('integrity-check', 0)");
}

/* Records written before migration 4 are indexed by it. */
static void
test_migration_indexes_existing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-test-search-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(KehuStore) store = NULL;

  store = kehu_store_open_at_version (path, 3, &error);
  g_assert_no_error (error);
  insert_customer (store, "old", "北京大学", "13812345678", NULL);
  g_clear_object (&store);

  store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  assert_finds (store, "bjdx", "old");
  assert_finds (store, "北京", "old");
  assert_finds (store, "5678", "old");

  g_clear_object (&store);
  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/search/chinese", test_chinese);
  ADD ("/search/keywords", test_keywords);
  ADD ("/search/phone", test_phone);
  ADD ("/search/email", test_email);
  ADD ("/search/update", test_update);
  ADD ("/search/delete", test_delete);
  ADD ("/search/nasty-input", test_nasty_input);
  ADD ("/search/global", test_global);
  ADD ("/search/modules", test_modules);
  ADD ("/search/substring-reference", test_substring_reference);
  ADD ("/search/rebuild", test_rebuild);
  g_test_add_func ("/search/match-expression", test_match_expression);
  g_test_add_func ("/search/migration-indexes-existing", test_migration_indexes_existing);

  return g_test_run ();
}
