/* kehu-demo.h: a realistic, deterministic demo company, in any size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kehu-store.h"

G_BEGIN_DECLS

/* The demo's super administrator (phone 13800000000). */
#define KEHU_DEMO_ADMIN_ID    "20000000-0000-4000-8000-000000000001"
#define KEHU_DEMO_ADMIN_PHONE "13800000000"

/* Returns the password hash to store for a demo user (the server's Argon2id
 * of "kehu-demo"), or NULL to leave password_hash NULL. */
typedef char *(*KehuDemoPasswordFunc) (const char *user_id,
                                       const char *phone,
                                       gpointer    user_data);

typedef struct
{
  guint32               seed;
  GDateTime            *now;              /* NULL: the clock */
  guint                 n_customers;
  guint                 n_leads;
  guint                 n_contacts;
  guint                 n_opportunities;
  guint                 n_contracts;
  guint                 n_followups;
  guint                 n_products;
  guint                 pool_percent;     /* customers without owner, in the default pool */
  KehuDemoPasswordFunc  password_func;
  gpointer              password_data;
} KehuDemoOptions;

typedef struct
{
  guint n_users;
  guint n_departments;
  guint n_customers;
  guint n_leads;
  guint n_contacts;
  guint n_opportunities;
  guint n_contracts;
  guint n_payment_plans;
  guint n_payments;
  guint n_invoices;
  guint n_followups;
  guint n_tasks;
} KehuDemoStats;

void      kehu_demo_options_init_demo  (KehuDemoOptions        *options);
void      kehu_demo_options_init_m     (KehuDemoOptions        *options);
gboolean  kehu_demo_generate           (KehuStore              *store,
                                        const KehuDemoOptions  *options,
                                        KehuDemoStats          *stats,
                                        GError                **error);

G_END_DECLS
