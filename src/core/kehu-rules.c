/* kehu-rules.c: the business rules every write goes through
 *
 * Two kinds of code live here. The hooks (_kehu_rules_before_write/_after_write)
 * run inside every kehu_record_* write and keep derived values consistent:
 * customer_id of plans/payments/invoices/follow-ups from what they belong to,
 * the normalised customer name key, an opportunity's status and stage history
 * from its stage, contract totals (product_total, received_total — approved
 * payments only, outstanding = amount − received, invoiced_total — approved
 * invoices only, plan_total) and customer totals (contract_total of approved
 * contracts, and the sums of its live contracts' plan/received/invoiced
 * totals), payment plans' received amount, last_followup_at of follow-up
 * targets, and a new stage group's closing stages. Totals are recomputed
 * from the rows by aggregate queries, never adjusted by deltas, so they
 * cannot drift; those derived writes do not bump
 * updated_at/rev and are not logged (every client computes them the same way).
 *
 * The public functions are the user-level actions: convert, transfer, stage
 * change, win/lose, product lines, duplicate check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-rules"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-admin.h"
#include "kehu-record-private.h"
#include "kehu-rules.h"
#include "kehu-sync.h"

#define NUL "\1"

static const char *
str_member (JsonObject *row,
            const char *name)
{
  JsonNode *node;

  if (row == NULL || !(node = json_object_get_member (row, name)) || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
flag_member (JsonObject *row,
             const char *name)
{
  JsonNode *node;

  if (row == NULL || !(node = json_object_get_member (row, name)) || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  return json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) != 0;
}

static gboolean trusted_update (KehuContext *ctx, const char *module, const char *id,
                                JsonObject *fields, const char *action, GError **error);

static const char *
change_text (KehuChanges *changes,
             const char  *column,
             JsonObject  *old_row)
{
  const KehuValue *v = _kehu_changes_get (changes, column);

  if (v)
    return v->kind == SQLITE_TEXT ? v->s : NULL;
  return str_member (old_row, column);
}

/* Totals -------------------------------------------------------------------------- */

gboolean
kehu_rules_recompute_contract (KehuContext  *ctx,
                               const char   *contract_id,
                               GError      **error)
{
  if (contract_id == NULL)
    return TRUE;
  return _kehu_exec (ctx, error,
                     "UPDATE contracts SET"
                     " received_total = (SELECT IFNULL (SUM (amount), 0) FROM payments"
                     "   WHERE contract_id = ?1 AND approval_status = 'approved' AND deleted_at IS NULL),"
                     " invoiced_total = (SELECT IFNULL (SUM (amount), 0) FROM invoices"
                     "   WHERE contract_id = ?1 AND approval_status = 'approved' AND deleted_at IS NULL),"
                     " plan_total = (SELECT IFNULL (SUM (planned_amount), 0) FROM payment_plans"
                     "   WHERE contract_id = ?1 AND deleted_at IS NULL),"
                     " product_total = (SELECT IFNULL (SUM (subtotal), 0) FROM contract_products WHERE contract_id = ?1)"
                     " WHERE id = ?1",
                     contract_id, NULL) &&
         _kehu_exec (ctx, error, "UPDATE contracts SET outstanding = amount - received_total WHERE id = ?1",
                     contract_id, NULL);
}

gboolean
kehu_rules_recompute_customer (KehuContext  *ctx,
                               const char   *customer_id,
                               GError      **error)
{
  if (customer_id == NULL)
    return TRUE;
  return _kehu_exec (ctx, error,
                     "UPDATE customers SET"
                     " contract_total = (SELECT IFNULL (SUM (amount), 0) FROM contracts"
                     "   WHERE customer_id = ?1 AND deleted_at IS NULL AND approval_status = 'approved'),"
                     " plan_total = (SELECT IFNULL (SUM (plan_total), 0) FROM contracts"
                     "   WHERE customer_id = ?1 AND deleted_at IS NULL),"
                     " received_total = (SELECT IFNULL (SUM (received_total), 0) FROM contracts"
                     "   WHERE customer_id = ?1 AND deleted_at IS NULL),"
                     " invoiced_total = (SELECT IFNULL (SUM (invoiced_total), 0) FROM contracts"
                     "   WHERE customer_id = ?1 AND deleted_at IS NULL),"
                     " deal_status = CASE WHEN EXISTS (SELECT 1 FROM contracts WHERE customer_id = ?1"
                     "   AND deleted_at IS NULL AND approval_status = 'approved') THEN 'deal' ELSE 'none' END,"
                     " last_deal_at = (SELECT MAX (signed_date) FROM contracts WHERE customer_id = ?1"
                     "   AND deleted_at IS NULL AND approval_status = 'approved')"
                     " WHERE id = ?1",
                     customer_id, NULL);
}

static gboolean
recompute_plan (KehuContext  *ctx,
                const char   *plan_id,
                GError      **error)
{
  if (plan_id == NULL)
    return TRUE;
  return _kehu_exec (ctx, error,
                     "UPDATE payment_plans SET received_amount = (SELECT IFNULL (SUM (amount), 0) FROM payments"
                     "   WHERE plan_id = ?1 AND approval_status = 'approved' AND deleted_at IS NULL)"
                     " WHERE id = ?1",
                     plan_id, NULL) &&
         _kehu_exec (ctx, error,
                     "UPDATE payment_plans SET status = CASE"
                     " WHEN received_amount > 0 AND received_amount >= planned_amount THEN 'received'"
                     " WHEN received_amount > 0 THEN 'partial' ELSE 'pending' END WHERE id = ?1",
                     plan_id, NULL);
}

