/* kehu-donut-chart.h: shares of a whole, as a donut or a pie
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-chart.h"

G_BEGIN_DECLS

#define KEHU_TYPE_DONUT_CHART (kehu_donut_chart_get_type ())

G_DECLARE_FINAL_TYPE (KehuDonutChart, kehu_donut_chart, KEHU, DONUT_CHART, KehuChart)

GtkWidget *kehu_donut_chart_new      (void);
double     kehu_donut_chart_get_hole (KehuDonutChart        *self);
void       kehu_donut_chart_set_hole (KehuDonutChart        *self,
                                      double                 hole);
void       kehu_donut_chart_layout   (const KehuChartData   *data,
                                      const graphene_rect_t *area,
                                      double                 hole,
                                      GArray                *shapes);

G_END_DECLS
