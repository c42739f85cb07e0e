/* test-query.c: filters, sorts, keyset paging and the pager, checked against
 * a naive in-memory implementation over generated records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "kehu-test-util.h"

#define N_ROWS 2000

typedef struct
{
  char     id[40];
  char    *name;
  char    *level;
  char    *region;
  gboolean is_hot;
  gint64   contract_total;
  char    *last_followup_at;
  char    *created_at;
  char    *owner_id;
  char    *last_deal_at;
  gboolean has_budget;
  gint64   budget;
  gboolean deleted;
  gboolean team[3];        /* on the team of user 1..3 */
} Row;

static const char *names[] = { "北京大学", "alpha", "Alpha Beta", "beta", "上海某某科技有限公司", "Gamma", "gamma ray",
                               "北京某某科技", "delta", "ALPHA", "上海大学", "Zeta", "zeta", "北京" };
static const char *levels[] = { NULL, "potential", "normal", "vip" };
static const char *regions[] = { NULL, "", "华北", "华东", "North", "north east" };
static const char *users[] = { NULL, TEST_USER_1, TEST_USER_2, TEST_USER_3 };

typedef struct
{
  KehuFixture f;
  Row         rows[N_ROWS];
} Data;

/* Field values as SQL sees them ---------------------------------------------------- */

typedef struct
{
  gboolean null;
  gboolean numeric;
  gint64   i;
  const char *s;
} Val;

static Val
get (const Row  *r,
     const char *field)
{
  Val v = { FALSE, FALSE, 0, NULL };

#define TEXT(x) do { v.s = (x); v.null = (x) == NULL; } while (0)
#define NUM(x) do { v.numeric = TRUE; v.i = (x); } while (0)
  if (g_str_equal (field, "name")) TEXT (r->name);
  else if (g_str_equal (field, "level")) TEXT (r->level);
  else if (g_str_equal (field, "region")) TEXT (r->region);
  else if (g_str_equal (field, "is_hot")) NUM (r->is_hot);
  else if (g_str_equal (field, "contract_total")) NUM (r->contract_total);
  else if (g_str_equal (field, "last_followup_at")) TEXT (r->last_followup_at);
  else if (g_str_equal (field, "created_at")) TEXT (r->created_at);
  else if (g_str_equal (field, "owner_id")) TEXT (r->owner_id);
  else if (g_str_equal (field, "last_deal_at")) TEXT (r->last_deal_at);
  else if (g_str_equal (field, "budget"))
    {
      NUM (r->budget);
      v.null = !r->has_budget;
    }
  else
    g_assert_not_reached ();
#undef TEXT
#undef NUM
  return v;
}

static int
cmp_val (Val         a,
         JsonNode   *b)
{
  if (a.numeric)
    {
      gint64 y = json_node_get_value_type (b) == G_TYPE_BOOLEAN ? json_node_get_boolean (b) : json_node_get_int (b);
      return a.i < y ? -1 : a.i > y;
    }
  return strcmp (a.s, json_node_get_string (b));
}

static gboolean
ascii_contains (const char *hay,
                const char *needle)
{
  g_autofree char *h = g_ascii_strdown (hay, -1);
  g_autofree char *n = g_ascii_strdown (needle, -1);
  return strstr (h, n) != NULL;
}

typedef struct
{
  char     *field;
  char     *op;
  JsonNode *value;
  char     *lo, *hi;     /* date presets: expected bounds, computed independently */
} Cond;

static void
cond_free (Cond *c)
{
  g_free (c->field);
  g_free (c->op);
  g_clear_pointer (&c->value, json_node_unref);
  g_free (c->lo);
  g_free (c->hi);
  g_free (c);
}

static gboolean
naive_match (const Row *r,
             Cond      *c)
{
  Val v = get (r, c->field);
  const char *op = c->op;

  if (g_str_equal (op, "empty") || g_str_equal (op, "not_empty"))
    {
      gboolean empty = v.null || (!v.numeric && v.s[0] == '\0');
      return g_str_equal (op, "empty") ? empty : !empty;
    }
  if (g_str_equal (op, "ne"))
    return v.null || cmp_val (v, c->value) != 0;
  if (g_str_equal (op, "not_in"))
    {
      JsonArray *a = json_node_get_array (c->value);
      if (v.null)
        return TRUE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (cmp_val (v, json_array_get_element (a, i)) == 0)
          return FALSE;
      return TRUE;
    }
  if (g_str_equal (op, "not_contains"))
    return v.null || !ascii_contains (v.s, json_node_get_string (c->value));
  if (v.null)
    return FALSE;
  if (g_str_equal (op, "eq")) return cmp_val (v, c->value) == 0;
  if (g_str_equal (op, "gt")) return cmp_val (v, c->value) > 0;
  if (g_str_equal (op, "gte")) return cmp_val (v, c->value) >= 0;
  if (g_str_equal (op, "lt")) return cmp_val (v, c->value) < 0;
  if (g_str_equal (op, "lte")) return cmp_val (v, c->value) <= 0;
  if (g_str_equal (op, "contains")) return ascii_contains (v.s, json_node_get_string (c->value));
  if (g_str_equal (op, "between"))
    {
      JsonArray *a = json_node_get_array (c->value);
      return cmp_val (v, json_array_get_element (a, 0)) >= 0 && cmp_val (v, json_array_get_element (a, 1)) <= 0;
    }
  if (g_str_equal (op, "in"))
    {
      JsonArray *a = json_node_get_array (c->value);
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (cmp_val (v, json_array_get_element (a, i)) == 0)
          return TRUE;
      return FALSE;
    }
  if (g_str_equal (op, "date"))
    return strcmp (v.s, c->lo) >= 0 && strcmp (v.s, c->hi) < 0;
  g_assert_not_reached ();
}

