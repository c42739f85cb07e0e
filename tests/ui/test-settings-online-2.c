/* test-settings-online-2.c: public pools, approval flows and stage groups
 * change the server from Settings
 *
 * Against a real kehu-server, signed in as the administrator: a pool's
 * cool-down, a recycle rule and a claim limit saved in one go reach the
 * server (its REST routes) and the cache, and a limit set back to 0 goes
 * from both; an approval flow with two steps is created, edited, disabled
 * and deleted; a new stage group has its three closing stages on the
 * server and in the cache, and is renamed. A user who may open Settings
 * but not change pools sees the server's refusal and nothing changes.
 * Without the server the sections are read-only. Screenshots of the three sections, in the test's language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-approval-flow-editor.h"
#include "kehu-settings-view.h"
#include "kehu-sync-client.h"
#include "kehu-test-api.h"
#include "kehu-test-settings-online.h"
#include "kehu-test-ui.h"

typedef struct
{
  KehuSyncClient   *client;
  KehuStore        *store;
  KehuSettingsView *view;
  GtkWidget        *window;
  char             *dir;
  char             *user_id;
} App;

static void
settle (App *app)
{
  kehu_test_ui_settle (20);
  kehu_test_wait_until (kehu_test_settings_settled, app->view);
  kehu_test_ui_settle (80);
}

static App *
app_sign_in (KehuTestApi *api,
             const char  *phone,
             const char  *password)
{
  App *app = g_new0 (App, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;

  app->dir = g_dir_make_tmp ("kehu-test-settings-online-2-XXXXXX", &error);
  g_assert_no_error (error);
  app->client = kehu_sync_client_new (api->server->base_url);
  kehu_sync_client_set_data_dir (app->client, app->dir);
  token = kehu_sync_login (api->server->base_url, phone, password, &app->user_id, &error);
  g_assert_no_error (error);
  kehu_sync_client_set_account (app->client, app->user_id, token);
  kehu_sync_client_check (app->client);
  kehu_test_wait_until (kehu_test_client_synced, app->client);

  path = kehu_sync_client_dup_cache_path (app->client);
  app->store = kehu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (kehu_sync_store_is_cache (app->store));

  app->view = kehu_settings_view_new (app->store);
  app->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (app->window), 1100, 760);
  gtk_window_set_child (GTK_WINDOW (app->window), GTK_WIDGET (app->view));
  gtk_window_present (GTK_WINDOW (app->window));
  kehu_settings_view_set_user_id (app->view, app->user_id);
  kehu_settings_view_set_sync_client (app->view, app->client);
  kehu_test_wait_until (kehu_test_settings_settled, app->view);
  return app;
}

static void
app_free (App *app)
{
  gtk_window_destroy (GTK_WINDOW (app->window));
  kehu_test_ui_settle (50);
  g_clear_object (&app->store);
  g_clear_object (&app->client);
  kehu_test_rm_rf (app->dir);
  g_free (app->dir);
  g_free (app->user_id);
  g_free (app);
}

static GtkWidget *
find (App        *app,
      const char *name)
{
  GtkWidget *w = kehu_settings_view_find (app->view, name);

  if (w == NULL)
    g_error ("No widget “%s” in the section", name);
  return w;
}

static void
set_spin (App        *app,
          const char *name,
          int         value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find (app, name)), value);
}

/* One value from the cache, as text; NULL for no row or SQL NULL. */
static char *
cached (App        *app,
        const char *sql,
        const char *param)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) row = kehu_admin_query_one (app->store, &error, sql, param, NULL);
  JsonNode *v;

  g_assert_no_error (error);
  if (row == NULL || !(v = json_object_get_member (row, "v")) || JSON_NODE_HOLDS_NULL (v))
    return NULL;
  if (json_node_get_value_type (v) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (v));
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));
}

