/* kehu-gauge-chart.h: completion of a target, which may pass 100%
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-chart.h"

G_BEGIN_DECLS

/* The arc: 240° clockwise from the lower left (150°, Cairo's angles). */
#define KEHU_GAUGE_START_ANGLE (150.0 * G_PI / 180.0)
#define KEHU_GAUGE_SWEEP       (240.0 * G_PI / 180.0)

#define KEHU_TYPE_GAUGE_CHART (kehu_gauge_chart_get_type ())

G_DECLARE_FINAL_TYPE (KehuGaugeChart, kehu_gauge_chart, KEHU, GAUGE_CHART, KehuChart)

GtkWidget *kehu_gauge_chart_new     (void);
gint64     kehu_gauge_chart_percent (gint64                 value,
                                     gint64                 target);
gint64     kehu_gauge_chart_range   (gint64                 percent);
void       kehu_gauge_chart_layout  (gint64                 value,
                                     gint64                 target,
                                     const graphene_rect_t *area,
                                     GArray                *shapes);

G_END_DECLS
