/* kehu-bar-chart.c: bars, vertical (columns) or horizontal
 *
 * One group of bars per category, one bar per series of kind
 * KEHU_CHART_SERIES_BAR, on a value axis with 1-2-5 ticks; a legend when
 * there is more than one series. Used for sales per person or department,
 * customers by source or industry, top-10 customers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-charts"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "kehu-bar-chart.h"
#include "kehu-chart-private.h"

struct _KehuBarChart
{
  KehuChart      parent_instance;

  GtkOrientation orientation;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (KehuBarChart, kehu_bar_chart, KEHU_TYPE_CHART,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_ORIENTABLE, NULL))

enum {
  PROP_0,
  PROP_ORIENTATION,
};

/* Thicker bars than this look like blocks rather than bars. */
#define MAX_BAR_THICKNESS 56.0

static guint
count_bar_series (const KehuChartData *data)
{
  guint n = 0;

  for (guint s = 0; s < kehu_chart_data_get_n_series (data); s++)
    if (kehu_chart_data_get_series (data, s)->kind == KEHU_CHART_SERIES_BAR)
      n++;

  return n;
}

/**
 * kehu_bar_chart_layout:
 * @orientation: the direction the bars grow in: vertical for columns
 * @plot: the area inside the axes
 * @ticks: the value axis
 * @shapes: (element-type KehuChartShape): where to append one
 *   %KEHU_CHART_SHAPE_RECT per bar
 *
 * Each category gets an equal slot along the category axis; its bars take
 * 70% of it, side by side, and run from 0 to their value.
 */
void
kehu_bar_chart_layout (const KehuChartData   *data,
                       GtkOrientation         orientation,
                       const graphene_rect_t *plot,
                       const KehuChartTicks  *ticks,
                       GArray                *shapes)
{
  guint n = kehu_chart_data_get_n_categories (data);
  guint m = count_bar_series (data);
  double length, slot, group, gap, bar, zero;

  if (n == 0 || m == 0)
    return;

  length = orientation == GTK_ORIENTATION_VERTICAL ? plot->size.width : plot->size.height;
  slot = length / n;
  gap = m > 1 ? 2 : 0;
  group = slot * 0.7;
  bar = (group - gap * (m - 1)) / m;
  if (bar > MAX_BAR_THICKNESS)
    {
      bar = MAX_BAR_THICKNESS;
      group = bar * m + gap * (m - 1);
    }
  zero = _kehu_chart_value_to_pos (ticks, plot, orientation, 0);

  for (guint i = 0; i < n; i++)
    {
      double start = slot * i + (slot - group) / 2;
      guint j = 0;

      for (guint s = 0; s < kehu_chart_data_get_n_series (data); s++)
        {
          const KehuChartSeries *series = kehu_chart_data_get_series (data, s);
          KehuChartShape shape = { KEHU_CHART_SHAPE_RECT, s, i };
          double pos, along;

          if (series->kind != KEHU_CHART_SERIES_BAR)
            continue;

          pos = _kehu_chart_value_to_pos (ticks, plot, orientation, series->values[i]);
          along = start + j * (bar + gap);
          if (orientation == GTK_ORIENTATION_VERTICAL)
            shape.bounds = GRAPHENE_RECT_INIT (plot->origin.x + along, MIN (pos, zero),
                                               bar, fabs (zero - pos));
          else
            shape.bounds = GRAPHENE_RECT_INIT (MIN (pos, zero), plot->origin.y + along,
                                               fabs (pos - zero), bar);
          g_array_append_val (shapes, shape);
          j++;
        }
    }
}

static void
kehu_bar_chart_layout_vfunc (KehuChart        *chart,
                             KehuChartContext *ctx,
                             GArray           *shapes)
{
  KehuBarChart *self = KEHU_BAR_CHART (chart);

  _kehu_chart_layout_xy (ctx, self->orientation, count_bar_series (ctx->data) > 1, TRUE);
  kehu_bar_chart_layout (ctx->data, self->orientation, &ctx->plot, &ctx->ticks, shapes);
}