/* Date presets, by hand for now = 2026-03-15T10:00:00Z (Sunday 18:00 in Shanghai) --- */

static const struct { const char *preset; const char *lo, *hi, *dlo, *dhi; } presets[] = {
  { "today", "2026-03-14T16:00:00Z", "2026-03-15T16:00:00Z", "2026-03-15", "2026-03-16" },
  { "yesterday", "2026-03-13T16:00:00Z", "2026-03-14T16:00:00Z", "2026-03-14", "2026-03-15" },
  { "tomorrow", "2026-03-15T16:00:00Z", "2026-03-16T16:00:00Z", "2026-03-16", "2026-03-17" },
  { "this_week", "2026-03-08T16:00:00Z", "2026-03-15T16:00:00Z", "2026-03-09", "2026-03-16" },
  { "last_week", "2026-03-01T16:00:00Z", "2026-03-08T16:00:00Z", "2026-03-02", "2026-03-09" },
  { "next_week", "2026-03-15T16:00:00Z", "2026-03-22T16:00:00Z", "2026-03-16", "2026-03-23" },
  { "this_month", "2026-02-28T16:00:00Z", "2026-03-31T16:00:00Z", "2026-03-01", "2026-04-01" },
  { "last_month", "2026-01-31T16:00:00Z", "2026-02-28T16:00:00Z", "2026-02-01", "2026-03-01" },
  { "next_month", "2026-03-31T16:00:00Z", "2026-04-30T16:00:00Z", "2026-04-01", "2026-05-01" },
  { "this_quarter", "2025-12-31T16:00:00Z", "2026-03-31T16:00:00Z", "2026-01-01", "2026-04-01" },
  { "last_quarter", "2025-09-30T16:00:00Z", "2025-12-31T16:00:00Z", "2025-10-01", "2026-01-01" },
  { "this_year", "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z", "2026-01-01", "2027-01-01" },
  { "last_year", "2024-12-31T16:00:00Z", "2025-12-31T16:00:00Z", "2025-01-01", "2026-01-01" },
};

/* last_days / next_days: plain calendar arithmetic on the local date 2026-03-15. */
static void
days_bounds (const char  *preset,
             int          n,
             gboolean     dates,
             char       **lo,
             char       **hi)
{
  GDate a, b;

  g_date_clear (&a, 1);
  g_date_set_dmy (&a, 15, 3, 2026);
  b = a;
  if (g_str_equal (preset, "last_days"))
    {
      g_date_subtract_days (&a, n - 1);
      g_date_add_days (&b, 1);
    }
  else
    g_date_add_days (&b, n);
  /* Local midnight in Shanghai (UTC+8, no DST) is 16:00 UTC the day before. */
  if (!dates)
    {
      g_date_subtract_days (&a, 1);
      g_date_subtract_days (&b, 1);
    }
  *lo = g_strdup_printf (dates ? "%04d-%02d-%02d" : "%04d-%02d-%02dT16:00:00Z",
                         g_date_get_year (&a), g_date_get_month (&a), g_date_get_day (&a));
  *hi = g_strdup_printf (dates ? "%04d-%02d-%02d" : "%04d-%02d-%02dT16:00:00Z",
                         g_date_get_year (&b), g_date_get_month (&b), g_date_get_day (&b));
}

/* Data ----------------------------------------------------------------------------------- */

static char *
random_time (GRand *rand,
             gint64 from,
             gint64 span)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (from + g_rand_int_range (rand, 0, (gint32) span));
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
}

static void
data_set_up (Data          *d,
             gconstpointer  user_data)
{
  KehuFixture *f = &d->f;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260315);
  g_autofree char *cf = NULL;
  sqlite3_stmt *insert = NULL, *team = NULL;
  /* 2025-12-01T00:00:00Z and 2026-01-01T00:00:00Z */
  const gint64 dec1 = 1764547200, jan1 = 1767225600;

  kehu_fixture_set_up (f, NULL);
  cf = kehu_schema_add_custom_field (f->schema, "customers", "budget", "预算", KEHU_FIELD_MONEY, 0, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (kehu_store_begin (f->store, &error));
  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store),
                   "INSERT INTO customers (id, created_at, updated_at, name, level, region, is_hot, contract_total,"
                   " last_followup_at, owner_id, last_deal_at, extra, deleted_at)"
                   " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1, &insert, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (kehu_store_get_db (f->store),
                   "INSERT INTO team_members (module, record_id, user_id, access, added_at)"
                   " VALUES ('customers', ?1, ?2, 'read', '2026-01-01T00:00:00Z')", -1, &team, NULL), ==, SQLITE_OK);

  for (guint i = 0; i < N_ROWS; i++)
    {
      Row *r = &d->rows[i];
      g_autofree char *extra = NULL;

      /* Ids in an order unrelated to insertion. */
      g_snprintf (r->id, sizeof r->id, "%08x-0000-4000-8000-%012x", g_rand_int (rand), i);
      r->name = g_strdup (names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))]);
      r->level = g_strdup (levels[g_rand_int_range (rand, 0, G_N_ELEMENTS (levels))]);
      r->region = g_strdup (regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))]);
      r->is_hot = g_rand_boolean (rand);
      r->contract_total = g_rand_int_range (rand, 0, 40) * 1000;
      r->last_followup_at = g_rand_int_range (rand, 0, 4) ? random_time (rand, jan1, 120 * 86400) : NULL;
      r->created_at = random_time (rand, dec1 - 400 * 86400, 520 * 86400);
      r->owner_id = g_strdup (users[g_rand_int_range (rand, 0, G_N_ELEMENTS (users))]);
      if (g_rand_int_range (rand, 0, 3))
        {
          g_autofree char *t = random_time (rand, dec1, 150 * 86400);
          r->last_deal_at = g_strndup (t, 10);
        }
      r->has_budget = g_rand_boolean (rand);
      r->budget = g_rand_int_range (rand, -3, 30) * 500;
      r->deleted = g_rand_int_range (rand, 0, 20) == 0;
      extra = r->has_budget ? g_strdup_printf ("{\"budget\":%" G_GINT64_FORMAT "}", r->budget) : g_strdup ("{}");

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, r->id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 2, r->created_at, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, r->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 4, r->level, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, r->region, -1, SQLITE_STATIC);
      sqlite3_bind_int (insert, 6, r->is_hot);
      sqlite3_bind_int64 (insert, 7, r->contract_total);
      sqlite3_bind_text (insert, 8, r->last_followup_at, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 9, r->owner_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 10, r->last_deal_at, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 11, extra, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 12, r->deleted ? "2026-03-01T00:00:00Z" : NULL, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (insert), ==, SQLITE_DONE);

      for (guint u = 0; u < 3; u++)
        if (g_rand_int_range (rand, 0, 10) == 0)
          {
            r->team[u] = TRUE;
            sqlite3_reset (team);
            sqlite3_bind_text (team, 1, r->id, -1, SQLITE_STATIC);
            sqlite3_bind_text (team, 2, users[u + 1], -1, SQLITE_STATIC);
            g_assert_cmpint (sqlite3_step (team), ==, SQLITE_DONE);
          }
    }
  sqlite3_finalize (insert);
  sqlite3_finalize (team);
  g_assert_true (kehu_store_commit (f->store, &error));
}

