/* kehu-test-fixtures.h: stores for the dashboard and report tests
 *
 * A small company whose figures are worked out by hand in the tests, and a
 * richer one (made with recursive SQL) for screenshots. The clock is
 * 2026-03-18 12:00 in Asia/Shanghai (a Wednesday).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>

#include "kehu-store.h"

G_BEGIN_DECLS

#define KEHU_TEST_NOW "2026-03-18T04:00:00Z"

typedef struct
{
  char      *dir;
  char      *path;
  KehuStore *store;
} KehuTestStore;

static inline KehuTestStore *
kehu_test_store_new (void)
{
  g_autoptr(GError) error = NULL;
  KehuTestStore *s = g_new0 (KehuTestStore, 1);

  s->dir = g_dir_make_tmp ("kehu-test-views-XXXXXX", &error);
  g_assert_no_error (error);
  s->path = g_build_filename (s->dir, "kehu.db", NULL);
  s->store = kehu_store_open (s->path, &error);
  g_assert_no_error (error);
  return s;
}

static inline void
kehu_test_store_free (KehuTestStore *s)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&s->store);
  dir = g_dir_open (s->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (s->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (s->dir);
  g_free (s->path);
  g_free (s->dir);
  g_free (s);
}

static inline void
kehu_test_store_exec (KehuTestStore *s,
                      const char    *sql)
{
  g_autoptr(GError) error = NULL;

  kehu_store_exec (s->store, sql, &error);
  g_assert_no_error (error);
}

#define KT "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'"

/* The small company. In March 2026 (Shanghai): contracts c1 ¥100,000.00
 * (张三) and c2 ¥23,400.00 (李四) approved, c4 pending; c3 ¥50,000.00 (王五)
 * in January. Payment p1 ¥30,000.00 on March 5. New customers k1 (March 3)
 * and k3 (today), k2 in February. Open opportunities: o1 in 验证客户, o2
 * and o3 in 需求分析, o4 in 方案报价. Company contract target for March
 * ¥200,000.00. */
