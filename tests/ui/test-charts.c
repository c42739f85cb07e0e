/* test-charts.c: the chart widgets of src/app/charts
 *
 * Pure functions (ticks, number formatting, layout and hit-testing) against
 * tables worked out by hand; renderings on Cairo image surfaces measured
 * pixel by pixel against expectations computed here from the values (bar
 * heights, funnel widths, the target's height, slice angles, the gauge's
 * fill); exported files; and a gallery window under Xvfb, in the light and
 * the dark style, saved under $KEHU_TEST_OUTPUT/screenshots/<lang>/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "kehu-application.h"
#include "kehu-bar-chart.h"
#include "kehu-chart.h"
#include "kehu-donut-chart.h"
#include "kehu-funnel-chart.h"
#include "kehu-gauge-chart.h"
#include "kehu-test-ui.h"
#include "kehu-trend-chart.h"

#define YUAN(y) ((gint64) (y) * 100)

static gboolean
is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

/* Pixels of an ARGB32 image surface */

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
  int              width;
  int              height;
} Canvas;

static Canvas *
canvas_new (int width,
            int height,
            int scale)
{
  Canvas *c = g_new0 (Canvas, 1);

  c->width = width * scale;
  c->height = height * scale;
  c->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, c->width, c->height);
  cairo_surface_set_device_scale (c->surface, scale, scale);
  c->cr = cairo_create (c->surface);
  cairo_set_source_rgb (c->cr, 1, 1, 1);
  cairo_paint (c->cr);

  return c;
}

static void
canvas_free (Canvas *c)
{
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Canvas, canvas_free)

