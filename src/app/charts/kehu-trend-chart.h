/* kehu-trend-chart.h: per month bars and lines against a target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-chart.h"

G_BEGIN_DECLS

#define KEHU_TYPE_TREND_CHART (kehu_trend_chart_get_type ())

G_DECLARE_FINAL_TYPE (KehuTrendChart, kehu_trend_chart, KEHU, TREND_CHART, KehuChart)

GtkWidget *kehu_trend_chart_new    (void);
void       kehu_trend_chart_layout (const KehuChartData   *data,
                                    const graphene_rect_t *plot,
                                    const KehuChartTicks  *ticks,
                                    GArray                *shapes);

G_END_DECLS