static void
kehu_bar_chart_draw (KehuChart            *chart,
                     KehuChartContext     *ctx,
                     const KehuChartShape *shapes,
                     guint                 n_shapes)
{
  KehuBarChart *self = KEHU_BAR_CHART (chart);
  cairo_t *cr = ctx->cr;
  double lh = 0;
  gboolean label_values;

  _kehu_chart_draw_xy_axes (ctx);

  for (guint i = 0; i < n_shapes; i++)
    {
      _kehu_chart_set_series_color (ctx, shapes[i].series, _kehu_chart_is_hovered (ctx, &shapes[i]));
      _kehu_chart_shape_path (cr, &shapes[i]);
      cairo_fill (cr);
    }

  /* Values at the bars' ends when there are few enough to read. */
  _kehu_chart_text_size (ctx, "0", FALSE, NULL, &lh);
  label_values = n_shapes > 0 && n_shapes <= 16;
  for (guint i = 0; label_values && i < n_shapes; i++)
    {
      const KehuChartShape *shape = &shapes[i];
      const KehuChartSeries *series = kehu_chart_data_get_series (ctx->data, shape->series);
      gint64 value = series->values[shape->index];
      g_autofree char *text = _kehu_chart_format (ctx, value, series->unit);
      const graphene_rect_t *b = &shape->bounds;
      double tw, th;

      _kehu_chart_text_size (ctx, text, FALSE, &tw, &th);
      if (self->orientation == GTK_ORIENTATION_VERTICAL)
        {
          double y = value < 0 ? b->origin.y + b->size.height + 2 : b->origin.y - 2;
          gboolean room = value < 0 ? y + th <= ctx->plot.origin.y + ctx->plot.size.height
                                    : y - th >= 0;  /* the layout kept a line above the plot */

          if (room && tw <= ctx->plot.size.width / n_shapes * 1.4)
            _kehu_chart_draw_text (ctx, text, b->origin.x + b->size.width / 2, y,
                                   0.5, value < 0 ? 0.0 : 1.0, 0, FALSE, KEHU_CHART_INK_TEXT);
        }
      else if (value >= 0)
        {
          double x = b->origin.x + b->size.width + 4;

          if (x + tw <= ctx->width - 2 && th <= b->size.height + 6)
            _kehu_chart_draw_text (ctx, text, x, b->origin.y + b->size.height / 2,
                                   0.0, 0.5, 0, FALSE, KEHU_CHART_INK_TEXT);
        }
    }

  _kehu_chart_outline_hovered (ctx, shapes, n_shapes);
  _kehu_chart_draw_xy_labels (ctx);
  if (ctx->has_legend)
    _kehu_chart_draw_legend (ctx, TRUE);
}

static char *
kehu_bar_chart_describe (KehuChart *chart)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  guint n = kehu_chart_data_get_n_categories (data);
  KehuChartClass *parent = KEHU_CHART_CLASS (kehu_bar_chart_parent_class);
  g_autofree char *values = parent->describe (chart);
  g_autofree char *intro = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Bar chart of %u item",
                                                         "Bar chart of %u items", n), n);

  /* Translators: a chart's kind, then its values, e.g. "Bar chart of 3 items. A: 5; B: 3; C: 1" */
  return g_strdup_printf (C_("chart description", "%s. %s"), intro, values);
}

static void
kehu_bar_chart_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KehuBarChart *self = KEHU_BAR_CHART (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      g_value_set_enum (value, self->orientation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_bar_chart_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KehuBarChart *self = KEHU_BAR_CHART (object);

  switch (prop_id)
    {
    case PROP_ORIENTATION:
      if (self->orientation != (GtkOrientation) g_value_get_enum (value))
        {
          self->orientation = g_value_get_enum (value);
          _kehu_chart_queue_layout (KEHU_CHART (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_bar_chart_class_init (KehuBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  KehuChartClass *chart_class = KEHU_CHART_CLASS (klass);

  object_class->get_property = kehu_bar_chart_get_property;
  object_class->set_property = kehu_bar_chart_set_property;

  chart_class->layout = kehu_bar_chart_layout_vfunc;
  chart_class->draw = kehu_bar_chart_draw;
  chart_class->describe = kehu_bar_chart_describe;

  g_object_class_override_property (object_class, PROP_ORIENTATION, "orientation");
}

static void
kehu_bar_chart_init (KehuBarChart *self)
{
  self->orientation = GTK_ORIENTATION_VERTICAL;
}

/**
 * kehu_bar_chart_new:
 * @orientation: the direction the bars grow in: vertical for columns,
 *   horizontal for bars to the right (long category names)
 */
GtkWidget *
kehu_bar_chart_new (GtkOrientation orientation)
{
  return g_object_new (KEHU_TYPE_BAR_CHART, "orientation", orientation, NULL);
}
