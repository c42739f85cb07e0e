/* test-perm.c: operation permissions and data scopes over a real store
 *
 * The organisation is built with plain SQL, three department levels:
 *
 *   办公室 (top)            boss (role: all)
 *   └── 销售部 (sales)      mgr (department_and_children), supervisor boss
 *       ├── 华北区 (north)  lead (self_and_subordinates), supervisor mgr
 *       │                   rep1, rep2 (self), supervisor lead
 *       │                   intern (self), supervisor rep1
 *       └── 华南区 (south)  south1 (department), supervisor mgr
 *                           south2 (self), supervisor mgr
 *
 * Expected owner sets are written out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kehu-perm.h"
#include "kehu-store.h"

typedef struct
{
  char      *dir;
  KehuStore *store;
} Fixture;

static const char org_sql[] =
  "INSERT INTO departments (id, created_at, updated_at, name, parent_id) VALUES"
  " ('top', 'x', 'x', '办公室', NULL),"
  " ('sales', 'x', 'x', '销售部', 'top'),"
  " ('north', 'x', 'x', '华北区', 'sales'),"
  " ('south', 'x', 'x', '华南区', 'sales');"
  "INSERT INTO users (id, created_at, updated_at, phone, name, department_id, supervisor_id) VALUES"
  " ('boss', 'x', 'x', '1', 'Boss', 'top', NULL),"
  " ('mgr', 'x', 'x', '2', 'Mgr', 'sales', 'boss'),"
  " ('lead', 'x', 'x', '3', 'Lead', 'north', 'mgr'),"
  " ('rep1', 'x', 'x', '4', 'Rep1', 'north', 'lead'),"
  " ('rep2', 'x', 'x', '5', 'Rep2', 'north', 'lead'),"
  " ('intern', 'x', 'x', '6', 'Intern', 'north', 'rep1'),"
  " ('south1', 'x', 'x', '7', 'South1', 'south', 'mgr'),"
  " ('south2', 'x', 'x', '8', 'South2', 'south', 'mgr');"
  "INSERT INTO roles (id, created_at, updated_at, name, permissions, data_scope) VALUES"
  " ('r_all', 'x', 'x', 'CEO', '[\"customers.*\"]', 'all'),"
  " ('r_tree', 'x', 'x', 'Director', '[\"customers.read\", \"customers.update\"]', 'department_and_children'),"
  " ('r_sub', 'x', 'x', 'Team lead', '[\"customers.read\"]', 'self_and_subordinates'),"
  " ('r_dept', 'x', 'x', 'Senior', '[\"customers.read\", \"contacts.read\"]', 'department'),"
  " ('r_self', 'x', 'x', 'Rep', '[\"customers.read\", \"customers.create\"]', 'self');"
  "INSERT INTO user_roles (user_id, role_id) VALUES"
  " ('boss', 'r_all'), ('mgr', 'r_tree'), ('lead', 'r_sub'), ('rep1', 'r_self'),"
  " ('rep2', 'r_self'), ('intern', 'r_self'), ('south1', 'r_dept'), ('south2', 'r_self');"
  "INSERT INTO customers (id, created_at, updated_at, name, owner_id) VALUES"
  " ('c_boss', 'x', 'x', 'A', 'boss'), ('c_mgr', 'x', 'x', 'B', 'mgr'),"
  " ('c_lead', 'x', 'x', 'C', 'lead'), ('c_rep1', 'x', 'x', 'D', 'rep1'),"
  " ('c_rep2', 'x', 'x', 'E', 'rep2'), ('c_intern', 'x', 'x', 'F', 'intern'),"
  " ('c_south1', 'x', 'x', 'G', 'south1'), ('c_south2', 'x', 'x', 'H', 'south2'),"
  " ('c_pool', 'x', 'x', 'I', NULL);"
  "INSERT INTO team_members (module, record_id, user_id, access, added_at) VALUES"
  " ('customers', 'c_rep1', 'south2', 'read', 'x'),"
  " ('customers', 'c_rep1', 'rep2', 'write', 'x'),"
  " ('contacts', 'c_south1', 'rep1', 'write', 'x');";

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("kehu-test-perm-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "kehu.db", NULL);
  fixture->store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  kehu_store_exec (fixture->store, org_sql, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "kehu.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_clear_object (&fixture->store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static KehuPerm *
load (Fixture    *fixture,
      const char *user_id)
{
  g_autoptr(GError) error = NULL;
  KehuPerm *perm = kehu_perm_load (fixture->store, user_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (perm);
  return perm;
}

static int
strv_cmp (const void *a,
          const void *b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Compares the owner set, in any order, with a comma-separated list. */
static void
assert_owners (KehuPerm   *perm,
               const char *expected)
{
  const char * const *owners = kehu_perm_get_owner_ids (perm);
  g_auto(GStrv) want = g_strsplit (expected, ",", -1);
  g_autoptr(GPtrArray) got = g_ptr_array_new ();
  g_autofree char *got_joined = NULL;
  g_autofree char *want_joined = NULL;

  g_assert_nonnull (owners);
  for (guint i = 0; owners[i] != NULL; i++)
    g_ptr_array_add (got, (gpointer) owners[i]);
  g_ptr_array_sort (got, strv_cmp);
  g_ptr_array_add (got, NULL);
  qsort (want, g_strv_length (want), sizeof (char *), strv_cmp);

  got_joined = g_strjoinv (",", (char **) got->pdata);
  want_joined = g_strjoinv (",", want);
  g_assert_cmpstr (got_joined, ==, want_joined);
}

