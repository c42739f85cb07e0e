/* kehu-gauge-chart.c: completion of a target, which may pass 100%
 *
 * The dashboard's KPIs (业绩指标): the first category names the figure
 * (contract amount, payment amount, new customers), series 0 is what was
 * achieved and series 1 the target. The arc runs from 0 to 100% — or, once
 * the target is passed, to the next multiple of 50% with a mark at 100% —
 * so that 130% reads as more than done without wrapping round.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-charts"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "kehu-chart-private.h"
#include "kehu-gauge-chart.h"

struct _KehuGaugeChart
{
  KehuChart parent_instance;
};

G_DEFINE_FINAL_TYPE (KehuGaugeChart, kehu_gauge_chart, KEHU_TYPE_CHART)

#define MAX_RANGE 1000

/**
 * kehu_gauge_chart_percent:
 *
 * Returns: @value over @target in whole percent, rounded half up; 0 for a
 *   negative value; -1 without a target (0 or less)
 */
gint64
kehu_gauge_chart_percent (gint64 value,
                          gint64 target)
{
  if (target <= 0)
    return -1;
  if (value <= 0)
    return 0;
  /* Amounts stay far below 2⁶³ / 200 cents. */
  return (value * 200 / target + 1) / 2;
}

/**
 * kehu_gauge_chart_range:
 *
 * Returns: the percent at the arc's end: 100, or the next multiple of 50
 *   at or above @percent (at most 1000)
 */
gint64
kehu_gauge_chart_range (gint64 percent)
{
  if (percent <= 100)
    return 100;
  return MIN ((percent + 49) / 50 * 50, MAX_RANGE);
}

/**
 * kehu_gauge_chart_layout:
 * @area: the arc is the largest that fits, centred
 * @shapes: (element-type KehuChartShape): where to append the filled part
 *   (series 0) and, when there is a target, the rest of the track
 *   (series 1), both %KEHU_CHART_SHAPE_SECTOR
 *
 * The arc sweeps KEHU_GAUGE_SWEEP clockwise from KEHU_GAUGE_START_ANGLE;
 * the filled part covers percent / range of it.
 */
void
kehu_gauge_chart_layout (gint64                 value,
                         gint64                 target,
                         const graphene_rect_t *area,
                         GArray                *shapes)
{
  gint64 percent = kehu_gauge_chart_percent (value, target);
  gint64 range = kehu_gauge_chart_range (percent);
  double radius = MIN (area->size.width / 2, area->size.height / 1.5);
  double cx = area->origin.x + area->size.width / 2;
  double cy = area->origin.y + radius + (area->size.height - 1.5 * radius) / 2;
  double fill = percent > 0 ? (double) MIN (percent, range) / (double) range : 0;
  KehuChartShape filled = { KEHU_CHART_SHAPE_SECTOR, 0, 0 };
  KehuChartShape rest = { KEHU_CHART_SHAPE_SECTOR, 1, 0 };

  filled.cx = rest.cx = cx;
  filled.cy = rest.cy = cy;
  filled.outer_radius = rest.outer_radius = radius;
  filled.inner_radius = rest.inner_radius = radius * 0.78;
  filled.bounds = rest.bounds = GRAPHENE_RECT_INIT (cx - radius, cy - radius, 2 * radius, 2 * radius);
  filled.start_angle = KEHU_GAUGE_START_ANGLE;
  filled.end_angle = KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP * fill;
  rest.start_angle = filled.end_angle;
  rest.end_angle = KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP;

  if (fill > 0)
    g_array_append_val (shapes, filled);
  if (target > 0 && fill < 1)
    g_array_append_val (shapes, rest);
}

static void
get_figures (const KehuChartData *data,
             gint64              *value,
             gint64              *target)
{
  *value = kehu_chart_data_get_value (data, 0, 0);
  *target = kehu_chart_data_get_n_series (data) > 1 ? kehu_chart_data_get_value (data, 1, 0) : 0;
}

