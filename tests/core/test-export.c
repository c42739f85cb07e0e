/* test-export.c: report tables to .xlsx and .csv, read back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "kehu-export.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("kehu-test-export-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (f->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* The rows every test writes. */
typedef struct
{
  const char *text;
  gint64      count;
  gint64      cents;
  gint64      bp;
  const char *date;
  gboolean    null_count;
} Row;

static const Row sample_rows[] = {
  { "北京大学", 3, 123456, 1234, "2026-01-01", FALSE },
  { "a,b \"quoted\" & <tag>", -7, -5, -250, "2026-03-31T16:30:00Z", FALSE },
  { "line one\nline two", 0, 0, 10000, NULL, TRUE },
};

static const char * const headers[] = { "客户名称", "Count", "金额", "Share", "签约日期", NULL };
static const KehuExportColumnType types[] = {
  KEHU_EXPORT_TEXT, KEHU_EXPORT_INT, KEHU_EXPORT_MONEY, KEHU_EXPORT_PERCENT, KEHU_EXPORT_DATE,
};

typedef struct
{
  guint next;
  guint fail_at;   /* 0 = never */
} Cursor;

static gboolean
sample_row_func (KehuExportCell  *cells,
                 guint            n_columns,
                 gpointer         user_data,
                 GError         **error)
{
  Cursor *c = user_data;
  const Row *r;

  g_assert_cmpuint (n_columns, ==, 5);
  if (c->fail_at != 0 && c->next + 1 == c->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "source failed");
      return FALSE;
    }
  if (c->next >= G_N_ELEMENTS (sample_rows))
    return FALSE;

  /* The cells arrive zeroed. */
  for (guint i = 0; i < n_columns; i++)
    g_assert_true (cells[i].text == NULL && cells[i].number == 0 && !cells[i].is_null);

  r = &sample_rows[c->next++];
  cells[0].text = r->text;
  cells[1].number = r->count;
  cells[1].is_null = r->null_count;
  cells[2].number = r->cents;
  cells[3].number = r->bp;
  cells[4].text = r->date;
  return TRUE;
}