static gboolean
recompute_last_followup (KehuContext  *ctx,
                         const char   *module,
                         const char   *id,
                         GError      **error)
{
  g_autofree char *sql = NULL;

  if (module == NULL || id == NULL)
    return TRUE;
  if (strcmp (module, "customers") == 0)
    /* A customer's timeline includes the follow-ups of its contacts, opportunities, contracts. */
    sql = g_strdup ("UPDATE customers SET last_followup_at = (SELECT MAX (followed_at) FROM followups"
                    " WHERE customer_id = ?1 AND deleted_at IS NULL) WHERE id = ?1");
  else
    sql = g_strdup_printf ("UPDATE %s SET last_followup_at = (SELECT MAX (followed_at) FROM followups"
                           " WHERE target_module = '%s' AND target_id = ?1 AND deleted_at IS NULL) WHERE id = ?1",
                           module, module);
  return _kehu_exec (ctx, error, sql, id, NULL);
}

/* Hooks ------------------------------------------------------------------------------ */

static char *
customer_of (KehuContext *ctx,
             const char  *module,
             const char  *id)
{
  if (id == NULL)
    return NULL;
  if (strcmp (module, "customers") == 0)
    return g_strdup (id);
  if (strcmp (module, "contacts") == 0)
    return _kehu_query_text (ctx, "SELECT customer_id FROM contacts WHERE id = ?1", id, NULL);
  if (strcmp (module, "opportunities") == 0)
    return _kehu_query_text (ctx, "SELECT customer_id FROM opportunities WHERE id = ?1", id, NULL);
  if (strcmp (module, "contracts") == 0)
    return _kehu_query_text (ctx, "SELECT customer_id FROM contracts WHERE id = ?1", id, NULL);
  return NULL;
}

/**
 * kehu_rules_dup_default_stage_group:
 *
 * Returns: (transfer full): the stage group new opportunities follow: the
 *   one the administrator marked as the default, else the seeded one
 */
char *
kehu_rules_dup_default_stage_group (KehuContext *ctx)
{
  char *group = _kehu_query_text (ctx,
                                  "SELECT id FROM stage_groups WHERE deleted_at IS NULL"
                                  " ORDER BY is_default DESC, id = ?1 DESC, created_at LIMIT 1",
                                  KEHU_ID_DEFAULT_STAGE_GROUP, NULL);

  return group ? group : g_strdup (KEHU_ID_DEFAULT_STAGE_GROUP);
}

/**
 * kehu_rules_dup_first_stage:
 *
 * Returns: (transfer full) (nullable): where an opportunity of
 *   @stage_group_id starts: its first open stage
 */
char *
kehu_rules_dup_first_stage (KehuContext *ctx,
                            const char  *stage_group_id)
{
  if (stage_group_id == NULL)
    return NULL;
  return _kehu_query_text (ctx,
                           "SELECT id FROM stages WHERE group_id = ?1 AND kind = 'open'"
                           " ORDER BY position LIMIT 1", stage_group_id, NULL);
}

static gboolean
before_opportunity (KehuContext  *ctx,
                    const char   *id,
                    JsonObject   *old_row,
                    KehuChanges  *changes,
                    GError      **error)
{
  g_autofree char *group = g_strdup (change_text (changes, "stage_group_id", old_row));
  const char *stage = change_text (changes, "stage_id", old_row);
  g_autofree char *kind = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);

  if (group == NULL)
    {
      group = kehu_rules_dup_default_stage_group (ctx);
      _kehu_changes_set_text (changes, "stage_group_id", group);
    }
  else if (old_row != NULL && g_strcmp0 (group, str_member (old_row, "stage_group_id")) != 0 &&
           !_kehu_changes_has (changes, "stage_id"))
    {
      /* Moved to another sales process: it starts at that one's first stage. */
      _kehu_changes_set_null (changes, "stage_id");
      stage = NULL;
    }
  if (stage == NULL)
    {
      g_autofree char *first = kehu_rules_dup_first_stage (ctx, group);
      _kehu_changes_set_text (changes, "stage_id", first);
      stage = change_text (changes, "stage_id", old_row);
    }
  if (stage == NULL)
    return TRUE;

  kind = _kehu_query_text (ctx, "SELECT kind FROM stages WHERE id = ?1 AND group_id = ?2", stage, group, NULL);
  if (kind == NULL)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_INVALID, "stage_id",
                       _("The stage is not part of the opportunity’s stage group"));
      return FALSE;
    }
  if (old_row == NULL || g_strcmp0 (stage, str_member (old_row, "stage_id")) != 0)
    {
      _kehu_changes_set_text (changes, "status", kind);
      _kehu_changes_set_text (changes, "stage_changed_at", now);
    }
  return TRUE;
}

