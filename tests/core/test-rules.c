/* test-rules.c: conversion, transfer, stages, totals, product lines, duplicates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "kehu-test-util.h"

static gint64 num (KehuFixture *f, const char *sql_format, ...) G_GNUC_PRINTF (2, 3);
static char *text (KehuFixture *f, const char *sql_format, ...) G_GNUC_PRINTF (2, 3);

static gint64
num (KehuFixture *f,
     const char  *sql_format,
     ...)
{
  va_list args;
  g_autofree char *sql = NULL;

  va_start (args, sql_format);
  sql = g_strdup_vprintf (sql_format, args);
  va_end (args);
  return kehu_test_query_int (f->store, sql);
}

static char *
text (KehuFixture *f,
      const char  *sql_format,
      ...)
{
  va_list args;
  g_autofree char *sql = NULL;

  va_start (args, sql_format);
  sql = g_strdup_vprintf (sql_format, args);
  va_end (args);
  return kehu_test_query_text (f->store, sql);
}

static char *
create_fmt (KehuFixture *f,
            const char  *module,
            const char  *format,
            ...) G_GNUC_PRINTF (3, 4);

static char *
create_fmt (KehuFixture *f,
            const char  *module,
            const char  *format,
            ...)
{
  va_list args;
  g_autofree char *json = NULL;

  va_start (args, format);
  json = g_strdup_vprintf (format, args);
  va_end (args);
  return kehu_test_create (f, module, json);
}

static void
test_convert (KehuFixture   *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cf1 = kehu_schema_add_custom_field (f->schema, "leads", "budget", "预算", KEHU_FIELD_MONEY, 0, NULL, &error);
  g_autofree char *cf2 = kehu_schema_add_custom_field (f->schema, "customers", "budget", "预算", KEHU_FIELD_MONEY, 0, NULL, &error);
  g_autofree char *cf3 = kehu_schema_add_custom_field (f->schema, "leads", "booth", "展位", KEHU_FIELD_TEXT, 0, NULL, &error);
  g_autofree char *lead = NULL, *lead2 = NULL, *customer = NULL, *f1 = NULL, *f2 = NULL;
  g_autoptr(JsonObject) c = NULL;
  g_autoptr(JsonObject) l = NULL;

  g_assert_no_error (error);
  kehu_context_set_user_id (f->ctx, TEST_USER_2);
  lead = kehu_test_create (f, "leads",
                           "{\"name\": \"深圳某某电子有限公司\", \"contact_name\": \"赵六\", \"mobile\": \"13912345678\","
                           " \"phone\": \"0755-1234567\", \"source\": \"exhibition\", \"level\": \"vip\", \"industry\": \"it\","
                           " \"region\": \"广东\", \"remark\": \"展会认识\", \"extra\": {\"budget\": 8800000, \"booth\": \"A12\"}}");
  f1 = create_fmt (f, "followups", "{\"target_module\": \"leads\", \"target_id\": \"%s\", \"method\": \"phone\","
                   " \"content\": \"第一次电话\", \"followed_at\": \"2026-03-01T02:00:00Z\"}", lead);
  f2 = create_fmt (f, "followups", "{\"target_module\": \"leads\", \"target_id\": \"%s\", \"method\": \"visit\","
                   " \"content\": \"上门拜访\", \"followed_at\": \"2026-03-10T02:00:00Z\"}", lead);
  g_assert_cmpint (num (f, "SELECT last_followup_at = '2026-03-10T02:00:00Z' FROM leads WHERE id = '%s'", lead), ==, 1);

  kehu_context_set_user_id (f->ctx, TEST_USER_1);
  kehu_test_set_now (f, "2026-03-16T01:00:00Z");
  g_assert_true (kehu_rules_convert_lead (f->ctx, lead, &customer, &error));
  g_assert_no_error (error);
  g_assert_nonnull (customer);

  c = kehu_record_get (f->ctx, "customers", customer, &error);
  g_assert_cmpstr (json_object_get_string_member (c, "name"), ==, "深圳某某电子有限公司");
  g_assert_cmpstr (json_object_get_string_member (c, "phone"), ==, "0755-1234567");
  g_assert_cmpstr (json_object_get_string_member (c, "source"), ==, "exhibition");
  g_assert_cmpstr (json_object_get_string_member (c, "level"), ==, "vip");
  g_assert_cmpstr (json_object_get_string_member (c, "industry"), ==, "it");
  g_assert_cmpstr (json_object_get_string_member (c, "region"), ==, "广东");
  g_assert_cmpstr (json_object_get_string_member (c, "remark"), ==, "展会认识");
  /* The lead's owner keeps the customer, not whoever converted it. */
  g_assert_cmpstr (json_object_get_string_member (c, "owner_id"), ==, TEST_USER_2);
  g_assert_cmpstr (json_object_get_string_member (c, "last_followup_at"), ==, "2026-03-10T02:00:00Z");
  /* Custom fields of the same name come along; others stay with the lead. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (c, "extra"), "budget"), ==, 8800000);
  g_assert_false (json_object_has_member (json_object_get_object_member (c, "extra"), "booth"));

  /* The contact person became a primary contact. */
  g_assert_cmpint (num (f, "SELECT count(*) FROM contacts WHERE customer_id = '%s' AND name = '赵六'"
                           " AND mobile = '13912345678' AND is_primary = 1", customer), ==, 1);
  /* Follow-ups moved to the customer. */
  g_assert_cmpint (num (f, "SELECT count(*) FROM followups WHERE target_module = 'customers' AND target_id = '%s'"
                           " AND customer_id = target_id", customer), ==, 2);
  g_assert_cmpint (num (f, "SELECT count(*) FROM followups WHERE target_id = '%s'", lead), ==, 0);

  l = kehu_record_get (f->ctx, "leads", lead, &error);
  g_assert_cmpstr (json_object_get_string_member (l, "status"), ==, "converted");
  g_assert_cmpstr (json_object_get_string_member (l, "converted_customer_id"), ==, customer);
  g_assert_cmpstr (json_object_get_string_member (l, "converted_at"), ==, "2026-03-16T01:00:00Z");
  g_assert_cmpint (num (f, "SELECT count(*) FROM oplog WHERE module = 'leads' AND record_id = '%s' AND action = 'convert'",
                        lead), ==, 3);
  {
    g_autofree char *row = text (f, "SELECT old_value || '->' || new_value FROM oplog WHERE record_id = '%s'"
                                    " AND action = 'convert' AND field = 'status'", lead);
    g_assert_cmpstr (row, ==, "new->converted");
  }

  /* Twice: refused, nothing new. */
  g_assert_false (kehu_rules_convert_lead (f->ctx, lead, NULL, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_ALREADY_CONVERTED);
  g_assert_nonnull (strstr (error->message, "深圳某某电子有限公司"));
  g_clear_error (&error);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers"), ==, 1);

  /* Many at once are all or nothing. */
  lead2 = kehu_test_create (f, "leads", "{\"name\": \"另一条线索\"}");
  {
    const char *ids[] = { lead2, lead, NULL };
    g_assert_false (kehu_rules_convert_leads (f->ctx, ids, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_ALREADY_CONVERTED);
    g_clear_error (&error);
    g_assert_cmpint (num (f, "SELECT status = 'new' FROM leads WHERE id = '%s'", lead2), ==, 1);
    g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers"), ==, 1);
  }
  {
    const char *ids[] = { lead2, NULL };
    g_assert_true (kehu_rules_convert_leads (f->ctx, ids, &error));
    g_assert_no_error (error);
    g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers"), ==, 2);
    /* No contact person, no mobile: no contact. */
    g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 1);
  }
}

