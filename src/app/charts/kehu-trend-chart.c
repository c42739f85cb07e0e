/* kehu-trend-chart.c: per month bars and lines against a target
 *
 * The dashboard's sales trend (销售趋势): one category per month; series
 * of kind BAR are columns side by side (contract amount, payment amount),
 * LINE series are joined markers, and TARGET series a dashed line at the
 * month's target, so a month above its target shows at a glance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-charts"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-bar-chart.h"
#include "kehu-chart-private.h"
#include "kehu-trend-chart.h"

struct _KehuTrendChart
{
  KehuChart parent_instance;
};

G_DEFINE_FINAL_TYPE (KehuTrendChart, kehu_trend_chart, KEHU_TYPE_CHART)

/* How far from a line's marker the pointer still picks it. */
#define POINT_HIT_RADIUS 8.0

/**
 * kehu_trend_chart_layout:
 * @plot: the area inside the axes
 * @ticks: the value axis
 * @shapes: (element-type KehuChartShape): where to append the bars (as
 *   kehu_bar_chart_layout () places them), then one
 *   %KEHU_CHART_SHAPE_POINT per month of each line, then one
 *   %KEHU_CHART_SHAPE_SEGMENT across each month's slot per target
 */
void
kehu_trend_chart_layout (const KehuChartData   *data,
                         const graphene_rect_t *plot,
                         const KehuChartTicks  *ticks,
                         GArray                *shapes)
{
  guint n = kehu_chart_data_get_n_categories (data);
  double slot;

  if (n == 0)
    return;

  kehu_bar_chart_layout (data, GTK_ORIENTATION_VERTICAL, plot, ticks, shapes);

  slot = plot->size.width / n;
  for (guint s = 0; s < kehu_chart_data_get_n_series (data); s++)
    {
      const KehuChartSeries *series = kehu_chart_data_get_series (data, s);

      if (series->kind != KEHU_CHART_SERIES_LINE)
        continue;
      for (guint i = 0; i < n; i++)
        {
          KehuChartShape shape = { KEHU_CHART_SHAPE_POINT, s, i };

          shape.cx = plot->origin.x + slot * (i + 0.5);
          shape.cy = _kehu_chart_value_to_pos (ticks, plot, GTK_ORIENTATION_VERTICAL, series->values[i]);
          shape.outer_radius = POINT_HIT_RADIUS;
          shape.bounds = GRAPHENE_RECT_INIT (shape.cx - POINT_HIT_RADIUS, shape.cy - POINT_HIT_RADIUS,
                                             2 * POINT_HIT_RADIUS, 2 * POINT_HIT_RADIUS);
          g_array_append_val (shapes, shape);
        }
    }

  for (guint s = 0; s < kehu_chart_data_get_n_series (data); s++)
    {
      const KehuChartSeries *series = kehu_chart_data_get_series (data, s);

      if (series->kind != KEHU_CHART_SERIES_TARGET)
        continue;
      for (guint i = 0; i < n; i++)
        {
          KehuChartShape shape = { KEHU_CHART_SHAPE_SEGMENT, s, i };
          double y = _kehu_chart_value_to_pos (ticks, plot, GTK_ORIENTATION_VERTICAL, series->values[i]);

          shape.bounds = GRAPHENE_RECT_INIT (plot->origin.x + slot * i, y, slot, 0);
          g_array_append_val (shapes, shape);
        }
    }
}

static void
kehu_trend_chart_layout_vfunc (KehuChart        *chart,
                               KehuChartContext *ctx,
                               GArray           *shapes)
{
  _kehu_chart_layout_xy (ctx, GTK_ORIENTATION_VERTICAL, TRUE, FALSE);
  kehu_trend_chart_layout (ctx->data, &ctx->plot, &ctx->ticks, shapes);
}

