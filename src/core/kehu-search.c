/* kehu-search.c: quick search over the FTS5 indexes of migration 4
 *
 * Every searchable module has a contentless FTS5 table <module>_fts whose
 * rowid is the record's rowid, kept in sync by triggers that call the SQL
 * functions registered here. Its three columns hold tokens made by this
 * file, so that the query side can build exactly matching phrases:
 *
 *  - words: names, numbers, e-mail addresses. Every Han (and other wide)
 *    character is a token of its own, so "北京" is the phrase "北 京" and
 *    one- and two-character Chinese queries match anywhere in a name;
 *    runs of other letters and digits are tokens, lowercased.
 *  - codes: phone numbers and record numbers with punctuation removed, as
 *    every suffix, so a prefix query finds any substring ("5678", the last
 *    four digits, finds 138-1234-5678).
 *  - py: pinyin of names: the full spelling from every syllable boundary
 *    ("beijingdaxue", "jingdaxue", "daxue", "xue") and the initials from
 *    every boundary ("bjdx", "jdx", "dx"), plus the surname reading of a
 *    person's name when it differs (单雄信: danxiongxin and shanxiongxin).
 *
 * A query is split on white space; every keyword must match (AND), each in
 * any column. Values of different fields are separated by a private-use
 * character that is a token for FTS5 but never comes out of a query, so a
 * phrase cannot run from one field into the next.
 *
 * Soft-deleted records stay in the index (the recycle bin can search);
 * callers filter on deleted_at. The index stores no copy of its text: a
 * change in what the functions below produce needs a migration that calls
 * kehu_search_rebuild().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-search"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kehu-pinyin.h"
#include "kehu-search.h"

G_DEFINE_QUARK (kehu-search-error-quark, kehu_search_error)

/* Between the values of two fields; Unicode category Co, which FTS5's
 * unicode61 tokenizer keeps as a token and the query side drops. */
#define FIELD_SEPARATOR "\xee\x80\x80"   /* U+E000 */

/* Generous limits that keep a pasted novel from building a huge query. */
#define MAX_KEYWORDS      16
#define MAX_KEYWORD_CHARS 64
#define MAX_SUFFIX_CHARS  24
#define MAX_PINYIN_STARTS 16

typedef struct
{
  const char *module;
  /* The same expressions as the triggers of 0004-search.sql. */
  const char *words;
  const char *codes;
  const char *py;
  const char *title;
  const char *subtitle;
} SearchModule;

static const SearchModule modules[] = {
  { "customers",
    "kehu_search_words (name, number, email)", "kehu_search_codes (number, phone)",
    "kehu_search_pinyin (name)",
    "name", "trim (ifnull (number, '') || ' ' || ifnull (phone, ''))" },
  { "contacts",
    "kehu_search_words (name, email, wechat)", "kehu_search_codes (phone, mobile)",
    "kehu_search_pinyin (name)",
    "name", "trim (ifnull (mobile, ifnull (phone, '')) || ' ' || ifnull (email, ''))" },
  { "leads",
    "kehu_search_words (name, contact_name, email)", "kehu_search_codes (phone, mobile)",
    "kehu_search_pinyin (name, contact_name)",
    "name", "trim (ifnull (contact_name, '') || ' ' || ifnull (mobile, ifnull (phone, '')))" },
  { "opportunities",
    "kehu_search_words (name)", "kehu_search_codes ()",
    "kehu_search_pinyin (name)",
    "name", "''" },
  { "contracts",
    "kehu_search_words (name, number)", "kehu_search_codes (number)",
    "kehu_search_pinyin (name)",
    "name", "ifnull (number, '')" },
  { "products",
    "kehu_search_words (name, code)", "kehu_search_codes (code)",
    "kehu_search_pinyin (name)",
    "name", "ifnull (code, '')" },
  { "payments",
    "kehu_search_words (number)", "kehu_search_codes (number)",
    "kehu_search_pinyin ()",
    "ifnull (number, '')", "ifnull (paid_date, '')" },
  { "invoices",
    "kehu_search_words (number, title, tax_number)", "kehu_search_codes (number, tax_number)",
    "kehu_search_pinyin (title)",
    "ifnull (number, '')", "ifnull (title, '')" },
};

static const char *module_names[] = {
  "customers", "contacts", "leads", "opportunities", "contracts", "products",
  "payments", "invoices", NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (module_names) == G_N_ELEMENTS (modules) + 1);

