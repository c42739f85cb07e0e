/* test-record.c: the generic record API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "kehu-test-util.h"

static gint64
count (KehuFixture *f,
       const char  *sql)
{
  return kehu_test_query_int (f->store, sql);
}

static void
expect_error (KehuFixture     *f,
              const char      *module,
              const char      *json,
              KehuRecordError  code,
              const char      *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = kehu_test_object (json);
  g_autofree char *id = NULL;
  gint64 before = count (f, "SELECT count(*) FROM oplog");

  id = kehu_record_create (f->ctx, module, fields, &error);
  g_assert_null (id);
  g_assert_error (error, KEHU_RECORD_ERROR, (int) code);
  g_assert_cmpstr (kehu_record_error_get_field (error), ==, field);
  g_assert_nonnull (error->message);
  /* Nothing half-written. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog"), ==, before);
}

static void
test_create_get (KehuFixture   *f,
                 gconstpointer  data)
{
  g_autofree char *id = kehu_test_create (f, "customers",
                                          "{\"name\": \"北京大学\", \"level\": \"vip\", \"is_hot\": true,"
                                          " \"tags\": [\"985\", \"高校\"], \"next_contact_at\": \"2026-03-16T18:00:00+08:00\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = kehu_record_get (f->ctx, "customers", id, &error);
  JsonArray *tags;

  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "北京大学");
  g_assert_cmpstr (json_object_get_string_member (record, "level"), ==, "vip");
  g_assert_true (json_object_get_boolean_member (record, "is_hot"));
  g_assert_false (json_object_get_boolean_member (record, "is_locked"));
  g_assert_cmpstr (json_object_get_string_member (record, "owner_id"), ==, TEST_USER_1);
  g_assert_cmpstr (json_object_get_string_member (record, "created_by"), ==, TEST_USER_1);
  g_assert_cmpstr (json_object_get_string_member (record, "created_at"), ==, TEST_NOW);
  g_assert_cmpstr (json_object_get_string_member (record, "updated_at"), ==, TEST_NOW);
  g_assert_cmpstr (json_object_get_string_member (record, "owned_since"), ==, TEST_NOW);
  /* Times are stored in UTC. */
  g_assert_cmpstr (json_object_get_string_member (record, "next_contact_at"), ==, "2026-03-16T10:00:00Z");
  g_assert_cmpint (json_object_get_int_member (record, "rev"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (record, "contract_total"), ==, 0);
  g_assert_true (json_object_get_null_member (record, "deleted_at"));
  g_assert_true (json_object_get_null_member (record, "pool_id"));
  g_assert_false (json_object_has_member (record, "name_key"));
  tags = json_object_get_array_member (record, "tags");
  g_assert_cmpuint (json_array_get_length (tags), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (tags, 1), ==, "高校");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (record, "extra")), ==, 0);

  /* The oplog: one create row, titled. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog"), ==, 1);
  {
    g_autofree char *row = kehu_test_query_text (f->store,
      "SELECT module || '|' || action || '|' || user_id || '|' || at || '|' || new_value || '|' || IFNULL (field, '-') FROM oplog");
    g_autofree char *expected = g_strdup ("customers|create|" TEST_USER_1 "|" TEST_NOW "|北京大学|-");
    g_assert_cmpstr (row, ==, expected);
  }

  /* No owner given as null: straight into the default pool. */
  {
    g_autofree char *pooled = kehu_test_create (f, "customers", "{\"name\": \"公海客户\", \"owner_id\": null}");
    g_autoptr(JsonObject) p = kehu_record_get (f->ctx, "customers", pooled, &error);
    g_assert_true (json_object_get_null_member (p, "owner_id"));
    g_assert_cmpstr (json_object_get_string_member (p, "pool_id"), ==, KEHU_ID_DEFAULT_POOL);
  }

  /* A client-made id is kept; a second record with it is a duplicate. */
  {
    g_autofree char *given = kehu_test_create (f, "customers",
                                               "{\"id\": \"6f1c1d5e-2b1a-4c43-9a57-3c5e0c0a0001\", \"name\": \"离线\"}");
    g_assert_cmpstr (given, ==, "6f1c1d5e-2b1a-4c43-9a57-3c5e0c0a0001");
    expect_error (f, "customers", "{\"id\": \"6f1c1d5e-2b1a-4c43-9a57-3c5e0c0a0001\", \"name\": \"again\"}",
                  KEHU_RECORD_ERROR_DUPLICATE, "id");
    expect_error (f, "customers", "{\"id\": \"not-a-uuid\", \"name\": \"x\"}", KEHU_RECORD_ERROR_WRONG_TYPE, "id");
  }

  g_assert_null (kehu_record_get (f->ctx, "customers", "nope", &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_FOUND);
}