static char *
unzip_member (const char *path,
              const char *member)
{
  const char *argv[] = { "unzip", "-p", path, member, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* The <c> element of a cell ("A2"), or NULL when the cell is absent. */
static char *
cell_xml (const char *sheet,
          const char *ref)
{
  g_autofree char *open = g_strdup_printf ("<c r=\"%s\"", ref);
  const char *start = strstr (sheet, open);
  const char *tag_end;

  if (start == NULL)
    return NULL;
  tag_end = strchr (start, '>');
  g_assert_nonnull (tag_end);
  if (tag_end[-1] == '/')
    return g_strndup (start, tag_end + 1 - start);
  g_assert_nonnull (strstr (tag_end, "</c>"));
  return g_strndup (start, strstr (tag_end, "</c>") + 4 - start);
}

static void
assert_cell_contains (const char *sheet,
                      const char *ref,
                      const char *expected)
{
  g_autofree char *cell = cell_xml (sheet, ref);

  if (cell == NULL || strstr (cell, expected) == NULL)
    g_error ("cell %s is “%s”, expected it to contain “%s”", ref, cell ? cell : "(absent)", expected);
}

static void
test_xlsx_roundtrip (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "table.xlsx", NULL);
  g_autofree char *sheet = NULL;
  g_autofree char *workbook = NULL;
  g_autofree char *styles = NULL;
  g_autofree char *absent = NULL;
  g_autoptr(GError) error = NULL;
  Cursor cursor = { 0, 0 };

  g_assert_true (kehu_export_table_xlsx (path, "合同明细 [2026]", headers, types, 5,
                                         sample_row_func, &cursor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cursor.next, ==, 3);

  sheet = unzip_member (path, "xl/worksheets/sheet1.xml");
  workbook = unzip_member (path, "xl/workbook.xml");
  styles = unzip_member (path, "xl/styles.xml");

  /* Constant-memory mode writes strings inline. */
  assert_cell_contains (sheet, "A1", "<is><t>客户名称</t></is>");
  assert_cell_contains (sheet, "E1", "签约日期");
  assert_cell_contains (sheet, "A2", "<t>北京大学</t>");
  assert_cell_contains (sheet, "B2", "<v>3</v>");
  assert_cell_contains (sheet, "C2", "<v>1234.56</v>");
  assert_cell_contains (sheet, "D2", "<v>0.1234</v>");
  /* 2026-01-01 is Excel serial day 46023 (1900 date system). */
  assert_cell_contains (sheet, "E2", "<v>46023</v>");

  assert_cell_contains (sheet, "A3", "a,b \"quoted\" &amp; &lt;tag&gt;");
  assert_cell_contains (sheet, "B3", "<v>-7</v>");
  assert_cell_contains (sheet, "C3", "<v>-0.05</v>");
  assert_cell_contains (sheet, "D3", "<v>-0.025</v>");
  /* An instant exports its date part: 2026-03-31 = 46112. */
  assert_cell_contains (sheet, "E3", "<v>46112</v>");

  assert_cell_contains (sheet, "A4", "line one\nline two");
  absent = cell_xml (sheet, "B4");
  g_assert_null (absent);           /* is_null: no cell */
  assert_cell_contains (sheet, "D4", "<v>1</v>");
  g_clear_pointer (&absent, g_free);
  absent = cell_xml (sheet, "E4");
  g_assert_null (absent);           /* no date */
  g_clear_pointer (&absent, g_free);
  absent = cell_xml (sheet, "A5");
  g_assert_null (absent);

  /* The sheet name lost Excel's forbidden characters; formats exist. */
  g_assert_nonnull (strstr (workbook, "name=\"合同明细 _2026_\""));
  g_assert_nonnull (strstr (styles, "formatCode=\"#,##0.00\""));
  g_assert_nonnull (strstr (styles, "formatCode=\"0.00%\""));
  g_assert_nonnull (strstr (styles, "formatCode=\"yyyy\\-mm\\-dd\"") ?
                    strstr (styles, "formatCode=\"yyyy\\-mm\\-dd\"") :
                    strstr (styles, "formatCode=\"yyyy-mm-dd\""));
}

static void
test_xlsx_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "failed.xlsx", NULL);
  g_autofree char *nowhere = g_build_filename (f->dir, "no", "such", "dir", "x.xlsx", NULL);
  g_autoptr(GError) error = NULL;
  Cursor cursor = { 0, 2 };

  /* A failing row source fails the export and leaves no half file. */
  g_assert_false (kehu_export_table_xlsx (path, "x", headers, types, 5, sample_row_func, &cursor, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  cursor.next = 0;
  cursor.fail_at = 0;
  g_assert_false (kehu_export_table_xlsx (nowhere, "x", headers, types, 5, sample_row_func, &cursor, &error));
  g_assert_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);

  g_assert_false (kehu_export_table_xlsx (path, "x", headers, types, 0, sample_row_func, &cursor, &error));
  g_assert_error (error, KEHU_EXPORT_ERROR, KEHU_EXPORT_ERROR_INVALID);
}

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "table.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  Cursor cursor = { 0, 0 };
  const char *expected =
    "\xEF\xBB\xBF"
    "客户名称,Count,金额,Share,签约日期\r\n"
    "北京大学,3,1234.56,12.34%,2026-01-01\r\n"
    "\"a,b \"\"quoted\"\" & <tag>\",-7,-0.05,-2.50%,2026-03-31\r\n"
    "\"line one\nline two\",,0.00,100.00%,\r\n";

  g_assert_true (kehu_export_table_csv (path, headers, types, 5, sample_row_func, &cursor, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, expected);

  /* A failing source leaves no file. */
  cursor.next = 0;
  cursor.fail_at = 3;
  g_assert_false (kehu_export_table_csv (path, headers, types, 5, sample_row_func, &cursor, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_format (void)
{
  struct { gint64 cents; const char *text; } money[] = {
    { 0, "0.00" }, { 5, "0.05" }, { -5, "-0.05" }, { 123456, "1234.56" }, { -100, "-1.00" },
    { G_MININT64, "-92233720368547758.08" }, { G_MAXINT64, "92233720368547758.07" },
  };
  struct { gint64 bp; const char *text; } percent[] = {
    { 0, "0.00%" }, { 1, "0.01%" }, { 10000, "100.00%" }, { -250, "-2.50%" }, { 12345, "123.45%" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (money); i++)
    {
      g_autofree char *s = kehu_export_format_money (money[i].cents);
      g_assert_cmpstr (s, ==, money[i].text);
    }
  for (guint i = 0; i < G_N_ELEMENTS (percent); i++)
    {
      g_autofree char *s = kehu_export_format_percent (percent[i].bp);
      g_assert_cmpstr (s, ==, percent[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/export/xlsx/roundtrip", Fixture, NULL, fixture_set_up, test_xlsx_roundtrip, fixture_tear_down);
  g_test_add ("/export/xlsx/errors", Fixture, NULL, fixture_set_up, test_xlsx_errors, fixture_tear_down);
  g_test_add ("/export/csv/quoting", Fixture, NULL, fixture_set_up, test_csv, fixture_tear_down);
  g_test_add_func ("/export/format", test_format);

  return g_test_run ();
}
