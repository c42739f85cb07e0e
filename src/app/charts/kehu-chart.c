/* kehu-chart.c: what every Kehu chart shares
 *
 * The data (KehuChartData: categories and int64 series), readable axes
 * (1-2-5 ticks, amounts in 万/亿 or k/M), a palette for light and dark
 * styles, hover with a tooltip, click and keyboard activation for drilling
 * down, the accessible description, and export to PNG, SVG and PDF.
 *
 * KehuChart is a derivable class rather than a helper struct that each
 * chart embeds: everything but the geometry (the widget's events, the
 * tooltip, the style manager, accessibility, export) is the same for every
 * chart, and a subclass supplies only two vfuncs, layout () and draw ().
 * Both run on any cairo_t, so the widget's snapshot and the export files
 * come out of the same code, and layout () fills an array of plain
 * KehuChartShape that the pure kehu_chart_hit_test () reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-charts"

#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "kehu-chart-private.h"

struct _KehuChartData
{
  gatomicrefcount  ref_count;
  GPtrArray       *categories;
  GPtrArray       *series;
};

typedef struct
{
  KehuChartData *data;
  char          *title;

  /* Where each figure went in the last rendering, for hit-testing. */
  GArray        *shapes;
  int            shapes_width;
  int            shapes_height;
  gboolean       shapes_valid;

  int            hover_series;
  int            hover_index;
  int            focus_pos;
} KehuChartPrivate;

G_DEFINE_BOXED_TYPE (KehuChartData, kehu_chart_data, kehu_chart_data_ref, kehu_chart_data_unref)
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (KehuChart, kehu_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DATA,
  PROP_TITLE,
  N_PROPS
};

enum {
  ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* GNOME's palette (HIG), a shade darker on light backgrounds and a shade
 * lighter on dark ones so that every colour keeps its contrast. */
static const char * const palette_light[] = {
  "#1c71d8", "#26a269", "#e66100", "#9141ac", "#c01c28", "#986a44", "#c88800", "#5e5c64",
};
static const char * const palette_dark[] = {
  "#62a0ea", "#57e389", "#ffa348", "#c061cb", "#f66151", "#cdab8f", "#f8e45c", "#9a9996",
};

/* KehuChartData */

static void
series_free (gpointer p)
{
  KehuChartSeries *series = p;

  g_free (series->name);
  g_free (series->values);
  g_free (series);
}

/**
 * kehu_chart_data_new:
 * @categories: (array length=n_categories): the names of the months,
 *   stages, slices or bars
 * @n_categories: how many
 *
 * Returns: (transfer full): data without series yet
 */
KehuChartData *
kehu_chart_data_new (const char * const *categories,
                     guint               n_categories)
{
  KehuChartData *data = g_new0 (KehuChartData, 1);

  g_atomic_ref_count_init (&data->ref_count);
  data->categories = g_ptr_array_new_with_free_func (g_free);
  data->series = g_ptr_array_new_with_free_func (series_free);
  for (guint i = 0; i < n_categories; i++)
    g_ptr_array_add (data->categories, g_strdup (categories[i] ? categories[i] : ""));

  return data;
}

KehuChartData *
kehu_chart_data_ref (KehuChartData *data)
{
  g_return_val_if_fail (data != NULL, NULL);

  g_atomic_ref_count_inc (&data->ref_count);
  return data;
}

void
kehu_chart_data_unref (KehuChartData *data)
{
  g_return_if_fail (data != NULL);

  if (g_atomic_ref_count_dec (&data->ref_count))
    {
      g_ptr_array_unref (data->categories);
      g_ptr_array_unref (data->series);
      g_free (data);
    }
}

/**
 * kehu_chart_data_add_series:
 * @values: (array): one value per category
 *
 * Returns: the index of the new series
 */
guint
kehu_chart_data_add_series (KehuChartData       *data,
                            const char          *name,
                            KehuChartSeriesKind  kind,
                            KehuChartUnit        unit,
                            const gint64        *values)
{
  KehuChartSeries *series;

  g_return_val_if_fail (data != NULL, 0);
  g_return_val_if_fail (values != NULL || data->categories->len == 0, 0);

  series = g_new0 (KehuChartSeries, 1);
  series->name = g_strdup (name ? name : "");
  series->kind = kind;
  series->unit = unit;
  series->values = g_new0 (gint64, MAX (data->categories->len, 1));
  if (data->categories->len > 0)
    memcpy (series->values, values, sizeof (gint64) * data->categories->len);
  g_ptr_array_add (data->series, series);

  return data->series->len - 1;
}

guint
kehu_chart_data_get_n_categories (const KehuChartData *data)
{
  return data ? data->categories->len : 0;
}

const char *
kehu_chart_data_get_category (const KehuChartData *data,
                              guint                index)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (index < data->categories->len, NULL);

  return g_ptr_array_index (data->categories, index);
}

guint
kehu_chart_data_get_n_series (const KehuChartData *data)
{
  return data ? data->series->len : 0;
}

const KehuChartSeries *
kehu_chart_data_get_series (const KehuChartData *data,
                            guint                series)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (series < data->series->len, NULL);

  return g_ptr_array_index (data->series, series);
}

gint64
kehu_chart_data_get_value (const KehuChartData *data,
                           guint                series,
                           guint                index)
{
  g_return_val_if_fail (data != NULL, 0);
  g_return_val_if_fail (series < data->series->len, 0);
  g_return_val_if_fail (index < data->categories->len, 0);

  return ((KehuChartSeries *) g_ptr_array_index (data->series, series))->values[index];
}

/* Ticks */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static gint64
ceil_div (gint64 a,
          gint64 b)
{
  return -floor_div (-a, b);
}

static gint64
nice_step_at_least (guint64 raw)
{
  static const guint64 mantissas[] = { 1, 2, 5 };

  for (guint64 magnitude = 1; magnitude <= G_GUINT64_CONSTANT (1000000000000000000); magnitude *= 10)
    for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
      if (mantissas[i] * magnitude >= raw)
        return (gint64) (mantissas[i] * magnitude);

  return G_GINT64_CONSTANT (1000000000000000000);
}

/**
 * kehu_chart_nice_ticks:
 * @min: the smallest value to show (0 is always shown)
 * @max: the largest value to show
 * @max_intervals: at most this many steps between lo and hi (5 if 0)
 *
 * Picks ticks a reader takes in at a glance: the smallest step of 1, 2 or
 * 5 × 10ⁿ (at least 1, values being integers) that covers min…max in at
 * most @max_intervals steps. An empty range shows 0…1.
 */