static void
test_invalid_input (KehuFixture   *f,
                    gconstpointer  data)
{
  g_autofree char *customer = kehu_test_create (f, "customers", "{\"name\": \"客户\"}");
  g_autofree char *json = NULL;

  expect_error (f, "customers", "{\"name\": \"a\", \"colour\": \"red\"}", KEHU_RECORD_ERROR_UNKNOWN_FIELD, "colour");
  expect_error (f, "customers", "{\"name\": \"a\", \"is_hot\": \"yes\"}", KEHU_RECORD_ERROR_WRONG_TYPE, "is_hot");
  expect_error (f, "customers", "{\"name\": 42}", KEHU_RECORD_ERROR_WRONG_TYPE, "name");
  expect_error (f, "customers", "{\"name\": \"a\", \"tags\": \"x\"}", KEHU_RECORD_ERROR_WRONG_TYPE, "tags");
  expect_error (f, "customers", "{\"level\": \"vip\"}", KEHU_RECORD_ERROR_REQUIRED, "name");
  expect_error (f, "customers", "{\"name\": \"\"}", KEHU_RECORD_ERROR_REQUIRED, "name");
  expect_error (f, "customers", "{\"name\": \"a\", \"level\": \"gold\"}", KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, "level");
  expect_error (f, "contacts", "{\"name\": \"a\", \"gender\": \"x\"}", KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, "gender");
  expect_error (f, "contacts", "{\"name\": \"a\", \"birthday\": \"2026-02-30\"}", KEHU_RECORD_ERROR_BAD_DATE, "birthday");
  expect_error (f, "contacts", "{\"name\": \"a\", \"birthday\": \"15/03/2026\"}", KEHU_RECORD_ERROR_BAD_DATE, "birthday");
  expect_error (f, "customers", "{\"name\": \"a\", \"next_contact_at\": \"tomorrow\"}", KEHU_RECORD_ERROR_BAD_DATE, "next_contact_at");
  expect_error (f, "contacts", "{\"name\": \"a\", \"customer_id\": \"6f1c1d5e-2b1a-4c43-9a57-3c5e0c0a0009\"}",
                KEHU_RECORD_ERROR_MISSING_REFERENCE, "customer_id");
  expect_error (f, "customers", "{\"name\": \"a\", \"owner_id\": \"6f1c1d5e-2b1a-4c43-9a57-3c5e0c0a0009\"}",
                KEHU_RECORD_ERROR_MISSING_REFERENCE, "owner_id");
  expect_error (f, "customers", "{\"name\": \"a\", \"contract_total\": 5}", KEHU_RECORD_ERROR_READ_ONLY, "contract_total");
  expect_error (f, "customers", "{\"name\": \"a\", \"created_at\": \"2026-01-01T00:00:00Z\"}", KEHU_RECORD_ERROR_READ_ONLY, "created_at");
  expect_error (f, "customers", "{\"name\": \"a\", \"email\": \"no-at-sign\"}", KEHU_RECORD_ERROR_WRONG_TYPE, "email");
  expect_error (f, "customers", "{\"name\": \"a\", \"phone\": \"call me\"}", KEHU_RECORD_ERROR_WRONG_TYPE, "phone");
  expect_error (f, "customers", "{\"name\": \"a\", \"extra\": {\"nope\": 1}}", KEHU_RECORD_ERROR_UNKNOWN_FIELD, "nope");
  expect_error (f, "users", "{\"name\": \"重复\", \"phone\": \"13800000001\"}", KEHU_RECORD_ERROR_DUPLICATE, "phone");
  expect_error (f, "nonsense", "{\"name\": \"a\"}", KEHU_RECORD_ERROR_UNKNOWN_MODULE, NULL);
  expect_error (f, "payment_plans", "{\"planned_amount\": 100, \"planned_date\": \"2026-01-01\"}",
                KEHU_RECORD_ERROR_REQUIRED, "contract_id");

  /* Contract numbers are unique among live contracts. */
  json = g_strdup_printf ("{\"name\": \"合同\", \"number\": \"HT-001\", \"customer_id\": \"%s\", \"amount\": 100}", customer);
  g_free (kehu_test_create (f, "contracts", json));
  expect_error (f, "contracts", json, KEHU_RECORD_ERROR_DUPLICATE, "number");

  /* Only the first customer, one contract and their two oplog rows exist. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM customers"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM contracts"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog"), ==, 2);

  /* Validation alone writes nothing. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) partial = kehu_test_object ("{\"level\": \"vip\"}");
    g_autoptr(JsonObject) bad = kehu_test_object ("{\"level\": \"gold\"}");

    g_assert_false (kehu_record_validate (f->ctx, "customers", partial, TRUE, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_REQUIRED);
    g_clear_error (&error);
    g_assert_true (kehu_record_validate (f->ctx, "customers", partial, FALSE, &error));
    g_assert_no_error (error);
    g_assert_false (kehu_record_validate (f->ctx, "customers", bad, FALSE, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY);
    g_assert_cmpint (count (f, "SELECT count(*) FROM customers"), ==, 1);
  }

  /* Updates are validated the same way. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) bad = kehu_test_object ("{\"name\": null}");
    g_assert_false (kehu_record_update (f->ctx, "customers", customer, bad, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_REQUIRED);
    g_assert_cmpstr (kehu_record_error_get_field (error), ==, "name");
  }
}

static void
test_update_changed_only (KehuFixture   *f,
                          gconstpointer  data)
{
  g_autofree char *id = kehu_test_create (f, "customers", "{\"name\": \"旧名\", \"level\": \"normal\", \"phone\": \"010-1\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  sqlite3_stmt *stmt = NULL;
  const char *expected[][3] = {
    { "level", "normal", "vip" },
    { "name", "旧名", "新名" },
    { "phone", "010-1", NULL },
  };
  guint i = 0;

  /* Same values: nothing written, updated_at unchanged. */
  kehu_test_set_now (f, "2026-03-16T00:00:00Z");
  kehu_test_update (f, "customers", id, "{\"name\": \"旧名\", \"level\": \"normal\"}");
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog WHERE action = 'update'"), ==, 0);
  record = kehu_record_get (f->ctx, "customers", id, &error);
  g_assert_cmpstr (json_object_get_string_member (record, "updated_at"), ==, TEST_NOW);
  g_clear_pointer (&record, json_object_unref);

  kehu_test_update (f, "customers", id, "{\"name\": \"新名\", \"level\": \"vip\", \"phone\": null, \"region\": null}");
  record = kehu_record_get (f->ctx, "customers", id, &error);
  g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "新名");
  g_assert_true (json_object_get_null_member (record, "phone"));
  g_assert_cmpstr (json_object_get_string_member (record, "updated_at"), ==, "2026-03-16T00:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (record, "created_at"), ==, TEST_NOW);

  /* One row per changed field, exact old → new (region stayed NULL). */
  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store),
                                       "SELECT field, old_value, new_value, at, user_id FROM oplog"
                                       " WHERE action = 'update' ORDER BY field", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_assert_cmpuint (i, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, expected[i][0]);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, expected[i][1]);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, expected[i][2]);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "2026-03-16T00:00:00Z");
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 4), ==, TEST_USER_1);
      i++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (i, ==, 3);

  /* The name key follows the name. */
  {
    g_autofree char *key = kehu_test_query_text (f->store, "SELECT name_key FROM customers");
    g_assert_cmpstr (key, ==, "新名");
  }
}

