/* kehu-display.c: values of records as users read them
 *
 * Money in yuan with thousands separators (stored as int64 cents, never
 * converted through floating point), times in the user's time zone,
 * dictionary values by their label, references by the title of the record
 * they point at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "kehu-display.h"

char *
kehu_display_money (gint64 cents)
{
  g_autoptr(GString) digits = NULL;
  guint64 abs_cents = cents < 0 ? (guint64) -(cents + 1) + 1 : (guint64) cents;
  guint64 yuan = abs_cents / 100;
  guint fen = abs_cents % 100;
  g_autofree char *plain = g_strdup_printf ("%" G_GUINT64_FORMAT, yuan);
  gsize len = strlen (plain);

  digits = g_string_new (cents < 0 ? "-¥" : "¥");
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (digits, ',');
      g_string_append_c (digits, plain[i]);
    }
  g_string_append_printf (digits, ".%02u", fen);

  return g_string_free (g_steal_pointer (&digits), FALSE);
}

/* "1,234.5", "¥1234.56", "-3" → cents, without floating point. */
gboolean
kehu_display_parse_money (const char *text,
                  gint64     *cents)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  gboolean negative = FALSE;
  gboolean seen_dot = FALSE;
  guint decimals = 0;
  gint64 value = 0;

  if (text == NULL)
    return FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ',' || c == ' ' || c == 0xA5 /* ¥ */ || c == 0xFFE5 /* ￥ */)
        continue;
      g_string_append_unichar (clean, c);
    }

  if (clean->len == 0)
    return FALSE;

  for (gsize i = 0; i < clean->len; i++)
    {
      char c = clean->str[i];

      if (i == 0 && c == '-')
        negative = TRUE;
      else if (c == '.' && !seen_dot)
        seen_dot = TRUE;
      else if (g_ascii_isdigit (c))
        {
          if (seen_dot && ++decimals > 2)
            return FALSE;
          if (value > (G_MAXINT64 - 9) / 10)
            return FALSE;
          value = value * 10 + (c - '0');
        }
      else
        return FALSE;
    }

  for (; decimals < 2; decimals++)
    {
      if (value > G_MAXINT64 / 10)
        return FALSE;
      value *= 10;
    }

  *cents = negative ? -value : value;
  return TRUE;
}

char *
kehu_display_time (const char *iso_utc)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso_utc == NULL || *iso_utc == '\0')
    return g_strdup ("");
  if (strlen (iso_utc) == 10)
    return g_strdup (iso_utc);

  time = g_date_time_new_from_iso8601 (iso_utc, NULL);
  if (time == NULL)
    return g_strdup (iso_utc);

  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" in the local time zone. */
GDateTime *
kehu_display_parse_local_time (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  int y, mo, d, h = 9, mi = 0;
  int n;

  n = sscanf (stripped, "%4d-%2d-%2d %2d:%2d", &y, &mo, &d, &h, &mi);
  if (n != 3 && n != 5)
    return NULL;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59)
    return NULL;

  return g_date_time_new (tz, y, mo, d, h, mi, 0);
}

/* The fixed values of enumerated columns, as users read them. */
static const struct {
  const char *value;
  const char *label;
} enum_labels[] = {
  { "new", N_("New") },
  { "following", N_("Following up") },
  { "converted", N_("Converted") },
  { "invalid", N_("Invalid") },
  { "open", N_("Open") },
  { "won", N_("Won") },
  { "lost", N_("Lost") },
  { "draft", N_("Draft") },
  { "pending", N_("Pending approval") },
  { "approved", N_("Approved") },
  { "rejected", N_("Rejected") },
  { "withdrawn", N_("Withdrawn") },
  { "none", N_("None") },
  { "deal", N_("Deal") },
  { "partial", N_("Partly received") },
  { "received", N_("Received") },
  { "male", N_("Male") },
  { "female", N_("Female") },
  { "unknown", N_("Unknown") },
  { "low", N_("Low") },
  { "medium", N_("Medium") },
  { "high", N_("High") },
  { "todo", N_("To do") },
  { "done", N_("Done") },
  { "self", N_("Self") },
  { "self_and_subordinates", N_("Self and subordinates") },
  { "department", N_("Own department") },
  { "department_and_children", N_("Own department and sub-departments") },
  { "all", N_("All") },
};

const char *
kehu_display_enum (const char *value)
{
  for (guint i = 0; i < G_N_ELEMENTS (enum_labels); i++)
    if (g_strcmp0 (enum_labels[i].value, value) == 0)
      return _(enum_labels[i].label);

  return value;
}

char *
kehu_display_dictionary (KehuStore  *store,
                        const char *dictionary,
                        const char *value)
{
  g_autoptr(JsonObject) row = NULL;

  if (value == NULL)
    return g_strdup ("");

  row = kehu_admin_query_one (store, NULL,
                              "SELECT label FROM dictionary_items WHERE dictionary_id = ? AND value = ?",
                              dictionary, value, NULL);
  if (row == NULL)
    return g_strdup (value);

  return g_strdup (kehu_schema_display_label (json_object_get_string_member (row, "label")));
}