static void
data_tear_down (Data          *d,
                gconstpointer  user_data)
{
  for (guint i = 0; i < N_ROWS; i++)
    {
      Row *r = &d->rows[i];
      g_free (r->name);
      g_free (r->level);
      g_free (r->region);
      g_free (r->last_followup_at);
      g_free (r->created_at);
      g_free (r->owner_id);
      g_free (r->last_deal_at);
    }
  kehu_fixture_tear_down (&d->f, NULL);
}

/* Random queries ---------------------------------------------------------------------------- */

static JsonNode *
pick_value (GRand      *rand,
            const Data *d,
            const char *field)
{
  const Row *r = &d->rows[g_rand_int_range (rand, 0, N_ROWS)];
  Val v = get (r, field);
  JsonNode *node = json_node_alloc ();

  if (g_str_equal (field, "is_hot"))
    return json_node_init_boolean (node, g_rand_boolean (rand));
  if (v.numeric)
    return json_node_init_int (node, v.null ? 1000 : v.i + g_rand_int_range (rand, -1, 2) * (g_rand_boolean (rand) ? 0 : 500));
  if (g_str_equal (field, "name") && g_rand_int_range (rand, 0, 3) == 0)
    {
      const char *subs[] = { "al", "A", "大学", "北京", "ZETA", "ray", "x" };
      return json_node_init_string (node, subs[g_rand_int_range (rand, 0, G_N_ELEMENTS (subs))]);
    }
  if (v.null)
    {
      const char *fallback = g_str_has_suffix (field, "_at") ? "2026-02-15T08:00:00Z"
                             : g_str_equal (field, "last_deal_at") ? "2026-02-01" : "vip";
      return json_node_init_string (node, fallback);
    }
  return json_node_init_string (node, v.s);
}

static Cond *
random_condition (GRand      *rand,
                  const Data *d)
{
  static const struct { const char *field; const char *ops; } fields[] = {
    { "name", "eq ne contains not_contains gt lt between in not_in" },
    { "level", "eq ne in not_in empty not_empty" },
    { "region", "eq ne contains empty not_empty in" },
    { "is_hot", "eq ne" },
    { "contract_total", "eq ne gt gte lt lte between in" },
    { "last_followup_at", "date gt lte empty not_empty" },
    { "created_at", "date gte lt" },
    { "last_deal_at", "date eq between empty" },
    { "owner_id", "eq ne in empty not_empty" },
    { "budget", "eq gt lt between empty not_empty not_in" },
  };
  guint f = g_rand_int_range (rand, 0, G_N_ELEMENTS (fields));
  g_auto(GStrv) ops = g_strsplit (fields[f].ops, " ", -1);
  Cond *c = g_new0 (Cond, 1);

  c->field = g_strdup (fields[f].field);
  c->op = g_strdup (ops[g_rand_int_range (rand, 0, g_strv_length (ops))]);

  if (g_str_equal (c->op, "date"))
    {
      gboolean dates = g_str_equal (c->field, "last_deal_at");
      guint p = g_rand_int_range (rand, 0, G_N_ELEMENTS (presets) + 2);

      if (p < G_N_ELEMENTS (presets))
        {
          c->value = json_node_init_string (json_node_alloc (), presets[p].preset);
          c->lo = g_strdup (dates ? presets[p].dlo : presets[p].lo);
          c->hi = g_strdup (dates ? presets[p].dhi : presets[p].hi);
        }
      else
        {
          const char *preset = p == G_N_ELEMENTS (presets) ? "last_days" : "next_days";
          int n = g_rand_int_range (rand, 1, 60);
          c->value = json_node_init_string (json_node_alloc (), preset);
          /* The n travels in the JSON form; keep it in lo until then. */
          days_bounds (preset, n, dates, &c->lo, &c->hi);
          g_free (c->op);
          c->op = g_strdup_printf ("date:%d", n);
        }
    }
  else if (g_str_equal (c->op, "between"))
    {
      JsonArray *a = json_array_new ();
      JsonNode *x = pick_value (rand, d, c->field), *y = pick_value (rand, d, c->field);
      gboolean numeric = JSON_NODE_HOLDS_VALUE (x) && json_node_get_value_type (x) == G_TYPE_INT64;
      int order = numeric ? (json_node_get_int (x) > json_node_get_int (y)) : strcmp (json_node_get_string (x), json_node_get_string (y)) > 0;

      json_array_add_element (a, order ? y : x);
      json_array_add_element (a, order ? x : y);
      c->value = json_node_init_array (json_node_alloc (), a);
      json_array_unref (a);
    }
  else if (g_str_equal (c->op, "in") || g_str_equal (c->op, "not_in"))
    {
      JsonArray *a = json_array_new ();
      guint n = g_rand_int_range (rand, 0, 4);

      for (guint i = 0; i < n; i++)
        json_array_add_element (a, pick_value (rand, d, c->field));
      c->value = json_node_init_array (json_node_alloc (), a);
      json_array_unref (a);
    }
  else if (!g_str_has_suffix (c->op, "empty"))
    c->value = pick_value (rand, d, c->field);
  return c;
}