/* "role:day/week/month" of every claim limit in a GET answer, sorted. */
static char *
limits_text (JsonObject *list)
{
  JsonArray *items = json_object_get_array_member (list, "items");
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *l = json_array_get_object_element (items, i);
      const char *names[] = { "per_day", "per_week", "per_month" };

      g_string_append_printf (text, "%s%s:", i ? "," : "", json_object_get_string_member (l, "role_id"));
      for (guint n = 0; n < 3; n++)
        {
          if (json_object_get_null_member (l, names[n]))
            g_string_append (text, "-");
          else
            g_string_append_printf (text, "%" G_GINT64_FORMAT, json_object_get_int_member (l, names[n]));
          if (n < 2)
            g_string_append_c (text, '/');
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
shot (App        *app,
      const char *name)
{
  g_autoptr(GdkTexture) texture = kehu_test_ui_screenshot (app->window, name);

  g_assert_cmpuint (kehu_test_ui_count_colours (texture), >, 8);
}

static void
test_pools (KehuTestApi *api,
            const char  *admin,
            App         *app)
{
  const char *pool = KEHU_ID_DEFAULT_POOL;
  const char *rep = KEHU_ID_ROLE_SALES_REP;
  g_autofree char *pool_path = g_strdup_printf ("/api/v1/pools/%s", pool);
  g_autofree char *rules_path = g_strdup_printf ("/api/v1/pools/%s/rules", pool);
  g_autofree char *limits_path = g_strdup_printf ("/api/v1/pools/%s/claim-limits", pool);
  g_autofree char *level = NULL;
  g_autofree char *followup = NULL, *deal = NULL, *day = NULL, *week = NULL, *month = NULL;

  kehu_settings_view_show_section (app->view, "pools");
  g_assert_null (kehu_settings_view_get_banner (app->view));
  level = cached (app, "SELECT value AS v FROM dictionary_items WHERE dictionary_id = ? ORDER BY position LIMIT 1",
                  "customer_level");
  g_assert_nonnull (level);
  followup = g_strconcat ("no-followup-", level, NULL);
  deal = g_strconcat ("no-deal-", level, NULL);
  day = g_strconcat ("day-", rep, NULL);
  week = g_strconcat ("week-", rep, NULL);
  month = g_strconcat ("month-", rep, NULL);
  g_assert_true (gtk_widget_is_sensitive (find (app, "save-pool")));

  /* Cool-down, a rule for one level and a limit for one role: one Save. */
  set_spin (app, "reclaim_cooldown_days", 12);
  set_spin (app, followup, 30);
  set_spin (app, deal, 90);
  set_spin (app, day, 5);
  set_spin (app, month, 40);
  g_signal_emit_by_name (find (app, "save-pool"), "clicked");
  settle (app);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (app->view), "kehu-last-message"), ==, _("Pool rules saved"));
  {
    g_autoptr(JsonObject) record = kehu_test_api_expect (api, admin, "GET", pool_path, NULL, 200);
    g_autoptr(JsonObject) rules = kehu_test_api_expect (api, admin, "GET", rules_path, NULL, 200);
    g_autoptr(JsonObject) limits = kehu_test_api_expect (api, admin, "GET", limits_path, NULL, 200);
    JsonArray *items = json_object_get_array_member (rules, "items");
    JsonObject *rule;
    g_autofree char *limit_list = limits_text (limits);
    g_autofree char *expected = g_strdup_printf ("%s:5/-/40", rep);
    g_autofree char *cooldown = cached (app, "SELECT reclaim_cooldown_days AS v FROM pools WHERE id = ?", pool);
    g_autofree char *cached_rule = cached (app, "SELECT customer_level || ':' || no_followup_days || '/' || "
                                                "ifnull (no_opportunity_days, '-') || '/' || no_deal_days AS v "
                                                "FROM pool_rules WHERE pool_id = ?", pool);
    g_autofree char *expected_rule = g_strdup_printf ("%s:30/-/90", level);
    g_autofree char *cached_limit = cached (app, "SELECT role_id || ':' || per_day || '/' || ifnull (per_week, '-') "
                                                 "|| '/' || per_month AS v FROM pool_claim_limits WHERE pool_id = ?", pool);
    g_autofree char *cached_rev = cached (app, "SELECT rev AS v FROM pools WHERE id = ?", pool);

    g_assert_cmpint (json_object_get_int_member (record, "reclaim_cooldown_days"), ==, 12);
    g_assert_cmpstr (cooldown, ==, "12");
    /* The cache holds the server's revision: the next Save's If-Match. */
    g_assert_cmpint (g_ascii_strtoll (cached_rev, NULL, 10), ==, json_object_get_int_member (record, "rev"));

    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    rule = json_array_get_object_element (items, 0);
    g_assert_cmpstr (json_object_get_string_member (rule, "customer_level"), ==, level);
    g_assert_cmpint (json_object_get_int_member (rule, "no_followup_days"), ==, 30);
    g_assert_true (json_object_get_null_member (rule, "no_opportunity_days"));
    g_assert_cmpint (json_object_get_int_member (rule, "no_deal_days"), ==, 90);
    g_assert_cmpstr (cached_rule, ==, expected_rule);

    g_assert_cmpstr (limit_list, ==, expected);
    g_assert_cmpstr (cached_limit, ==, expected);
  }
  /* The page shows what was saved. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find (app, "reclaim_cooldown_days"))), ==, 12);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find (app, day))), ==, 5);
  shot (app, "settings-online-pools");

  /* The limit back to 0 (none): gone on the server and in the cache; the
   * rule stays. */
  set_spin (app, day, 0);
  set_spin (app, month, 0);
  g_signal_emit_by_name (find (app, "save-pool"), "clicked");
  settle (app);
  {
    g_autoptr(JsonObject) limits = kehu_test_api_expect (api, admin, "GET", limits_path, NULL, 200);
    g_autoptr(JsonObject) rules = kehu_test_api_expect (api, admin, "GET", rules_path, NULL, 200);
    g_autofree char *n_limits = cached (app, "SELECT count (*) AS v FROM pool_claim_limits WHERE pool_id = ?", pool);
    g_autofree char *n_rules = cached (app, "SELECT count (*) AS v FROM pool_rules WHERE pool_id = ?", pool);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (limits, "items")), ==, 0);
    g_assert_cmpstr (n_limits, ==, "0");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rules, "items")), ==, 1);
    g_assert_cmpstr (n_rules, ==, "1");
    g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM pool_claim_limits"), ==, 0);
  }

  /* A new pool on the server, and a department as its member. */
  gtk_editable_set_text (GTK_EDITABLE (find (app, "new-pool")), "华南公海");
  g_signal_emit_by_name (find (app, "new-pool"), "apply");
  settle (app);
  {
    g_autofree char *south = kehu_test_api_db_string (api, "SELECT id FROM pools WHERE name = '华南公海'");
    g_autofree char *in_cache = cached (app, "SELECT id AS v FROM pools WHERE name = ?", "华南公海");
    g_autofree char *members_path = NULL;
    g_autofree char *key = g_strdup_printf ("department:%s", KEHU_ID_TOP_DEPARTMENT);
    GtkWidget *add = find (app, "add-pool-member");
    GPtrArray *keys = g_object_get_data (G_OBJECT (add), "kehu-keys");
    guint at = 0;

    g_assert_nonnull (south);
    g_assert_cmpstr (in_cache, ==, south);
    members_path = g_strdup_printf ("/api/v1/pools/%s/members", south);
    for (guint i = 1; i < keys->len; i++)
      if (g_strcmp0 (g_ptr_array_index (keys, i), key) == 0)
        at = i;
    g_assert_cmpuint (at, >, 0);
    adw_combo_row_set_selected (ADW_COMBO_ROW (add), at);
    settle (app);
    {
      g_autoptr(JsonObject) members = kehu_test_api_expect (api, admin, "GET", members_path, NULL, 200);
      JsonArray *items = json_object_get_array_member (members, "items");
      g_autofree char *cached_member = cached (app, "SELECT member_type || ':' || member_id AS v FROM pool_members"
                                                    " WHERE pool_id = ?", south);

      g_assert_cmpuint (json_array_get_length (items), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "member_id"), ==,
                       KEHU_ID_TOP_DEPARTMENT);
      g_assert_cmpstr (cached_member, ==, key);
    }
  }
}

