/* test-approvals.c: approvals on a real store
 *
 * The organisation (plain SQL inserts into a fresh store):
 *
 *   gm ← mgr ← rep          gm holds role "gm" (general manager)
 *   gm ← alt                fin holds role "finance"
 *   admin (super admin)
 *
 * Flows: contract — amount > 100 000.00 yuan: supervisor then role gm;
 * otherwise supervisor only; copy to fin. Payment — role finance.
 * Invoice — supervisor. Every expected value is written out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "kehu-approvals.h"
#include "kehu-record.h"

typedef struct
{
  char        *dir;
  KehuStore   *store;
  KehuSchema  *schema;
  KehuContext *ctx;
} Fixture;

static const char *contract_flow =
  "{\"name\": \"Contracts\", \"business_type\": \"contract\","
  " \"copy_to\": [{\"user\": \"fin\"}],"
  " \"steps\": [{\"type\": \"condition\", \"field\": \"amount\", \"op\": \">\", \"value\": 10000000,"
  "   \"then\": [{\"type\": \"serial\", \"approvers\": [{\"supervisor\": 1}, {\"role\": \"gm\"}]}],"
  "   \"else\": [{\"type\": \"serial\", \"approvers\": [{\"supervisor\": 1}]}]}]}";

static const char *payment_flow =
  "{\"name\": \"Payments\", \"business_type\": \"payment\","
  " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"role\": \"finance\"}]}]}";

static const char *invoice_flow =
  "{\"name\": \"Invoices\", \"business_type\": \"invoice\","
  " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"supervisor\": 1}]}]}";

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static GDateTime *
at (const char *iso)
{
  GDateTime *dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return dt;
}

static void
sql (Fixture    *f,
     const char *text)
{
  g_autoptr(GError) error = NULL;

  kehu_store_exec (f->store, text, &error);
  g_assert_no_error (error);
}

/* One value read straight from the database. */
static char *
value (Fixture    *f,
       const char *query,
       const char *param)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store), query, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result;
}

static gint64
int_value (Fixture    *f,
           const char *query,
           const char *param)
{
  g_autofree char *v = value (f, query, param);

  g_assert_nonnull (v);
  return g_ascii_strtoll (v, NULL, 10);
}

/* The context of one user at one time. */
static KehuContext *
as (Fixture    *f,
    const char *user,
    const char *when)
{
  g_autoptr(GDateTime) now = at (when);

  kehu_context_set_user_id (f->ctx, user);
  kehu_context_set_now (f->ctx, now);
  return f->ctx;
}

