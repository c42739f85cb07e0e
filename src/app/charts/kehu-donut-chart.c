/* kehu-donut-chart.c: shares of a whole, as a donut or a pie
 *
 * One slice per category of the first series (customers by source,
 * industry, region, level), clockwise from 12 o'clock; the total in the
 * hole; a legend with each slice's value and share beside it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-charts"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "kehu-chart-private.h"
#include "kehu-donut-chart.h"

struct _KehuDonutChart
{
  KehuChart parent_instance;

  double    hole;
};

G_DEFINE_FINAL_TYPE (KehuDonutChart, kehu_donut_chart, KEHU_TYPE_CHART)

enum {
  PROP_0,
  PROP_HOLE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static gint64
total_of (const KehuChartSeries *series,
          guint                  n)
{
  gint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += MAX (series->values[i], 0);

  return total;
}

/**
 * kehu_donut_chart_layout:
 * @area: the donut is the largest circle centred in it
 * @hole: the inner radius over the outer one: 0 for a pie
 * @shapes: (element-type KehuChartShape): where to append one
 *   %KEHU_CHART_SHAPE_SECTOR per slice with a value above 0
 *
 * Slices follow each other clockwise from 12 o'clock, each spanning
 * 2π × value / total (negative values count as 0: shares of a whole).
 */
void
kehu_donut_chart_layout (const KehuChartData   *data,
                         const graphene_rect_t *area,
                         double                 hole,
                         GArray                *shapes)
{
  guint n = kehu_chart_data_get_n_categories (data);
  const KehuChartSeries *series;
  gint64 total, cumulative = 0;
  double radius;

  if (n == 0 || kehu_chart_data_get_n_series (data) == 0)
    return;

  series = kehu_chart_data_get_series (data, 0);
  total = total_of (series, n);
  if (total <= 0)
    return;

  radius = MIN (area->size.width, area->size.height) / 2;
  for (guint i = 0; i < n; i++)
    {
      KehuChartShape shape = { KEHU_CHART_SHAPE_SECTOR, 0, i };
      gint64 v = MAX (series->values[i], 0);

      if (v == 0)
        continue;
      shape.cx = area->origin.x + area->size.width / 2;
      shape.cy = area->origin.y + area->size.height / 2;
      shape.outer_radius = radius;
      shape.inner_radius = radius * CLAMP (hole, 0.0, 0.95);
      shape.start_angle = -G_PI / 2 + 2 * G_PI * (double) cumulative / (double) total;
      cumulative += v;
      shape.end_angle = -G_PI / 2 + 2 * G_PI * (double) cumulative / (double) total;
      shape.bounds = GRAPHENE_RECT_INIT (shape.cx - radius, shape.cy - radius, 2 * radius, 2 * radius);
      g_array_append_val (shapes, shape);
    }
}

/* The share in whole percent, rounded. */
static gint64
share_percent (gint64 value,
               gint64 total)
{
  if (total <= 0 || value <= 0)
    return 0;
  return (value * 200 / total + 1) / 2;
}

static double
legend_width (KehuChartContext *ctx)
{
  double widest = 0;

  for (guint i = 0; i < kehu_chart_data_get_n_categories (ctx->data); i++)
    {
      double w;
      _kehu_chart_text_size (ctx, kehu_chart_data_get_category (ctx->data, i), FALSE, &w, NULL);
      widest = MAX (widest, w);
    }
  /* Swatch, name, then "12.5万 · 35%". */
  return MIN (16 + widest + 12 + 110, ctx->width * 0.55);
}

static void
kehu_donut_chart_layout_vfunc (KehuChart        *chart,
                               KehuChartContext *ctx,
                               GArray           *shapes)
{
  KehuDonutChart *self = KEHU_DONUT_CHART (chart);
  double legend = legend_width (ctx);

  ctx->plot = GRAPHENE_RECT_INIT (KEHU_CHART_PAD, KEHU_CHART_PAD,
                                  MAX (1, ctx->width - 3 * KEHU_CHART_PAD - legend),
                                  MAX (1, ctx->height - 2 * KEHU_CHART_PAD));
  ctx->category_label_width = legend;
  kehu_donut_chart_layout (ctx->data, &ctx->plot, self->hole, shapes);
}

