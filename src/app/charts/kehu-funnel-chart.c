/* kehu-funnel-chart.c: the sales funnel, stage by stage
 *
 * One category per stage, in the order of the stage group (验证客户,
 * 需求分析, 方案报价, …). The stage's width follows its value in the first
 * series (the page chooses count or amount) and narrows or widens towards
 * the next stage's, so the funnel shows where opportunities stop. Every
 * series (count, amount, win-rate-weighted amount) is written next to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-charts"

#include "config.h"

#include <glib/gi18n.h>

#include "kehu-chart-private.h"
#include "kehu-funnel-chart.h"

struct _KehuFunnelChart
{
  KehuChart parent_instance;
};

G_DEFINE_FINAL_TYPE (KehuFunnelChart, kehu_funnel_chart, KEHU_TYPE_CHART)

#define STAGE_GAP 3.0

/**
 * kehu_funnel_chart_layout:
 * @area: where the funnel goes (its labels go beside it)
 * @shapes: (element-type KehuChartShape): where to append one
 *   %KEHU_CHART_SHAPE_TRAPEZOID per stage, top to bottom
 *
 * Stages are bands of equal height, STAGE_GAP apart. A stage's top edge is
 * as wide as the area times its value over the largest value of the first
 * series (never narrower than a sliver, so an empty stage can still be
 * pointed at); its bottom edge is as wide as the next stage's top.
 */
void
kehu_funnel_chart_layout (const KehuChartData   *data,
                          const graphene_rect_t *area,
                          GArray                *shapes)
{
  guint n = kehu_chart_data_get_n_categories (data);
  const KehuChartSeries *series;
  double band, min_width;
  gint64 max = 0;
  g_autofree double *widths = NULL;

  if (n == 0 || kehu_chart_data_get_n_series (data) == 0)
    return;

  series = kehu_chart_data_get_series (data, 0);
  for (guint i = 0; i < n; i++)
    max = MAX (max, series->values[i]);

  band = (area->size.height - STAGE_GAP * (n - 1)) / n;
  min_width = MIN (12.0, area->size.width);
  widths = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      double f = max > 0 ? (double) MAX (series->values[i], 0) / (double) max : 0;
      widths[i] = MAX (area->size.width * f, min_width);
    }

  for (guint i = 0; i < n; i++)
    {
      KehuChartShape shape = { KEHU_CHART_SHAPE_TRAPEZOID, 0, i };

      shape.bounds = GRAPHENE_RECT_INIT (area->origin.x, area->origin.y + i * (band + STAGE_GAP),
                                         area->size.width, band);
      shape.top_width = widths[i];
      shape.bottom_width = i + 1 < n ? widths[i + 1] : widths[i];
      g_array_append_val (shapes, shape);
    }
}

static char *
stage_figures (KehuChartContext *ctx,
               guint             index)
{
  GString *s = g_string_new (NULL);

  for (guint j = 0; j < kehu_chart_data_get_n_series (ctx->data); j++)
    {
      const KehuChartSeries *series = kehu_chart_data_get_series (ctx->data, j);
      g_autofree char *value = _kehu_chart_format (ctx, series->values[index], series->unit);

      if (j > 0)
        g_string_append (s, " · ");
      g_string_append_printf (s, C_("chart description", "%s %s"), series->name, value);
    }

  return g_string_free (s, FALSE);
}

static void
kehu_funnel_chart_layout_vfunc (KehuChart        *chart,
                                KehuChartContext *ctx,
                                GArray           *shapes)
{
  double inner = ctx->width - 2 * KEHU_CHART_PAD;
  double text = 0;

  /* The labels' column takes what its longest line needs, the funnel the
   * rest, between 30% and 55% of the width. */
  for (guint i = 0; i < kehu_chart_data_get_n_categories (ctx->data); i++)
    {
      g_autofree char *figures = stage_figures (ctx, i);
      double w;

      _kehu_chart_text_size (ctx, figures, FALSE, &w, NULL);
      text = MAX (text, w);
      _kehu_chart_text_size (ctx, kehu_chart_data_get_category (ctx->data, i), TRUE, &w, NULL);
      text = MAX (text, w);
    }

  ctx->plot = GRAPHENE_RECT_INIT (KEHU_CHART_PAD, KEHU_CHART_PAD / 2,
                                  MAX (1, CLAMP (inner - text - 16, inner * 0.3, inner * 0.55)),
                                  MAX (1, ctx->height - KEHU_CHART_PAD));
  kehu_funnel_chart_layout (ctx->data, &ctx->plot, shapes);
}

