/* kehu-demo.c: a realistic, deterministic demo company, in any size
 *
 * Writes a Chinese company into a store: a three-level department tree
 * (办公室 → 销售部/市场部/客服部 → 华北/华东/华南销售组), 20 users with roles
 * and supervisors, products, customers (some in the public pool), leads,
 * contacts, opportunities in every stage, contracts with payment plans,
 * payments and invoices, follow-ups over the last twelve months, tasks,
 * schedules and sales targets. The same seed and "now" give the same data.
 *
 * Speed: one transaction, prepared statements, and no record API: bulk rows
 * bypass validation and the operation log (there is no history to show for
 * generated data). Consistency is kept anyway: every derived value (contract
 * and customer totals, plan received amounts, deal status, last follow-up
 * times) is computed at the end by set-based SQL with the same definitions
 * as kehu-rules.c, so the result is what the record API would have produced.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-demo"

#include "config.h"

#include <string.h>
#include <time.h>

#include "kehu-demo.h"
#include "kehu-rules.h"
#include "kehu-schema.h"

static const char *cities[] = {
  "北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州", "天津", "重庆", "长沙", "郑州",
  "青岛", "厦门", "宁波", "合肥", "福州", "济南", "大连", "沈阳", "昆明", "无锡", "东莞", "佛山", "哈尔滨", "长春",
  "石家庄", "南昌",
};
static const char *words[] = {
  "华信", "中瑞", "天成", "博远", "鼎盛", "恒通", "瑞达", "新锐", "联创", "金石", "宏图", "远航", "启明", "星河",
  "云帆", "海纳", "万象", "嘉禾", "德润", "安泰", "卓越", "易达", "智联", "和信", "九州", "长青", "锦程", "东方",
  "盛世", "永业", "汇通", "同创", "蓝海", "佳和", "凯旋", "明德", "睿思", "众合", "百川", "景程",
};
static const char *trades[] = {
  "科技", "信息技术", "电子", "软件", "网络", "贸易", "机械", "制造", "医药", "教育科技", "文化传媒", "物流",
  "建设工程", "环保科技", "新能源", "食品", "咨询", "实业",
};
static const char *institutions[] = { "大学", "理工大学", "师范大学", "第一中学", "人民医院", "中心医院" };
static const char *surnames[] = {
  "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
  "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
};
static const char *given[] = {
  "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
  "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "丽华", "海燕", "文博", "子涵", "浩然",
};
static const char *posts[] = {
  "总经理", "采购经理", "技术总监", "财务经理", "IT主管", "行政主管", "销售总监", "项目经理", "工程师", "董事长",
};
static const char *regions[] = { "华北", "华东", "华南", "华中", "西南", "西北", "东北" };
static const char *levels[] = { "potential", "potential", "normal", "normal", "normal", "vip" };
static const char *customer_types[] = { "enterprise", "enterprise", "enterprise", "government", "education", "individual", "other" };
static const char *sources[] = { "telemarketing", "website", "referral", "exhibition", "advertising", "other" };
static const char *industries[] = { "it", "manufacturing", "finance", "education", "healthcare", "retail", "real_estate", "government", "other" };
static const char *methods[] = { "phone", "phone", "phone", "wechat", "wechat", "visit", "email", "sms", "meeting" };
static const char *pay_methods[] = { "bank_transfer", "bank_transfer", "bank_transfer", "alipay", "wechat_pay", "cheque", "cash" };
static const char *lost_reasons[] = { "price", "competitor", "budget", "need_changed", "no_response", "other" };
static const char *contents[] = {
  "电话沟通了项目进展，客户反馈良好", "上门拜访，演示了产品的主要功能", "发送了报价单，等待客户回复",
  "客户对价格有异议，需要再次沟通", "微信确认了下周的会议时间", "参加客户内部评审会议，介绍了实施方案",
  "客户要求提供成功案例和资质文件", "催收第二期回款，客户答应本月底支付", "客户更换了对接人，重新建立联系",
  "邀请客户参加产品发布会", "与技术负责人讨论了系统对接细节", "客户暂无采购计划，三个月后再跟进",
};
static const struct { const char *name; const char *unit; gint64 price; } products[] = {
  { "客户关系管理系统 标准版", "套", 1980000 }, { "客户关系管理系统 企业版", "套", 5980000 },
  { "移动销售助手", "用户/年", 60000 }, { "数据分析模块", "套", 1200000 }, { "实施服务", "人天", 150000 },
  { "培训服务", "人天", 120000 }, { "年度维护服务", "年", 800000 }, { "服务器", "台", 3500000 },
  { "存储扩容包", "TB", 200000 }, { "短信服务包", "万条", 50000 },
};
static const char *categories[] = { "软件", "服务", "硬件", "增值服务" };

/* The company: departments and users with fixed ids. */
static const struct { const char *id; const char *name; const char *parent; } departments[] = {
  { "20000000-0000-4000-8000-000000001001", "销售部", KEHU_ID_TOP_DEPARTMENT },
  { "20000000-0000-4000-8000-000000001002", "市场部", KEHU_ID_TOP_DEPARTMENT },
  { "20000000-0000-4000-8000-000000001003", "客服部", KEHU_ID_TOP_DEPARTMENT },
  { "20000000-0000-4000-8000-000000001011", "华北销售组", "20000000-0000-4000-8000-000000001001" },
  { "20000000-0000-4000-8000-000000001012", "华东销售组", "20000000-0000-4000-8000-000000001001" },
  { "20000000-0000-4000-8000-000000001013", "华南销售组", "20000000-0000-4000-8000-000000001001" },
};

typedef struct
{
  const char *name;
  const char *gender;
  int         department;   /* -1: the top department */
  int         supervisor;   /* user index, -1: none */
  const char *role;
  const char *post;
  gboolean    sells;        /* owns customers */
} DemoUser;