static void
kehu_gauge_chart_layout_vfunc (KehuChart        *chart,
                               KehuChartContext *ctx,
                               GArray           *shapes)
{
  gint64 value, target;
  double lh;

  get_figures (ctx->data, &value, &target);
  _kehu_chart_text_size (ctx, "Ag", FALSE, NULL, &lh);
  /* Room below the arc's ends for 0% and 100%, then for the name of the
   * figure on a line of its own. */
  ctx->plot = GRAPHENE_RECT_INIT (KEHU_CHART_PAD, KEHU_CHART_PAD / 2,
                                  MAX (1, ctx->width - 2 * KEHU_CHART_PAD),
                                  MAX (1, ctx->height - KEHU_CHART_PAD - 2 * lh - 6));
  kehu_gauge_chart_layout (value, target, &ctx->plot, shapes);
}

static void
kehu_gauge_chart_draw (KehuChart            *chart,
                       KehuChartContext     *ctx,
                       const KehuChartShape *shapes,
                       guint                 n_shapes)
{
  cairo_t *cr = ctx->cr;
  const KehuChartSeries *series = kehu_chart_data_get_series (ctx->data, 0);
  gint64 value, target, percent, range;
  KehuChartShape track = { KEHU_CHART_SHAPE_SECTOR };
  g_autofree char *big_text = NULL;
  g_autofree char *value_text = NULL;
  g_autofree char *caption = NULL;
  g_autoptr(PangoLayout) big = NULL;
  double radius, cx, cy, lh;
  int bw, bh;

  get_figures (ctx->data, &value, &target);
  percent = kehu_gauge_chart_percent (value, target);
  range = kehu_gauge_chart_range (percent);

  /* The same geometry as the layout, for the track behind everything. */
  {
    g_autoptr(GArray) probe = g_array_new (FALSE, TRUE, sizeof (KehuChartShape));

    kehu_gauge_chart_layout (1, 1, &ctx->plot, probe);
    track = g_array_index (probe, KehuChartShape, 0);
    track.end_angle = KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP;
  }
  radius = track.outer_radius;
  cx = track.cx;
  cy = track.cy;

  _kehu_chart_set_ink (ctx, KEHU_CHART_INK_GRID);
  _kehu_chart_shape_path (cr, &track);
  cairo_fill (cr);

  for (guint i = 0; i < n_shapes; i++)
    {
      if (shapes[i].series != 0)
        continue;
      /* Green once the target is reached. */
      _kehu_chart_set_series_color (ctx, percent >= 100 ? 1 : 0, _kehu_chart_is_hovered (ctx, &shapes[i]));
      _kehu_chart_shape_path (cr, &shapes[i]);
      cairo_fill (cr);
    }
  _kehu_chart_outline_hovered (ctx, shapes, n_shapes);

  /* The 100% mark on an arc that goes further. */
  if (range > 100)
    {
      double a = KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP * 100.0 / range;

      cairo_save (cr);
      _kehu_chart_set_ink (ctx, KEHU_CHART_INK_TARGET);
      cairo_set_line_width (cr, 2.5);
      cairo_move_to (cr, cx + cos (a) * (track.inner_radius - 4), cy + sin (a) * (track.inner_radius - 4));
      cairo_line_to (cr, cx + cos (a) * (radius + 4), cy + sin (a) * (radius + 4));
      cairo_stroke (cr);
      cairo_restore (cr);
    }

  /* 0% and the end of the range under the arc's ends. */
  {
    g_autofree char *end_text = g_strdup_printf ("%" G_GINT64_FORMAT "%%", range);
    double a0 = KEHU_GAUGE_START_ANGLE;
    double a1 = KEHU_GAUGE_START_ANGLE + KEHU_GAUGE_SWEEP;
    double mid = (radius + track.inner_radius) / 2;

    if (target > 0)
      {
        _kehu_chart_draw_text (ctx, "0%", cx + cos (a0) * mid, cy + sin (a0) * radius + 4,
                               0.5, 0.0, 0, FALSE, KEHU_CHART_INK_DIM);
        _kehu_chart_draw_text (ctx, end_text, cx + cos (a1) * mid, cy + sin (a1) * radius + 4,
                               0.5, 0.0, 0, FALSE, KEHU_CHART_INK_DIM);
      }
  }

  /* In the middle: the percent, then achieved / target. */
  value_text = _kehu_chart_format (ctx, value, series->unit);
  if (percent >= 0)
    {
      g_autofree char *target_text = _kehu_chart_format (ctx, target, series->unit);

      big_text = g_strdup_printf ("%" G_GINT64_FORMAT "%%", percent);
      /* Translators: achieved of target under a gauge, e.g. "85万 / 100万" */
      caption = g_strdup_printf (C_("gauge", "%s / %s"), value_text, target_text);
    }
  else
    {
      big_text = g_strdup (value_text);
      caption = g_strdup (_("No target set"));
    }

  big = _kehu_chart_text_layout (ctx, big_text, TRUE, MAX (1.0, MIN (2.4, radius / 40)));
  pango_layout_get_pixel_size (big, &bw, &bh);
  _kehu_chart_set_ink (ctx, KEHU_CHART_INK_TEXT);
  cairo_move_to (cr, round (cx - bw / 2.0), round (cy - bh * 0.75));
  pango_cairo_show_layout (cr, big);
  _kehu_chart_text_size (ctx, caption, FALSE, NULL, &lh);
  _kehu_chart_draw_text (ctx, caption, cx, cy + bh * 0.25 + 2, 0.5, 0.0,
                         track.inner_radius * 1.7, FALSE, KEHU_CHART_INK_DIM);

  _kehu_chart_draw_text (ctx, kehu_chart_data_get_category (ctx->data, 0),
                         cx, ctx->height - KEHU_CHART_PAD / 2, 0.5, 1.0,
                         ctx->width - 2 * KEHU_CHART_PAD, TRUE, KEHU_CHART_INK_TEXT);
}