static const SearchModule *
find_module (const char *module)
{
  for (guint i = 0; module != NULL && i < G_N_ELEMENTS (modules); i++)
    if (g_str_equal (modules[i].module, module))
      return &modules[i];

  return NULL;
}

/* Tokens ---------------------------------------------------------------------- */

/* Characters that are words of their own: languages written without
 * spaces, where any substring may be what the user is looking for. */
static gboolean
is_single_char_token (gunichar c)
{
  switch (g_unichar_get_script (c))
    {
    case G_UNICODE_SCRIPT_HAN:
    case G_UNICODE_SCRIPT_HIRAGANA:
    case G_UNICODE_SCRIPT_KATAKANA:
    case G_UNICODE_SCRIPT_HANGUL:
    case G_UNICODE_SCRIPT_BOPOMOFO:
      return TRUE;
    default:
      return g_unichar_iswide (c);
    }
}

static char *
normalize (const char *text)
{
  g_autofree char *nfkc = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  nfkc = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  return nfkc ? g_utf8_casefold (nfkc, -1) : NULL;
}

/* Splits @text into the tokens of the words column. */
static void
tokenize_words (const char *text,
                GPtrArray  *tokens,
                guint       max_chars)
{
  g_autofree char *norm = normalize (text);
  GString *run = g_string_new (NULL);
  guint n_chars = 0;

  for (const char *p = norm ? norm : ""; *p && n_chars < max_chars; p = g_utf8_next_char (p), n_chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c))
        {
          if (run->len > 0)
            g_ptr_array_add (tokens, g_strndup (run->str, run->len));
          g_string_truncate (run, 0);
        }
      else if (is_single_char_token (c))
        {
          if (run->len > 0)
            g_ptr_array_add (tokens, g_strndup (run->str, run->len));
          g_string_truncate (run, 0);
          g_ptr_array_add (tokens, g_strndup (p, g_utf8_next_char (p) - p));
        }
      else
        g_string_append_unichar (run, c);
    }

  if (run->len > 0)
    g_ptr_array_add (tokens, g_strndup (run->str, run->len));
  g_string_free (run, TRUE);
}

/* The letters and digits of @text as one token: "+86 138-1234-5678" → "8613812345678". */
static char *
code_token (const char *text)
{
  g_autofree char *norm = normalize (text);
  GString *out = g_string_new (NULL);

  for (const char *p = norm ? norm : ""; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) && !is_single_char_token (c))
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static void
append_token (GString    *out,
              const char *token)
{
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, token);
}

/**
 * kehu_search_words_text:
 * @values: (array length=n_values) (nullable): field values, %NULL ones skipped
 * @n_values: the number of @values
 *
 * Returns: (transfer full): the text of the words column
 */
char *
kehu_search_words_text (const char * const *values,
                        guint               n_values)
{
  GString *out = g_string_new (NULL);
  gboolean any = FALSE;

  for (guint i = 0; i < n_values; i++)
    {
      g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);

      tokenize_words (values[i], tokens, G_MAXUINT);
      if (tokens->len == 0)
        continue;
      if (any)
        append_token (out, FIELD_SEPARATOR);
      for (guint j = 0; j < tokens->len; j++)
        append_token (out, g_ptr_array_index (tokens, j));
      any = TRUE;
    }

  return g_string_free (out, FALSE);
}

/**
 * kehu_search_codes_text:
 * @values: (array length=n_values) (nullable): field values, %NULL ones skipped
 * @n_values: the number of @values
 *
 * Returns: (transfer full): the text of the codes column: every suffix of
 *   every value's letters and digits (up to MAX_SUFFIX_CHARS long, and the
 *   whole value)
 */
char *
kehu_search_codes_text (const char * const *values,
                        guint               n_values)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n_values; i++)
    {
      g_autofree char *token = code_token (values[i]);
      glong n_chars = g_utf8_strlen (token, -1);
      const char *p = token;

      if (n_chars == 0)
        continue;
      if (out->len > 0)
        append_token (out, FIELD_SEPARATOR);
      append_token (out, token);
      for (glong j = 1; j < n_chars; j++)
        {
          p = g_utf8_next_char (p);
          if (n_chars - j <= MAX_SUFFIX_CHARS)
            append_token (out, p);
        }
    }

  return g_string_free (out, FALSE);
}