static void
save_flow (Fixture    *f,
           const char *text,
           int         position)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) flow = parse (text);
  g_autoptr(GDateTime) now = at ("2026-11-01T08:00:00Z");
  g_autofree char *id = kehu_approvals_save_flow (f->store, NULL, flow, TRUE, position, "admin", now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("kehu-approvals-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "kehu.db", NULL);
  f->store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  f->schema = kehu_schema_new (f->store, &error);
  g_assert_no_error (error);
  f->ctx = kehu_context_new (f->schema, NULL);

  sql (f,
       "INSERT INTO users (id, created_at, updated_at, phone, name, supervisor_id, is_super_admin) VALUES"
       " ('admin', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '100', 'Admin', NULL, 1),"
       " ('gm',    '2026-01-01T00:00:01Z', '2026-01-01T00:00:00Z', '101', 'GM', NULL, 0),"
       " ('mgr',   '2026-01-01T00:00:02Z', '2026-01-01T00:00:00Z', '102', 'Manager', 'gm', 0),"
       " ('rep',   '2026-01-01T00:00:03Z', '2026-01-01T00:00:00Z', '103', 'Rep', 'mgr', 0),"
       " ('alt',   '2026-01-01T00:00:04Z', '2026-01-01T00:00:00Z', '104', 'Alt', 'gm', 0),"
       " ('fin',   '2026-01-01T00:00:05Z', '2026-01-01T00:00:00Z', '105', 'Finance', 'gm', 0);"
       "INSERT INTO roles (id, created_at, updated_at, name) VALUES"
       " ('gm', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'General manager'),"
       " ('finance', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'Finance');"
       "INSERT INTO user_roles (user_id, role_id) VALUES ('gm', 'gm'), ('fin', 'finance');"
       "INSERT INTO customers (id, created_at, updated_at, owner_id, name) VALUES"
       " ('c1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'rep', 'Beijing Steel');");

  save_flow (f, contract_flow, 0);
  save_flow (f, payment_flow, 0);
  save_flow (f, invoice_flow, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "kehu.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_assert_finalize_object (f->ctx);
  g_assert_finalize_object (f->schema);
  g_assert_finalize_object (f->store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
add_contract (Fixture    *f,
              const char *id,
              gint64      amount)
{
  g_autofree char *text =
    g_strdup_printf ("INSERT INTO contracts (id, created_at, updated_at, owner_id, name, customer_id,"
                     " amount, outstanding) VALUES ('%s', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z',"
                     " 'rep', 'Contract %s', 'c1', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                     id, id, amount, amount);
  sql (f, text);
}

static void
add_money (Fixture    *f,
           const char *table,
           const char *id,
           const char *contract_id,
           gint64      amount)
{
  g_autofree char *text =
    g_strdup_printf ("INSERT INTO %s (id, created_at, updated_at, owner_id, number, contract_id,"
                     " customer_id, amount) VALUES ('%s', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z',"
                     " 'rep', '%s', '%s', 'c1', %" G_GINT64_FORMAT ")",
                     table, id, id, contract_id, amount);
  sql (f, text);
}

static char *
submit (Fixture    *f,
        const char *module,
        const char *record_id,
        const char *user,
        const char *when)
{
  g_autoptr(GError) error = NULL;
  char *id = kehu_approvals_submit (as (f, user, when), module, record_id, NULL, "please", &error);

  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static void
act (Fixture            *f,
     const char         *instance,
     const char         *user,
     KehuApprovalAction  action,
     const char         *target,
     const char         *when)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (kehu_approvals_act (as (f, user, when), instance, action, "ok", target, &error));
  g_assert_no_error (error);
}

static char *
waiting (Fixture    *f,
         const char *instance)
{
  /* The mirror table, sorted, joined with commas ("" for nobody). */
  char *w = value (f, "SELECT COALESCE (group_concat (user_id, ','), '') FROM"
                   " (SELECT user_id FROM approval_waiting WHERE instance_id = ? ORDER BY user_id)",
                   instance);
  return w;
}

#define assert_waiting(f, instance, expected) \
  G_STMT_START { g_autofree char *w__ = waiting (f, instance); g_assert_cmpstr (w__, ==, expected); } G_STMT_END

#define assert_status(f, table, id, expected) \
  G_STMT_START { \
    g_autofree char *s__ = value (f, "SELECT approval_status FROM " table " WHERE id = ?", id); \
    g_assert_cmpstr (s__, ==, expected); \
  } G_STMT_END

static void
test_contract_and_payments (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) payment = json_object_new ();
  g_autofree char *k1 = NULL, *k2 = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL, *i1 = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *decided = NULL;

  add_contract (f, "K1", 15000000);     /* 150 000.00 yuan: two steps */
  add_contract (f, "K2", 5000000);      /* 50 000.00 yuan: supervisor only */
  add_money (f, "payments", "P1", "K1", 5000000);
  add_money (f, "payments", "P2", "K1", 2500000);
  add_money (f, "payments", "P3", "K2", 3000000);
  add_money (f, "invoices", "I1", "K1", 4000000);

  /* A payment on a contract that is not approved is refused, and nothing
   * is written. */
  bad = kehu_approvals_submit (as (f, "rep", "2026-11-02T09:30:00Z"), "payments", "P1", NULL, NULL, &error);
  g_assert_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_CONTRACT_NOT_APPROVED);
  g_assert_null (bad);
  g_clear_error (&error);
  assert_status (f, "payments", "P1", "draft");
  g_assert_cmpint (int_value (f, "SELECT count(*) FROM approval_instances WHERE record_id = ?", "P1"), ==, 0);

  /* Core's record rules refuse to create one, too. */
  json_object_set_string_member (payment, "contract_id", "K1");
  json_object_set_int_member (payment, "amount", 100);
  json_object_set_string_member (payment, "paid_date", "2026-11-02");
  g_assert_null (kehu_record_create (as (f, "rep", "2026-11-02T09:30:00Z"), "payments", payment, &error));
  g_assert_error (error, KEHU_RECORD_ERROR, KEHU_RECORD_ERROR_INVALID);
  g_clear_error (&error);

  k1 = submit (f, "contracts", "K1", "rep", "2026-11-02T09:00:00Z");
  assert_status (f, "contracts", "K1", "pending");
  assert_waiting (f, k1, "mgr");

  /* Only the waiting user acts. */
  {
    g_assert_false (kehu_approvals_act (as (f, "gm", "2026-11-02T09:10:00Z"), k1,
                                        KEHU_APPROVAL_ACTION_APPROVE, NULL, NULL, &error));
    g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_WAITING);
    g_clear_error (&error);
  }

  act (f, k1, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T10:00:00Z");
  assert_status (f, "contracts", "K1", "pending");
  assert_waiting (f, k1, "gm");
  act (f, k1, "gm", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T12:00:00Z");
  assert_status (f, "contracts", "K1", "approved");
  assert_waiting (f, k1, "");
  decided = value (f, "SELECT decided_at FROM approval_instances WHERE id = ?", k1);
  g_assert_cmpstr (decided, ==, "2026-11-02T12:00:00Z");

  /* The small contract needs the supervisor only. */
  k2 = submit (f, "contracts", "K2", "rep", "2026-11-02T09:05:00Z");
  assert_waiting (f, k2, "mgr");
  act (f, k2, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T09:20:00Z");
  assert_status (f, "contracts", "K2", "approved");

  /* Payments now: P1 and P3 approved, P2 rejected; I1 approved. */
  p1 = submit (f, "payments", "P1", "rep", "2026-11-02T13:00:00Z");
  assert_status (f, "payments", "P1", "pending");
  assert_waiting (f, p1, "fin");
  /* Not counted while pending. */
  g_assert_cmpint (int_value (f, "SELECT received_total FROM contracts WHERE id = ?", "K1"), ==, 0);
  act (f, p1, "fin", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T14:00:00Z");
  assert_status (f, "payments", "P1", "approved");

  p2 = submit (f, "payments", "P2", "rep", "2026-11-02T13:00:00Z");
  act (f, p2, "fin", KEHU_APPROVAL_ACTION_REJECT, NULL, "2026-11-02T14:00:00Z");
  assert_status (f, "payments", "P2", "rejected");

  p3 = submit (f, "payments", "P3", "rep", "2026-11-02T13:00:00Z");
  act (f, p3, "fin", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T14:00:00Z");

  i1 = submit (f, "invoices", "I1", "rep", "2026-11-02T13:00:00Z");
  assert_waiting (f, i1, "mgr");
  act (f, i1, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T15:00:00Z");

  /* K1: received 50 000.00 of 150 000.00, invoiced 40 000.00. */
  g_assert_cmpint (int_value (f, "SELECT received_total FROM contracts WHERE id = ?", "K1"), ==, 5000000);
  g_assert_cmpint (int_value (f, "SELECT outstanding FROM contracts WHERE id = ?", "K1"), ==, 10000000);
  g_assert_cmpint (int_value (f, "SELECT invoiced_total FROM contracts WHERE id = ?", "K1"), ==, 4000000);
  /* K2: 30 000.00 of 50 000.00. */
  g_assert_cmpint (int_value (f, "SELECT received_total FROM contracts WHERE id = ?", "K2"), ==, 3000000);
  g_assert_cmpint (int_value (f, "SELECT outstanding FROM contracts WHERE id = ?", "K2"), ==, 2000000);
  /* The customer: 50 000.00 + 30 000.00 received, 40 000.00 invoiced. */
  g_assert_cmpint (int_value (f, "SELECT received_total FROM customers WHERE id = ?", "c1"), ==, 8000000);
  g_assert_cmpint (int_value (f, "SELECT invoiced_total FROM customers WHERE id = ?", "c1"), ==, 4000000);

  /* The operation log saw the status and the totals change. */
  g_assert_cmpint (int_value (f, "SELECT count(*) FROM oplog WHERE module = 'contracts' AND record_id = ?"
                              " AND field = 'approval_status'", "K1"), ==, 2);

  /* An approved contract is not submitted again. */
  bad = kehu_approvals_submit (as (f, "rep", "2026-11-02T16:00:00Z"), "contracts", "K1", NULL, NULL, &error);
  g_assert_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_ALREADY_APPROVED);
  g_clear_error (&error);
}

static void
test_reject_resubmit (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *k = NULL, *again = NULL;
  g_autoptr(JsonNode) history = NULL;
  JsonArray *instances, *actions;
  const char *expected[] = { "submit", "approve", "reject", "resubmit" };

  add_contract (f, "K3", 20000000);
  k = submit (f, "contracts", "K3", "rep", "2026-11-03T09:00:00Z");
  act (f, k, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-03T10:00:00Z");
  act (f, k, "gm", KEHU_APPROVAL_ACTION_REJECT, NULL, "2026-11-03T11:00:00Z");
  assert_status (f, "contracts", "K3", "rejected");
  assert_waiting (f, k, "");

  /* Submitting the rejected record again resubmits its instance: the flow
   * restarts at the first step. */
  again = submit (f, "contracts", "K3", "rep", "2026-11-03T12:00:00Z");
  g_assert_cmpstr (again, ==, k);
  assert_status (f, "contracts", "K3", "pending");
  assert_waiting (f, k, "mgr");

  history = kehu_approvals_history (f->store, "contracts", "K3", &error);
  g_assert_no_error (error);
  instances = json_node_get_array (history);
  g_assert_cmpuint (json_array_get_length (instances), ==, 1);
  actions = json_object_get_array_member (json_array_get_object_element (instances, 0), "actions");
  g_assert_cmpuint (json_array_get_length (actions), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (actions, i), "action"),
                     ==, expected[i]);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (actions, 2), "user_name"),
                   ==, "GM");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (instances, 0), "round"), ==, 2);
}

static void
test_withdraw (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *k = NULL;

  add_contract (f, "K4", 20000000);
  k = submit (f, "contracts", "K4", "rep", "2026-11-04T09:00:00Z");
  act (f, k, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-04T10:00:00Z");

  /* Only the submitter withdraws. */
  g_assert_false (kehu_approvals_act (as (f, "mgr", "2026-11-09T10:30:00Z"), k, KEHU_APPROVAL_ACTION_WITHDRAW, NULL, NULL, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_SUBMITTER);
  g_clear_error (&error);

  act (f, k, "rep", KEHU_APPROVAL_ACTION_WITHDRAW, NULL, "2026-11-04T11:00:00Z");
  assert_status (f, "contracts", "K4", "withdrawn");
  assert_waiting (f, k, "");

  /* A decided instance takes no approval. */
  g_assert_false (kehu_approvals_act (as (f, "gm", "2026-11-09T10:30:00Z"), k, KEHU_APPROVAL_ACTION_APPROVE, NULL, NULL, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_DECIDED);
  g_clear_error (&error);
}

static void
test_transfer (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *k = NULL, *target = NULL;
  guint counts[KEHU_APPROVALS_N_BOXES];

  add_contract (f, "K5", 20000000);
  k = submit (f, "contracts", "K5", "rep", "2026-11-05T09:00:00Z");
  act (f, k, "mgr", KEHU_APPROVAL_ACTION_TRANSFER, "alt", "2026-11-05T10:00:00Z");
  assert_waiting (f, k, "alt");
  target = value (f, "SELECT target_user FROM approval_actions WHERE instance_id = ? AND action = 'transfer'", k);
  g_assert_cmpstr (target, ==, "alt");

  g_assert_false (kehu_approvals_act (as (f, "mgr", "2026-11-09T10:30:00Z"), k, KEHU_APPROVAL_ACTION_APPROVE, NULL, NULL, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NOT_WAITING);
  g_clear_error (&error);

  act (f, k, "alt", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-05T11:00:00Z");
  assert_waiting (f, k, "gm");

  /* The transfer counts as handled by mgr. */
  g_assert_true (kehu_approvals_count (f->store, "mgr", counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts[KEHU_APPROVALS_BOX_WAITING], ==, 0);
  g_assert_cmpuint (counts[KEHU_APPROVALS_BOX_HANDLED], ==, 1);
}

typedef struct
{
  const char *user;
  guint counts[KEHU_APPROVALS_N_BOXES];   /* waiting, handled, submitted, copied */
} ExpectedCounts;

static void
test_inbox (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL;
  g_autofree char *next = NULL, *next2 = NULL;
  g_autoptr(JsonNode) page1 = NULL;
  g_autoptr(JsonNode) page2 = NULL;
  /* K1 large by rep, mgr approved → gm waits; K2 small by rep → mgr waits;
   * K3 small by rep, mgr rejected; K4 large by alt → gm (supervisor) then
   * gm (role): gm waits. Every contract is copied to fin. */
  static const ExpectedCounts expected[] = {
    { "mgr", { 1, 2, 0, 0 } },
    { "gm", { 2, 0, 0, 0 } },
    { "rep", { 0, 0, 3, 0 } },
    { "alt", { 0, 0, 1, 0 } },
    { "fin", { 0, 0, 0, 4 } },
    { "admin", { 0, 0, 0, 0 } },
  };

  add_contract (f, "K1", 15000000);
  add_contract (f, "K2", 100);
  add_contract (f, "K3", 200);
  add_contract (f, "K4", 30000000);
  k1 = submit (f, "contracts", "K1", "rep", "2026-11-06T09:00:00Z");
  act (f, k1, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-06T09:30:00Z");
  k2 = submit (f, "contracts", "K2", "rep", "2026-11-06T10:00:00Z");
  k3 = submit (f, "contracts", "K3", "rep", "2026-11-06T11:00:00Z");
  act (f, k3, "mgr", KEHU_APPROVAL_ACTION_REJECT, NULL, "2026-11-06T11:30:00Z");
  k4 = submit (f, "contracts", "K4", "alt", "2026-11-06T12:00:00Z");

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      guint counts[KEHU_APPROVALS_N_BOXES];

      g_assert_true (kehu_approvals_count (f->store, expected[i].user, counts, &error));
      g_assert_no_error (error);
      for (guint box = 0; box < KEHU_APPROVALS_N_BOXES; box++)
        {
          g_autoptr(JsonNode) list = NULL;

          if (counts[box] != expected[i].counts[box])
            g_error ("%s, box %s: %u instead of %u", expected[i].user,
                     kehu_approvals_box_to_string (box), counts[box], expected[i].counts[box]);
          /* The list agrees with the count. */
          list = kehu_approvals_list (f->store, expected[i].user, box, NULL, 50, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, expected[i].counts[box]);
        }
    }

  /* gm's waiting box in pages of one: K4 (newest) then K1. */
  page1 = kehu_approvals_list (f->store, "gm", KEHU_APPROVALS_BOX_WAITING, NULL, 1, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (page1)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (page1), 0), "id"),
                   ==, k4);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (json_node_get_array (page1), 0),
                                                 "can_act"));
  g_assert_nonnull (next);
  page2 = kehu_approvals_list (f->store, "gm", KEHU_APPROVALS_BOX_WAITING, next, 1, &next2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (page2)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (page2), 0), "id"),
                   ==, k1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (page2), 0), "amount"),
                   ==, 15000000);
  g_assert_null (next2);
}

static JsonObject *
find_member (JsonArray  *array,
             const char *key,
             const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (o, key), value) == 0)
        return o;
    }
  g_error ("no %s = %s", key, value);
  return NULL;
}