static char *
kehu_gauge_chart_describe (KehuChart *chart)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  const KehuChartSeries *series = kehu_chart_data_get_series (data, 0);
  KehuChartNumberStyle style = kehu_chart_number_style_default ();
  gint64 value, target, percent;
  g_autofree char *value_text = NULL;
  g_autofree char *target_text = NULL;

  get_figures (data, &value, &target);
  percent = kehu_gauge_chart_percent (value, target);
  value_text = kehu_chart_format_value (value, series->unit, style);
  if (percent < 0)
    /* Translators: a gauge without a target, e.g. "Contract amount: 85万, no target set" */
    return g_strdup_printf (_("%s: %s, no target set"),
                            kehu_chart_data_get_category (data, 0), value_text);

  target_text = kehu_chart_format_value (target, series->unit, style);
  /* Translators: a gauge's description, e.g. "Contract amount: 85万 of 100万, 85% complete" */
  return g_strdup_printf (_("%s: %s of %s, %d%% complete"),
                          kehu_chart_data_get_category (data, 0), value_text, target_text,
                          (int) MIN (percent, G_MAXINT));
}

static void
kehu_gauge_chart_class_init (KehuGaugeChartClass *klass)
{
  KehuChartClass *chart_class = KEHU_CHART_CLASS (klass);

  chart_class->layout = kehu_gauge_chart_layout_vfunc;
  chart_class->draw = kehu_gauge_chart_draw;
  chart_class->describe = kehu_gauge_chart_describe;
}

static void
kehu_gauge_chart_init (KehuGaugeChart *self)
{
}

GtkWidget *
kehu_gauge_chart_new (void)
{
  return g_object_new (KEHU_TYPE_GAUGE_CHART, NULL);
}
