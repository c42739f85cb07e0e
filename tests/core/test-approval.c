/* test-approval.c: the approval engine against an in-memory organisation
 *
 * The organisation:
 *
 *   gm ← dir ← mgr ← rep          a three-level supervisor chain above rep
 *   dir ← oldmgr (disabled) ← rep2
 *   admin                         the directory's administrator
 *   role legal:   law1, law2
 *   role finance: fin1, fin2, fin3 (disabled)
 *   role ghosts:  gone (disabled)
 *   role vacant:  nobody
 *
 * Every expectation below is written out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "kehu-approval.h"

/* The in-memory directory */

static const char * const users[][2] = {
  /* user, supervisor */
  { "rep", "mgr" },
  { "mgr", "dir" },
  { "dir", "gm" },
  { "gm", NULL },
  { "rep2", "oldmgr" },
  { "oldmgr", "dir" },
  { "admin", NULL },
  { "law1", "gm" },
  { "law2", "gm" },
  { "fin1", "gm" },
  { "fin2", "gm" },
  { "fin3", "gm" },
  { "gone", "gm" },
};

static const char * const disabled[] = { "oldmgr", "fin3", "gone", NULL };

static const char * const roles[][4] = {
  { "legal", "law1", "law2", NULL },
  { "finance", "fin1", "fin2", "fin3" },
  { "ghosts", "gone", NULL, NULL },
  { "vacant", NULL, NULL, NULL },
};

static gboolean
dir_user_exists (gpointer    user_data,
                 const char *user_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (g_str_equal (users[i][0], user_id))
      return TRUE;
  return FALSE;
}

static char *
dir_supervisor_of (gpointer    user_data,
                   const char *user_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (g_str_equal (users[i][0], user_id))
      return g_strdup (users[i][1]);
  return NULL;
}

static char **
dir_users_with_role (gpointer    user_data,
                     const char *role_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (roles[i][0], role_id))
      {
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

        for (guint j = 1; j < 4 && roles[i][j] != NULL; j++)
          g_strv_builder_add (builder, roles[i][j]);
        return g_strv_builder_end (builder);
      }
  return NULL;
}

static gboolean
dir_user_enabled (gpointer    user_data,
                  const char *user_id)
{
  return dir_user_exists (user_data, user_id) && !g_strv_contains (disabled, user_id);
}

static char *
dir_administrator (gpointer user_data)
{
  return g_strdup ("admin");
}

static gboolean
dir_role_exists (gpointer    user_data,
                 const char *role_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (roles[i][0], role_id))
      return TRUE;
  return FALSE;
}

static const KehuApprovalDirectory directory = {
  .supervisor_of = dir_supervisor_of,
  .users_with_role = dir_users_with_role,
  .user_enabled = dir_user_enabled,
  .administrator = dir_administrator,
  .user_exists = dir_user_exists,
  .role_exists = dir_role_exists,
};

/* The same organisation without an administrator nor existence checks. */
static const KehuApprovalDirectory bare_directory = {
  .supervisor_of = dir_supervisor_of,
  .users_with_role = dir_users_with_role,
  .user_enabled = dir_user_enabled,
};

/* Helpers */

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* 2026-11-22 09:<minute>:00 UTC */
static GDateTime *
at_minute (int minute)
{
  return g_date_time_new_utc (2026, 11, 22, 9, minute, 0);
}

static JsonNode *
start_ok (const char                  *flow_json,
          const char                  *record_json,
          const char                  *submitter,
          const KehuApprovalDirectory *dir)
{
  g_autoptr(JsonNode) flow = parse (flow_json);
  g_autoptr(JsonNode) record = record_json != NULL ? parse (record_json) : NULL;
  g_autoptr(GDateTime) now = at_minute (0);
  g_autoptr(GError) error = NULL;
  JsonNode *state = NULL;

  g_assert_true (kehu_approval_start (flow, record, submitter, dir, now, &state, &error));
  g_assert_no_error (error);
  g_assert_nonnull (state);
  return state;
}

static void
start_fails (const char  *flow_json,
             const char  *record_json,
             const char  *submitter,
             int          code,
             const char  *message)
{
  g_autoptr(JsonNode) flow = parse (flow_json);
  g_autoptr(JsonNode) record = record_json != NULL ? parse (record_json) : NULL;
  g_autoptr(GDateTime) now = at_minute (0);
  g_autoptr(GError) error = NULL;
  JsonNode *state = NULL;

  g_assert_false (kehu_approval_start (flow, record, submitter, &directory, now, &state, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, code);
  g_assert_null (state);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

/* Acts and replaces *state with the new state. */
static void
act_ok (const char          *flow_json,
        const char          *record_json,
        JsonNode           **state,
        const char          *actor,
        KehuApprovalAction   action,
        const char          *comment,
        const char          *target,
        int                  minute)
{
  g_autoptr(JsonNode) flow = parse (flow_json);
  g_autoptr(JsonNode) record = record_json != NULL ? parse (record_json) : NULL;
  g_autoptr(GDateTime) now = at_minute (minute);
  g_autoptr(GError) error = NULL;
  JsonNode *new_state = NULL;

  g_assert_true (kehu_approval_act (flow, record, *state, actor, action, comment, target,
                                    now, &directory, &new_state, &error));
  g_assert_no_error (error);
  g_assert_nonnull (new_state);
  json_node_unref (*state);
  *state = new_state;
}

static void
act_fails (const char          *flow_json,
           JsonNode            *state,
           const char          *actor,
           KehuApprovalAction   action,
           const char          *target,
           int                  code)
{
  g_autoptr(JsonNode) flow = parse (flow_json);
  g_autoptr(GDateTime) now = at_minute (59);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = json_to_string (state, FALSE);
  g_autofree char *after = NULL;
  JsonNode *new_state = NULL;

  g_assert_false (kehu_approval_act (flow, NULL, state, actor, action, NULL, target,
                                     now, &directory, &new_state, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, code);
  g_assert_null (new_state);

  after = json_to_string (state, FALSE);
  g_assert_cmpstr (before, ==, after);
}

static void
assert_list (char               **actual,
             const char * const  *expected)
{
  g_autofree char *a = g_strjoinv (",", actual);
  g_autofree char *e = g_strjoinv (",", (char **) expected);

  g_assert_cmpstr (a, ==, e);
  g_strfreev (actual);
}

#define assert_waiting(state, ...) \
  assert_list (kehu_approval_get_waiting (state), (const char *[]) { __VA_ARGS__, NULL })
#define assert_waiting_none(state) \
  assert_list (kehu_approval_get_waiting (state), (const char *[]) { NULL })

static JsonObject *
root (JsonNode *state)
{
  return json_node_get_object (state);
}

static JsonObject *
stage_at (JsonNode *state,
          guint     i)
{
  return json_array_get_object_element (json_object_get_array_member (root (state), "stages"), i);
}

/* "key:status" of every stage, joined with spaces. */
static char *
stages_summary (JsonNode *state)
{
  JsonArray *stages = json_object_get_array_member (root (state), "stages");
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);

      g_string_append_printf (s, "%s%s:%s", i ? " " : "",
                              json_object_get_string_member (stage, "key"),
                              json_object_get_string_member (stage, "status"));
    }
  return g_string_free (s, FALSE);
}

/* "action:actor" of every history entry ("-" for the engine), with
 * ">target" for transfers and "(reason)" for skips. */
static char *
history_summary (JsonNode *state)
{
  JsonArray *history = json_object_get_array_member (root (state), "history");
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (history); i++)
    {
      JsonObject *entry = json_array_get_object_element (history, i);
      JsonNode *actor = json_object_get_member (entry, "actor");

      g_string_append_printf (s, "%s%s:%s", i ? " " : "",
                              json_object_get_string_member (entry, "action"),
                              JSON_NODE_HOLDS_NULL (actor) ? "-" : json_node_get_string (actor));
      if (json_object_has_member (entry, "target"))
        g_string_append_printf (s, ">%s", json_object_get_string_member (entry, "target"));
      if (json_object_has_member (entry, "reason"))
        g_string_append_printf (s, "(%s)", json_object_get_string_member (entry, "reason"));
    }
  return g_string_free (s, FALSE);
}