static const DemoUser users[] = {
  { "张建国", "male", -1, -1, KEHU_ID_ROLE_SUPER_ADMIN, "总经理", FALSE },
  { "李明", "male", 0, 0, KEHU_ID_ROLE_SALES_MANAGER, "销售总监", FALSE },
  { "王磊", "male", 3, 1, KEHU_ID_ROLE_SALES_MANAGER, "华北销售经理", TRUE },
  { "陈静", "female", 4, 1, KEHU_ID_ROLE_SALES_MANAGER, "华东销售经理", TRUE },
  { "刘洋", "male", 5, 1, KEHU_ID_ROLE_SALES_MANAGER, "华南销售经理", TRUE },
  { "赵敏", "female", 3, 2, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "孙强", "male", 3, 2, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "周芳", "female", 3, 2, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "吴杰", "male", 3, 2, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "郑丽", "female", 4, 3, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "黄涛", "male", 4, 3, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "林娜", "female", 4, 3, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "何勇", "male", 4, 3, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "高霞", "female", 5, 4, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "罗军", "male", 5, 4, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "梁艳", "female", 5, 4, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "谢超", "male", 5, 4, KEHU_ID_ROLE_SALES_REP, "销售代表", TRUE },
  { "宋海燕", "female", 1, 0, KEHU_ID_ROLE_SALES_MANAGER, "市场经理", FALSE },
  { "唐文博", "male", 2, 0, KEHU_ID_ROLE_SALES_REP, "客服专员", FALSE },
  { "许丽华", "female", -1, 0, KEHU_ID_ROLE_SALES_MANAGER, "财务主管", FALSE },
};

#define N_USERS G_N_ELEMENTS (users)

typedef struct
{
  sqlite3   *db;
  KehuStore *store;
  GRand     *rand;
  gint64     now;
  char       user_ids[N_USERS][40];
  guint      sellers[N_USERS];
  guint      n_sellers;
  guint32    sequence;
  GError    *error;
} Gen;

#define PICK(g, array) ((array)[g_rand_int_range ((g)->rand, 0, G_N_ELEMENTS (array))])
#define CHANCE(g, percent) ((guint) g_rand_int_range ((g)->rand, 0, 100) < (percent))
#define RANGE(g, lo, hi) ((gint64) g_rand_double_range ((g)->rand, (double) (lo), (double) (hi)))

static void
make_uuid (Gen  *g,
           char  out[40])
{
  /* The first eight digits count up: new rows land at the end of the id
   * b-trees instead of all over them, which makes bulk loading several
   * times faster. The rest is random, as in any version 4 UUID. */
  guint32 a = ++g->sequence, b = g_rand_int (g->rand), c = g_rand_int (g->rand), d = g_rand_int (g->rand);

  g_snprintf (out, 40, "%08x-%04x-4%03x-%04x-%04x%08x",
              a, b >> 16, b & 0xfff, 0x8000 | (c >> 18), c & 0xffff, d);
}