static const char *sort_fields[] = { "name", "level", "region", "is_hot", "contract_total", "last_followup_at",
                                     "created_at", "last_deal_at", "budget", "owner_id" };

typedef struct
{
  const char *field;
  gboolean    desc;
} Sort;

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const Sort *sort = user_data;
  const Row *x = *(const Row **) a, *y = *(const Row **) b;
  Val vx = get (x, sort->field), vy = get (y, sort->field);
  int c;

  /* NULL sorts as '' for text and as the smallest integer for numbers. */
  if (vx.numeric)
    {
      gint64 ix = vx.null ? G_MININT64 : vx.i, iy = vy.null ? G_MININT64 : vy.i;
      c = ix < iy ? -1 : ix > iy;
    }
  else
    c = strcmp (vx.null ? "" : vx.s, vy.null ? "" : vy.s);
  if (c == 0)
    c = strcmp (x->id, y->id);
  return sort->desc ? -c : c;
}

/* The property test's search: every word a case-insensitive substring of
 * the name, so the naive model can follow it exactly (the FTS default is
 * tested in /query/search-hook). */
static gboolean
substring_search (const char *module,
                  const char *text,
                  GString    *sql,
                  GPtrArray  *params,
                  gpointer    user_data)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);

  g_string_append (sql, "1");
  for (guint i = 0; words[i]; i++)
    {
      g_string_append (sql, " AND instr (lower (name), lower (?)) > 0");
      g_ptr_array_add (params, g_strdup (words[i]));
    }
  return TRUE;
}

static void
test_property (Data          *d,
               gconstpointer  user_data)
{
  KehuFixture *f = &d->f;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint total_rows_checked = 0, nonempty = 0;

  kehu_query_set_search_provider (substring_search, NULL);

  for (guint iteration = 0; iteration < 120; iteration++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KehuQuery) query = kehu_query_new (f->ctx, "customers", &error);
      g_autoptr(GPtrArray) conds = g_ptr_array_new_with_free_func ((GDestroyNotify) cond_free);
      g_autoptr(GPtrArray) expected = g_ptr_array_new ();
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(JsonArray) json_conditions = json_array_new ();
      g_autoptr(JsonObject) filter = json_object_new ();
      g_autoptr(JsonNode) filter_node = NULL;
      g_autoptr(JsonObject) sums = NULL;
      g_autofree char *cursor = NULL;
      const char *search = NULL;
      KehuQueryDeleted deleted = g_rand_int_range (rand, 0, 6) == 0 ? KEHU_QUERY_DELETED
                                 : g_rand_int_range (rand, 0, 6) == 0 ? KEHU_QUERY_ALL : KEHU_QUERY_LIVE;
      Sort sort = { sort_fields[g_rand_int_range (rand, 0, G_N_ELEMENTS (sort_fields))], g_rand_boolean (rand) };
      guint n_conds = g_rand_int_range (rand, 0, 4);
      int owners_mode = g_rand_int_range (rand, 0, 4);   /* 0: none, else restrict */
      int team_user = g_rand_int_range (rand, 0, 3);
      guint page = g_rand_int_range (rand, 1, 400);
      gint64 expected_total = 0, expected_budget = 0;

      for (guint i = 0; i < n_conds; i++)
        {
          Cond *c = random_condition (rand, d);
          JsonObject *jc = json_object_new ();

          g_ptr_array_add (conds, c);
          json_object_set_string_member (jc, "field", c->field);
          if (g_str_has_prefix (c->op, "date:"))
            {
              json_object_set_string_member (jc, "op", "date");
              json_object_set_int_member (jc, "n", atoi (c->op + 5));
            }
          else
            json_object_set_string_member (jc, "op", c->op);
          if (c->value)
            json_object_set_member (jc, "value", json_node_copy (c->value));
          json_array_add_object_element (json_conditions, jc);
          if (g_str_has_prefix (c->op, "date:"))
            {
              g_free (c->op);
              c->op = g_strdup ("date");
            }
        }
      if (g_rand_int_range (rand, 0, 5) == 0)
        search = g_rand_boolean (rand) ? "al" : "北京 大";
      json_object_set_array_member (filter, "conditions", json_array_ref (json_conditions));
      if (search)
        json_object_set_string_member (filter, "search", search);
      filter_node = json_node_init_object (json_node_alloc (), filter);

      g_assert_true (kehu_query_add_filter_json (query, filter_node, &error));
      g_assert_no_error (error);
      g_assert_true (kehu_query_set_sort (query, sort.field, sort.desc, &error));
      g_assert_no_error (error);
      kehu_query_set_deleted (query, deleted);
      if (owners_mode)
        {
          const char *owners[3] = { NULL, NULL, NULL };
          guint n = 0;

          if (owners_mode >= 2)
            owners[n++] = TEST_USER_2;
          if (owners_mode == 3)
            owners[n++] = TEST_USER_3;
          kehu_query_restrict_to_owners (query, owners, team_user ? users[team_user] : NULL);
        }

      /* The naive answer. */
      for (guint i = 0; i < N_ROWS; i++)
        {
          const Row *r = &d->rows[i];
          gboolean ok = deleted == KEHU_QUERY_ALL || (deleted == KEHU_QUERY_DELETED) == r->deleted;

          for (guint c = 0; ok && c < conds->len; c++)
            ok = naive_match (r, conds->pdata[c]);
          if (ok && search)
            {
              g_auto(GStrv) words = g_strsplit (search, " ", -1);
              for (guint w = 0; ok && words[w]; w++)
                ok = ascii_contains (r->name, words[w]);
            }
          if (ok && owners_mode)
            {
              gboolean owner = r->owner_id &&
                               ((owners_mode >= 2 && g_str_equal (r->owner_id, TEST_USER_2)) ||
                                (owners_mode == 3 && g_str_equal (r->owner_id, TEST_USER_3)));
              ok = owner || (team_user && r->team[team_user - 1]);
            }
          if (ok)
            {
              g_ptr_array_add (expected, (gpointer) r);
              expected_total += r->contract_total;
              expected_budget += r->has_budget ? r->budget : 0;
            }
        }
      g_ptr_array_sort_with_data (expected, compare_rows, &sort);
      nonempty += expected->len > 0;

      g_assert_cmpint (kehu_query_count (query, &error), ==, (gint64) expected->len);
      {
        const char *sum_fields[] = { "contract_total", "budget", NULL };
        sums = kehu_query_sums (query, sum_fields, &error);
        g_assert_no_error (error);
        g_assert_cmpint (json_object_get_int_member (sums, "contract_total"), ==, expected_total);
        g_assert_cmpint (json_object_get_int_member (sums, "budget"), ==, expected_budget);
      }

      /* Page through everything by keyset. */
      do
        {
          g_autofree char *next = NULL;
          g_autoptr(JsonArray) rows = kehu_query_fetch (query, cursor, page, &next, &error);

          g_assert_no_error (error);
          g_assert_nonnull (rows);
          g_assert_cmpuint (json_array_get_length (rows), <=, page);
          for (guint i = 0; i < json_array_get_length (rows); i++)
            g_ptr_array_add (got, g_strdup (json_object_get_string_member (json_array_get_object_element (rows, i), "id")));
          g_free (cursor);
          cursor = g_steal_pointer (&next);
          g_assert_cmpuint (got->len, <=, expected->len);
        }
      while (cursor);

      if (got->len != expected->len)
        g_error ("iteration %u: %u rows, expected %u", iteration, got->len, expected->len);
      for (guint i = 0; i < got->len; i++)
        if (!g_str_equal (got->pdata[i], ((const Row *) expected->pdata[i])->id))
          g_error ("iteration %u (sort %s %s, page %u): row %u is %s, expected %s", iteration, sort.field,
                   sort.desc ? "desc" : "asc", page, i, (char *) got->pdata[i], ((const Row *) expected->pdata[i])->id);
      total_rows_checked += got->len;
    }

  kehu_query_set_search_provider (NULL, NULL);

  /* The generator must produce real work, not empty lists. */
  g_assert_cmpuint (nonempty, >, 60);
  g_assert_cmpuint (total_rows_checked, >, 10000);
}