void
kehu_chart_nice_ticks (gint64          min,
                       gint64          max,
                       guint           max_intervals,
                       KehuChartTicks *out)
{
  guint64 range;
  gint64 step;

  g_return_if_fail (out != NULL);

  if (max_intervals == 0)
    max_intervals = 5;
  min = MIN (min, 0);
  max = MAX (max, 0);
  /* Keep clear of overflow in hi - lo: amounts never come near this. */
  min = MAX (min, -G_GINT64_CONSTANT (1000000000000000000));
  max = MIN (max, G_GINT64_CONSTANT (1000000000000000000));
  range = (guint64) (max - min);

  if (range == 0)
    {
      out->lo = 0;
      out->hi = 1;
      out->step = 1;
      return;
    }

  step = nice_step_at_least ((range + max_intervals - 1) / max_intervals);
  for (;;)
    {
      out->lo = floor_div (min, step) * step;
      out->hi = ceil_div (max, step) * step;
      out->step = step;
      /* Rounding both ends out may add an interval. */
      if ((guint64) ((out->hi - out->lo) / step) <= max_intervals)
        break;
      step = nice_step_at_least ((guint64) step + 1);
    }
}

guint
kehu_chart_ticks_count (const KehuChartTicks *ticks)
{
  return (guint) ((ticks->hi - ticks->lo) / ticks->step) + 1;
}

/* Numbers */

/**
 * kehu_chart_number_style_default:
 *
 * Follows the language of the translation in use (LANGUAGE, then the
 * locale), not the locale's region alone: a zh_CN user reads 万 and 亿.
 */
KehuChartNumberStyle
kehu_chart_number_style_default (void)
{
  /* Translators: how charts abbreviate large numbers in your language.
   * Translate to "wan" if your readers group them by 万 and 亿 (12.5万,
   * 3.2亿); keep "k" for thousands and millions (125k, 3.2M). Nothing else. */
  const char *grouping = C_("number abbreviation", "k");

  return g_str_equal (grouping, "wan") ? KEHU_CHART_NUMBER_STYLE_CHINESE
                                       : KEHU_CHART_NUMBER_STYLE_WESTERN;
}

typedef struct
{
  guint64     factor;
  const char *suffix;
} Magnitude;

static const Magnitude western_magnitudes[] = {
  { G_GUINT64_CONSTANT (1), "" },
  { G_GUINT64_CONSTANT (1000), "k" },
  { G_GUINT64_CONSTANT (1000000), "M" },
  { G_GUINT64_CONSTANT (1000000000), "B" },
  { G_GUINT64_CONSTANT (1000000000000), "T" },
};

static const Magnitude chinese_magnitudes[] = {
  { G_GUINT64_CONSTANT (1), "" },
  { G_GUINT64_CONSTANT (10000), "万" },
  { G_GUINT64_CONSTANT (100000000), "亿" },
  { G_GUINT64_CONSTANT (1000000000000), "万亿" },
};

/* mag / unit in hundredths, rounded half up, without overflow. */
static guint64
hundredths (guint64 mag,
            guint64 unit)
{
  return mag / unit * 100 + ((mag % unit) * 100 + unit / 2) / unit;
}

/**
 * kehu_chart_format_value:
 * @value: a count, an amount in cents or a percent
 * @style: how to abbreviate
 *
 * Formats a value for an axis, a label or a tooltip: money in yuan,
 * abbreviated with the largest unit it reaches (1234500000 cents →
 * "1234.5万" or "12.35M"), rounded to at most two decimals written without
 * trailing zeros; counts likewise, and exact below the first unit.
 *
 * Returns: (transfer full): the text
 */
char *
kehu_chart_format_value (gint64               value,
                         KehuChartUnit        unit,
                         KehuChartNumberStyle style)
{
  const Magnitude *magnitudes;
  guint n_magnitudes;
  guint64 divisor = unit == KEHU_CHART_UNIT_CENTS ? 100 : 1;
  guint64 mag = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  guint64 h;
  guint chosen = 0;
  GString *s;

  if (unit == KEHU_CHART_UNIT_PERCENT)
    return g_strdup_printf ("%" G_GINT64_FORMAT "%%", value);

  if (style == KEHU_CHART_NUMBER_STYLE_CHINESE)
    {
      magnitudes = chinese_magnitudes;
      n_magnitudes = G_N_ELEMENTS (chinese_magnitudes);
    }
  else
    {
      magnitudes = western_magnitudes;
      n_magnitudes = G_N_ELEMENTS (western_magnitudes);
    }

  /* The largest unit the value reaches (9999 stays 9999), then the next
   * one if rounding reaches it: 99999999.99 yuan is 1亿, not 10000万. */
  for (guint i = 1; i < n_magnitudes; i++)
    if (mag >= magnitudes[i].factor * divisor)
      chosen = i;
  if (chosen + 1 < n_magnitudes &&
      hundredths (mag, magnitudes[chosen].factor * divisor) >=
      100 * (magnitudes[chosen + 1].factor / magnitudes[chosen].factor))
    chosen++;

  if (chosen == 0 && divisor == 1)
    h = mag * 100;  /* counts below the first unit are exact */
  else
    h = hundredths (mag, magnitudes[chosen].factor * divisor);

  s = g_string_new (NULL);
  if (value < 0 && h > 0)
    g_string_append_c (s, '-');
  g_string_append_printf (s, "%" G_GUINT64_FORMAT, h / 100);
  if (h % 100 != 0)
    {
      if (h % 10 == 0)
        g_string_append_printf (s, ".%u", (guint) (h % 100 / 10));
      else
        g_string_append_printf (s, ".%02u", (guint) (h % 100));
    }
  g_string_append (s, magnitudes[chosen].suffix);

  return g_string_free (s, FALSE);
}

/**
 * kehu_chart_format_value_exact:
 *
 * The exact value with thousands separators (12,345,678.90 for cents),
 * for tooltips next to the abbreviated one. Both languages Kehu speaks
 * group by thousands with a comma and write a decimal point.
 *
 * Returns: (transfer full): the text
 */
char *
kehu_chart_format_value_exact (gint64        value,
                               KehuChartUnit unit)
{
  guint64 mag = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  guint64 whole = unit == KEHU_CHART_UNIT_CENTS ? mag / 100 : mag;
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, whole);
  gsize len = strlen (digits);
  GString *s = g_string_new (value < 0 ? "-" : "");

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  if (unit == KEHU_CHART_UNIT_CENTS)
    g_string_append_printf (s, ".%02u", (guint) (mag % 100));
  else if (unit == KEHU_CHART_UNIT_PERCENT)
    g_string_append_c (s, '%');

  return g_string_free (s, FALSE);
}

void
kehu_chart_palette_get_color (gboolean  dark,
                              guint     index,
                              GdkRGBA  *color)
{
  const char * const *palette = dark ? palette_dark : palette_light;

  gdk_rgba_parse (color, palette[index % G_N_ELEMENTS (palette_light)]);
}

/* Hit-testing */