static void
assert_group (JsonObject *g,
              gint64      count,
              gint64      approved,
              gint64      rejected,
              gint64      avg_seconds,
              gint64      pass_rate_bp)
{
  g_assert_cmpint (json_object_get_int_member (g, "count"), ==, count);
  g_assert_cmpint (json_object_get_int_member (g, "approved"), ==, approved);
  g_assert_cmpint (json_object_get_int_member (g, "rejected"), ==, rejected);
  g_assert_cmpint (json_object_get_int_member (g, "avg_seconds"), ==, avg_seconds);
  g_assert_cmpint (json_object_get_int_member (g, "pass_rate_bp"), ==, pass_rate_bp);
}

static void
assert_approver (JsonObject *a,
                 gint64      handled,
                 gint64      avg_seconds,
                 gint64      pass_rate_bp)
{
  g_assert_cmpint (json_object_get_int_member (a, "handled"), ==, handled);
  g_assert_cmpint (json_object_get_int_member (a, "avg_seconds"), ==, avg_seconds);
  g_assert_cmpint (json_object_get_int_member (a, "pass_rate_bp"), ==, pass_rate_bp);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL, *k5 = NULL, *p = NULL;
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) part = NULL;
  JsonObject *root;
  JsonArray *approvers;

  add_contract (f, "K1", 15000000);
  add_contract (f, "K2", 100);
  add_contract (f, "K3", 100);
  add_contract (f, "K4", 100);
  add_contract (f, "K5", 100);
  add_money (f, "payments", "P1", "K1", 1000);

  k5 = submit (f, "contracts", "K5", "rep", "2026-11-02T09:00:00Z");
  act (f, k5, "rep", KEHU_APPROVAL_ACTION_WITHDRAW, NULL, "2026-11-02T09:10:00Z");
  /* K1: mgr waits 10:00–11:00 (3600 s), gm 11:00–13:00 (7200 s); 10800 s in all. */
  k1 = submit (f, "contracts", "K1", "rep", "2026-11-02T10:00:00Z");
  act (f, k1, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T11:00:00Z");
  act (f, k1, "gm", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T13:00:00Z");
  /* K2: rejected after 900 s. */
  k2 = submit (f, "contracts", "K2", "rep", "2026-11-02T10:30:00Z");
  act (f, k2, "mgr", KEHU_APPROVAL_ACTION_REJECT, NULL, "2026-11-02T10:45:00Z");
  /* K3: approved after 7200 s. */
  k3 = submit (f, "contracts", "K3", "rep", "2026-11-02T12:00:00Z");
  act (f, k3, "mgr", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T14:00:00Z");
  /* K4: still pending. */
  k4 = submit (f, "contracts", "K4", "rep", "2026-11-02T12:30:00Z");
  /* P1: approved after 1800 s. */
  p = submit (f, "payments", "P1", "rep", "2026-11-02T14:00:00Z");
  act (f, p, "fin", KEHU_APPROVAL_ACTION_APPROVE, NULL, "2026-11-02T14:30:00Z");

  all = kehu_approvals_stats (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  root = json_node_get_object (all);
  /* 6 instances; decided: 10800 + 900 + 7200 + 1800 = 20700 s over 4 =
   * 5175 s; 3 of 4 passed = 7500 bp. */
  assert_group (json_object_get_object_member (root, "total"), 6, 3, 1, 5175, 7500);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "total"), "withdrawn"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "total"), "pending"), ==, 1);
  /* Contracts: (10800 + 900 + 7200) / 3 = 6300 s, 2 of 3 = 6667 bp. */
  assert_group (find_member (json_object_get_array_member (root, "by_type"), "business_type", "contract"),
                5, 2, 1, 6300, 6667);
  assert_group (find_member (json_object_get_array_member (root, "by_type"), "business_type", "payment"),
                1, 1, 0, 1800, 10000);
  approvers = json_object_get_array_member (root, "by_approver");
  g_assert_cmpuint (json_array_get_length (approvers), ==, 3);
  /* mgr: 3600, 900, 7200 → 3900 s; 2 of 3. gm: 7200 s. fin: 1800 s. */
  assert_approver (find_member (approvers, "user_id", "mgr"), 3, 3900, 6667);
  assert_approver (find_member (approvers, "user_id", "gm"), 1, 7200, 10000);
  assert_approver (find_member (approvers, "user_id", "fin"), 1, 1800, 10000);
  g_assert_cmpstr (json_object_get_string_member (find_member (approvers, "user_id", "gm"), "name"), ==, "GM");

  /* [10:15, 13:00): K2, K3 and K4 were submitted; K2 rejected after 900 s,
   * K3 approved after 7200 s → 4050 s, 5000 bp. mgr acted at 10:45 and
   * 11:00 (900 s, 3600 s); gm's 13:00 is outside. */
  part = kehu_approvals_stats (f->store, "2026-11-02T10:15:00Z", "2026-11-02T13:00:00Z", &error);
  g_assert_no_error (error);
  root = json_node_get_object (part);
  assert_group (json_object_get_object_member (root, "total"), 3, 1, 1, 4050, 5000);
  approvers = json_object_get_array_member (root, "by_approver");
  g_assert_cmpuint (json_array_get_length (approvers), ==, 1);
  assert_approver (find_member (approvers, "user_id", "mgr"), 2, 2250, 5000);
}