/* The ids of customers the restriction SQL lets through, sorted. */
static char *
visible_customers (Fixture  *fixture,
                   KehuPerm *perm)
{
  g_autofree char *condition = kehu_perm_restriction_sql (perm, "c");
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM customers c WHERE %s ORDER BY id", condition);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (fixture->store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  kehu_perm_bind_restriction (perm, stmt, "customers");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  g_ptr_array_add (ids, NULL);

  return g_strjoinv (",", (char **) ids->pdata);
}

static void
test_scope_self (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = load (fixture, "rep1");
  g_autofree char *visible = NULL;

  assert_owners (perm, "rep1");
  g_assert_false (kehu_perm_sees_all (perm));
  g_assert_true (kehu_perm_owner_in_scope (perm, "rep1"));
  g_assert_false (kehu_perm_owner_in_scope (perm, "rep2"));
  g_assert_false (kehu_perm_owner_in_scope (perm, "intern"));
  g_assert_false (kehu_perm_owner_in_scope (perm, NULL));

  visible = visible_customers (fixture, perm);
  g_assert_cmpstr (visible, ==, "c_rep1");
}

static void
test_scope_subordinates (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = load (fixture, "lead");
  g_autoptr(KehuPerm) mgr_only_sub = NULL;
  g_autofree char *visible = NULL;
  g_autoptr(GError) error = NULL;

  /* Two levels down the supervisor chain: intern reports to rep1. */
  assert_owners (perm, "lead,rep1,rep2,intern");
  visible = visible_customers (fixture, perm);
  g_assert_cmpstr (visible, ==, "c_intern,c_lead,c_rep1,c_rep2");

  /* A cycle in the chain ends rather than looping. */
  kehu_store_exec (fixture->store, "UPDATE users SET supervisor_id = 'intern' WHERE id = 'lead'", &error);
  g_assert_no_error (error);
  mgr_only_sub = load (fixture, "lead");
  assert_owners (mgr_only_sub, "lead,rep1,rep2,intern");
}

static void
test_scope_department (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = load (fixture, "south1");
  g_autofree char *visible = NULL;

  assert_owners (perm, "south1,south2");
  visible = visible_customers (fixture, perm);
  g_assert_cmpstr (visible, ==, "c_south1,c_south2");
}

static void
test_scope_department_and_children (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = load (fixture, "mgr");
  g_autofree char *visible = NULL;

  /* 销售部 and both of its children, down to the third level. */
  assert_owners (perm, "mgr,lead,rep1,rep2,intern,south1,south2");
  visible = visible_customers (fixture, perm);
  g_assert_cmpstr (visible, ==, "c_intern,c_lead,c_mgr,c_rep1,c_rep2,c_south1,c_south2");
  g_assert_false (kehu_perm_owner_in_scope (perm, "boss"));
}

static void
test_scope_all (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = load (fixture, "boss");
  g_autofree char *visible = NULL;

  g_assert_true (kehu_perm_sees_all (perm));
  g_assert_null (kehu_perm_get_owner_ids (perm));
  g_assert_true (kehu_perm_owner_in_scope (perm, "south2"));
  visible = visible_customers (fixture, perm);
  g_assert_cmpstr (visible, ==, "c_boss,c_intern,c_lead,c_mgr,c_pool,c_rep1,c_rep2,c_south1,c_south2");
}

static void
test_scope_union (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = NULL;
  g_autoptr(GError) error = NULL;

  /* rep2 also becomes a Senior (department): both roles count. */
  kehu_store_exec (fixture->store, "INSERT INTO user_roles VALUES ('rep2', 'r_dept')", &error);
  g_assert_no_error (error);
  perm = load (fixture, "rep2");
  assert_owners (perm, "rep2,lead,rep1,intern");
  g_assert_true (kehu_perm_has (perm, "contacts.read"));
  g_assert_true (kehu_perm_has (perm, "customers.create"));
}

static void
test_no_roles (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = NULL;
  g_autoptr(GError) error = NULL;

  kehu_store_exec (fixture->store, "DELETE FROM user_roles WHERE user_id = 'lead'", &error);
  g_assert_no_error (error);
  perm = load (fixture, "lead");
  /* Without a role one still sees one's own records, and may do nothing. */
  assert_owners (perm, "lead");
  g_assert_false (kehu_perm_has (perm, "customers.read"));
}

