/* kehu-seeds.c: migration 3's seed data, and the customer name key
 *
 * Seeds are written in C so their labels are N_() strings the translation
 * tools see. Rows store the English source label and are shown through
 * kehu_schema_display_label() (gettext), so a zh_CN user sees 办公室, 验证客户…
 * while an administrator's own renaming shows as typed. Ids are fixed
 * (KEHU_ID_* in kehu-schema.h; dictionary items "<dictionary>.<value>"), so
 * every database built by the same migrations agrees on them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-schema"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "kehu-schema.h"

typedef struct
{
  const char *value;
  const char *label;
} Item;

typedef struct
{
  const char *id;
  const char *name;
  const Item *items;
} Dictionary;

static const Item customer_level[] = {
  { "potential", N_("Potential customer") },
  { "normal", N_("Normal customer") },
  { "vip", N_("VIP customer") },
  { NULL, NULL },
};
static const Item customer_type[] = {
  { "enterprise", N_("Enterprise") },
  { "government", N_("Government agency") },
  { "education", N_("School or university") },
  { "individual", N_("Individual") },
  { "other", N_("Other") },
  { NULL, NULL },
};
static const Item customer_source[] = {
  { "telemarketing", N_("Telemarketing") },
  { "website", N_("Company website") },
  { "referral", N_("Referral") },
  { "exhibition", N_("Exhibition") },
  { "advertising", N_("Advertising") },
  { "other", N_("Other") },
  { NULL, NULL },
};
static const Item industry[] = {
  { "it", N_("Internet and IT") },
  { "manufacturing", N_("Manufacturing") },
  { "finance", N_("Finance") },
  { "education", N_("Education") },
  { "healthcare", N_("Healthcare") },
  { "retail", N_("Retail") },
  { "real_estate", N_("Real estate") },
  { "government", N_("Government") },
  { "other", N_("Other") },
  { NULL, NULL },
};
static const Item followup_method[] = {
  { "phone", N_("Phone call") },
  { "email", N_("E-mail") },
  { "visit", N_("Visit") },
  { "sms", N_("Text message") },
  { "wechat", N_("WeChat") },
  { "meeting", N_("Meeting") },
  { NULL, NULL },
};
static const Item payment_method[] = {
  { "bank_transfer", N_("Bank transfer") },
  { "cash", N_("Cash") },
  { "cheque", N_("Cheque") },
  { "alipay", N_("Alipay") },
  { "wechat_pay", N_("WeChat Pay") },
  { "other", N_("Other") },
  { NULL, NULL },
};
static const Item invoice_type[] = {
  { "normal", N_("Ordinary VAT invoice") },
  { "special", N_("Special VAT invoice") },
  { NULL, NULL },
};
static const Item lost_reason[] = {
  { "price", N_("Price too high") },
  { "competitor", N_("Chose a competitor") },
  { "budget", N_("No budget") },
  { "need_changed", N_("Needs changed") },
  { "no_response", N_("No response") },
  { "other", N_("Other") },
  { NULL, NULL },
};

static const Dictionary dictionaries[] = {
  { "customer_level", N_("Customer level"), customer_level },
  { "customer_type", N_("Customer type"), customer_type },
  { "customer_source", N_("Customer source"), customer_source },
  { "industry", N_("Industry"), industry },
  { "followup_method", N_("Follow-up method"), followup_method },
  { "payment_method", N_("Payment method"), payment_method },
  { "invoice_type", N_("Invoice type"), invoice_type },
  { "lost_reason", N_("Lost reason"), lost_reason },
};

static const struct
{
  const char *id;
  const char *name;
  int win_rate;
  const char *kind;
} stages[] = {
  { KEHU_ID_STAGE_QUALIFY, N_("Qualify the customer"), 10, "open" },
  { KEHU_ID_STAGE_NEEDS, N_("Needs analysis"), 30, "open" },
  { KEHU_ID_STAGE_PROPOSAL, N_("Proposal and quote"), 60, "open" },
  { KEHU_ID_STAGE_NEGOTIATION, N_("Negotiation and review"), 80, "open" },
  { KEHU_ID_STAGE_WON, N_("Deal won"), 100, "won" },
  { KEHU_ID_STAGE_LOST, N_("Deal lost"), 0, "lost" },
  { KEHU_ID_STAGE_INVALID, N_("Invalid opportunity"), 0, "invalid" },
};

/* Operation permissions: "<module permission key>.<action>". */
static const char * const sales_modules[] = {
  "lead", "customer", "contact", "opportunity", "contract", "payment_plan", "payment",
  "invoice", "product", "followup", "task", "schedule", "attachment", NULL,
};
static const char * const transferable[] = {
  "lead", "customer", "contact", "opportunity", "contract", NULL,
};
static const char * const admin_modules[] = {
  "department", "user", "role", "pool", "stage_group", "approval_flow", "sales_target",
  "custom_field", "dictionary", "product_category", "scene", NULL,
};

static void
add_permission (JsonArray  *array,
                const char *module,
                const char *action)
{
  g_autofree char *permission = g_strconcat (module, ".", action, NULL);
  json_array_add_string_element (array, permission);
}