static void
append_pinyin_tokens (GString         *out,
                      const char      *value,
                      KehuPinyinFlags  flags,
                      gboolean         suffixes)
{
  g_autoptr(GArray) from_han = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) units = kehu_pinyin_units (value, flags, from_han);
  guint n_starts = suffixes ? MIN (units->len, MAX_PINYIN_STARTS) : MIN (units->len, 1);

  for (guint start = 0; start < n_starts; start++)
    {
      GString *full = g_string_new (NULL);
      GString *initials = g_string_new (NULL);

      for (guint i = start; i < units->len; i++)
        {
          const char *unit = g_ptr_array_index (units, i);

          g_string_append (full, unit);
          if (g_array_index (from_han, gboolean, i))
            g_string_append_c (initials, unit[0]);
          else
            g_string_append (initials, unit);
        }

      append_token (out, full->str);
      /* A one-letter initial would only repeat the full spelling's first letter. */
      if (initials->len > 1 && !g_str_equal (initials->str, full->str))
        append_token (out, initials->str);
      g_string_free (full, TRUE);
      g_string_free (initials, TRUE);
    }
}

/**
 * kehu_search_pinyin_text:
 * @values: (array length=n_values) (nullable): field values, %NULL ones skipped
 * @n_values: the number of @values
 *
 * Returns: (transfer full): the text of the py column, for the values that
 *   hold Han characters
 */
char *
kehu_search_pinyin_text (const char * const *values,
                         guint               n_values)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n_values; i++)
    {
      g_autofree char *plain = NULL;
      g_autofree char *name = NULL;

      if (!kehu_pinyin_has_han (values[i]))
        continue;

      if (out->len > 0)
        append_token (out, FIELD_SEPARATOR);
      append_pinyin_tokens (out, values[i], KEHU_PINYIN_DEFAULT, TRUE);

      /* The value may be a person's name: index the surname reading too. */
      plain = kehu_pinyin_full (values[i], KEHU_PINYIN_DEFAULT);
      name = kehu_pinyin_full (values[i], KEHU_PINYIN_NAME);
      if (!g_str_equal (plain, name))
        append_pinyin_tokens (out, values[i], KEHU_PINYIN_NAME, FALSE);
    }

  return g_string_free (out, FALSE);
}

/* SQL functions --------------------------------------------------------------- */

typedef char *(*TextBuilder) (const char * const *values,
                              guint               n_values);

static void
sql_text_builder (sqlite3_context  *ctx,
                  int               argc,
                  sqlite3_value   **argv)
{
  TextBuilder builder = sqlite3_user_data (ctx);
  g_autofree const char **values = g_new0 (const char *, MAX (argc, 1));
  char *text;

  for (int i = 0; i < argc; i++)
    values[i] = (const char *) sqlite3_value_text (argv[i]);

  text = builder (values, argc);
  sqlite3_result_text (ctx, text, -1, g_free);
}

