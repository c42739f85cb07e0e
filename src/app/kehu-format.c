/* kehu-format.c: values of records as people read and type them
 *
 * Money is parsed digit by digit into integer cents: "0.1 + 0.2" problems
 * never reach an amount. Times are stored in UTC and shown in local time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-app"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "kehu-format.h"

G_DEFINE_QUARK (kehu-format-error-quark, kehu_format_error)

char *
kehu_format_money (gint64 cents)
{
  GString *out = g_string_new (NULL);
  guint64 abs = cents < 0 ? (guint64) (-(cents + 1)) + 1 : (guint64) cents;
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, abs / 100);
  gsize len = strlen (digits);

  if (cents < 0)
    g_string_append_c (out, '-');
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  g_string_append_printf (out, ".%02u", (guint) (abs % 100));
  return g_string_free (out, FALSE);
}

gboolean
kehu_parse_money (const char  *text,
                  gint64      *cents,
                  GError     **error)
{
  const char *p = text;
  gboolean negative = FALSE;
  gboolean any_digit = FALSE;
  guint64 whole = 0;
  guint frac = 0;
  int n_frac = -1;   /* -1: no decimal point seen */

  g_return_val_if_fail (text != NULL, FALSE);

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (g_str_has_prefix (p, "¥"))
    p += strlen ("¥");
  else if (g_str_has_prefix (p, "￥"))
    p += strlen ("￥");

  for (; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          any_digit = TRUE;
          if (n_frac < 0)
            {
              if (whole > (G_MAXINT64 / 100 - 9) / 10)
                goto too_large;
              whole = whole * 10 + (guint) (*p - '0');
            }
          else if (n_frac < 2)
            {
              frac = frac * 10 + (guint) (*p - '0');
              n_frac++;
            }
          else
            {
              g_set_error (error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID,
                           _("Use at most two decimals (fen) for an amount"));
              return FALSE;
            }
        }
      else if (*p == ',' && n_frac < 0)
        continue;
      else if (*p == '.' && n_frac < 0)
        n_frac = 0;
      else if (g_ascii_isspace (*p))
        {
          while (g_ascii_isspace (*p))
            p++;
          if (*p != '\0')
            goto invalid;
          break;
        }
      else
        goto invalid;
    }

  if (!any_digit)
    goto invalid;
  if (n_frac == 1)
    frac *= 10;
  *cents = (gint64) (whole * 100 + frac);
  if (negative)
    *cents = -*cents;
  return TRUE;

invalid:
  g_set_error (error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID,
               _("Enter an amount in yuan, such as 1,234.50"));
  return FALSE;

too_large:
  g_set_error (error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID,
               _("The amount is too large"));
  return FALSE;
}

char *
kehu_format_datetime (const char *iso)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso == NULL || *iso == '\0')
    return g_strdup ("");
  if (strlen (iso) == 10)
    return g_strdup (iso);
  dt = g_date_time_new_from_iso8601 (iso, NULL);
  if (dt == NULL)
    return g_strdup (iso);
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

gboolean
kehu_parse_date (const char  *text,
                 char       **date,
                 GError     **error)
{
  int y, m, d;
  char extra;

  /* "2026-11-22", "2026/11/22" and "2026.11.22" are all common. */
  if (text != NULL &&
      (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 ||
       sscanf (text, "%4d/%2d/%2d%c", &y, &m, &d, &extra) == 3 ||
       sscanf (text, "%4d.%2d.%2d%c", &y, &m, &d, &extra) == 3) &&
      g_date_valid_dmy (d, m, y))
    {
      *date = g_strdup_printf ("%04d-%02d-%02d", y, m, d);
      return TRUE;
    }

  g_set_error (error, KEHU_FORMAT_ERROR, KEHU_FORMAT_ERROR_INVALID,
               _("Enter a date as year-month-day, such as 2026-11-22"));
  return FALSE;
}

static const struct { const char *field; const char *value; const char *label; } enum_labels[] = {
  { "status", "new", N_("New") },
  { "status", "following", N_("Following up") },
  { "status", "converted", N_("Converted") },
  { "status", "invalid", N_("Invalid") },
  { "status", "open", N_("Open") },
  { "status", "won", N_("Won") },
  { "status", "lost", N_("Lost") },
  { "status", "pending", N_("Not received") },
  { "status", "partial", N_("Partly received") },
  { "status", "received", N_("Received") },
  { "status", "todo", N_("To do") },
  { "status", "done", N_("Done") },
  { "deal_status", "none", N_("No deal") },
  { "deal_status", "deal", N_("Deal") },
  { "gender", "male", N_("Male") },
  { "gender", "female", N_("Female") },
  { "gender", "unknown", N_("Unknown") },
  { "approval_status", "draft", N_("Draft") },
  { "approval_status", "pending", N_("Awaiting approval") },
  { "approval_status", "approved", N_("Approved") },
  { "approval_status", "rejected", N_("Rejected") },
  { "approval_status", "withdrawn", N_("Withdrawn") },
  { "priority", "none", N_("None") },
  { "priority", "low", N_("Low") },
  { "priority", "medium", N_("Medium") },
  { "priority", "high", N_("High") },
};