static void
test_pager (Data          *d,
            gconstpointer  user_data)
{
  KehuFixture *f = &d->f;
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuQuery) query = kehu_query_new (f->ctx, "customers", &error);
  g_autoptr(KehuRecordPager) pager = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  Sort sort = { "name", FALSE };
  guint queries;

  g_assert_true (kehu_query_set_sort (query, "name", FALSE, &error));
  for (guint i = 0; i < N_ROWS; i++)
    if (!d->rows[i].deleted)
      g_ptr_array_add (expected, &d->rows[i]);
  g_ptr_array_sort_with_data (expected, compare_rows, &sort);

  pager = kehu_record_pager_new (query, 7);
  kehu_record_pager_set_max_pages (pager, 3);

  /* Opening: a count and the first page, nothing else. */
  g_assert_cmpuint (kehu_record_pager_get_n_items (pager), ==, expected->len);
  {
    g_autoptr(JsonObject) first = kehu_record_pager_get_item (pager, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, ((Row *) expected->pdata[0])->id);
  }
  g_assert_cmpuint (kehu_record_pager_get_n_queries (pager), ==, 2);

  /* Walking across page boundaries costs one query per page. */
  for (guint p = 0; p < 30; p++)
    {
      g_autoptr(JsonObject) item = kehu_record_pager_get_item (pager, p);
      g_assert_cmpstr (json_object_get_string_member (item, "id"), ==, ((Row *) expected->pdata[p])->id);
    }
  g_assert_cmpuint (kehu_record_pager_get_n_queries (pager), ==, 2 + 4);

  /* Random jumps, backwards and forwards, with eviction (3 pages cached). */
  for (guint n = 0; n < 300; n++)
    {
      guint p = n % 10 == 0 ? expected->len - 1 : (guint) g_rand_int_range (rand, 0, expected->len);
      g_autoptr(JsonObject) item = kehu_record_pager_get_item (pager, p);

      g_assert_nonnull (item);
      if (!g_str_equal (json_object_get_string_member (item, "id"), ((Row *) expected->pdata[p])->id))
        g_error ("position %u: %s, expected %s", p, json_object_get_string_member (item, "id"),
                 ((Row *) expected->pdata[p])->id);
      g_assert_cmpuint (kehu_record_pager_get_n_cached_pages (pager), <=, 3);
    }
  g_assert_null (kehu_record_pager_get_item (pager, expected->len));

  /* After a reset the pager sees new data. */
  queries = kehu_record_pager_get_n_queries (pager);
  g_assert_true (kehu_store_exec (f->store, "UPDATE customers SET deleted_at = '2026-03-15T00:00:00Z' WHERE name = 'alpha'", &error));
  kehu_record_pager_reset (pager);
  {
    guint alpha = 0;
    for (guint i = 0; i < expected->len; i++)
      alpha += g_str_equal (((Row *) expected->pdata[i])->name, "alpha");
    g_assert_cmpuint (alpha, >, 0);
    g_assert_cmpuint (kehu_record_pager_get_n_items (pager), ==, expected->len - alpha);
  }
  g_assert_cmpuint (kehu_record_pager_get_n_queries (pager), ==, queries + 1);
}

