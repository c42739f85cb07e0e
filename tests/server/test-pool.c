/* test-pool.c: the public pool — claim limits per day and week with their
 * reset times, the cap on owned and locked customers, the cool-down after
 * a return, assignment, the "due to be recycled" list and the recycle job,
 * all on the server's test clock (X-Kehu-Now)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-test-api.h"

typedef struct
{
  KehuTestApi *api;
  char        *admin;
  char        *pool;
  char        *role;
  char        *a, *b;
  char        *ta, *tb;
  char        *c[6];
} Pool;

static void
put (Pool       *p,
     const char *suffix,
     const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/pools/%s/%s", p->pool, suffix);
  g_autoptr(JsonObject) reply = kehu_test_api_expect (p->api, p->admin, "PUT", path, body, 200);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "items")), >, 0);
}

static JsonObject *
action (Pool       *p,
        const char *token,
        const char *name,
        const char *ids,
        const char *extra,
        guint       status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/customers/actions/%s", name);
  g_autofree char *body = g_strdup_printf ("{\"ids\":[%s]%s}", ids, extra ? extra : "");

  return kehu_test_api_expect (p->api, token, "POST", path, body, status);
}

static char *
quoted (const char *id)
{
  return g_strdup_printf ("\"%s\"", id);
}

static char *
owner_of (Pool       *p,
          const char *customer)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (owner_id, 'pool') FROM customers WHERE id = '%s'", customer);
  return kehu_test_api_db_string (p->api, sql);
}

static void
pool_set_up (Pool *p)
{
  g_autofree char *top = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *rev = NULL;
  g_autoptr(JsonObject) pool = NULL;
  g_autoptr(JsonObject) role = NULL;
  g_autoptr(JsonNode) patched = NULL;
  g_autoptr(GString) all = g_string_new (NULL);
  guint status;

  p->api = kehu_test_api_start (TRUE, NULL);
  kehu_test_api_set_now (p->api, "2026-06-01T09:00:00Z");   /* a Monday */
  p->admin = kehu_test_api_login (p->api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  top = kehu_test_api_db_string (p->api, "SELECT id FROM departments WHERE parent_id IS NULL");
  p->pool = kehu_test_api_db_string (p->api, "SELECT id FROM pools WHERE is_default = 1");
  g_assert_nonnull (p->pool);

  role = kehu_test_api_expect (p->api, p->admin, "POST", "/api/v1/roles",
                               "{\"name\":\"销售\",\"data_scope\":\"self\",\"permissions\":[\"customer.read\","
                               "\"customer.create\",\"customer.edit\",\"customer.claim\",\"customer.return\","
                               "\"customer.lock\",\"followup.create\",\"followup.read\"]}", 201);
  p->role = g_strdup (json_object_get_string_member (role, "id"));
  p->a = kehu_test_api_add_user (p->api, p->admin, "13900000001", "甲", top, NULL, p->role);
  p->b = kehu_test_api_add_user (p->api, p->admin, "13900000002", "乙", top, NULL, p->role);
  p->ta = kehu_test_api_login (p->api, "13900000001", KEHU_TEST_USER_PASSWORD);
  p->tb = kehu_test_api_login (p->api, "13900000002", KEHU_TEST_USER_PASSWORD);

  path = g_strdup_printf ("/api/v1/pools/%s", p->pool);
  pool = kehu_test_api_expect (p->api, p->admin, "GET", path, NULL, 200);
  rev = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (pool, "rev"));
  patched = kehu_test_api_call_headers (p->api, p->admin, "PATCH", path,
                                        "{\"max_owned_per_user\":3,\"max_locked_per_user\":1,"
                                        "\"reclaim_cooldown_days\":7,\"remind_days\":3}",
                                        "If-Match", rev, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  body = g_strdup_printf ("{\"items\":[{\"role_id\":\"%s\",\"per_day\":2,\"per_week\":3,\"per_month\":null}]}", p->role);
  put (p, "claim-limits", body);
  put (p, "rules", "{\"items\":[{\"customer_level\":null,\"no_followup_days\":10},"
                   "{\"customer_level\":\"vip\",\"no_followup_days\":30}]}");

  for (int i = 0; i < 6; i++)
    {
      g_autofree char *customer = g_strdup_printf ("{\"name\":\"公海客户%d\"%s}", i, i == 5 ? ",\"level\":\"vip\"" : "");
      g_autofree char *q = NULL;

      p->c[i] = kehu_test_api_create (p->api, p->admin, "customers", customer);
      q = quoted (p->c[i]);
      g_string_append_printf (all, "%s%s", i ? "," : "", q);
    }
  g_clear_pointer (&pool, json_object_unref);
  pool = action (p, p->admin, "return", all->str, ",\"reason\":\"市场活动收集\"", 200);
}