static JsonArray *
permissions_for (const char *role)
{
  JsonArray *array = json_array_new ();
  gboolean admin = strcmp (role, "admin") == 0;
  gboolean manager = admin || strcmp (role, "manager") == 0;

  for (guint i = 0; sales_modules[i]; i++)
    {
      const char *m = sales_modules[i];

#define ADD(action) add_permission (array, m, action)
      if (strcmp (m, "product") == 0 && !manager)
        {
          ADD ("read");
          continue;
        }
      ADD ("create");
      ADD ("read");
      ADD ("edit");
      if (manager)
        {
          ADD ("delete");
          ADD ("import");
          ADD ("export");
        }
      if (g_strv_contains (transferable, m) && manager)
        ADD ("transfer");
#undef ADD
    }

  json_array_add_string_element (array, "customer.claim");
  json_array_add_string_element (array, "customer.return");
  json_array_add_string_element (array, "customer.lock");
  json_array_add_string_element (array, "lead.convert");
  json_array_add_string_element (array, "report.read");
  if (manager)
    {
      json_array_add_string_element (array, "customer.assign");
      json_array_add_string_element (array, "contract.approve");
      json_array_add_string_element (array, "payment.approve");
      json_array_add_string_element (array, "invoice.approve");
      json_array_add_string_element (array, "sales_target.read");
      json_array_add_string_element (array, "sales_target.edit");
      json_array_add_string_element (array, "recycle.restore");
    }
  if (admin)
    {
      for (guint i = 0; admin_modules[i]; i++)
        {
          const char *actions[] = { "create", "read", "edit", "delete", NULL };
          for (guint j = 0; actions[j]; j++)
            {
              g_autofree char *p = g_strconcat (admin_modules[i], ".", actions[j], NULL);
              if (strcmp (p, "sales_target.read") != 0 && strcmp (p, "sales_target.edit") != 0)
                json_array_add_string_element (array, p);
            }
        }
      json_array_add_string_element (array, "recycle.purge");
      json_array_add_string_element (array, "oplog.read");
      json_array_add_string_element (array, "login_log.read");
    }

  return array;
}

static gboolean
exec_bound (KehuStore   *store,
            const char  *sql,
            GError     **error,
            const char  *first,
            ...)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  const char *arg = first;
  va_list args;
  int rc, i = 1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return kehu_store_set_error_from_db (store, sqlite3_errcode (db), error);
  va_start (args, first);
  while (arg != (const char *) 1)
    {
      sqlite3_bind_text (stmt, i++, arg, -1, SQLITE_TRANSIENT);
      arg = va_arg (args, const char *);
    }
  va_end (args);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (store, rc, error);
  return TRUE;
}

#define END ((const char *) 1)

static gboolean
fill_name_keys (KehuStore  *store,
                GError    **error)
{
  sqlite3 *db = kehu_store_get_db (store);
  sqlite3_stmt *select = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);

  if (sqlite3_prepare_v2 (db, "SELECT id, name FROM customers", -1, &select, NULL) != SQLITE_OK)
    return kehu_store_set_error_from_db (store, sqlite3_errcode (db), error);
  while (sqlite3_step (select) == SQLITE_ROW)
    {
      g_ptr_array_add (rows, g_strdup ((const char *) sqlite3_column_text (select, 0)));
      g_ptr_array_add (rows, kehu_schema_normalize_name ((const char *) sqlite3_column_text (select, 1)));
    }
  sqlite3_finalize (select);

  for (guint i = 0; i < rows->len; i += 2)
    if (!exec_bound (store, "UPDATE customers SET name_key = ?2 WHERE id = ?1", error,
                     g_ptr_array_index (rows, i), g_ptr_array_index (rows, i + 1), END))
      return FALSE;
  return TRUE;
}