static void
test_date_ranges (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (TEST_NOW, NULL);
  /* 00:30 on Monday 16 March in Shanghai, still Sunday in UTC. */
  g_autoptr(GDateTime) monday = g_date_time_new_from_iso8601 ("2026-03-15T16:30:00Z", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_autofree char *a = NULL, *b = NULL, *da = NULL, *db = NULL;

      g_assert_true (kehu_query_date_range (now, tz, presets[i].preset, 0, FALSE, &a, &b, &error));
      g_assert_true (kehu_query_date_range (now, tz, presets[i].preset, 0, TRUE, &da, &db, &error));
      g_assert_cmpstr (a, ==, presets[i].lo);
      g_assert_cmpstr (b, ==, presets[i].hi);
      g_assert_cmpstr (da, ==, presets[i].dlo);
      g_assert_cmpstr (db, ==, presets[i].dhi);
    }
  {
    g_autofree char *a = NULL, *b = NULL;
    g_assert_true (kehu_query_date_range (monday, tz, "today", 0, FALSE, &a, &b, &error));
    g_assert_cmpstr (a, ==, "2026-03-15T16:00:00Z");
    g_assert_cmpstr (b, ==, "2026-03-16T16:00:00Z");
    g_clear_pointer (&a, g_free);
    g_clear_pointer (&b, g_free);
    g_assert_true (kehu_query_date_range (monday, tz, "this_week", 0, TRUE, &a, &b, &error));
    g_assert_cmpstr (a, ==, "2026-03-16");
    g_assert_cmpstr (b, ==, "2026-03-23");
    g_clear_pointer (&a, g_free);
    g_clear_pointer (&b, g_free);
    g_assert_true (kehu_query_date_range (now, tz, "last_days", 7, TRUE, &a, &b, &error));
    g_assert_cmpstr (a, ==, "2026-03-09");
    g_assert_cmpstr (b, ==, "2026-03-16");
    g_clear_pointer (&a, g_free);
    g_clear_pointer (&b, g_free);
    g_assert_false (kehu_query_date_range (now, tz, "someday", 0, TRUE, &a, &b, &error));
    g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE);
  }
}

static void
test_bad_filters (KehuFixture   *f,
                  gconstpointer  data)
{
  const struct { const char *json; int code; } cases[] = {
    { "{\"conditions\": [{\"field\": \"colour\", \"op\": \"eq\", \"value\": \"red\"}]}", KEHU_QUERY_ERROR_UNKNOWN_FIELD },
    { "{\"conditions\": [{\"field\": \"name_key\", \"op\": \"eq\", \"value\": \"x\"}]}", KEHU_QUERY_ERROR_UNKNOWN_FIELD },
    { "{\"conditions\": [{\"field\": \"name\", \"op\": \"like\", \"value\": \"x\"}]}", KEHU_QUERY_ERROR_UNKNOWN_OPERATOR },
    { "{\"conditions\": [{\"field\": \"contract_total\", \"op\": \"eq\", \"value\": \"x\"}]}", KEHU_QUERY_ERROR_INVALID_VALUE },
    { "{\"conditions\": [{\"field\": \"contract_total\", \"op\": \"between\", \"value\": [1]}]}", KEHU_QUERY_ERROR_INVALID_VALUE },
    { "{\"conditions\": [{\"field\": \"name\", \"op\": \"date\", \"value\": \"today\"}]}", KEHU_QUERY_ERROR_INVALID_VALUE },
    { "{\"conditions\": [{\"field\": \"created_at\", \"op\": \"date\", \"value\": \"someday\"}]}", KEHU_QUERY_ERROR_INVALID_VALUE },
    { "{\"conditions\": 5}", KEHU_QUERY_ERROR_INVALID_FILTER },
    { "[1, 2]", KEHU_QUERY_ERROR_INVALID_FILTER },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuQuery) query = kehu_query_new (f->ctx, "customers", &error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);
      g_autoptr(JsonNode) node = json_from_string (cases[i].json, &error);

      g_assert_no_error (error);
      g_assert_false (kehu_query_add_filter_json (q, node, &error));
      g_assert_error (error, KEHU_QUERY_ERROR, cases[i].code);
      g_clear_error (&error);
    }

  g_assert_false (kehu_query_set_sort (query, "remark", FALSE, &error));
  g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_NOT_SORTABLE);
  g_clear_error (&error);
  g_assert_null (kehu_query_fetch (query, "bm90IGEgY3Vyc29y", 10, NULL, &error));
  g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_CURSOR);
  g_clear_error (&error);
  g_assert_null (kehu_query_new (f->ctx, "nonsense", &error));
  g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_UNKNOWN_FIELD);
}

static gboolean
fake_search (const char *module,
             const char *text,
             GString    *sql,
             GPtrArray  *params,
             gpointer    user_data)
{
  /* Stands in for the FTS provider: finds by exact name. */
  g_string_append (sql, "id IN (SELECT id FROM customers WHERE name = ?)");
  g_ptr_array_add (params, g_strdup (text));
  (*(guint *) user_data)++;
  return TRUE;
}