static void
pool_tear_down (Pool *p)
{
  for (int i = 0; i < 6; i++)
    g_free (p->c[i]);
  g_free (p->a);
  g_free (p->b);
  g_free (p->ta);
  g_free (p->tb);
  g_free (p->role);
  g_free (p->pool);
  g_free (p->admin);
  kehu_test_api_free (p->api);
}

static void
assert_limit (JsonObject *reply,
              const char *code,
              const char *limit,
              gint64      max,
              const char *resets_at)
{
  JsonObject *error = json_object_get_object_member (reply, "error");

  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (error, "limit"), ==, limit);
  g_assert_cmpint (json_object_get_int_member (error, "max"), ==, max);
  g_assert_cmpstr (json_object_get_string_member (error, "resets_at"), ==, resets_at);
}

static void
test_claim_limits_caps_cooldown (void)
{
  Pool p = { 0 };
  g_autofree char *q0 = NULL, *q1 = NULL, *q2 = NULL, *q3 = NULL, *q4 = NULL, *pair = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *assign = NULL;
  g_autoptr(JsonObject) r = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autofree char *list_path = NULL;

  pool_set_up (&p);
  q0 = quoted (p.c[0]); q1 = quoted (p.c[1]); q2 = quoted (p.c[2]); q3 = quoted (p.c[3]); q4 = quoted (p.c[4]);

  list_path = g_strdup_printf ("/api/v1/pools/%s/customers", p.pool);
  listed = kehu_test_api_expect (p.api, p.ta, "GET", list_path, NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (listed, "items")), ==, 6);

  /* Monday: two a day. */
  pair = g_strdup_printf ("%s,%s", q0, q1);
  r = action (&p, p.ta, "claim", pair, NULL, 200);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q2, NULL, 429);
  assert_limit (r, "claim_limit", "day", 2, "2026-06-02T00:00:00Z");
  owner = owner_of (&p, p.c[2]);
  g_assert_cmpstr (owner, ==, "pool");

  /* Tuesday: the third of the week is fine, the fourth is not. */
  kehu_test_api_set_now (p.api, "2026-06-02T09:00:00Z");
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q2, NULL, 200);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q3, NULL, 429);
  assert_limit (r, "claim_limit", "week", 3, "2026-06-08T00:00:00Z");

  /* Someone else's count is their own. */
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.tb, "claim", q3, NULL, 200);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.tb, "claim", q3, NULL, 409);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (r, "error"), "code"), ==, "conflict");

  /* Owning three already: an assignment to A is refused. */
  assign = g_strdup_printf (",\"owner_id\":\"%s\"", p.a);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.admin, "assign", q4, assign, 409);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (r, "error"), "code"), ==, "owned_limit");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (r, "error"), "max"), ==, 3);
  g_free (owner);
  owner = owner_of (&p, p.c[4]);
  g_assert_cmpstr (owner, ==, "pool");

  /* One lock each. */
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "lock", q0, NULL, 200);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "lock", q1, NULL, 409);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (r, "error"), "code"), ==, "locked_limit");
  /* Not B's to lock: out of scope. */
  kehu_test_api_expect_error (p.api, p.tb, "POST", "/api/v1/customers/actions/lock",
                              g_strdup_printf ("{\"ids\":[%s]}", q1), 404, "not_found", "ids");

  /* Return with a reason; the cool-down keeps A from taking it back. */
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "return", q1, ",\"reason\":\"  \"", 400);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "return", q1, ",\"reason\":\"客户无意向\"", 200);
  g_assert_cmpint (kehu_test_api_db_int (p.api, "SELECT count(*) FROM pool_history WHERE action = 'return' AND reason = '客户无意向'"), ==, 1);

  kehu_test_api_set_now (p.api, "2026-06-08T12:00:00Z");   /* a new week */
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q1, NULL, 409);
  assert_limit (r, "cooldown", "cooldown", 7, "2026-06-09T09:00:00Z");

  kehu_test_api_set_now (p.api, "2026-06-09T10:00:00Z");
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q1, NULL, 200);
  g_free (owner);
  owner = owner_of (&p, p.c[1]);
  g_assert_cmpstr (owner, ==, p.a);

  /* The assignment fits B: B owns one. */
  g_free (assign);
  assign = g_strdup_printf (",\"owner_id\":\"%s\"", p.b);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.admin, "assign", q4, assign, 200);
  g_free (owner);
  owner = owner_of (&p, p.c[4]);
  g_assert_cmpstr (owner, ==, p.b);

  pool_tear_down (&p);
}