gboolean
_kehu_rules_before_write (KehuContext       *ctx,
                          const KehuModule  *module,
                          const char        *id,
                          JsonObject        *old_row,
                          KehuChanges       *changes,
                          GError           **error)
{
  const char *name = kehu_module_get_name (module);
  g_autofree char *now = kehu_context_now_string (ctx);

  if (strcmp (name, "customers") == 0)
    {
      if (_kehu_changes_has (changes, "name"))
        {
          g_autofree char *key = kehu_schema_normalize_name (_kehu_changes_get (changes, "name")->s);
          _kehu_changes_set_text (changes, "name_key", key);
        }
      if (old_row == NULL && !_kehu_changes_has (changes, "owned_since"))
        {
          const char *owner = change_text (changes, "owner_id", NULL);
          if (owner)
            _kehu_changes_set_text (changes, "owned_since", now);
          else if (!_kehu_changes_has (changes, "pool_id"))
            {
              _kehu_changes_set_text (changes, "pool_id", KEHU_ID_DEFAULT_POOL);
              _kehu_changes_set_text (changes, "pooled_at", now);
            }
        }
    }
  else if (strcmp (name, "payment_plans") == 0 || strcmp (name, "payments") == 0 ||
           strcmp (name, "invoices") == 0)
    {
      const char *contract = change_text (changes, "contract_id", old_row);

      if (_kehu_changes_has (changes, "contract_id") && contract)
        {
          g_autofree char *customer = _kehu_query_text (ctx, "SELECT customer_id FROM contracts WHERE id = ?1",
                                                        contract, NULL);
          _kehu_changes_set_text (changes, "customer_id", customer);
        }
      /* SPEC §7: only approved contracts take payments. */
      if (strcmp (name, "payments") == 0 && old_row == NULL &&
          _kehu_query_int (ctx, 0, "SELECT approval_status = 'approved' FROM contracts WHERE id = ?1",
                           contract, NULL) != 1)
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_INVALID, "contract_id",
                           _("Only an approved contract can take payments"));
          return FALSE;
        }
      if (strcmp (name, "payments") == 0 && change_text (changes, "plan_id", old_row) &&
          _kehu_query_int (ctx, 0, "SELECT contract_id = ?2 FROM payment_plans WHERE id = ?1",
                           change_text (changes, "plan_id", old_row), contract, NULL) != 1)
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_INVALID, "plan_id",
                           _("The payment plan belongs to another contract"));
          return FALSE;
        }
    }
  else if (strcmp (name, "followups") == 0)
    {
      if (_kehu_changes_has (changes, "target_module") || _kehu_changes_has (changes, "target_id"))
        {
          const char *target_module = change_text (changes, "target_module", old_row);
          const char *target_id = change_text (changes, "target_id", old_row);
          g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?1 AND deleted_at IS NULL",
                                                  target_module);
          g_autofree char *customer = NULL;

          /* target_module was checked against a fixed list of modules. */
          if (_kehu_query_int (ctx, 0, sql, target_id, NULL) != 1)
            {
              _kehu_set_error (error, KEHU_RECORD_ERROR_MISSING_REFERENCE, "target_id",
                               _("“%s” refers to a record that does not exist or is in the recycle bin"),
                               _("Regarding record"));
              return FALSE;
            }
          customer = customer_of (ctx, target_module, target_id);
          _kehu_changes_set_text (changes, "customer_id", customer);
        }
    }
  else if (strcmp (name, "opportunities") == 0)
    {
      if (old_row == NULL || _kehu_changes_has (changes, "stage_id") || _kehu_changes_has (changes, "stage_group_id"))
        return before_opportunity (ctx, id, old_row, changes, error);
    }
  else if (strcmp (name, "tasks") == 0 && _kehu_changes_has (changes, "status"))
    {
      const KehuValue *status = _kehu_changes_get (changes, "status");
      if (status->kind == SQLITE_TEXT && strcmp (status->s, "done") == 0)
        _kehu_changes_set_text (changes, "done_at", now);
      else
        _kehu_changes_set_null (changes, "done_at");
    }
  return TRUE;
}

static gint64
days_between (const char *from,
              const char *to)
{
  g_autoptr(GDateTime) a = from ? g_date_time_new_from_iso8601 (from, NULL) : NULL;
  g_autoptr(GDateTime) b = to ? g_date_time_new_from_iso8601 (to, NULL) : NULL;

  if (a == NULL || b == NULL)
    return -1;
  return g_date_time_difference (b, a) / G_TIME_SPAN_DAY;
}