static void
format_time (gint64  t,
             char    out[24])
{
  time_t tt = (time_t) t;
  struct tm tm;

  gmtime_r (&tt, &tm);
  strftime (out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
format_date (gint64  t,
             char    out[12])
{
  time_t tt = (time_t) t;
  struct tm tm;

  gmtime_r (&tt, &tm);
  strftime (out, 12, "%Y-%m-%d", &tm);
}

/* A time in the last @days days (business hours in China, roughly). */
static gint64
recent (Gen  *g,
        gint64 days)
{
  gint64 day = g->now - RANGE (g, 0, days) * 86400;
  return MIN (day - day % 86400 + RANGE (g, 0, 10 * 3600), g->now);   /* 08:00–18:00 Beijing */
}

static sqlite3_stmt *
prepare (Gen        *g,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (g->error == NULL && sqlite3_prepare_v2 (g->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    kehu_store_set_error_from_db (g->store, sqlite3_errcode (g->db), &g->error);
  return stmt;
}

/* Binds by a type string ('t' text or NULL, 'i' gint64) and runs @stmt once. */
static void
put (Gen          *g,
     sqlite3_stmt *stmt,
     const char   *types,
     ...)
{
  va_list args;
  int rc;

  if (g->error != NULL || stmt == NULL)
    return;
  va_start (args, types);
  for (int i = 0; types[i]; i++)
    {
      if (types[i] == 'i')
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
      else
        {
          const char *s = va_arg (args, const char *);
          if (s)
            sqlite3_bind_text (stmt, i + 1, s, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, i + 1);
        }
    }
  va_end (args);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    kehu_store_set_error_from_db (g->store, rc, &g->error);
}

static void
exec (Gen        *g,
      const char *sql)
{
  if (g->error == NULL)
    kehu_store_exec (g->store, sql, &g->error);
}

static char *
company_name (Gen *g)
{
  if (CHANCE (g, 5))
    return g_strconcat (PICK (g, cities), PICK (g, institutions), NULL);
  return g_strconcat (PICK (g, cities), PICK (g, words), PICK (g, trades),
                      CHANCE (g, 70) ? "有限公司" : CHANCE (g, 70) ? "股份有限公司" : "集团有限公司", NULL);
}

static char *
person_name (Gen *g)
{
  return g_strconcat (PICK (g, surnames), PICK (g, given), NULL);
}

static char *
mobile (Gen *g)
{
  static const char *prefixes[] = { "13", "15", "17", "18", "19" };
  return g_strdup_printf ("%s%d%08d", PICK (g, prefixes), g_rand_int_range (g->rand, 0, 10),
                          g_rand_int_range (g->rand, 0, 100000000));
}

static char *
landline (Gen *g)
{
  static const char *codes[] = { "010", "021", "020", "0755", "0571", "025", "028", "027" };
  return g_strdup_printf ("%s-%08d", PICK (g, codes), g_rand_int_range (g->rand, 20000000, 90000000));
}

static guint
seller (Gen *g)
{
  return g->sellers[g_rand_int_range (g->rand, 0, g->n_sellers)];
}

void
kehu_demo_options_init_demo (KehuDemoOptions *o)
{
  memset (o, 0, sizeof *o);
  o->seed = 2026;
  o->n_customers = 2000;
  o->n_leads = 500;
  o->n_contacts = 4000;
  o->n_opportunities = 1500;
  o->n_contracts = 800;
  o->n_followups = 10000;
  o->n_products = G_N_ELEMENTS (products);
  o->pool_percent = 10;
}

/* DESIGN.md's M dataset for the benchmarks. */
void
kehu_demo_options_init_m (KehuDemoOptions *o)
{
  kehu_demo_options_init_demo (o);
  o->n_customers = 100000;
  o->n_leads = 20000;
  o->n_contacts = 300000;
  o->n_opportunities = 200000;
  o->n_contracts = 100000;
  o->n_followups = 1000000;
}

static void
gen_org (Gen                   *g,
         const KehuDemoOptions *o,
         KehuDemoStats         *stats)
{
  sqlite3_stmt *dept = prepare (g, "INSERT INTO departments (id, created_at, updated_at, name, parent_id, position)"
                                   " VALUES (?1, ?2, ?2, ?3, ?4, ?5)");
  sqlite3_stmt *user = prepare (g, "INSERT INTO users (id, created_at, updated_at, phone, name, gender, email,"
                                   " department_id, post, supervisor_id, is_super_admin, password_hash)"
                                   " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  sqlite3_stmt *role = prepare (g, "INSERT INTO user_roles (user_id, role_id) VALUES (?1, ?2)");
  char created[24];

  format_time (g->now - 400 * 86400, created);
  for (guint i = 0; i < G_N_ELEMENTS (departments); i++)
    put (g, dept, "tttti", departments[i].id, created, departments[i].name, departments[i].parent, (gint64) i);

  for (guint i = 0; i < N_USERS; i++)
    {
      const DemoUser *u = &users[i];
      g_autofree char *phone = g_strdup_printf ("138%08u", i);
      g_autofree char *email = g_strdup_printf ("user%02u@demo.kehu.org", i);
      g_autofree char *hash = NULL;

      g_snprintf (g->user_ids[i], 40, "20000000-0000-4000-8000-%012u", i + 1);
      if (o->password_func)
        hash = o->password_func (g->user_ids[i], phone, o->password_data);
      put (g, user, "ttttttttti", g->user_ids[i], created, phone, u->name, u->gender, email,
           u->department < 0 ? KEHU_ID_TOP_DEPARTMENT : departments[u->department].id, u->post,
           u->supervisor < 0 ? NULL : g->user_ids[u->supervisor], (gint64) (i == 0));
      /* put() binds in order; the hash is bound by a second statement. */
      if (hash)
        {
          sqlite3_stmt *set = prepare (g, "UPDATE users SET password_hash = ?2 WHERE id = ?1");
          put (g, set, "tt", g->user_ids[i], hash);
          sqlite3_finalize (set);
        }
      put (g, role, "tt", g->user_ids[i], u->role);
      if (u->sells)
        g->sellers[g->n_sellers++] = i;
    }
  sqlite3_finalize (dept);
  sqlite3_finalize (user);
  sqlite3_finalize (role);
  stats->n_users = N_USERS;
  stats->n_departments = G_N_ELEMENTS (departments) + 1;
}

typedef struct
{
  char    id[40];
  guint8  owner;      /* user index; 255: in the pool */
} Ent;

static void
gen_products (Gen                   *g,
              const KehuDemoOptions *o,
              char                 (*product_ids)[40])
{
  sqlite3_stmt *cat = prepare (g, "INSERT INTO product_categories (id, created_at, updated_at, created_by, name, position)"
                                  " VALUES (?1, ?2, ?2, ?3, ?4, ?5)");
  sqlite3_stmt *prod = prepare (g, "INSERT INTO products (id, created_at, updated_at, created_by, owner_id, name, code,"
                                   " category_id, unit, price, cost) VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  char cat_ids[G_N_ELEMENTS (categories)][40];
  char created[24];

  format_time (g->now - 380 * 86400, created);
  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    {
      make_uuid (g, cat_ids[i]);
      put (g, cat, "tttti", cat_ids[i], created, g->user_ids[0], categories[i], (gint64) i);
    }
  for (guint i = 0; i < o->n_products; i++)
    {
      guint p = i % G_N_ELEMENTS (products);
      g_autofree char *name = i < G_N_ELEMENTS (products) ? g_strdup (products[p].name)
                                                          : g_strdup_printf ("%s %u", products[p].name, i);
      g_autofree char *code = g_strdup_printf ("P%04u", i + 1);
      guint category = p < 2 || p == 2 || p == 3 ? 0 : p < 7 ? 1 : p < 9 ? 2 : 3;

      make_uuid (g, product_ids[i]);
      put (g, prod, "tttttttii", product_ids[i], created, g->user_ids[0], name, code, cat_ids[category],
           products[p].unit, products[p].price, products[p].price * 6 / 10);
    }
  sqlite3_finalize (cat);
  sqlite3_finalize (prod);
}

/**
 * kehu_demo_generate:
 * @store: a store at the latest schema version, without demo data yet
 * @options: sizes and seed (kehu_demo_options_init_demo() / _init_m())
 * @stats: (out) (optional): what was written
 */
gboolean
kehu_demo_generate (KehuStore              *store,
                    const KehuDemoOptions  *o,
                    KehuDemoStats          *stats_out,
                    GError                **error)
{
  Gen gen = { 0 }, *g = &gen;
  KehuDemoStats stats = { 0 };
  g_autofree Ent *customers = NULL;
  g_autofree Ent *leads = NULL;
  g_autofree char (*contacts)[40] = NULL;
  g_autofree guint32 *contact_customer = NULL;
  g_autofree char (*opportunities)[40] = NULL;
  g_autofree guint32 *opportunity_customer = NULL;
  g_autofree char (*product_ids)[40] = NULL;
  g_autoptr(GDateTime) clock = NULL;
  sqlite3_stmt *st_customer, *st_contact, *st_lead, *st_opp, *st_history, *st_opp_line, *st_contract,
               *st_contract_line, *st_plan, *st_payment, *st_invoice, *st_followup, *st_team, *st_task,
               *st_schedule, *st_target;
  guint n_customers = MAX (o->n_customers, 1);
  guint contract_seq = 0, payment_seq = 0, invoice_seq = 0;

  g_return_val_if_fail (KEHU_IS_STORE (store), FALSE);

  g->store = store;
  g->db = kehu_store_get_db (store);
  g->rand = g_rand_new_with_seed (o->seed);
  clock = o->now ? g_date_time_ref (o->now) : g_date_time_new_now_utc ();
  g->now = g_date_time_to_unix (clock);

  customers = g_new0 (Ent, n_customers);
  leads = g_new0 (Ent, MAX (o->n_leads, 1));
  contacts = g_malloc0_n (MAX (o->n_contacts, 1), 40);
  contact_customer = g_new0 (guint32, MAX (o->n_contacts, 1));
  opportunities = g_malloc0_n (MAX (o->n_opportunities, 1), 40);
  opportunity_customer = g_new0 (guint32, MAX (o->n_opportunities, 1));
  product_ids = g_malloc0_n (MAX (o->n_products, 1), 40);

  /* Bulk loading: a big page cache for the index b-trees, and a rollback
   * journal instead of the WAL for the one big transaction, so each page is
   * written once rather than to the WAL and again at checkpoint. (Refused
   * while another connection is open: then the WAL stays, only slower.) */
  exec (g, "PRAGMA cache_size = -1048576");
  sqlite3_exec (g->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  if (!kehu_store_begin (store, &g->error))
    goto out;

  gen_org (g, o, &stats);
  gen_products (g, o, product_ids);

  st_customer = prepare (g, "INSERT INTO customers (id, created_at, updated_at, created_by, owner_id, name, name_key,"
                            " number, level, type, source, industry, region, address, phone, tags, is_hot, pool_id,"
                            " pooled_at, former_owner_id, owned_since, next_contact_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
                            " ?18, ?19, ?20, ?21, ?22)");
  st_contact = prepare (g, "INSERT INTO contacts (id, created_at, updated_at, created_by, owner_id, customer_id, name,"
                           " gender, post, mobile, email, birthday, is_primary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                           " ?9, ?10, ?11, ?12, ?13)");
  st_lead = prepare (g, "INSERT INTO leads (id, created_at, updated_at, created_by, owner_id, name, contact_name, mobile,"
                        " source, industry, level, region, status, converted_customer_id, converted_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  st_opp = prepare (g, "INSERT INTO opportunities (id, created_at, updated_at, created_by, owner_id, name, customer_id,"
                       " stage_group_id, stage_id, status, amount, expected_close_date, stage_changed_at, lost_reason)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  st_history = prepare (g, "INSERT INTO opportunity_stage_history (opportunity_id, from_stage_id, to_stage_id,"
                           " changed_at, changed_by, dwell_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st_opp_line = prepare (g, "INSERT INTO opportunity_products (id, opportunity_id, product_id, position, price,"
                            " quantity, discount, subtotal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st_contract = prepare (g, "INSERT INTO contracts (id, created_at, updated_at, created_by, owner_id, number, name,"
                            " customer_id, opportunity_id, amount, signed_date, start_date, end_date, our_signer_id,"
                            " payment_method, approval_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                            " ?12, ?13, ?14, ?15, ?16)");
  st_contract_line = prepare (g, "INSERT INTO contract_products (id, contract_id, product_id, position, price,"
                                 " quantity, discount, subtotal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st_plan = prepare (g, "INSERT INTO payment_plans (id, created_at, updated_at, created_by, owner_id, contract_id,"
                        " customer_id, instalment, planned_amount, planned_date, method)"
                        " VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  st_payment = prepare (g, "INSERT INTO payments (id, created_at, updated_at, created_by, owner_id, number,"
                           " contract_id, customer_id, plan_id, amount, paid_date, method, approval_status)"
                           " VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  st_invoice = prepare (g, "INSERT INTO invoices (id, created_at, updated_at, created_by, owner_id, number,"
                           " contract_id, customer_id, amount, invoice_date, invoice_type, title, approval_status)"
                           " VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  st_followup = prepare (g, "INSERT INTO followups (id, created_at, updated_at, created_by, owner_id, target_module,"
                            " target_id, customer_id, method, content, followed_at, next_contact_at)"
                            " VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  st_team = prepare (g, "INSERT OR IGNORE INTO team_members (module, record_id, user_id, access, added_at, added_by)"
                        " VALUES ('customers', ?1, ?2, ?3, ?4, ?5)");
  st_task = prepare (g, "INSERT INTO tasks (id, created_at, updated_at, created_by, owner_id, name, description,"
                        " due_at, priority, status, done_at) VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  st_schedule = prepare (g, "INSERT INTO schedules (id, created_at, updated_at, created_by, owner_id, title, start_at,"
                            " end_at, remind_at, target_module, target_id) VALUES (?1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7,"
                            " 'customers', ?8)");
  st_target = prepare (g, "INSERT INTO sales_targets (id, created_at, updated_at, scope, scope_id, year, month, metric,"
                          " value) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

  /* Customers. */
  for (guint i = 0; i < o->n_customers && g->error == NULL; i++)
    {
      Ent *c = &customers[i];
      g_autofree char *name = company_name (g);
      g_autofree char *key = kehu_schema_normalize_name (name);
      g_autofree char *number = g_strdup_printf ("KH%07u", i + 1);
      g_autofree char *phone = CHANCE (g, 50) ? landline (g) : mobile (g);
      g_autofree char *address = g_strdup_printf ("%s市%s路%d号", PICK (g, cities), PICK (g, words), g_rand_int_range (g->rand, 1, 999));
      gint64 created = CHANCE (g, 85) ? recent (g, 365) : recent (g, 3 * 365);
      gint64 updated = created + RANGE (g, 0, g->now - created);
      gboolean pooled = CHANCE (g, o->pool_percent);
      guint owner = seller (g);
      char ts_c[24], ts_u[24], ts_pool[24], ts_next[24];
      const char *tags = CHANCE (g, 20) ? "[\"重点客户\"]" : CHANCE (g, 10) ? "[\"老客户\",\"转介绍\"]" : "[]";

      make_uuid (g, c->id);
      c->owner = pooled ? 255 : owner;
      format_time (created, ts_c);
      format_time (updated, ts_u);
      format_time (updated, ts_pool);
      format_time (g->now + RANGE (g, 1, 30) * 86400, ts_next);
      put (g, st_customer, "tttttttttttttttt" "i" "ttttt", c->id, ts_c, ts_u, g->user_ids[owner],
           pooled ? NULL : g->user_ids[owner], name, key, number, PICK (g, levels), PICK (g, customer_types), PICK (g, sources),
           PICK (g, industries), PICK (g, regions), address, phone, tags, (gint64) CHANCE (g, 5),
           pooled ? KEHU_ID_DEFAULT_POOL : NULL, pooled ? ts_pool : NULL,
           pooled && CHANCE (g, 50) ? g->user_ids[owner] : NULL, pooled ? NULL : ts_c,
           !pooled && CHANCE (g, 30) ? ts_next : NULL);

      /* A colleague on the team now and then. */
      if (!pooled && CHANCE (g, 3))
        put (g, st_team, "ttttt", c->id, g->user_ids[seller (g)], CHANCE (g, 50) ? "read" : "write", ts_c,
             g->user_ids[owner]);
    }
  stats.n_customers = o->n_customers;

  /* Contacts: every customer gets one first, the rest spread. */
  for (guint i = 0; i < o->n_contacts && g->error == NULL; i++)
    {
      guint ci = i < n_customers ? i : (guint) g_rand_int_range (g->rand, 0, n_customers);
      Ent *c = &customers[ci];
      g_autofree char *name = person_name (g);
      g_autofree char *phone = mobile (g);
      g_autofree char *email = g_strdup_printf ("contact%u@example.cn", i + 1);
      gint64 created = recent (g, 365);
      char ts_c[24], ts_u[24], birthday[12];
      guint owner = c->owner == 255 ? seller (g) : c->owner;

      if (i >= o->n_customers && o->n_customers == 0)
        break;
      make_uuid (g, contacts[i]);
      contact_customer[i] = ci;
      format_time (created, ts_c);
      format_time (created + RANGE (g, 0, g->now - created), ts_u);
      format_date (g->now - RANGE (g, 22 * 365, 60 * 365) * 86400, birthday);
      put (g, st_contact, "tttttttttttti", contacts[i], ts_c, ts_u, g->user_ids[owner],
           c->owner == 255 ? NULL : g->user_ids[owner], c->id, name, CHANCE (g, 55) ? "male" : "female",
           PICK (g, posts), phone, email, CHANCE (g, 60) ? birthday : NULL, (gint64) (i < n_customers));
      stats.n_contacts++;
    }

  /* Leads; a tenth already converted into a customer. */
  for (guint i = 0; i < o->n_leads && g->error == NULL; i++)
    {
      Ent *l = &leads[i];
      g_autofree char *name = company_name (g);
      g_autofree char *person = person_name (g);
      g_autofree char *phone = mobile (g);
      gint64 created = recent (g, 365);
      char ts_c[24], ts_u[24];
      gboolean converted = o->n_customers > 0 && CHANCE (g, 10);
      static const char *statuses[] = { "new", "new", "following", "following", "invalid" };

      make_uuid (g, l->id);
      l->owner = seller (g);
      format_time (created, ts_c);
      format_time (created + RANGE (g, 0, g->now - created), ts_u);
      put (g, st_lead, "ttttttttttttttt", l->id, ts_c, ts_u, g->user_ids[l->owner], g->user_ids[l->owner], name,
           person, phone, PICK (g, sources), PICK (g, industries), PICK (g, levels), PICK (g, regions),
           converted ? "converted" : PICK (g, statuses),
           converted ? customers[g_rand_int_range (g->rand, 0, n_customers)].id : NULL, converted ? ts_u : NULL);
      stats.n_leads++;
    }

  /* Opportunities across every stage. */
  for (guint i = 0; i < o->n_opportunities && o->n_customers > 0 && g->error == NULL; i++)
    {
      static const struct { const char *id; const char *kind; guint weight; } stage_pick[] = {
        { KEHU_ID_STAGE_QUALIFY, "open", 25 }, { KEHU_ID_STAGE_NEEDS, "open", 20 },
        { KEHU_ID_STAGE_PROPOSAL, "open", 15 }, { KEHU_ID_STAGE_NEGOTIATION, "open", 10 },
        { KEHU_ID_STAGE_WON, "won", 15 }, { KEHU_ID_STAGE_LOST, "lost", 10 }, { KEHU_ID_STAGE_INVALID, "invalid", 5 },
      };
      guint ci = g_rand_int_range (g->rand, 0, n_customers);
      Ent *c = &customers[ci];
      guint owner = c->owner == 255 ? seller (g) : c->owner;
      g_autofree char *name = g_strdup_printf ("%s%s项目", PICK (g, trades), CHANCE (g, 50) ? "系统采购" : "升级改造");
      gint64 created = recent (g, 365);
      gint64 changed = created + RANGE (g, 0, g->now - created);
      gint64 amount = RANGE (g, 100, 20000) * 10000;   /* 1万–200万 元 in cents */
      guint w = g_rand_int_range (g->rand, 0, 100), s = 0;
      char ts_c[24], ts_ch[24], close[12];
      struct { guint product; gint64 price, qty, disc, sub; } lines[3];
      guint n_lines;

      while (w >= stage_pick[s].weight)
        w -= stage_pick[s++].weight;
      make_uuid (g, opportunities[i]);
      opportunity_customer[i] = ci;
      format_time (created, ts_c);
      format_time (changed, ts_ch);
      format_date (created + RANGE (g, 30, 180) * 86400, close);

      /* A third carry product lines; their total is the expected amount. */
      n_lines = CHANCE (g, 30) && o->n_products > 0 ? g_rand_int_range (g->rand, 1, 4) : 0;
      if (n_lines)
        amount = 0;
      for (guint l = 0; l < n_lines; l++)
        {
          lines[l].product = g_rand_int_range (g->rand, 0, o->n_products);
          lines[l].price = products[lines[l].product % G_N_ELEMENTS (products)].price;
          lines[l].qty = RANGE (g, 1, 20) * 1000;
          lines[l].disc = CHANCE (g, 30) ? RANGE (g, 5, 20) : 0;
          lines[l].sub = kehu_rules_line_subtotal (lines[l].price, lines[l].qty, lines[l].disc);
          amount += lines[l].sub;
        }

      put (g, st_opp, "tttttttttt" "i" "ttt", opportunities[i], ts_c, ts_ch, g->user_ids[owner], g->user_ids[owner], name,
           c->id, KEHU_ID_DEFAULT_STAGE_GROUP, stage_pick[s].id, stage_pick[s].kind, amount, close, ts_ch,
           g_str_equal (stage_pick[s].kind, "lost") ? PICK (g, lost_reasons) : NULL);
      for (guint l = 0; l < n_lines; l++)
        {
          char line_id[40];

          make_uuid (g, line_id);
          put (g, st_opp_line, "tttiiiii", line_id, opportunities[i], product_ids[lines[l].product], (gint64) l,
               lines[l].price, lines[l].qty, lines[l].disc, lines[l].sub);
        }
      put (g, st_history, "ttttt", opportunities[i], NULL, KEHU_ID_STAGE_QUALIFY, ts_c, g->user_ids[owner]);
      if (s > 0)
        put (g, st_history, "ttttti", opportunities[i], KEHU_ID_STAGE_QUALIFY, stage_pick[s].id, ts_ch,
             g->user_ids[owner], (changed - created) / 86400);
      stats.n_opportunities++;
    }

  /* Contracts with plans, payments and invoices. */
  for (guint i = 0; i < o->n_contracts && o->n_customers > 0 && g->error == NULL; i++)
    {
      gboolean from_opp = o->n_opportunities > 0 && CHANCE (g, 70);
      guint oi = from_opp ? (guint) g_rand_int_range (g->rand, 0, o->n_opportunities) : 0;
      guint ci = from_opp ? opportunity_customer[oi] : (guint) g_rand_int_range (g->rand, 0, n_customers);
      Ent *c = &customers[ci];
      guint owner = c->owner == 255 ? seller (g) : c->owner;
      gint64 signed_at = recent (g, 365);
      gint64 amount = RANGE (g, 50, 10000) * 10000;
      guint r = g_rand_int_range (g->rand, 0, 100);
      const char *approval = r < 80 ? "approved" : r < 90 ? "pending" : "draft";
      guint n_plans = g_rand_int_range (g->rand, 1, 4);
      const char *method = PICK (g, pay_methods);
      g_autofree char *name = g_strdup_printf ("%s%s合同", PICK (g, trades), CHANCE (g, 50) ? "系统采购" : "服务");
      char id[40], number[32], ts_c[24], d_signed[12], d_start[12], d_end[12];
      gint64 received = 0;

      make_uuid (g, id);
      format_time (signed_at - RANGE (g, 0, 10) * 86400, ts_c);
      format_date (signed_at, d_signed);
      format_date (signed_at + 86400, d_start);
      format_date (signed_at + 365 * 86400, d_end);
      g_snprintf (number, sizeof number, "HT%.4s%.2s-%06u", d_signed, d_signed + 5, ++contract_seq);
      put (g, st_contract, "tttttttttittttt" "t", id, ts_c, ts_c, g->user_ids[owner], g->user_ids[owner], number, name,
           c->id, from_opp ? opportunities[oi] : NULL, amount, d_signed, d_start, d_end, g->user_ids[owner], method,
           approval);

      if (CHANCE (g, 30) && o->n_products > 0)
        for (guint l = 0; l < 2; l++)
          {
            guint p = g_rand_int_range (g->rand, 0, o->n_products);
            gint64 price = products[p % G_N_ELEMENTS (products)].price;
            gint64 qty = RANGE (g, 1, 10) * 1000;
            char line_id[40];

            make_uuid (g, line_id);
            put (g, st_contract_line, "tttiiiii", line_id, id, product_ids[p], (gint64) l, price, qty, (gint64) 0,
                 kehu_rules_line_subtotal (price, qty, 0));
          }

      for (guint p = 0; p < n_plans; p++)
        {
          gint64 planned = p + 1 < n_plans ? amount / n_plans : amount - amount / n_plans * (n_plans - 1);
          gint64 due = signed_at + (gint64) (p * 90 + 30) * 86400;
          char plan_id[40], d_due[12];

          make_uuid (g, plan_id);
          format_date (due, d_due);
          put (g, st_plan, "tttttiitt", plan_id, ts_c, g->user_ids[owner], id, c->id, (gint64) (p + 1), planned, d_due, method);
          stats.n_payment_plans++;

          /* Approved contracts get paid when due: mostly approved, some pending or partial. */
          if (g_str_equal (approval, "approved") && due <= g->now && CHANCE (g, 90))
            {
              gint64 paid_at = MIN (due + RANGE (g, -5, 20) * 86400, g->now);
              gint64 paid = CHANCE (g, 85) ? planned : planned / 2;
              const char *status = CHANCE (g, 92) ? "approved" : "pending";
              char pay_id[40], pay_no[32], ts_p[24], d_paid[12];

              make_uuid (g, pay_id);
              format_time (paid_at, ts_p);
              format_date (paid_at, d_paid);
              g_snprintf (pay_no, sizeof pay_no, "HK%.4s%.2s-%07u", d_paid, d_paid + 5, ++payment_seq);
              put (g, st_payment, "ttttttt" "i" "ttt", pay_id, ts_p, g->user_ids[owner], pay_no, id, c->id, plan_id, paid,
                   d_paid, method, status);
              if (g_str_equal (status, "approved"))
                received += paid;
              stats.n_payments++;
            }
        }

      if (received > 0 && CHANCE (g, 70))
        {
          char inv_id[40], inv_no[32], ts_i[24], d_inv[12];
          g_autofree char *title = NULL;

          make_uuid (g, inv_id);
          format_time (g->now - RANGE (g, 0, 30) * 86400, ts_i);
          format_date (g->now - RANGE (g, 0, 30) * 86400, d_inv);
          g_snprintf (inv_no, sizeof inv_no, "FP%08u", ++invoice_seq);
          title = g_strdup_printf ("客户%u", ci + 1);
          put (g, st_invoice, "tttttt" "i" "tttt", inv_id, ts_i, g->user_ids[owner], inv_no, id, c->id, received, d_inv,
               CHANCE (g, 60) ? "special" : "normal", title, CHANCE (g, 90) ? "approved" : "pending");
          stats.n_invoices++;
        }
      stats.n_contracts++;
    }

  /* Follow-ups over the last twelve months. */
  for (guint i = 0; i < o->n_followups && o->n_customers > 0 && g->error == NULL; i++)
    {
      guint r = g_rand_int_range (g->rand, 0, 100);
      const char *module, *target, *customer;
      guint owner;
      gint64 at = recent (g, 365);
      char id[40], ts[24], ts_next[24];

      if (r < 10 && o->n_leads > 0)
        {
          Ent *l = &leads[g_rand_int_range (g->rand, 0, o->n_leads)];
          module = "leads";
          target = l->id;
          customer = NULL;
          owner = l->owner;
        }
      else if (r < 30 && stats.n_contacts > 0)
        {
          guint k = g_rand_int_range (g->rand, 0, stats.n_contacts);
          Ent *c = &customers[contact_customer[k]];
          module = "contacts";
          target = contacts[k];
          customer = c->id;
          owner = c->owner == 255 ? seller (g) : c->owner;
        }
      else if (r < 45 && stats.n_opportunities > 0)
        {
          guint k = g_rand_int_range (g->rand, 0, stats.n_opportunities);
          Ent *c = &customers[opportunity_customer[k]];
          module = "opportunities";
          target = opportunities[k];
          customer = c->id;
          owner = c->owner == 255 ? seller (g) : c->owner;
        }
      else
        {
          Ent *c = &customers[g_rand_int_range (g->rand, 0, n_customers)];
          module = "customers";
          target = c->id;
          customer = c->id;
          owner = c->owner == 255 ? seller (g) : c->owner;
        }
      make_uuid (g, id);
      format_time (at, ts);
      format_time (at + RANGE (g, 1, 14) * 86400, ts_next);
      put (g, st_followup, "tttttttttt", id, ts, g->user_ids[owner], module, target, customer, PICK (g, methods),
           PICK (g, contents), ts, CHANCE (g, 30) ? ts_next : NULL);
      stats.n_followups++;
    }

  /* Tasks and schedules for everyone; sales targets for the company and the sellers. */
  for (guint u = 0; u < N_USERS && g->error == NULL; u++)
    {
      static const char *task_names[] = { "准备季度汇报材料", "整理客户需求文档", "跟进回款进度", "更新商机阶段",
                                           "安排产品演示", "提交合同审批", "回访老客户" };
      static const char *priorities[] = { "none", "low", "medium", "high" };

      for (guint t = 0; t < 6; t++)
        {
          gboolean done = CHANCE (g, 40);
          gint64 due = g->now + RANGE (g, -10, 20) * 86400;
          char id[40], ts_c[24], ts_due[24];

          make_uuid (g, id);
          format_time (due - 7 * 86400, ts_c);
          format_time (due, ts_due);
          put (g, st_task, "ttttttttt", id, ts_c, g->user_ids[u], PICK (g, task_names), NULL, ts_due,
               PICK (g, priorities), done ? "done" : "todo", done ? ts_c : NULL);
          stats.n_tasks++;
        }
      for (guint s = 0; s < 3 && o->n_customers > 0; s++)
        {
          gint64 start = g->now + RANGE (g, 0, 14) * 86400;
          char id[40], ts_c[24], ts_s[24], ts_e[24], ts_r[24];

          start -= start % 3600;
          make_uuid (g, id);
          format_time (g->now - 86400, ts_c);
          format_time (start, ts_s);
          format_time (start + 3600, ts_e);
          format_time (start - 1800, ts_r);
          put (g, st_schedule, "tttttttt", id, ts_c, g->user_ids[u], "拜访客户", ts_s, ts_e, ts_r,
               customers[g_rand_int_range (g->rand, 0, n_customers)].id);
        }
    }
  {
    g_autoptr(GDateTime) local = g_date_time_new_from_unix_utc (g->now);
    int year = g_date_time_get_year (local);
    char ts[24];

    format_time (g->now - 400 * 86400, ts);
    for (int month = 1; month <= 12 && g->error == NULL; month++)
      {
        static const char *metrics[] = { "contract_amount", "payment_amount" };
        gint64 per_user = 50000000;   /* 50万 元 */

        for (guint m = 0; m < G_N_ELEMENTS (metrics); m++)
          {
            char id[40];

            make_uuid (g, id);
            put (g, st_target, "ttttiiti", id, ts, "company", "", (gint64) year, (gint64) month, metrics[m],
                 per_user * (gint64) g->n_sellers);
            for (guint s = 0; s < g->n_sellers; s++)
              {
                make_uuid (g, id);
                put (g, st_target, "ttttiiti", id, ts, "user", g->user_ids[g->sellers[s]], (gint64) year, (gint64) month,
                     metrics[m], per_user);
              }
          }
      }
  }

  sqlite3_finalize (st_customer);
  sqlite3_finalize (st_contact);
  sqlite3_finalize (st_lead);
  sqlite3_finalize (st_opp);
  sqlite3_finalize (st_history);
  sqlite3_finalize (st_opp_line);
  sqlite3_finalize (st_contract);
  sqlite3_finalize (st_contract_line);
  sqlite3_finalize (st_plan);
  sqlite3_finalize (st_payment);
  sqlite3_finalize (st_invoice);
  sqlite3_finalize (st_followup);
  sqlite3_finalize (st_team);
  sqlite3_finalize (st_task);
  sqlite3_finalize (st_schedule);
  sqlite3_finalize (st_target);

  /* Derived values, with the definitions of kehu-rules.c. */
  exec (g,
        "UPDATE contracts SET received_total = x.s FROM (SELECT contract_id, SUM (amount) s FROM payments"
        "  WHERE approval_status = 'approved' AND deleted_at IS NULL GROUP BY contract_id) x"
        "  WHERE contracts.id = x.contract_id;"
        "UPDATE contracts SET invoiced_total = x.s FROM (SELECT contract_id, SUM (amount) s FROM invoices"
        "  WHERE approval_status = 'approved' AND deleted_at IS NULL GROUP BY contract_id) x"
        "  WHERE contracts.id = x.contract_id;"
        "UPDATE contracts SET plan_total = x.s FROM (SELECT contract_id, SUM (planned_amount) s FROM payment_plans"
        "  WHERE deleted_at IS NULL GROUP BY contract_id) x WHERE contracts.id = x.contract_id;"
        "UPDATE contracts SET product_total = x.s FROM (SELECT contract_id, SUM (subtotal) s FROM contract_products"
        "  GROUP BY contract_id) x WHERE contracts.id = x.contract_id;"
        "UPDATE contracts SET outstanding = amount - received_total;"
        "UPDATE payment_plans SET received_amount = x.s FROM (SELECT plan_id, SUM (amount) s FROM payments"
        "  WHERE approval_status = 'approved' AND deleted_at IS NULL AND plan_id IS NOT NULL GROUP BY plan_id) x"
        "  WHERE payment_plans.id = x.plan_id;"
        "UPDATE payment_plans SET status = CASE WHEN received_amount > 0 AND received_amount >= planned_amount"
        "  THEN 'received' WHEN received_amount > 0 THEN 'partial' ELSE 'pending' END;"
        "UPDATE customers SET contract_total = x.ct, plan_total = x.pt, received_total = x.rt,"
        "  invoiced_total = x.it, last_deal_at = x.ld, deal_status = CASE WHEN x.deal THEN 'deal' ELSE 'none' END"
        "  FROM (SELECT customer_id, SUM (CASE WHEN approval_status = 'approved' THEN amount ELSE 0 END) ct,"
        "   SUM (plan_total) pt, SUM (received_total) rt, SUM (invoiced_total) it,"
        "   MAX (CASE WHEN approval_status = 'approved' THEN signed_date END) ld,"
        "   MAX (approval_status = 'approved') deal"
        "   FROM contracts WHERE deleted_at IS NULL GROUP BY customer_id) x WHERE customers.id = x.customer_id;"
        "UPDATE customers SET last_followup_at = x.m FROM (SELECT customer_id, MAX (followed_at) m FROM followups"
        "  WHERE deleted_at IS NULL AND customer_id IS NOT NULL GROUP BY customer_id) x"
        "  WHERE customers.id = x.customer_id;"
        "UPDATE contacts SET last_followup_at = x.m FROM (SELECT target_id, MAX (followed_at) m FROM followups"
        "  WHERE target_module = 'contacts' AND deleted_at IS NULL GROUP BY target_id) x WHERE contacts.id = x.target_id;"
        "UPDATE opportunities SET last_followup_at = x.m FROM (SELECT target_id, MAX (followed_at) m FROM followups"
        "  WHERE target_module = 'opportunities' AND deleted_at IS NULL GROUP BY target_id) x"
        "  WHERE opportunities.id = x.target_id;"
        "UPDATE leads SET last_followup_at = x.m FROM (SELECT target_id, MAX (followed_at) m FROM followups"
        "  WHERE target_module = 'leads' AND deleted_at IS NULL GROUP BY target_id) x WHERE leads.id = x.target_id;");

  if (g->error == NULL)
    kehu_store_commit (store, &g->error);

out:
  if (g->error)
    kehu_store_rollback (store);
  exec (g, "PRAGMA cache_size = -8192");
  sqlite3_exec (g->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
  g_rand_free (g->rand);
  if (g->error)
    {
      g_propagate_error (error, g->error);
      return FALSE;
    }
  exec (g, "ANALYZE");
  if (stats_out)
    *stats_out = stats;
  return g->error == NULL;
}