#define assert_stages(state, expected) \
  G_STMT_START { g_autofree char *_s = stages_summary (state); \
                 g_assert_cmpstr (_s, ==, expected); } G_STMT_END
#define assert_history(state, expected) \
  G_STMT_START { g_autofree char *_h = history_summary (state); \
                 g_assert_cmpstr (_h, ==, expected); } G_STMT_END
#define assert_status(state, expected) \
  g_assert_cmpstr (kehu_approval_status_to_string (kehu_approval_get_status (state)), ==, expected)

#define APPROVE KEHU_APPROVAL_ACTION_APPROVE
#define REJECT KEHU_APPROVAL_ACTION_REJECT
#define TRANSFER KEHU_APPROVAL_ACTION_TRANSFER
#define WITHDRAW KEHU_APPROVAL_ACTION_WITHDRAW
#define RESUBMIT KEHU_APPROVAL_ACTION_RESUBMIT

#define SERIAL3 \
  "{\"name\":\"Contract\",\"business_type\":\"contract\",\"steps\":[" \
  "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"},{\"user\":\"dir\"},{\"user\":\"gm\"}]}]}"

/* Validation */

static void
test_validate_good (void)
{
  g_autoptr(JsonNode) flow = parse (
    "{\"name\":\"Big contracts\",\"business_type\":\"contract\",\"restart\":\"rejected_step\","
    " \"copy_to\":[{\"role\":\"finance\"},{\"supervisor\":1}],"
    " \"steps\":["
    "  {\"type\":\"serial\",\"approvers\":[{\"supervisor\":1},{\"supervisor\":2}]},"
    "  {\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"role\":\"legal\"},{\"user\":\"dir\"}]},"
    "  {\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":10000000,"
    "   \"then\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]}]},"
    "  {\"type\":\"condition\",\"field\":\"extra.region\",\"op\":\"in\",\"value\":[\"north\",\"east\"],"
    "   \"then\":[],\"else\":[{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"fin1\"}]}]},"
    "  {\"type\":\"condition\",\"field\":\"extra.note\",\"op\":\"empty\",\"then\":[]}"
    "]}");
  g_autoptr(GError) error = NULL;

  g_assert_true (kehu_approval_flow_validate (flow, &directory, &error));
  g_assert_no_error (error);
  g_assert_true (kehu_approval_flow_validate (flow, NULL, &error));
  g_assert_no_error (error);
}

static const struct {
  const char *json;
  const char *message;
} bad_flows[] = {
  { "[]", "An approval flow must be a JSON object" },
  { "{\"business_type\":\"contract\",\"steps\":[]}", "An approval flow needs a name" },
  { "{\"name\":\"x\",\"business_type\":\"lunch\",\"steps\":[]}",
    "The business type of an approval flow must be contract, payment, invoice, expense, leave or generic" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"restart\":\"somewhere\","
    "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]}]}",
    "“restart” must be first_step or rejected_step" },
  { "{\"name\":\"x\",\"business_type\":\"contract\"}",
    "An approval flow needs at least one step in “steps”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":[]}",
    "An approval flow needs at least one step in “steps”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":[42]}",
    "Step 1 must be a JSON object" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":[{\"approvers\":[{\"user\":\"mgr\"}]}]}",
    "Step 1 needs a type: serial, parallel or condition" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]},{\"type\":\"vote\"}]}",
    "Step 2: unknown step type “vote” (use serial, parallel or condition)" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":[{\"type\":\"serial\"}]}",
    "Step 1: a serial step needs at least one approver in “approvers”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[]}]}",
    "Step 1: a parallel step needs at least one approver in “approvers”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]},"
    "{\"type\":\"parallel\",\"approvers\":[{\"user\":\"mgr\"}]}]}",
    "Step 2: a parallel step needs mode all or any" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"parallel\",\"mode\":\"most\",\"approvers\":[{\"user\":\"mgr\"}]}]}",
    "Step 1: a parallel step needs mode all or any" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"},{\"user\":\"dir\",\"role\":\"legal\"}]}]}",
    "Step 1, approver 2 must name exactly one of user, role or supervisor" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[\"mgr\"]}]}",
    "Step 1, approver 1 must be an object with user, role or supervisor" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"\"}]}]}",
    "Step 1, approver 1: the user must be a non-empty id" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"role\":7}]}]}",
    "Step 1, approver 1: the role must be a non-empty id" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":0}]}]}",
    "Step 1, approver 1: the supervisor level must be a whole number from 1 to 20" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":\"2\"}]}]}",
    "Step 1, approver 1: the supervisor level must be a whole number from 1 to 20" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"nobody\"}]}]}",
    "Step 1, approver 1: there is no user “nobody”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"user\":\"mgr\"},{\"role\":\"astronauts\"}]}]}",
    "Step 1, approver 2: there is no role “astronauts”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"op\":\">\",\"value\":1,\"then\":[]}]}",
    "Step 1: a condition needs the record field it tests in “field”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\"~=\",\"value\":1,\"then\":[]}]}",
    "Step 1: unknown operator “~=” (use >, >=, <, <=, ==, !=, in, empty or not_empty)" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"value\":1,\"then\":[]}]}",
    "Step 1: unknown operator “” (use >, >=, <, <=, ==, !=, in, empty or not_empty)" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">=\",\"value\":[1],\"then\":[]}]}",
    "Step 1: operator “>=” needs a number or a string as value" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\"<\",\"then\":[]}]}",
    "Step 1: operator “<” needs a number or a string as value" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"stage\",\"op\":\"in\",\"value\":\"won\",\"then\":[]}]}",
    "Step 1: operator “in” needs a list as value" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"stage\",\"op\":\"!=\",\"then\":[]}]}",
    "Step 1: operator “!=” needs a value" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":1,"
    "\"else\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]}]}]}",
    "Step 1: a condition needs a list of steps in “then”" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":1,\"then\":[],\"else\":{}}]}",
    "Step 1: “else” must be a list of steps" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]},"
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":1,\"then\":["
    "  {\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]},{\"type\":\"sequence\"}]}]}",
    "Step 2.then.2: unknown step type “sequence” (use serial, parallel or condition)" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":1,\"then\":[],\"else\":["
    "  {\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"supervisor\":-1}]}]}]}",
    "Step 1.else.1, approver 1: the supervisor level must be a whole number from 1 to 20" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"copy_to\":{\"user\":\"fin1\"},"
    "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]}]}",
    "“copy_to” must be a list of approvers" },
  { "{\"name\":\"x\",\"business_type\":\"contract\",\"copy_to\":[{\"user\":\"fin1\"},{\"team\":\"a\"}],"
    "\"steps\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]}]}",
    "Copy-to entry 2 must name exactly one of user, role or supervisor" },
};