/**
 * kehu_chart_shape_contains:
 *
 * Whether x, y falls on the figure (a line's marker and a target line
 * take a few pixels around them, to be easy to point at).
 */
gboolean
kehu_chart_shape_contains (const KehuChartShape *shape,
                           double                x,
                           double                y)
{
  const graphene_rect_t *b = &shape->bounds;

  switch (shape->kind)
    {
    case KEHU_CHART_SHAPE_RECT:
      return x >= b->origin.x && x < b->origin.x + b->size.width &&
             y >= b->origin.y && y < b->origin.y + b->size.height;

    case KEHU_CHART_SHAPE_TRAPEZOID:
      {
        double t, half, cx;

        if (y < b->origin.y || y >= b->origin.y + b->size.height || b->size.height <= 0)
          return FALSE;
        t = (y - b->origin.y) / b->size.height;
        half = (shape->top_width + (shape->bottom_width - shape->top_width) * t) / 2;
        cx = b->origin.x + b->size.width / 2;
        return x >= cx - half && x < cx + half;
      }

    case KEHU_CHART_SHAPE_SECTOR:
      {
        double dx = x - shape->cx;
        double dy = y - shape->cy;
        double r = sqrt (dx * dx + dy * dy);
        double angle;

        if (r < shape->inner_radius || r > shape->outer_radius)
          return FALSE;
        angle = atan2 (dy, dx);
        while (angle < shape->start_angle)
          angle += 2 * G_PI;
        while (angle >= shape->start_angle + 2 * G_PI)
          angle -= 2 * G_PI;
        return angle < shape->end_angle;
      }

    case KEHU_CHART_SHAPE_POINT:
      {
        double dx = x - shape->cx;
        double dy = y - shape->cy;
        return dx * dx + dy * dy <= shape->outer_radius * shape->outer_radius;
      }

    case KEHU_CHART_SHAPE_SEGMENT:
      return x >= b->origin.x && x < b->origin.x + b->size.width &&
             fabs (y - b->origin.y) <= 4;

    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * kehu_chart_hit_test:
 * @shapes: (array length=n_shapes): from a layout function
 * @series: (out) (optional): the series of the figure under x, y
 * @index: (out) (optional): its category
 *
 * Figures drawn later lie on top (a line's markers over the bars), so the
 * last figure containing the point wins.
 *
 * Returns: whether a figure is under x, y
 */
gboolean
kehu_chart_hit_test (const KehuChartShape *shapes,
                     guint                 n_shapes,
                     double                x,
                     double                y,
                     guint                *series,
                     guint                *index)
{
  for (guint i = n_shapes; i > 0; i--)
    {
      const KehuChartShape *shape = &shapes[i - 1];

      if (kehu_chart_shape_contains (shape, x, y))
        {
          if (series)
            *series = shape->series;
          if (index)
            *index = shape->index;
          return TRUE;
        }
    }

  return FALSE;
}

/* Drawing helpers for the subclasses */

void
_kehu_chart_queue_layout (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  priv->shapes_valid = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

PangoLayout *
_kehu_chart_text_layout (KehuChartContext *ctx,
                         const char       *text,
                         gboolean          bold,
                         double            size_factor)
{
  PangoLayout *layout = pango_cairo_create_layout (ctx->cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_copy (ctx->font);

  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  if (size_factor != 1.0)
    {
      int size = pango_font_description_get_size (font);
      if (pango_font_description_get_size_is_absolute (font))
        pango_font_description_set_absolute_size (font, size * size_factor);
      else
        pango_font_description_set_size (font, (int) (size * size_factor));
    }
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);

  return layout;
}

void
_kehu_chart_text_size (KehuChartContext *ctx,
                       const char       *text,
                       gboolean          bold,
                       double           *width,
                       double           *height)
{
  g_autoptr(PangoLayout) layout = _kehu_chart_text_layout (ctx, text, bold, 1.0);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (width)
    *width = w;
  if (height)
    *height = h;
}

void
_kehu_chart_get_ink (KehuChartContext *ctx,
                     KehuChartInk      ink,
                     GdkRGBA          *color)
{
  /* Adwaita's view foreground (#000000cc light, #ffffff dark) in steps. */
  double fg = ctx->dark ? 1.0 : 0.0;

  switch (ink)
    {
    case KEHU_CHART_INK_TEXT:
      *color = (GdkRGBA) { fg, fg, fg, ctx->dark ? 0.92 : 0.85 };
      break;
    case KEHU_CHART_INK_DIM:
      *color = (GdkRGBA) { fg, fg, fg, ctx->dark ? 0.65 : 0.6 };
      break;
    case KEHU_CHART_INK_GRID:
      *color = (GdkRGBA) { fg, fg, fg, ctx->dark ? 0.14 : 0.1 };
      break;
    case KEHU_CHART_INK_AXIS:
      *color = (GdkRGBA) { fg, fg, fg, ctx->dark ? 0.45 : 0.4 };
      break;
    case KEHU_CHART_INK_BACKGROUND:
      gdk_rgba_parse (color, ctx->dark ? "#242424" : "#ffffff");
      break;
    case KEHU_CHART_INK_TARGET:
      gdk_rgba_parse (color, ctx->dark ? "#ff7b63" : "#a51d2d");
      break;
    default:
      g_return_if_reached ();
    }
}

void
_kehu_chart_set_ink (KehuChartContext *ctx,
                     KehuChartInk      ink)
{
  GdkRGBA color;

  _kehu_chart_get_ink (ctx, ink, &color);
  gdk_cairo_set_source_rgba (ctx->cr, &color);
}

void
_kehu_chart_set_series_color (KehuChartContext *ctx,
                              guint             index,
                              gboolean          highlighted)
{
  GdkRGBA color;

  kehu_chart_palette_get_color (ctx->dark, index, &color);
  if (highlighted)
    {
      /* Towards the background: lighter in light mode, and vice versa. */
      double toward = ctx->dark ? 0.0 : 1.0;
      color.red += (toward - color.red) * 0.25;
      color.green += (toward - color.green) * 0.25;
      color.blue += (toward - color.blue) * 0.25;
    }
  gdk_cairo_set_source_rgba (ctx->cr, &color);
}

void
_kehu_chart_draw_text (KehuChartContext *ctx,
                       const char       *text,
                       double            x,
                       double            y,
                       double            xalign,
                       double            yalign,
                       double            max_width,
                       gboolean          bold,
                       KehuChartInk      ink)
{
  g_autoptr(PangoLayout) layout = _kehu_chart_text_layout (ctx, text, bold, 1.0);
  int w, h;

  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_pixel_size (layout, &w, &h);
  _kehu_chart_set_ink (ctx, ink);
  cairo_move_to (ctx->cr, round (x - w * xalign), round (y - h * yalign));
  pango_cairo_show_layout (ctx->cr, layout);
}

/* Where a line of one logical pixel covers whole device pixels. */
double
_kehu_chart_snap (KehuChartContext *ctx,
                  double            v)
{
  return round (v * ctx->scale) / ctx->scale + 0.5;
}

void
_kehu_chart_shape_path (cairo_t              *cr,
                        const KehuChartShape *shape)
{
  const graphene_rect_t *b = &shape->bounds;

  switch (shape->kind)
    {
    case KEHU_CHART_SHAPE_RECT:
      cairo_rectangle (cr, b->origin.x, b->origin.y, b->size.width, b->size.height);
      break;

    case KEHU_CHART_SHAPE_TRAPEZOID:
      {
        double cx = b->origin.x + b->size.width / 2;
        double bottom = b->origin.y + b->size.height;

        cairo_move_to (cr, cx - shape->top_width / 2, b->origin.y);
        cairo_line_to (cr, cx + shape->top_width / 2, b->origin.y);
        cairo_line_to (cr, cx + shape->bottom_width / 2, bottom);
        cairo_line_to (cr, cx - shape->bottom_width / 2, bottom);
        cairo_close_path (cr);
      }
      break;

    case KEHU_CHART_SHAPE_SECTOR:
      cairo_new_sub_path (cr);
      cairo_arc (cr, shape->cx, shape->cy, shape->outer_radius, shape->start_angle, shape->end_angle);
      if (shape->inner_radius > 0)
        cairo_arc_negative (cr, shape->cx, shape->cy, shape->inner_radius,
                            shape->end_angle, shape->start_angle);
      else
        cairo_line_to (cr, shape->cx, shape->cy);
      cairo_close_path (cr);
      break;

    case KEHU_CHART_SHAPE_POINT:
      cairo_new_sub_path (cr);
      cairo_arc (cr, shape->cx, shape->cy, 4, 0, 2 * G_PI);
      break;

    case KEHU_CHART_SHAPE_SEGMENT:
      cairo_move_to (cr, b->origin.x, b->origin.y);
      cairo_line_to (cr, b->origin.x + b->size.width, b->origin.y);
      break;

    default:
      g_return_if_reached ();
    }
}

gboolean
_kehu_chart_is_hovered (KehuChartContext     *ctx,
                        const KehuChartShape *shape)
{
  return ctx->hover_series == (int) shape->series && ctx->hover_index == (int) shape->index;
}

void
_kehu_chart_outline_hovered (KehuChartContext     *ctx,
                             const KehuChartShape *shapes,
                             guint                 n_shapes)
{
  for (guint i = 0; i < n_shapes; i++)
    {
      if (!_kehu_chart_is_hovered (ctx, &shapes[i]) || shapes[i].kind == KEHU_CHART_SHAPE_SEGMENT)
        continue;
      cairo_save (ctx->cr);
      _kehu_chart_shape_path (ctx->cr, &shapes[i]);
      _kehu_chart_set_ink (ctx, KEHU_CHART_INK_TEXT);
      cairo_set_line_width (ctx->cr, 2);
      cairo_set_line_join (ctx->cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke (ctx->cr);
      cairo_restore (ctx->cr);
    }
}

char *
_kehu_chart_format (KehuChartContext *ctx,
                    gint64            value,
                    KehuChartUnit     unit)
{
  return kehu_chart_format_value (value, unit, ctx->style);
}

gboolean
_kehu_chart_data_is_empty (const KehuChartData *data)
{
  return data == NULL || data->categories->len == 0 || data->series->len == 0;
}

void
_kehu_chart_draw_empty (KehuChartContext *ctx)
{
  _kehu_chart_draw_text (ctx, _("No data for this period"),
                         ctx->width / 2, ctx->height / 2, 0.5, 0.5,
                         ctx->width - 2 * KEHU_CHART_PAD, FALSE, KEHU_CHART_INK_DIM);
}

/* Category and value axes (bar and trend charts) */

double
_kehu_chart_value_to_pos (const KehuChartTicks  *ticks,
                          const graphene_rect_t *plot,
                          GtkOrientation         value_axis,
                          gint64                 value)
{
  double f = (double) (value - ticks->lo) / (double) (ticks->hi - ticks->lo);

  if (value_axis == GTK_ORIENTATION_VERTICAL)
    return plot->origin.y + plot->size.height * (1.0 - f);
  else
    return plot->origin.x + plot->size.width * f;
}

static gboolean
series_counts (const KehuChartSeries *series,
               gboolean               bars_only)
{
  return !bars_only || series->kind == KEHU_CHART_SERIES_BAR;
}

static double
widest_tick_label (KehuChartContext *ctx,
                   double           *line_height)
{
  double widest = 0;

  for (gint64 v = ctx->ticks.lo; v <= ctx->ticks.hi; v += ctx->ticks.step)
    {
      g_autofree char *text = _kehu_chart_format (ctx, v, ctx->unit);
      double w, h;

      _kehu_chart_text_size (ctx, text, FALSE, &w, &h);
      widest = MAX (widest, w);
      *line_height = h;
    }

  return widest;
}

void
_kehu_chart_layout_xy (KehuChartContext *ctx,
                       GtkOrientation    value_axis,
                       gboolean          with_legend,
                       gboolean          bars_only)
{
  const KehuChartData *data = ctx->data;
  gint64 min = 0;
  gint64 max = 0;
  double line_height = 0;
  double tick_width;
  double widest_category = 0;
  double widest_value = 0;
  double legend_height = 0;
  double left, right, top, bottom, length;
  guint n = kehu_chart_data_get_n_categories (data);
  gboolean unit_set = FALSE;

  ctx->value_axis = value_axis;
  ctx->unit = KEHU_CHART_UNIT_COUNT;
  for (guint s = 0; s < kehu_chart_data_get_n_series (data); s++)
    {
      const KehuChartSeries *series = kehu_chart_data_get_series (data, s);

      if (!series_counts (series, bars_only))
        continue;
      if (!unit_set)
        {
          ctx->unit = series->unit;
          unit_set = TRUE;
        }
      for (guint i = 0; i < n; i++)
        {
          min = MIN (min, series->values[i]);
          max = MAX (max, series->values[i]);
        }
    }

  for (guint i = 0; i < n; i++)
    {
      double w;
      _kehu_chart_text_size (ctx, kehu_chart_data_get_category (data, i), FALSE, &w, NULL);
      widest_category = MAX (widest_category, w);
    }

  /* Bar charts write values at the bars' ends: keep room for the longest
   * bar's, beside it (horizontal) or above it (vertical). */
  if (bars_only && value_axis == GTK_ORIENTATION_HORIZONTAL)
    for (guint s = 0; s < kehu_chart_data_get_n_series (data); s++)
      {
        const KehuChartSeries *series = kehu_chart_data_get_series (data, s);

        if (!series_counts (series, bars_only))
          continue;
        for (guint i = 0; i < n; i++)
          {
            g_autofree char *text = _kehu_chart_format (ctx, series->values[i], series->unit);
            double w;

            _kehu_chart_text_size (ctx, text, FALSE, &w, NULL);
            widest_value = MAX (widest_value, w);
          }
      }

  kehu_chart_nice_ticks (min, max, 5, &ctx->ticks);
  tick_width = widest_tick_label (ctx, &line_height);

  ctx->has_legend = with_legend;
  if (with_legend)
    {
      legend_height = line_height + 10;
      ctx->legend_y = ctx->height - KEHU_CHART_PAD / 2 - line_height / 2;
    }

  /* Twice: how many ticks fit depends on the plot's length, and the
   * margin for their labels on the ticks. Ticks stand two lines apart on
   * a vertical axis, a label and some space apart on a horizontal one. */
  for (guint pass = 0; pass < 2; pass++)
    {
      double spacing;

      if (value_axis == GTK_ORIENTATION_VERTICAL)
        {
          left = KEHU_CHART_PAD / 2 + tick_width + 8;
          right = KEHU_CHART_PAD;
          top = KEHU_CHART_PAD / 2 + (bars_only ? line_height + 2 : line_height / 2);
          bottom = KEHU_CHART_PAD / 2 + line_height + 6 + legend_height;
          length = ctx->height - top - bottom;
          spacing = MAX (28, 2 * line_height);
        }
      else
        {
          ctx->category_label_width = MIN (widest_category, ctx->width * 0.3);
          left = KEHU_CHART_PAD / 2 + ctx->category_label_width + 8;
          right = KEHU_CHART_PAD / 2 + MAX (tick_width / 2, widest_value + 6);
          top = KEHU_CHART_PAD / 2;
          bottom = KEHU_CHART_PAD / 2 + line_height + 6 + legend_height;
          length = ctx->width - left - right;
          spacing = MAX (56, tick_width + 24);
        }

      kehu_chart_nice_ticks (min, max, (guint) CLAMP (length / spacing, 2, 6), &ctx->ticks);
      tick_width = widest_tick_label (ctx, &line_height);
    }

  ctx->plot = GRAPHENE_RECT_INIT (left, top,
                                  MAX (1, ctx->width - left - right),
                                  MAX (1, ctx->height - top - bottom));

  ctx->label_every = 1;
  if (value_axis == GTK_ORIENTATION_VERTICAL && n > 0)
    {
      double slot = ctx->plot.size.width / n;
      ctx->label_every = MAX (1, (guint) ceil ((widest_category + 10) / slot));
    }
  else if (n > 0)
    {
      double slot = ctx->plot.size.height / n;
      ctx->label_every = MAX (1, (guint) ceil ((line_height + 2) / slot));
    }
}

void
_kehu_chart_draw_xy_axes (KehuChartContext *ctx)
{
  cairo_t *cr = ctx->cr;
  const graphene_rect_t *p = &ctx->plot;

  /* Where the last tick label ended: on a chart too small for every label,
   * a label that would touch the previous one is left out. */
  double last_end = -G_MAXDOUBLE;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (gint64 v = ctx->ticks.lo; v <= ctx->ticks.hi; v += ctx->ticks.step)
    {
      double pos = _kehu_chart_value_to_pos (&ctx->ticks, p, ctx->value_axis, v);
      g_autofree char *text = _kehu_chart_format (ctx, v, ctx->unit);
      double tw, th;

      _kehu_chart_text_size (ctx, text, FALSE, &tw, &th);

      _kehu_chart_set_ink (ctx, v == 0 ? KEHU_CHART_INK_AXIS : KEHU_CHART_INK_GRID);
      if (ctx->value_axis == GTK_ORIENTATION_VERTICAL)
        {
          double y = _kehu_chart_snap (ctx, pos);
          cairo_move_to (cr, p->origin.x, y);
          cairo_line_to (cr, p->origin.x + p->size.width, y);
          cairo_stroke (cr);
          /* Values go up: the previous label is below this one. */
          if (last_end == -G_MAXDOUBLE || pos + th / 2 <= last_end - 2)
            {
              _kehu_chart_draw_text (ctx, text, p->origin.x - 6, pos, 1.0, 0.5, 0, FALSE,
                                     KEHU_CHART_INK_DIM);
              last_end = pos - th / 2;
            }
        }
      else
        {
          double x = _kehu_chart_snap (ctx, pos);
          cairo_move_to (cr, x, p->origin.y);
          cairo_line_to (cr, x, p->origin.y + p->size.height);
          cairo_stroke (cr);
          if (pos - tw / 2 >= last_end + 6)
            {
              _kehu_chart_draw_text (ctx, text, pos, p->origin.y + p->size.height + 4, 0.5, 0.0, 0,
                                     FALSE, KEHU_CHART_INK_DIM);
              last_end = pos + tw / 2;
            }
        }
    }
  cairo_restore (cr);
}

void
_kehu_chart_draw_xy_labels (KehuChartContext *ctx)
{
  const graphene_rect_t *p = &ctx->plot;
  guint n = kehu_chart_data_get_n_categories (ctx->data);

  for (guint i = 0; i < n; i += ctx->label_every)
    {
      const char *label = kehu_chart_data_get_category (ctx->data, i);

      if (ctx->value_axis == GTK_ORIENTATION_VERTICAL)
        {
          double slot = p->size.width / n;
          _kehu_chart_draw_text (ctx, label, p->origin.x + slot * (i + 0.5),
                                 p->origin.y + p->size.height + 6, 0.5, 0.0,
                                 slot * ctx->label_every - 4, FALSE, KEHU_CHART_INK_DIM);
        }
      else
        {
          double slot = p->size.height / n;
          _kehu_chart_draw_text (ctx, label, p->origin.x - 8, p->origin.y + slot * (i + 0.5),
                                 1.0, 0.5, ctx->category_label_width, FALSE, KEHU_CHART_INK_TEXT);
        }
    }
}

void
_kehu_chart_draw_legend (KehuChartContext *ctx,
                         gboolean          bars_only)
{
  cairo_t *cr = ctx->cr;
  guint n_series = kehu_chart_data_get_n_series (ctx->data);
  const double gap = 18;
  const double sw = 16;
  double total = 0;
  double max_name = 0;
  guint n_items = 0;
  double x;

  for (guint s = 0; s < n_series; s++)
    {
      const KehuChartSeries *series = kehu_chart_data_get_series (ctx->data, s);
      double w;

      if (!series_counts (series, bars_only))
        continue;
      _kehu_chart_text_size (ctx, series->name, FALSE, &w, NULL);
      total += sw + 6 + w + gap;
      n_items++;
    }
  total -= gap;

  /* Too wide for the chart: every name gets an equal share, ellipsized. */
  if (total > ctx->width - 2 * KEHU_CHART_PAD && n_items > 0)
    {
      max_name = (ctx->width - 2 * KEHU_CHART_PAD - n_items * (sw + 6) - (n_items - 1) * gap) / n_items;
      max_name = MAX (max_name, 12);
      total = ctx->width - 2 * KEHU_CHART_PAD;
    }

  x = MAX (KEHU_CHART_PAD, (ctx->width - total) / 2);
  for (guint s = 0; s < n_series; s++)
    {
      const KehuChartSeries *series = kehu_chart_data_get_series (ctx->data, s);
      double y = ctx->legend_y;
      double w;

      if (!series_counts (series, bars_only))
        continue;

      cairo_save (cr);
      switch (series->kind)
        {
        case KEHU_CHART_SERIES_BAR:
          _kehu_chart_set_series_color (ctx, s, FALSE);
          cairo_rectangle (cr, x + (sw - KEHU_CHART_LEGEND_SWATCH) / 2, y - KEHU_CHART_LEGEND_SWATCH / 2,
                           KEHU_CHART_LEGEND_SWATCH, KEHU_CHART_LEGEND_SWATCH);
          cairo_fill (cr);
          break;
        case KEHU_CHART_SERIES_LINE:
          _kehu_chart_set_series_color (ctx, s, FALSE);
          cairo_set_line_width (cr, 2.5);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + sw, y);
          cairo_stroke (cr);
          cairo_arc (cr, x + sw / 2, y, 3.5, 0, 2 * G_PI);
          cairo_fill (cr);
          break;
        case KEHU_CHART_SERIES_TARGET:
        default:
          _kehu_chart_set_ink (ctx, KEHU_CHART_INK_TARGET);
          cairo_set_line_width (cr, 2);
          cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + sw, y);
          cairo_stroke (cr);
          break;
        }
      cairo_restore (cr);

      _kehu_chart_text_size (ctx, series->name, FALSE, &w, NULL);
      if (max_name > 0)
        w = MIN (w, max_name);
      _kehu_chart_draw_text (ctx, series->name, x + sw + 6, y, 0.0, 0.5, max_name, FALSE,
                             KEHU_CHART_INK_TEXT);
      x += sw + 6 + w + gap;
    }
}

/* Rendering */

static void
context_init (KehuChart        *self,
              KehuChartContext *ctx,
              cairo_t          *cr,
              double            width,
              double            height,
              double            scale,
              gboolean          dark,
              gboolean          interactive)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  PangoContext *pango = gtk_widget_get_pango_context (GTK_WIDGET (self));

  memset (ctx, 0, sizeof *ctx);
  ctx->cr = cr;
  ctx->width = width;
  ctx->height = height;
  ctx->scale = scale > 0 ? scale : 1;
  ctx->dark = dark;
  ctx->font = pango_font_description_copy (pango_context_get_font_description (pango));
  ctx->style = kehu_chart_number_style_default ();
  ctx->data = priv->data;
  ctx->hover_series = interactive ? priv->hover_series : -1;
  ctx->hover_index = interactive ? priv->hover_index : -1;
  ctx->label_every = 1;
}

static void
context_clear (KehuChartContext *ctx)
{
  g_clear_pointer (&ctx->font, pango_font_description_free);
}

/* Lays out and draws; keeps the figures' places when they are the ones
 * the user sees and points at. */
static void
render (KehuChart *self,
        cairo_t   *cr,
        double     width,
        double     height,
        double     scale,
        gboolean   dark,
        gboolean   interactive)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  KehuChartClass *klass = KEHU_CHART_GET_CLASS (self);
  g_autoptr(GArray) shapes = g_array_new (FALSE, TRUE, sizeof (KehuChartShape));
  KehuChartContext ctx;

  context_init (self, &ctx, cr, width, height, scale, dark, interactive);

  cairo_save (cr);
  if (_kehu_chart_data_is_empty (priv->data))
    _kehu_chart_draw_empty (&ctx);
  else
    {
      klass->layout (self, &ctx, shapes);
      klass->draw (self, &ctx, (const KehuChartShape *) (gpointer) shapes->data, shapes->len);
    }
  cairo_restore (cr);

  if (interactive)
    {
      g_clear_pointer (&priv->shapes, g_array_unref);
      priv->shapes = g_steal_pointer (&shapes);
      priv->shapes_width = (int) width;
      priv->shapes_height = (int) height;
      priv->shapes_valid = TRUE;
    }

  context_clear (&ctx);
}

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
ensure_shapes (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (priv->shapes_valid && priv->shapes_width == width && priv->shapes_height == height)
    return;
  if (width <= 0 || height <= 0)
    return;

  {
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create (surface);

    render (self, cr, width, height, 1, is_dark (), TRUE);
    cairo_destroy (cr);
    cairo_surface_destroy (surface);
  }
}

static void
set_hover (KehuChart *self,
           int        series,
           int        index)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  if (priv->hover_series == series && priv->hover_index == index)
    return;
  priv->hover_series = series;
  priv->hover_index = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_accessible (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  g_autofree char *description = kehu_chart_dup_description (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, priv->title ? priv->title : "",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* Signal callbacks */

static void
on_motion_cb (KehuChart                *self,
              double                    x,
              double                    y,
              GtkEventControllerMotion *motion)
{
  guint series, index;

  if (kehu_chart_pick (self, x, y, &series, &index))
    set_hover (self, (int) series, (int) index);
  else
    set_hover (self, -1, -1);
}

static void
on_leave_cb (KehuChart                *self,
             GtkEventControllerMotion *motion)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  if (priv->focus_pos < 0 || !gtk_widget_has_focus (GTK_WIDGET (self)))
    set_hover (self, -1, -1);
}

static void
on_released_cb (KehuChart       *self,
                int              n_press,
                double           x,
                double           y,
                GtkGestureClick *click)
{
  guint series, index;

  if (kehu_chart_pick (self, x, y, &series, &index))
    g_signal_emit (self, signals[ACTIVATED], 0, series, index);
}

static gboolean
on_key_pressed_cb (KehuChart             *self,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   GtkEventControllerKey *key)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  int n;

  ensure_shapes (self);
  n = priv->shapes ? (int) priv->shapes->len : 0;
  if (n == 0)
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_Up:
      priv->focus_pos = priv->focus_pos <= 0 ? n - 1 : priv->focus_pos - 1;
      break;
    case GDK_KEY_Right:
    case GDK_KEY_Down:
      priv->focus_pos = priv->focus_pos >= n - 1 ? 0 : priv->focus_pos + 1;
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      if (priv->focus_pos >= 0 && priv->focus_pos < n)
        {
          const KehuChartShape *shape = &g_array_index (priv->shapes, KehuChartShape, priv->focus_pos);
          g_signal_emit (self, signals[ACTIVATED], 0, shape->series, shape->index);
          return GDK_EVENT_STOP;
        }
      return GDK_EVENT_PROPAGATE;
    default:
      return GDK_EVENT_PROPAGATE;
    }

  {
    const KehuChartShape *shape = &g_array_index (priv->shapes, KehuChartShape, priv->focus_pos);

    /* query-tooltip shows the focused figure in keyboard mode. */
    set_hover (self, (int) shape->series, (int) shape->index);
    gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
  }

  return GDK_EVENT_STOP;
}

