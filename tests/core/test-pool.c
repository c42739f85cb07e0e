/* test-pool.c: core's public pool rules (kehu-pool.c)
 *
 * Claim limits per day and week in the user's time zone, the owned cap,
 * the reclaim cool-down, assign and return, scope, the rows each move
 * leaves (oplog, pool_history, revs) and the due list and recycle job.
 * Every expected value is worked out by hand in the comments; "now" is
 * 2026-03-15T10:00:00Z, a Sunday, 18:00 in Asia/Shanghai.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-util.h"

#define POOL KEHU_ID_DEFAULT_POOL

static void
exec (KehuFixture *f,
      const char  *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (kehu_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
}

/* A customer row written straight, with what the rules read. */
static void
add_customer (KehuFixture *f,
              const char  *id,
              const char  *owner_id,
              const char  *owned_since,
              const char  *last_followup_at,
              gboolean     locked)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store),
                                       "INSERT INTO customers (id, created_at, updated_at, name, owner_id, pool_id,"
                                       " owned_since, last_followup_at, is_locked)"
                                       " VALUES (?1, '2025-12-01T00:00:00Z', '2025-12-01T00:00:00Z', ?1, ?2, ?3, ?4, ?5, ?6)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, owner_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, owner_id ? NULL : POOL, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, owned_since, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, last_followup_at, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, locked);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

static gint64
count (KehuFixture *f,
       const char  *format,
       ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);
  return kehu_test_query_int (f->store, sql);
}

static char *
text (KehuFixture *f,
      const char  *sql)
{
  return kehu_test_query_text (f->store, sql);
}

static KehuPerm *
rep (KehuFixture *f,
     const char  *user_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("INSERT INTO user_roles (user_id, role_id) VALUES ('%s', '%s')",
                                          user_id, KEHU_ID_ROLE_SALES_REP);
  KehuPerm *perm;

  exec (f, sql);
  perm = kehu_perm_load (f->store, user_id, &error);
  g_assert_no_error (error);
  g_assert_false (kehu_perm_sees_all (perm));
  return perm;
}

static void
as_user (KehuFixture *f,
         const char  *user_id,
         const char  *now)
{
  kehu_context_set_user_id (f->ctx, user_id);
  kehu_test_set_now (f, now);
}

