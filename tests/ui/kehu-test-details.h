/* kehu-test-details.h: a small company in a fresh store, for the detail,
 * tasks and settings tests
 *
 * Written with plain SQL so that the tests do not depend on the code they
 * check. Times are relative to the real clock, in UTC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kehu-application.h"
#include "kehu-core.h"
#include "kehu-test-ui.h"
#include "kehu-window.h"

#define T_USER_ME      "10000000-0000-4000-8000-000000000001"
#define T_USER_OTHER   "10000000-0000-4000-8000-000000000002"
#define T_CUSTOMER     "20000000-0000-4000-8000-000000000001"
#define T_CONTACT      "20000000-0000-4000-8000-000000000002"
#define T_OPPORTUNITY  "20000000-0000-4000-8000-000000000003"
#define T_CONTRACT     "20000000-0000-4000-8000-000000000004"
#define T_PLAN         "20000000-0000-4000-8000-000000000005"
#define T_PAYMENT      "20000000-0000-4000-8000-000000000006"
#define T_LEAD         "20000000-0000-4000-8000-000000000007"

static inline gboolean
kehu_test_is_zh (void)
{
  return g_str_equal (kehu_test_ui_lang (), "zh_CN");
}

/* Gives the process a data folder of its own, so every test binary starts
 * with a fresh store. Call before anything reads g_get_user_data_dir(). */
static inline void
kehu_test_private_data_dir (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kehu-ui-XXXXXX", NULL);

  g_assert_nonnull (dir);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
}

static inline char *
kehu_test_time_ago (GTimeSpan span)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add (now, -span);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

static inline void
kehu_test_exec (KehuStore  *store,
                const char *sql)
{
  g_autoptr(GError) error = NULL;

  kehu_store_exec (store, sql, &error);
  g_assert_no_error (error);
}

static inline void
kehu_test_fill_store (KehuStore *store)
{
  g_autofree char *t10 = kehu_test_time_ago (10 * G_TIME_SPAN_DAY);
  /* Entered the current stage 5 days and 3 hours ago: 5 dwell days. */
  g_autofree char *t5 = kehu_test_time_ago (5 * G_TIME_SPAN_DAY + 3 * G_TIME_SPAN_HOUR);
  g_autofree char *sql = NULL;
  const gboolean zh = kehu_test_is_zh ();

  sql = g_strdup_printf (
    "INSERT INTO users (id, created_at, updated_at, phone, name, department_id, is_super_admin) VALUES "
    " ('" T_USER_ME "', '%1$s', '%1$s', '13800000001', '%2$s', '00000000-0000-4000-8000-000000000001', 1),"
    " ('" T_USER_OTHER "', '%1$s', '%1$s', '13800000002', '%3$s', '00000000-0000-4000-8000-000000000001', 0);"
    "INSERT INTO user_roles VALUES ('" T_USER_OTHER "', '00000000-0000-4000-8000-000000000103');"
    "INSERT INTO customers (id, created_at, updated_at, owner_id, name, number, level, industry, phone, "
    "  contract_total, plan_total, received_total, invoiced_total, owned_since) VALUES "
    " ('" T_CUSTOMER "', '%1$s', '%1$s', '" T_USER_ME "', '%4$s', 'KH-0001', 'vip', 'education', '010-62751234',"
    "  12800050, 8000000, 5000000, 3000000, '%1$s');"
    "INSERT INTO contacts (id, created_at, updated_at, owner_id, customer_id, name, post, mobile, is_primary) VALUES "
    " ('" T_CONTACT "', '%1$s', '%1$s', '" T_USER_ME "', '" T_CUSTOMER "', '%5$s', '%6$s', '13911112222', 1);"
    "INSERT INTO opportunities (id, created_at, updated_at, owner_id, name, customer_id, stage_group_id, "
    "  stage_id, amount, expected_close_date, stage_changed_at) VALUES "
    " ('" T_OPPORTUNITY "', '%1$s', '%1$s', '" T_USER_ME "', '%7$s', '" T_CUSTOMER "',"
    "  '00000000-0000-4000-8000-000000000301', '00000000-0000-4000-8000-000000000311', 50000000, '2027-03-31', '%8$s');"
    "INSERT INTO contracts (id, created_at, updated_at, owner_id, number, name, customer_id, opportunity_id, "
    "  amount, signed_date, approval_status, received_total, outstanding, invoiced_total, plan_total) VALUES "
    " ('" T_CONTRACT "', '%1$s', '%1$s', '" T_USER_ME "', 'HT-2026-001', '%9$s', '" T_CUSTOMER "', '" T_OPPORTUNITY "',"
    "  12800050, '2026-10-08', 'approved', 5000000, 7800050, 3000000, 8000000);"
    "INSERT INTO payment_plans (id, created_at, updated_at, owner_id, contract_id, customer_id, instalment, "
    "  planned_amount, planned_date, received_amount, status) VALUES "
    " ('" T_PLAN "', '%1$s', '%1$s', '" T_USER_ME "', '" T_CONTRACT "', '" T_CUSTOMER "', 1, 8000000, '2026-12-01', 5000000, 'partial');"
    "INSERT INTO payments (id, created_at, updated_at, owner_id, number, contract_id, customer_id, plan_id, "
    "  amount, paid_date, method, approval_status) VALUES "
    " ('" T_PAYMENT "', '%1$s', '%1$s', '" T_USER_ME "', 'HK-2026-001', '" T_CONTRACT "', '" T_CUSTOMER "', '" T_PLAN "',"
    "  5000000, '2026-10-20', 'bank_transfer', 'approved');"
    "INSERT INTO leads (id, created_at, updated_at, owner_id, name, contact_name, mobile, source, status) VALUES "
    " ('" T_LEAD "', '%1$s', '%1$s', '" T_USER_ME "', '%10$s', '%11$s', '13733334444', 'exhibition', 'new');",
    t10,
    zh ? "张伟" : "Zhang Wei",
    zh ? "李娜" : "Li Na",
    zh ? "北京大学" : "Peking University",
    zh ? "王芳" : "Wang Fang",
    zh ? "采购部经理" : "Purchasing manager",
    zh ? "实验室设备采购" : "Laboratory equipment",
    t5,
    zh ? "实验室设备采购合同" : "Laboratory equipment contract",
    zh ? "清华科技园" : "Tsinghua Science Park",
    zh ? "赵强" : "Zhao Qiang");

  kehu_test_exec (store, sql);
}

static inline JsonObject *
kehu_test_row (KehuStore  *store,
               const char *sql,
               const char *param)
{
  g_autoptr(GError) error = NULL;
  JsonObject *row = kehu_admin_query_one (store, &error, sql, param, NULL);

  g_assert_no_error (error);
  return row;
}

static inline KehuWindow *
kehu_test_window (KehuApplication *app,
                  int              width,
                  int              height)
{
  KehuWindow *window = kehu_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  kehu_test_ui_settle (300);

  return window;
}

static inline GtkWidget *
kehu_test_find_named (GtkWidget  *root,
                      const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = kehu_test_find_named (c, name);
      if (found)
        return found;
    }
  return NULL;
}

/* Whether a mapped label under @root shows exactly @text. */
static inline gboolean
kehu_test_has_label (GtkWidget  *root,
                     const char *text)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    if (kehu_test_has_label (c, text))
      return TRUE;
  return FALSE;
}