gboolean
_kehu_rules_after_write (KehuContext       *ctx,
                         const KehuModule  *module,
                         const char        *id,
                         JsonObject        *old_row,
                         JsonObject        *new_row,
                         GError           **error)
{
  const char *name = kehu_module_get_name (module);

  if (strcmp (name, "contracts") == 0)
    {
      if (new_row && !kehu_rules_recompute_contract (ctx, id, error))
        return FALSE;
      if (!kehu_rules_recompute_customer (ctx, str_member (new_row, "customer_id"), error))
        return FALSE;
      if (g_strcmp0 (str_member (old_row, "customer_id"), str_member (new_row, "customer_id")) != 0 &&
          !kehu_rules_recompute_customer (ctx, str_member (old_row, "customer_id"), error))
        return FALSE;
    }
  else if (strcmp (name, "payment_plans") == 0 || strcmp (name, "payments") == 0 ||
           strcmp (name, "invoices") == 0)
    {
      JsonObject *rows[2] = { old_row, new_row };

      if (strcmp (name, "payment_plans") == 0 && new_row && !recompute_plan (ctx, id, error))
        return FALSE;
      for (guint i = 0; i < 2; i++)
        {
          const char *contract = str_member (rows[i], "contract_id");
          g_autofree char *customer = NULL;

          if (rows[i] == NULL || (i == 1 && old_row && g_strcmp0 (contract, str_member (old_row, "contract_id")) == 0 &&
                                  g_strcmp0 (str_member (new_row, "plan_id"), str_member (old_row, "plan_id")) == 0))
            continue;
          if (strcmp (name, "payments") == 0 && !recompute_plan (ctx, str_member (rows[i], "plan_id"), error))
            return FALSE;
          if (!kehu_rules_recompute_contract (ctx, contract, error))
            return FALSE;
          customer = _kehu_query_text (ctx, "SELECT customer_id FROM contracts WHERE id = ?1", contract, NULL);
          if (!kehu_rules_recompute_customer (ctx, customer, error))
            return FALSE;
        }
    }
  else if (strcmp (name, "followups") == 0)
    {
      JsonObject *rows[2] = { old_row, new_row };

      for (guint i = 0; i < 2; i++)
        if (rows[i] &&
            (!recompute_last_followup (ctx, str_member (rows[i], "target_module"), str_member (rows[i], "target_id"), error) ||
             !recompute_last_followup (ctx, "customers", str_member (rows[i], "customer_id"), error)))
          return FALSE;
    }
  else if (strcmp (name, "stage_groups") == 0 && new_row)
    {
      /* A new sales process closes like every other: won 100 %, lost and
       * invalid 0 %, whoever makes it (a local store, the record route,
       * a pushed create). */
      if (old_row == NULL && !kehu_admin_ensure_terminal_stages (kehu_context_get_store (ctx), id, error))
        return FALSE;
      /* One default group: the others give it up, as record changes so
       * that they sync and are logged. */
      if (flag_member (new_row, "is_default") && !flag_member (old_row, "is_default"))
        {
          char *other;

          while ((other = _kehu_query_text (ctx, "SELECT id FROM stage_groups WHERE is_default = 1 AND id != ?1 LIMIT 1",
                                            id, NULL)) != NULL)
            {
              g_autoptr(JsonObject) off = json_object_new ();
              gboolean ok;

              json_object_set_boolean_member (off, "is_default", FALSE);
              ok = trusted_update (ctx, "stage_groups", other, off, "update", error);
              g_free (other);
              if (!ok)
                return FALSE;
            }
        }
    }
  else if (strcmp (name, "opportunities") == 0 && new_row)
    {
      const char *old_stage = str_member (old_row, "stage_id");
      const char *new_stage = str_member (new_row, "stage_id");

      if (g_strcmp0 (old_stage, new_stage) != 0)
        {
          g_autofree char *now = kehu_context_now_string (ctx);
          g_autofree char *dwell = NULL;
          const char *since = str_member (old_row, "stage_changed_at");

          if (since == NULL)
            since = str_member (old_row, "created_at");
          if (old_row)
            dwell = g_strdup_printf ("%" G_GINT64_FORMAT, days_between (since, now));
          if (!_kehu_exec (ctx, error,
                           "INSERT INTO opportunity_stage_history (opportunity_id, from_stage_id, to_stage_id,"
                           " changed_at, changed_by, dwell_days) VALUES (?1, ?2, ?3, ?4, ?5, CAST (?6 AS INTEGER))",
                           id, old_stage ? old_stage : NUL, new_stage ? new_stage : NUL, now,
                           kehu_context_get_user_id (ctx) ? kehu_context_get_user_id (ctx) : NUL,
                           dwell ? dwell : NUL, NULL))
            return FALSE;
        }
    }
  return TRUE;
}

/* Trusted updates -------------------------------------------------------------------------- */

static gboolean
trusted_update (KehuContext  *ctx,
                const char   *module,
                const char   *id,
                JsonObject   *fields,
                const char   *action,
                GError      **error)
{
  gboolean trusted = kehu_context_get_trusted (ctx);
  gboolean ok;

  kehu_context_set_trusted (ctx, TRUE);
  ok = _kehu_record_update_full (ctx, module, id, fields, action, error);
  kehu_context_set_trusted (ctx, trusted);
  return ok;
}

/* Conversion --------------------------------------------------------------------------------- */

static void
copy_member (JsonObject *to,
             JsonObject *from,
             const char *to_name,
             const char *from_name)
{
  JsonNode *node = json_object_get_member (from, from_name);

  if (node && !JSON_NODE_HOLDS_NULL (node))
    json_object_set_member (to, to_name, json_node_copy (node));
}

/**
 * kehu_rules_convert_lead:
 * @customer_id: (out) (optional): the new customer
 *
 * Creates a customer from the lead (name, phone, e-mail, source, industry,
 * level, region, address, remark, owner, and custom fields of the same name),
 * a contact when the lead names a person or a mobile number, moves the lead's
 * follow-ups to the customer (re-targeted, not copied, so the timeline has
 * each once), and marks the lead converted with converted_customer_id.
 */