static gboolean
on_query_tooltip_cb (KehuChart  *self,
                     int         x,
                     int         y,
                     gboolean    keyboard_mode,
                     GtkTooltip *tooltip)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  g_autofree char *text = NULL;
  guint series, index;

  if (keyboard_mode && priv->hover_series >= 0)
    text = kehu_chart_dup_item_text (self, (guint) priv->hover_series, (guint) priv->hover_index);
  else if (kehu_chart_pick (self, x, y, &series, &index))
    text = kehu_chart_dup_item_text (self, series, index);

  if (text == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* "chart.activate-item" (series, index): what a click does, for pages that
 * offer the same drill-down from a button or a menu. */
static void
activate_item_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  guint series, index;

  g_variant_get (parameter, "(uu)", &series, &index);
  g_signal_emit (widget, signals[ACTIVATED], 0, series, index);
}

/* Default vfuncs */

static char *
kehu_chart_real_describe_item (KehuChart *self,
                               guint      series,
                               guint      index)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  const KehuChartSeries *s = kehu_chart_data_get_series (priv->data, series);
  gint64 value = s->values[index];
  g_autofree char *shown = kehu_chart_format_value (value, s->unit, kehu_chart_number_style_default ());
  g_autofree char *exact = kehu_chart_format_value_exact (value, s->unit);
  g_autofree char *figure = NULL;

  if (g_str_equal (shown, exact))
    figure = g_strdup (shown);
  else
    /* Translators: an abbreviated amount and the exact one, e.g. "12.5万 (125,000.00)" */
    figure = g_strdup_printf (C_("chart value", "%s (%s)"), shown, exact);

  /* Translators: a chart's tooltip: category · series, then the value on a
   * second line, e.g. "2026-03 · Contract amount\n12.5万 (125,000.00)" */
  return g_strdup_printf (_("%s · %s\n%s"),
                          kehu_chart_data_get_category (priv->data, index),
                          s->name, figure);
}