static void
save_flow (App *app)
{
  g_signal_emit_by_name (find (app, "save-flow"), "clicked");
  settle (app);
}

static void
test_flows (KehuTestApi *api,
            const char  *admin,
            App         *app)
{
  const char *two_steps =
    "{\"name\":\"大额合同审批\",\"business_type\":\"contract\",\"restart\":\"first_step\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]},"
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":2}]}]}";
  const char *edited =
    "{\"name\":\"大额合同审批（两级）\",\"business_type\":\"contract\",\"restart\":\"rejected_step\",\"steps\":["
    "{\"type\":\"serial\",\"approvers\":[{\"supervisor\":1}]},"
    "{\"type\":\"parallel\",\"mode\":\"any\",\"approvers\":[{\"supervisor\":2},{\"supervisor\":3}]}]}";
  g_autoptr(JsonNode) definition = NULL;
  g_autofree char *id = NULL;
  g_autofree char *flow_path = NULL;
  g_autofree char *where = NULL;

  kehu_settings_view_show_section (app->view, "approval-flows");
  g_assert_null (kehu_settings_view_get_banner (app->view));

  /* Create with two steps. */
  definition = json_from_string (two_steps, NULL);
  g_assert_true (kehu_approval_flow_editor_set_definition (KEHU_APPROVAL_FLOW_EDITOR (find (app, "approval-flow-editor")),
                                                          definition));
  save_flow (app);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (app->view), "kehu-last-message"), ==, _("Approval flow saved"));
  id = kehu_test_api_db_string (api, "SELECT id FROM approval_flows WHERE name = '大额合同审批' AND deleted_at IS NULL");
  g_assert_nonnull (id);
  flow_path = g_strdup_printf ("/api/v1/approval-flows/%s", id);
  where = g_strdup_printf ("WHERE id = '%s'", id);
  {
    g_autoptr(JsonObject) flow = kehu_test_api_expect (api, admin, "GET", flow_path, NULL, 200);
    JsonObject *def = json_object_get_object_member (flow, "definition");
    g_autofree char *n_cached = cached (app, "SELECT json_array_length (definition, '$.steps') AS v "
                                             "FROM approval_flows WHERE id = ?", id);
    g_autofree char *cached_name = cached (app, "SELECT name AS v FROM approval_flows WHERE id = ?", id);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (def, "steps")), ==, 2);
    g_assert_true (json_object_get_boolean_member (flow, "is_enabled"));
    g_assert_cmpstr (n_cached, ==, "2");
    g_assert_cmpstr (cached_name, ==, "大额合同审批");
    /* The flow listed, and still in the form. */
    g_assert_nonnull (kehu_settings_view_find (app->view, id));
    g_assert_cmpint (kehu_sync_count_pending (app->store), ==, 0);
  }

  /* Edit: a new name, the restart policy, the second step parallel. */
  g_clear_pointer (&definition, json_node_unref);
  definition = json_from_string (edited, NULL);
  g_assert_true (kehu_approval_flow_editor_set_definition (KEHU_APPROVAL_FLOW_EDITOR (find (app, "approval-flow-editor")),
                                                          definition));
  save_flow (app);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT name || '|' || json_extract (definition, '$.restart') || '|' || "
                                            "json_extract (definition, '$.steps[1].type') || '/' || "
                                            "json_extract (definition, '$.steps[1].mode') || '/' || "
                                            "json_array_length (definition, '$.steps[1].approvers') FROM approval_flows %s",
                                            where);
    g_autofree char *on_server = kehu_test_api_db_string (api, sql);
    g_autofree char *in_cache = cached (app, "SELECT name || '|' || json_extract (definition, '$.restart') || '|' || "
                                             "json_extract (definition, '$.steps[1].type') || '/' || "
                                             "json_extract (definition, '$.steps[1].mode') || '/' || "
                                             "json_array_length (definition, '$.steps[1].approvers') AS v "
                                             "FROM approval_flows WHERE id = ?", id);

    g_assert_cmpstr (on_server, ==, "大额合同审批（两级）|rejected_step|parallel/any/2");
    g_assert_cmpstr (in_cache, ==, on_server);
    g_assert_cmpint (kehu_test_api_db_int (api, "SELECT count (*) FROM approval_flows WHERE deleted_at IS NULL "
                                                "AND name LIKE '大额合同审批%'"), ==, 1);
  }
  shot (app, "settings-online-flows");

  /* Disable. */
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (find (app, "flow-enabled"))));
  gtk_switch_set_active (GTK_SWITCH (find (app, "flow-enabled")), FALSE);
  save_flow (app);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT is_enabled FROM approval_flows %s", where);
    g_autofree char *in_cache = cached (app, "SELECT is_enabled AS v FROM approval_flows WHERE id = ?", id);

    g_assert_cmpint (kehu_test_api_db_int (api, sql), ==, 0);
    g_assert_cmpstr (in_cache, ==, "0");
    g_assert_false (gtk_switch_get_active (GTK_SWITCH (find (app, "flow-enabled"))));
  }

  /* Delete: gone from the server's list and from the cache. */
  g_signal_emit_by_name (find (app, "delete-flow"), "clicked");
  settle (app);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM approval_flows %s AND deleted_at IS NOT NULL", where);
    g_autofree char *in_cache = cached (app, "SELECT count (*) AS v FROM approval_flows WHERE id = ? "
                                             "AND deleted_at IS NULL", id);

    g_assert_cmpint (kehu_test_api_db_int (api, sql), ==, 1);
    kehu_test_api_expect_error (api, admin, "GET", flow_path, NULL, 404, "not_found", NULL);
    g_assert_cmpstr (in_cache, ==, "0");
    g_assert_null (kehu_settings_view_find (app->view, id));
    g_assert_cmpstr (g_object_get_data (G_OBJECT (app->view), "kehu-last-message"), ==, _("Approval flow deleted"));
  }
}

