/* kehu-bar-chart.h: bars, vertical (columns) or horizontal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-chart.h"

G_BEGIN_DECLS

#define KEHU_TYPE_BAR_CHART (kehu_bar_chart_get_type ())

G_DECLARE_FINAL_TYPE (KehuBarChart, kehu_bar_chart, KEHU, BAR_CHART, KehuChart)

GtkWidget *kehu_bar_chart_new    (GtkOrientation         orientation);
void       kehu_bar_chart_layout (const KehuChartData   *data,
                                  GtkOrientation         orientation,
                                  const graphene_rect_t *plot,
                                  const KehuChartTicks  *ticks,
                                  GArray                *shapes);

G_END_DECLS