static char *
kehu_chart_real_describe (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  KehuChartNumberStyle style = kehu_chart_number_style_default ();
  guint n = kehu_chart_data_get_n_categories (priv->data);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      GString *values = g_string_new (NULL);

      for (guint j = 0; j < kehu_chart_data_get_n_series (priv->data); j++)
        {
          const KehuChartSeries *series = kehu_chart_data_get_series (priv->data, j);
          g_autofree char *v = kehu_chart_format_value (series->values[i], series->unit, style);

          if (j > 0)
            /* Translators: between the values of one category in a chart's description */
            g_string_append (values, C_("chart description", ", "));
          /* Translators: a series and its value in a chart's description, e.g. "Contract amount 12.5万" */
          g_string_append_printf (values, C_("chart description", "%s %s"), series->name, v);
        }

      if (i > 0)
        /* Translators: between the categories of a chart's description */
        g_string_append (s, C_("chart description", "; "));
      /* Translators: a category and its values in a chart's description, e.g. "2026-03: Contract amount 12.5万" */
      g_string_append_printf (s, C_("chart description", "%s: %s"),
                              kehu_chart_data_get_category (priv->data, i), values->str);
      g_string_free (values, TRUE);
    }

  return g_string_free (s, FALSE);
}

/* GtkWidget */