static inline void
kehu_test_store_populate_small (KehuTestStore *s)
{
  kehu_test_store_exec (s,
    "INSERT INTO departments (id, created_at, updated_at, name, parent_id, position) VALUES"
    " ('D1', " KT ", '销售部', NULL, 1), ('D2', " KT ", '华北区', 'D1', 1), ('D3', " KT ", '市场部', NULL, 2);"
    "INSERT INTO users (id, created_at, updated_at, phone, name, department_id) VALUES"
    " ('u1', " KT ", '1', '张三', 'D1'), ('u2', " KT ", '2', '李四', 'D2'), ('u3', " KT ", '3', '王五', 'D3');"
    "INSERT INTO customers (id, created_at, updated_at, owner_id, name, source, industry, region, level) VALUES"
    " ('k1', '2026-03-03T02:00:00Z', '2026-03-03T02:00:00Z', 'u1', '甲公司', 'exhibition', 'IT', '北京', 'vip'),"
    " ('k2', '2026-02-01T02:00:00Z', '2026-02-01T02:00:00Z', 'u2', '乙公司', 'exhibition', 'finance', '上海', 'normal'),"
    " ('k3', '2026-03-18T01:00:00Z', '2026-03-18T01:00:00Z', 'u3', '丙公司', 'web', 'IT', '北京', 'normal');"
    "INSERT INTO stage_groups (id, created_at, updated_at, name, is_default) VALUES ('G', " KT ", '默认', 1);"
    "INSERT INTO stages (id, group_id, name, win_rate, position, kind) VALUES"
    " ('s1', 'G', '验证客户', 10, 1, 'open'), ('s2', 'G', '需求分析', 30, 2, 'open'),"
    " ('s3', 'G', '方案报价', 60, 3, 'open'), ('sw', 'G', '赢单', 100, 4, 'won');"
    "INSERT INTO opportunities (id, created_at, updated_at, owner_id, name, customer_id, stage_group_id, stage_id,"
    "                           status, amount, expected_close_date) VALUES"
    " ('o1', '2026-03-01T00:00:00Z', " "'2026-03-01T00:00:00Z', 'u1', '甲公司扩容', 'k1', 'G', 's1', 'open', 1000000, '2026-04-10'),"
    " ('o2', '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z', 'u1', '甲公司二期', 'k1', 'G', 's2', 'open', 500000, '2026-04-20'),"
    " ('o3', '2026-02-02T00:00:00Z', '2026-02-02T00:00:00Z', 'u2', '乙公司系统', 'k2', 'G', 's2', 'open', 250000, '2026-05-01'),"
    " ('o4', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z', 'u3', '丙公司咨询', 'k3', 'G', 's3', 'open', 2000000, '2026-04-01'),"
    " ('o5', '2026-01-06T00:00:00Z', '2026-01-06T00:00:00Z', 'u1', '已赢单', 'k1', 'G', 'sw', 'won', 900000, NULL);"
    "INSERT INTO contracts (id, created_at, updated_at, owner_id, number, name, customer_id, amount,"
    "                       signed_date, start_date, end_date, approval_status, received_total) VALUES"
    " ('c1', " KT ", 'u1', 'HT-001', '甲公司年度合同', 'k1', 10000000, '2026-03-02', '2026-03-02', '2026-04-10', 'approved', 3000000),"
    " ('c2', " KT ", 'u2', 'HT-002', '乙公司系统合同', 'k2', 2340000, '2026-03-10', '2026-03-10', '2027-03-09', 'approved', 0),"
    " ('c3', " KT ", 'u3', 'HT-003', '丙公司咨询合同', 'k3', 5000000, '2026-01-20', '2026-01-20', '2026-12-31', 'approved', 0),"
    " ('c4', " KT ", 'u1', 'HT-004', '待审合同', 'k1', 9999900, '2026-03-12', NULL, NULL, 'pending', 0);"
    "INSERT INTO payments (id, created_at, updated_at, owner_id, number, contract_id, customer_id, amount,"
    "                      paid_date, method, approval_status) VALUES"
    " ('p1', " KT ", 'u1', 'HK-001', 'c1', 'k1', 3000000, '2026-03-05', 'bank', 'approved');"
    "INSERT INTO followups (id, created_at, updated_at, owner_id, target_module, target_id, customer_id,"
    "                       method, content, followed_at) VALUES"
    " ('f1', " KT ", 'u1', 'customers', 'k1', 'k1', 'phone', '电话沟通报价', '2026-03-18T02:00:00Z'),"
    " ('f2', " KT ", 'u2', 'customers', 'k2', 'k2', 'visit', '上门拜访', '2026-03-01T02:00:00Z');"
    "INSERT INTO tasks (id, created_at, updated_at, owner_id, name, due_at, status) VALUES"
    " ('t1', " KT ", 'u1', '准备报价单', '2026-03-17T02:00:00Z', 'todo'),"
    " ('t2', " KT ", 'u1', '已完成任务', '2026-03-17T02:00:00Z', 'done');"
    "INSERT INTO payment_plans (id, created_at, updated_at, owner_id, contract_id, customer_id, instalment,"
    "                           planned_amount, planned_date, status) VALUES"
    " ('pl1', " KT ", 'u1', 'c1', 'k1', 2, 2000000, '2026-04-01', 'pending');"
    "INSERT INTO approval_instances (id, created_at, updated_at, flow_id, flow_definition, business_type,"
    "                                module, record_id, title, submitter_id, status, state, submitted_at) VALUES"
    " ('ai1', " KT ", 'fl', '{}', 'contract', 'contracts', 'c4', '待审合同', 'u2', 'pending', '{}', '2026-03-12T00:00:00Z');"
    "INSERT INTO approval_waiting (instance_id, user_id) VALUES ('ai1', 'u1');"
    "INSERT INTO sales_targets (id, created_at, updated_at, scope, scope_id, year, month, metric, value) VALUES"
    " ('tg1', " KT ", 'company', '', 2026, 3, 'contract_amount', 20000000);");
}

/* A livelier company for screenshots: a few hundred records spread over
 * the past months, from recursive SQL. */