static void
test_stage_groups (KehuTestApi *api,
                   const char  *admin,
                   App         *app)
{
  g_autofree char *group = NULL;
  g_autofree char *sql = NULL;

  kehu_settings_view_show_section (app->view, "stages");
  g_assert_null (kehu_settings_view_get_banner (app->view));
  g_assert_true (gtk_widget_is_sensitive (find (app, "new-stage-group")));
  g_assert_null (gtk_widget_get_tooltip_text (find (app, "new-stage-group")));
  gtk_editable_set_text (GTK_EDITABLE (find (app, "new-stage-group")), "渠道销售");
  g_signal_emit_by_name (find (app, "new-stage-group"), "apply");
  settle (app);

  group = kehu_test_api_db_string (api, "SELECT id FROM stage_groups WHERE name = '渠道销售'");
  g_assert_nonnull (group);
  sql = g_strdup_printf ("SELECT group_concat (id || ':' || kind || ':' || win_rate, ',') FROM "
                         "(SELECT id, kind, win_rate FROM stages WHERE group_id = '%s' ORDER BY position)", group);
  {
    g_autofree char *on_server = kehu_test_api_db_string (api, sql);
    g_autofree char *in_cache = cached (app, "SELECT group_concat (id || ':' || kind || ':' || win_rate, ',') AS v FROM "
                                             "(SELECT id, kind, win_rate FROM stages WHERE group_id = ? ORDER BY position)",
                                        group);
    g_autofree char *kinds = cached (app, "SELECT group_concat (kind || ':' || win_rate, ',') AS v FROM "
                                          "(SELECT kind, win_rate FROM stages WHERE group_id = ? ORDER BY position)", group);
    g_autofree char *name = cached (app, "SELECT name AS v FROM stage_groups WHERE id = ?", group);

    g_assert_cmpstr (kinds, ==, "won:100,lost:0,invalid:0");
    g_assert_cmpstr (in_cache, ==, on_server);
    g_assert_cmpstr (name, ==, "渠道销售");
  }
  /* The new group is the one shown, with its closing stages. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (app, "stage-group-name"))), ==, "渠道销售");
  g_assert_cmpstr (g_object_get_data (G_OBJECT (app->view), "kehu-last-message"), ==,
                   _("Stage group added: add its stages below"));
  shot (app, "settings-online-stages");

  /* Rename. */
  gtk_editable_set_text (GTK_EDITABLE (find (app, "stage-group-name")), "渠道分销");
  g_signal_emit_by_name (find (app, "stage-group-name"), "apply");
  settle (app);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/stage_groups/%s", group);
    g_autoptr(JsonObject) record = kehu_test_api_expect (api, admin, "GET", path, NULL, 200);
    g_autofree char *name = cached (app, "SELECT name AS v FROM stage_groups WHERE id = ?", group);

    g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "渠道分销");
    g_assert_cmpstr (name, ==, "渠道分销");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find (app, "stage-group-name"))), ==, "渠道分销");
    g_assert_cmpstr (g_object_get_data (G_OBJECT (app->view), "kehu-last-message"), ==, _("Stage group renamed"));
  }

  /* The default for new opportunities: on the server the seeded group
   * gives it up, and the cache learns both at once. */
  gtk_switch_set_active (GTK_SWITCH (find (app, "stage-group-default")), TRUE);
  settle (app);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/stage_groups/%s", group);
    g_autoptr(JsonObject) mine = kehu_test_api_expect (api, admin, "GET", path, NULL, 200);
    g_autoptr(JsonObject) seeded = kehu_test_api_expect (api, admin, "GET", "/api/v1/stage_groups/" KEHU_ID_DEFAULT_STAGE_GROUP,
                                                         NULL, 200);
    g_autofree char *cached_mine = cached (app, "SELECT CAST (is_default AS TEXT) AS v FROM stage_groups WHERE id = ?", group);
    g_autofree char *cached_seeded = cached (app, "SELECT CAST (is_default AS TEXT) AS v FROM stage_groups WHERE id = ?",
                                             KEHU_ID_DEFAULT_STAGE_GROUP);

    g_assert_true (json_object_get_boolean_member (mine, "is_default"));
    g_assert_false (json_object_get_boolean_member (seeded, "is_default"));
    g_assert_cmpstr (cached_mine, ==, "1");
    g_assert_cmpstr (cached_seeded, ==, "0");
  }
}