gboolean
kehu_rules_convert_lead (KehuContext  *ctx,
                         const char   *lead_id,
                         char        **customer_id,
                         GError      **error)
{
  g_autoptr(JsonObject) lead = NULL;
  g_autoptr(JsonObject) customer = json_object_new ();
  g_autoptr(JsonObject) lead_changes = json_object_new ();
  g_autoptr(JsonObject) extra = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);
  const KehuModule *customers = kehu_schema_get_module (kehu_context_get_schema (ctx), "customers");
  const char *copied[] = { "name", "phone", "email", "source", "industry", "level", "region", "address", "remark", NULL };
  JsonObject *lead_extra;

  if (!kehu_context_begin (ctx, error))
    return FALSE;

  lead = kehu_record_get (ctx, "leads", lead_id, error);
  if (lead == NULL)
    goto fail;
  if (!json_object_get_null_member (lead, "deleted_at"))
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_DELETED, NULL,
                       _("This lead is in the recycle bin: restore it first"));
      goto fail;
    }
  if (g_strcmp0 (str_member (lead, "status"), "converted") == 0)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_ALREADY_CONVERTED, "status",
                       _("The lead “%s” was already converted to a customer"), str_member (lead, "name"));
      goto fail;
    }

  for (guint i = 0; copied[i]; i++)
    copy_member (customer, lead, copied[i], copied[i]);
  if (json_object_has_member (lead, "phone") && json_object_get_null_member (lead, "phone"))
    copy_member (customer, lead, "phone", "mobile");
  json_object_set_member (customer, "owner_id", json_node_copy (json_object_get_member (lead, "owner_id")));
  lead_extra = json_object_get_object_member (lead, "extra");
  {
    g_autoptr(GList) keys = json_object_get_members (lead_extra);
    for (GList *k = keys; k; k = k->next)
      {
        const KehuField *field = kehu_module_lookup_field (customers, k->data);
        if (field && (field->flags & KEHU_FIELD_CUSTOM))
          copy_member (extra, lead_extra, k->data, k->data);
      }
  }
  json_object_set_object_member (customer, "extra", json_object_ref (extra));

  id = kehu_record_create (ctx, "customers", customer, error);
  if (id == NULL)
    goto fail;

  if (str_member (lead, "contact_name") || str_member (lead, "mobile"))
    {
      g_autoptr(JsonObject) contact = json_object_new ();
      g_autofree char *contact_id = NULL;

      json_object_set_string_member (contact, "customer_id", id);
      json_object_set_string_member (contact, "name",
                                     str_member (lead, "contact_name") ? str_member (lead, "contact_name")
                                                                       : str_member (lead, "name"));
      copy_member (contact, lead, "mobile", "mobile");
      copy_member (contact, lead, "phone", "phone");
      copy_member (contact, lead, "email", "email");
      json_object_set_boolean_member (contact, "is_primary", TRUE);
      json_object_set_member (contact, "owner_id", json_node_copy (json_object_get_member (lead, "owner_id")));
      contact_id = kehu_record_create (ctx, "contacts", contact, error);
      if (contact_id == NULL)
        goto fail;
    }

  if (!_kehu_exec (ctx, error,
                   "UPDATE followups SET target_module = 'customers', target_id = ?2, customer_id = ?2"
                   " WHERE target_module = 'leads' AND target_id = ?1",
                   lead_id, id, NULL) ||
      !recompute_last_followup (ctx, "customers", id, error))
    goto fail;

  json_object_set_string_member (lead_changes, "status", "converted");
  json_object_set_string_member (lead_changes, "converted_customer_id", id);
  json_object_set_string_member (lead_changes, "converted_at", now);
  if (!trusted_update (ctx, "leads", lead_id, lead_changes, "convert", error) ||
      !kehu_context_commit (ctx, error))
    goto fail;

  if (customer_id)
    *customer_id = g_steal_pointer (&id);
  return TRUE;

fail:
  kehu_context_rollback (ctx);
  return FALSE;
}

/* All or nothing: one refused lead leaves every lead as it was. */
gboolean
kehu_rules_convert_leads (KehuContext         *ctx,
                          const char * const  *lead_ids,
                          GError             **error)
{
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  for (guint i = 0; lead_ids[i]; i++)
    if (!kehu_rules_convert_lead (ctx, lead_ids[i], NULL, error))
      {
        kehu_context_rollback (ctx);
        return FALSE;
      }
  if (!kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

/* Transfer --------------------------------------------------------------------------------------- */

/* On a client cache the team change also goes to the server, as an action
 * it checks like its own team routes. */
static gboolean
queue_team_action (KehuContext  *ctx,
                   const char   *module,
                   const char   *record_id,
                   const char   *action,
                   const char   *user_id,
                   const char   *access,
                   GError      **error)
{
  g_autoptr(JsonObject) args = NULL;

  if (!kehu_context_get_outbox (ctx))
    return TRUE;
  args = json_object_new ();
  json_object_set_string_member (args, "user_id", user_id);
  if (access != NULL)
    json_object_set_string_member (args, "access", access);
  return kehu_sync_queue_action (ctx, module, record_id, action, args, error);
}

gboolean
kehu_rules_add_team_member (KehuContext  *ctx,
                            const char   *module,
                            const char   *record_id,
                            const char   *user_id,
                            const char   *access,
                            GError      **error)
{
  g_autofree char *now = kehu_context_now_string (ctx);
  const char *me = kehu_context_get_user_id (ctx);

  if (g_strcmp0 (access, "read") != 0 && g_strcmp0 (access, "write") != 0)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_IN_DICTIONARY, "access",
                       _("Team access must be “read” or “write”"));
      return FALSE;
    }
  return _kehu_exec (ctx, error,
                     "INSERT INTO team_members (module, record_id, user_id, access, added_at, added_by)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                     " ON CONFLICT (module, record_id, user_id) DO UPDATE SET access = excluded.access",
                     module, record_id, user_id, access, now, me ? me : NUL, NULL) &&
         _kehu_oplog (ctx, module, record_id, "team_add", "team", NULL, user_id, error) &&
         _kehu_record_bump_rev (ctx, module, record_id, error) &&
         queue_team_action (ctx, module, record_id, "team_add", user_id, access, error);
}

/**
 * kehu_rules_remove_team_member:
 * @removed: (out) (optional): whether the user was on the team
 *
 * Takes the user off the record's team. Like kehu_rules_add_team_member(),
 * gives the record a new rev (with kehu_context_set_assign_revs()), so
 * that the team change reaches the clients' caches with the next pull.
 */