static void
test_validate_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_flows); i++)
    {
      g_autoptr(JsonNode) flow = parse (bad_flows[i].json);
      g_autoptr(GError) error = NULL;

      g_test_message ("flow %u: %s", i, bad_flows[i].json);
      g_assert_false (kehu_approval_flow_validate (flow, &directory, &error));
      g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW);
      g_assert_cmpstr (error->message, ==, bad_flows[i].message);
    }
}

static void
test_validate_deep (void)
{
  GString *json = g_string_new ("{\"name\":\"x\",\"business_type\":\"generic\",\"steps\":[");
  g_autoptr(JsonNode) flow = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 20; i++)
    g_string_append (json, "{\"type\":\"condition\",\"field\":\"a\",\"op\":\"empty\",\"then\":[");
  for (int i = 0; i < 20; i++)
    g_string_append (json, "]}");
  g_string_append (json, "]}");

  flow = parse (json->str);
  g_string_free (json, TRUE);
  g_assert_false (kehu_approval_flow_validate (flow, NULL, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW);
  g_assert_true (g_str_has_suffix (error->message, "conditions are nested more than 16 deep"));
}

static void
test_start_invalid (void)
{
  /* start validates too, and refuses a record that is not an object */
  start_fails ("{\"name\":\"x\",\"business_type\":\"contract\",\"steps\":[{\"type\":\"loop\"}]}",
               NULL, "rep", KEHU_APPROVAL_ERROR_INVALID_FLOW,
               "Step 1: unknown step type “loop” (use serial, parallel or condition)");
  start_fails (SERIAL3, "[1,2]", "rep", KEHU_APPROVAL_ERROR_INVALID_RECORD,
               "The record under approval must be a JSON object");
}

/* Step types */

static void
test_serial_order (void)
{
  g_autoptr(JsonNode) state = start_ok (SERIAL3, "{\"amount\":500}", "rep", &directory);

  assert_status (state, "pending");
  assert_waiting (state, "mgr");
  assert_stages (state, "1/0:pending 1/1:pending 1/2:pending");
  g_assert_cmpint (json_object_get_int_member (root (state), "current"), ==, 0);
  g_assert_true (kehu_approval_is_waiting (state, "mgr"));
  g_assert_false (kehu_approval_is_waiting (state, "dir"));

  /* the next approvers may not jump the queue */
  act_fails (SERIAL3, state, "dir", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);
  act_fails (SERIAL3, state, "gm", REJECT, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);
  act_fails (SERIAL3, state, "rep", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);

  act_ok (SERIAL3, NULL, &state, "mgr", APPROVE, "fine", NULL, 1);
  assert_waiting (state, "dir");
  g_assert_cmpint (json_object_get_int_member (root (state), "current"), ==, 1);
  act_fails (SERIAL3, state, "mgr", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);

  act_ok (SERIAL3, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  assert_waiting (state, "gm");
  act_ok (SERIAL3, NULL, &state, "gm", APPROVE, "go", NULL, 3);

  assert_status (state, "approved");
  assert_waiting_none (state);
  g_assert_cmpint (json_object_get_int_member (root (state), "current"), ==, 3);
  assert_stages (state, "1/0:approved 1/1:approved 1/2:approved");
  assert_history (state, "submit:rep approve:mgr approve:dir approve:gm");
}

static void
test_serial_supervisors (void)
{
  const char *flow =
    "{\"name\":\"Chain\",\"business_type\":\"payment\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1},{\"supervisor\":2},{\"supervisor\":3}]}]}";
  g_autoptr(JsonNode) state = start_ok (flow, NULL, "rep", &directory);

  assert_waiting (state, "mgr");
  act_ok (flow, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  assert_waiting (state, "dir");
  act_ok (flow, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  assert_waiting (state, "gm");
  act_ok (flow, NULL, &state, "gm", APPROVE, NULL, NULL, 3);
  assert_status (state, "approved");
}

static void
test_supervisor_missing_level (void)
{
  const char *five =
    "{\"name\":\"Far\",\"business_type\":\"generic\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":5}]}]}";
  const char *three =
    "{\"name\":\"Far\",\"business_type\":\"generic\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":3}]}]}";
  const char *one =
    "{\"name\":\"Near\",\"business_type\":\"generic\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}]}";
  g_autoptr(JsonNode) rep_state = start_ok (five, NULL, "rep", &directory);
  g_autoptr(JsonNode) mgr_state = start_ok (three, NULL, "mgr", &directory);
  g_autoptr(JsonNode) gm_state = start_ok (one, NULL, "gm", &directory);
  g_autoptr(JsonNode) flow = parse (one);
  g_autoptr(GDateTime) now = at_minute (0);
  g_autoptr(GError) error = NULL;
  JsonNode *state = NULL;

  /* rep has three levels above: the highest one, gm, stands in for level 5 */
  assert_waiting (rep_state, "gm");
  /* mgr has two (dir, gm): level 3 falls back to gm */
  assert_waiting (mgr_state, "gm");
  /* gm has no supervisor: the directory's administrator */
  assert_waiting (gm_state, "admin");

  /* without an administrator, nobody: a clear error at submission */
  g_assert_false (kehu_approval_start (flow, NULL, "gm", &bare_directory, now, &state, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NO_APPROVERS);
  g_assert_cmpstr (error->message, ==,
                   "Step 1 has no approver: every approver it names is disabled, unknown or missing");
  g_assert_null (state);
}

static void
test_supervisor_disabled (void)
{
  const char *flow =
    "{\"name\":\"Up\",\"business_type\":\"expense\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1},{\"supervisor\":2}]}]}";
  g_autoptr(JsonNode) state = start_ok (flow, NULL, "rep2", &directory);

  /* rep2's supervisor oldmgr is disabled: the walk goes on up to dir;
   * level 2 is dir itself (oldmgr → dir), so dir waits at both stages */
  assert_waiting (state, "dir");
  act_ok (flow, NULL, &state, "dir", APPROVE, NULL, NULL, 1);
  assert_waiting (state, "dir");
  assert_stages (state, "1/0:approved 1/1:pending");
  act_ok (flow, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  assert_status (state, "approved");
}

#define PARALLEL_ALL \
  "{\"name\":\"Both\",\"business_type\":\"contract\",\"steps\":[" \
  "{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"mgr\"},{\"role\":\"legal\"}]}," \
  "{\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]}]}"

static void
test_parallel_all (void)
{
  g_autoptr(JsonNode) state = start_ok (PARALLEL_ALL, NULL, "rep", &directory);
  JsonObject *slot;

  assert_waiting (state, "mgr", "law1", "law2");
  assert_stages (state, "1:pending 2/0:pending");

  /* one holder acts for the role: law1 no longer waits after law2 */
  act_ok (PARALLEL_ALL, NULL, &state, "law2", APPROVE, "clauses ok", NULL, 1);
  assert_waiting (state, "mgr");
  act_fails (PARALLEL_ALL, state, "law1", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);
  assert_status (state, "pending");

  act_ok (PARALLEL_ALL, NULL, &state, "mgr", APPROVE, NULL, NULL, 2);
  assert_waiting (state, "gm");
  assert_stages (state, "1:approved 2/0:pending");

  slot = json_array_get_object_element (json_object_get_array_member (stage_at (state, 0), "slots"), 1);
  g_assert_cmpstr (json_object_get_string_member (slot, "decision"), ==, "approve");
  g_assert_cmpstr (json_object_get_string_member (slot, "by"), ==, "law2");
  g_assert_cmpstr (json_object_get_string_member (slot, "at"), ==, "2026-11-22T09:01:00Z");
  g_assert_cmpstr (json_object_get_string_member (slot, "comment"), ==, "clauses ok");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (slot, "approver"), "role"),
                   ==, "legal");

  act_ok (PARALLEL_ALL, NULL, &state, "gm", APPROVE, NULL, NULL, 3);
  assert_status (state, "approved");
  assert_history (state, "submit:rep approve:law2 approve:mgr approve:gm");
}