static inline void
kehu_test_store_populate_rich (KehuTestStore *s)
{
  kehu_test_store_exec (s,
    "INSERT INTO departments (id, created_at, updated_at, name, parent_id, position) VALUES"
    " ('D1', " KT ", '销售一部', NULL, 1), ('D2', " KT ", '华北区', 'D1', 1), ('D3', " KT ", '华南区', 'D1', 2),"
    " ('D4', " KT ", '销售二部', NULL, 2);"
    "INSERT INTO users (id, created_at, updated_at, phone, name, department_id) VALUES"
    " ('u1', " KT ", '1', '张三', 'D1'), ('u2', " KT ", '2', '李四', 'D2'), ('u3', " KT ", '3', '王五', 'D3'),"
    " ('u4', " KT ", '4', '赵六', 'D4'), ('u5', " KT ", '5', '钱七', 'D2'), ('u6', " KT ", '6', '孙八', 'D4');"
    "INSERT INTO stage_groups (id, created_at, updated_at, name, is_default) VALUES ('G', " KT ", '默认', 1);"
    "INSERT INTO stages (id, group_id, name, win_rate, position, kind) VALUES"
    " ('s1', 'G', '验证客户', 10, 1, 'open'), ('s2', 'G', '需求分析', 30, 2, 'open'),"
    " ('s3', 'G', '方案报价', 60, 3, 'open'), ('s4', 'G', '谈判审核', 80, 4, 'open'),"
    " ('sw', 'G', '赢单', 100, 5, 'won'), ('sl', 'G', '输单', 0, 6, 'lost');"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
    " INSERT INTO customers (id, created_at, updated_at, owner_id, name, source, industry, region, level)"
    " SELECT 'k' || i, strftime ('%Y-%m-%dT%H:%M:%SZ', '2025-10-01', '+' || (i * 17 % 168) || ' days'),"
    "        '2026-01-01T00:00:00Z', 'u' || (1 + i % 6), '客户' || printf ('%03d', i) || '有限公司',"
    "        CASE i % 4 WHEN 0 THEN '展会' WHEN 1 THEN '网络推广' WHEN 2 THEN '转介绍' ELSE '电话营销' END,"
    "        CASE i % 5 WHEN 0 THEN '制造业' WHEN 1 THEN '金融' WHEN 2 THEN '教育' WHEN 3 THEN '医疗' ELSE '零售' END,"
    "        CASE i % 3 WHEN 0 THEN '北京' WHEN 1 THEN '上海' ELSE '广州' END,"
    "        CASE i % 3 WHEN 0 THEN '重点客户' WHEN 1 THEN '普通客户' ELSE '潜在客户' END FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
    " INSERT INTO opportunities (id, created_at, updated_at, owner_id, name, customer_id, stage_group_id, stage_id,"
    "                            status, amount, expected_close_date)"
    " SELECT 'o' || i, strftime ('%Y-%m-%dT%H:%M:%SZ', '2025-11-01', '+' || (i * 7 % 137) || ' days'), '2026-01-01T00:00:00Z',"
    "        'u' || (1 + i % 6), '商机' || i, 'k' || (1 + i % 300), 'G',"
    "        CASE WHEN i % 10 < 4 THEN 's1' WHEN i % 10 < 7 THEN 's2' WHEN i % 10 < 9 THEN 's3' ELSE 's4' END,"
    "        'open', 1000000 + (i * 7919 % 90) * 100000, date ('2026-03-01', '+' || (i % 300) || ' days') FROM n;"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 160)"
    " INSERT INTO contracts (id, created_at, updated_at, owner_id, number, name, customer_id, amount,"
    "                        signed_date, start_date, end_date, approval_status)"
    " SELECT 'c' || i, " KT ", 'u' || (1 + i % 6), 'HT-' || printf ('%04d', i), '合同' || i, 'k' || (1 + i * 13 % 300),"
    "        2000000 + (i * 104729 % 60) * 500000, date ('2025-10-01', '+' || (i * 11 % 168) || ' days'),"
    "        date ('2025-10-01', '+' || (i * 11 % 168) || ' days'), date ('2026-03-20', '+' || (i % 90) || ' days'),"
    "        'approved' FROM n;"
    "INSERT INTO payments (id, created_at, updated_at, owner_id, number, contract_id, customer_id, amount,"
    "                      paid_date, method, approval_status)"
    " SELECT 'p' || substr (id, 2), created_at, updated_at, owner_id, 'HK-' || substr (number, 4), id, customer_id,"
    "        amount * 6 / 10, date (signed_date, '+20 days'), 'bank', 'approved' FROM contracts"
    " WHERE date (signed_date, '+20 days') <= '2026-03-18';"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700)"
    " INSERT INTO followups (id, created_at, updated_at, owner_id, target_module, target_id, customer_id,"
    "                        method, content, followed_at)"
    " SELECT 'f' || i, " KT ", 'u' || (1 + i % 6), 'customers', 'k' || (1 + i % 300), 'k' || (1 + i % 300),"
    "        CASE i % 4 WHEN 0 THEN 'phone' WHEN 1 THEN 'visit' WHEN 2 THEN 'wechat' ELSE 'email' END,"
    "        '沟通需求与报价', strftime ('%Y-%m-%dT%H:%M:%SZ', '2025-12-01', '+' || (i * 3 % 107) || ' days') FROM n;"
    "INSERT INTO contacts (id, created_at, updated_at, owner_id, customer_id, name, post)"
    " SELECT 'ct' || substr (id, 2), created_at, updated_at, owner_id, id, '联系人' || substr (id, 2), '采购经理'"
    " FROM customers;"
    "UPDATE customers SET next_contact_at = '2026-03-18T06:00:00Z' WHERE id IN ('k3', 'k7', 'k11');"
    "INSERT INTO tasks (id, created_at, updated_at, owner_id, name, due_at, status) VALUES"
    " ('t1', " KT ", 'u1', '准备客户001的报价单', '2026-03-17T02:00:00Z', 'todo'),"
    " ('t2', " KT ", 'u1', '回访客户007', '2026-03-18T08:00:00Z', 'todo'),"
    " ('t3', " KT ", 'u2', '整理季度销售数据', '2026-03-18T09:00:00Z', 'todo');"
    "INSERT INTO payment_plans (id, created_at, updated_at, owner_id, contract_id, customer_id, instalment,"
    "                           planned_amount, planned_date, status)"
    " SELECT 'pl' || substr (id, 2), " KT ", owner_id, id, customer_id, 2, amount * 4 / 10,"
    "        date ('2026-03-10', '+' || (CAST (substr (id, 2) AS INTEGER) % 40) || ' days'), 'pending'"
    " FROM contracts WHERE CAST (substr (id, 2) AS INTEGER) % 9 = 0;"
    "INSERT INTO approval_instances (id, created_at, updated_at, flow_id, flow_definition, business_type,"
    "                                module, record_id, title, submitter_id, status, state, submitted_at) VALUES"
    " ('ai1', " KT ", 'fl', '{}', 'contract', 'contracts', 'c5', '合同5 审批', 'u2', 'pending', '{}', '2026-03-12T00:00:00Z'),"
    " ('ai2', " KT ", 'fl', '{}', 'payment', 'payments', 'p5', '回款 HK-0005 审批', 'u3', 'pending', '{}', '2026-03-13T00:00:00Z');"
    "INSERT INTO approval_waiting (instance_id, user_id) VALUES ('ai1', 'u1'), ('ai2', 'u1');"
    "WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 12)"
    " INSERT INTO sales_targets (id, created_at, updated_at, scope, scope_id, year, month, metric, value)"
    " SELECT 'tc' || i, " KT ", 'company', '', 2026, i, 'contract_amount', 250000000 + i * 5000000 FROM m"
    " UNION ALL SELECT 'tp' || i, " KT ", 'company', '', 2026, i, 'payment_amount', 180000000 FROM m"
    " UNION ALL SELECT 'tn' || i, " KT ", 'company', '', 2026, i, 'new_customers', 60 FROM m;");
}

G_END_DECLS