static void
canvas_save (Canvas     *c,
             const char *name)
{
  const char *out = g_getenv ("KEHU_TEST_OUTPUT");
  g_autofree char *dir = g_build_filename (out ? out : ".", "charts", kehu_test_ui_lang (), NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  cairo_surface_flush (c->surface);
  g_assert_cmpint (cairo_surface_write_to_png (c->surface, path), ==, CAIRO_STATUS_SUCCESS);
}

static void
canvas_get (Canvas *c,
            int     x,
            int     y,
            guint8  rgb[3])
{
  guint8 *data;
  guint32 px;

  cairo_surface_flush (c->surface);
  data = cairo_image_surface_get_data (c->surface);
  g_assert_true (x >= 0 && y >= 0 && x < c->width && y < c->height);
  memcpy (&px, data + (gsize) y * cairo_image_surface_get_stride (c->surface) + (gsize) x * 4, 4);
  rgb[0] = (px >> 16) & 0xff;
  rgb[1] = (px >> 8) & 0xff;
  rgb[2] = px & 0xff;
}

static gboolean
canvas_is (Canvas        *c,
           int            x,
           int            y,
           const GdkRGBA *color)
{
  guint8 rgb[3];

  canvas_get (c, x, y, rgb);
  return abs (rgb[0] - (int) round (color->red * 255)) <= 3 &&
         abs (rgb[1] - (int) round (color->green * 255)) <= 3 &&
         abs (rgb[2] - (int) round (color->blue * 255)) <= 3;
}

static GdkRGBA
palette (guint index)
{
  GdkRGBA color;

  kehu_chart_palette_get_color (FALSE, index, &color);
  return color;
}

/* Runs of columns (or rows) holding @color, and the longest stretch of it
 * across each run: bars found without asking the chart where it put them.
 * Only the first @limit rows (columns) are looked at, if positive. */
typedef struct
{
  int start;     /* first column (row) of the run */
  int end;       /* one past the last */
  int length;    /* the longest span, first to last pixel of the colour, in
                    one column (row): lines crossing a bar do not shorten it */
  int far_edge;  /* the last row (column) holding the colour */
} Run;

static GArray *
find_runs (Canvas        *c,
           const GdkRGBA *color,
           gboolean       columns,
           int            limit)
{
  GArray *runs = g_array_new (FALSE, TRUE, sizeof (Run));
  int outer = columns ? c->width : c->height;
  int inner = columns ? c->height : c->width;
  Run run = { -1 };

  if (limit > 0)
    inner = MIN (inner, limit);

  for (int a = 0; a <= outer; a++)
    {
      int first = -1;
      int last = -1;

      for (int b = 0; a < outer && b < inner; b++)
        if (columns ? canvas_is (c, a, b, color) : canvas_is (c, b, a, color))
          {
            if (first < 0)
              first = b;
            last = b;
          }

      if (first >= 0)
        {
          if (run.start < 0)
            run = (Run) { a, a + 1, 0, last };
          run.end = a + 1;
          run.length = MAX (run.length, last - first + 1);
          run.far_edge = MAX (run.far_edge, last);
        }
      else if (run.start >= 0)
        {
          g_array_append_val (runs, run);
          run = (Run) { -1 };
        }
    }

  return runs;
}

static KehuChartData *
make_data (const char * const *categories,
           guint               n)
{
  return kehu_chart_data_new (categories, n);
}

/* Ticks */

static void
test_ticks (void)
{
  static const struct {
    gint64 min, max;
    guint intervals;
    KehuChartTicks expected;
  } table[] = {
    { 0, 0, 5, { 0, 1, 1 } },
    { 0, 1, 5, { 0, 1, 1 } },
    { 0, 7, 5, { 0, 8, 2 } },
    { 0, 93, 5, { 0, 100, 20 } },
    { 0, 100, 5, { 0, 100, 20 } },
    { 0, 101, 5, { 0, 150, 50 } },
    { 0, 1234567, 5, { 0, 1500000, 500000 } },
    { -30, 93, 5, { -50, 100, 50 } },
    { -7, 0, 5, { -8, 0, 2 } },
    { 0, YUAN (2500000000), 4, { 0, YUAN (3000000000), YUAN (1000000000) } },
    { 5, 7, 5, { 0, 8, 2 } },  /* 0 is always on the axis */
    { 0, 93, 0, { 0, 100, 20 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      KehuChartTicks t;

      kehu_chart_nice_ticks (table[i].min, table[i].max, table[i].intervals, &t);
      g_test_message ("ticks %" G_GINT64_FORMAT "…%" G_GINT64_FORMAT " → %" G_GINT64_FORMAT
                      "…%" G_GINT64_FORMAT " by %" G_GINT64_FORMAT,
                      table[i].min, table[i].max, t.lo, t.hi, t.step);
      g_assert_cmpint (t.lo, ==, table[i].expected.lo);
      g_assert_cmpint (t.hi, ==, table[i].expected.hi);
      g_assert_cmpint (t.step, ==, table[i].expected.step);
      g_assert_cmpint ((t.hi - t.lo) % t.step, ==, 0);
    }

  /* Every step is 1, 2 or 5 × 10ⁿ, covers the range, and keeps to the
   * number of intervals asked for. */
  for (gint64 max = 1; max < G_GINT64_CONSTANT (100000000000000); max = max * 3 + 7)
    for (guint intervals = 2; intervals <= 6; intervals++)
      {
        KehuChartTicks t;
        gint64 m;

        kehu_chart_nice_ticks (0, max, intervals, &t);
        for (m = t.step; m % 10 == 0; m /= 10)
          ;
        g_assert_true (m == 1 || m == 2 || m == 5);
        g_assert_cmpint (t.hi, >=, max);
        g_assert_cmpint (t.hi - t.step, <, max);
        g_assert_cmpuint (kehu_chart_ticks_count (&t) - 1, <=, intervals);
      }
}

/* Numbers */

static void
test_format_chinese (void)
{
  static const struct { gint64 value; KehuChartUnit unit; const char *expected; } table[] = {
    { 0, KEHU_CHART_UNIT_CENTS, "0" },
    { 1, KEHU_CHART_UNIT_CENTS, "0.01" },
    { 50, KEHU_CHART_UNIT_CENTS, "0.5" },
    { 123456, KEHU_CHART_UNIT_CENTS, "1234.56" },
    { 999999, KEHU_CHART_UNIT_CENTS, "9999.99" },
    { YUAN (10000), KEHU_CHART_UNIT_CENTS, "1万" },
    { YUAN (125000), KEHU_CHART_UNIT_CENTS, "12.5万" },
    { YUAN (12500), KEHU_CHART_UNIT_CENTS, "1.25万" },
    { 1234500000, KEHU_CHART_UNIT_CENTS, "1234.5万" },
    { 1234567890, KEHU_CHART_UNIT_CENTS, "1234.57万" },
    { -YUAN (125000), KEHU_CHART_UNIT_CENTS, "-12.5万" },
    { -1, KEHU_CHART_UNIT_CENTS, "-0.01" },
    { G_GINT64_CONSTANT (9999999999), KEHU_CHART_UNIT_CENTS, "1亿" },   /* rounds up to 亿 */
    { G_GINT64_CONSTANT (9999000000), KEHU_CHART_UNIT_CENTS, "9999万" },
    { G_GINT64_CONSTANT (10000000000), KEHU_CHART_UNIT_CENTS, "1亿" },
    { G_GINT64_CONSTANT (32000000000), KEHU_CHART_UNIT_CENTS, "3.2亿" },
    { G_GINT64_CONSTANT (12345678901234), KEHU_CHART_UNIT_CENTS, "1234.57亿" },
    { 9999, KEHU_CHART_UNIT_COUNT, "9999" },
    { 12500, KEHU_CHART_UNIT_COUNT, "1.25万" },
    { 0, KEHU_CHART_UNIT_COUNT, "0" },
    { 85, KEHU_CHART_UNIT_PERCENT, "85%" },
    { 130, KEHU_CHART_UNIT_PERCENT, "130%" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *text = kehu_chart_format_value (table[i].value, table[i].unit,
                                                       KEHU_CHART_NUMBER_STYLE_CHINESE);
      g_assert_cmpstr (text, ==, table[i].expected);
    }
}

static void
test_format_western (void)
{
  static const struct { gint64 value; KehuChartUnit unit; const char *expected; } table[] = {
    { 0, KEHU_CHART_UNIT_CENTS, "0" },
    { 99999, KEHU_CHART_UNIT_CENTS, "999.99" },
    { YUAN (1000), KEHU_CHART_UNIT_CENTS, "1k" },
    { 123456, KEHU_CHART_UNIT_CENTS, "1.23k" },
    { YUAN (125000), KEHU_CHART_UNIT_CENTS, "125k" },
    { YUAN (999999), KEHU_CHART_UNIT_CENTS, "1M" },       /* rounds up to M */
    { YUAN (3200000), KEHU_CHART_UNIT_CENTS, "3.2M" },
    { 1234500000, KEHU_CHART_UNIT_CENTS, "12.35M" },
    { -YUAN (3200000), KEHU_CHART_UNIT_CENTS, "-3.2M" },
    { YUAN (320000000), KEHU_CHART_UNIT_CENTS, "320M" },
    { G_GINT64_CONSTANT (32000000000), KEHU_CHART_UNIT_CENTS, "320M" },
    { G_GINT64_CONSTANT (250000000000), KEHU_CHART_UNIT_CENTS, "2.5B" },
    { 999, KEHU_CHART_UNIT_COUNT, "999" },
    { 12500, KEHU_CHART_UNIT_COUNT, "12.5k" },
    { 85, KEHU_CHART_UNIT_PERCENT, "85%" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *text = kehu_chart_format_value (table[i].value, table[i].unit,
                                                       KEHU_CHART_NUMBER_STYLE_WESTERN);
      g_assert_cmpstr (text, ==, table[i].expected);
    }
}

static void
test_format_exact (void)
{
  static const struct { gint64 value; KehuChartUnit unit; const char *expected; } table[] = {
    { 1234567890, KEHU_CHART_UNIT_CENTS, "12,345,678.90" },
    { 0, KEHU_CHART_UNIT_CENTS, "0.00" },
    { -5, KEHU_CHART_UNIT_CENTS, "-0.05" },
    { -YUAN (1000), KEHU_CHART_UNIT_CENTS, "-1,000.00" },
    { 100, KEHU_CHART_UNIT_CENTS, "1.00" },
    { 1234567, KEHU_CHART_UNIT_COUNT, "1,234,567" },
    { 123, KEHU_CHART_UNIT_COUNT, "123" },
    { 85, KEHU_CHART_UNIT_PERCENT, "85%" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *text = kehu_chart_format_value_exact (table[i].value, table[i].unit);
      g_assert_cmpstr (text, ==, table[i].expected);
    }
}

static void
test_number_style_follows_language (void)
{
  /* LANGUAGE=zh_CN reads 万 and 亿; English reads k and M. */
  g_assert_cmpint (kehu_chart_number_style_default (), ==,
                   is_zh () ? KEHU_CHART_NUMBER_STYLE_CHINESE : KEHU_CHART_NUMBER_STYLE_WESTERN);
}

/* Bars */

static const char * const four[] = { "North", "South", "East", "West" };

static void
test_bar_layout_and_hit (void)
{
  g_autoptr(KehuChartData) data = make_data (four, 4);
  g_autoptr(GArray) shapes = g_array_new (FALSE, TRUE, sizeof (KehuChartShape));
  graphene_rect_t plot = GRAPHENE_RECT_INIT (10, 20, 400, 300);
  KehuChartTicks ticks = { 0, 100, 20 };
  const gint64 values[] = { 100, 50, 25, 0 };
  guint series, index;

  kehu_chart_data_add_series (data, "Amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, values);
  /* Lines are not bars: the bar layout leaves them out. */
  kehu_chart_data_add_series (data, "Line", KEHU_CHART_SERIES_LINE, KEHU_CHART_UNIT_COUNT, values);
  kehu_bar_chart_layout (data, GTK_ORIENTATION_VERTICAL, &plot, &ticks, shapes);
  g_assert_cmpuint (shapes->len, ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      const KehuChartShape *s = &g_array_index (shapes, KehuChartShape, i);
      /* Slots of 100 px; bars 70 px wide in their middle; 3 px per unit. */
      g_assert_cmpint (s->kind, ==, KEHU_CHART_SHAPE_RECT);
      g_assert_cmpuint (s->series, ==, 0);
      g_assert_cmpuint (s->index, ==, i);
      g_assert_cmpfloat_with_epsilon (s->bounds.origin.x + s->bounds.size.width / 2, 10 + 100 * i + 50, 0.01);
      g_assert_cmpfloat_with_epsilon (s->bounds.size.width, MIN (70, 56), 0.01);
      g_assert_cmpfloat_with_epsilon (s->bounds.size.height, 3.0 * values[i], 0.01);
      g_assert_cmpfloat_with_epsilon (s->bounds.origin.y + s->bounds.size.height, 320, 0.01);
    }

  /* In a bar, between bars, above a short bar, on a zero bar. */
  g_assert_true (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 60, 300, &series, &index));
  g_assert_cmpuint (series, ==, 0);
  g_assert_cmpuint (index, ==, 0);
  g_assert_true (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 260, 310, NULL, &index));
  g_assert_cmpuint (index, ==, 2);
  g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 110, 310, NULL, NULL));
  g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 260, 200, NULL, NULL));
  g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 360, 319, NULL, NULL));

  /* Two series side by side, horizontal, with a negative value. */
  {
    g_autoptr(KehuChartData) two = make_data (four, 2);
    const gint64 a[] = { 60, -20 };
    const gint64 b[] = { 30, 40 };
    KehuChartTicks t = { -40, 80, 20 };
    graphene_rect_t p = GRAPHENE_RECT_INIT (0, 0, 240, 200);

    g_array_set_size (shapes, 0);
    kehu_chart_data_add_series (two, "A", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, a);
    kehu_chart_data_add_series (two, "B", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, b);
    kehu_bar_chart_layout (two, GTK_ORIENTATION_HORIZONTAL, &p, &t, shapes);
    g_assert_cmpuint (shapes->len, ==, 4);
    /* Zero is at x = 80 (2 px per unit); slot 0 is y 0…100. */
    {
      const KehuChartShape *a0 = &g_array_index (shapes, KehuChartShape, 0);
      const KehuChartShape *b0 = &g_array_index (shapes, KehuChartShape, 1);
      const KehuChartShape *a1 = &g_array_index (shapes, KehuChartShape, 2);

      g_assert_cmpfloat_with_epsilon (a0->bounds.origin.x, 80, 0.01);
      g_assert_cmpfloat_with_epsilon (a0->bounds.size.width, 120, 0.01);
      g_assert_cmpfloat_with_epsilon (b0->bounds.size.width, 60, 0.01);
      g_assert_cmpfloat (a0->bounds.origin.y + a0->bounds.size.height, <=, b0->bounds.origin.y);
      g_assert_cmpfloat_with_epsilon (a1->bounds.origin.x, 40, 0.01);
      g_assert_cmpfloat_with_epsilon (a1->bounds.size.width, 40, 0.01);
      g_assert_cmpuint (a1->index, ==, 1);
    }
    g_assert_true (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 60, 130, &series, &index));
    g_assert_cmpuint (series, ==, 0);
    g_assert_cmpuint (index, ==, 1);
    g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 100, 150 - 50 + 5, NULL, NULL));
  }
}