static void
test_recycle (void)
{
  Pool p = { 0 };
  g_autofree char *q0 = NULL, *q1 = NULL, *q2 = NULL, *q3 = NULL, *pair = NULL, *followup = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(JsonObject) r = NULL;
  g_autoptr(JsonObject) due = NULL;
  g_autoptr(JsonObject) due_a = NULL;
  g_autoptr(JsonObject) remind = NULL;
  JsonArray *items;

  pool_set_up (&p);
  q0 = quoted (p.c[0]); q1 = quoted (p.c[1]); q2 = quoted (p.c[2]); q3 = quoted (p.c[3]);

  /* A takes c0 and c1 on Monday the 1st, locks c0; B takes c3 on the 2nd. */
  pair = g_strdup_printf ("%s,%s", q0, q1);
  r = action (&p, p.ta, "claim", pair, NULL, 200);
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "lock", q0, NULL, 200);
  kehu_test_api_set_now (p.api, "2026-06-02T09:00:00Z");
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.tb, "claim", q3, NULL, 200);

  /* A follows c1 up on the 5th: its clock restarts there. */
  kehu_test_api_set_now (p.api, "2026-06-05T10:00:00Z");
  followup = g_strdup_printf ("{\"target_module\":\"customers\",\"target_id\":\"%s\",\"method\":\"phone\","
                              "\"content\":\"电话沟通\",\"followed_at\":\"2026-06-05T10:00:00Z\"}", p.c[1]);
  g_free (kehu_test_api_create (p.api, p.ta, "followups", followup));

  /* On the 10th: c3 is due on the 12th (within the 3 reminder days), c1
   * on the 15th; c0 is locked and never due. */
  kehu_test_api_set_now (p.api, "2026-06-10T09:00:00Z");
  due = kehu_test_api_expect (p.api, p.admin, "GET", "/api/v1/pool/due", NULL, 200);
  items = json_object_get_array_member (due, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "customer_id"), ==, p.c[3]);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "due_at"), ==, "2026-06-12T09:00:00Z");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (items, 0), "remind"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "days_left"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "customer_id"), ==, p.c[1]);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "due_at"), ==, "2026-06-15T10:00:00Z");
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (items, 1), "remind"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "reason"), ==, "no_followup");

  /* A sees only A's; the reminder list only what is close. */
  due_a = kehu_test_api_expect (p.api, p.ta, "GET", "/api/v1/pool/due", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (due_a, "items")), ==, 1);
  remind = kehu_test_api_expect (p.api, p.admin, "GET", "/api/v1/pool/due?remind=true", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (remind, "items")), ==, 1);

  /* Only an administrator runs the job by hand. */
  kehu_test_api_expect_error (p.api, p.ta, "POST", "/api/v1/pool/recycle", NULL, 403, "forbidden", NULL);

  kehu_test_api_set_now (p.api, "2026-06-12T08:59:59Z");
  g_clear_pointer (&r, json_object_unref);
  r = kehu_test_api_expect (p.api, p.admin, "POST", "/api/v1/pool/recycle", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (r, "count"), ==, 0);

  kehu_test_api_set_now (p.api, "2026-06-12T09:00:00Z");
  g_clear_pointer (&r, json_object_unref);
  r = kehu_test_api_expect (p.api, p.admin, "POST", "/api/v1/pool/recycle", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (r, "count"), ==, 1);
  owner = owner_of (&p, p.c[3]);
  g_assert_cmpstr (owner, ==, "pool");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT return_reason || ':' || former_owner_id FROM customers WHERE id = '%s'", p.c[3]);
    g_autofree char *expected = g_strdup_printf ("no_followup:%s", p.b);
    reason = kehu_test_api_db_string (p.api, sql);
    g_assert_cmpstr (reason, ==, expected);
  }

  /* Two months on, c1 is gone too; the locked c0 stays with A. */
  kehu_test_api_set_now (p.api, "2026-08-01T09:00:00Z");
  g_free (p.admin);   /* 30 days on, the token has expired */
  p.admin = kehu_test_api_login (p.api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  g_clear_pointer (&r, json_object_unref);
  r = kehu_test_api_expect (p.api, p.admin, "POST", "/api/v1/pool/recycle", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (r, "count"), ==, 1);
  g_free (owner);
  owner = owner_of (&p, p.c[1]);
  g_assert_cmpstr (owner, ==, "pool");
  g_free (owner);
  owner = owner_of (&p, p.c[0]);
  g_assert_cmpstr (owner, ==, p.a);
  g_assert_cmpint (kehu_test_api_db_int (p.api, "SELECT count(*) FROM pool_history WHERE action = 'recycle'"), ==, 2);

  pool_tear_down (&p);
}