static void
kehu_donut_chart_draw (KehuChart            *chart,
                       KehuChartContext     *ctx,
                       const KehuChartShape *shapes,
                       guint                 n_shapes)
{
  KehuDonutChart *self = KEHU_DONUT_CHART (chart);
  cairo_t *cr = ctx->cr;
  const KehuChartSeries *series = kehu_chart_data_get_series (ctx->data, 0);
  guint n = kehu_chart_data_get_n_categories (ctx->data);
  gint64 total = total_of (series, n);
  double legend_x = ctx->width - KEHU_CHART_PAD - ctx->category_label_width;
  double lh, row, y;

  if (n_shapes == 0)
    {
      _kehu_chart_draw_empty (ctx);
      return;
    }

  for (guint i = 0; i < n_shapes; i++)
    {
      KehuChartShape shape = shapes[i];
      /* A hair of background between slices, cut from each slice's ends
       * so that only the drawing and not the hit-testing changes. */
      double pad = MIN (0.75 / MAX (shape.outer_radius, 1.0),
                        (shape.end_angle - shape.start_angle) / 4);

      if (n_shapes > 1)
        {
          shape.start_angle += pad;
          shape.end_angle -= pad;
        }
      _kehu_chart_set_series_color (ctx, shape.index, _kehu_chart_is_hovered (ctx, &shape));
      _kehu_chart_shape_path (cr, &shape);
      cairo_fill (cr);
    }
  _kehu_chart_outline_hovered (ctx, shapes, n_shapes);

  /* The total in the hole. */
  if (self->hole >= 0.45)
    {
      const KehuChartShape *s0 = &shapes[0];
      /* A count is clearer exact (1,000 customers) while it is short. */
      g_autofree char *text = series->unit == KEHU_CHART_UNIT_COUNT && total < 100000
                              ? kehu_chart_format_value_exact (total, series->unit)
                              : _kehu_chart_format (ctx, total, series->unit);
      g_autoptr(PangoLayout) big = _kehu_chart_text_layout (ctx, text, TRUE, 1.4);
      int w, h;

      pango_layout_get_pixel_size (big, &w, &h);
      if (w < s0->inner_radius * 1.8)
        {
          _kehu_chart_set_ink (ctx, KEHU_CHART_INK_TEXT);
          cairo_move_to (cr, round (s0->cx - w / 2.0), round (s0->cy - h + 2));
          pango_cairo_show_layout (cr, big);
          _kehu_chart_draw_text (ctx, C_("chart", "Total"), s0->cx, s0->cy + 2, 0.5, 0.0,
                                 s0->inner_radius * 1.6, FALSE, KEHU_CHART_INK_DIM);
        }
    }

  /* The legend: one row per category, in slice order. */
  _kehu_chart_text_size (ctx, "Ag", FALSE, NULL, &lh);
  row = lh + 6;
  y = MAX (KEHU_CHART_PAD, (ctx->height - row * n) / 2);
  for (guint i = 0; i < n && y + lh <= ctx->height; i++, y += row)
    {
      g_autofree char *value = _kehu_chart_format (ctx, series->values[i], series->unit);
      g_autofree char *figure = g_strdup_printf ("%s · %" G_GINT64_FORMAT "%%", value,
                                                 share_percent (series->values[i], total));
      double fw, nw;

      _kehu_chart_set_series_color (ctx, i, FALSE);
      cairo_rectangle (cr, legend_x, y + (lh - KEHU_CHART_LEGEND_SWATCH) / 2,
                       KEHU_CHART_LEGEND_SWATCH, KEHU_CHART_LEGEND_SWATCH);
      cairo_fill (cr);

      /* Names first: the figures only where they leave a name room. */
      _kehu_chart_text_size (ctx, figure, FALSE, &fw, NULL);
      _kehu_chart_text_size (ctx, kehu_chart_data_get_category (ctx->data, i), FALSE, &nw, NULL);
      if (ctx->category_label_width - 16 - fw - 8 >= MIN (nw, 48))
        _kehu_chart_draw_text (ctx, figure, ctx->width - KEHU_CHART_PAD, y, 1.0, 0.0, 0, FALSE,
                               KEHU_CHART_INK_DIM);
      else
        fw = -8;
      _kehu_chart_draw_text (ctx, kehu_chart_data_get_category (ctx->data, i),
                             legend_x + 16, y, 0.0, 0.0,
                             ctx->category_label_width - 16 - fw - 8, FALSE, KEHU_CHART_INK_TEXT);
    }
}

