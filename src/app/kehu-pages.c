/* kehu-pages.c: the modules of the sidebar, in the order of SPEC.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kehu-application.h"
#include "kehu-pages.h"
#include "kehu-record-list-view.h"

/* A schema-driven list; the empty state when the store is not open. */
static GtkWidget *
create_record_list (const KehuPageInfo *info)
{
  GApplication *app = g_application_get_default ();
  KehuContext *context = KEHU_IS_APPLICATION (app)
                         ? kehu_application_get_context (KEHU_APPLICATION (app)) : NULL;

  if (context == NULL)
    return g_object_new (ADW_TYPE_STATUS_PAGE,
                         "icon-name", info->icon_name,
                         "title", _(info->empty_title),
                         "description", _(info->empty_description),
                         NULL);
  return GTK_WIDGET (kehu_record_list_view_new (context, info->id));
}

static const KehuPageInfo pages[] = {
  { "dashboard", N_("Dashboard"), "view-grid-symbolic", 0,
    N_("Nothing to Show Yet"),
    N_("The sales brief, targets, funnel and trend of your team appear here once there are customers and contracts.") },
  { "leads", N_("Leads"), "contact-new-symbolic", 1,
    N_("No Leads"),
    N_("Leads are first contacts from events, calls and referrals. Add one, or import them from a spreadsheet."),
    create_record_list },
  { "customers", N_("Customers"), "system-users-symbolic", 1,
    N_("No Customers"),
    N_("Customers you own or work on with your team are listed here."),
    create_record_list },
  { "contacts", N_("Contacts"), "x-office-address-book-symbolic", 1,
    N_("No Contacts"),
    N_("The people you deal with at each customer are listed here."),
    create_record_list },
  { "pool", N_("Public Pool"), "emblem-shared-symbolic", 1,
    N_("The Public Pool Is Empty"),
    N_("Customers without an owner wait here until someone claims them or a manager assigns them."),
    create_record_list },
  { "opportunities", N_("Opportunities"), "starred-symbolic", 1,
    N_("No Opportunities"),
    N_("Track each purchase intention from first interest to a deal, stage by stage."),
    create_record_list },
  { "contracts", N_("Contracts"), "x-office-document-symbolic", 1,
    N_("No Contracts"),
    N_("Contracts signed with your customers, their approval status and amounts appear here."),
    create_record_list },
  { "payments", N_("Payments"), "kehu-payment-symbolic", 1,
    N_("No Payments"),
    N_("Payment plans and the money received against your contracts appear here."),
    create_record_list },
  { "tasks", N_("Tasks"), "checkbox-checked-symbolic", 2,
    N_("No Tasks"),
    N_("Your tasks and schedules, grouped as inbox, today, next and later.") },
  { "approvals", N_("Approvals"), "emblem-default-symbolic", 2,
    N_("Nothing Waiting for You"),
    N_("Contracts, payments and invoices that wait for your approval appear here.") },
  { "reports", N_("Reports"), "x-office-spreadsheet-symbolic", 3,
    N_("No Data to Report"),
    N_("Sales summaries, customer analysis, forecasts and targets are computed from your records.") },
  { "settings", N_("Settings"), "emblem-system-symbolic", 3,
    N_("Settings"),
    N_("Departments, users, roles, stages, pools, custom fields and the recycle bin are managed here.") },
};

GtkWidget *
kehu_pages_create (const KehuPageInfo *info)
{
  if (info->create != NULL)
    return info->create (info);

  return g_object_new (ADW_TYPE_STATUS_PAGE,
                       "icon-name", info->icon_name,
                       "title", _(info->empty_title),
                       "description", _(info->empty_description),
                       NULL);
}

const KehuPageInfo *
kehu_pages_get (guint *n_pages)
{
  *n_pages = G_N_ELEMENTS (pages);
  return pages;
}

const KehuPageInfo *
kehu_pages_lookup (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (g_strcmp0 (pages[i].id, id) == 0)
      return &pages[i];

  return NULL;
}