static void
test_parallel_all_reject (void)
{
  g_autoptr(JsonNode) state = start_ok (PARALLEL_ALL, NULL, "rep", &directory);

  act_ok (PARALLEL_ALL, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (PARALLEL_ALL, NULL, &state, "law1", REJECT, "missing clause 7", NULL, 2);

  assert_status (state, "rejected");
  assert_waiting_none (state);
  assert_stages (state, "1:rejected 2/0:pending");
  g_assert_cmpstr (json_object_get_string_member (root (state), "resume_from"), ==, "1");
  act_fails (PARALLEL_ALL, state, "law2", APPROVE, NULL, KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (PARALLEL_ALL, state, "gm", APPROVE, NULL, KEHU_APPROVAL_ERROR_DECIDED);
}

#define PARALLEL_ANY \
  "{\"name\":\"Either\",\"business_type\":\"invoice\",\"steps\":[" \
  "{\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"user\":\"mgr\"},{\"user\":\"dir\"}]}," \
  "{\"type\":\"serial\",\"approvers\":[{\"role\":\"finance\"}]}]}"

static void
test_parallel_any (void)
{
  g_autoptr(JsonNode) state = start_ok (PARALLEL_ANY, NULL, "rep", &directory);

  assert_waiting (state, "mgr", "dir");
  act_ok (PARALLEL_ANY, NULL, &state, "dir", APPROVE, NULL, NULL, 1);

  /* one approval passed the step; fin3 is disabled and does not wait */
  assert_waiting (state, "fin1", "fin2");
  assert_stages (state, "1:approved 2/0:pending");
  act_fails (PARALLEL_ANY, state, "mgr", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);
  act_fails (PARALLEL_ANY, state, "fin3", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);

  act_ok (PARALLEL_ANY, NULL, &state, "fin2", APPROVE, NULL, NULL, 2);
  assert_status (state, "approved");
}

static void
test_parallel_any_reject (void)
{
  g_autoptr(JsonNode) state = start_ok (PARALLEL_ANY, NULL, "rep", &directory);

  /* the first decision decides: a rejection rejects, mgr cannot save it */
  act_ok (PARALLEL_ANY, NULL, &state, "mgr", REJECT, "too cheap", NULL, 1);
  assert_status (state, "rejected");
  assert_waiting_none (state);
  act_fails (PARALLEL_ANY, state, "dir", APPROVE, NULL, KEHU_APPROVAL_ERROR_DECIDED);
}

static void
test_same_user_in_two_slots (void)
{
  const char *flow =
    "{\"name\":\"Twice\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"mgr\"},{\"supervisor\":1},{\"user\":\"dir\"}]}]}";
  g_autoptr(JsonNode) state = start_ok (flow, NULL, "rep", &directory);

  assert_waiting (state, "mgr", "dir");
  act_ok (flow, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  /* mgr decided both slots named after them */
  assert_waiting (state, "dir");
  act_ok (flow, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  assert_status (state, "approved");
}

/* Conditions */

#define AMOUNT_FLOW \
  "{\"name\":\"Contract\",\"business_type\":\"contract\",\"steps\":[" \
  "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]}," \
  "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":10000000," \
  " \"then\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]}]," \
  " \"else\":[{\"type\":\"serial\",\"approvers\":[{\"supervisor\":2}]}]}]}"

static void
test_condition_amount (void)
{
  g_autoptr(JsonNode) big = start_ok (AMOUNT_FLOW, "{\"amount\":12000000}", "rep", &directory);
  g_autoptr(JsonNode) edge = start_ok (AMOUNT_FLOW, "{\"amount\":10000000}", "rep", &directory);
  g_autoptr(JsonNode) none = start_ok (AMOUNT_FLOW, "{}", "rep", &directory);

  /* 120 000.00 yuan > 100 000.00: the general manager after the manager */
  assert_stages (big, "1/0:pending 2.then.1/0:pending");
  act_ok (AMOUNT_FLOW, NULL, &big, "mgr", APPROVE, NULL, NULL, 1);
  assert_waiting (big, "gm");

  /* exactly 100 000.00 is not more: the else branch, the director */
  assert_stages (edge, "1/0:pending 2.else.1/0:pending");
  act_ok (AMOUNT_FLOW, NULL, &edge, "mgr", APPROVE, NULL, NULL, 1);
  assert_waiting (edge, "dir");

  /* no amount: a comparison with a missing field is false */
  assert_stages (none, "1/0:pending 2.else.1/0:pending");
}

/* A flow whose condition sends the record to gm (then) or dir (else). */
static char *
condition_flow (const char *field,
                const char *op,
                const char *value)
{
  return g_strdup_printf (
    "{\"name\":\"c\",\"business_type\":\"generic\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"%s\",\"op\":\"%s\"%s%s,"
    " \"then\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]}],"
    " \"else\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"dir\"}]}]}]}",
    field, op, value != NULL ? ",\"value\":" : "", value != NULL ? value : "");
}

static const struct {
  const char *record;
  const char *field;
  const char *op;
  const char *value;
  gboolean    holds;
} conditions[] = {
  { "{\"amount\":5}", "amount", ">", "4", TRUE },
  { "{\"amount\":5}", "amount", ">", "5", FALSE },
  { "{\"amount\":5}", "amount", ">=", "5", TRUE },
  { "{\"amount\":5}", "amount", "<", "5", FALSE },
  { "{\"amount\":5}", "amount", "<=", "5", TRUE },
  { "{\"amount\":5}", "amount", "<", "5.5", TRUE },
  { "{\"amount\":5}", "amount", "==", "5.0", TRUE },
  { "{\"amount\":5}", "amount", "==", "\"5\"", FALSE },
  { "{\"amount\":5}", "amount", "!=", "6", TRUE },
  { "{\"amount\":\"9\"}", "amount", ">", "10", FALSE },
  { "{\"sign_date\":\"2026-12-01\"}", "sign_date", ">=", "\"2026-11-30\"", TRUE },
  { "{\"sign_date\":\"2026-11-01\"}", "sign_date", ">=", "\"2026-11-30\"", FALSE },
  { "{\"stage\":\"won\"}", "stage", "==", "\"won\"", TRUE },
  { "{\"stage\":\"won\"}", "stage", "!=", "\"won\"", FALSE },
  { "{\"stage\":null}", "stage", "==", "null", TRUE },
  { "{}", "stage", "==", "null", TRUE },
  { "{}", "stage", "!=", "\"won\"", TRUE },
  { "{\"urgent\":true}", "urgent", "==", "true", TRUE },
  { "{\"stage\":\"won\"}", "stage", "in", "[\"lost\",\"won\"]", TRUE },
  { "{\"stage\":\"open\"}", "stage", "in", "[\"lost\",\"won\"]", FALSE },
  { "{\"stage\":\"open\"}", "stage", "in", "[]", FALSE },
  /* custom fields live in extra, as an object or as stored text */
  { "{\"extra\":{\"region\":\"north\"}}", "extra.region", "==", "\"north\"", TRUE },
  { "{\"extra\":{\"region\":\"south\"}}", "extra.region", "==", "\"north\"", FALSE },
  { "{\"extra\":\"{\\\"region\\\":\\\"north\\\"}\"}", "extra.region", "==", "\"north\"", TRUE },
  { "{\"extra\":{\"region\":\"north\"}}", "extra.region", "in", "[\"east\",\"north\"]", TRUE },
  { "{\"extra\":{\"tags\":[\"vip\",\"gov\"]}}", "extra.tags", "in", "[\"gov\"]", TRUE },
  { "{\"extra\":{\"tags\":[\"vip\"]}}", "extra.tags", "in", "[\"gov\"]", FALSE },
  { "{\"extra\":{\"budget\":300}}", "extra.budget", ">", "200", TRUE },
  { "{\"extra\":{}}", "extra.budget", ">", "200", FALSE },
  { "{\"extra\":\"not json\"}", "extra.region", "empty", NULL, TRUE },
  { "{}", "extra.region", "empty", NULL, TRUE },
  { "{\"extra\":{\"region\":\"\"}}", "extra.region", "empty", NULL, TRUE },
  { "{\"extra\":{\"region\":[]}}", "extra.region", "empty", NULL, TRUE },
  { "{\"extra\":{\"region\":{}}}", "extra.region", "empty", NULL, TRUE },
  { "{\"extra\":{\"region\":0}}", "extra.region", "empty", NULL, FALSE },
  { "{\"extra\":{\"region\":\"west\"}}", "extra.region", "not_empty", NULL, TRUE },
  { "{\"extra\":{\"region\":null}}", "extra.region", "not_empty", NULL, FALSE },
};

static void
test_condition_operators (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      g_autofree char *flow = condition_flow (conditions[i].field, conditions[i].op, conditions[i].value);
      g_autoptr(JsonNode) state = NULL;

      g_test_message ("condition %u: %s %s %s on %s", i, conditions[i].field, conditions[i].op,
                      conditions[i].value ? conditions[i].value : "", conditions[i].record);
      state = start_ok (flow, conditions[i].record, "rep", &directory);
      if (conditions[i].holds)
        assert_waiting (state, "gm");
      else
        assert_waiting (state, "dir");
    }
}

static void
test_condition_nested (void)
{
  const char *flow =
    "{\"name\":\"Regions\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"extra.region\",\"op\":\"==\",\"value\":\"north\",\"then\":["
    "  {\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]},"
    "  {\"type\":\"condition\",\"field\":\"amount\",\"op\":\">=\",\"value\":100,\"then\":["
    "    {\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"dir\"},{\"role\":\"legal\"}]}]}"
    "]}]}";
  g_autoptr(JsonNode) state = start_ok (flow, "{\"amount\":100,\"extra\":{\"region\":\"north\"}}",
                                        "rep", &directory);

  assert_stages (state, "1.then.1/0:pending 1.then.2.then.1:pending");
}

static void
test_condition_empty_branch (void)
{
  const char *flow =
    "{\"name\":\"Small needs none\",\"business_type\":\"payment\",\"steps\":["
    "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":100,"
    " \"then\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]}]}]}";

  /* nothing to approve for this record is an error, not a silent pass */
  start_fails (flow, "{\"amount\":50}", "rep", KEHU_APPROVAL_ERROR_NO_APPROVERS,
               "The approval flow has no step for this record");
}

/* The submitter and disabled users */

static void
test_submitter_skipped (void)
{
  const char *serial = SERIAL3;
  const char *any =
    "{\"name\":\"Either\",\"business_type\":\"invoice\",\"steps\":["
    "{\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"user\":\"mgr\"},{\"user\":\"dir\"}]}]}";
  const char *self =
    "{\"name\":\"Self\",\"business_type\":\"leave\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]},"
    "{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"mgr\"}]}]}";
  const char *role =
    "{\"name\":\"Legal\",\"business_type\":\"contract\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"role\":\"legal\"}]}]}";
  g_autoptr(JsonNode) s1 = start_ok (serial, NULL, "mgr", &directory);
  g_autoptr(JsonNode) s2 = start_ok (any, NULL, "mgr", &directory);
  g_autoptr(JsonNode) s3 = start_ok (self, NULL, "mgr", &directory);
  g_autoptr(JsonNode) s4 = start_ok (role, NULL, "law1", &directory);

  /* mgr's own stage passes with a note; dir waits */
  assert_waiting (s1, "dir");
  assert_stages (s1, "1/0:skipped 1/1:pending 1/2:pending");
  g_assert_cmpstr (json_object_get_string_member (stage_at (s1, 0), "reason"), ==, "submitter");
  assert_history (s1, "submit:mgr skip:-(submitter)");
  act_fails (serial, s1, "mgr", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);

  /* "any" does not let the submitter's own vote decide: dir must */
  assert_waiting (s2, "dir");

  /* every stage was the submitter's: approved at submission */
  assert_status (s3, "approved");
  assert_waiting_none (s3);
  assert_stages (s3, "1/0:skipped 2:skipped");
  assert_history (s3, "submit:mgr skip:-(submitter) skip:-(submitter)");

  /* a role holder submitting: the other holder decides */
  assert_waiting (s4, "law2");
}

static void
test_disabled_skipped (void)
{
  const char *serial =
    "{\"name\":\"x\",\"business_type\":\"generic\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"user\":\"gone\"},{\"user\":\"mgr\"}]},"
    "{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"fin3\"},{\"user\":\"dir\"}]}]}";
  g_autoptr(JsonNode) state = start_ok (serial, NULL, "rep", &directory);

  assert_stages (state, "1/0:skipped 1/1:pending 2:pending");
  g_assert_cmpstr (json_object_get_string_member (stage_at (state, 0), "reason"), ==, "unavailable");
  assert_waiting (state, "mgr");
  act_ok (serial, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  assert_waiting (state, "dir");
  act_ok (serial, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  assert_status (state, "approved");
  assert_history (state, "submit:rep skip:-(unavailable) approve:mgr approve:dir");
}

static void
test_no_approvers (void)
{
  start_fails ("{\"name\":\"x\",\"business_type\":\"generic\",\"steps\":["
               "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]},"
               "{\"type\":\"serial\",\"approvers\":[{\"user\":\"gone\"}]}]}",
               NULL, "rep", KEHU_APPROVAL_ERROR_NO_APPROVERS,
               "Step 2 has no approver: every approver it names is disabled, unknown or missing");
  start_fails ("{\"name\":\"x\",\"business_type\":\"generic\",\"steps\":["
               "{\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"role\":\"vacant\"},{\"role\":\"ghosts\"}]}]}",
               NULL, "rep", KEHU_APPROVAL_ERROR_NO_APPROVERS,
               "Step 1 has no approver: every approver it names is disabled, unknown or missing");
  start_fails ("{\"name\":\"x\",\"business_type\":\"generic\",\"steps\":["
               "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":0,\"then\":["
               "  {\"type\":\"serial\",\"approvers\":[{\"user\":\"ghost-not-in-directory\"}]}]}]}",
               "{\"amount\":1}", "rep", KEHU_APPROVAL_ERROR_NO_APPROVERS,
               "Step 1.then.1 has no approver: every approver it names is disabled, unknown or missing");
}

/* Transfer */

static void
test_transfer (void)
{
  g_autoptr(JsonNode) state = start_ok (SERIAL3, NULL, "rep", &directory);
  JsonArray *history;
  JsonObject *entry;

  act_ok (SERIAL3, NULL, &state, "mgr", TRANSFER, "on leave, fin1 knows", "fin1", 1);
  assert_waiting (state, "fin1");
  act_fails (SERIAL3, state, "mgr", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);

  /* transferred twice */
  act_ok (SERIAL3, NULL, &state, "fin1", TRANSFER, NULL, "law1", 2);
  assert_waiting (state, "law1");
  act_ok (SERIAL3, NULL, &state, "law1", APPROVE, NULL, NULL, 3);
  assert_waiting (state, "dir");

  assert_history (state, "submit:rep transfer:mgr>fin1 transfer:fin1>law1 approve:law1");
  history = json_object_get_array_member (root (state), "history");
  entry = json_array_get_object_element (history, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "comment"), ==, "on leave, fin1 knows");
  g_assert_cmpstr (json_object_get_string_member (entry, "at"), ==, "2026-11-22T09:01:00Z");
  g_assert_cmpstr (json_object_get_string_member (entry, "stage"), ==, "1/0");
}

static void
test_transfer_role_and_refusals (void)
{
  g_autoptr(JsonNode) state = start_ok (PARALLEL_ALL, NULL, "rep", &directory);

  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, NULL, KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, "", KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, "law1", KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, "rep", KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, "gone", KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, "nobody", KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "law1", TRANSFER, "mgr", KEHU_APPROVAL_ERROR_INVALID_TARGET);
  act_fails (PARALLEL_ALL, state, "gm", TRANSFER, "fin1", KEHU_APPROVAL_ERROR_NOT_WAITING);

  /* the role's slot goes to fin1 as a whole: law2 no longer waits */
  act_ok (PARALLEL_ALL, NULL, &state, "law1", TRANSFER, NULL, "fin1", 1);
  assert_waiting (state, "mgr", "fin1");
  act_fails (PARALLEL_ALL, state, "law2", APPROVE, NULL, KEHU_APPROVAL_ERROR_NOT_WAITING);
}

/* Withdraw, resubmit, decided instances */

static void
test_withdraw (void)
{
  g_autoptr(JsonNode) state = start_ok (SERIAL3, NULL, "rep", &directory);

  act_ok (SERIAL3, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_fails (SERIAL3, state, "dir", WITHDRAW, NULL, KEHU_APPROVAL_ERROR_NOT_SUBMITTER);
  act_fails (SERIAL3, state, "mgr", WITHDRAW, NULL, KEHU_APPROVAL_ERROR_NOT_SUBMITTER);

  act_ok (SERIAL3, NULL, &state, "rep", WITHDRAW, "wrong customer", NULL, 2);
  assert_status (state, "withdrawn");
  assert_waiting_none (state);
  assert_stages (state, "1/0:approved 1/1:withdrawn 1/2:pending");
  g_assert_cmpstr (json_object_get_string_member (root (state), "resume_from"), ==, "1/1");

  act_fails (SERIAL3, state, "dir", APPROVE, NULL, KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (SERIAL3, state, "dir", TRANSFER, "gm", KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (SERIAL3, state, "rep", WITHDRAW, NULL, KEHU_APPROVAL_ERROR_DECIDED);

  /* first_step (the default): everything waits again */
  act_ok (SERIAL3, NULL, &state, "rep", RESUBMIT, "right customer now", NULL, 3);
  assert_status (state, "pending");
  assert_waiting (state, "mgr");
  assert_stages (state, "1/0:pending 1/1:pending 1/2:pending");
  g_assert_cmpint (json_object_get_int_member (root (state), "round"), ==, 2);
  g_assert_true (json_object_get_null_member (root (state), "resume_from"));
  assert_history (state, "submit:rep approve:mgr withdraw:rep resubmit:rep");
}

#define RESTART_AT_REJECTED \
  "{\"name\":\"Contract\",\"business_type\":\"contract\",\"restart\":\"rejected_step\"," \
  " \"steps\":[" \
  "{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"},{\"user\":\"dir\"}]}," \
  "{\"type\":\"condition\",\"field\":\"amount\",\"op\":\">\",\"value\":10000000," \
  " \"then\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"gm\"}]}]}," \
  "{\"type\":\"parallel\",\"mode\":\"all\",\"approvers\":[{\"user\":\"fin1\"},{\"role\":\"legal\"}]}]}"

static void
test_resubmit_first_step (void)
{
  g_autoptr(JsonNode) state = start_ok (SERIAL3, NULL, "rep", &directory);

  act_ok (SERIAL3, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (SERIAL3, NULL, &state, "dir", REJECT, "price too low", NULL, 2);
  assert_status (state, "rejected");
  assert_stages (state, "1/0:approved 1/1:rejected 1/2:pending");

  act_fails (SERIAL3, state, "mgr", RESUBMIT, NULL, KEHU_APPROVAL_ERROR_NOT_SUBMITTER);
  act_ok (SERIAL3, "{\"amount\":1}", &state, "rep", RESUBMIT, "price raised", NULL, 3);
  assert_waiting (state, "mgr");
  assert_stages (state, "1/0:pending 1/1:pending 1/2:pending");
}

static void
test_resubmit_rejected_step (void)
{
  const char *small = "{\"amount\":500000}";
  g_autoptr(JsonNode) state = start_ok (RESTART_AT_REJECTED, small, "rep", &directory);

  assert_stages (state, "1/0:pending 1/1:pending 3:pending");
  act_ok (RESTART_AT_REJECTED, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "fin1", APPROVE, NULL, NULL, 3);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "law2", REJECT, "clause 7", NULL, 4);
  assert_stages (state, "1/0:approved 1/1:approved 3:rejected");

  /* resumes at the rejecting step, which waits afresh (fin1 too) */
  act_ok (RESTART_AT_REJECTED, small, &state, "rep", RESUBMIT, NULL, NULL, 5);
  assert_status (state, "pending");
  assert_stages (state, "1/0:approved 1/1:approved 3:pending");
  assert_waiting (state, "fin1", "law1", "law2");
  g_assert_cmpint (json_object_get_int_member (root (state), "current"), ==, 2);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "fin1", APPROVE, NULL, NULL, 6);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "law1", APPROVE, NULL, NULL, 7);
  assert_status (state, "approved");
  assert_history (state,
                  "submit:rep approve:mgr approve:dir approve:fin1 reject:law2 "
                  "resubmit:rep approve:fin1 approve:law1");
}

static void
test_resubmit_rejected_step_record_changed (void)
{
  g_autoptr(JsonNode) state = start_ok (RESTART_AT_REJECTED, "{\"amount\":500000}", "rep", &directory);

  act_ok (RESTART_AT_REJECTED, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "dir", REJECT, "sell more", NULL, 2);

  /* the edited record now needs the general manager as well: the first
   * stage not approved before is the director's */
  act_ok (RESTART_AT_REJECTED, "{\"amount\":20000000}", &state, "rep", RESUBMIT, NULL, NULL, 3);
  assert_stages (state, "1/0:approved 1/1:pending 2.then.1/0:pending 3:pending");
  assert_waiting (state, "dir");
  act_ok (RESTART_AT_REJECTED, NULL, &state, "dir", APPROVE, NULL, NULL, 4);
  assert_waiting (state, "gm");
}

static void
test_resubmit_rejected_step_after_withdraw (void)
{
  g_autoptr(JsonNode) state = start_ok (RESTART_AT_REJECTED, "{\"amount\":1}", "rep", &directory);

  act_ok (RESTART_AT_REJECTED, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  act_ok (RESTART_AT_REJECTED, NULL, &state, "law1", APPROVE, NULL, NULL, 3);
  /* withdrawn after a partial approval of the parallel step */
  act_ok (RESTART_AT_REJECTED, NULL, &state, "rep", WITHDRAW, NULL, NULL, 4);
  assert_status (state, "withdrawn");
  assert_stages (state, "1/0:approved 1/1:approved 3:withdrawn");

  act_ok (RESTART_AT_REJECTED, "{\"amount\":1}", &state, "rep", RESUBMIT, NULL, NULL, 5);
  assert_waiting (state, "fin1", "law1", "law2");
}

static void
test_resubmit_refused (void)
{
  g_autoptr(JsonNode) state = start_ok (SERIAL3, NULL, "rep", &directory);
  g_autoptr(JsonNode) done = start_ok (SERIAL3, NULL, "rep", &directory);
  g_autoptr(JsonNode) flow = NULL;
  g_autoptr(GDateTime) now = at_minute (9);
  g_autoptr(GError) error = NULL;
  JsonNode *new_state = NULL;

  act_fails (SERIAL3, state, "rep", RESUBMIT, NULL, KEHU_APPROVAL_ERROR_STILL_PENDING);

  act_ok (SERIAL3, NULL, &done, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (SERIAL3, NULL, &done, "dir", APPROVE, NULL, NULL, 2);
  act_ok (SERIAL3, NULL, &done, "gm", APPROVE, NULL, NULL, 3);
  act_fails (SERIAL3, done, "rep", RESUBMIT, NULL, KEHU_APPROVAL_ERROR_DECIDED);

  /* a resubmit needs the flow */
  act_ok (SERIAL3, NULL, &state, "mgr", REJECT, NULL, NULL, 4);
  g_assert_false (kehu_approval_act (NULL, NULL, state, "rep", RESUBMIT, NULL, NULL, now,
                                     &directory, &new_state, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_INVALID_FLOW);
  g_assert_null (new_state);
  g_clear_error (&error);

  /* the organisation changed meanwhile: nobody left for step 1 */
  flow = parse ("{\"name\":\"x\",\"business_type\":\"generic\",\"steps\":["
                "{\"type\":\"serial\",\"approvers\":[{\"user\":\"gone\"}]}]}");
  g_assert_false (kehu_approval_act (flow, NULL, state, "rep", RESUBMIT, NULL, NULL, now,
                                     &directory, &new_state, &error));
  g_assert_error (error, KEHU_APPROVAL_ERROR, KEHU_APPROVAL_ERROR_NO_APPROVERS);
  g_assert_null (new_state);
}

static void
test_decided (void)
{
  g_autoptr(JsonNode) state = start_ok (SERIAL3, NULL, "rep", &directory);

  act_ok (SERIAL3, NULL, &state, "mgr", APPROVE, NULL, NULL, 1);
  act_ok (SERIAL3, NULL, &state, "dir", APPROVE, NULL, NULL, 2);
  act_ok (SERIAL3, NULL, &state, "gm", APPROVE, NULL, NULL, 3);

  act_fails (SERIAL3, state, "gm", APPROVE, NULL, KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (SERIAL3, state, "gm", REJECT, NULL, KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (SERIAL3, state, "gm", TRANSFER, "dir", KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (SERIAL3, state, "rep", WITHDRAW, NULL, KEHU_APPROVAL_ERROR_DECIDED);
  act_fails (SERIAL3, state, "fin1", APPROVE, NULL, KEHU_APPROVAL_ERROR_DECIDED);
}

/* Copy-to, state, history */

static void
test_copy_to (void)
{
  const char *flow =
    "{\"name\":\"Pay\",\"business_type\":\"payment\","
    " \"copy_to\":[{\"role\":\"finance\"},{\"supervisor\":1},{\"user\":\"rep\"},"
    "              {\"user\":\"gone\"},{\"user\":\"fin2\"}],"
    " \"steps\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"dir\"}]}]}";
  const char *no_copy = SERIAL3;
  g_autoptr(JsonNode) state = start_ok (flow, NULL, "rep", &directory);
  g_autoptr(JsonNode) plain = start_ok (no_copy, NULL, "rep", &directory);

  /* finance without the disabled fin3, rep's supervisor; not the
   * submitter, not a disabled user, nobody twice */
  assert_list (kehu_approval_get_copy_to (state), (const char *[]) { "fin1", "fin2", "mgr", NULL });
  assert_list (kehu_approval_get_copy_to (plain), (const char *[]) { NULL });
}

static void
test_state_round_trip (void)
{
  g_autoptr(JsonNode) state = start_ok (PARALLEL_ALL, NULL, "rep", &directory);
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr(JsonNode) parsed = NULL;

  act_ok (PARALLEL_ALL, NULL, &state, "law1", APPROVE, "ok 法务", NULL, 1);

  /* stored as text, read back, continued */
  text = json_to_string (state, FALSE);
  parsed = parse (text);
  again = json_to_string (parsed, FALSE);
  g_assert_cmpstr (text, ==, again);

  assert_waiting (parsed, "mgr");
  act_ok (PARALLEL_ALL, NULL, &parsed, "mgr", APPROVE, NULL, NULL, 2);
  assert_waiting (parsed, "gm");
  act_ok (PARALLEL_ALL, NULL, &parsed, "gm", APPROVE, NULL, NULL, 3);
  assert_status (parsed, "approved");
  assert_history (parsed, "submit:rep approve:law1 approve:mgr approve:gm");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (root (parsed), "history"), 1),
                     "comment"), ==, "ok 法务");
}

static void
test_state_exact (void)
{
  const char *flow =
    "{\"name\":\"One\",\"business_type\":\"generic\",\"copy_to\":[{\"user\":\"fin1\"}],"
    " \"steps\":[{\"type\":\"serial\",\"approvers\":[{\"user\":\"mgr\"}]}]}";
  g_autoptr(JsonNode) state = start_ok (flow, NULL, "rep", &directory);
  g_autofree char *text = NULL;

  act_ok (flow, NULL, &state, "mgr", APPROVE, "ok", NULL, 5);
  text = json_to_string (state, FALSE);
  g_assert_cmpstr (text, ==,
    "{\"version\":1,\"status\":\"approved\",\"submitter\":\"rep\",\"round\":1,\"current\":1,"
    "\"waiting\":[],\"copy_to\":[\"fin1\"],\"resume_from\":null,"
    "\"stages\":[{\"key\":\"1/0\",\"mode\":\"all\",\"status\":\"approved\","
    "\"slots\":[{\"approver\":{\"user\":\"mgr\"},\"users\":[\"mgr\"],\"decision\":\"approve\","
    "\"by\":\"mgr\",\"at\":\"2026-11-22T09:05:00Z\",\"comment\":\"ok\"}]}],"
    "\"history\":["
    "{\"round\":1,\"at\":\"2026-11-22T09:00:00Z\",\"actor\":\"rep\",\"action\":\"submit\",\"comment\":null,\"stage\":null},"
    "{\"round\":1,\"at\":\"2026-11-22T09:05:00Z\",\"actor\":\"mgr\",\"action\":\"approve\",\"comment\":\"ok\",\"stage\":\"1/0\"}]}");
}

static void
test_time_in_utc (void)
{
  g_autoptr(JsonNode) flow = parse (SERIAL3);
  g_autoptr(GTimeZone) beijing = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) now = g_date_time_new (beijing, 2026, 11, 22, 17, 30, 0);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *entry;

  g_assert_true (kehu_approval_start (flow, NULL, "rep", &directory, now, &state, &error));
  g_assert_no_error (error);
  entry = json_array_get_object_element (json_object_get_array_member (root (state), "history"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "at"), ==, "2026-11-22T09:30:00Z");
}

static void
test_state_damaged (void)
{
  const char *damaged[] = {
    "[]",
    "{}",
    "{\"version\":2,\"status\":\"pending\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[],\"history\":[]}",
    "{\"version\":1,\"status\":\"lost\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[],\"history\":[]}",
    "{\"version\":1,\"status\":\"pending\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[],\"history\":[]}",
    "{\"version\":1,\"status\":\"pending\",\"submitter\":\"rep\",\"round\":1,\"current\":3,"
    "\"copy_to\":[],\"stages\":[{\"key\":\"1\",\"mode\":\"all\",\"status\":\"pending\",\"slots\":[]}],"
    "\"history\":[]}",
    "{\"version\":1,\"status\":\"pending\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[{\"key\":\"1\",\"mode\":\"some\",\"status\":\"pending\",\"slots\":[]}],"
    "\"history\":[]}",
    "{\"version\":1,\"status\":\"pending\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[{\"key\":\"1\",\"mode\":\"all\",\"status\":\"pending\","
    "\"slots\":[{\"approver\":{\"user\":\"mgr\"},\"users\":[3]}]}],\"history\":[]}",
    "{\"version\":1,\"status\":\"pending\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[{\"key\":\"1\",\"mode\":\"all\",\"status\":\"pending\","
    "\"slots\":[{\"approver\":{\"user\":\"mgr\"},\"users\":[\"mgr\"],\"decision\":\"maybe\"}]}],\"history\":[]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr(JsonNode) state = parse (damaged[i]);

      g_test_message ("state %u: %s", i, damaged[i]);
      act_fails (SERIAL3, state, "mgr", APPROVE, NULL, KEHU_APPROVAL_ERROR_INVALID_STATE);
    }
}

static void
test_draft (void)
{
  g_autoptr(JsonNode) state = parse (
    "{\"version\":1,\"status\":\"draft\",\"submitter\":\"rep\",\"round\":1,\"current\":0,"
    "\"copy_to\":[],\"stages\":[],\"history\":[]}");

  act_fails (SERIAL3, state, "mgr", APPROVE, NULL, KEHU_APPROVAL_ERROR_INVALID_STATE);
  g_assert_cmpint (kehu_approval_get_status (state), ==, KEHU_APPROVAL_STATUS_DRAFT);
  g_assert_cmpint (kehu_approval_get_status (NULL), ==, KEHU_APPROVAL_STATUS_DRAFT);
  assert_waiting_none (state);
}

static void
test_input_untouched (void)
{
  g_autoptr(JsonNode) flow = parse (SERIAL3);
  g_autoptr(JsonNode) state = start_ok (SERIAL3, NULL, "rep", &directory);
  g_autoptr(JsonNode) next = NULL;
  g_autoptr(GDateTime) now = at_minute (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = json_to_string (state, FALSE);
  g_autofree char *after = NULL;

  g_assert_true (kehu_approval_act (flow, NULL, state, "mgr", APPROVE, "ok", NULL, now,
                                    &directory, &next, &error));
  g_assert_no_error (error);
  after = json_to_string (state, FALSE);
  g_assert_cmpstr (before, ==, after);
  assert_waiting (state, "mgr");
  assert_waiting (next, "dir");

  /* an action the engine does not know */
  act_fails (SERIAL3, state, "mgr", (KehuApprovalAction) 99, NULL, KEHU_APPROVAL_ERROR_INVALID_ACTION);
}

static void
test_names (void)
{
  KehuApprovalAction action;
  KehuApprovalStatus status;

  g_assert_true (kehu_approval_action_from_string ("transfer", &action));
  g_assert_cmpint (action, ==, KEHU_APPROVAL_ACTION_TRANSFER);
  g_assert_false (kehu_approval_action_from_string ("veto", &action));
  g_assert_cmpstr (kehu_approval_action_to_string (KEHU_APPROVAL_ACTION_RESUBMIT), ==, "resubmit");
  g_assert_true (kehu_approval_status_from_string ("withdrawn", &status));
  g_assert_cmpint (status, ==, KEHU_APPROVAL_STATUS_WITHDRAWN);
  g_assert_false (kehu_approval_status_from_string ("", &status));
  g_assert_cmpstr (kehu_approval_status_to_string (KEHU_APPROVAL_STATUS_REJECTED), ==, "rejected");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/approval/validate/good", test_validate_good);
  g_test_add_func ("/approval/validate/errors", test_validate_errors);
  g_test_add_func ("/approval/validate/deep", test_validate_deep);
  g_test_add_func ("/approval/start/invalid", test_start_invalid);
  g_test_add_func ("/approval/serial/order", test_serial_order);
  g_test_add_func ("/approval/serial/supervisors", test_serial_supervisors);
  g_test_add_func ("/approval/supervisor/missing-level", test_supervisor_missing_level);
  g_test_add_func ("/approval/supervisor/disabled", test_supervisor_disabled);
  g_test_add_func ("/approval/parallel/all", test_parallel_all);
  g_test_add_func ("/approval/parallel/all-reject", test_parallel_all_reject);
  g_test_add_func ("/approval/parallel/any", test_parallel_any);
  g_test_add_func ("/approval/parallel/any-reject", test_parallel_any_reject);
  g_test_add_func ("/approval/parallel/same-user-twice", test_same_user_in_two_slots);
  g_test_add_func ("/approval/condition/amount", test_condition_amount);
  g_test_add_func ("/approval/condition/operators", test_condition_operators);
  g_test_add_func ("/approval/condition/nested", test_condition_nested);
  g_test_add_func ("/approval/condition/empty-branch", test_condition_empty_branch);
  g_test_add_func ("/approval/submitter/skipped", test_submitter_skipped);
  g_test_add_func ("/approval/disabled/skipped", test_disabled_skipped);
  g_test_add_func ("/approval/disabled/no-approvers", test_no_approvers);
  g_test_add_func ("/approval/transfer/serial", test_transfer);
  g_test_add_func ("/approval/transfer/role-and-refusals", test_transfer_role_and_refusals);
  g_test_add_func ("/approval/withdraw/partial", test_withdraw);
  g_test_add_func ("/approval/resubmit/first-step", test_resubmit_first_step);
  g_test_add_func ("/approval/resubmit/rejected-step", test_resubmit_rejected_step);
  g_test_add_func ("/approval/resubmit/record-changed", test_resubmit_rejected_step_record_changed);
  g_test_add_func ("/approval/resubmit/after-withdraw", test_resubmit_rejected_step_after_withdraw);
  g_test_add_func ("/approval/resubmit/refused", test_resubmit_refused);
  g_test_add_func ("/approval/decided", test_decided);
  g_test_add_func ("/approval/copy-to", test_copy_to);
  g_test_add_func ("/approval/state/round-trip", test_state_round_trip);
  g_test_add_func ("/approval/state/exact", test_state_exact);
  g_test_add_func ("/approval/state/time-in-utc", test_time_in_utc);
  g_test_add_func ("/approval/state/damaged", test_state_damaged);
  g_test_add_func ("/approval/state/draft", test_draft);
  g_test_add_func ("/approval/state/input-untouched", test_input_untouched);
  g_test_add_func ("/approval/names", test_names);

  return g_test_run ();
}