typedef struct
{
  char *customer, *contact1, *contact2, *gone, *opportunity, *contract;
} Family;

static void
family_make (KehuFixture *f,
             Family      *fam)
{
  g_autoptr(GError) error = NULL;

  fam->customer = kehu_test_create (f, "customers", "{\"name\": \"华为\"}");
  fam->contact1 = create_fmt (f, "contacts", "{\"name\": \"甲\", \"customer_id\": \"%s\"}", fam->customer);
  fam->contact2 = create_fmt (f, "contacts", "{\"name\": \"乙\", \"customer_id\": \"%s\"}", fam->customer);
  fam->gone = create_fmt (f, "contacts", "{\"name\": \"丙\", \"customer_id\": \"%s\"}", fam->customer);
  g_assert_true (kehu_record_delete (f->ctx, "contacts", fam->gone, &error));
  fam->opportunity = create_fmt (f, "opportunities", "{\"name\": \"项目\", \"customer_id\": \"%s\"}", fam->customer);
  fam->contract = create_fmt (f, "contracts", "{\"name\": \"合同\", \"customer_id\": \"%s\"}", fam->customer);
}

static void
family_clear (Family *fam)
{
  g_free (fam->customer);
  g_free (fam->contact1);
  g_free (fam->contact2);
  g_free (fam->gone);
  g_free (fam->opportunity);
  g_free (fam->contract);
}

static char *
owner_of (KehuFixture *f,
          const char  *module,
          const char  *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT owner_id FROM %s WHERE id = '%s'", module, id);
  return kehu_test_query_text (f->store, sql);
}

#define assert_owner(f, module, id, expected) \
  G_STMT_START { g_autofree char *o_ = owner_of (f, module, id); g_assert_cmpstr (o_, ==, expected); } G_STMT_END