static void
test_claim_limits (KehuFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(KehuPerm) perm = rep (f, TEST_USER_2);
  g_autoptr(GError) error = NULL;
  KehuPoolLimitInfo info = { NULL, 0, 0, NULL };
  const char *c1[] = { "c1", NULL };
  const char *c2_c3[] = { "c2", "c3", NULL };
  const char *c2[] = { "c2", NULL };
  const char *c3[] = { "c3", NULL };
  const char *c4[] = { "c4", NULL };
  const char *c5[] = { "c5", NULL };

  exec (f, "DELETE FROM pool_claim_limits");
  exec (f, "INSERT INTO pool_claim_limits (pool_id, role_id, per_day, per_week, per_month)"
           " VALUES ('" POOL "', '" KEHU_ID_ROLE_SALES_REP "', 2, 3, NULL)");
  exec (f, "UPDATE pools SET max_owned_per_user = NULL WHERE id = '" POOL "'");
  for (int i = 1; i <= 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%d", i);
      add_customer (f, id, NULL, NULL, NULL, FALSE);
    }
  /* One claim earlier this week (Tuesday 10:00 in Shanghai), not today. */
  exec (f, "INSERT INTO pool_history (customer_id, pool_id, action, user_id, to_owner_id, at)"
           " VALUES ('old', '" POOL "', 'claim', '" TEST_USER_2 "', '" TEST_USER_2 "', '2026-03-10T02:00:00Z')");

  as_user (f, TEST_USER_2, TEST_NOW);
  /* Day 0 + 1 <= 2, week 1 + 1 <= 3. */
  g_assert_true (kehu_pool_claim (f->ctx, perm, c1, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text (f, "SELECT owner_id FROM customers WHERE id = 'c1'"), ==, TEST_USER_2);
  g_assert_cmpstr (text (f, "SELECT owned_since FROM customers WHERE id = 'c1'"), ==, TEST_NOW);
  g_assert_cmpstr (text (f, "SELECT pool_id FROM customers WHERE id = 'c1'"), ==, POOL);
  g_assert_null (text (f, "SELECT pooled_at FROM customers WHERE id = 'c1'"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE customer_id = 'c1' AND action = 'claim'"
                             " AND user_id = '%s' AND from_owner_id IS NULL AND to_owner_id = '%s' AND at = '%s'"
                             " AND pool_id = '%s'", TEST_USER_2, TEST_USER_2, TEST_NOW, POOL), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog WHERE record_id = 'c1' AND action = 'claim'"
                             " AND field = 'owner_id' AND old_value IS NULL AND new_value = '%s'", TEST_USER_2), ==, 1);
  /* No server revs on this context. */
  g_assert_cmpint (count (f, "SELECT rev FROM customers WHERE id = 'c1'"), ==, 0);

  /* Two more today: 1 + 2 > 2 per day; the day ends at midnight in
   * Shanghai, 2026-03-15T16:00:00Z. All or none. */
  g_assert_false (kehu_pool_claim (f->ctx, perm, c2_c3, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_CLAIM_LIMIT);
  g_assert_cmpstr (info.limit, ==, "day");
  g_assert_cmpint (info.max, ==, 2);
  g_assert_cmpint (info.used, ==, 1);
  g_assert_cmpstr (info.resets_at, ==, "2026-03-15T16:00:00Z");
  g_assert_cmpint (count (f, "SELECT count(*) FROM customers WHERE id IN ('c2', 'c3') AND owner_id IS NULL"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE action = 'claim'"), ==, 2);
  g_clear_error (&error);
  kehu_pool_limit_info_clear (&info);

  /* Day 1 + 1 <= 2, week 2 + 1 <= 3. */
  g_assert_true (kehu_pool_claim (f->ctx, perm, c2, &info, &error));
  g_assert_no_error (error);

  /* Now the week is full (3 of 3) although the day is too: the day is
   * checked first. */
  g_assert_false (kehu_pool_claim (f->ctx, perm, c3, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_CLAIM_LIMIT);
  g_assert_cmpstr (info.limit, ==, "day");
  g_assert_cmpint (info.used, ==, 2);
  g_clear_error (&error);
  kehu_pool_limit_info_clear (&info);

  /* Monday 01:00 in Shanghai: a new day and a new week (from
   * 2026-03-15T16:00:00Z), so c3 and c4 pass, c5 is the third today. */
  as_user (f, TEST_USER_2, "2026-03-15T17:00:00Z");
  g_assert_true (kehu_pool_claim (f->ctx, perm, c3, &info, &error));
  g_assert_true (kehu_pool_claim (f->ctx, perm, c4, &info, &error));
  g_assert_no_error (error);
  g_assert_false (kehu_pool_claim (f->ctx, perm, c5, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_CLAIM_LIMIT);
  g_assert_cmpstr (info.limit, ==, "day");
  g_assert_cmpstr (info.resets_at, ==, "2026-03-16T16:00:00Z");
  kehu_pool_limit_info_clear (&info);

  g_assert_cmpint (count (f, "SELECT count(*) FROM customers WHERE owner_id = '%s'", TEST_USER_2), ==, 4);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE action = 'claim'"), ==, 5);
}

static void
test_cap_cooldown_scope (KehuFixture   *f,
                         gconstpointer  data)
{
  g_autoptr(KehuPerm) admin = kehu_perm_load (f->store, TEST_USER_1, NULL);
  g_autoptr(KehuPerm) user3 = rep (f, TEST_USER_3);
  g_autoptr(KehuPerm) user2 = rep (f, TEST_USER_2);
  g_autoptr(GError) error = NULL;
  KehuPoolLimitInfo info = { NULL, 0, 0, NULL };
  const char *c1_c2[] = { "c1", "c2", NULL };
  const char *c1[] = { "c1", NULL };
  const char *owned[] = { "owned", NULL };
  const char *missing[] = { "c1", "nope", NULL };

  exec (f, "DELETE FROM pool_claim_limits");
  exec (f, "UPDATE pools SET max_owned_per_user = 2, reclaim_cooldown_days = 7 WHERE id = '" POOL "'");
  add_customer (f, "c1", NULL, NULL, NULL, FALSE);
  add_customer (f, "c2", NULL, NULL, NULL, FALSE);
  add_customer (f, "owned", TEST_USER_3, "2026-01-01T00:00:00Z", NULL, FALSE);

  as_user (f, TEST_USER_1, TEST_NOW);
  /* User 3 owns 1; 1 + 2 > 2. */
  g_assert_false (kehu_pool_assign (f->ctx, admin, c1_c2, TEST_USER_3, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_OWNED_CAP);
  g_assert_cmpstr (info.limit, ==, "owned");
  g_assert_cmpint (info.max, ==, 2);
  g_assert_cmpint (info.used, ==, 1);
  g_clear_error (&error);
  g_assert_false (kehu_pool_assign (f->ctx, admin, c1, "no-such-user", &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_INVALID_OWNER);
  g_clear_error (&error);
  g_assert_false (kehu_pool_claim (f->ctx, admin, missing, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history"), ==, 0);

  g_assert_true (kehu_pool_assign (f->ctx, admin, c1, TEST_USER_3, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE customer_id = 'c1' AND action = 'assign'"
                             " AND user_id = '%s' AND to_owner_id = '%s'", TEST_USER_1, TEST_USER_3), ==, 1);

  /* A claimed customer is no longer in the pool. */
  g_assert_false (kehu_pool_claim (f->ctx, admin, c1, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_IN_POOL);
  g_clear_error (&error);

  /* User 2 (scope: self) cannot see user 3's customer: not found. */
  as_user (f, TEST_USER_2, TEST_NOW);
  g_assert_false (kehu_pool_return (f->ctx, user2, owned, "x", &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* User 3 returns c1: remembered as former owner, with the reason. */
  as_user (f, TEST_USER_3, "2026-03-16T08:00:00Z");
  g_assert_true (kehu_pool_return (f->ctx, user3, c1, "预算不足", &error));
  g_assert_no_error (error);
  g_assert_null (text (f, "SELECT owner_id FROM customers WHERE id = 'c1'"));
  g_assert_cmpstr (text (f, "SELECT pooled_at FROM customers WHERE id = 'c1'"), ==, "2026-03-16T08:00:00Z");
  g_assert_cmpstr (text (f, "SELECT former_owner_id FROM customers WHERE id = 'c1'"), ==, TEST_USER_3);
  g_assert_cmpstr (text (f, "SELECT return_reason FROM customers WHERE id = 'c1'"), ==, "预算不足");
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE customer_id = 'c1' AND action = 'return'"
                             " AND from_owner_id = '%s' AND to_owner_id IS NULL AND reason = '预算不足'", TEST_USER_3), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog WHERE record_id = 'c1' AND action = 'return'"
                             " AND old_value = '%s' AND new_value IS NULL", TEST_USER_3), ==, 1);
  g_assert_false (kehu_pool_return (f->ctx, user3, c1, "again", &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_NOT_OWNED);
  g_clear_error (&error);

  /* Cool-down: 7 days from 2026-03-16T08:00:00Z. */
  as_user (f, TEST_USER_3, "2026-03-23T07:59:59Z");
  g_assert_false (kehu_pool_claim (f->ctx, user3, c1, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_COOLDOWN);
  g_assert_cmpstr (info.limit, ==, "cooldown");
  g_assert_cmpstr (info.resets_at, ==, "2026-03-23T08:00:00Z");
  g_clear_error (&error);
  kehu_pool_limit_info_clear (&info);
  as_user (f, TEST_USER_3, "2026-03-23T08:00:00Z");
  g_assert_true (kehu_pool_claim (f->ctx, user3, c1, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text (f, "SELECT owner_id FROM customers WHERE id = 'c1'"), ==, TEST_USER_3);
}

static void
test_lock_cap (KehuFixture   *f,
               gconstpointer  data)
{
  g_autoptr(KehuPerm) admin = kehu_perm_load (f->store, TEST_USER_1, NULL);
  g_autoptr(GError) error = NULL;
  KehuPoolLimitInfo info = { NULL, 0, 0, NULL };
  const char *both[] = { "a", "b", NULL };
  const char *a[] = { "a", NULL };

  exec (f, "UPDATE pools SET max_locked_per_user = 1");
  add_customer (f, "a", TEST_USER_2, TEST_NOW, NULL, FALSE);
  add_customer (f, "b", TEST_USER_2, TEST_NOW, NULL, FALSE);

  g_assert_false (kehu_pool_set_locked (f->ctx, admin, both, TRUE, &info, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_LOCKED_CAP);
  g_assert_cmpint (info.max, ==, 1);
  g_assert_cmpint (info.used, ==, 0);
  g_clear_error (&error);
  g_assert_true (kehu_pool_set_locked (f->ctx, admin, a, TRUE, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM customers WHERE is_locked = 1"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM oplog WHERE record_id = 'a' AND action = 'lock'"
                             " AND old_value = '0' AND new_value = '1'"), ==, 1);
}

static void
test_due_and_recycle (KehuFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) all = NULL;
  g_autoptr(JsonArray) page1 = NULL;
  g_autoptr(JsonArray) page2 = NULL;
  g_autoptr(JsonArray) reminders = NULL;
  g_autoptr(JsonArray) recycled = NULL;
  g_autoptr(KehuPerm) user3 = rep (f, TEST_USER_3);
  g_autoptr(JsonArray) none = NULL;
  g_autofree char *next = NULL;
  g_autofree char *next2 = NULL;
  JsonObject *item;

  exec (f, "DELETE FROM pool_rules");
  exec (f, "INSERT INTO pool_rules (id, pool_id, customer_level, no_followup_days, no_opportunity_days, no_deal_days)"
           " VALUES ('r', '" POOL "', NULL, 30, NULL, 90)");
  exec (f, "UPDATE pools SET remind_days = 3, recycle_enabled = 1, is_enabled = 1 WHERE id = '" POOL "'");
  /* a: follow-up 02-01 08:00 + 30 days = 03-03 08:00 (deal: 01-01 + 90 =
   * 04-01). b: owned 03-01, no follow-up: 03-31. d: follow-up 02-20 +
   * 30 = 03-22. locked: never. */
  add_customer (f, "a", TEST_USER_2, "2026-01-01T00:00:00Z", "2026-02-01T08:00:00Z", FALSE);
  add_customer (f, "b", TEST_USER_2, "2026-03-01T00:00:00Z", NULL, FALSE);
  add_customer (f, "d", TEST_USER_2, "2026-02-20T00:00:00Z", "2026-02-20T00:00:00Z", FALSE);
  add_customer (f, "locked", TEST_USER_2, "2025-01-01T00:00:00Z", NULL, TRUE);

  all = kehu_pool_due (f->ctx, NULL, FALSE, NULL, 10, &next, &error);
  g_assert_no_error (error);
  g_assert_null (next);
  g_assert_cmpuint (json_array_get_length (all), ==, 3);
  item = json_array_get_object_element (all, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "customer_id"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (item, "due_at"), ==, "2026-03-03T08:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (item, "remind_from"), ==, "2026-02-28T08:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (item, "reason"), ==, "no_followup");
  g_assert_cmpint (json_object_get_int_member (item, "days_left"), ==, 0);
  g_assert_true (json_object_get_boolean_member (item, "remind"));
  item = json_array_get_object_element (all, 1);
  g_assert_cmpstr (json_object_get_string_member (item, "customer_id"), ==, "d");
  g_assert_cmpstr (json_object_get_string_member (item, "due_at"), ==, "2026-03-22T00:00:00Z");
  /* 6 days 14 hours. */
  g_assert_cmpint (json_object_get_int_member (item, "days_left"), ==, 6);
  g_assert_false (json_object_get_boolean_member (item, "remind"));
  item = json_array_get_object_element (all, 2);
  g_assert_cmpstr (json_object_get_string_member (item, "customer_id"), ==, "b");
  g_assert_cmpint (json_object_get_int_member (item, "days_left"), ==, 15);

  /* Pages of two. */
  page1 = kehu_pool_due (f->ctx, NULL, FALSE, NULL, 2, &next, &error);
  g_assert_cmpuint (json_array_get_length (page1), ==, 2);
  g_assert_nonnull (next);
  page2 = kehu_pool_due (f->ctx, NULL, FALSE, next, 2, &next2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (page2), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (page2, 0), "customer_id"), ==, "b");
  g_assert_null (next2);
  g_assert_null (kehu_pool_due (f->ctx, NULL, FALSE, "garbage", 2, NULL, &error));
  g_assert_error (error, KEHU_POOL_ERROR, KEHU_POOL_ERROR_INVALID_CURSOR);
  g_clear_error (&error);

  reminders = kehu_pool_due (f->ctx, NULL, TRUE, NULL, 10, NULL, &error);
  g_assert_cmpuint (json_array_get_length (reminders), ==, 1);
  /* User 3 owns none of them. */
  none = kehu_pool_due (f->ctx, user3, FALSE, NULL, 10, NULL, &error);
  g_assert_cmpuint (json_array_get_length (none), ==, 0);

  /* The job, as the server runs it: only a is due. */
  kehu_context_set_user_id (f->ctx, NULL);
  kehu_context_set_assign_revs (f->ctx, TRUE);
  g_assert_cmpint (kehu_pool_recycle (f->ctx, &recycled, &error), ==, 1);
  g_assert_no_error (error);
  item = json_array_get_object_element (recycled, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "customer_id"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (item, "former_owner_id"), ==, TEST_USER_2);
  g_assert_cmpstr (json_object_get_string_member (item, "reason"), ==, "no_followup");
  g_assert_null (text (f, "SELECT owner_id FROM customers WHERE id = 'a'"));
  g_assert_cmpstr (text (f, "SELECT pooled_at FROM customers WHERE id = 'a'"), ==, TEST_NOW);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE customer_id = 'a' AND action = 'recycle'"
                             " AND user_id IS NULL AND reason = 'no_followup' AND from_owner_id = '%s'", TEST_USER_2), ==, 1);
  /* A server rev: the sync_changes row, and the 8 pool fields at it. */
  g_assert_cmpint (count (f, "SELECT rev FROM customers WHERE id = 'a'"), ==,
                   count (f, "SELECT max (rowid) FROM sync_changes WHERE record_id = 'a'"));
  g_assert_cmpint (count (f, "SELECT rev FROM customers WHERE id = 'a'"), >, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM field_revs WHERE record_id = 'a'"
                             " AND rev = (SELECT rev FROM customers WHERE id = 'a')"), ==, 8);
  g_clear_pointer (&recycled, json_array_unref);
  g_assert_cmpint (kehu_pool_recycle (f->ctx, NULL, &error), ==, 0);

  /* On April 1st d and b are due; the locked one never. */
  kehu_test_set_now (f, "2026-04-01T00:00:00Z");
  g_assert_cmpint (kehu_pool_recycle (f->ctx, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM customers WHERE owner_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM pool_history WHERE action = 'recycle'"), ==, 3);
}

/* On a client cache a move shows at once and is queued for the server. */
static void
test_cache_queues_actions (KehuFixture   *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuContext) ctx = NULL;
  const char *c1[] = { "c1", NULL };

  add_customer (f, "c1", NULL, NULL, NULL, FALSE);
  g_assert_true (kehu_sync_mark_cache (f->store, &error));
  g_assert_no_error (error);
  ctx = kehu_context_new (f->schema, TEST_USER_2);
  g_assert_true (kehu_context_get_outbox (ctx));
  g_assert_true (kehu_pool_claim (ctx, NULL, c1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (text (f, "SELECT owner_id FROM customers WHERE id = 'c1'"), ==, TEST_USER_2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM sync_outbox WHERE record_id = 'c1' AND kind = 'action'"
                             " AND action = 'claim'"), ==, 1);
  g_assert_true (kehu_pool_return (ctx, NULL, c1, "不需要", &error));
  g_assert_cmpint (count (f, "SELECT count(*) FROM sync_outbox WHERE record_id = 'c1' AND action = 'return'"
                             " AND json_extract (fields, '$.reason') = '不需要'"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  KEHU_TEST_ADD ("/pool/claim-limits", test_claim_limits);
  KEHU_TEST_ADD ("/pool/cap-cooldown-scope", test_cap_cooldown_scope);
  KEHU_TEST_ADD ("/pool/lock-cap", test_lock_cap);
  KEHU_TEST_ADD ("/pool/due-and-recycle", test_due_and_recycle);
  KEHU_TEST_ADD ("/pool/cache-queues-actions", test_cache_queues_actions);

  return g_test_run ();
}