/* Someone who may open Settings (role.edit) but not change pools. */
static void
test_refused (KehuTestApi *api,
              const char  *admin)
{
  g_autofree char *role = NULL;
  g_autofree char *token = NULL;
  g_autofree char *pool_path = g_strdup_printf ("/api/v1/pools/%s", KEHU_ID_DEFAULT_POOL);
  g_autofree char *before = kehu_test_api_db_string (api, "SELECT reclaim_cooldown_days || '/' || rev FROM pools "
                                                          "WHERE id = '" KEHU_ID_DEFAULT_POOL "'");
  g_autofree char *message = NULL;
  g_autofree char *cached_before = NULL;
  App *app;

  {
    g_autoptr(JsonObject) created = kehu_test_api_expect (api, admin, "POST", "/api/v1/roles",
      "{\"name\":\"角色管理员\",\"permissions\":[\"role.edit\",\"pool.read\",\"customer.read\"],"
      "\"data_scope\":\"self\"}", 201);

    role = g_strdup (json_object_get_string_member (created, "id"));
  }
  g_free (kehu_test_api_add_user (api, admin, "13900000002", "李管理", KEHU_ID_TOP_DEPARTMENT, NULL, role));
  token = kehu_test_api_login (api, "13900000002", KEHU_TEST_USER_PASSWORD);
  /* The server's own words for this refusal. */
  {
    guint status = 0;
    g_autoptr(JsonNode) refusal = kehu_test_api_call (api, token, "PATCH", pool_path, "{\"reclaim_cooldown_days\":20}",
                                                      &status);

    g_assert_cmpuint (status, ==, 403);
    message = g_strdup (json_object_get_string_member (json_object_get_object_member (json_node_get_object (refusal),
                                                                                       "error"), "message"));
  }

  app = app_sign_in (api, "13900000002", KEHU_TEST_USER_PASSWORD);
  /* The pull does not bring roles (yet): the cache takes this user's
   * role as the server's GET /roles/{id} gives it, so that the app lets
   * the user into Settings, as it would with the roles synced. */
  {
    g_autofree char *role_path = g_strdup_printf ("/api/v1/roles/%s", role);
    g_autoptr(JsonObject) answer = kehu_test_api_expect (api, admin, "GET", role_path, NULL, 200);
    g_autoptr(GError) error = NULL;

    g_assert_true (kehu_admin_put_row (app->store, "roles", answer, &error));
    g_assert_no_error (error);
    kehu_settings_view_set_user_id (app->view, app->user_id);
    g_assert_true (kehu_settings_view_is_allowed (app->view));
  }
  kehu_settings_view_show_section (app->view, "pools");
  cached_before = cached (app, "SELECT reclaim_cooldown_days AS v FROM pools WHERE id = ?", KEHU_ID_DEFAULT_POOL);
  set_spin (app, "reclaim_cooldown_days", 20);
  g_signal_emit_by_name (find (app, "save-pool"), "clicked");
  settle (app);
  {
    const char *shown = g_object_get_data (G_OBJECT (app->view), "kehu-last-message");
    g_autofree char *after = kehu_test_api_db_string (api, "SELECT reclaim_cooldown_days || '/' || rev FROM pools "
                                                           "WHERE id = '" KEHU_ID_DEFAULT_POOL "'");
    g_autofree char *cached_after = cached (app, "SELECT reclaim_cooldown_days AS v FROM pools WHERE id = ?",
                                            KEHU_ID_DEFAULT_POOL);

    g_assert_nonnull (shown);
    g_assert_true (g_str_has_prefix (shown, message));
    g_assert_cmpstr (after, ==, before);
    g_assert_cmpstr (cached_after, ==, cached_before);
    /* The page shows the server's state again, not what was typed. */
    g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find (app, "reclaim_cooldown_days"))), ==,
                     g_ascii_strtoll (cached_before, NULL, 10));
    g_assert_true (gtk_widget_is_sensitive (find (app, "save-pool")));
  }
  app_free (app);
}