static void
check_bars_proportional (Canvas       *c,
                         const gint64 *values,
                         guint         n,
                         gboolean      columns)
{
  GdkRGBA blue = palette (0);
  g_autoptr(GArray) runs = find_runs (c, &blue, columns, -1);

  g_assert_cmpuint (runs->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const Run *r = &g_array_index (runs, Run, i);
      const Run *r0 = &g_array_index (runs, Run, 0);
      double expected = (double) r0->length * values[i] / values[0];

      g_test_message ("bar %u: %d px for %" G_GINT64_FORMAT, i, r->length, values[i]);
      g_assert_cmpfloat (fabs (r->length - expected), <=, 1.5);
      /* Equal thickness, left to right (top to bottom) in data order. */
      g_assert_cmpint (abs ((r->end - r->start) - (r0->end - r0->start)), <=, 1);
      if (i > 0)
        g_assert_cmpint (r->start, >, g_array_index (runs, Run, i - 1).end);
      if (columns)
        g_assert_cmpint (abs (r->far_edge - r0->far_edge), <=, 1);
    }
}

static void
test_bar_pixels (void)
{
  const gint64 values[] = { 80, 40, 20, 60 };
  g_autoptr(KehuChartData) data = make_data (four, 4);
  GtkWidget *chart = g_object_ref_sink (kehu_bar_chart_new (GTK_ORIENTATION_VERTICAL));

  kehu_chart_data_add_series (data, "Customers", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, values);
  kehu_chart_set_data (KEHU_CHART (chart), data);

  {
    g_autoptr(Canvas) c = canvas_new (480, 320, 1);
    kehu_chart_render (KEHU_CHART (chart), c->cr, 480, 320, FALSE);
    canvas_save (c, "bar-vertical");
    check_bars_proportional (c, values, 4, TRUE);
  }

  /* HiDPI: the same chart at scale 2 has bars twice as tall in pixels. */
  {
    g_autoptr(Canvas) c1 = canvas_new (480, 320, 1);
    g_autoptr(Canvas) c2 = canvas_new (480, 320, 2);
    g_autoptr(GArray) r1 = NULL;
    g_autoptr(GArray) r2 = NULL;
    GdkRGBA blue = palette (0);

    kehu_chart_render (KEHU_CHART (chart), c1->cr, 480, 320, FALSE);
    kehu_chart_render (KEHU_CHART (chart), c2->cr, 480, 320, FALSE);
    canvas_save (c2, "bar-vertical-scale2");
    r1 = find_runs (c1, &blue, TRUE, -1);
    r2 = find_runs (c2, &blue, TRUE, -1);
    g_assert_cmpuint (r2->len, ==, 4);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (abs (g_array_index (r2, Run, i).length - 2 * g_array_index (r1, Run, i).length), <=, 2);
    check_bars_proportional (c2, values, 4, TRUE);
  }

  gtk_orientable_set_orientation (GTK_ORIENTABLE (chart), GTK_ORIENTATION_HORIZONTAL);
  {
    g_autoptr(Canvas) c = canvas_new (480, 320, 1);
    kehu_chart_render (KEHU_CHART (chart), c->cr, 480, 320, FALSE);
    canvas_save (c, "bar-horizontal");
    check_bars_proportional (c, values, 4, FALSE);
  }

  /* The widget's own hit-testing follows the last rendering. */
  {
    guint n_shapes, index;
    const KehuChartShape *shapes = kehu_chart_get_shapes (KEHU_CHART (chart), &n_shapes);
    const graphene_rect_t *b;

    g_assert_cmpuint (n_shapes, ==, 4);
    b = &shapes[3].bounds;
    g_assert_true (kehu_chart_pick (KEHU_CHART (chart), b->origin.x + 2, b->origin.y + b->size.height / 2, NULL, &index));
    g_assert_cmpuint (index, ==, 3);
  }

  g_assert_finalize_object (chart);
}

/* Trend */

