/* kehu-chart-private.h: what the chart subclasses share with KehuChart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-chart.h"

G_BEGIN_DECLS

typedef enum
{
  KEHU_CHART_INK_TEXT,        /* labels, values */
  KEHU_CHART_INK_DIM,         /* axis tick labels, captions */
  KEHU_CHART_INK_GRID,        /* grid lines, gauge track */
  KEHU_CHART_INK_AXIS,        /* the zero line */
  KEHU_CHART_INK_BACKGROUND,  /* what the chart is drawn on */
  KEHU_CHART_INK_TARGET,      /* target lines */
} KehuChartInk;

struct _KehuChartContext
{
  cairo_t              *cr;
  double                width;
  double                height;
  double                scale;       /* device pixels per unit (HiDPI) */
  gboolean              dark;
  PangoFontDescription *font;
  KehuChartNumberStyle  style;
  const KehuChartData  *data;

  /* The hovered or keyboard-focused figure, or -1. */
  int                   hover_series;
  int                   hover_index;

  /* Set by layout () for draw (): the area inside the axes, the value
   * axis, and where the legend goes. */
  graphene_rect_t       plot;
  KehuChartTicks        ticks;
  KehuChartUnit         unit;
  GtkOrientation        value_axis;  /* vertical: values go up */
  double                legend_y;
  gboolean              has_legend;
  guint                 label_every; /* draw every n-th category label */
  double                category_label_width;
};

/* Sizes in logical pixels. */
#define KEHU_CHART_PAD          12.0
#define KEHU_CHART_LEGEND_SWATCH 10.0

/* A property that moves figures changed: lay out again before the next
 * hit-test, and redraw. */
void         _kehu_chart_queue_layout  (KehuChart        *self);

PangoLayout *_kehu_chart_text_layout   (KehuChartContext *ctx,
                                        const char       *text,
                                        gboolean          bold,
                                        double            size_factor);
void         _kehu_chart_text_size     (KehuChartContext *ctx,
                                        const char       *text,
                                        gboolean          bold,
                                        double           *width,
                                        double           *height);
/* Draws @text with its box aligned at x, y (0 = left/top, 0.5 = centre,
 * 1 = right/bottom), ellipsized to max_width when positive. */
void         _kehu_chart_draw_text     (KehuChartContext *ctx,
                                        const char       *text,
                                        double            x,
                                        double            y,
                                        double            xalign,
                                        double            yalign,
                                        double            max_width,
                                        gboolean          bold,
                                        KehuChartInk      ink);
void         _kehu_chart_set_ink       (KehuChartContext *ctx,
                                        KehuChartInk      ink);
void         _kehu_chart_get_ink       (KehuChartContext *ctx,
                                        KehuChartInk      ink,
                                        GdkRGBA          *color);
void         _kehu_chart_set_series_color (KehuChartContext *ctx,
                                        guint             index,
                                        gboolean          highlighted);
double       _kehu_chart_snap          (KehuChartContext *ctx,
                                        double            v);
void         _kehu_chart_shape_path    (cairo_t              *cr,
                                        const KehuChartShape *shape);
gboolean     _kehu_chart_is_hovered    (KehuChartContext     *ctx,
                                        const KehuChartShape *shape);
void         _kehu_chart_outline_hovered (KehuChartContext     *ctx,
                                        const KehuChartShape *shapes,
                                        guint                 n_shapes);
char        *_kehu_chart_format        (KehuChartContext *ctx,
                                        gint64            value,
                                        KehuChartUnit     unit);
gboolean     _kehu_chart_data_is_empty (const KehuChartData *data);
void         _kehu_chart_draw_empty    (KehuChartContext *ctx);

/* Bar and trend charts: categories along one axis, values along the other. */
void         _kehu_chart_layout_xy     (KehuChartContext *ctx,
                                        GtkOrientation    value_axis,
                                        gboolean          with_legend,
                                        gboolean          bars_only);
void         _kehu_chart_draw_xy_axes  (KehuChartContext *ctx);
void         _kehu_chart_draw_xy_labels (KehuChartContext *ctx);
void         _kehu_chart_draw_legend   (KehuChartContext *ctx,
                                        gboolean          bars_only);
double       _kehu_chart_value_to_pos  (const KehuChartTicks  *ticks,
                                        const graphene_rect_t *plot,
                                        GtkOrientation         value_axis,
                                        gint64                 value);

G_END_DECLS