static void
test_custom_field_values (KehuFixture   *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cf = kehu_schema_add_custom_field (f->schema, "customers", "budget", "预算", KEHU_FIELD_MONEY, 0, NULL, &error);
  g_autofree char *cf2 = kehu_schema_add_custom_field (f->schema, "customers", "grade", "等级", KEHU_FIELD_CHOICE,
                                                       KEHU_FIELD_REQUIRED, "customer_level", &error);
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) record = NULL;
  JsonObject *extra;

  g_assert_no_error (error);
  expect_error (f, "customers", "{\"name\": \"a\"}", KEHU_RECORD_ERROR_REQUIRED, "grade");
  expect_error (f, "customers", "{\"name\": \"a\", \"extra\": {\"grade\": \"gold\"}}", KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, "grade");
  expect_error (f, "customers", "{\"name\": \"a\", \"extra\": {\"grade\": \"vip\", \"budget\": \"lots\"}}",
                KEHU_RECORD_ERROR_WRONG_TYPE, "budget");

  id = kehu_test_create (f, "customers", "{\"name\": \"a\", \"extra\": {\"grade\": \"vip\", \"budget\": 50000}}");
  kehu_test_update (f, "customers", id, "{\"extra\": {\"budget\": 70000}}");
  record = kehu_record_get (f->ctx, "customers", id, &error);
  extra = json_object_get_object_member (record, "extra");
  g_assert_cmpint (json_object_get_int_member (extra, "budget"), ==, 70000);
  g_assert_cmpstr (json_object_get_string_member (extra, "grade"), ==, "vip");
  {
    g_autofree char *row = kehu_test_query_text (f->store,
      "SELECT field || ':' || old_value || '->' || new_value FROM oplog WHERE action = 'update'");
    g_assert_cmpstr (row, ==, "budget:50000->70000");
  }

  /* A required custom field cannot be cleared; an optional one can. */
  {
    g_autoptr(JsonObject) clear = kehu_test_object ("{\"extra\": {\"grade\": null}}");
    g_assert_false (kehu_record_update (f->ctx, "customers", id, clear, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_REQUIRED);
    g_clear_error (&error);
  }
  kehu_test_update (f, "customers", id, "{\"extra\": {\"budget\": null}}");
  g_clear_pointer (&record, json_object_unref);
  record = kehu_record_get (f->ctx, "customers", id, &error);
  g_assert_false (json_object_has_member (json_object_get_object_member (record, "extra"), "budget"));
  kehu_test_update (f, "customers", id, "{\"extra\": {\"budget\": 1}}");

  /* Rename: the value follows; the API speaks the new name. */
  g_assert_true (kehu_schema_rename_custom_field (f->schema, "customers", "budget", "budget_cents", &error));
  g_assert_no_error (error);
  g_clear_pointer (&record, json_object_unref);
  record = kehu_record_get (f->ctx, "customers", id, &error);
  extra = json_object_get_object_member (record, "extra");
  g_assert_cmpint (json_object_get_int_member (extra, "budget_cents"), ==, 1);
  g_assert_false (json_object_has_member (extra, "budget"));
  expect_error (f, "customers", "{\"name\": \"b\", \"extra\": {\"grade\": \"vip\", \"budget\": 3}}",
                KEHU_RECORD_ERROR_UNKNOWN_FIELD, "budget");
  kehu_test_update (f, "customers", id, "{\"extra\": {\"budget_cents\": 2}}");

  /* Remove: the values go. */
  g_assert_true (kehu_schema_remove_custom_field (f->schema, "customers", "budget_cents", &error));
  g_clear_pointer (&record, json_object_unref);
  record = kehu_record_get (f->ctx, "customers", id, &error);
  extra = json_object_get_object_member (record, "extra");
  g_assert_false (json_object_has_member (extra, "budget_cents"));
  g_assert_cmpuint (json_object_get_size (extra), ==, 1);
}