static void
test_transfer (KehuFixture   *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Family a = { 0 }, b = { 0 };

  family_make (f, &a);
  family_make (f, &b);
  kehu_test_set_now (f, "2026-03-20T00:00:00Z");

  /* Cascade and keep the old owner with read access. */
  {
    const char *ids[] = { a.customer, NULL };
    g_assert_true (kehu_rules_transfer (f->ctx, "customers", ids, TEST_USER_2,
                                        KEHU_TRANSFER_CASCADE | KEHU_TRANSFER_KEEP_TEAM_READ, &error));
    g_assert_no_error (error);
  }
  assert_owner (f, "customers", a.customer, TEST_USER_2);
  assert_owner (f, "contacts", a.contact1, TEST_USER_2);
  assert_owner (f, "contacts", a.contact2, TEST_USER_2);
  assert_owner (f, "opportunities", a.opportunity, TEST_USER_2);
  assert_owner (f, "contracts", a.contract, TEST_USER_2);
  /* The recycle bin is not moved. */
  assert_owner (f, "contacts", a.gone, TEST_USER_1);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM team_members WHERE user_id = '" TEST_USER_1 "' AND access = 'read'"), ==, 5);
  g_assert_cmpint (num (f, "SELECT count(*) FROM team_members WHERE record_id = '%s' AND module = 'customers'", a.customer), ==, 1);
  g_assert_cmpint (num (f, "SELECT owned_since = '2026-03-20T00:00:00Z' FROM customers WHERE id = '%s'", a.customer), ==, 1);
  {
    g_autofree char *row = text (f, "SELECT field || ':' || old_value || '->' || new_value FROM oplog"
                                    " WHERE action = 'transfer' AND record_id = '%s' AND field = 'owner_id'", a.opportunity);
    g_autofree char *expected = g_strdup ("owner_id:" TEST_USER_1 "->" TEST_USER_2);
    g_assert_cmpstr (row, ==, expected);
  }
  /* The other family was not touched. */
  assert_owner (f, "customers", b.customer, TEST_USER_1);

  /* No cascade, no team: only the customer moves. */
  {
    const char *ids[] = { b.customer, NULL };
    g_assert_true (kehu_rules_transfer (f->ctx, "customers", ids, TEST_USER_3, KEHU_TRANSFER_NONE, &error));
  }
  assert_owner (f, "customers", b.customer, TEST_USER_3);
  assert_owner (f, "contacts", b.contact1, TEST_USER_1);
  assert_owner (f, "contracts", b.contract, TEST_USER_1);
  g_assert_cmpint (num (f, "SELECT count(*) FROM team_members WHERE record_id = '%s'", b.customer), ==, 0);

  /* Back to user 1 keeping write access; user 1 leaves the team as owner. */
  {
    const char *ids[] = { a.customer, NULL };
    g_assert_true (kehu_rules_transfer (f->ctx, "customers", ids, TEST_USER_1, KEHU_TRANSFER_KEEP_TEAM_WRITE, &error));
  }
  g_assert_cmpint (num (f, "SELECT count(*) FROM team_members WHERE record_id = '%s'"
                           " AND user_id = '" TEST_USER_2 "' AND access = 'write'", a.customer), ==, 1);
  g_assert_cmpint (num (f, "SELECT count(*) FROM team_members WHERE record_id = '%s'"
                           " AND user_id = '" TEST_USER_1 "'", a.customer), ==, 0);

  /* Refusals: a disabled user, a record in the bin, a module without owners. */
  g_assert_true (kehu_store_exec (f->store, "UPDATE users SET is_enabled = 0 WHERE id = '" TEST_USER_3 "'", &error));
  {
    const char *ids[] = { a.contact1, NULL };
    const char *gone[] = { a.contact1, a.gone, NULL };

    g_assert_false (kehu_rules_transfer (f->ctx, "contacts", ids, TEST_USER_3, 0, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_MISSING_REFERENCE);
    g_clear_error (&error);
    g_assert_false (kehu_rules_transfer (f->ctx, "contacts", gone, TEST_USER_1, 0, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_DELETED);
    g_clear_error (&error);
    /* All or nothing: the live contact did not move either. */
    assert_owner (f, "contacts", a.contact1, TEST_USER_2);
    g_assert_false (kehu_rules_transfer (f->ctx, "sales_targets", ids, TEST_USER_1, 0, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_UNKNOWN_MODULE);
  }

  family_clear (&a);
  family_clear (&b);
}

/* A team change gives the record a new rev (on the server, which assigns
 * revs): the next pull carries it; a removal of no one changes nothing. */
static void
test_team_revs (KehuFixture   *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *customer = kehu_test_create (f, "customers", "{\"name\": \"团队客户\"}");
  gint64 changes = num (f, "SELECT count(*) FROM sync_changes");
  gint64 rev;
  gboolean removed = TRUE;

  /* A client cache assigns no revs. */
  g_assert_true (kehu_rules_add_team_member (f->ctx, "customers", customer, TEST_USER_2, "read", &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT count(*) FROM sync_changes"), ==, changes);

  kehu_context_set_assign_revs (f->ctx, TRUE);
  g_assert_true (kehu_rules_add_team_member (f->ctx, "customers", customer, TEST_USER_3, "write", &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT count(*) FROM sync_changes"), ==, changes + 1);
  rev = num (f, "SELECT rev FROM customers WHERE id = '%s'", customer);
  g_assert_cmpint (rev, ==, num (f, "SELECT max(rev) FROM sync_changes WHERE module = 'customers' AND record_id = '%s'",
                                 customer));

  g_assert_true (kehu_rules_remove_team_member (f->ctx, "customers", customer, TEST_USER_2, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (removed);
  g_assert_cmpint (num (f, "SELECT rev FROM customers WHERE id = '%s'", customer), >, rev);
  g_assert_cmpint (num (f, "SELECT count(*) FROM team_members WHERE record_id = '%s'", customer), ==, 1);
  g_assert_cmpint (num (f, "SELECT count(*) FROM oplog WHERE record_id = '%s' AND action = 'team_remove'"
                           " AND old_value = '" TEST_USER_2 "'", customer), ==, 1);

  changes = num (f, "SELECT count(*) FROM sync_changes");
  g_assert_true (kehu_rules_remove_team_member (f->ctx, "customers", customer, TEST_USER_2, &removed, &error));
  g_assert_no_error (error);
  g_assert_false (removed);
  g_assert_cmpint (num (f, "SELECT count(*) FROM sync_changes"), ==, changes);
}

static void
test_stages (KehuFixture   *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *customer = kehu_test_create (f, "customers", "{\"name\": \"客户\"}");
  g_autofree char *opp = create_fmt (f, "opportunities", "{\"name\": \"商机\", \"customer_id\": \"%s\", \"amount\": 500000}", customer);
  g_autofree char *opp2 = create_fmt (f, "opportunities", "{\"name\": \"商机2\", \"customer_id\": \"%s\"}", customer);
  g_autoptr(JsonObject) o = kehu_record_get (f->ctx, "opportunities", opp, &error);

  /* A new opportunity starts in the first stage of the default group. */
  g_assert_cmpstr (json_object_get_string_member (o, "stage_group_id"), ==, KEHU_ID_DEFAULT_STAGE_GROUP);
  g_assert_cmpstr (json_object_get_string_member (o, "stage_id"), ==, KEHU_ID_STAGE_QUALIFY);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "open");
  g_assert_cmpstr (json_object_get_string_member (o, "stage_changed_at"), ==, TEST_NOW);
  g_assert_cmpint (num (f, "SELECT count(*) FROM opportunity_stage_history WHERE opportunity_id = '%s'"
                           " AND from_stage_id IS NULL AND to_stage_id = '" KEHU_ID_STAGE_QUALIFY "' AND dwell_days IS NULL", opp), ==, 1);

  /* Ten and a half days later: 10 dwell days. */
  kehu_test_set_now (f, "2026-03-25T22:00:00Z");
  g_assert_true (kehu_rules_change_stage (f->ctx, opp, KEHU_ID_STAGE_NEEDS, "客户确认预算", &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT dwell_days FROM opportunity_stage_history WHERE opportunity_id = '%s'"
                           " AND to_stage_id = '" KEHU_ID_STAGE_NEEDS "'", opp), ==, 10);
  {
    g_autofree char *reason = text (f, "SELECT reason FROM opportunity_stage_history WHERE opportunity_id = '%s'"
                                       " AND to_stage_id = '" KEHU_ID_STAGE_NEEDS "'", opp);
    g_autofree char *changed = text (f, "SELECT stage_changed_at FROM opportunities WHERE id = '%s'", opp);
    g_assert_cmpstr (reason, ==, "客户确认预算");
    g_assert_cmpstr (changed, ==, "2026-03-25T22:00:00Z");
  }
  /* The same stage again changes nothing. */
  g_assert_true (kehu_rules_change_stage (f->ctx, opp, KEHU_ID_STAGE_NEEDS, NULL, &error));
  g_assert_cmpint (num (f, "SELECT count(*) FROM opportunity_stage_history WHERE opportunity_id = '%s'", opp), ==, 2);

  kehu_test_set_now (f, "2026-03-28T22:00:00Z");
  g_assert_true (kehu_rules_win (f->ctx, opp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT status = 'won' AND stage_id = '" KEHU_ID_STAGE_WON "' FROM opportunities WHERE id = '%s'", opp), ==, 1);
  g_assert_cmpint (num (f, "SELECT dwell_days FROM opportunity_stage_history WHERE opportunity_id = '%s'"
                           " AND to_stage_id = '" KEHU_ID_STAGE_WON "'", opp), ==, 3);

  g_assert_false (kehu_rules_lose (f->ctx, opp2, NULL, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_REQUIRED);
  g_clear_error (&error);
  g_assert_false (kehu_rules_lose (f->ctx, opp2, "cheaper", &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY);
  g_clear_error (&error);
  g_assert_true (kehu_rules_lose (f->ctx, opp2, "competitor", &error));
  g_assert_cmpint (num (f, "SELECT status = 'lost' AND lost_reason = 'competitor' FROM opportunities WHERE id = '%s'", opp2), ==, 1);

  /* Reopening by moving the stage back makes it open again. */
  g_assert_true (kehu_rules_change_stage (f->ctx, opp2, KEHU_ID_STAGE_PROPOSAL, NULL, &error));
  g_assert_cmpint (num (f, "SELECT status = 'open' FROM opportunities WHERE id = '%s'", opp2), ==, 1);

  /* A stage of another group is refused. */
  g_assert_true (kehu_store_exec (f->store,
                                  "INSERT INTO stage_groups (id, created_at, updated_at, name) VALUES ('g2', 'x', 'x', 'Other');"
                                  "INSERT INTO stages (id, group_id, name, win_rate, position) VALUES ('s2', 'g2', 'Only', 50, 0);",
                                  &error));
  g_assert_false (kehu_rules_change_stage (f->ctx, opp2, "s2", NULL, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_INVALID);
  g_assert_cmpstr (kehu_record_error_get_field (error), ==, "stage_id");
}

/* The group marked default takes new opportunities, and only one group is
 * the default; an opportunity moved to another group starts at its first
 * stage. */
static void
test_stage_group_default (KehuFixture   *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *customer = kehu_test_create (f, "customers", "{\"name\": \"客户\"}");
  g_autofree char *renewal = kehu_admin_add_stage_group (f->ctx, "续费流程", &error);
  g_autofree char *first = NULL;
  g_autofree char *opp = NULL, *opp2 = NULL;
  g_autoptr(JsonObject) on = json_object_new ();
  g_autoptr(JsonObject) move = json_object_new ();

  g_assert_no_error (error);
  g_assert_nonnull (kehu_admin_add_stage (f->store, renewal, "确认续费意向", 40, &error));
  g_assert_no_error (error);
  first = text (f, "SELECT id FROM stages WHERE group_id = '%s' AND kind = 'open'", renewal);

  /* Before: the seeded group. */
  opp = create_fmt (f, "opportunities", "{\"name\": \"A\", \"customer_id\": \"%s\"}", customer);
  g_assert_cmpint (num (f, "SELECT stage_group_id = '" KEHU_ID_DEFAULT_STAGE_GROUP "' FROM opportunities WHERE id = '%s'", opp), ==, 1);

  json_object_set_boolean_member (on, "is_default", TRUE);
  g_assert_true (kehu_record_update (f->ctx, "stage_groups", renewal, on, &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT count (*) FROM stage_groups WHERE is_default = 1 AND id = '%s'", renewal), ==, 1);
  g_assert_cmpint (num (f, "SELECT count (*) FROM stage_groups WHERE is_default = 1%s", ""), ==, 1);
  /* The seeded group gave the flag up as a logged change. */
  g_assert_cmpint (num (f, "SELECT count (*) FROM oplog WHERE module = 'stage_groups' AND record_id = '%s'"
                           " AND field = 'is_default'", KEHU_ID_DEFAULT_STAGE_GROUP), ==, 1);

  opp2 = create_fmt (f, "opportunities", "{\"name\": \"B\", \"customer_id\": \"%s\"}", customer);
  g_assert_cmpint (num (f, "SELECT stage_group_id = '%s' FROM opportunities WHERE id = '%s'", renewal, opp2), ==, 1);
  g_assert_cmpint (num (f, "SELECT stage_id = '%s' FROM opportunities WHERE id = '%s'", first, opp2), ==, 1);

  /* A moves to the renewal process: its first stage, a stage history row. */
  kehu_test_set_now (f, "2026-03-20T10:00:00Z");
  json_object_set_string_member (move, "stage_group_id", renewal);
  g_assert_true (kehu_record_update (f->ctx, "opportunities", opp, move, &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT stage_id = '%s' AND status = 'open' FROM opportunities WHERE id = '%s'", first, opp), ==, 1);
  g_assert_cmpint (num (f, "SELECT dwell_days FROM opportunity_stage_history WHERE opportunity_id = '%s'"
                           " AND from_stage_id = '" KEHU_ID_STAGE_QUALIFY "'", opp), ==, 5);
}

static void
assert_contract (KehuFixture *f,
                 const char  *id,
                 gint64       received,
                 gint64       outstanding,
                 gint64       invoiced,
                 gint64       plan)
{
  g_assert_cmpint (num (f, "SELECT received_total FROM contracts WHERE id = '%s'", id), ==, received);
  g_assert_cmpint (num (f, "SELECT outstanding FROM contracts WHERE id = '%s'", id), ==, outstanding);
  g_assert_cmpint (num (f, "SELECT invoiced_total FROM contracts WHERE id = '%s'", id), ==, invoiced);
  g_assert_cmpint (num (f, "SELECT plan_total FROM contracts WHERE id = '%s'", id), ==, plan);
}

static void
assert_customer (KehuFixture *f,
                 const char  *id,
                 gint64       contract,
                 gint64       plan,
                 gint64       received,
                 gint64       invoiced)
{
  g_assert_cmpint (num (f, "SELECT contract_total FROM customers WHERE id = '%s'", id), ==, contract);
  g_assert_cmpint (num (f, "SELECT plan_total FROM customers WHERE id = '%s'", id), ==, plan);
  g_assert_cmpint (num (f, "SELECT received_total FROM customers WHERE id = '%s'", id), ==, received);
  g_assert_cmpint (num (f, "SELECT invoiced_total FROM customers WHERE id = '%s'", id), ==, invoiced);
}

static void
test_totals (KehuFixture   *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *c = kehu_test_create (f, "customers", "{\"name\": \"客户\"}");
  g_autofree char *k1 = create_fmt (f, "contracts", "{\"name\": \"K1\", \"customer_id\": \"%s\", \"amount\": 100000,"
                                    " \"signed_date\": \"2026-03-01\"}", c);
  g_autofree char *k2 = NULL, *k3 = NULL, *p1 = NULL, *p2 = NULL, *pay1 = NULL, *pay2 = NULL, *pay3 = NULL;
  g_autofree char *inv1 = NULL, *inv2 = NULL;

  /* Draft contracts take no payments and count for nothing. */
  {
    g_autofree char *json = g_strdup_printf ("{\"contract_id\": \"%s\", \"amount\": 1, \"paid_date\": \"2026-03-02\"}", k1);
    g_autoptr(JsonObject) fields = kehu_test_object (json);
    g_autofree char *id = kehu_record_create (f->ctx, "payments", fields, &error);
    g_assert_null (id);
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_INVALID);
    g_assert_cmpstr (kehu_record_error_get_field (error), ==, "contract_id");
    g_clear_error (&error);
  }
  assert_customer (f, c, 0, 0, 0, 0);
  assert_contract (f, k1, 0, 100000, 0, 0);

  /* Only the approval flow may decide: an ordinary edit of the status is
   * refused, so nobody approves their own contract with a PATCH. */
  {
    g_autoptr(JsonObject) fields = kehu_test_object ("{\"approval_status\": \"approved\"}");
    g_assert_false (kehu_record_update (f->ctx, "contracts", k1, fields, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_READ_ONLY);
    g_assert_cmpstr (kehu_record_error_get_field (error), ==, "approval_status");
    g_clear_error (&error);
  }
  assert_contract (f, k1, 0, 100000, 0, 0);

  /* From here on the test stands in for the approval flow (kehu-approvals.c
   * writes the status as a trusted writer). */
  kehu_context_set_trusted (f->ctx, TRUE);

  kehu_test_update (f, "contracts", k1, "{\"approval_status\": \"approved\"}");
  assert_customer (f, c, 100000, 0, 0, 0);
  g_assert_cmpint (num (f, "SELECT deal_status = 'deal' AND last_deal_at = '2026-03-01' FROM customers WHERE id = '%s'", c), ==, 1);

  p1 = create_fmt (f, "payment_plans", "{\"contract_id\": \"%s\", \"instalment\": 1, \"planned_amount\": 30000, \"planned_date\": \"2026-04-01\"}", k1);
  p2 = create_fmt (f, "payment_plans", "{\"contract_id\": \"%s\", \"instalment\": 2, \"planned_amount\": 70000, \"planned_date\": \"2026-06-01\"}", k1);
  g_assert_cmpint (num (f, "SELECT customer_id = '%s' FROM payment_plans WHERE instalment = 1", c), ==, 1);
  assert_contract (f, k1, 0, 100000, 0, 100000);
  assert_customer (f, c, 100000, 100000, 0, 0);

  pay1 = create_fmt (f, "payments", "{\"contract_id\": \"%s\", \"plan_id\": \"%s\", \"amount\": 20000, \"paid_date\": \"2026-04-01\","
                     " \"approval_status\": \"approved\"}", k1, p1);
  pay2 = create_fmt (f, "payments", "{\"contract_id\": \"%s\", \"plan_id\": \"%s\", \"amount\": 15000, \"paid_date\": \"2026-04-02\"}", k1, p1);
  pay3 = create_fmt (f, "payments", "{\"contract_id\": \"%s\", \"plan_id\": \"%s\", \"amount\": 50000, \"paid_date\": \"2026-06-01\","
                     " \"approval_status\": \"approved\"}", k1, p2);
  /* Only approved payments count: 20000 + 50000. */
  assert_contract (f, k1, 70000, 30000, 0, 100000);
  assert_customer (f, c, 100000, 100000, 70000, 0);
  g_assert_cmpint (num (f, "SELECT received_amount FROM payment_plans WHERE id = '%s'", p1), ==, 20000);
  g_assert_cmpint (num (f, "SELECT status = 'partial' FROM payment_plans WHERE id = '%s'", p1), ==, 1);

  /* Approving the draft: 85000; plan 1 is now fully received (35000 ≥ 30000). */
  kehu_test_update (f, "payments", pay2, "{\"approval_status\": \"approved\"}");
  assert_contract (f, k1, 85000, 15000, 0, 100000);
  g_assert_cmpint (num (f, "SELECT status = 'received' AND received_amount = 35000 FROM payment_plans WHERE id = '%s'", p1), ==, 1);

  /* Delete and restore. */
  g_assert_true (kehu_record_delete (f->ctx, "payments", pay3, &error));
  assert_contract (f, k1, 35000, 65000, 0, 100000);
  assert_customer (f, c, 100000, 100000, 35000, 0);
  g_assert_cmpint (num (f, "SELECT status = 'pending' AND received_amount = 0 FROM payment_plans WHERE id = '%s'", p2), ==, 1);
  g_assert_true (kehu_record_restore (f->ctx, "payments", pay3, &error));
  g_assert_no_error (error);
  assert_contract (f, k1, 85000, 15000, 0, 100000);

  /* Changing an amount. */
  kehu_test_update (f, "payments", pay1, "{\"amount\": 25000}");
  assert_contract (f, k1, 90000, 10000, 0, 100000);
  assert_customer (f, c, 100000, 100000, 90000, 0);

  /* Moving a payment to another contract of the same customer. */
  k2 = create_fmt (f, "contracts", "{\"name\": \"K2\", \"customer_id\": \"%s\", \"amount\": 5000, \"approval_status\": \"approved\"}", c);
  {
    g_autofree char *json = g_strdup_printf ("{\"contract_id\": \"%s\", \"plan_id\": null}", k2);
    kehu_test_update (f, "payments", pay1, json);
  }
  assert_contract (f, k1, 65000, 35000, 0, 100000);
  assert_contract (f, k2, 25000, -20000, 0, 0);
  assert_customer (f, c, 105000, 100000, 90000, 0);
  g_assert_cmpint (num (f, "SELECT received_amount FROM payment_plans WHERE id = '%s'", p1), ==, 15000);

  /* Invoices: approved only. */
  inv1 = create_fmt (f, "invoices", "{\"contract_id\": \"%s\", \"amount\": 40000, \"approval_status\": \"approved\"}", k1);
  inv2 = create_fmt (f, "invoices", "{\"contract_id\": \"%s\", \"amount\": 10000}", k1);
  assert_contract (f, k1, 65000, 35000, 40000, 100000);
  assert_customer (f, c, 105000, 100000, 90000, 40000);

  /* A draft contract adds nothing to contract_total; a deleted plan leaves the plan total. */
  k3 = create_fmt (f, "contracts", "{\"name\": \"K3\", \"customer_id\": \"%s\", \"amount\": 999}", c);
  assert_customer (f, c, 105000, 100000, 90000, 40000);
  g_assert_true (kehu_record_delete (f->ctx, "payment_plans", p2, &error));
  assert_contract (f, k1, 65000, 35000, 40000, 30000);
  assert_customer (f, c, 105000, 30000, 90000, 40000);

  /* Deleting a contract takes it out of the customer's totals. */
  g_assert_true (kehu_record_delete (f->ctx, "contracts", k2, &error));
  assert_customer (f, c, 100000, 30000, 65000, 40000);
  g_assert_true (kehu_record_restore (f->ctx, "contracts", k2, &error));
  assert_customer (f, c, 105000, 30000, 90000, 40000);

  /* A customer's timeline date follows its follow-ups. */
  {
    g_autofree char *contact = create_fmt (f, "contacts", "{\"name\": \"联系人\", \"customer_id\": \"%s\"}", c);
    g_autofree char *fu1 = create_fmt (f, "followups", "{\"target_module\": \"contacts\", \"target_id\": \"%s\", \"method\": \"wechat\","
                                       " \"content\": \"a\", \"followed_at\": \"2026-03-02T00:00:00Z\"}", contact);
    g_autofree char *fu2 = create_fmt (f, "followups", "{\"target_module\": \"contacts\", \"target_id\": \"%s\", \"method\": \"email\","
                                       " \"content\": \"b\", \"followed_at\": \"2026-03-05T00:00:00Z\"}", contact);
    g_autofree char *t = NULL;

    g_assert_cmpint (num (f, "SELECT last_followup_at = '2026-03-05T00:00:00Z' FROM customers WHERE id = '%s'", c), ==, 1);
    g_assert_cmpint (num (f, "SELECT last_followup_at = '2026-03-05T00:00:00Z' FROM contacts WHERE id = '%s'", contact), ==, 1);
    g_assert_true (kehu_record_delete (f->ctx, "followups", fu2, &error));
    t = text (f, "SELECT last_followup_at FROM contacts WHERE id = '%s'", contact);
    g_assert_cmpstr (t, ==, "2026-03-02T00:00:00Z");
    /* A follow-up of a missing record is refused. */
    {
      g_autoptr(JsonObject) fields = kehu_test_object ("{\"target_module\": \"contacts\", \"target_id\": \"nope\","
                                                       " \"method\": \"sms\", \"content\": \"x\", \"followed_at\": \"2026-03-05T00:00:00Z\"}");
      g_autofree char *id = kehu_record_create (f->ctx, "followups", fields, &error);
      g_assert_null (id);
      g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_MISSING_REFERENCE);
      g_assert_cmpstr (kehu_record_error_get_field (error), ==, "target_id");
      g_clear_error (&error);
    }
    /* Restoring a follow-up whose contact was purged is refused. */
    g_assert_true (kehu_record_delete (f->ctx, "followups", fu1, &error));
    g_assert_true (kehu_record_delete (f->ctx, "contacts", contact, &error));
    g_assert_true (kehu_record_purge (f->ctx, "contacts", contact, &error));
    g_assert_false (kehu_record_restore (f->ctx, "followups", fu1, &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_PARENT_GONE);
  }
}

static void
test_product_lines (KehuFixture   *f,
                    gconstpointer  data)
{
  const struct { gint64 price, quantity, discount, subtotal; } cases[] = {
    { 10000, 1000, 0, 10000 },
    { 12345, 1500, 10, 16666 },     /* 16665.75 */
    { 1, 500, 0, 1 },               /* 0.5 rounds half away from zero */
    { 1, 499, 0, 0 },
    { 999, 3, 50, 1 },              /* 1.4985 */
    { 100, 1000, 100, 0 },
    { G_MAXINT64 / 1000, 1000, 0, G_MAXINT64 / 1000 },
    { -250, 2000, 0, -500 },
    { -1, 500, 0, -1 },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *c = kehu_test_create (f, "customers", "{\"name\": \"客户\"}");
  g_autofree char *opp = create_fmt (f, "opportunities", "{\"name\": \"商机\", \"customer_id\": \"%s\", \"amount\": 1}", c);
  g_autofree char *k = create_fmt (f, "contracts", "{\"name\": \"合同\", \"customer_id\": \"%s\", \"amount\": 50000}", c);
  g_autofree char *product = kehu_test_create (f, "products", "{\"name\": \"服务器\", \"price\": 12345}");
  g_autofree char *lines_json = g_strdup_printf ("[{\"product_id\": \"%s\", \"price\": 12345, \"quantity\": 1500, \"discount\": 10},"
                                                 " {\"price\": 10000}]", product);
  g_autoptr(JsonNode) lines = json_from_string (lines_json, &error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (kehu_rules_line_subtotal (cases[i].price, cases[i].quantity, cases[i].discount), ==, cases[i].subtotal);

  g_assert_true (kehu_rules_set_product_lines (f->ctx, "opportunities", opp, json_node_get_array (lines), &error));
  g_assert_no_error (error);
  g_assert_cmpint (num (f, "SELECT amount FROM opportunities WHERE id = '%s'", opp), ==, 26666);
  g_assert_cmpint (num (f, "SELECT count(*) FROM opportunity_products WHERE opportunity_id = '%s'", opp), ==, 2);
  g_assert_cmpint (num (f, "SELECT subtotal FROM opportunity_products WHERE opportunity_id = '%s' AND position = 0", opp), ==, 16666);
  {
    g_autofree char *row = text (f, "SELECT old_value || '->' || new_value FROM oplog WHERE record_id = '%s' AND field = 'amount'", opp);
    g_assert_cmpstr (row, ==, "1->26666");
  }

  g_assert_true (kehu_rules_set_product_lines (f->ctx, "contracts", k, json_node_get_array (lines), &error));
  g_assert_cmpint (num (f, "SELECT product_total FROM contracts WHERE id = '%s'", k), ==, 26666);
  /* The agreed amount stays. */
  g_assert_cmpint (num (f, "SELECT amount FROM contracts WHERE id = '%s'", k), ==, 50000);

  /* Replacing the lines. */
  {
    g_autoptr(JsonNode) one = json_from_string ("[{\"price\": 999, \"quantity\": 3, \"discount\": 50}]", NULL);
    g_assert_true (kehu_rules_set_product_lines (f->ctx, "contracts", k, json_node_get_array (one), &error));
    g_assert_cmpint (num (f, "SELECT product_total FROM contracts WHERE id = '%s'", k), ==, 1);
    g_assert_cmpint (num (f, "SELECT count(*) FROM contract_products WHERE contract_id = '%s'", k), ==, 1);
  }

  /* Bad lines change nothing. */
  {
    g_autoptr(JsonNode) bad = json_from_string ("[{\"price\": 100, \"discount\": 120}]", NULL);
    g_autoptr(JsonNode) missing = json_from_string ("[{\"price\": 100, \"product_id\": \"nope\"}]", NULL);

    g_assert_false (kehu_rules_set_product_lines (f->ctx, "contracts", k, json_node_get_array (bad), &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_WRONG_TYPE);
    g_assert_cmpstr (kehu_record_error_get_field (error), ==, "discount");
    g_clear_error (&error);
    g_assert_false (kehu_rules_set_product_lines (f->ctx, "contracts", k, json_node_get_array (missing), &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_MISSING_REFERENCE);
    g_clear_error (&error);
    g_assert_cmpint (num (f, "SELECT product_total FROM contracts WHERE id = '%s'", k), ==, 1);
    g_assert_false (kehu_rules_set_product_lines (f->ctx, "customers", c, json_node_get_array (bad), &error));
    g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_UNKNOWN_MODULE);
  }
}

static void
test_duplicates (KehuFixture   *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = kehu_test_create (f, "customers", "{\"name\": \"北京某某科技有限公司\", \"phone\": \"010-12345678\"}");
  g_autofree char *b = kehu_test_create (f, "customers", "{\"name\": \"上海某某\", \"phone\": \"13912345678\"}");
  g_autofree char *gone = kehu_test_create (f, "customers", "{\"name\": \"北京某某科技\"}");
  g_autoptr(JsonArray) by_name = NULL;
  g_autoptr(JsonArray) by_phone = NULL;
  g_autoptr(JsonArray) both = NULL;
  g_autoptr(JsonArray) none = NULL;
  g_autoptr(JsonArray) self = NULL;

  g_assert_true (kehu_record_delete (f->ctx, "customers", gone, &error));

  by_name = kehu_rules_find_duplicate_customers (f->ctx, " 北京某某科技 股份有限公司", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (by_name), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (by_name, 0), "id"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (by_name, 0), "match"), ==, "name");

  by_phone = kehu_rules_find_duplicate_customers (f->ctx, "完全不同", "139 1234 5678", NULL);
  g_assert_cmpuint (json_array_get_length (by_phone), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (by_phone, 0), "id"), ==, b);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (by_phone, 0), "match"), ==, "phone");

  both = kehu_rules_find_duplicate_customers (f->ctx, "上海某某有限公司", "010-12345678", NULL);
  g_assert_cmpuint (json_array_get_length (both), ==, 2);

  none = kehu_rules_find_duplicate_customers (f->ctx, "北京某某", "111", NULL);
  g_assert_cmpuint (json_array_get_length (none), ==, 0);

  /* Editing a customer does not find itself. */
  self = kehu_rules_find_duplicate_customers (f->ctx, "北京某某科技有限公司", NULL, a);
  g_assert_cmpuint (json_array_get_length (self), ==, 0);
}

static char *
demo_password (const char *user_id,
               const char *phone,
               gpointer    user_data)
{
  (*(guint *) user_data)++;
  return g_strconcat ("hash-", phone, NULL);
}

static void
demo_options (KehuDemoOptions *o,
              GDateTime       *now,
              guint           *calls)
{
  kehu_demo_options_init_demo (o);
  o->now = now;
  o->n_customers = 300;
  o->n_leads = 60;
  o->n_contacts = 700;
  o->n_opportunities = 400;
  o->n_contracts = 250;
  o->n_followups = 3000;
  o->password_func = demo_password;
  o->password_data = calls;
}

static char *
digest (KehuStore *store)
{
  return kehu_test_query_text (store,
    "SELECT (SELECT group_concat (id || name || contract_total || received_total, ',') FROM (SELECT * FROM customers ORDER BY id))"
    " || (SELECT group_concat (id || amount || stage_id, ',') FROM (SELECT * FROM opportunities ORDER BY id))"
    " || (SELECT count(*) || '/' || SUM (amount) FROM payments)"
    " || (SELECT count(*) || '/' || MAX (followed_at) FROM followups)");
}

static void
test_demo (KehuFixture   *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (TEST_NOW, NULL);
  KehuDemoOptions o;
  KehuDemoStats stats = { 0 };
  guint calls = 0;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *path2 = g_build_filename (f->dir, "second.db", NULL);

  /* The fixture's users are in the way of the demo's phones. */
  g_assert_true (kehu_store_exec (f->store, "DELETE FROM users", &error));
  demo_options (&o, now, &calls);
  {
    gboolean ok = kehu_demo_generate (f->store, &o, &stats, &error);
    g_assert_no_error (error);
    g_assert_true (ok);
  }

  g_assert_cmpuint (stats.n_customers, ==, 300);
  {
    g_autofree char *journal = kehu_test_query_text (f->store, "PRAGMA journal_mode");
    g_assert_cmpstr (journal, ==, "wal");
  }
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers"), ==, 300);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 700);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM opportunities"), ==, 400);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM contracts"), ==, 250);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM followups"), ==, 3000);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM payments"), ==, stats.n_payments);
  g_assert_cmpuint (stats.n_payments, >, 50);
  g_assert_cmpuint (stats.n_users, ==, 20);
  g_assert_cmpuint (calls, ==, 20);

  /* The organisation: 办公室 → 销售部 → 华北销售组, the admin, every stage, a pool. */
  g_assert_cmpint (kehu_test_query_int (f->store,
                   "SELECT count(*) FROM departments d JOIN departments p ON d.parent_id = p.id"
                   " WHERE p.parent_id = '" KEHU_ID_TOP_DEPARTMENT "'"), ==, 3);
  g_assert_cmpint (kehu_test_query_int (f->store,
                   "SELECT count(*) FROM users WHERE phone = '13800000000' AND is_super_admin = 1"
                   " AND id = '" KEHU_DEMO_ADMIN_ID "' AND password_hash = 'hash-13800000000'"), ==, 1);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(DISTINCT stage_id) FROM opportunities"), ==, 7);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM opportunities o JOIN stages s ON o.stage_id = s.id"
                                                  " WHERE o.status <> s.kind"), ==, 0);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers WHERE owner_id IS NULL"
                                                  " AND pool_id = '" KEHU_ID_DEFAULT_POOL "'"), >, 5);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM user_roles"), ==, 20);
  /* Values are dictionary values, follow-ups in the last twelve months. */
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers WHERE level NOT IN"
                                                  " (SELECT value FROM dictionary_items WHERE dictionary_id = 'customer_level')"), ==, 0);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM followups WHERE method NOT IN"
                                                  " (SELECT value FROM dictionary_items WHERE dictionary_id = 'followup_method')"), ==, 0);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM followups WHERE followed_at < '2025-03-15'"
                                                  " OR followed_at > '" TEST_NOW "'"), ==, 0);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT count(*) FROM customers c WHERE last_followup_at IS NOT"
                                                  " (SELECT MAX (followed_at) FROM followups WHERE customer_id = c.id)"), ==, 0);

  /* Totals are what the record API's rules compute. */
  g_assert_true (kehu_store_exec (f->store,
                                  "CREATE TEMP TABLE before_c AS SELECT id, contract_total, plan_total, received_total, invoiced_total FROM customers;"
                                  "CREATE TEMP TABLE before_k AS SELECT id, received_total, outstanding, invoiced_total, plan_total, product_total FROM contracts;",
                                  &error));
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT SUM (received_total) FROM customers"), >, 0);
  g_assert_cmpint (kehu_test_query_int (f->store, "SELECT SUM (product_total) FROM contracts"), >, 0);
  {
    g_autoptr(KehuSchema) schema = kehu_schema_new (f->store, &error);
    g_autoptr(KehuContext) ctx = kehu_context_new (schema, KEHU_DEMO_ADMIN_ID);
    sqlite3_stmt *stmt = NULL;
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

    sqlite3_prepare_v2 (kehu_store_get_db (f->store), "SELECT 'k' || id FROM contracts UNION ALL SELECT 'c' || id FROM customers",
                        -1, &stmt, NULL);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    sqlite3_finalize (stmt);
    g_assert_true (kehu_context_begin (ctx, &error));
    for (guint i = 0; i < ids->len; i++)
      {
        const char *id = g_ptr_array_index (ids, i);
        g_assert_true (id[0] == 'k' ? kehu_rules_recompute_contract (ctx, id + 1, &error)
                                    : kehu_rules_recompute_customer (ctx, id + 1, &error));
      }
    g_assert_true (kehu_context_commit (ctx, &error));
  }
  g_assert_cmpint (kehu_test_query_int (f->store,
                   "SELECT count(*) FROM customers c JOIN before_c b USING (id) WHERE c.contract_total <> b.contract_total"
                   " OR c.plan_total <> b.plan_total OR c.received_total <> b.received_total OR c.invoiced_total <> b.invoiced_total"), ==, 0);
  g_assert_cmpint (kehu_test_query_int (f->store,
                   "SELECT count(*) FROM contracts k JOIN before_k b USING (id) WHERE k.received_total <> b.received_total"
                   " OR k.outstanding <> b.outstanding OR k.invoiced_total <> b.invoiced_total OR k.plan_total <> b.plan_total"
                   " OR k.product_total <> b.product_total"), ==, 0);

  /* Deterministic: the same seed and time give the same company. */
  first = digest (f->store);
  {
    g_autoptr(KehuStore) store2 = kehu_store_open (path2, &error);
    KehuDemoOptions o2;

    g_assert_no_error (error);
    demo_options (&o2, now, &calls);
    g_assert_true (kehu_demo_generate (store2, &o2, NULL, &error));
    second = digest (store2);
  }
  kehu_test_remove_db (path2);
  g_assert_cmpstr (first, ==, second);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  KEHU_TEST_ADD ("/rules/convert", test_convert);
  KEHU_TEST_ADD ("/rules/transfer", test_transfer);
  KEHU_TEST_ADD ("/rules/team-revs", test_team_revs);
  KEHU_TEST_ADD ("/rules/stages", test_stages);
  KEHU_TEST_ADD ("/rules/stage-group-default", test_stage_group_default);
  KEHU_TEST_ADD ("/rules/totals", test_totals);
  KEHU_TEST_ADD ("/rules/product-lines", test_product_lines);
  KEHU_TEST_ADD ("/rules/duplicates", test_duplicates);
  KEHU_TEST_ADD ("/rules/demo-consistent", test_demo);

  return g_test_run ();
}