static void
test_flows (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = at ("2026-11-07T09:00:00Z");
  g_autoptr(JsonNode) gm_only = parse ("{\"name\": \"GM only\", \"business_type\": \"contract\","
                                       " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"user\": \"gm\"}]}]}");
  g_autoptr(JsonNode) broken = parse ("{\"name\": \"Broken\", \"business_type\": \"contract\","
                                      " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"user\": \"nobody\"}]}]}");
  g_autoptr(JsonNode) leave = parse ("{\"name\": \"Leave\", \"business_type\": \"leave\","
                                     " \"steps\": [{\"type\": \"serial\", \"approvers\": [{\"user\": \"gm\"}]}]}");
  g_autoptr(JsonNode) flows = NULL;
  g_autofree char *gm_id = NULL, *bad = NULL, *k1 = NULL, *k2 = NULL, *old_id = NULL, *k3 = NULL;

  /* Validation errors come from the engine and name the place. */
  bad = kehu_approvals_save_flow (f->store, NULL, broken, TRUE, 0, "admin", now, &error);
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW);
  g_assert_nonnull (strstr (error->message, "nobody"));
  g_clear_error (&error);
  bad = kehu_approvals_save_flow (f->store, NULL, leave, TRUE, 0, "admin", now, &error);
  g_assert_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_INVALID);
  g_clear_error (&error);

  /* The enabled flow with the lowest position applies. */
  gm_id = kehu_approvals_save_flow (f->store, NULL, gm_only, TRUE, -1, "admin", now, &error);
  g_assert_no_error (error);
  flows = kehu_approvals_list_flows (f->store, "contract", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (flows)), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (flows), 0), "id"),
                   ==, gm_id);
  old_id = g_strdup (json_object_get_string_member (json_array_get_object_element (json_node_get_array (flows), 1), "id"));

  add_contract (f, "K1", 100);
  add_contract (f, "K2", 100);
  add_contract (f, "K3", 100);
  k1 = submit (f, "contracts", "K1", "rep", "2026-11-07T10:00:00Z");
  assert_waiting (f, k1, "gm");

  /* Disabled, it gives way to the next one. */
  g_free (kehu_approvals_save_flow (f->store, gm_id, gm_only, FALSE, -1, "admin", now, &error));
  g_assert_no_error (error);
  k2 = submit (f, "contracts", "K2", "rep", "2026-11-07T10:00:00Z");
  assert_waiting (f, k2, "mgr");

  /* Without any flow, submitting says so. */
  g_assert_true (kehu_approvals_delete_flow (f->store, old_id, "admin", now, &error));
  g_assert_no_error (error);
  k3 = kehu_approvals_submit (as (f, "rep", "2026-11-07T11:00:00Z"), "contracts", "K3", NULL, NULL, &error);
  g_assert_error (error, KEHU_APPROVALS_ERROR, KEHU_APPROVALS_ERROR_NO_FLOW);
  g_assert_null (k3);
  g_clear_error (&error);
  assert_status (f, "contracts", "K3", "draft");
}

static void
test_local_user (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = at ("2026-11-07T09:00:00Z");
  g_autofree char *me = kehu_approvals_dup_local_user (f->store, now, &error);

  g_assert_no_error (error);
  /* The fixture's super administrator. */
  g_assert_cmpstr (me, ==, "admin");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/approvals/contract-and-payments", test_contract_and_payments);
  ADD ("/approvals/reject-resubmit", test_reject_resubmit);
  ADD ("/approvals/withdraw", test_withdraw);
  ADD ("/approvals/transfer", test_transfer);
  ADD ("/approvals/inbox", test_inbox);
  ADD ("/approvals/stats", test_stats);
  ADD ("/approvals/flows", test_flows);
  ADD ("/approvals/local-user", test_local_user);
#undef ADD

  return g_test_run ();
}
