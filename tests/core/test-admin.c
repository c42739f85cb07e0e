/* test-admin.c: the settings helpers of kehu-admin over a real store
 *
 * Users with several roles (permissions add up, the widest data scope
 * wins), stage groups with their closing stages and SPEC §6's fixed win
 * rates, custom field labels that change while keys and values stay,
 * dictionaries. Expected values are written out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-util.h"

#define DEPT_SALES "20000000-0000-4000-8000-000000000001"
#define ROLE_SELF  "30000000-0000-4000-8000-000000000001"
#define ROLE_DEPT  "30000000-0000-4000-8000-000000000002"
#define ROLE_ALL   "30000000-0000-4000-8000-000000000003"

static void
add_org (KehuFixture *f)
{
  g_autoptr(GError) error = NULL;

  /* User 2 in sales with user 3; user 1 stays in the top department. */
  g_assert_true (kehu_store_exec (f->store,
    "INSERT INTO departments (id, created_at, updated_at, name, parent_id) VALUES"
    " ('" DEPT_SALES "', 'x', 'x', '销售部', '" KEHU_ID_TOP_DEPARTMENT "');"
    "UPDATE users SET department_id = '" DEPT_SALES "' WHERE id IN ('" TEST_USER_2 "', '" TEST_USER_3 "');"
    "INSERT INTO roles (id, created_at, updated_at, name, permissions, data_scope) VALUES"
    " ('" ROLE_SELF "', 'x', 'x', 'Rep', '[\"customer.read\"]', 'self'),"
    " ('" ROLE_DEPT "', 'x', 'x', 'Senior', '[\"contact.export\"]', 'department'),"
    " ('" ROLE_ALL "', 'x', 'x', 'Auditor', '[\"report.read\"]', 'all');",
    &error));
  g_assert_no_error (error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
owners_text (KehuPerm *perm)
{
  const char * const *owners = kehu_perm_get_owner_ids (perm);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  if (owners == NULL)
    return g_strdup ("*");
  for (guint i = 0; owners[i]; i++)
    g_ptr_array_add (sorted, (gpointer) owners[i]);
  g_ptr_array_sort (sorted, compare_strings);
  g_ptr_array_add (sorted, NULL);
  return g_strjoinv (",", (char **) sorted->pdata);
}

static void
test_user_roles (KehuFixture   *f,
                 gconstpointer  data)
{
  const char * const rep_and_senior[] = { ROLE_SELF, ROLE_DEPT, NULL };
  const char * const rep_and_auditor[] = { ROLE_SELF, ROLE_ALL, ROLE_SELF, NULL };
  const char * const bad[] = { ROLE_SELF, "no-such-role", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuPerm) perm = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree char *owners = NULL;

  add_org (f);

  /* Rep alone: only their own records. */
  g_assert_true (kehu_admin_set_user_roles (f->store, TEST_USER_2, (const char * const []) { ROLE_SELF, NULL }, &error));
  g_assert_no_error (error);
  perm = kehu_perm_load (f->store, TEST_USER_2, &error);
  g_assert_no_error (error);
  owners = owners_text (perm);
  g_assert_cmpstr (owners, ==, TEST_USER_2);
  g_assert_false (kehu_perm_has (perm, "contact.export"));
  g_clear_object (&perm);
  g_clear_pointer (&owners, g_free);

  /* Rep and senior: the department wins, and both permission sets count. */
  g_assert_true (kehu_admin_set_user_roles (f->store, TEST_USER_2, rep_and_senior, &error));
  g_assert_no_error (error);
  ids = kehu_admin_dup_user_role_ids (f->store, TEST_USER_2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, ROLE_SELF);
  g_assert_cmpstr (ids[1], ==, ROLE_DEPT);
  perm = kehu_perm_load (f->store, TEST_USER_2, &error);
  g_assert_no_error (error);
  owners = owners_text (perm);
  g_assert_cmpstr (owners, ==, TEST_USER_2 "," TEST_USER_3);
  g_assert_true (kehu_perm_has (perm, "customer.read"));
  g_assert_true (kehu_perm_has (perm, "contact.export"));
  g_assert_false (kehu_perm_sees_all (perm));
  g_clear_object (&perm);
  g_clear_pointer (&owners, g_free);

  /* Rep and auditor (the role given twice counts once): "all" wins. */
  g_assert_true (kehu_admin_set_user_roles (f->store, TEST_USER_2, rep_and_auditor, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count (*) FROM user_roles WHERE user_id = '" TEST_USER_2 "'"), ==, 2);
  perm = kehu_perm_load (f->store, TEST_USER_2, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_perm_sees_all (perm));
  g_assert_true (kehu_perm_owner_in_scope (perm, TEST_USER_1));
  g_assert_false (kehu_perm_has (perm, "contact.export"));
  g_clear_object (&perm);
  /* Each change moved the scope epoch: three so far. */
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT scope_epoch FROM users WHERE id = '" TEST_USER_2 "'"), ==, 3);

  /* A role that does not exist changes nothing. */
  g_assert_false (kehu_admin_set_user_roles (f->store, TEST_USER_2, bad, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "role_ids");
  g_assert_nonnull (strstr (error->message, "no-such-role"));
  g_clear_error (&error);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count (*) FROM user_roles WHERE user_id = '" TEST_USER_2 "'"), ==, 2);

  g_assert_false (kehu_admin_set_user_roles (f->store, "nobody", NULL, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* No roles at all: back to one's own records. */
  g_assert_true (kehu_admin_set_user_roles (f->store, TEST_USER_2, NULL, &error));
  g_assert_no_error (error);
  perm = kehu_perm_load (f->store, TEST_USER_2, &error);
  g_assert_no_error (error);
  owners = owners_text (perm);
  g_assert_cmpstr (owners, ==, TEST_USER_2);
}

/* An administrator's change of roles is in the user's operation log, old
 * and new set as sorted JSON arrays; setting the same set logs nothing. */
static void
test_user_roles_logged (KehuFixture   *f,
                        gconstpointer  data)
{
  const char * const dept_then_self[] = { ROLE_DEPT, ROLE_SELF, ROLE_DEPT, NULL };
  const char * const bad[] = { "no-such-role", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *row = NULL;

  add_org (f);
  g_assert_true (kehu_admin_set_user_roles (f->store, TEST_USER_2, (const char * const []) { ROLE_SELF, NULL }, &error));
  g_assert_no_error (error);
  /* Copying a state (the server's) is not a change anybody made here. */
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count (*) FROM oplog WHERE field = 'role_ids'"), ==, 0);

  g_assert_true (kehu_admin_change_user_roles (f->ctx, TEST_USER_2, dept_then_self, &error));
  g_assert_no_error (error);
  row = kehu_test_query_text (f->store,
    "SELECT module || '|' || record_id || '|' || user_id || '|' || at || '|' || action || '|' || old_value || '|' || new_value"
    " FROM oplog WHERE field = 'role_ids'");
  g_assert_cmpstr (row, ==, "users|" TEST_USER_2 "|" TEST_USER_1 "|" TEST_NOW "|update|"
                   "[\"" ROLE_SELF "\"]|[\"" ROLE_SELF "\",\"" ROLE_DEPT "\"]");

  /* The same set again: no second row. A refused change: none either. */
  g_assert_true (kehu_admin_change_user_roles (f->ctx, TEST_USER_2, (const char * const []) { ROLE_SELF, ROLE_DEPT, NULL }, &error));
  g_assert_no_error (error);
  g_assert_false (kehu_admin_change_user_roles (f->ctx, TEST_USER_2, bad, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count (*) FROM oplog WHERE field = 'role_ids'"), ==, 1);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count (*) FROM user_roles WHERE user_id = '" TEST_USER_2 "'"), ==, 2);
}

static void
test_stage_groups (KehuFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *group = NULL;
  g_autofree char *pilot = NULL;
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *won = NULL;
  g_autofree char *opp = NULL;

  group = kehu_admin_add_stage_group (f->ctx, "  续费流程 ", &error);
  g_assert_no_error (error);
  g_assert_nonnull (group);
  sql = g_strdup_printf ("SELECT name FROM stage_groups WHERE id = '%s'", group);
  {
    g_autofree char *name = kehu_test_query_text (f->store, sql);
    g_assert_cmpstr (name, ==, "续费流程");
  }
  /* Created as a record, through the record API: logged. */
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM oplog WHERE module = 'stage_groups' AND record_id = '%s' "
                         "AND action = 'create'", group);
  g_assert_cmpint (kehu_test_query_int (f->store, sql), ==, 1);

  /* Open stages in the order added, the closing ones after them. */
  g_assert_nonnull (kehu_admin_add_stage (f->store, group, "到期提醒", 20, &error));
  g_assert_no_error (error);
  pilot = kehu_admin_add_stage (f->store, group, "续费报价", 60, &error);
  g_assert_no_error (error);
  g_free (sql);
  sql = g_strdup_printf ("SELECT group_concat (name || ':' || win_rate || ':' || kind, ',') FROM "
                         "(SELECT * FROM stages WHERE group_id = '%s' ORDER BY position)", group);
  order = kehu_test_query_text (f->store, sql);
  g_assert_cmpstr (order, ==, "到期提醒:20:open,续费报价:60:open,Deal won:100:won,Deal lost:0:lost,"
                              "Invalid opportunity:0:invalid");

  /* Reorder: the second open stage first; closing stages cannot move. */
  g_assert_true (kehu_admin_move_stage (f->store, pilot, -1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&order, g_free);
  order = kehu_test_query_text (f->store, sql);
  g_assert_cmpstr (order, ==, "续费报价:60:open,到期提醒:20:open,Deal won:100:won,Deal lost:0:lost,"
                              "Invalid opportunity:0:invalid");

  /* SPEC §6: won is 100 %, lost and invalid 0 %; names may change. */
  g_free (sql);
  sql = g_strdup_printf ("SELECT id FROM stages WHERE group_id = '%s' AND kind = 'won'", group);
  won = kehu_test_query_text (f->store, sql);
  g_assert_false (kehu_admin_save_stage (f->store, won, "续费成功", 90, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "win_rate");
  g_clear_error (&error);
  g_assert_true (kehu_admin_save_stage (f->store, won, "续费成功", 100, &error));
  g_assert_no_error (error);
  g_assert_false (kehu_admin_save_stage (f->store, pilot, "   ", 50, &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "name");
  g_clear_error (&error);
  g_assert_false (kehu_admin_remove_stage (f->store, won, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
  g_clear_error (&error);

  /* An opportunity of the group starts in its first open stage and wins
   * into the group's own won stage. */
  {
    g_autofree char *customer = kehu_test_create (f, "customers", "{\"name\":\"北京大学\"}");
    g_autofree char *json = g_strdup_printf ("{\"name\":\"年度续费\",\"customer_id\":\"%s\",\"stage_group_id\":\"%s\"}",
                                             customer, group);
    g_autofree char *stage = NULL;

    opp = kehu_test_create (f, "opportunities", json);
    g_free (sql);
    sql = g_strdup_printf ("SELECT stage_id FROM opportunities WHERE id = '%s'", opp);
    stage = kehu_test_query_text (f->store, sql);
    g_assert_cmpstr (stage, ==, pilot);
    g_assert_true (kehu_rules_win (f->ctx, opp, &error));
    g_assert_no_error (error);
    g_free (stage);
    stage = kehu_test_query_text (f->store, sql);
    g_assert_cmpstr (stage, ==, won);
  }

  /* A stage in use stays; the last open stage stays. */
  {
    g_autofree char *first = kehu_admin_add_stage (f->store, group, "临时", 10, &error);
    g_autofree char *reminder = NULL;

    g_assert_no_error (error);
    g_assert_true (kehu_admin_remove_stage (f->store, first, &error));
    g_assert_no_error (error);
    g_free (sql);
    sql = g_strdup_printf ("SELECT id FROM stages WHERE group_id = '%s' AND name = '到期提醒'", group);
    reminder = kehu_test_query_text (f->store, sql);
    g_assert_true (kehu_admin_remove_stage (f->store, reminder, &error));
    g_assert_no_error (error);
    g_assert_false (kehu_admin_remove_stage (f->store, pilot, &error));
    g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* Bad input. */
  g_assert_null (kehu_admin_add_stage_group (f->ctx, " ", &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "name");
  g_clear_error (&error);
  g_assert_null (kehu_admin_add_stage (f->store, "no-such-group", "x", 10, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND);
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "group_id");
  g_clear_error (&error);
  g_assert_null (kehu_admin_add_stage (f->store, group, "x", 101, &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "win_rate");
  g_clear_error (&error);
  /* The failed add left nothing behind. */
  g_free (sql);
  sql = g_strdup_printf ("SELECT count (*) FROM stages WHERE group_id = '%s'", group);
  g_assert_cmpint (kehu_test_query_int (f->store, sql), ==, 4);
}

static void
test_custom_fields (KehuFixture   *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bank = NULL;
  g_autofree char *size = NULL;
  g_autofree char *customer = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *value = NULL;
  const KehuField *field;

  bank = kehu_schema_add_custom_field (f->schema, "customers", "cf_bank", "开户银行", KEHU_FIELD_TEXT, 0, NULL, &error);
  g_assert_no_error (error);
  size = kehu_schema_add_custom_field (f->schema, "customers", "cf_size", "规模", KEHU_FIELD_NUMBER, 0, NULL, &error);
  g_assert_no_error (error);
  customer = kehu_test_create (f, "customers", "{\"name\":\"北京大学\",\"extra\":{\"cf_bank\":\"招商银行\"}}");

  /* Rename: key and value stay, the schema shows the new label. */
  g_assert_true (kehu_admin_update_custom_field (f->store, bank, "  基本户开户行 ", -1, 1, -1, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_schema_reload (f->schema, &error));
  field = kehu_module_lookup_field (kehu_schema_get_module (f->schema, "customers"), "cf_bank");
  g_assert_nonnull (field);
  g_assert_cmpstr (kehu_field_get_label (field), ==, "基本户开户行");
  g_assert_true (field->flags & KEHU_FIELD_IN_LIST);
  sql = g_strdup_printf ("SELECT json_extract (extra, '$.cf_bank') FROM customers WHERE id = '%s'", customer);
  value = kehu_test_query_text (f->store, sql);
  g_assert_cmpstr (value, ==, "招商银行");

  /* Two fields of a module cannot share a label; an empty one is refused. */
  g_assert_false (kehu_admin_update_custom_field (f->store, size, "基本户开户行", -1, -1, -1, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "label");
  g_clear_error (&error);
  g_assert_false (kehu_admin_update_custom_field (f->store, size, "  ", -1, -1, -1, &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "label");
  g_clear_error (&error);
  g_assert_false (kehu_admin_update_custom_field (f->store, "no-such-field", "x", -1, -1, -1, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Reorder: size first. */
  g_assert_true (kehu_admin_move_custom_field (f->store, size, -1, &error));
  g_assert_no_error (error);
  {
    g_autofree char *order = kehu_test_query_text (f->store,
      "SELECT group_concat (name, ',') FROM (SELECT name FROM custom_fields WHERE module = 'customers' ORDER BY position)");
    g_assert_cmpstr (order, ==, "cf_size,cf_bank");
  }

  /* Deactivate: gone from the schema, the value kept; back again. */
  g_assert_true (kehu_admin_update_custom_field (f->store, bank, NULL, -1, -1, 0, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_schema_reload (f->schema, &error));
  g_assert_null (kehu_module_lookup_field (kehu_schema_get_module (f->schema, "customers"), "cf_bank"));
  g_free (value);
  value = kehu_test_query_text (f->store, sql);
  g_assert_cmpstr (value, ==, "招商银行");
  g_assert_true (kehu_admin_update_custom_field (f->store, bank, NULL, -1, -1, 1, &error));
  g_assert_true (kehu_schema_reload (f->schema, &error));
  field = kehu_module_lookup_field (kehu_schema_get_module (f->schema, "customers"), "cf_bank");
  g_assert_nonnull (field);
  g_assert_cmpstr (kehu_field_get_label (field), ==, "基本户开户行");
}

static void
test_dictionaries (KehuFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dict = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *order = NULL;
  g_autofree char *customer = NULL;
  g_autofree char *json = NULL;
  g_autofree char *value = NULL;

  dict = kehu_admin_add_dictionary (f->store, "合作方式", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (dict, "dict_"));
  first = kehu_admin_add_dictionary_item (f->store, dict, "代理", &error);
  g_assert_no_error (error);
  second = kehu_admin_add_dictionary_item (f->store, dict, "直销", &error);
  g_assert_no_error (error);
  g_assert_true (kehu_admin_move_dictionary_item (f->store, second, -1, &error));
  g_assert_true (kehu_admin_rename_dictionary (f->store, dict, "合作模式", &error));
  g_assert_no_error (error);

  sql = g_strdup_printf ("SELECT d.name || ':' || group_concat (i.label, ',') FROM dictionaries d "
                         "JOIN (SELECT * FROM dictionary_items ORDER BY position) i ON i.dictionary_id = d.id "
                         "WHERE d.id = '%s'", dict);
  order = kehu_test_query_text (f->store, sql);
  g_assert_cmpstr (order, ==, "合作模式:直销,代理");

  /* A choice field over it accepts its values, and not a disabled one. */
  g_assert_nonnull (kehu_schema_add_custom_field (f->schema, "customers", "cf_mode", "合作模式",
                                                  KEHU_FIELD_CHOICE, 0, dict, &error));
  g_assert_no_error (error);
  g_free (sql);
  sql = g_strdup_printf ("SELECT value FROM dictionary_items WHERE id = '%s'", first);
  value = kehu_test_query_text (f->store, sql);
  json = g_strdup_printf ("{\"name\":\"清华大学\",\"extra\":{\"cf_mode\":\"%s\"}}", value);
  customer = kehu_test_create (f, "customers", json);
  g_assert_nonnull (customer);
  g_assert_true (kehu_admin_save_dictionary_item (f->store, first, "渠道代理", FALSE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) fields = kehu_test_object (json);
    g_autofree char *id = kehu_record_create (f->ctx, "customers", fields, &error);

    g_assert_null (id);
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY);
    g_clear_error (&error);
  }

  /* Bad input names the field. */
  g_assert_null (kehu_admin_add_dictionary (f->store, "\t", &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "name");
  g_clear_error (&error);
  g_assert_null (kehu_admin_add_dictionary_item (f->store, "no-such-dictionary", "x", &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_NOT_FOUND);
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "dictionary_id");
  g_clear_error (&error);
  g_assert_false (kehu_admin_save_dictionary_item (f->store, first, "", TRUE, &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "label");
}

/* A cache takes the server's answer: columns only, booleans as 0/1,
 * arrays as JSON text; a new row is inserted; bad tables and rows refused. */
static void
test_put_row (KehuFixture   *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) field = kehu_test_object (
    "{\"id\":\"cf-1\",\"rev\":3,\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-02T00:00:00Z\","
    "\"module\":\"customers\",\"name\":\"cf_bank\",\"label\":\"开户银行\",\"type\":\"text\","
    "\"required\":true,\"in_list\":false,\"is_enabled\":1,\"position\":4,\"colour\":\"red\"}");
  g_autoptr(JsonObject) renamed = kehu_test_object ("{\"id\":\"cf-1\",\"label\":\"基本户开户行\",\"in_list\":true}");
  g_autoptr(JsonObject) role = kehu_test_object (
    "{\"id\":\"" ROLE_SELF "\",\"permissions\":[\"customer.read\",\"lead.read\"],\"is_system\":false,"
    "\"role_ids\":[\"x\"]}");
  g_autoptr(JsonObject) no_id = kehu_test_object ("{\"label\":\"x\"}");
  g_autoptr(JsonObject) user = kehu_test_object ("{\"id\":\"" TEST_USER_2 "\",\"password_hash\":\"stolen\",\"name\":\"新名字\"}");
  g_autofree char *text = NULL;

  add_org (f);
  g_assert_true (kehu_admin_put_row (f->store, "custom_fields", field, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT required * 100 + in_list * 10 + is_enabled FROM custom_fields WHERE id = 'cf-1'"), ==, 101);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT position FROM custom_fields WHERE id = 'cf-1'"), ==, 4);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT rev FROM custom_fields WHERE id = 'cf-1'"), ==, 3);

  /* An update touches only what the answer has. */
  g_assert_true (kehu_admin_put_row (f->store, "custom_fields", renamed, &error));
  g_assert_no_error (error);
  text = kehu_test_query_text (f->store, "SELECT label || '/' || name || '/' || required || in_list FROM custom_fields WHERE id = 'cf-1'");
  g_assert_cmpstr (text, ==, "基本户开户行/cf_bank/11");
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count (*) FROM custom_fields"), ==, 1);

  g_assert_true (kehu_admin_put_row (f->store, "roles", role, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = kehu_test_query_text (f->store, "SELECT permissions FROM roles WHERE id = '" ROLE_SELF "'");
  g_assert_cmpstr (text, ==, "[\"customer.read\",\"lead.read\"]");

  /* A password hash never lands in a cache. */
  g_assert_true (kehu_admin_put_row (f->store, "users", user, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = kehu_test_query_text (f->store, "SELECT ifnull (password_hash, '-') || name FROM users WHERE id = '" TEST_USER_2 "'");
  g_assert_cmpstr (text, ==, "-新名字");

  g_assert_false (kehu_admin_put_row (f->store, "sync_outbox", field, &error));
  g_assert_error (error, KEHU_ADMIN_ERROR, KEHU_ADMIN_ERROR_INVALID);
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "table");
  g_clear_error (&error);
  g_assert_false (kehu_admin_put_row (f->store, "custom_fields", no_id, &error));
  g_assert_cmpstr (kehu_admin_error_get_field (error), ==, "id");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  KEHU_TEST_ADD ("/admin/user-roles", test_user_roles);
  KEHU_TEST_ADD ("/admin/user-roles-logged", test_user_roles_logged);
  KEHU_TEST_ADD ("/admin/stage-groups", test_stage_groups);
  KEHU_TEST_ADD ("/admin/custom-fields", test_custom_fields);
  KEHU_TEST_ADD ("/admin/dictionaries", test_dictionaries);
  KEHU_TEST_ADD ("/admin/put-row", test_put_row);

  return g_test_run ();
}