static void
kehu_chart_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  KehuChart *self = KEHU_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  /* GTK gives this cairo_t the widget's scale factor: only hairlines need
   * to know it, to land on device pixels. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  render (self, cr, width, height, gtk_widget_get_scale_factor (widget), is_dark (), TRUE);
  cairo_destroy (cr);
}

static void
kehu_chart_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 420;
    }
  else
    {
      *minimum = 120;
      *natural = 260;
    }
}

static void
kehu_chart_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (KEHU_CHART (widget));

  priv->shapes_valid = FALSE;
}

static void
kehu_chart_dispose (GObject *object)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (KEHU_CHART (object));

  g_clear_pointer (&priv->data, kehu_chart_data_unref);
  g_clear_pointer (&priv->shapes, g_array_unref);

  G_OBJECT_CLASS (kehu_chart_parent_class)->dispose (object);
}

static void
kehu_chart_finalize (GObject *object)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (KEHU_CHART (object));

  g_free (priv->title);

  G_OBJECT_CLASS (kehu_chart_parent_class)->finalize (object);
}

static void
kehu_chart_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KehuChart *self = KEHU_CHART (object);

  switch (prop_id)
    {
    case PROP_DATA:
      g_value_set_boxed (value, kehu_chart_get_data (self));
      break;
    case PROP_TITLE:
      g_value_set_string (value, kehu_chart_get_title (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_chart_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KehuChart *self = KEHU_CHART (object);

  switch (prop_id)
    {
    case PROP_DATA:
      kehu_chart_set_data (self, g_value_get_boxed (value));
      break;
    case PROP_TITLE:
      kehu_chart_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kehu_chart_class_init (KehuChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kehu_chart_dispose;
  object_class->finalize = kehu_chart_finalize;
  object_class->get_property = kehu_chart_get_property;
  object_class->set_property = kehu_chart_set_property;

  widget_class->snapshot = kehu_chart_snapshot;
  widget_class->measure = kehu_chart_measure;
  widget_class->size_allocate = kehu_chart_size_allocate;

  klass->describe_item = kehu_chart_real_describe_item;
  klass->describe = kehu_chart_real_describe;

  properties [PROP_DATA] =
    g_param_spec_boxed ("data", NULL, NULL,
                        KEHU_TYPE_CHART_DATA,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KehuChart::activated:
   * @series: the series of the figure
   * @index: its category
   *
   * A figure was clicked or activated from the keyboard: the page opens
   * the list of records behind it.
   */
  signals [ACTIVATED] =
    g_signal_new ("activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "chart.activate-item", "(uu)", activate_item_action);

  gtk_widget_class_set_css_name (widget_class, "kehu-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kehu_chart_init (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  GtkEventController *controller;

  priv->hover_series = -1;
  priv->hover_index = -1;
  priv->focus_pos = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip_cb), NULL);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_object (controller, "enter", G_CALLBACK (on_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "motion", G_CALLBACK (on_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (controller, "leave", G_CALLBACK (on_leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  g_signal_connect_object (controller, "released", G_CALLBACK (on_released_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (on_key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);

  update_accessible (self);
}

/* Public API */

/**
 * kehu_chart_get_data:
 *
 * Returns: (transfer none) (nullable): what the chart shows
 */
KehuChartData *
kehu_chart_get_data (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_val_if_fail (KEHU_IS_CHART (self), NULL);

  return priv->data;
}

void
kehu_chart_set_data (KehuChart     *self,
                     KehuChartData *data)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_if_fail (KEHU_IS_CHART (self));

  if (priv->data == data)
    return;

  g_clear_pointer (&priv->data, kehu_chart_data_unref);
  priv->data = data ? kehu_chart_data_ref (data) : NULL;
  priv->shapes_valid = FALSE;
  priv->hover_series = -1;
  priv->hover_index = -1;
  priv->focus_pos = -1;

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DATA]);
}

const char *
kehu_chart_get_title (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_val_if_fail (KEHU_IS_CHART (self), NULL);

  return priv->title;
}

/**
 * kehu_chart_set_title:
 *
 * The chart's accessible name, and the heading of exported files (the page
 * shows its own heading above the widget).
 */
void
kehu_chart_set_title (KehuChart  *self,
                      const char *title)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_if_fail (KEHU_IS_CHART (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;

  g_free (priv->title);
  priv->title = g_strdup (title);
  update_accessible (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
}

/**
 * kehu_chart_dup_description:
 *
 * The data in words, as the accessible description says it.
 *
 * Returns: (transfer full): the description
 */
char *
kehu_chart_dup_description (KehuChart *self)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_val_if_fail (KEHU_IS_CHART (self), NULL);

  if (_kehu_chart_data_is_empty (priv->data))
    return g_strdup (_("No data for this period"));

  return KEHU_CHART_GET_CLASS (self)->describe (self);
}

/**
 * kehu_chart_dup_item_text:
 *
 * Returns: (transfer full) (nullable): the tooltip of one figure
 */
char *
kehu_chart_dup_item_text (KehuChart *self,
                          guint      series,
                          guint      index)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_val_if_fail (KEHU_IS_CHART (self), NULL);

  if (priv->data == NULL ||
      series >= kehu_chart_data_get_n_series (priv->data) ||
      index >= kehu_chart_data_get_n_categories (priv->data))
    return NULL;

  return KEHU_CHART_GET_CLASS (self)->describe_item (self, series, index);
}

/**
 * kehu_chart_render:
 * @cr: where to draw; its surface is not cleared first
 * @dark: whether to use the palette for dark backgrounds
 *
 * Draws the chart in 0, 0, @width, @height of @cr exactly as the widget
 * draws itself (without hover), and keeps the figures' places for
 * kehu_chart_get_shapes () and kehu_chart_pick ().
 */
void
kehu_chart_render (KehuChart *self,
                   cairo_t   *cr,
                   int        width,
                   int        height,
                   gboolean   dark)
{
  double sx = 1, sy = 1;

  g_return_if_fail (KEHU_IS_CHART (self));
  g_return_if_fail (cr != NULL);

  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);
  render (self, cr, width, height, sx, dark, TRUE);
}

/**
 * kehu_chart_get_shapes:
 * @n_shapes: (out): how many
 *
 * Returns: (array length=n_shapes) (transfer none) (nullable): where the
 *   last rendering put each figure, valid until the next rendering
 */
const KehuChartShape *
kehu_chart_get_shapes (KehuChart *self,
                       guint     *n_shapes)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_val_if_fail (KEHU_IS_CHART (self), NULL);

  *n_shapes = priv->shapes ? priv->shapes->len : 0;
  return priv->shapes ? (const KehuChartShape *) (gpointer) priv->shapes->data : NULL;
}

/**
 * kehu_chart_pick:
 *
 * The figure under x, y in widget coordinates.
 */
gboolean
kehu_chart_pick (KehuChart *self,
                 double     x,
                 double     y,
                 guint     *series,
                 guint     *index)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);

  g_return_val_if_fail (KEHU_IS_CHART (self), FALSE);

  ensure_shapes (self);
  if (priv->shapes == NULL)
    return FALSE;

  return kehu_chart_hit_test ((const KehuChartShape *) (gpointer) priv->shapes->data,
                              priv->shapes->len, x, y, series, index);
}