static void
kehu_trend_chart_draw (KehuChart            *chart,
                       KehuChartContext     *ctx,
                       const KehuChartShape *shapes,
                       guint                 n_shapes)
{
  cairo_t *cr = ctx->cr;

  _kehu_chart_draw_xy_axes (ctx);

  for (guint i = 0; i < n_shapes; i++)
    {
      if (shapes[i].kind != KEHU_CHART_SHAPE_RECT)
        continue;
      _kehu_chart_set_series_color (ctx, shapes[i].series, _kehu_chart_is_hovered (ctx, &shapes[i]));
      _kehu_chart_shape_path (cr, &shapes[i]);
      cairo_fill (cr);
    }

  /* Targets: a dashed step line, over the bars so they can be compared. */
  cairo_save (cr);
  _kehu_chart_set_ink (ctx, KEHU_CHART_INK_TARGET);
  cairo_set_line_width (cr, 2);
  cairo_set_dash (cr, (double[]) { 6, 4 }, 2, 0);
  for (guint i = 0; i < n_shapes; i++)
    {
      const graphene_rect_t *b = &shapes[i].bounds;

      if (shapes[i].kind != KEHU_CHART_SHAPE_SEGMENT)
        continue;
      if (i > 0 && shapes[i - 1].kind == KEHU_CHART_SHAPE_SEGMENT &&
          shapes[i - 1].series == shapes[i].series)
        cairo_line_to (cr, b->origin.x, b->origin.y);
      else
        cairo_move_to (cr, b->origin.x, b->origin.y);
      cairo_line_to (cr, b->origin.x + b->size.width, b->origin.y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);

  /* Lines, with a marker per month. */
  cairo_save (cr);
  cairo_set_line_width (cr, 2.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < n_shapes; i++)
    {
      if (shapes[i].kind != KEHU_CHART_SHAPE_POINT)
        continue;
      if (i == 0 || shapes[i - 1].kind != KEHU_CHART_SHAPE_POINT ||
          shapes[i - 1].series != shapes[i].series)
        {
          _kehu_chart_set_series_color (ctx, shapes[i].series, FALSE);
          cairo_move_to (cr, shapes[i].cx, shapes[i].cy);
        }
      else
        cairo_line_to (cr, shapes[i].cx, shapes[i].cy);
      if (i + 1 == n_shapes || shapes[i + 1].kind != KEHU_CHART_SHAPE_POINT ||
          shapes[i + 1].series != shapes[i].series)
        cairo_stroke (cr);
    }
  for (guint i = 0; i < n_shapes; i++)
    {
      gboolean hovered;

      if (shapes[i].kind != KEHU_CHART_SHAPE_POINT)
        continue;
      hovered = _kehu_chart_is_hovered (ctx, &shapes[i]);
      _kehu_chart_set_series_color (ctx, shapes[i].series, FALSE);
      cairo_new_sub_path (cr);
      cairo_arc (cr, shapes[i].cx, shapes[i].cy, hovered ? 6 : 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_restore (cr);

  _kehu_chart_outline_hovered (ctx, shapes, n_shapes);
  _kehu_chart_draw_xy_labels (ctx);
  _kehu_chart_draw_legend (ctx, FALSE);
}

static char *
kehu_trend_chart_describe (KehuChart *chart)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  guint n = kehu_chart_data_get_n_categories (data);
  KehuChartClass *parent = KEHU_CHART_CLASS (kehu_trend_chart_parent_class);
  g_autofree char *values = parent->describe (chart);
  g_autofree char *intro = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Trend over %u month",
                                                         "Trend over %u months", n), n);

  return g_strdup_printf (C_("chart description", "%s. %s"), intro, values);
}

static void
kehu_trend_chart_class_init (KehuTrendChartClass *klass)
{
  KehuChartClass *chart_class = KEHU_CHART_CLASS (klass);

  chart_class->layout = kehu_trend_chart_layout_vfunc;
  chart_class->draw = kehu_trend_chart_draw;
  chart_class->describe = kehu_trend_chart_describe;
}

static void
kehu_trend_chart_init (KehuTrendChart *self)
{
}

GtkWidget *
kehu_trend_chart_new (void)
{
  return g_object_new (KEHU_TYPE_TREND_CHART, NULL);
}