static const char *
title_column (const char *module)
{
  static const struct { const char *module; const char *column; } columns[] = {
    { "users", "name" }, { "departments", "name" }, { "roles", "name" },
    { "stages", "name" }, { "stage_groups", "name" }, { "pools", "name" },
    { "product_categories", "name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    if (g_str_equal (columns[i].module, module))
      return columns[i].column;

  return kehu_admin_table_title_column (module);
}

char *
kehu_display_record_title (KehuStore  *store,
                          const char *module,
                          const char *id)
{
  g_autoptr(JsonObject) row = NULL;
  g_autofree char *sql = NULL;
  const char *column;

  if (id == NULL || module == NULL || (column = title_column (module)) == NULL)
    return g_strdup (id ? id : "");

  /* Identifiers from the fixed lists above and in kehu-admin.c. */
  sql = g_strdup_printf ("SELECT CAST (%s AS TEXT) AS title FROM %s WHERE id = ?", column, module);
  row = kehu_admin_query_one (store, NULL, sql, id, NULL);
  if (row == NULL)
    return g_strdup (_("(deleted)"));

  /* The seeded settings rows (the default stage group and pool, the top
   * department, the system roles) have names in the interface language. */
  if (g_str_equal (module, "stages") || g_str_equal (module, "stage_groups") || g_str_equal (module, "pools") ||
      g_str_equal (module, "departments") || g_str_equal (module, "roles") ||
      g_str_equal (module, "product_categories"))
    return g_strdup (kehu_schema_display_label (json_object_get_string_member (row, "title")));
  if (g_str_equal (module, "payment_plans"))
    return g_strdup_printf (_("Instalment %s"), json_object_get_string_member (row, "title"));
  if (json_object_get_null_member (row, "title"))
    return g_strdup (_("(untitled)"));

  return g_strdup (json_object_get_string_member (row, "title"));
}

char *
kehu_display_user (KehuStore  *store,
                  const char *user_id)
{
  if (user_id == NULL)
    return g_strdup (_("Nobody"));

  return kehu_display_record_title (store, "users", user_id);
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);

      if (t == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (t == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (t == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "1" : "0");
      if (t == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
        }
    }

  return json_to_string (node, FALSE);
}

/* The stored value of @field in @record as text (custom fields from extra). */
static char *
dup_stored (const KehuField *field,
            JsonObject      *record)
{
  if (field->flags & KEHU_FIELD_CUSTOM)
    {
      const char *extra = json_object_get_string_member_with_default (record, "extra", "{}");
      g_autoptr(JsonNode) root = json_from_string (extra, NULL);

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        return NULL;
      return node_to_text (json_object_get_member (json_node_get_object (root), field->name));
    }

  return node_to_text (json_object_get_member (record, field->name));
}

char *
kehu_display_stored_value (KehuStore       *store,
                          const KehuField *field,
                          const char      *value)
{
  if (value == NULL || *value == '\0')
    return g_strdup ("");

  switch (field->type)
    {
    case KEHU_FIELD_MONEY:
      return kehu_display_money (g_ascii_strtoll (value, NULL, 10));
    case KEHU_FIELD_PERCENT:
      return g_strdup_printf ("%s%%", value);
    case KEHU_FIELD_DATETIME:
      return kehu_display_time (value);
    case KEHU_FIELD_BOOLEAN:
      return g_strdup (g_str_equal (value, "1") || g_str_equal (value, "true") ? _("Yes") : _("No"));
    case KEHU_FIELD_CHOICE:
      return kehu_display_dictionary (store, field->dictionary, value);
    case KEHU_FIELD_ENUM:
      return g_strdup (kehu_display_enum (value));
    case KEHU_FIELD_REFERENCE:
      return kehu_display_record_title (store, field->reference, value);
    case KEHU_FIELD_USER:
      return kehu_display_user (store, value);
    case KEHU_FIELD_TAGS:
    case KEHU_FIELD_MULTI_CHOICE:
      {
        g_autoptr(JsonNode) node = json_from_string (value, NULL);
        g_autoptr(GString) out = g_string_new (NULL);

        if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
          return g_strdup (value);
        for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
          {
            const char *item = json_array_get_string_element (json_node_get_array (node), i);
            g_autofree char *label = field->type == KEHU_FIELD_MULTI_CHOICE
              ? kehu_display_dictionary (store, field->dictionary, item) : g_strdup (item);

            if (out->len > 0)
              g_string_append (out, _(", "));
            g_string_append (out, label ? label : "");
          }
        return g_string_free (g_steal_pointer (&out), FALSE);
      }
    default:
      return g_strdup (value);
    }
}

char *
kehu_display_field (KehuStore       *store,
                   const KehuField *field,
                   JsonObject      *record)
{
  g_autofree char *stored = dup_stored (field, record);

  return kehu_display_stored_value (store, field, stored);
}

static const struct {
  const char *module;
  const char *singular;
  const char *page;
} modules[] = {
  { "leads", N_("Lead"), "leads" },
  { "customers", N_("Customer"), "customers" },
  { "contacts", N_("Contact"), "contacts" },
  { "opportunities", N_("Opportunity"), "opportunities" },
  { "contracts", N_("Contract"), "contracts" },
  { "payment_plans", N_("Payment Plan"), "payments" },
  { "payments", N_("Payment"), "payments" },
  { "invoices", N_("Invoice"), "contracts" },
  { "products", N_("Product"), "settings" },
  { "followups", N_("Follow-up"), "customers" },
  { "tasks", N_("Task"), "tasks" },
  { "schedules", N_("Schedule"), "tasks" },
  { "attachments", N_("Attachment"), "customers" },
};

const char *
kehu_display_module_singular (const char *module)
{
  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    if (g_strcmp0 (modules[i].module, module) == 0)
      return _(modules[i].singular);

  return module;
}

/* The sidebar page a record of @module belongs to. */
const char *
kehu_display_page_for_module (const char *module)
{
  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    if (g_strcmp0 (modules[i].module, module) == 0)
      return modules[i].page;

  return NULL;
}