static void
test_team (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(KehuPerm) south2 = load (fixture, "south2");
  g_autoptr(KehuPerm) rep2 = load (fixture, "rep2");
  g_autoptr(KehuPerm) rep1 = load (fixture, "rep1");
  g_autoptr(KehuPerm) lead = load (fixture, "lead");
  g_autofree char *visible = NULL;
  g_autofree char *visible_rep2 = NULL;

  g_assert_cmpint (kehu_perm_check_record (south2, fixture->store, "customers", "c_rep1", "rep1"),
                   ==, KEHU_ACCESS_READ);
  g_assert_cmpint (kehu_perm_check_record (rep2, fixture->store, "customers", "c_rep1", "rep1"),
                   ==, KEHU_ACCESS_WRITE);
  g_assert_cmpint (kehu_perm_check_record (rep2, fixture->store, "customers", "c_intern", "intern"),
                   ==, KEHU_ACCESS_NONE);
  /* The team row is per module. */
  g_assert_cmpint (kehu_perm_check_record (rep1, fixture->store, "customers", "c_south1", "south1"),
                   ==, KEHU_ACCESS_NONE);
  g_assert_cmpint (kehu_perm_check_record (rep1, fixture->store, "contacts", "c_south1", "south1"),
                   ==, KEHU_ACCESS_WRITE);
  g_assert_cmpint (kehu_perm_check_record (lead, fixture->store, "customers", "c_intern", "intern"),
                   ==, KEHU_ACCESS_WRITE);
  g_assert_cmpint (kehu_perm_check_record (lead, fixture->store, "customers", "c_south1", "south1"),
                   ==, KEHU_ACCESS_NONE);

  visible = visible_customers (fixture, south2);
  g_assert_cmpstr (visible, ==, "c_rep1,c_south2");
  visible_rep2 = visible_customers (fixture, rep2);
  g_assert_cmpstr (visible_rep2, ==, "c_rep1,c_rep2");
}

static void
test_operations (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(KehuPerm) rep = load (fixture, "rep1");
  g_autoptr(KehuPerm) boss = load (fixture, "boss");
  g_autoptr(KehuPerm) admin = NULL;
  g_autoptr(KehuPerm) disabled = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *permissions;

  g_assert_true (kehu_perm_can (rep, "customers", "create"));
  g_assert_true (kehu_perm_has (rep, "customers.read"));
  g_assert_false (kehu_perm_has (rep, "customers.delete"));
  g_assert_false (kehu_perm_has (rep, "customers"));
  g_assert_false (kehu_perm_has (rep, "contacts.read"));

  permissions = kehu_perm_get_permissions (rep);
  g_assert_cmpuint (g_strv_length ((char **) permissions), ==, 2);

  /* "customers.*" covers every customer action but nothing else, and
   * not a module whose name merely starts the same. */
  g_assert_true (kehu_perm_has (boss, "customers.purge"));
  g_assert_false (kehu_perm_has (boss, "contacts.read"));
  g_assert_false (kehu_perm_has (boss, "customersx.read"));

  kehu_store_exec (fixture->store,
                   "UPDATE users SET is_super_admin = 1 WHERE id = 'south2';"
                   "UPDATE users SET is_enabled = 0 WHERE id = 'rep2';",
                   &error);
  g_assert_no_error (error);

  admin = load (fixture, "south2");
  g_assert_true (kehu_perm_is_super_admin (admin));
  g_assert_true (kehu_perm_has (admin, "approval_flows.delete"));
  g_assert_true (kehu_perm_sees_all (admin));

  disabled = load (fixture, "rep2");
  g_assert_false (kehu_perm_is_enabled (disabled));
  g_assert_false (kehu_perm_has (disabled, "customers.read"));
  g_assert_cmpint (kehu_perm_check_record (disabled, fixture->store, "customers", "c_rep2", "rep2"),
                   ==, KEHU_ACCESS_NONE);
}

static void
test_unknown_user (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuPerm) perm = kehu_perm_load (fixture->store, "nobody", &error);

  g_assert_null (perm);
  g_assert_error (error, KEHU_PERM_ERROR, KEHU_PERM_ERROR_UNKNOWN_USER);
}

static void
test_scope_strings (void)
{
  KehuDataScope scope;

  g_assert_true (kehu_data_scope_from_string ("department_and_children", &scope));
  g_assert_cmpint (scope, ==, KEHU_DATA_SCOPE_DEPARTMENT_AND_CHILDREN);
  g_assert_cmpstr (kehu_data_scope_to_string (KEHU_DATA_SCOPE_SELF_AND_SUBORDINATES), ==,
                   "self_and_subordinates");
  g_assert_false (kehu_data_scope_from_string ("everyone", &scope));
  g_assert_false (kehu_data_scope_from_string (NULL, &scope));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/perm/scope/self", test_scope_self);
  ADD ("/perm/scope/self-and-subordinates", test_scope_subordinates);
  ADD ("/perm/scope/department", test_scope_department);
  ADD ("/perm/scope/department-and-children", test_scope_department_and_children);
  ADD ("/perm/scope/all", test_scope_all);
  ADD ("/perm/scope/union", test_scope_union);
  ADD ("/perm/scope/no-roles", test_no_roles);
  ADD ("/perm/team", test_team);
  ADD ("/perm/operations", test_operations);
  ADD ("/perm/unknown-user", test_unknown_user);
#undef ADD
  g_test_add_func ("/perm/scope-strings", test_scope_strings);

  return g_test_run ();
}