static void
test_settings_online_2 (void)
{
  g_autoptr(KehuTestApi) api = kehu_test_api_start (TRUE, NULL);
  g_autofree char *admin = kehu_test_api_login (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);
  App *app = app_sign_in (api, KEHU_TEST_ADMIN_PHONE, KEHU_TEST_ADMIN_PASSWORD);

  g_assert_true (kehu_settings_view_is_allowed (app->view));
  test_pools (api, admin, app);
  test_flows (api, admin, app);
  test_stage_groups (api, admin, app);
  test_refused (api, admin);

  /* The server goes away: the three sections are read-only, what to look
   * at may still be chosen. */
  g_assert_cmpint (kehu_test_server_stop (api->server, SIGTERM), ==, 0);
  kehu_sync_client_check (app->client);
  kehu_test_wait_until (kehu_test_client_offline, app->client);
  kehu_test_ui_settle (80);
  kehu_settings_view_show_section (app->view, "pools");
  g_assert_false (gtk_widget_is_sensitive (find (app, "save-pool")));
  g_assert_false (gtk_widget_is_sensitive (find (app, "reclaim_cooldown_days")));
  g_assert_true (gtk_widget_is_sensitive (find (app, "pool")));
  kehu_settings_view_show_section (app->view, "approval-flows");
  g_assert_false (gtk_widget_is_sensitive (find (app, "save-flow")));
  g_assert_false (gtk_widget_is_sensitive (find (app, "new-flow")));
  kehu_settings_view_show_section (app->view, "stages");
  g_assert_false (gtk_widget_is_sensitive (find (app, "new-stage-group")));
  g_assert_true (gtk_widget_is_sensitive (find (app, "stage-group")));
  g_assert_cmpstr (kehu_settings_view_get_banner (app->view), ==,
                   _("Settings can be changed only while connected to the server"));
  app_free (app);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  kehu_ensure_resources ();

  g_test_add_func ("/ui/settings-online/pools-flows-stage-groups", test_settings_online_2);

  return g_test_run ();
}