static void
test_search_hook (KehuFixture   *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KehuQuery) query = kehu_query_new (f->ctx, "customers", &error);
  g_autofree char *a = kehu_test_create (f, "customers", "{\"name\": \"北京大学\"}");
  g_autofree char *b = kehu_test_create (f, "customers", "{\"name\": \"北京大学附属中学\"}");
  guint calls = 0;

  /* By default the FTS index of migration 4: words and pinyin initials. */
  kehu_query_set_search (query, "北京大学");
  g_assert_cmpint (kehu_query_count (query, &error), ==, 2);
  kehu_query_set_search (query, "附属");
  g_assert_cmpint (kehu_query_count (query, &error), ==, 1);
  {
    g_autoptr(KehuQuery) initials = kehu_query_new (f->ctx, "customers", &error);
    g_autoptr(JsonArray) rows = NULL;

    kehu_query_set_search (initials, "bjdx");
    g_assert_true (kehu_query_set_sort (initials, "name", FALSE, &error));
    rows = kehu_query_fetch (initials, NULL, 10, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (rows), >=, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "name"), ==, "北京大学");
  }
  /* A module without an FTS index: substring over its searchable fields. */
  {
    g_autoptr(KehuQuery) tasks = kehu_query_new (f->ctx, "tasks", &error);
    g_autofree char *t1 = kehu_test_create (f, "tasks", "{\"name\": \"准备季度汇报\"}");
    g_autofree char *t2 = kehu_test_create (f, "tasks", "{\"name\": \"回访客户\", \"description\": \"季度\"}");

    kehu_query_set_search (tasks, "季度");
    g_assert_cmpint (kehu_query_count (tasks, &error), ==, 1);
    kehu_query_set_search (tasks, "季度 准备");
    g_assert_cmpint (kehu_query_count (tasks, &error), ==, 1);
    kehu_query_set_search (tasks, "季度 回访");
    g_assert_cmpint (kehu_query_count (tasks, &error), ==, 0);
  }
  kehu_query_set_search (query, "北京大学");

  kehu_query_set_search_provider (fake_search, &calls);
  g_assert_cmpint (kehu_query_count (query, &error), ==, 1);
  {
    g_autoptr(JsonArray) rows = kehu_query_fetch (query, NULL, 10, NULL, &error);
    g_assert_cmpuint (json_array_get_length (rows), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "id"), ==, a);
  }
  g_assert_cmpuint (calls, ==, 2);
  kehu_query_set_search_provider (NULL, NULL);
}

/* What the app's lists need of the query: my team, days before, a range
 * of days, the page's extra columns, another connection, a known count. */
