/* kehu-funnel-chart.h: the sales funnel, stage by stage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-chart.h"

G_BEGIN_DECLS

#define KEHU_TYPE_FUNNEL_CHART (kehu_funnel_chart_get_type ())

G_DECLARE_FINAL_TYPE (KehuFunnelChart, kehu_funnel_chart, KEHU, FUNNEL_CHART, KehuChart)

GtkWidget *kehu_funnel_chart_new    (void);
void       kehu_funnel_chart_layout (const KehuChartData   *data,
                                     const graphene_rect_t *area,
                                     GArray                *shapes);

G_END_DECLS