gboolean
kehu_rules_remove_team_member (KehuContext  *ctx,
                               const char   *module,
                               const char   *record_id,
                               const char   *user_id,
                               gboolean     *removed,
                               GError      **error)
{
  gboolean was = _kehu_query_int (ctx, 0, "SELECT 1 FROM team_members WHERE module = ?1 AND record_id = ?2 AND user_id = ?3",
                                  module, record_id, user_id, NULL) != 0;

  if (removed != NULL)
    *removed = was;
  if (!was)
    return TRUE;
  return _kehu_exec (ctx, error, "DELETE FROM team_members WHERE module = ?1 AND record_id = ?2 AND user_id = ?3",
                     module, record_id, user_id, NULL) &&
         _kehu_oplog (ctx, module, record_id, "team_remove", "team", user_id, NULL, error) &&
         _kehu_record_bump_rev (ctx, module, record_id, error) &&
         queue_team_action (ctx, module, record_id, "team_remove", user_id, NULL, error);
}

static gboolean
transfer_one (KehuContext        *ctx,
              const char         *module,
              const char         *id,
              const char         *new_owner,
              KehuTransferFlags   flags,
              GError            **error)
{
  g_autoptr(JsonObject) row = NULL;
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *old_owner = NULL;
  g_autofree char *now = kehu_context_now_string (ctx);

  row = kehu_record_get (ctx, module, id, error);
  if (row == NULL)
    return FALSE;
  if (!json_object_get_null_member (row, "deleted_at"))
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_DELETED, NULL,
                       _("A record in the recycle bin cannot be transferred"));
      return FALSE;
    }
  old_owner = g_strdup (str_member (row, "owner_id"));

  json_object_set_string_member (changes, "owner_id", new_owner);
  if (strcmp (module, "customers") == 0 && g_strcmp0 (old_owner, new_owner) != 0)
    {
      json_object_set_string_member (changes, "owned_since", now);
      json_object_set_null_member (changes, "pool_id");
      json_object_set_null_member (changes, "pooled_at");
    }
  if (!trusted_update (ctx, module, id, changes, "transfer", error))
    return FALSE;

  /* The new owner does not need to be on the team any more. */
  if (!_kehu_exec (ctx, error, "DELETE FROM team_members WHERE module = ?1 AND record_id = ?2 AND user_id = ?3",
                   module, id, new_owner, NULL))
    return FALSE;
  if (old_owner && g_strcmp0 (old_owner, new_owner) != 0 &&
      (flags & (KEHU_TRANSFER_KEEP_TEAM_READ | KEHU_TRANSFER_KEEP_TEAM_WRITE)) &&
      !kehu_rules_add_team_member (ctx, module, id, old_owner,
                                   (flags & KEHU_TRANSFER_KEEP_TEAM_WRITE) ? "write" : "read", error))
    return FALSE;

  if ((flags & KEHU_TRANSFER_CASCADE) && strcmp (module, "customers") == 0)
    {
      const char *children[] = { "contacts", "opportunities", "contracts" };

      for (guint c = 0; c < G_N_ELEMENTS (children); c++)
        {
          g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE customer_id = ?1 AND deleted_at IS NULL"
                                                  " ORDER BY id", children[c]);
          g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
          sqlite3_stmt *stmt = NULL;

          sqlite3_prepare_v2 (kehu_store_get_db (kehu_context_get_store (ctx)), sql, -1, &stmt, NULL);
          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
          sqlite3_finalize (stmt);

          for (guint i = 0; i < ids->len; i++)
            if (!transfer_one (ctx, children[c], g_ptr_array_index (ids, i), new_owner,
                               flags & ~KEHU_TRANSFER_CASCADE, error))
              return FALSE;
        }
    }
  return TRUE;
}

/**
 * kehu_rules_transfer:
 * @ids: NULL-terminated record ids
 * @flags: cascade to a customer's contacts, opportunities and contracts;
 *   keep the old owner on the team
 *
 * All or nothing. The oplog gets an action "transfer" row for owner_id on
 * each record moved.
 */
gboolean
kehu_rules_transfer (KehuContext         *ctx,
                     const char          *module,
                     const char * const  *ids,
                     const char          *new_owner_id,
                     KehuTransferFlags    flags,
                     GError             **error)
{
  const KehuModule *m = kehu_schema_get_module (kehu_context_get_schema (ctx), module);

  if (m == NULL || !kehu_module_has_column (m, "owner_id") || !kehu_module_has_column (m, "deleted_at"))
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_UNKNOWN_MODULE, NULL,
                       _("Records of “%s” cannot be transferred"), module ? module : "");
      return FALSE;
    }
  if (new_owner_id == NULL ||
      _kehu_query_int (ctx, 0, "SELECT is_enabled FROM users WHERE id = ?1 AND deleted_at IS NULL",
                       new_owner_id, NULL) != 1)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_MISSING_REFERENCE, "owner_id",
                       _("The new owner is not an enabled user"));
      return FALSE;
    }
  /* On a client cache a transfer is an action the server decides: applied
   * here at once and queued with all its options (kehu-sync.c). */
  if (_kehu_context_outbox_takes_action (ctx))
    return kehu_sync_transfer_full (ctx, module, ids, new_owner_id, flags, error);
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  for (guint i = 0; ids[i]; i++)
    if (!transfer_one (ctx, module, ids[i], new_owner_id, flags, error))
      {
        kehu_context_rollback (ctx);
        return FALSE;
      }
  if (!kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

/* Stages --------------------------------------------------------------------------------------- */

gboolean
kehu_rules_change_stage (KehuContext  *ctx,
                         const char   *opportunity_id,
                         const char   *stage_id,
                         const char   *reason,
                         GError      **error)
{
  g_autoptr(JsonObject) changes = json_object_new ();

  if (!kehu_context_begin (ctx, error))
    return FALSE;
  json_object_set_string_member (changes, "stage_id", stage_id);
  if (!kehu_record_update (ctx, "opportunities", opportunity_id, changes, error) ||
      (reason && !_kehu_exec (ctx, error,
                              "UPDATE opportunity_stage_history SET reason = ?2 WHERE id ="
                              " (SELECT MAX (id) FROM opportunity_stage_history WHERE opportunity_id = ?1)",
                              opportunity_id, reason, NULL)) ||
      !kehu_context_commit (ctx, error))
    {
      kehu_context_rollback (ctx);
      return FALSE;
    }
  return TRUE;
}

static gboolean
close_opportunity (KehuContext  *ctx,
                   const char   *opportunity_id,
                   const char   *kind,
                   const char   *lost_reason,
                   GError      **error)
{
  g_autofree char *stage = _kehu_query_text (ctx,
                                             "SELECT s.id FROM stages s JOIN opportunities o ON o.stage_group_id = s.group_id"
                                             " WHERE o.id = ?1 AND s.kind = ?2 ORDER BY s.position LIMIT 1",
                                             opportunity_id, kind, NULL);
  g_autoptr(JsonObject) changes = json_object_new ();

  if (_kehu_query_int (ctx, 0, "SELECT 1 FROM opportunities WHERE id = ?1", opportunity_id, NULL) != 1)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_NOT_FOUND, NULL,
                       _("There is no %s with the id “%s”"), _("Opportunity"), opportunity_id);
      return FALSE;
    }
  if (stage == NULL)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_INVALID, "stage_id",
                       _("The opportunity’s stage group has no stage for this outcome"));
      return FALSE;
    }
  json_object_set_string_member (changes, "stage_id", stage);
  if (lost_reason)
    json_object_set_string_member (changes, "lost_reason", lost_reason);
  return kehu_record_update (ctx, "opportunities", opportunity_id, changes, error);
}