static char *
kehu_donut_chart_describe_item (KehuChart *chart,
                                guint      series_index,
                                guint      index)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  const KehuChartSeries *series = kehu_chart_data_get_series (data, series_index);
  gint64 total = total_of (series, kehu_chart_data_get_n_categories (data));
  g_autofree char *value = kehu_chart_format_value (series->values[index], series->unit,
                                                    kehu_chart_number_style_default ());

  /* Translators: a slice of a donut chart: its name, value and share, e.g. "Referral\n12.5万 · 35%" */
  return g_strdup_printf (_("%s\n%s · %d%%"),
                          kehu_chart_data_get_category (data, index), value,
                          (int) share_percent (series->values[index], total));
}

static char *
kehu_donut_chart_describe (KehuChart *chart)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  const KehuChartSeries *series = kehu_chart_data_get_series (data, 0);
  guint n = kehu_chart_data_get_n_categories (data);
  gint64 total = total_of (series, n);
  KehuChartNumberStyle style = kehu_chart_number_style_default ();
  g_autofree char *total_text = kehu_chart_format_value (total, series->unit, style);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                          "Shares of %s in %u part",
                                          "Shares of %s in %u parts", n),
                          total_text, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = kehu_chart_format_value (series->values[i], series->unit, style);

      g_string_append (s, i == 0 ? C_("chart description", ". ") : C_("chart description", "; "));
      /* Translators: a slice in a donut chart's description, e.g. "Referral: 12.5万, 35%" */
      g_string_append_printf (s, _("%s: %s, %d%%"),
                              kehu_chart_data_get_category (data, i), value,
                              (int) share_percent (series->values[i], total));
    }

  return g_string_free (s, FALSE);
}

static void
kehu_donut_chart_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KehuDonutChart *self = KEHU_DONUT_CHART (object);

  switch (prop_id)
    {
    case PROP_HOLE:
      g_value_set_double (value, self->hole);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_donut_chart_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  KehuDonutChart *self = KEHU_DONUT_CHART (object);

  switch (prop_id)
    {
    case PROP_HOLE:
      kehu_donut_chart_set_hole (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_donut_chart_class_init (KehuDonutChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  KehuChartClass *chart_class = KEHU_CHART_CLASS (klass);

  object_class->get_property = kehu_donut_chart_get_property;
  object_class->set_property = kehu_donut_chart_set_property;

  chart_class->layout = kehu_donut_chart_layout_vfunc;
  chart_class->draw = kehu_donut_chart_draw;
  chart_class->describe_item = kehu_donut_chart_describe_item;
  chart_class->describe = kehu_donut_chart_describe;

  /**
   * KehuDonutChart:hole:
   *
   * The inner radius over the outer one: 0 draws a pie.
   */
  properties [PROP_HOLE] =
    g_param_spec_double ("hole", NULL, NULL,
                         0.0, 0.9, 0.6,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kehu_donut_chart_init (KehuDonutChart *self)
{
  self->hole = 0.6;
}

GtkWidget *
kehu_donut_chart_new (void)
{
  return g_object_new (KEHU_TYPE_DONUT_CHART, NULL);
}

double
kehu_donut_chart_get_hole (KehuDonutChart *self)
{
  g_return_val_if_fail (KEHU_IS_DONUT_CHART (self), 0);

  return self->hole;
}

void
kehu_donut_chart_set_hole (KehuDonutChart *self,
                           double          hole)
{
  g_return_if_fail (KEHU_IS_DONUT_CHART (self));

  hole = CLAMP (hole, 0.0, 0.9);
  if (self->hole == hole)
    return;

  self->hole = hole;
  _kehu_chart_queue_layout (KEHU_CHART (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HOLE]);
}