static void
sql_pinyin (sqlite3_context  *ctx,
            int               argc,
            sqlite3_value   **argv)
{
  gboolean initials = GPOINTER_TO_INT (sqlite3_user_data (ctx));
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  KehuPinyinFlags flags = KEHU_PINYIN_DEFAULT;
  char *result;

  if (text == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  if (argc > 1 && sqlite3_value_int (argv[1]) != 0)
    flags |= KEHU_PINYIN_NAME;

  result = initials ? kehu_pinyin_initials (text, flags) : kehu_pinyin_full (text, flags);
  sqlite3_result_text (ctx, result, -1, g_free);
}

/**
 * kehu_search_register_functions:
 * @db: a connection
 *
 * Registers the SQL functions the search triggers call. Every connection
 * that writes a searchable table needs them, before its first write.
 *
 * Returns: an SQLite result code
 */
int
kehu_search_register_functions (sqlite3 *db)
{
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = SQLITE_OK;

  rc |= sqlite3_create_function (db, "kehu_search_words", -1, flags,
                                 (void *) kehu_search_words_text, sql_text_builder, NULL, NULL);
  rc |= sqlite3_create_function (db, "kehu_search_codes", -1, flags,
                                 (void *) kehu_search_codes_text, sql_text_builder, NULL, NULL);
  rc |= sqlite3_create_function (db, "kehu_search_pinyin", -1, flags,
                                 (void *) kehu_search_pinyin_text, sql_text_builder, NULL, NULL);
  for (int n_args = 1; n_args <= 2; n_args++)
    {
      rc |= sqlite3_create_function (db, "kehu_pinyin_full", n_args, flags,
                                     GINT_TO_POINTER (FALSE), sql_pinyin, NULL, NULL);
      rc |= sqlite3_create_function (db, "kehu_pinyin_initials", n_args, flags,
                                     GINT_TO_POINTER (TRUE), sql_pinyin, NULL, NULL);
    }

  return rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR;
}

/* Queries --------------------------------------------------------------------- */

static gboolean
is_blank (const char *query)
{
  g_autofree char *norm = normalize (query);

  for (const char *p = norm ? norm : ""; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static gboolean
token_is_ascii (const char *token)
{
  for (const char *p = token; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;

  return TRUE;
}

/* A keyword as an FTS5 expression, or NULL when nothing in it can match. */
static char *
keyword_expression (const char *keyword)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  GString *phrase = g_string_new ("\"");
  GString *joined = g_string_new (NULL);
  gboolean all_ascii = TRUE;
  const char *last;

  tokenize_words (keyword, tokens, MAX_KEYWORD_CHARS);
  if (tokens->len == 0)
    {
      g_string_free (phrase, TRUE);
      g_string_free (joined, TRUE);
      return NULL;
    }

  /* Tokens hold only letters and digits: nothing in them can close the
   * string or act as an FTS5 operator. */
  for (guint i = 0; i < tokens->len; i++)
    {
      const char *token = g_ptr_array_index (tokens, i);

      if (i > 0)
        g_string_append_c (phrase, ' ');
      g_string_append (phrase, token);
      g_string_append (joined, token);
      all_ascii = all_ascii && token_is_ascii (token);
    }
  g_string_append_c (phrase, '"');

  /* Latin and digits match as prefixes ("bj" → bjdx); a Han token is a
   * single character, matched exactly. */
  last = g_ptr_array_index (tokens, tokens->len - 1);
  if (token_is_ascii (last))
    g_string_append (phrase, " *");

  /* "138-1234" is "138 1234" in words, but "1381234…" in codes. */
  if (tokens->len > 1 && all_ascii)
    {
      g_string_prepend_c (phrase, '(');
      g_string_append_printf (phrase, " OR \"%s\" *)", joined->str);
    }

  g_string_free (joined, TRUE);
  return g_string_free (phrase, FALSE);
}

/**
 * kehu_search_build_match:
 * @query: (nullable): what the user typed
 *
 * Builds an FTS5 MATCH expression for the search tables: every keyword
 * (separated by white space) must match, in any column. Any input is safe:
 * quotes, operators and column filters are taken as text.
 *
 * Returns: (transfer full) (nullable): the expression, or %NULL when
 *   @query holds nothing that can be searched (blank, only punctuation
 *   or symbols)
 */
char *
kehu_search_build_match (const char *query)
{
  g_autofree char *norm = normalize (query);
  g_auto(GStrv) keywords = NULL;
  GString *match = g_string_new (NULL);
  guint n_keywords = 0;

  if (norm == NULL)
    return g_string_free (match, TRUE);

  /* NFKC has made the ideographic space U+3000 a plain space. */
  g_strdelimit (norm, "\t\n\r\v\f", ' ');
  keywords = g_strsplit (norm, " ", -1);

  for (guint i = 0; keywords[i] != NULL && n_keywords < MAX_KEYWORDS; i++)
    {
      g_autofree char *expr = keyword_expression (keywords[i]);

      if (expr == NULL)
        continue;
      if (n_keywords > 0)
        g_string_append (match, " AND ");
      g_string_append (match, expr);
      n_keywords++;
    }

  return g_string_free (match, n_keywords == 0);
}

/**
 * kehu_search_condition:
 * @module: a searchable module: "customers", "leads"…
 * @query: (nullable): what the user typed
 * @rowid_column: (nullable): the rowid of the module's table in the caller's
 *   query ("c.rowid"); %NULL for "rowid"
 * @sql: (out) (transfer full): an SQL condition for a WHERE clause
 * @params: (out) (transfer full): the values to bind, in order, to the
 *   "?" placeholders of @sql
 * @error: a #GError
 *
 * A blank @query gives "1" (no restriction); one that holds nothing
 * searchable gives "0".
 *
 * Returns: %FALSE with @error set when @module is not searchable
 */
gboolean
kehu_search_condition (const char  *module,
                       const char  *query,
                       const char  *rowid_column,
                       char       **sql,
                       GStrv       *params,
                       GError     **error)
{
  const SearchModule *m = find_module (module);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *match = NULL;

  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (m == NULL)
    {
      g_set_error (error, KEHU_SEARCH_ERROR, KEHU_SEARCH_ERROR_UNKNOWN_MODULE,
                   _("“%s” is not a module that can be searched"), module ? module : "");
      return FALSE;
    }

  if (is_blank (query))
    *sql = g_strdup ("1");
  else if ((match = kehu_search_build_match (query)) == NULL)
    *sql = g_strdup ("0");
  else
    {
      *sql = g_strdup_printf ("%s IN (SELECT rowid FROM %s_fts WHERE %s_fts MATCH ?)",
                              rowid_column ? rowid_column : "rowid", m->module, m->module);
      g_strv_builder_add (builder, match);
    }

  *params = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
kehu_search_is_module_searchable (const char *module)
{
  return find_module (module) != NULL;
}

/**
 * kehu_search_get_modules:
 *
 * Returns: (transfer none): the searchable modules, in the order global
 *   search returns them, %NULL-terminated
 */
const char **
kehu_search_get_modules (void)
{
  return module_names;
}

void
kehu_search_hit_free (KehuSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->module);
  g_free (hit->id);
  g_free (hit->title);
  g_free (hit->subtitle);
  g_free (hit);
}

static gboolean
set_db_error (sqlite3     *db,
              const char  *module,
              GError     **error)
{
  g_set_error (error, KEHU_SEARCH_ERROR, KEHU_SEARCH_ERROR_FAILED,
               _("Search in “%s” failed: %s"), module, sqlite3_errmsg (db));
  return FALSE;
}

/**
 * kehu_search_global:
 * @store: a store
 * @query: (nullable): what the user typed
 * @limit_per_module: at most this many hits per module
 * @error: a #GError
 *
 * Searches every module for the header bar: records not in the recycle
 * bin, newest first, grouped by module in the order of
 * kehu_search_get_modules().
 *
 * Returns: (transfer container) (element-type KehuSearchHit): the hits, or
 *   %NULL with @error set
 */
GPtrArray *
kehu_search_global (KehuStore   *store,
                    const char  *query,
                    guint        limit_per_module,
                    GError     **error)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) kehu_search_hit_free);
  g_autofree char *match = kehu_search_build_match (query);
  sqlite3 *db;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  if (match == NULL || limit_per_module == 0)
    return g_steal_pointer (&hits);

  db = kehu_store_get_db (store);

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      const SearchModule *m = &modules[i];
      g_autofree char *sql = NULL;
      sqlite3_stmt *stmt = NULL;
      int rc;

      /* The FTS table drives the join (CROSS JOIN keeps that order), so the
       * LIMIT stops the scan early even when thousands match. */
      sql = g_strdup_printf ("SELECT m.id, %s, %s"
                             " FROM %s_fts AS f CROSS JOIN %s AS m ON m.rowid = f.rowid"
                             " WHERE f.%s_fts MATCH ?1 AND m.deleted_at IS NULL"
                             " ORDER BY f.rowid DESC LIMIT ?2",
                             m->title, m->subtitle, m->module, m->module, m->module);
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
        {
          set_db_error (db, m->module, error);
          return NULL;
        }
      sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, limit_per_module);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          KehuSearchHit *hit = g_new0 (KehuSearchHit, 1);

          hit->module = g_strdup (m->module);
          hit->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          hit->title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          hit->subtitle = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          if (hit->title == NULL)
            hit->title = g_strdup ("");
          if (hit->subtitle == NULL)
            hit->subtitle = g_strdup ("");
          g_ptr_array_add (hits, hit);
        }
      if (rc != SQLITE_DONE)
        {
          set_db_error (db, m->module, error);
          sqlite3_finalize (stmt);
          return NULL;
        }
      sqlite3_finalize (stmt);
    }

  return g_steal_pointer (&hits);
}

/**
 * kehu_search_rebuild:
 * @store: a store
 * @error: a #GError
 *
 * Empties and refills every search index from its table, in the caller's
 * transaction if there is one. For migrations that change the index keys.
 *
 * Returns: %FALSE with @error set on failure
 */
gboolean
kehu_search_rebuild (KehuStore  *store,
                     GError    **error)
{
  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      const SearchModule *m = &modules[i];
      g_autofree char *sql = NULL;

      sql = g_strdup_printf ("INSERT INTO %s_fts (%s_fts) VALUES ('delete-all');"
                             "INSERT INTO %s_fts (rowid, words, codes, py)"
                             " SELECT rowid, %s, %s, %s FROM %s;",
                             m->module, m->module, m->module,
                             m->words, m->codes, m->py, m->module);
      if (!kehu_store_exec (store, sql, error))
        return FALSE;
    }

  return TRUE;
}