static void
test_list_extensions (KehuFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = kehu_test_create (f, "customers", "{\"name\": \"甲\"}");
  g_autofree char *b = kehu_test_create (f, "customers", "{\"name\": \"乙\"}");
  g_autofree char *c = kehu_test_create (f, "customers", "{\"name\": \"丙\"}");
  g_autofree char *d = kehu_test_create (f, "customers", "{\"name\": \"丁\"}");
  g_autofree char *sql = NULL;
  const struct { const char *json; gint64 count; } cases[] = {
    /* Users 1 and 2 are in the top department, user 3 elsewhere. */
    { "[{\"field\": \"owner_id\", \"op\": \"my_team\"}]", 2 },
    { "[{\"field\": \"owner_id\", \"op\": \"empty\"}]", 1 },
    { "[{\"field\": \"owner_id\", \"op\": \"not_empty\"}]", 3 },
    /* Today is 15 March in Shanghai: the last 7 days start 9 March 00:00
     * there (8 March 16:00 UTC). Before that, or never: b, c, d. */
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"before_days\", \"n\": 7}]", 3 },
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"before_days\", \"n\": 20}]", 2 },
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"before_days\", \"n\": 30}]", 1 },
    /* a's follow-up is 15 March 01:00 in Shanghai: outside 1–14 March. */
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"range\", \"from\": \"2026-03-01\", \"to\": \"2026-03-14\"}]", 1 },
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"range\", \"from\": \"2026-03-01\", \"to\": \"2026-03-15\"}]", 2 },
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"range\", \"to\": \"2026-02-28\"}]", 1 },
    { "[{\"field\": \"last_followup_at\", \"op\": \"date\", \"value\": \"range\", \"from\": \"2026-02-21\"}]", 2 },
  };

  sql = g_strdup_printf (
    "INSERT INTO departments (id, created_at, updated_at, name) VALUES ('dep-2', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '南区');"
    "UPDATE users SET department_id = 'dep-2' WHERE id = '" TEST_USER_3 "';"
    "UPDATE customers SET owner_id = '" TEST_USER_1 "', last_followup_at = '2026-03-14T17:00:00Z' WHERE id = '%s';"
    "UPDATE customers SET owner_id = '" TEST_USER_2 "', last_followup_at = '2026-03-01T00:00:00Z' WHERE id = '%s';"
    "UPDATE customers SET owner_id = '" TEST_USER_3 "', last_followup_at = NULL WHERE id = '%s';"
    "UPDATE customers SET owner_id = '', last_followup_at = '2026-02-20T00:00:00Z' WHERE id = '%s';"
    "DELETE FROM sync_outbox;", a, b, c, d);
  g_assert_true (kehu_store_exec (f->store, sql, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);
      g_autoptr(JsonNode) node = json_from_string (cases[i].json, &error);

      g_assert_true (kehu_query_add_filter_json (q, node, &error));
      g_assert_no_error (error);
      if (kehu_query_count (q, &error) != cases[i].count)
        g_error ("%s: %" G_GINT64_FORMAT " rows, expected %" G_GINT64_FORMAT,
                 cases[i].json, kehu_query_count (q, NULL), cases[i].count);
    }
  {
    g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);

    g_assert_false (kehu_query_add_date_between (q, "last_followup_at", "2026-13-01", NULL, &error));
    g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE);
    g_clear_error (&error);
    g_assert_false (kehu_query_add_condition (q, "name", "my_team", NULL, &error));
    g_assert_error (error, KEHU_QUERY_ERROR, KEHU_QUERY_ERROR_INVALID_VALUE);
    g_clear_error (&error);
  }

  /* The totals row: the count and the sums in one pass, as two passes give. */
  {
    g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);
    g_autoptr(JsonObject) sums = NULL;
    g_autoptr(JsonObject) totals = NULL;
    const char *fields[] = { "contract_total", NULL };
    g_autofree char *money = g_strdup_printf ("UPDATE customers SET contract_total = 1250 WHERE id IN ('%s', '%s');"
                                              "UPDATE customers SET contract_total = 99 WHERE id = '%s'", a, b, c);
    gint64 count = -1;

    g_assert_true (kehu_store_exec (f->store, money, &error));
    g_assert_true (kehu_query_add_condition (q, "owner_id", "my_team", NULL, &error));
    totals = kehu_query_totals (q, fields, &count, &error);
    g_assert_no_error (error);
    g_assert_cmpint (count, ==, 2);
    g_assert_cmpint (json_object_get_int_member (totals, "contract_total"), ==, 2500);
    sums = kehu_query_sums (q, fields, &error);
    g_assert_cmpint (json_object_get_int_member (sums, "contract_total"), ==, 2500);
    g_assert_cmpint (kehu_query_count (q, &error), ==, 2);
  }

  /* The page's titles and sync states, in the page's one statement. */
  {
    g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);
    g_autoptr(JsonArray) rows = NULL;
    g_autofree char *outbox = g_strdup_printf (
      "INSERT INTO sync_outbox (op_id, module, record_id, kind, action, created_at) VALUES"
      " ('op-1', 'customers', '%s', 'update', NULL, '2026-03-15T00:00:00Z'),"
      " ('op-2', 'customers', '%s', 'update', NULL, '2026-03-15T00:00:00Z'),"
      " ('op-3', 'customers', '%s', 'action', 'claim', '2026-03-15T00:00:00Z'),"
      " ('op-4', 'contacts', '%s', 'update', NULL, '2026-03-15T00:00:00Z')", b, c, c, d);
    const struct { const char *id; const char *label; const char *state; } expected[] = {
      /* By name: 丁 U+4E01, 丙 U+4E19, 乙 U+4E59, 甲 U+7532. */
      { d, NULL, NULL }, { c, "王五", "claim" }, { b, "李四", "pending" }, { a, "张三", NULL },
    };

    g_assert_true (kehu_store_exec (f->store, outbox, &error));
    kehu_query_set_extras (q, KEHU_QUERY_EXTRA_LABELS | KEHU_QUERY_EXTRA_SYNC_STATE);
    g_assert_true (kehu_query_set_sort (q, "name", FALSE, &error));
    rows = kehu_query_fetch (q, NULL, 10, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (rows), ==, 4);
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        JsonObject *row = json_array_get_object_element (rows, i);

        g_assert_cmpstr (json_object_get_string_member (row, "id"), ==, expected[i].id);
        g_assert_true (json_object_has_member (row, "owner_id:label"));
        g_assert_cmpstr (json_object_get_string_member (row, "owner_id:label"), ==, expected[i].label);
        g_assert_cmpstr (json_object_get_string_member (row, "sync:state"), ==, expected[i].state);
      }
    /* Without extras, rows are plain records. */
    kehu_query_set_extras (q, KEHU_QUERY_EXTRA_NONE);
    g_clear_pointer (&rows, json_array_unref);
    rows = kehu_query_fetch (q, NULL, 10, NULL, &error);
    g_assert_false (json_object_has_member (json_array_get_object_element (rows, 2), "sync:state"));
  }

  /* Another connection sees the committed rows, not the open transaction's. */
  {
    g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);
    g_autofree char *del = g_strdup_printf ("BEGIN; DELETE FROM customers WHERE id = '%s'", a);
    sqlite3 *other = NULL;

    g_assert_cmpint (sqlite3_open_v2 (f->path, &other, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_true (kehu_store_exec (f->store, del, &error));
    g_assert_cmpint (kehu_query_count (q, &error), ==, 3);
    kehu_query_set_db (q, other);
    g_assert_cmpint (kehu_query_count (q, &error), ==, 4);
    kehu_query_set_db (q, NULL);
    g_assert_true (kehu_store_exec (f->store, "ROLLBACK", &error));
    sqlite3_close (other);
  }

  /* A count handed in: no count query, pages read as before. */
  {
    g_autoptr(KehuQuery) q = kehu_query_new (f->ctx, "customers", &error);
    g_autoptr(KehuRecordPager) pager = kehu_record_pager_new (q, 3);
    g_autoptr(JsonObject) row = NULL;

    g_assert_cmpint (kehu_record_pager_get_count (pager), ==, -1);
    g_assert_true (kehu_query_set_sort (q, "name", FALSE, &error));
    row = kehu_record_pager_get_item (pager, 3);
    g_assert_cmpstr (json_object_get_string_member (row, "id"), ==, a);
    g_assert_cmpint (kehu_record_pager_get_count (pager), ==, -1);
    kehu_record_pager_set_count (pager, 4);
    g_assert_cmpuint (kehu_record_pager_get_n_items (pager), ==, 4);
    g_assert_null (kehu_record_pager_get_item (pager, 4));
    /* One locate and one page: never a count. */
    g_assert_cmpuint (kehu_record_pager_get_n_queries (pager), ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/query/property", Data, NULL, data_set_up, test_property, data_tear_down);
  g_test_add ("/query/pager", Data, NULL, data_set_up, test_pager, data_tear_down);
  g_test_add_func ("/query/date-ranges", test_date_ranges);
  KEHU_TEST_ADD ("/query/bad-filters", test_bad_filters);
  KEHU_TEST_ADD ("/query/search-hook", test_search_hook);
  KEHU_TEST_ADD ("/query/list-extensions", test_list_extensions);

  return g_test_run ();
}
