/* kehu-dashboard-view.h: the dashboard page (仪表盘)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kehu-chart.h"
#include "kehu-dashboard-data.h"
#include "kehu-pages.h"
#include "kehu-report.h"
#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TYPE_DASHBOARD_VIEW (kehu_dashboard_view_get_type ())

G_DECLARE_FINAL_TYPE (KehuDashboardView, kehu_dashboard_view, KEHU, DASHBOARD_VIEW, GtkWidget)

GtkWidget               *kehu_dashboard_view_new             (KehuStore          *store);
/* The page factory of kehu-pages.c: the application's store. */
GtkWidget               *kehu_dashboard_view_create          (const KehuPageInfo *info);

KehuStore               *kehu_dashboard_view_get_store       (KehuDashboardView  *self);
void                     kehu_dashboard_view_set_store       (KehuDashboardView  *self,
                                                              KehuStore          *store);
/* The signed-in user (approvals waiting); NULL in local mode. */
void                     kehu_dashboard_view_set_user_id     (KehuDashboardView  *self,
                                                              const char         *user_id);
/* Fixes the clock for tests; NULL = the real time. */
void                     kehu_dashboard_view_set_now         (KehuDashboardView  *self,
                                                              GDateTime          *now);
void                     kehu_dashboard_view_set_period      (KehuDashboardView  *self,
                                                              KehuPeriodPreset    preset);
void                     kehu_dashboard_view_set_custom_range (KehuDashboardView *self,
                                                              const char         *first_date,
                                                              const char         *last_date);
/* Whose figures: a person, a department (with sub-departments), or with
 * both NULL everyone. */
void                     kehu_dashboard_view_set_owner       (KehuDashboardView  *self,
                                                              const char         *user_id,
                                                              const char         *department_id);
void                     kehu_dashboard_view_refresh         (KehuDashboardView  *self);
gboolean                 kehu_dashboard_view_is_busy         (KehuDashboardView  *self);

/* What is shown, for tests and the PDF: NULL before the first result. */
const KehuDashboardData *kehu_dashboard_view_get_data        (KehuDashboardView  *self);
const char              *kehu_dashboard_view_get_tile_text   (KehuDashboardView  *self,
                                                              const char         *figure);
const char              *kehu_dashboard_view_get_tile_exact  (KehuDashboardView  *self,
                                                              const char         *figure);
KehuChart               *kehu_dashboard_view_get_chart       (KehuDashboardView  *self,
                                                              const char         *name);

gboolean                 kehu_dashboard_view_export_pdf      (KehuDashboardView  *self,
                                                              const char         *path,
                                                              GError            **error);

G_END_DECLS