gboolean
_kehu_schema_apply_seeds (KehuStore  *store,
                          GError    **error)
{
  g_autoptr(GDateTime) clock = g_date_time_new_now_utc ();
  g_autofree char *now = g_date_time_format (clock, "%Y-%m-%dT%H:%M:%SZ");
  const struct { const char *id; const char *name; const char *desc; const char *scope; const char *kind; } roles[] = {
    { KEHU_ID_ROLE_SUPER_ADMIN, N_("Super administrator"), N_("Every permission, on every record"), "all", "admin" },
    { KEHU_ID_ROLE_SALES_MANAGER, N_("Sales manager"), N_("Manages the records of their department and its sub-departments"), "department_and_children", "manager" },
    { KEHU_ID_ROLE_SALES_REP, N_("Sales representative"), N_("Works on their own records"), "self", "rep" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dictionaries); i++)
    {
      const Dictionary *d = &dictionaries[i];

      if (!exec_bound (store,
                       "INSERT INTO dictionaries (id, created_at, updated_at, name, is_system) VALUES (?1, ?2, ?2, ?3, 1)",
                       error, d->id, now, d->name, END))
        return FALSE;
      for (guint j = 0; d->items[j].value; j++)
        {
          g_autofree char *id = g_strconcat (d->id, ".", d->items[j].value, NULL);
          g_autofree char *position = g_strdup_printf ("%u", j);

          if (!exec_bound (store,
                           "INSERT INTO dictionary_items (id, dictionary_id, value, label, position)"
                           " VALUES (?1, ?2, ?3, ?4, CAST (?5 AS INTEGER))",
                           error, id, d->id, d->items[j].value, d->items[j].label, position, END))
            return FALSE;
        }
    }

  if (!exec_bound (store,
                   "INSERT INTO stage_groups (id, created_at, updated_at, name, is_default) VALUES (?1, ?2, ?2, ?3, 1)",
                   error, KEHU_ID_DEFAULT_STAGE_GROUP, now, N_("Default sales process"), END))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_autofree char *rate = g_strdup_printf ("%d", stages[i].win_rate);
      g_autofree char *position = g_strdup_printf ("%u", i);

      if (!exec_bound (store,
                       "INSERT INTO stages (id, group_id, name, win_rate, position, kind)"
                       " VALUES (?1, ?2, ?3, CAST (?4 AS INTEGER), CAST (?5 AS INTEGER), ?6)",
                       error, stages[i].id, KEHU_ID_DEFAULT_STAGE_GROUP, stages[i].name, rate, position,
                       stages[i].kind, END))
        return FALSE;
    }

  /* SPEC §10: the top department defaults to 办公室. */
  if (!exec_bound (store,
                   "INSERT INTO departments (id, created_at, updated_at, name) VALUES (?1, ?2, ?2, ?3)",
                   error, KEHU_ID_TOP_DEPARTMENT, now, N_("Office"), END))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autoptr(JsonArray) perms = permissions_for (roles[i].kind);
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), perms);
      g_autofree char *json = json_to_string (node, FALSE);

      if (!exec_bound (store,
                       "INSERT INTO roles (id, created_at, updated_at, name, description, permissions, data_scope, is_system)"
                       " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, 1)",
                       error, roles[i].id, now, roles[i].name, roles[i].desc, json, roles[i].scope, END))
        return FALSE;
    }

  if (!exec_bound (store,
                   "INSERT INTO pools (id, created_at, updated_at, name, description, is_default)"
                   " VALUES (?1, ?2, ?2, ?3, ?4, 1)",
                   error, KEHU_ID_DEFAULT_POOL, now, N_("Public pool"),
                   N_("Customers without an owner, open to every sales representative"), END))
    return FALSE;
  /* Everyone is a member of the default pool through the top department. */
  if (!exec_bound (store,
                   "INSERT INTO pool_members (pool_id, member_type, member_id) VALUES (?1, 'department', ?2)",
                   error, KEHU_ID_DEFAULT_POOL, KEHU_ID_TOP_DEPARTMENT, END))
    return FALSE;

  return fill_name_keys (store, error);
}

/* Name key ----------------------------------------------------------------------- */

static const char * const name_suffixes[] = {
  "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
  "co.,ltd.", "co.,ltd", "co.ltd.", "co.ltd", "ltd.", "ltd", "inc.", "inc", "corp.", "corp",
  "co.", "llc", "gmbh", "limited", "company",
  NULL,
};

/**
 * kehu_schema_normalize_name:
 * @name: a customer name
 *
 * The key two names of one customer share: full-width characters folded
 * (NFKC), case folded, spaces and punctuation dropped, and common company
 * suffixes (有限公司, 股份有限公司, Co., Ltd.…) removed from the end, so that
 * “北京某某科技有限公司”, “北京某某科技 股份有限公司” and “北京某某科技” match.
 *
 * Returns: (transfer full): the key, "" for an empty name
 */
char *
kehu_schema_normalize_name (const char *name)
{
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  GString *key;
  gboolean stripped;

  if (name == NULL)
    return g_strdup ("");
  nfkc = g_utf8_normalize (name, -1, G_NORMALIZE_NFKC);
  if (nfkc == NULL)
    return g_strdup ("");
  folded = g_utf8_casefold (nfkc, -1);

  key = g_string_new (NULL);
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Keep '.' and ',' for the suffix match below; drop them after. */
      if (g_unichar_isspace (c) || c == '(' || c == ')' || c == '-' || c == '_' ||
          c == '&' || c == '\'' || c == '"' || c == 0x3001 || c == 0x3002 || c == 0x00b7)
        continue;
      g_string_append_unichar (key, c);
    }

  do
    {
      stripped = FALSE;
      for (guint i = 0; name_suffixes[i]; i++)
        if (g_str_has_suffix (key->str, name_suffixes[i]))
          {
            /* A name that is nothing but a suffix stays as it is. */
            if (key->len == strlen (name_suffixes[i]))
              break;
            g_string_truncate (key, key->len - strlen (name_suffixes[i]));
            while (key->len && (key->str[key->len - 1] == ',' || key->str[key->len - 1] == '.'))
              g_string_truncate (key, key->len - 1);
            stripped = TRUE;
            break;
          }
    }
  while (stripped);

  for (gsize i = 0; i < key->len;)
    if (key->str[i] == ',' || key->str[i] == '.')
      g_string_erase (key, i, 1);
    else
      i++;

  return g_string_free (key, FALSE);
}