static void
kehu_funnel_chart_draw (KehuChart            *chart,
                        KehuChartContext     *ctx,
                        const KehuChartShape *shapes,
                        guint                 n_shapes)
{
  cairo_t *cr = ctx->cr;
  double text_x = ctx->plot.origin.x + ctx->plot.size.width + 16;
  double text_width = ctx->width - KEHU_CHART_PAD - text_x;
  double lh;

  _kehu_chart_text_size (ctx, "Ag", TRUE, NULL, &lh);

  for (guint i = 0; i < n_shapes; i++)
    {
      const KehuChartShape *shape = &shapes[i];
      const graphene_rect_t *b = &shape->bounds;
      const char *name = kehu_chart_data_get_category (ctx->data, shape->index);
      g_autofree char *figures = stage_figures (ctx, shape->index);
      double mid = b->origin.y + b->size.height / 2;

      _kehu_chart_set_series_color (ctx, shape->index, _kehu_chart_is_hovered (ctx, shape));
      _kehu_chart_shape_path (cr, shape);
      cairo_fill (cr);

      if (text_width < 40)
        continue;
      if (b->size.height >= 2 * lh + 2)
        {
          g_autoptr(PangoLayout) layout = _kehu_chart_text_layout (ctx, figures, FALSE, 1.0);
          int fh;

          /* Figures that do not fit on one line wrap onto a second when
           * the stage is tall enough, rather than losing the last one. */
          pango_layout_set_width (layout, (int) (text_width * PANGO_SCALE));
          pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
          pango_layout_set_height (layout, b->size.height >= 3 * lh + 2 ? -2 : -1);
          pango_layout_get_pixel_size (layout, NULL, &fh);

          _kehu_chart_draw_text (ctx, name, text_x, mid - fh / 2.0 + lh / 2.0, 0.0, 1.0,
                                 text_width, TRUE, KEHU_CHART_INK_TEXT);
          _kehu_chart_set_ink (ctx, KEHU_CHART_INK_DIM);
          cairo_move_to (cr, text_x, round (mid - fh / 2.0 + lh / 2.0));
          pango_cairo_show_layout (cr, layout);
        }
      else
        {
          double nw;

          /* The stage's name first; its figures if some of them fit. */
          _kehu_chart_text_size (ctx, name, TRUE, &nw, NULL);
          nw = MIN (nw, text_width);
          _kehu_chart_draw_text (ctx, name, text_x, mid, 0.0, 0.5, nw, TRUE, KEHU_CHART_INK_TEXT);
          if (text_width - nw - 8 >= 48)
            _kehu_chart_draw_text (ctx, figures, text_x + nw + 8, mid, 0.0, 0.5,
                                   text_width - nw - 8, FALSE, KEHU_CHART_INK_DIM);
        }
    }

  _kehu_chart_outline_hovered (ctx, shapes, n_shapes);
}

static char *
kehu_funnel_chart_describe_item (KehuChart *chart,
                                 guint      series,
                                 guint      index)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  KehuChartContext ctx = { .data = data, .style = kehu_chart_number_style_default () };
  g_autofree char *figures = stage_figures (&ctx, index);

  /* Every figure of the stage, whichever the pointer is on. */
  return g_strdup_printf ("%s\n%s", kehu_chart_data_get_category (data, index), figures);
}

static char *
kehu_funnel_chart_describe (KehuChart *chart)
{
  KehuChartData *data = kehu_chart_get_data (chart);
  guint n = kehu_chart_data_get_n_categories (data);
  KehuChartClass *parent = KEHU_CHART_CLASS (kehu_funnel_chart_parent_class);
  g_autofree char *values = parent->describe (chart);
  g_autofree char *intro = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Sales funnel with %u stage",
                                                         "Sales funnel with %u stages", n), n);

  return g_strdup_printf (C_("chart description", "%s. %s"), intro, values);
}

static void
kehu_funnel_chart_class_init (KehuFunnelChartClass *klass)
{
  KehuChartClass *chart_class = KEHU_CHART_CLASS (klass);

  chart_class->layout = kehu_funnel_chart_layout_vfunc;
  chart_class->draw = kehu_funnel_chart_draw;
  chart_class->describe_item = kehu_funnel_chart_describe_item;
  chart_class->describe = kehu_funnel_chart_describe;
}

static void
kehu_funnel_chart_init (KehuFunnelChart *self)
{
}

GtkWidget *
kehu_funnel_chart_new (void)
{
  return g_object_new (KEHU_TYPE_FUNNEL_CHART, NULL);
}
