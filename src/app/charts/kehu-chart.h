/* kehu-chart.h: what every Kehu chart shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the integers of a series count. Money is never floating point:
 * amounts are int64 cents (分), win rates and completion integer percent. */
typedef enum
{
  KEHU_CHART_UNIT_COUNT,
  KEHU_CHART_UNIT_CENTS,
  KEHU_CHART_UNIT_PERCENT,
} KehuChartUnit;

/* How a series is drawn where a chart can draw it several ways (the trend
 * chart); bar, funnel, donut and gauge charts read the values only. */
typedef enum
{
  KEHU_CHART_SERIES_BAR,
  KEHU_CHART_SERIES_LINE,
  KEHU_CHART_SERIES_TARGET,
} KehuChartSeriesKind;

/* How large numbers are abbreviated: 125k and 3.2M, or 12.5万 and 3.2亿. */
typedef enum
{
  KEHU_CHART_NUMBER_STYLE_WESTERN,
  KEHU_CHART_NUMBER_STYLE_CHINESE,
} KehuChartNumberStyle;

typedef enum
{
  KEHU_CHART_EXPORT_PNG,
  KEHU_CHART_EXPORT_SVG,
  KEHU_CHART_EXPORT_PDF,
} KehuChartExportFormat;

/* The data of every chart: categories (months, stages, slices, bars) and
 * one or more series with one value per category. Immutable once given to
 * a chart; reference counted so a page can hand one to several charts. */
typedef struct _KehuChartData KehuChartData;

typedef struct
{
  char                *name;
  KehuChartSeriesKind  kind;
  KehuChartUnit        unit;
  gint64              *values;    /* n_categories values */
} KehuChartSeries;

#define KEHU_TYPE_CHART_DATA (kehu_chart_data_get_type ())

GType                  kehu_chart_data_get_type        (void) G_GNUC_CONST;
KehuChartData         *kehu_chart_data_new             (const char * const  *categories,
                                                        guint                n_categories);
KehuChartData         *kehu_chart_data_ref             (KehuChartData       *data);
void                   kehu_chart_data_unref           (KehuChartData       *data);
guint                  kehu_chart_data_add_series      (KehuChartData       *data,
                                                        const char          *name,
                                                        KehuChartSeriesKind  kind,
                                                        KehuChartUnit        unit,
                                                        const gint64        *values);
guint                  kehu_chart_data_get_n_categories (const KehuChartData *data);
const char            *kehu_chart_data_get_category    (const KehuChartData *data,
                                                        guint                index);
guint                  kehu_chart_data_get_n_series    (const KehuChartData *data);
const KehuChartSeries *kehu_chart_data_get_series      (const KehuChartData *data,
                                                        guint                series);
gint64                 kehu_chart_data_get_value       (const KehuChartData *data,
                                                        guint                series,
                                                        guint                index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KehuChartData, kehu_chart_data_unref)

/* Axis ticks: lo, lo + step, …, hi, with step 1, 2 or 5 × 10ⁿ. */
typedef struct
{
  gint64 lo;
  gint64 hi;
  gint64 step;
} KehuChartTicks;

void     kehu_chart_nice_ticks     (gint64          min,
                                    gint64          max,
                                    guint           max_intervals,
                                    KehuChartTicks *out);
guint    kehu_chart_ticks_count    (const KehuChartTicks *ticks);

KehuChartNumberStyle kehu_chart_number_style_default (void);
char    *kehu_chart_format_value       (gint64               value,
                                        KehuChartUnit        unit,
                                        KehuChartNumberStyle style);
char    *kehu_chart_format_value_exact (gint64               value,
                                        KehuChartUnit        unit);

void     kehu_chart_palette_get_color  (gboolean             dark,
                                        guint                index,
                                        GdkRGBA             *color);

/* Where a figure was drawn, for hit-testing without a window. */
typedef enum
{
  KEHU_CHART_SHAPE_RECT,       /* bounds */
  KEHU_CHART_SHAPE_TRAPEZOID,  /* top edge at bounds.y, bottom at bounds.y + height,
                                  both centred on bounds' centre */
  KEHU_CHART_SHAPE_SECTOR,     /* a ring sector around cx, cy; a pie slice when
                                  inner_radius is 0; angles in radians, clockwise
                                  from 3 o'clock as Cairo draws them */
  KEHU_CHART_SHAPE_POINT,      /* a line's marker: a disc of outer_radius */
  KEHU_CHART_SHAPE_SEGMENT,    /* a horizontal line across bounds (a target) */
} KehuChartShapeKind;

typedef struct
{
  KehuChartShapeKind kind;
  guint              series;
  guint              index;
  graphene_rect_t    bounds;
  double             top_width;
  double             bottom_width;
  double             cx;
  double             cy;
  double             inner_radius;
  double             outer_radius;
  double             start_angle;
  double             end_angle;
} KehuChartShape;

gboolean kehu_chart_shape_contains (const KehuChartShape *shape,
                                    double                x,
                                    double                y);
gboolean kehu_chart_hit_test       (const KehuChartShape *shapes,
                                    guint                 n_shapes,
                                    double                x,
                                    double                y,
                                    guint                *series,
                                    guint                *index);

#define KEHU_TYPE_CHART (kehu_chart_get_type ())

G_DECLARE_DERIVABLE_TYPE (KehuChart, kehu_chart, KEHU, CHART, GtkWidget)

/* The state of one rendering, shared by the base and the subclass
 * (kehu-chart-private.h). */
typedef struct _KehuChartContext KehuChartContext;

struct _KehuChartClass
{
  GtkWidgetClass parent_class;

  /* Appends where every figure goes in ctx's width × height to @shapes,
   * measuring text with ctx; stores what draw() needs (axes) in ctx. */
  void  (*layout)        (KehuChart            *self,
                          KehuChartContext     *ctx,
                          GArray               *shapes);
  void  (*draw)          (KehuChart            *self,
                          KehuChartContext     *ctx,
                          const KehuChartShape *shapes,
                          guint                 n_shapes);
  /* The tooltip of one figure, and the data summarised in words for the
   * accessible description. */
  char *(*describe_item) (KehuChart            *self,
                          guint                 series,
                          guint                 index);
  char *(*describe)      (KehuChart            *self);

  gpointer padding[8];
};

KehuChartData *kehu_chart_get_data        (KehuChart             *self);
void           kehu_chart_set_data        (KehuChart             *self,
                                           KehuChartData         *data);
const char    *kehu_chart_get_title       (KehuChart             *self);
void           kehu_chart_set_title       (KehuChart             *self,
                                           const char            *title);
char          *kehu_chart_dup_description (KehuChart             *self);
char          *kehu_chart_dup_item_text   (KehuChart             *self,
                                           guint                  series,
                                           guint                  index);
void           kehu_chart_render          (KehuChart             *self,
                                           cairo_t               *cr,
                                           int                    width,
                                           int                    height,
                                           gboolean               dark);
const KehuChartShape *kehu_chart_get_shapes (KehuChart           *self,
                                           guint                 *n_shapes);
gboolean       kehu_chart_pick            (KehuChart             *self,
                                           double                 x,
                                           double                 y,
                                           guint                 *series,
                                           guint                 *index);
gboolean       kehu_chart_export          (KehuChart             *self,
                                           const char            *path,
                                           KehuChartExportFormat  format,
                                           int                    width,
                                           int                    height,
                                           GError               **error);

G_END_DECLS