const char *
kehu_format_enum (const char *field,
                  const char *value)
{
  for (guint i = 0; value != NULL && i < G_N_ELEMENTS (enum_labels); i++)
    if (strcmp (enum_labels[i].value, value) == 0 && g_strcmp0 (enum_labels[i].field, field) == 0)
      return _(enum_labels[i].label);
  return value;
}

struct _KehuDictionaries
{
  GHashTable *labels;   /* "dictionary\x1fvalue" → label */
  GHashTable *items;    /* dictionary → GPtrArray (value, label, …) */
};

KehuDictionaries *
kehu_dictionaries_new (KehuStore *store)
{
  KehuDictionaries *self = g_new0 (KehuDictionaries, 1);
  sqlite3_stmt *stmt = NULL;

  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);

  if (sqlite3_prepare_v2 (kehu_store_get_db (store),
                          "SELECT dictionary_id, value, label, is_enabled FROM dictionary_items"
                          " ORDER BY dictionary_id, position, value",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("Cannot read the data dictionaries: %s", sqlite3_errmsg (kehu_store_get_db (store)));
      return self;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *dict = (const char *) sqlite3_column_text (stmt, 0);
      const char *value = (const char *) sqlite3_column_text (stmt, 1);
      const char *label = kehu_schema_display_label ((const char *) sqlite3_column_text (stmt, 2));
      GPtrArray *list;

      g_hash_table_insert (self->labels, g_strconcat (dict, "\x1f", value, NULL), g_strdup (label));
      if (!sqlite3_column_int (stmt, 3))
        continue;
      list = g_hash_table_lookup (self->items, dict);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (self->items, g_strdup (dict), list);
        }
      g_ptr_array_add (list, g_strdup (value));
      g_ptr_array_add (list, g_strdup (label));
    }
  sqlite3_finalize (stmt);
  return self;
}

void
kehu_dictionaries_free (KehuDictionaries *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->labels);
  g_hash_table_unref (self->items);
  g_free (self);
}

const char *
kehu_dictionaries_lookup (KehuDictionaries *self,
                          const char       *dictionary,
                          const char       *value)
{
  g_autofree char *key = NULL;
  const char *label;

  if (value == NULL || dictionary == NULL)
    return value;
  key = g_strconcat (dictionary, "\x1f", value, NULL);
  label = g_hash_table_lookup (self->labels, key);
  return label ? label : value;
}

GPtrArray *
kehu_dictionaries_items (KehuDictionaries *self,
                         const char       *dictionary)
{
  GPtrArray *list = dictionary ? g_hash_table_lookup (self->items, dictionary) : NULL;

  return list ? g_ptr_array_ref (list) : g_ptr_array_new_with_free_func (g_free);
}

char *
kehu_format_field (const KehuField  *field,
                   const char       *value,
                   const char       *reference_label,
                   KehuDictionaries *dictionaries)
{
  if (value == NULL)
    return g_strdup ("");

  switch (field->type)
    {
    case KEHU_FIELD_MONEY:
      return kehu_format_money (g_ascii_strtoll (value, NULL, 10));
    case KEHU_FIELD_PERCENT:
      return g_strdup_printf ("%s%%", value);
    case KEHU_FIELD_QUANTITY:
      {
        gint64 q = g_ascii_strtoll (value, NULL, 10);
        if (q % 1000 == 0)
          return g_strdup_printf ("%" G_GINT64_FORMAT, q / 1000);
        return g_strdup_printf ("%" G_GINT64_FORMAT ".%03d", q / 1000, (int) ABS (q % 1000));
      }
    case KEHU_FIELD_DATETIME:
      return kehu_format_datetime (value);
    case KEHU_FIELD_BOOLEAN:
      return g_strdup (g_strcmp0 (value, "1") == 0 || g_strcmp0 (value, "true") == 0 ? _("Yes") : _("No"));
    case KEHU_FIELD_CHOICE:
      return g_strdup (dictionaries ? kehu_dictionaries_lookup (dictionaries, field->dictionary, value) : value);
    case KEHU_FIELD_ENUM:
      return g_strdup (kehu_format_enum (field->name, value));
    case KEHU_FIELD_USER:
    case KEHU_FIELD_REFERENCE:
      return g_strdup (reference_label ? kehu_schema_display_label (reference_label) : "");
    case KEHU_FIELD_TAGS:
    case KEHU_FIELD_MULTI_CHOICE:
      {
        /* A JSON array of strings: show it as "a, b". */
        g_autoptr(GString) out = g_string_new (NULL);
        g_auto(GStrv) parts = g_strsplit_set (value, "[]\",", -1);

        for (guint i = 0; parts[i]; i++)
          {
            const char *part = g_strstrip (parts[i]);
            if (*part == '\0')
              continue;
            if (out->len)
              g_string_append (out, ", ");
            if (field->type == KEHU_FIELD_MULTI_CHOICE && dictionaries)
              part = kehu_dictionaries_lookup (dictionaries, field->dictionary, part);
            g_string_append (out, part);
          }
        return g_string_free (g_steal_pointer (&out), FALSE);
      }
    default:
      return g_strdup (value);
    }
}