static void
test_trend_target (void)
{
  static const char * const months[] = { "2026-01", "2026-02", "2026-03", "2026-04" };
  const gint64 contracts[] = { YUAN (500000), YUAN (1000000), YUAN (750000), YUAN (250000) };
  const gint64 payments[] = { YUAN (200000), YUAN (600000), YUAN (900000), YUAN (400000) };
  const gint64 target[] = { YUAN (1000000), YUAN (1000000), YUAN (1000000), YUAN (1000000) };
  g_autoptr(KehuChartData) data = make_data (months, 4);
  GtkWidget *chart = g_object_ref_sink (kehu_trend_chart_new ());
  g_autoptr(Canvas) c = canvas_new (560, 340, 1);
  g_autoptr(GArray) runs = NULL;
  GdkRGBA blue = palette (0);
  GdkRGBA green = palette (1);
  GdkRGBA target_color;
  const KehuChartShape *shapes;
  guint n_shapes, n_points = 0, n_segments = 0;
  int target_row = -1, best = 0;

  kehu_chart_data_add_series (data, "Contract amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, contracts);
  kehu_chart_data_add_series (data, "Payment amount", KEHU_CHART_SERIES_LINE, KEHU_CHART_UNIT_CENTS, payments);
  kehu_chart_data_add_series (data, "Sales target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, target);
  kehu_chart_set_data (KEHU_CHART (chart), data);
  kehu_chart_render (KEHU_CHART (chart), c->cr, 560, 340, FALSE);
  canvas_save (c, "trend");

  /* Bars, above the legend: proportional to the contract amounts. */
  runs = find_runs (c, &blue, TRUE, c->height - 30);
  g_assert_cmpuint (runs->len, ==, 4);
  {
    const Run *tallest = &g_array_index (runs, Run, 1);

    for (guint i = 0; i < 4; i++)
      {
        const Run *r = &g_array_index (runs, Run, i);
        g_test_message ("month %u: %d px", i, r->length);
        g_assert_cmpfloat (fabs (r->length - (double) tallest->length * contracts[i] / contracts[1]), <=, 1.5);
        g_assert_cmpint (abs (r->far_edge - tallest->far_edge), <=, 1);
      }

    /* The target line: the row with most of the target's colour, at the
     * top of the bar that equals the target. */
    gdk_rgba_parse (&target_color, "#a51d2d");
    for (int y = 0; y < c->height; y++)
      {
        int count = 0;
        for (int x = 0; x < c->width; x++)
          count += canvas_is (c, x, y, &target_color);
        if (count > best)
          {
            best = count;
            target_row = y;
          }
      }
    g_assert_cmpint (best, >, c->width / 3);
    g_test_message ("target at row %d, bar of the target's value from %d to %d",
                    target_row, tallest->far_edge - tallest->length + 1, tallest->far_edge);
    /* The line is 2 px wide centred on the value; the bar starts there. */
    g_assert_cmpint (abs (target_row - (tallest->far_edge - tallest->length + 1)), <=, 2);
  }

  /* The payment line's markers are where the layout says, in their colour;
   * each target segment spans its month. */
  shapes = kehu_chart_get_shapes (KEHU_CHART (chart), &n_shapes);
  for (guint i = 0; i < n_shapes; i++)
    {
      if (shapes[i].kind == KEHU_CHART_SHAPE_POINT)
        {
          g_assert_true (canvas_is (c, (int) shapes[i].cx, (int) shapes[i].cy, &green));
          n_points++;
        }
      else if (shapes[i].kind == KEHU_CHART_SHAPE_SEGMENT)
        {
          g_assert_cmpint (abs ((int) shapes[i].bounds.origin.y - target_row), <=, 1);
          n_segments++;
        }
    }
  g_assert_cmpuint (n_points, ==, 4);
  g_assert_cmpuint (n_segments, ==, 4);

  /* The marker wins over the bar under it. */
  {
    guint series, index;
    const KehuChartShape *p = NULL;

    for (guint i = 0; i < n_shapes; i++)
      if (shapes[i].kind == KEHU_CHART_SHAPE_POINT && shapes[i].index == 2)
        p = &shapes[i];
    g_assert_nonnull (p);
    g_assert_true (kehu_chart_pick (KEHU_CHART (chart), p->cx + 3, p->cy, &series, &index));
    g_assert_cmpuint (series, ==, 1);
    g_assert_cmpuint (index, ==, 2);
  }

  g_assert_finalize_object (chart);
}

/* Funnel */

static const char * const stages[] = { "验证客户", "需求分析", "方案报价", "谈判审核" };

static KehuChartData *
funnel_data (void)
{
  const gint64 counts[] = { 100, 60, 30, 10 };
  const gint64 amounts[] = { YUAN (2000000), YUAN (1500000), YUAN (900000), YUAN (400000) };
  const gint64 weighted[] = { YUAN (200000), YUAN (450000), YUAN (540000), YUAN (320000) };
  KehuChartData *data = make_data (stages, 4);

  kehu_chart_data_add_series (data, "Count", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, counts);
  kehu_chart_data_add_series (data, "Amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, amounts);
  kehu_chart_data_add_series (data, "Weighted", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, weighted);

  return data;
}

static void
test_funnel (void)
{
  g_autoptr(KehuChartData) data = funnel_data ();
  g_autoptr(GArray) shapes = g_array_new (FALSE, TRUE, sizeof (KehuChartShape));
  graphene_rect_t area = GRAPHENE_RECT_INIT (0, 0, 200, 4 * 50 + 3 * 3);
  GtkWidget *chart = g_object_ref_sink (kehu_funnel_chart_new ());
  g_autoptr(Canvas) c = canvas_new (560, 300, 1);
  const gint64 counts[] = { 100, 60, 30, 10 };
  int previous_top = -1;
  double w0 = 0;
  guint index;

  /* Pure layout: bands of 50 px, 3 px apart, top edges 2 px per count. */
  kehu_funnel_chart_layout (data, &area, shapes);
  g_assert_cmpuint (shapes->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const KehuChartShape *s = &g_array_index (shapes, KehuChartShape, i);
      g_assert_cmpuint (s->index, ==, i);
      g_assert_cmpfloat_with_epsilon (s->bounds.origin.y, 53.0 * i, 0.01);
      g_assert_cmpfloat_with_epsilon (s->top_width, 2.0 * counts[i], 0.01);
      g_assert_cmpfloat_with_epsilon (s->bottom_width, i < 3 ? 2.0 * counts[i + 1] : 2.0 * counts[i], 0.01);
    }
  g_assert_true (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 100, 53 * 2 + 25, NULL, &index));
  g_assert_cmpuint (index, ==, 2);
  /* Beside the third stage, in the gap between stages, below the funnel. */
  g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 20, 53 * 2 + 25, NULL, NULL));
  g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 100, 51.5, NULL, NULL));
  g_assert_false (kehu_chart_hit_test ((KehuChartShape *) shapes->data, shapes->len, 100, 220, NULL, NULL));

  /* Rendered: each stage's top edge, measured in its colour, in order and
   * narrowing with the counts. */
  kehu_chart_set_data (KEHU_CHART (chart), data);
  kehu_chart_render (KEHU_CHART (chart), c->cr, 560, 300, FALSE);
  canvas_save (c, "funnel");
  for (guint i = 0; i < 4; i++)
    {
      GdkRGBA color = palette (i);
      g_autoptr(GArray) rows = find_runs (c, &color, FALSE, -1);
      const Run *band;
      int width = 0;

      g_assert_cmpuint (rows->len, >=, 1);
      band = &g_array_index (rows, Run, 0);
      g_assert_cmpint (band->start, >, previous_top);
      previous_top = band->start;
      for (int x = 0; x < c->width; x++)
        width += canvas_is (c, x, band->start + 1, &color);
      if (i == 0)
        w0 = width;
      g_test_message ("stage %u: top at %d, %d px wide", i, band->start, width);
      g_assert_cmpfloat (fabs (width - w0 * counts[i] / counts[0]), <=, 3);
    }

  g_assert_finalize_object (chart);
}

/* Donut */