/**
 * kehu_chart_export:
 * @path: the file to write
 * @width: in points (PDF, SVG) or pixels (PNG)
 *
 * Writes the chart through the same drawing code as the screen, with the
 * title above it, always in the light palette on white: exported charts
 * end up in printed reports and slides.
 *
 * Returns: whether the file was written
 */
gboolean
kehu_chart_export (KehuChart             *self,
                   const char            *path,
                   KehuChartExportFormat  format,
                   int                    width,
                   int                    height,
                   GError               **error)
{
  KehuChartPrivate *priv = kehu_chart_get_instance_private (self);
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  double top = 0;

  g_return_val_if_fail (KEHU_IS_CHART (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  switch (format)
    {
    case KEHU_CHART_EXPORT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      break;
    case KEHU_CHART_EXPORT_SVG:
      surface = cairo_svg_surface_create (path, width, height);
      break;
    case KEHU_CHART_EXPORT_PDF:
      surface = cairo_pdf_surface_create (path, width, height);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  cr = cairo_create (surface);
  {
    KehuChartContext ctx;
    GdkRGBA bg;

    context_init (self, &ctx, cr, width, height, 1, FALSE, FALSE);
    _kehu_chart_get_ink (&ctx, KEHU_CHART_INK_BACKGROUND, &bg);
    gdk_cairo_set_source_rgba (cr, &bg);
    cairo_paint (cr);

    if (priv->title != NULL && priv->title[0] != '\0')
      {
        g_autoptr(PangoLayout) layout = _kehu_chart_text_layout (&ctx, priv->title, TRUE, 1.2);
        int th;

        pango_layout_set_width (layout, (int) ((width - 2 * KEHU_CHART_PAD) * PANGO_SCALE));
        pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
        pango_layout_get_pixel_size (layout, NULL, &th);
        _kehu_chart_set_ink (&ctx, KEHU_CHART_INK_TEXT);
        cairo_move_to (cr, KEHU_CHART_PAD, KEHU_CHART_PAD);
        pango_cairo_show_layout (cr, layout);
        top = KEHU_CHART_PAD + th + 4;
      }
    context_clear (&ctx);
  }

  cairo_translate (cr, 0, top);
  render (self, cr, width, MAX (1, height - top), 1, FALSE, FALSE);
  cairo_destroy (cr);

  if (format == KEHU_CHART_EXPORT_PNG)
    status = cairo_surface_write_to_png (surface, path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: the file, then the reason (from Cairo) */
                   _("Could not save the chart as “%s”: %s. Check that the folder exists and that you may write to it."),
                   display, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