static void
test_monthly_limit_and_membership (void)
{
  Pool p = { 0 };
  g_autofree char *q0 = NULL, *q1 = NULL, *body = NULL, *members = NULL;
  g_autoptr(JsonObject) r = NULL;
  g_autoptr(JsonObject) listed = NULL;

  pool_set_up (&p);
  q0 = quoted (p.c[0]); q1 = quoted (p.c[1]);

  body = g_strdup_printf ("{\"items\":[{\"role_id\":\"%s\",\"per_day\":null,\"per_week\":null,\"per_month\":1}]}", p.role);
  put (&p, "claim-limits", body);

  kehu_test_api_set_now (p.api, "2026-06-10T09:00:00Z");
  r = action (&p, p.ta, "claim", q0, NULL, 200);
  kehu_test_api_set_now (p.api, "2026-06-30T23:00:00Z");
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q1, NULL, 429);
  assert_limit (r, "claim_limit", "month", 1, "2026-07-01T00:00:00Z");
  kehu_test_api_set_now (p.api, "2026-07-01T00:00:00Z");
  g_clear_pointer (&r, json_object_unref);
  r = action (&p, p.ta, "claim", q1, NULL, 200);

  /* Once the pool names its members, only they see and claim from it. */
  members = g_strdup_printf ("{\"items\":[{\"member_type\":\"user\",\"member_id\":\"%s\",\"is_admin\":false}]}", p.a);
  put (&p, "members", members);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/pools/%s/customers", p.pool);
    g_autofree char *q2 = quoted (p.c[2]);

    listed = kehu_test_api_expect (p.api, p.ta, "GET", path, NULL, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (listed, "items")), ==, 4);
    kehu_test_api_expect_error (p.api, p.tb, "GET", path, NULL, 404, "not_found", NULL);
    g_clear_pointer (&r, json_object_unref);
    r = action (&p, p.tb, "claim", q2, NULL, 403);
  }

  pool_tear_down (&p);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pool/claim-limits-caps-cooldown", test_claim_limits_caps_cooldown);
  g_test_add_func ("/pool/recycle", test_recycle);
  g_test_add_func ("/pool/monthly-limit-and-membership", test_monthly_limit_and_membership);

  return g_test_run ();
}