gboolean
kehu_rules_win (KehuContext  *ctx,
                const char   *opportunity_id,
                GError      **error)
{
  return close_opportunity (ctx, opportunity_id, "won", NULL, error);
}

gboolean
kehu_rules_lose (KehuContext  *ctx,
                 const char   *opportunity_id,
                 const char   *lost_reason,
                 GError      **error)
{
  if (lost_reason == NULL || *lost_reason == '\0')
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_REQUIRED, "lost_reason", _("“%s” is required"), _("Lost reason"));
      return FALSE;
    }
  return close_opportunity (ctx, opportunity_id, "lost", lost_reason, error);
}

/* Product lines -------------------------------------------------------------------------------- */

/**
 * kehu_rules_line_subtotal:
 * @price: unit price in cents
 * @quantity: thousandths of a unit
 * @discount: percent off, 0…100
 *
 * price × quantity / 1000 × (100 − discount) / 100, computed exactly in
 * 128-bit integers and rounded once, half away from zero, to whole cents.
 */
gint64
kehu_rules_line_subtotal (gint64 price,
                          gint64 quantity,
                          gint64 discount)
{
  __int128 n = (__int128) price * quantity * (100 - discount);
  const __int128 den = 100000;

  if (n >= 0)
    return (gint64) ((n + den / 2) / den);
  return (gint64) -((-n + den / 2) / den);
}