static void
test_donut (void)
{
  static const char * const sources[] = { "Referral", "Exhibition", "Website" };
  const gint64 values[] = { 50, 25, 25 };
  g_autoptr(KehuChartData) data = make_data (sources, 3);
  g_autoptr(GArray) shapes = g_array_new (FALSE, TRUE, sizeof (KehuChartShape));
  graphene_rect_t area = GRAPHENE_RECT_INIT (0, 0, 200, 200);
  GtkWidget *chart = g_object_ref_sink (kehu_donut_chart_new ());
  g_autoptr(Canvas) c = canvas_new (460, 260, 1);
  const KehuChartShape *s;
  GdkRGBA white = { 1, 1, 1, 1 };
  guint n_shapes, index;
  double mid;

  kehu_chart_data_add_series (data, "Customers", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, values);

  /* Pure: half, quarter, quarter, clockwise from 12 o'clock. */
  kehu_donut_chart_layout (data, &area, 0.5, shapes);
  g_assert_cmpuint (shapes->len, ==, 3);
  s = (KehuChartShape *) shapes->data;
  g_assert_cmpfloat_with_epsilon (s[0].start_angle, -G_PI / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (s[0].end_angle, G_PI / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (s[1].end_angle, G_PI, 1e-9);
  g_assert_cmpfloat_with_epsilon (s[2].end_angle, 3 * G_PI / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (s[0].inner_radius, 50, 1e-9);
  /* 3 o'clock → slice 0; 7:30 → slice 1; 10:30 → slice 2; the hole and
   * outside → nothing. */
  g_assert_true (kehu_chart_hit_test (s, 3, 100 + 75, 100, NULL, &index));
  g_assert_cmpuint (index, ==, 0);
  g_assert_true (kehu_chart_hit_test (s, 3, 100 - 53, 100 + 53, NULL, &index));
  g_assert_cmpuint (index, ==, 1);
  g_assert_true (kehu_chart_hit_test (s, 3, 100 - 53, 100 - 53, NULL, &index));
  g_assert_cmpuint (index, ==, 2);
  g_assert_false (kehu_chart_hit_test (s, 3, 100, 100, NULL, NULL));
  g_assert_false (kehu_chart_hit_test (s, 3, 195, 195, NULL, NULL));

  /* Rendered: sample the ring in the middle of each slice's angles. */
  kehu_chart_set_data (KEHU_CHART (chart), data);
  kehu_chart_render (KEHU_CHART (chart), c->cr, 460, 260, FALSE);
  canvas_save (c, "donut");
  s = kehu_chart_get_shapes (KEHU_CHART (chart), &n_shapes);
  g_assert_cmpuint (n_shapes, ==, 3);
  mid = (s[0].inner_radius + s[0].outer_radius) / 2;
  {
    const double cumulative[] = { 0, 0.5, 0.75, 1.0 };

    for (guint i = 0; i < 3; i++)
      {
        GdkRGBA color = palette (i);
        for (double f = 0.1; f < 0.95; f += 0.2)
          {
            double a = -G_PI / 2 + 2 * G_PI * (cumulative[i] + f * (cumulative[i + 1] - cumulative[i]));
            g_assert_true (canvas_is (c, (int) round (s[0].cx + mid * cos (a)),
                                      (int) round (s[0].cy + mid * sin (a)), &color));
          }
      }
  }
  g_assert_true (canvas_is (c, (int) s[0].cx, (int) s[0].cy + (int) (s[0].inner_radius * 0.9), &white));

  g_assert_finalize_object (chart);
}

/* Gauge */

static void
check_gauge (gint64 value,
             gint64 target,
             double filled_to,
             guint  fill_color,
             const char *name)
{
  static const char * const kpi[] = { "Contract amount" };
  g_autoptr(KehuChartData) data = make_data (kpi, 1);
  GtkWidget *chart = g_object_ref_sink (kehu_gauge_chart_new ());
  g_autoptr(Canvas) c = canvas_new (320, 240, 1);
  GdkRGBA fill = palette (fill_color);
  const KehuChartShape *s;
  guint n_shapes;
  double mid;

  kehu_chart_data_add_series (data, "Achieved", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, &value);
  kehu_chart_data_add_series (data, "Target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, &target);
  kehu_chart_set_data (KEHU_CHART (chart), data);
  kehu_chart_render (KEHU_CHART (chart), c->cr, 320, 240, FALSE);
  canvas_save (c, name);

  s = kehu_chart_get_shapes (KEHU_CHART (chart), &n_shapes);
  g_assert_cmpuint (n_shapes, >=, 1);
  g_assert_cmpuint (s[0].series, ==, 0);
  g_assert_cmpfloat_with_epsilon (s[0].end_angle, KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP * filled_to, 1e-9);
  mid = (s[0].inner_radius + s[0].outer_radius) / 2;

  /* Filled up to filled_to of the sweep, the track's grey after it. */
  for (double f = 0.05; f < 1.0; f += 0.05)
    {
      double a = KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP * f;
      int x = (int) round (s[0].cx + mid * cos (a));
      int y = (int) round (s[0].cy + mid * sin (a));
      guint8 rgb[3];

      if (fabs (f - filled_to) < 0.03)
        continue;
      canvas_get (c, x, y, rgb);
      if (f < filled_to)
        g_assert_true (canvas_is (c, x, y, &fill));
      else
        {
          /* Black at 10% over white. */
          g_assert_cmpint (abs (rgb[0] - 230), <=, 3);
          g_assert_cmpint (rgb[0], ==, rgb[2]);
        }
    }

  g_assert_finalize_object (chart);
}

static void
test_gauge (void)
{
  g_assert_cmpint (kehu_gauge_chart_percent (85, 100), ==, 85);
  g_assert_cmpint (kehu_gauge_chart_percent (YUAN (2), YUAN (3)), ==, 67);
  g_assert_cmpint (kehu_gauge_chart_percent (1, 200), ==, 1);   /* 0.5 rounds up */
  g_assert_cmpint (kehu_gauge_chart_percent (130, 100), ==, 130);
  g_assert_cmpint (kehu_gauge_chart_percent (-5, 100), ==, 0);
  g_assert_cmpint (kehu_gauge_chart_percent (5, 0), ==, -1);
  g_assert_cmpint (kehu_gauge_chart_range (-1), ==, 100);
  g_assert_cmpint (kehu_gauge_chart_range (100), ==, 100);
  g_assert_cmpint (kehu_gauge_chart_range (101), ==, 150);
  g_assert_cmpint (kehu_gauge_chart_range (150), ==, 150);
  g_assert_cmpint (kehu_gauge_chart_range (151), ==, 200);
  g_assert_cmpint (kehu_gauge_chart_range (5000), ==, 1000);

  check_gauge (YUAN (600000), YUAN (1000000), 0.6, 0, "gauge-60");
  /* Past the target: the arc goes to 150%, green, 130/150 of the way. */
  check_gauge (YUAN (1300000), YUAN (1000000), 130.0 / 150.0, 1, "gauge-130");
}

/* Words */

static void
test_description_and_tooltip (void)
{
  g_autoptr(KehuChartData) data = funnel_data ();
  GtkWidget *chart = g_object_ref_sink (kehu_funnel_chart_new ());
  KehuChartNumberStyle style = kehu_chart_number_style_default ();
  g_autofree char *empty = kehu_chart_dup_description (KEHU_CHART (chart));
  g_autofree char *description = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *amount = kehu_chart_format_value (YUAN (1500000), KEHU_CHART_UNIT_CENTS, style);

  g_assert_cmpstr (empty, ==, is_zh () ? "本期没有数据" : "No data for this period");

  kehu_chart_set_title (KEHU_CHART (chart), "Sales funnel");
  kehu_chart_set_data (KEHU_CHART (chart), data);
  description = kehu_chart_dup_description (KEHU_CHART (chart));
  g_test_message ("%s", description);
  g_assert_true (g_str_has_prefix (description, is_zh () ? "销售漏斗，共 4 个阶段" : "Sales funnel with 4 stages"));
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    g_assert_nonnull (strstr (description, stages[i]));
  g_assert_nonnull (strstr (description, amount));
  g_assert_nonnull (strstr (description, is_zh () ? "150万" : "1.5M"));

  tooltip = kehu_chart_dup_item_text (KEHU_CHART (chart), 0, 1);
  g_assert_cmpstr (tooltip, ==, is_zh () ? "需求分析\nCount 60 · Amount 150万 · Weighted 45万"
                                         : "需求分析\nCount 60 · Amount 1.5M · Weighted 450k");
  g_assert_null (kehu_chart_dup_item_text (KEHU_CHART (chart), 0, 9));

  g_assert_finalize_object (chart);

  /* The default tooltip: category · series, then short and exact value. */
  {
    static const char * const months[] = { "2026-03" };
    const gint64 v[] = { 1234567890 };
    g_autoptr(KehuChartData) d = make_data (months, 1);
    GtkWidget *bar = g_object_ref_sink (kehu_bar_chart_new (GTK_ORIENTATION_VERTICAL));
    g_autofree char *text = NULL;

    kehu_chart_data_add_series (d, "Contract amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, v);
    kehu_chart_set_data (KEHU_CHART (bar), d);
    text = kehu_chart_dup_item_text (KEHU_CHART (bar), 0, 0);
    g_assert_cmpstr (text, ==, is_zh () ? "2026-03 · Contract amount\n1234.57万（12,345,678.90）"
                                        : "2026-03 · Contract amount\n12.35M (12,345,678.90)");
    g_assert_finalize_object (bar);
  }
}

static void
on_activated_cb (KehuChart *chart,
                 guint      series,
                 guint      index,
                 guint     *out)
{
  out[0] = series;
  out[1] = index;
  out[2]++;
}

static void
test_activated (void)
{
  g_autoptr(KehuChartData) data = funnel_data ();
  GtkWidget *chart = g_object_ref_sink (kehu_funnel_chart_new ());
  guint got[3] = { 0, 0, 0 };

  kehu_chart_set_data (KEHU_CHART (chart), data);
  g_signal_connect (chart, "activated", G_CALLBACK (on_activated_cb), got);
  g_assert_true (gtk_widget_activate_action (chart, "chart.activate-item", "(uu)", 0, 2));
  g_assert_cmpuint (got[2], ==, 1);
  g_assert_cmpuint (got[0], ==, 0);
  g_assert_cmpuint (got[1], ==, 2);

  g_assert_finalize_object (chart);
}

/* Export */

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Binary files may hold NULs: no str* functions. */
static gboolean
mem_contains (const char *haystack,
              gsize       length,
              const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static void
test_export (void)
{
  g_autoptr(KehuChartData) data = funnel_data ();
  GtkWidget *chart = g_object_ref_sink (kehu_funnel_chart_new ());
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kehu-charts-XXXXXX", &error);
  g_autofree char *png = g_build_filename (dir, "funnel.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "funnel.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "funnel.pdf", NULL);
  g_autofree char *nowhere = g_build_filename (dir, "missing", "funnel.png", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_no_error (error);
  kehu_chart_set_title (KEHU_CHART (chart), is_zh () ? "销售漏斗" : "Sales funnel");
  kehu_chart_set_data (KEHU_CHART (chart), data);

  g_assert_true (kehu_chart_export (KEHU_CHART (chart), png, KEHU_CHART_EXPORT_PNG, 640, 360, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &contents, &length, &error));
  g_assert_cmpuint (length, >, 24);
  g_assert_cmpmem (contents, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (contents + 12, 4, "IHDR", 4);
  g_assert_cmpuint (read_be32 ((guint8 *) contents + 16), ==, 640);
  g_assert_cmpuint (read_be32 ((guint8 *) contents + 20), ==, 360);
  g_clear_pointer (&contents, g_free);
  {
    /* Drawn, on white, in the light palette whatever the style. */
    g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (png, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (kehu_test_ui_count_colours (texture), >, 8);
  }

  g_assert_true (kehu_chart_export (KEHU_CHART (chart), svg, KEHU_CHART_EXPORT_SVG, 640, 360, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &length, &error));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, "width=\"640"));
  g_assert_nonnull (strstr (contents, "</svg>"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (kehu_chart_export (KEHU_CHART (chart), pdf, KEHU_CHART_EXPORT_PDF, 640, 360, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &length, &error));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_true (mem_contains (contents + length - MIN (length, 16), MIN (length, 16), "%EOF"));
  g_assert_true (mem_contains (contents, length, "/MediaBox [ 0 0 640 360 ]"));
  g_clear_pointer (&contents, g_free);

  /* A folder that does not exist: an error that says so, no crash. */
  g_assert_false (kehu_chart_export (KEHU_CHART (chart), nowhere, KEHU_CHART_EXPORT_PNG, 64, 64, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "funnel.png"));
  g_clear_error (&error);

  g_unlink (png);
  g_unlink (svg);
  g_unlink (pdf);
  g_rmdir (dir);

  /* A copy for people to look at, next to the screenshots. */
  {
    const char *out = g_getenv ("KEHU_TEST_OUTPUT");
    g_autofree char *keep_dir = g_build_filename (out ? out : ".", "charts", kehu_test_ui_lang (), NULL);
    g_autofree char *keep_png = g_build_filename (keep_dir, "export-funnel.png", NULL);
    g_autofree char *keep_pdf = g_build_filename (keep_dir, "export-funnel.pdf", NULL);

    g_assert_cmpint (g_mkdir_with_parents (keep_dir, 0755), ==, 0);
    g_assert_true (kehu_chart_export (KEHU_CHART (chart), keep_png, KEHU_CHART_EXPORT_PNG, 640, 360, &error));
    g_assert_no_error (error);
    g_assert_true (kehu_chart_export (KEHU_CHART (chart), keep_pdf, KEHU_CHART_EXPORT_PDF, 640, 360, &error));
    g_assert_no_error (error);
  }
  g_assert_finalize_object (chart);
}

/* Every chart at the smallest size it asks for, and a little more: the
 * labels must give way (fewer, ellipsized) rather than overlap. Saved for
 * people to look at; checked to draw something in the chart's colours. */
static void
test_small (void)
{
  static const char * const months[] = {
    "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
  };
  gint64 c_values[12], t_values[12];
  const gint64 one = YUAN (1300000), target = YUAN (1000000);
  static const char * const kpi[] = { "Contract amount" };
  static const char * const slices[] = { "Manufacturing and heavy industry", "Retail", "Other" };
  const gint64 shares[] = { 60, 30, 10 };
  g_autoptr(KehuChartData) trend = make_data (months, 12);
  g_autoptr(KehuChartData) gauge = make_data (kpi, 1);
  g_autoptr(KehuChartData) donut = make_data (slices, 3);
  g_autoptr(KehuChartData) funnel = funnel_data ();
  GtkWidget *charts[5];
  const struct { int w, h; } sizes[] = { { 160, 120 }, { 260, 170 } };

  for (guint i = 0; i < 12; i++)
    {
      c_values[i] = YUAN ((i + 3) * 170000);
      t_values[i] = YUAN (1000000);
    }
  kehu_chart_data_add_series (trend, "Contract amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, c_values);
  kehu_chart_data_add_series (trend, "Sales target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, t_values);
  kehu_chart_data_add_series (gauge, "Achieved", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, &one);
  kehu_chart_data_add_series (gauge, "Target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, &target);
  kehu_chart_data_add_series (donut, "Customers", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, shares);

  charts[0] = kehu_trend_chart_new ();
  kehu_chart_set_data (KEHU_CHART (charts[0]), trend);
  charts[1] = kehu_funnel_chart_new ();
  kehu_chart_set_data (KEHU_CHART (charts[1]), funnel);
  charts[2] = kehu_bar_chart_new (GTK_ORIENTATION_HORIZONTAL);
  kehu_chart_set_data (KEHU_CHART (charts[2]), trend);
  charts[3] = kehu_donut_chart_new ();
  kehu_chart_set_data (KEHU_CHART (charts[3]), donut);
  charts[4] = kehu_gauge_chart_new ();
  kehu_chart_set_data (KEHU_CHART (charts[4]), gauge);

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      int w = sizes[k].w, h = sizes[k].h;
      g_autoptr(Canvas) all = canvas_new ((w + 10) * G_N_ELEMENTS (charts), h, 1);
      g_autofree char *name = g_strdup_printf ("small-%dx%d", w, h);

      for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
        {
          GdkRGBA blue = palette (i == 1 || i == 3 ? 0 : (i == 4 ? 1 : 0));
          gboolean found = FALSE;

          cairo_save (all->cr);
          cairo_translate (all->cr, (int) i * (w + 10), 0);
          cairo_rectangle (all->cr, 0, 0, w, h);
          cairo_clip (all->cr);
          kehu_chart_render (KEHU_CHART (charts[i]), all->cr, w, h, FALSE);
          cairo_restore (all->cr);
          for (int y = 0; y < h && !found; y++)
            for (int x = (int) i * (w + 10); x < (int) i * (w + 10) + w && !found; x++)
              found = canvas_is (all, x, y, &blue);
          g_assert_true (found);
        }
      canvas_save (all, name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    g_object_unref (g_object_ref_sink (charts[i]));
}

/* Gallery under Xvfb */

static GtkWidget *
framed (GtkWidget  *chart,
        const char *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_hexpand (chart, TRUE);
  gtk_widget_set_vexpand (chart, TRUE);
  kehu_chart_set_title (KEHU_CHART (chart), title);
  gtk_box_append (GTK_BOX (box), chart);
  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_margin_start (chart, 6);
  gtk_widget_set_margin_end (chart, 6);
  gtk_widget_set_margin_bottom (chart, 6);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_top (label, 10);

  return box;
}

static void
check_palette_pixel (GdkTexture *texture,
                   GtkWidget  *window,
                   GtkWidget  *chart,
                   gboolean    dark)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  const KehuChartShape *shapes;
  graphene_point_t p;
  GdkRGBA expected;
  guint n_shapes;
  guint32 px;
  int x, y;

  gdk_texture_download (texture, pixels, (gsize) width * 4);
  shapes = kehu_chart_get_shapes (KEHU_CHART (chart), &n_shapes);
  g_assert_cmpuint (n_shapes, >, 0);
  g_assert_true (gtk_widget_compute_point (chart, window,
                                           &GRAPHENE_POINT_INIT (shapes[0].bounds.origin.x + shapes[0].bounds.size.width / 2,
                                                                 shapes[0].bounds.origin.y + shapes[0].bounds.size.height - 2),
                                           &p));
  x = (int) p.x;
  y = (int) p.y;
  memcpy (&px, pixels + ((gsize) y * width + x) * 4, 4);
  kehu_chart_palette_get_color (dark, shapes[0].series, &expected);
  /* gdk_texture_download gives B, G, R, A in memory order (ARGB32). */
  g_assert_cmpint (abs ((int) ((px >> 16) & 0xff) - (int) round (expected.red * 255)), <=, 3);
  g_assert_cmpint (abs ((int) ((px >> 8) & 0xff) - (int) round (expected.green * 255)), <=, 3);
  g_assert_cmpint (abs ((int) (px & 0xff) - (int) round (expected.blue * 255)), <=, 3);
}

static void
test_gallery (void)
{
  static const char * const months[] = {
    "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
  };
  const gint64 contracts[] = { 82, 95, 120, 110, 135, 160, 150, 142, 171, 188, 176, 210 };
  const gint64 payments[] = { 60, 70, 96, 101, 98, 120, 131, 125, 140, 150, 162, 170 };
  const gint64 targets[] = { 100, 100, 100, 120, 120, 120, 150, 150, 150, 180, 180, 180 };
  static const char * const people[] = { "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊" };
  const gint64 sales[] = { YUAN (3250000), YUAN (2810000), YUAN (1960000), YUAN (1420000), YUAN (980000), YUAN (450000) };
  static const char * const industries[] = { "Manufacturing", "Retail", "Education", "Healthcare", "Other" };
  const gint64 customers[] = { 420, 260, 180, 90, 50 };
  static const char * const depts[] = { "East China", "North China", "South China" };
  const gint64 new_customers[] = { 120, 95, 60 };
  const gint64 new_targets[] = { 100, 110, 80 };
  static const char * const kpi_contract[] = { "Contract amount" };
  static const char * const kpi_payment[] = { "Payment amount" };
  gint64 c_values[12], p_values[12], t_values[12];
  const gint64 k1 = YUAN (8600000), k1t = YUAN (10000000);
  const gint64 k2 = YUAN (11800000), k2t = YUAN (9000000);
  g_autoptr(KehuChartData) trend = make_data (months, 12);
  g_autoptr(KehuChartData) funnel = funnel_data ();
  g_autoptr(KehuChartData) ranking = make_data (people, 6);
  g_autoptr(KehuChartData) share = make_data (industries, 5);
  g_autoptr(KehuChartData) grouped = make_data (depts, 3);
  g_autoptr(KehuChartData) gauge1 = make_data (kpi_contract, 1);
  g_autoptr(KehuChartData) gauge2 = make_data (kpi_payment, 1);
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *window, *grid, *trend_chart, *funnel_chart, *bar_h, *donut, *bar_v, *g1, *g2;
  gboolean zh = is_zh ();

  for (guint i = 0; i < 12; i++)
    {
      c_values[i] = YUAN (contracts[i] * 10000);
      p_values[i] = YUAN (payments[i] * 10000);
      t_values[i] = YUAN (targets[i] * 10000);
    }
  kehu_chart_data_add_series (trend, zh ? "合同金额" : "Contract amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, c_values);
  kehu_chart_data_add_series (trend, zh ? "回款金额" : "Payment amount", KEHU_CHART_SERIES_LINE, KEHU_CHART_UNIT_CENTS, p_values);
  kehu_chart_data_add_series (trend, zh ? "销售目标" : "Sales target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, t_values);
  kehu_chart_data_add_series (ranking, zh ? "合同金额" : "Contract amount", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, sales);
  kehu_chart_data_add_series (share, zh ? "客户数" : "Customers", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, customers);
  kehu_chart_data_add_series (grouped, zh ? "新增客户" : "New customers", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, new_customers);
  kehu_chart_data_add_series (grouped, zh ? "目标" : "Target", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_COUNT, new_targets);
  kehu_chart_data_add_series (gauge1, "Achieved", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, &k1);
  kehu_chart_data_add_series (gauge1, "Target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, &k1t);
  kehu_chart_data_add_series (gauge2, "Achieved", KEHU_CHART_SERIES_BAR, KEHU_CHART_UNIT_CENTS, &k2);
  kehu_chart_data_add_series (gauge2, "Target", KEHU_CHART_SERIES_TARGET, KEHU_CHART_UNIT_CENTS, &k2t);

  trend_chart = kehu_trend_chart_new ();
  kehu_chart_set_data (KEHU_CHART (trend_chart), trend);
  funnel_chart = kehu_funnel_chart_new ();
  kehu_chart_set_data (KEHU_CHART (funnel_chart), funnel);
  bar_h = kehu_bar_chart_new (GTK_ORIENTATION_HORIZONTAL);
  kehu_chart_set_data (KEHU_CHART (bar_h), ranking);
  donut = kehu_donut_chart_new ();
  kehu_chart_set_data (KEHU_CHART (donut), share);
  bar_v = kehu_bar_chart_new (GTK_ORIENTATION_VERTICAL);
  kehu_chart_set_data (KEHU_CHART (bar_v), grouped);
  g1 = kehu_gauge_chart_new ();
  kehu_chart_set_data (KEHU_CHART (g1), gauge1);
  g2 = kehu_gauge_chart_new ();
  kehu_chart_set_data (KEHU_CHART (g2), gauge2);

  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_widget_set_margin_start (grid, 12);
  gtk_widget_set_margin_end (grid, 12);
  gtk_widget_set_margin_top (grid, 12);
  gtk_widget_set_margin_bottom (grid, 12);
  gtk_grid_attach (GTK_GRID (grid), framed (trend_chart, zh ? "销售趋势" : "Sales Trend"), 0, 0, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), framed (g1, zh ? "合同目标" : "Contract Target"), 2, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), framed (g2, zh ? "回款目标" : "Payment Target"), 3, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), framed (funnel_chart, zh ? "销售漏斗" : "Sales Funnel"), 0, 1, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), framed (bar_h, zh ? "合同金额排名" : "Top Sales"), 2, 1, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), framed (donut, zh ? "客户行业分布" : "Customers by Industry"), 0, 2, 2, 1);
  gtk_grid_attach (GTK_GRID (grid), framed (bar_v, zh ? "新增客户" : "New Customers"), 2, 2, 2, 1);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_row_homogeneous (GTK_GRID (grid), TRUE);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 780);
  gtk_window_set_child (GTK_WINDOW (window), grid);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  kehu_test_ui_settle (200);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (window, "charts-light");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 20);
    check_palette_pixel (shot, window, bar_v, FALSE);
  }

  /* Following the style manager: the palette changes with the style. */
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  kehu_test_ui_settle (300);
  {
    g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (window, "charts-dark");
    g_assert_cmpuint (kehu_test_ui_count_colours (shot), >, 20);
    check_palette_pixel (shot, window, bar_v, TRUE);
  }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* The widget picks what it drew. */
  {
    guint n_shapes, series, index;
    const KehuChartShape *shapes = kehu_chart_get_shapes (KEHU_CHART (funnel_chart), &n_shapes);
    const graphene_rect_t *b = &shapes[3].bounds;

    g_assert_cmpuint (n_shapes, ==, 4);
    g_assert_true (kehu_chart_pick (KEHU_CHART (funnel_chart), b->origin.x + b->size.width / 2,
                                    b->origin.y + b->size.height / 2, &series, &index));
    g_assert_cmpuint (index, ==, 3);
  }

  /* Pointer and keyboard, through the chart's own controllers: hovering
   * highlights a bar, a click on another and Enter on the focused one
   * ask for their records. */
  {
    guint n_shapes;
    const KehuChartShape *drawn = kehu_chart_get_shapes (KEHU_CHART (bar_v), &n_shapes);
    /* A copy: the chart's array lives until its next rendering only. */
    g_autofree KehuChartShape *shapes = g_memdup2 (drawn, n_shapes * sizeof (KehuChartShape));
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (bar_v);
    GtkEventController *motion = NULL, *click = NULL, *key = NULL;
    guint got[3] = { 0, 0, 0 };
    gboolean handled = FALSE;
    graphene_point_t p;
    GdkRGBA normal;
    guint32 px;

    g_assert_cmpuint (n_shapes, ==, 6);
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
        if (GTK_IS_EVENT_CONTROLLER_MOTION (c))
          motion = c;
        else if (GTK_IS_GESTURE_CLICK (c))
          click = c;
        else if (GTK_IS_EVENT_CONTROLLER_KEY (c))
          key = c;
      }
    g_assert_nonnull (motion);
    g_assert_nonnull (click);
    g_assert_nonnull (key);
    g_signal_connect (bar_v, "activated", G_CALLBACK (on_activated_cb), got);

    g_signal_emit_by_name (motion, "motion",
                           shapes[2].bounds.origin.x + shapes[2].bounds.size.width / 2,
                           shapes[2].bounds.origin.y + shapes[2].bounds.size.height - 4);
    kehu_test_ui_settle (200);
    {
      g_autoptr(GdkTexture) shot = kehu_test_ui_screenshot (window, "charts-hover");
      int width = gdk_texture_get_width (shot);
      g_autofree guchar *pixels = g_malloc ((gsize) width * gdk_texture_get_height (shot) * 4);

      gdk_texture_download (shot, pixels, (gsize) width * 4);
      g_assert_true (gtk_widget_compute_point (bar_v, window,
                                               &GRAPHENE_POINT_INIT (shapes[2].bounds.origin.x + shapes[2].bounds.size.width / 2,
                                                                     shapes[2].bounds.origin.y + shapes[2].bounds.size.height - 4),
                                               &p));
      memcpy (&px, pixels + ((gsize) p.y * width + (gsize) p.x) * 4, 4);
      kehu_chart_palette_get_color (adw_style_manager_get_dark (style), shapes[2].series, &normal);
      /* Not the bar's own colour any more: the highlighted one. */
      g_assert_cmpint (abs ((int) ((px >> 16) & 0xff) - (int) round (normal.red * 255)), >, 8);
    }

    g_signal_emit_by_name (click, "released", 1,
                           shapes[3].bounds.origin.x + 3, shapes[3].bounds.origin.y + 3);
    g_assert_cmpuint (got[2], ==, 1);
    g_assert_cmpuint (got[0], ==, shapes[3].series);
    g_assert_cmpuint (got[1], ==, shapes[3].index);
    /* A click beside the bars asks for nothing. */
    g_signal_emit_by_name (click, "released", 1, 2.0, 2.0);
    g_assert_cmpuint (got[2], ==, 1);

    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_assert_true (handled);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
    g_signal_emit_by_name (key, "key-pressed", GDK_KEY_Return, 0, 0, &handled);
    g_assert_true (handled);
    g_assert_cmpuint (got[2], ==, 2);
    g_assert_cmpuint (got[0], ==, shapes[1].series);
    g_assert_cmpuint (got[1], ==, shapes[1].index);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  kehu_test_ui_settle (50);
}

int
main (int   argc,
      char *argv[])
{
  kehu_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/charts/ticks", test_ticks);
  g_test_add_func ("/charts/format/chinese", test_format_chinese);
  g_test_add_func ("/charts/format/western", test_format_western);
  g_test_add_func ("/charts/format/exact", test_format_exact);
  g_test_add_func ("/charts/format/style-follows-language", test_number_style_follows_language);
  g_test_add_func ("/charts/bar/layout-and-hit", test_bar_layout_and_hit);
  g_test_add_func ("/charts/bar/pixels", test_bar_pixels);
  g_test_add_func ("/charts/trend/target", test_trend_target);
  g_test_add_func ("/charts/funnel", test_funnel);
  g_test_add_func ("/charts/donut", test_donut);
  g_test_add_func ("/charts/gauge", test_gauge);
  g_test_add_func ("/charts/description-and-tooltip", test_description_and_tooltip);
  g_test_add_func ("/charts/activated", test_activated);
  g_test_add_func ("/charts/export", test_export);
  g_test_add_func ("/charts/small", test_small);
  g_test_add_func ("/charts/gallery", test_gallery);

  return g_test_run ();
}