static void
test_recycle_bin (KehuFixture   *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *customer = kehu_test_create (f, "customers", "{\"name\": \"客户\"}");
  g_autofree char *json = g_strdup_printf ("{\"name\": \"联系人\", \"customer_id\": \"%s\"}", customer);
  g_autofree char *contact = kehu_test_create (f, "contacts", json);
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) change = kehu_test_object ("{\"name\": \"x\"}");

  /* Purge needs the bin first. */
  g_assert_false (kehu_record_purge (f->ctx, "contacts", contact, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_DELETED);
  g_clear_error (&error);
  g_assert_false (kehu_record_restore (f->ctx, "contacts", contact, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_DELETED);
  g_clear_error (&error);

  kehu_test_set_now (f, "2026-03-20T00:00:00Z");
  g_assert_true (kehu_record_delete (f->ctx, "contacts", contact, &error));
  g_assert_no_error (error);
  record = kehu_record_get (f->ctx, "contacts", contact, &error);
  g_assert_cmpstr (json_object_get_string_member (record, "deleted_at"), ==, "2026-03-20T00:00:00Z");
  g_assert_false (kehu_record_update (f->ctx, "contacts", contact, change, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_DELETED);
  g_clear_error (&error);
  g_assert_false (kehu_record_delete (f->ctx, "contacts", contact, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_DELETED);
  g_clear_error (&error);

  /* A reference to a record in the bin is refused. */
  {
    g_autofree char *json2 = g_strdup_printf ("{\"name\": \"签约\", \"customer_id\": \"%s\", \"customer_signer_id\": \"%s\"}",
                                              customer, contact);
    expect_error (f, "contracts", json2, KEHU_RECORD_ERROR_MISSING_REFERENCE, "customer_signer_id");
  }

  /* The parent in the bin: restore it first. Purged: never. */
  g_assert_true (kehu_record_delete (f->ctx, "customers", customer, &error));
  g_assert_false (kehu_record_restore (f->ctx, "contacts", contact, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_PARENT_GONE);
  g_assert_cmpstr (kehu_record_error_get_field (error), ==, "customer_id");
  g_clear_error (&error);
  g_assert_true (kehu_record_restore (f->ctx, "customers", customer, &error));
  g_assert_true (kehu_record_restore (f->ctx, "contacts", contact, &error));
  g_assert_no_error (error);
  g_clear_pointer (&record, json_object_unref);
  record = kehu_record_get (f->ctx, "contacts", contact, &error);
  g_assert_true (json_object_get_null_member (record, "deleted_at"));

  g_assert_true (kehu_record_delete (f->ctx, "contacts", contact, &error));
  g_assert_true (kehu_record_delete (f->ctx, "customers", customer, &error));
  g_assert_true (kehu_record_purge (f->ctx, "customers", customer, &error));
  g_assert_no_error (error);
  g_assert_null (kehu_record_get (f->ctx, "customers", customer, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kehu_record_restore (f->ctx, "contacts", contact, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_PARENT_GONE);
  g_clear_error (&error);

  /* The log of the contact, in order. */
  {
    g_autofree char *actions = kehu_test_query_text (f->store,
      "SELECT group_concat (action, ',') FROM (SELECT action FROM oplog WHERE module = 'contacts' ORDER BY id)");
    g_assert_cmpstr (actions, ==, "create,delete,restore,delete");
    g_free (actions);
    actions = kehu_test_query_text (f->store,
      "SELECT group_concat (action, ',') FROM (SELECT action FROM oplog WHERE module = 'customers' ORDER BY id)");
    g_assert_cmpstr (actions, ==, "create,delete,restore,delete,purge");
  }

  /* A restored contract whose number was taken meanwhile is refused. */
  {
    g_autofree char *c2 = kehu_test_create (f, "customers", "{\"name\": \"客户2\"}");
    g_autofree char *j1 = g_strdup_printf ("{\"name\": \"A\", \"number\": \"N1\", \"customer_id\": \"%s\"}", c2);
    g_autofree char *k1 = kehu_test_create (f, "contracts", j1);
    g_autofree char *k2 = NULL;

    g_assert_true (kehu_record_delete (f->ctx, "contracts", k1, &error));
    k2 = kehu_test_create (f, "contracts", j1);
    g_assert_false (kehu_record_restore (f->ctx, "contracts", k1, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_DUPLICATE);
    g_assert_cmpstr (kehu_record_error_get_field (error), ==, "number");
  }
}

static void
test_delete_without_bin (KehuFixture   *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *scene = kehu_test_create (f, "scenes",
                                             "{\"module\": \"customers\", \"name\": \"我的VIP\","
                                             " \"filter\": {\"conditions\": [{\"field\": \"level\", \"op\": \"eq\", \"value\": \"vip\"}]}}");
  g_autofree char *filter = kehu_test_query_text (f->store, "SELECT filter FROM scenes");

  /* JSON columns are stored as JSON text; a scene has no owner unless given. */
  g_assert_cmpstr (filter, ==, "{\"conditions\":[{\"field\":\"level\",\"op\":\"eq\",\"value\":\"vip\"}]}");
  g_assert_cmpint (count (f, "SELECT count(*) FROM scenes WHERE owner_id IS NULL"), ==, 1);
  g_assert_true (kehu_record_delete (f->ctx, "scenes", scene, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM scenes"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog WHERE module = 'scenes' AND action = 'delete'"), ==, 1);
  g_assert_false (kehu_record_delete (f->ctx, "scenes", scene, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_FOUND);
}

static void
test_revs (KehuFixture   *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *fields[] = { "name", NULL };

  kehu_context_set_assign_revs (f->ctx, TRUE);
  id = kehu_test_create (f, "customers", "{\"name\": \"甲\", \"level\": \"vip\"}");
  g_assert_cmpint (count (f, "SELECT rev FROM customers"), ==, 1);
  g_assert_cmpint (count (f, "SELECT rev FROM field_revs WHERE field = 'level'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT rev FROM field_revs WHERE field = 'name'"), ==, 1);

  kehu_test_update (f, "customers", id, "{\"name\": \"乙\"}");
  g_assert_cmpint (count (f, "SELECT rev FROM customers"), ==, 2);
  g_assert_cmpint (count (f, "SELECT rev FROM field_revs WHERE field = 'name'"), ==, 2);
  g_assert_cmpint (count (f, "SELECT rev FROM field_revs WHERE field = 'level'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM sync_changes"), ==, 2);

  /* Without assign_revs (a client) the rev stays until the server's answer. */
  kehu_context_set_assign_revs (f->ctx, FALSE);
  kehu_test_update (f, "customers", id, "{\"name\": \"丙\"}");
  g_assert_cmpint (count (f, "SELECT rev FROM customers"), ==, 2);
  g_assert_true (kehu_record_set_revs (f->ctx, "customers", id, 17, fields, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT rev FROM customers"), ==, 17);
  g_assert_cmpint (count (f, "SELECT rev FROM field_revs WHERE field = 'name'"), ==, 17);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  KEHU_TEST_ADD ("/record/create-get", test_create_get);
  KEHU_TEST_ADD ("/record/invalid-input", test_invalid_input);
  KEHU_TEST_ADD ("/record/update/changed-only", test_update_changed_only);
  KEHU_TEST_ADD ("/record/custom-fields", test_custom_field_values);
  KEHU_TEST_ADD ("/record/recycle-bin", test_recycle_bin);
  KEHU_TEST_ADD ("/record/revs", test_revs);
  KEHU_TEST_ADD ("/record/delete-without-bin", test_delete_without_bin);

  return g_test_run ();
}