static gboolean
line_int (JsonObject  *line,
          const char  *name,
          gint64       fallback,
          gint64       min,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (line, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = fallback;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    {
      g_autofree char *lo = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *hi = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      _kehu_set_error (error, KEHU_RECORD_ERROR_WRONG_TYPE, name,
                       _("“%s” of a product line must be a whole number from %s to %s"), name, lo, hi);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

/**
 * kehu_rules_set_product_lines:
 * @module: "opportunities" or "contracts"
 * @lines: objects {product_id, price (cents), quantity (thousandths, default
 *   1000), discount (percent, default 0), remark}; replaces every line
 *
 * Computes each subtotal; an opportunity's amount becomes the lines' total,
 * a contract's product_total likewise (its amount stays what was agreed).
 */
gboolean
kehu_rules_set_product_lines (KehuContext  *ctx,
                              const char   *module,
                              const char   *record_id,
                              JsonArray    *lines,
                              GError      **error)
{
  gboolean opportunity = g_strcmp0 (module, "opportunities") == 0;
  const char *table = opportunity ? "opportunity_products" : "contract_products";
  const char *parent = opportunity ? "opportunity_id" : "contract_id";
  g_autofree char *delete_sql = g_strdup_printf ("DELETE FROM %s WHERE %s = ?1", table, parent);
  g_autofree char *insert_sql = g_strdup_printf ("INSERT INTO %s (id, %s, product_id, position, price, quantity,"
                                                 " discount, subtotal, remark) VALUES (?1, ?2, ?3, CAST (?4 AS INTEGER),"
                                                 " CAST (?5 AS INTEGER), CAST (?6 AS INTEGER), CAST (?7 AS INTEGER),"
                                                 " CAST (?8 AS INTEGER), ?9)", table, parent);
  g_autoptr(JsonObject) row = NULL;
  gint64 total = 0;

  if (!opportunity && g_strcmp0 (module, "contracts") != 0)
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_UNKNOWN_MODULE, NULL,
                       _("Records of “%s” have no product lines"), module ? module : "");
      return FALSE;
    }
  if (!kehu_context_begin (ctx, error))
    return FALSE;
  row = kehu_record_get (ctx, module, record_id, error);
  if (row == NULL)
    goto fail;
  if (!json_object_get_null_member (row, "deleted_at"))
    {
      _kehu_set_error (error, KEHU_RECORD_ERROR_DELETED, NULL,
                       _("This record is in the recycle bin: restore it first"));
      goto fail;
    }
  if (!_kehu_exec (ctx, error, delete_sql, record_id, NULL))
    goto fail;

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *line = json_array_get_object_element (lines, i);
      gint64 price, quantity, discount, subtotal;
      const char *product = line ? str_member (line, "product_id") : NULL;
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *s_pos = NULL, *s_price = NULL, *s_qty = NULL, *s_disc = NULL, *s_sub = NULL;

      if (line == NULL)
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_WRONG_TYPE, "lines", _("A product line must be an object"));
          goto fail;
        }
      if (!line_int (line, "price", 0, 0, G_MAXINT64 / 1000, &price, error) ||
          !line_int (line, "quantity", 1000, 1, 1000000000000, &quantity, error) ||
          !line_int (line, "discount", 0, 0, 100, &discount, error))
        goto fail;
      if (product && _kehu_query_int (ctx, 0, "SELECT 1 FROM products WHERE id = ?1 AND deleted_at IS NULL",
                                      product, NULL) != 1)
        {
          _kehu_set_error (error, KEHU_RECORD_ERROR_MISSING_REFERENCE, "product_id",
                           _("“%s” refers to a record that does not exist or is in the recycle bin"), _("Product"));
          goto fail;
        }
      subtotal = kehu_rules_line_subtotal (price, quantity, discount);
      total += subtotal;
      s_pos = g_strdup_printf ("%u", i);
      s_price = g_strdup_printf ("%" G_GINT64_FORMAT, price);
      s_qty = g_strdup_printf ("%" G_GINT64_FORMAT, quantity);
      s_disc = g_strdup_printf ("%" G_GINT64_FORMAT, discount);
      s_sub = g_strdup_printf ("%" G_GINT64_FORMAT, subtotal);
      if (!_kehu_exec (ctx, error, insert_sql, id, record_id, product ? product : NUL, s_pos, s_price, s_qty,
                       s_disc, s_sub, str_member (line, "remark") ? str_member (line, "remark") : NUL, NULL))
        goto fail;
    }

  if (opportunity)
    {
      g_autoptr(JsonObject) changes = json_object_new ();
      json_object_set_int_member (changes, "amount", total);
      if (!kehu_record_update (ctx, module, record_id, changes, error))
        goto fail;
    }
  else
    {
      g_autofree char *old_total = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (row, "product_total"));
      g_autofree char *new_total = g_strdup_printf ("%" G_GINT64_FORMAT, total);

      if (!kehu_rules_recompute_contract (ctx, record_id, error) ||
          (g_strcmp0 (old_total, new_total) != 0 &&
           !_kehu_oplog (ctx, module, record_id, "update", "product_total", old_total, new_total, error)))
        goto fail;
    }
  if (!kehu_context_commit (ctx, error))
    goto fail;
  return TRUE;

fail:
  kehu_context_rollback (ctx);
  return FALSE;
}

/* Duplicates ----------------------------------------------------------------------------------- */

/**
 * kehu_rules_find_duplicate_customers:
 * @name: (nullable): compared by kehu_schema_normalize_name()
 * @phone: (nullable): compared as typed and as digits only
 * @exclude_id: (nullable): the customer being edited
 *
 * Returns: (transfer full): live customers that match, each
 *   {id, name, phone, owner_id, match: "name" | "phone"}
 */
JsonArray *
kehu_rules_find_duplicate_customers (KehuContext *ctx,
                                     const char  *name,
                                     const char  *phone,
                                     const char  *exclude_id)
{
  JsonArray *result = json_array_new ();
  g_autofree char *key = name ? kehu_schema_normalize_name (name) : NULL;
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3 *db = kehu_store_get_db (kehu_context_get_store (ctx));

  for (const char *p = phone; p && *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  for (guint pass = 0; pass < 2; pass++)
    {
      sqlite3_stmt *stmt = NULL;

      if (pass == 0 && (key == NULL || *key == '\0'))
        continue;
      if (pass == 1 && digits->len == 0)
        continue;
      sqlite3_prepare_v2 (db,
                          pass == 0
                          ? "SELECT id, name, phone, owner_id FROM customers WHERE name_key = ?1"
                            " AND deleted_at IS NULL AND id IS NOT ?3 ORDER BY name, id LIMIT 50"
                          : "SELECT id, name, phone, owner_id FROM customers WHERE phone IN (?1, ?2)"
                            " AND deleted_at IS NULL AND id IS NOT ?3 ORDER BY name, id LIMIT 50",
                          -1, &stmt, NULL);
      sqlite3_bind_text (stmt, 1, pass == 0 ? key : phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, digits->str, -1, SQLITE_STATIC);
      if (exclude_id)
        sqlite3_bind_text (stmt, 3, exclude_id, -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);
          JsonObject *candidate;

          if (g_hash_table_contains (seen, id))
            continue;
          g_hash_table_add (seen, g_strdup (id));
          candidate = json_object_new ();
          json_object_set_string_member (candidate, "id", id);
          json_object_set_string_member (candidate, "name", (const char *) sqlite3_column_text (stmt, 1));
          json_object_set_string_member (candidate, "phone", (const char *) sqlite3_column_text (stmt, 2));
          json_object_set_string_member (candidate, "owner_id", (const char *) sqlite3_column_text (stmt, 3));
          json_object_set_string_member (candidate, "match", pass == 0 ? "name" : "phone");
          json_array_add_object_element (result, candidate);
        }
      sqlite3_finalize (stmt);
    }
  return result;
}
