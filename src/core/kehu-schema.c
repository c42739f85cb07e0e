/* kehu-schema.c: the one description of every module and its fields
 *
 * Every part of Kehu (record API, queries, the server, import/export, the
 * list and detail views) asks this file which fields a module has, of which
 * type, with which label and rules. The static tables below describe the
 * columns of migration 2; custom fields (table custom_fields, values in the
 * record's extra JSON) are merged in when a KehuSchema is loaded from a
 * store. Loading also checks every described column against the table, so a
 * typo here fails at once instead of in a query.
 *
 * Labels are English source strings marked N_() and translated on display
 * (kehu_field_get_label()). Seeded rows (dictionary items, stages, the top
 * department, roles, the default pool) store their English source label,
 * too, and are shown through kehu_schema_display_label(): a label an
 * administrator renamed has no translation and shows as typed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kehu-schema"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "kehu-schema.h"

typedef enum
{
  STD_ID         = 1 << 0,
  STD_REV        = 1 << 1,
  STD_CREATED_AT = 1 << 2,
  STD_UPDATED_AT = 1 << 3,
  STD_CREATED_BY = 1 << 4,
  STD_OWNER      = 1 << 5,
  STD_DELETED    = 1 << 6,
  STD_EXTRA      = 1 << 7,
  STD_BASIC      = STD_ID | STD_REV | STD_CREATED_AT | STD_UPDATED_AT,
  STD_ALL        = 0xff,
} StdColumns;

typedef struct
{
  const char      *name;
  const char      *singular;
  const char      *plural;
  const char      *perm_key;
  const char      *title_field;
  const char      *default_sort;
  gboolean         default_desc;
  StdColumns       std;
  const KehuField *fields;
  guint            n_fields;
} ModuleDef;

struct _KehuModule
{
  const ModuleDef *def;
  GPtrArray       *fields;   /* KehuField*, std + static + custom */
  GHashTable      *by_name;  /* name → KehuField* */
  GPtrArray       *owned;    /* KehuField* we allocated (std copies, custom) */
};

struct _KehuSchema
{
  GObject     parent_instance;

  KehuStore  *store;
  GHashTable *modules;       /* name → KehuModule* */
  GStringChunk *strings;     /* custom field strings */
};

G_DEFINE_FINAL_TYPE (KehuSchema, kehu_schema, G_TYPE_OBJECT)

G_DEFINE_QUARK (kehu-schema-error-quark, kehu_schema_error)

#define REQ   KEHU_FIELD_REQUIRED
#define SRCH  KEHU_FIELD_SEARCHABLE
#define LIST  KEHU_FIELD_IN_LIST
#define SORT  KEHU_FIELD_SORTABLE
#define FILT  KEHU_FIELD_FILTERABLE
#define RO    KEHU_FIELD_READ_ONLY
#define UNIQ  KEHU_FIELD_UNIQUE
#define PAR   KEHU_FIELD_PARENT
#define HID   KEHU_FIELD_HIDDEN
#define SF    (SORT | FILT)

#define F(n, t, l, f)        { n, KEHU_FIELD_##t, l, f, NULL, NULL, NULL }
#define FD(n, l, f, d)       { n, KEHU_FIELD_CHOICE, l, f, d, NULL, NULL }
#define FE(n, l, f, c)       { n, KEHU_FIELD_ENUM, l, f, NULL, c, NULL }
#define FR(n, l, f, m)       { n, KEHU_FIELD_REFERENCE, l, f, NULL, NULL, m }
#define FU(n, l, f)          { n, KEHU_FIELD_USER, l, f, NULL, NULL, "users" }

static const char * const lead_status[] = { "new", "following", "converted", "invalid", NULL };
static const char * const deal_status[] = { "none", "deal", NULL };
static const char * const gender_values[] = { "male", "female", "unknown", NULL };
static const char * const opportunity_status[] = { "open", "won", "lost", "invalid", NULL };
static const char * const approval_status[] = { "draft", "pending", "approved", "rejected", "withdrawn", NULL };
static const char * const plan_status[] = { "pending", "partial", "received", NULL };
static const char * const followup_targets[] = { "leads", "customers", "contacts", "opportunities", "contracts", NULL };
static const char * const priorities[] = { "none", "low", "medium", "high", NULL };
static const char * const task_status[] = { "todo", "done", NULL };
static const char * const data_scopes[] = { "self", "self_and_subordinates", "department", "department_and_children", "all", NULL };
static const char * const business_types[] = { "contract", "payment", "invoice", "generic", NULL };
static const char * const target_scopes[] = { "company", "department", "user", NULL };
static const char * const target_metrics[] = { "contract_amount", "payment_amount", "new_customers", NULL };

static const KehuField std_fields[] = {
  F ("id", TEXT, N_("ID"), RO),
  F ("rev", INTEGER, N_("Revision"), RO),
  F ("created_at", DATETIME, N_("Created"), RO | SF),
  F ("updated_at", DATETIME, N_("Updated"), RO | SF),
  FU ("created_by", N_("Created by"), RO | FILT),
  FU ("owner_id", N_("Owner"), LIST | SF),
  F ("deleted_at", DATETIME, N_("Deleted"), RO | SF),
};
static const StdColumns std_bits[] = {
  STD_ID, STD_REV, STD_CREATED_AT, STD_UPDATED_AT, STD_CREATED_BY, STD_OWNER, STD_DELETED,
};

static const KehuField lead_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  F ("contact_name", TEXT, N_("Contact person"), SRCH | LIST | SF),
  F ("phone", PHONE, N_("Phone"), SRCH | LIST | FILT),
  F ("mobile", PHONE, N_("Mobile"), SRCH | LIST | FILT),
  F ("email", EMAIL, N_("Email"), FILT),
  FD ("source", N_("Source"), LIST | SF, "customer_source"),
  FD ("industry", N_("Industry"), SF, "industry"),
  FD ("level", N_("Level"), SF, "customer_level"),
  F ("region", TEXT, N_("Region"), SF),
  F ("address", TEXT, N_("Address"), FILT),
  FE ("status", N_("Status"), LIST | SF, lead_status),
  FR ("converted_customer_id", N_("Converted to customer"), RO | FILT, "customers"),
  F ("converted_at", DATETIME, N_("Converted"), RO | SF),
  F ("last_followup_at", DATETIME, N_("Last follow-up"), RO | LIST | SF),
  F ("next_contact_at", DATETIME, N_("Next contact"), SF),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField customer_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  F ("number", TEXT, N_("Number"), SRCH | SF),
  FD ("level", N_("Level"), LIST | SF, "customer_level"),
  FD ("type", N_("Type"), SF, "customer_type"),
  FD ("source", N_("Source"), SF, "customer_source"),
  FD ("industry", N_("Industry"), LIST | SF, "industry"),
  F ("region", TEXT, N_("Region"), SF),
  F ("address", TEXT, N_("Address"), FILT),
  F ("phone", PHONE, N_("Phone"), SRCH | LIST | FILT),
  F ("email", EMAIL, N_("Email"), FILT),
  F ("website", TEXT, N_("Website"), FILT),
  F ("tags", TAGS, N_("Tags"), FILT),
  F ("is_hot", BOOLEAN, N_("Hot"), SF),
  F ("hot_reason", TEXT, N_("Hot reason"), 0),
  FR ("parent_id", N_("Parent customer"), FILT, "customers"),
  F ("is_locked", BOOLEAN, N_("Locked"), SF),
  FE ("deal_status", N_("Deal status"), RO | LIST | SF, deal_status),
  FR ("pool_id", N_("Public pool"), RO | FILT, "pools"),
  F ("pooled_at", DATETIME, N_("Entered the pool"), RO | SF),
  FU ("former_owner_id", N_("Former owner"), RO | FILT),
  F ("return_reason", TEXT, N_("Return reason"), RO),
  F ("owned_since", DATETIME, N_("Owned since"), RO | SF),
  F ("last_followup_at", DATETIME, N_("Last follow-up"), RO | LIST | SF),
  F ("next_contact_at", DATETIME, N_("Next contact"), SF),
  F ("last_deal_at", DATE, N_("Last deal"), RO | SF),
  F ("contract_total", MONEY, N_("Contract total"), RO | SF),
  F ("plan_total", MONEY, N_("Payment plan total"), RO | SF),
  F ("received_total", MONEY, N_("Received total"), RO | SF),
  F ("invoiced_total", MONEY, N_("Invoiced total"), RO | SF),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
  F ("name_key", TEXT, N_("Name key"), RO | HID),
};

static const KehuField contact_fields[] = {
  FR ("customer_id", N_("Customer"), LIST | FILT | PAR, "customers"),
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  FE ("gender", N_("Gender"), FILT, gender_values),
  F ("post", TEXT, N_("Post"), LIST | SF),
  F ("phone", PHONE, N_("Phone"), SRCH | FILT),
  F ("mobile", PHONE, N_("Mobile"), SRCH | LIST | FILT),
  F ("email", EMAIL, N_("Email"), FILT),
  F ("wechat", TEXT, N_("WeChat ID"), SRCH | FILT),
  F ("birthday", DATE, N_("Birthday"), SF),
  F ("address", TEXT, N_("Address"), FILT),
  F ("is_primary", BOOLEAN, N_("Primary contact"), FILT),
  F ("last_followup_at", DATETIME, N_("Last follow-up"), RO | SF),
  F ("next_contact_at", DATETIME, N_("Next contact"), SF),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField product_category_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  FR ("parent_id", N_("Parent category"), FILT | PAR, "product_categories"),
  F ("position", INTEGER, N_("Position"), SORT),
};

static const KehuField product_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  F ("code", TEXT, N_("Code"), SRCH | LIST | SF),
  FR ("category_id", N_("Category"), LIST | FILT, "product_categories"),
  F ("unit", TEXT, N_("Unit"), LIST),
  F ("price", MONEY, N_("Price"), LIST | SF),
  F ("cost", MONEY, N_("Cost"), SF),
  F ("is_on_sale", BOOLEAN, N_("On sale"), LIST | FILT),
  F ("description", LONG_TEXT, N_("Description"), 0),
};

static const KehuField stage_group_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | LIST | SF),
  F ("is_default", BOOLEAN, N_("Default"), LIST),
};

static const KehuField opportunity_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  FR ("customer_id", N_("Customer"), REQ | LIST | FILT | PAR, "customers"),
  FR ("stage_group_id", N_("Stage group"), FILT, "stage_groups"),
  FR ("stage_id", N_("Stage"), LIST | FILT, "stages"),
  FE ("status", N_("Status"), RO | LIST | SF, opportunity_status),
  F ("amount", MONEY, N_("Expected amount"), LIST | SF),
  F ("expected_close_date", DATE, N_("Expected close date"), LIST | SF),
  F ("stage_changed_at", DATETIME, N_("Stage changed"), RO | SF),
  FD ("lost_reason", N_("Lost reason"), FILT, "lost_reason"),
  F ("competitors", TEXT, N_("Competitors"), FILT),
  F ("last_followup_at", DATETIME, N_("Last follow-up"), RO | SF),
  F ("next_contact_at", DATETIME, N_("Next contact"), SF),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField contract_fields[] = {
  F ("number", TEXT, N_("Contract number"), SRCH | LIST | SF | UNIQ),
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  FR ("customer_id", N_("Customer"), REQ | LIST | FILT | PAR, "customers"),
  FR ("opportunity_id", N_("Opportunity"), FILT, "opportunities"),
  F ("amount", MONEY, N_("Amount"), LIST | SF),
  F ("signed_date", DATE, N_("Signed"), LIST | SF),
  F ("start_date", DATE, N_("Start date"), SF),
  F ("end_date", DATE, N_("End date"), SF),
  FR ("customer_signer_id", N_("Customer signer"), FILT, "contacts"),
  FU ("our_signer_id", N_("Our signer"), FILT),
  FD ("payment_method", N_("Payment method"), FILT, "payment_method"),
  FE ("approval_status", N_("Approval status"), LIST | SF | RO, approval_status),
  F ("product_total", MONEY, N_("Product total"), RO | SF),
  F ("received_total", MONEY, N_("Received"), RO | LIST | SF),
  F ("outstanding", MONEY, N_("Outstanding"), RO | LIST | SF),
  F ("invoiced_total", MONEY, N_("Invoiced"), RO | SF),
  F ("plan_total", MONEY, N_("Planned"), RO | SF),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField payment_plan_fields[] = {
  FR ("contract_id", N_("Contract"), REQ | LIST | FILT | PAR, "contracts"),
  FR ("customer_id", N_("Customer"), RO | LIST | FILT, "customers"),
  F ("instalment", INTEGER, N_("Instalment"), LIST | SF),
  F ("planned_amount", MONEY, N_("Planned amount"), REQ | LIST | SF),
  F ("planned_date", DATE, N_("Planned date"), REQ | LIST | SF),
  FD ("method", N_("Payment method"), FILT, "payment_method"),
  F ("remind_days", INTEGER, N_("Remind days before"), 0),
  F ("received_amount", MONEY, N_("Received"), RO | LIST | SF),
  FE ("status", N_("Status"), RO | LIST | SF, plan_status),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField payment_fields[] = {
  F ("number", TEXT, N_("Payment number"), SRCH | LIST | SF),
  FR ("contract_id", N_("Contract"), REQ | LIST | FILT | PAR, "contracts"),
  FR ("customer_id", N_("Customer"), RO | LIST | FILT, "customers"),
  FR ("plan_id", N_("Payment plan"), FILT, "payment_plans"),
  F ("amount", MONEY, N_("Amount"), REQ | LIST | SF),
  F ("paid_date", DATE, N_("Payment date"), REQ | LIST | SF),
  FD ("method", N_("Payment method"), FILT, "payment_method"),
  FE ("approval_status", N_("Approval status"), LIST | SF | RO, approval_status),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField invoice_fields[] = {
  F ("number", TEXT, N_("Invoice number"), SRCH | LIST | SF),
  FR ("contract_id", N_("Contract"), REQ | LIST | FILT | PAR, "contracts"),
  FR ("customer_id", N_("Customer"), RO | LIST | FILT, "customers"),
  F ("amount", MONEY, N_("Amount"), REQ | LIST | SF),
  F ("invoice_date", DATE, N_("Invoice date"), LIST | SF),
  FD ("invoice_type", N_("Invoice type"), FILT, "invoice_type"),
  F ("title", TEXT, N_("Invoice title"), SRCH | FILT),
  F ("tax_number", TEXT, N_("Tax number"), FILT),
  FE ("approval_status", N_("Approval status"), LIST | SF | RO, approval_status),
  F ("remark", LONG_TEXT, N_("Remark"), FILT),
};

static const KehuField followup_fields[] = {
  FE ("target_module", N_("Regarding"), REQ | FILT, followup_targets),
  F ("target_id", TEXT, N_("Regarding record"), REQ | FILT),
  FR ("customer_id", N_("Customer"), RO | LIST | FILT, "customers"),
  FD ("method", N_("Method"), REQ | LIST | SF, "followup_method"),
  F ("content", LONG_TEXT, N_("Content"), REQ | SRCH | LIST | FILT),
  F ("followed_at", DATETIME, N_("Followed up"), REQ | LIST | SF),
  F ("next_contact_at", DATETIME, N_("Next contact"), SF),
};

static const KehuField task_fields[] = {
  FR ("parent_id", N_("Parent task"), FILT | PAR, "tasks"),
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  F ("description", LONG_TEXT, N_("Description"), FILT),
  F ("due_at", DATETIME, N_("Due"), LIST | SF),
  FE ("priority", N_("Priority"), LIST | SF, priorities),
  F ("tags", TAGS, N_("Tags"), FILT),
  FE ("status", N_("Status"), LIST | SF, task_status),
  F ("done_at", DATETIME, N_("Done at"), RO | SF),
  F ("position", INTEGER, N_("Position"), SORT),
};

static const KehuField schedule_fields[] = {
  F ("title", TEXT, N_("Title"), REQ | SRCH | LIST | SF),
  F ("description", LONG_TEXT, N_("Description"), FILT),
  F ("start_at", DATETIME, N_("Starts at"), REQ | LIST | SF),
  F ("end_at", DATETIME, N_("Ends at"), LIST | SF),
  F ("remind_at", DATETIME, N_("Reminder"), SF),
  F ("reminded_at", DATETIME, N_("Reminded"), RO),
  F ("target_module", TEXT, N_("Regarding"), FILT),
  F ("target_id", TEXT, N_("Regarding record"), FILT),
  FR ("followup_id", N_("Follow-up"), RO, "followups"),
};

static const KehuField attachment_fields[] = {
  F ("target_module", TEXT, N_("Regarding"), REQ | FILT),
  F ("target_id", TEXT, N_("Regarding record"), REQ | FILT),
  F ("name", TEXT, N_("File name"), REQ | SRCH | LIST | SF),
  F ("mime_type", TEXT, N_("File type"), LIST | FILT),
  F ("size", INTEGER, N_("Size"), REQ | LIST | SF),
  F ("sha256", TEXT, N_("Checksum"), REQ),
};

static const KehuField department_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  FR ("parent_id", N_("Parent department"), LIST | FILT | PAR, "departments"),
  F ("position", INTEGER, N_("Position"), SORT),
};

static const KehuField user_fields[] = {
  F ("phone", PHONE, N_("Phone"), REQ | SRCH | LIST | SF | UNIQ),
  F ("name", TEXT, N_("Name"), REQ | SRCH | LIST | SF),
  FE ("gender", N_("Gender"), FILT, gender_values),
  F ("email", EMAIL, N_("Email"), LIST | FILT),
  FR ("department_id", N_("Department"), LIST | FILT, "departments"),
  F ("post", TEXT, N_("Post"), LIST | SF),
  FU ("supervisor_id", N_("Direct supervisor"), LIST | FILT),
  F ("is_enabled", BOOLEAN, N_("Enabled"), LIST | FILT),
  F ("is_super_admin", BOOLEAN, N_("Super administrator"), FILT),
  F ("password_hash", TEXT, N_("Password"), HID),
  F ("scope_epoch", INTEGER, N_("Scope epoch"), RO | HID),
  F ("last_login_at", DATETIME, N_("Last login"), RO | LIST | SF),
};

static const KehuField role_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | LIST | SF),
  F ("description", LONG_TEXT, N_("Description"), LIST),
  F ("permissions", JSON, N_("Permissions"), 0),
  FE ("data_scope", N_("Data scope"), LIST | FILT, data_scopes),
  F ("is_system", BOOLEAN, N_("System role"), RO | LIST),
};

static const KehuField pool_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | LIST | SF),
  F ("description", LONG_TEXT, N_("Description"), LIST),
  F ("is_default", BOOLEAN, N_("Default"), LIST),
  F ("is_enabled", BOOLEAN, N_("Enabled"), LIST | FILT),
  F ("recycle_enabled", BOOLEAN, N_("Recycle automatically"), LIST),
  F ("remind_days", INTEGER, N_("Warn days before"), 0),
  F ("reclaim_cooldown_days", INTEGER, N_("Reclaim cooldown days"), 0),
  F ("max_owned_per_user", INTEGER, N_("Most customers per user"), 0),
  F ("max_locked_per_user", INTEGER, N_("Most locked customers per user"), 0),
};

static const KehuField approval_flow_fields[] = {
  F ("name", TEXT, N_("Name"), REQ | LIST | SF),
  FE ("business_type", N_("Business type"), REQ | LIST | FILT, business_types),
  F ("definition", JSON, N_("Definition"), REQ),
  F ("is_enabled", BOOLEAN, N_("Enabled"), LIST | FILT),
  F ("position", INTEGER, N_("Position"), SORT),
};

static const KehuField sales_target_fields[] = {
  FE ("scope", N_("Scope"), REQ | LIST | FILT, target_scopes),
  F ("scope_id", TEXT, N_("Department or user"), LIST | FILT),
  F ("year", INTEGER, N_("Year"), REQ | LIST | SF),
  F ("month", INTEGER, N_("Month"), REQ | LIST | SF),
  FE ("metric", N_("Metric"), REQ | LIST | FILT, target_metrics),
  F ("value", INTEGER, N_("Target"), REQ | LIST | SF),
};

static const KehuField scene_fields[] = {
  F ("module", TEXT, N_("Module"), REQ | FILT),
  F ("name", TEXT, N_("Name"), REQ | LIST | SF),
  FU ("owner_id", N_("Owner"), FILT),
  F ("filter", JSON, N_("Filter"), 0),
  F ("sort", TEXT, N_("Sort"), 0),
  F ("columns", JSON, N_("Columns"), 0),
  F ("is_default", BOOLEAN, N_("Default"), LIST),
  F ("position", INTEGER, N_("Position"), SORT),
};

#define M(name, sing, plur, perm, title, sort, desc, std, fields) \
  { name, sing, plur, perm, title, sort, desc, std, fields, G_N_ELEMENTS (fields) }

static const ModuleDef module_defs[] = {
  M ("leads", N_("Lead"), N_("Leads"), "lead", "name", "updated_at", TRUE, STD_ALL, lead_fields),
  M ("customers", N_("Customer"), N_("Customers"), "customer", "name", "updated_at", TRUE, STD_ALL, customer_fields),
  M ("contacts", N_("Contact"), N_("Contacts"), "contact", "name", "updated_at", TRUE, STD_ALL, contact_fields),
  M ("opportunities", N_("Opportunity"), N_("Opportunities"), "opportunity", "name", "updated_at", TRUE, STD_ALL, opportunity_fields),
  M ("contracts", N_("Contract"), N_("Contracts"), "contract", "name", "updated_at", TRUE, STD_ALL, contract_fields),
  M ("payment_plans", N_("Payment plan"), N_("Payment plans"), "payment_plan", "instalment", "planned_date", FALSE, STD_ALL, payment_plan_fields),
  M ("payments", N_("Payment"), N_("Payments"), "payment", "number", "paid_date", TRUE, STD_ALL, payment_fields),
  M ("invoices", N_("Invoice"), N_("Invoices"), "invoice", "number", "updated_at", TRUE, STD_ALL, invoice_fields),
  M ("products", N_("Product"), N_("Products"), "product", "name", "name", FALSE, STD_ALL, product_fields),
  M ("product_categories", N_("Product category"), N_("Product categories"), "product_category", "name", "position", FALSE, STD_ALL, product_category_fields),
  M ("followups", N_("Follow-up"), N_("Follow-ups"), "followup", "content", "followed_at", TRUE, STD_ALL, followup_fields),
  M ("tasks", N_("Task"), N_("Tasks"), "task", "name", "due_at", FALSE, STD_ALL, task_fields),
  M ("schedules", N_("Schedule"), N_("Schedules"), "schedule", "title", "start_at", FALSE, STD_ALL, schedule_fields),
  M ("attachments", N_("Attachment"), N_("Attachments"), "attachment", "name", "created_at", TRUE, STD_ALL, attachment_fields),
  M ("departments", N_("Department"), N_("Departments"), "department", "name", "position", FALSE, STD_ALL, department_fields),
  M ("users", N_("User"), N_("Users"), "user", "name", "name", FALSE, STD_ALL, user_fields),
  M ("roles", N_("Role"), N_("Roles"), "role", "name", "name", FALSE, STD_ALL, role_fields),
  M ("pools", N_("Public pool"), N_("Public pools"), "pool", "name", "name", FALSE, STD_ALL, pool_fields),
  M ("stage_groups", N_("Stage group"), N_("Stage groups"), "stage_group", "name", "name", FALSE, STD_ALL, stage_group_fields),
  M ("approval_flows", N_("Approval flow"), N_("Approval flows"), "approval_flow", "name", "position", FALSE, STD_ALL, approval_flow_fields),
  M ("sales_targets", N_("Sales target"), N_("Sales targets"), "sales_target", "metric", "year", TRUE, STD_BASIC, sales_target_fields),
  M ("scenes", N_("Scene"), N_("Scenes"), "scene", "name", "position", FALSE, STD_BASIC, scene_fields),
};

static const char *module_names[G_N_ELEMENTS (module_defs) + 1];

/* Types ---------------------------------------------------------------------- */

static const struct { KehuFieldType type; const char *name; } type_names[] = {
  { KEHU_FIELD_TEXT, "text" },
  { KEHU_FIELD_LONG_TEXT, "long_text" },
  { KEHU_FIELD_INTEGER, "integer" },
  { KEHU_FIELD_NUMBER, "number" },
  { KEHU_FIELD_MONEY, "money" },
  { KEHU_FIELD_PERCENT, "percent" },
  { KEHU_FIELD_QUANTITY, "quantity" },
  { KEHU_FIELD_DATE, "date" },
  { KEHU_FIELD_DATETIME, "datetime" },
  { KEHU_FIELD_BOOLEAN, "boolean" },
  { KEHU_FIELD_CHOICE, "choice" },
  { KEHU_FIELD_MULTI_CHOICE, "multi_choice" },
  { KEHU_FIELD_ENUM, "enum" },
  { KEHU_FIELD_REFERENCE, "reference" },
  { KEHU_FIELD_USER, "user" },
  { KEHU_FIELD_PHONE, "phone" },
  { KEHU_FIELD_EMAIL, "email" },
  { KEHU_FIELD_TAGS, "tags" },
  { KEHU_FIELD_JSON, "json" },
  { KEHU_FIELD_ATTACHMENT, "attachment" },
};

const char *
kehu_field_type_to_string (KehuFieldType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (type_names[i].type == type)
      return type_names[i].name;
  return "text";
}

gboolean
kehu_field_type_from_string (const char    *str,
                             KehuFieldType *type)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (type_names); i++)
    if (strcmp (type_names[i].name, str) == 0)
      {
        *type = type_names[i].type;
        return TRUE;
      }
  return FALSE;
}

gboolean
kehu_field_type_is_numeric (KehuFieldType type)
{
  switch (type)
    {
    case KEHU_FIELD_INTEGER:
    case KEHU_FIELD_NUMBER:
    case KEHU_FIELD_MONEY:
    case KEHU_FIELD_PERCENT:
    case KEHU_FIELD_QUANTITY:
    case KEHU_FIELD_BOOLEAN:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
kehu_field_type_is_text (KehuFieldType type)
{
  return !kehu_field_type_is_numeric (type);
}

/* Modules --------------------------------------------------------------------- */

static void
module_free (KehuModule *module)
{
  g_ptr_array_unref (module->fields);
  g_hash_table_unref (module->by_name);
  g_ptr_array_unref (module->owned);
  g_free (module);
}

static KehuModule *
module_new (const ModuleDef *def)
{
  KehuModule *module = g_new0 (KehuModule, 1);

  module->def = def;
  module->fields = g_ptr_array_new ();
  module->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  module->owned = g_ptr_array_new_with_free_func (g_free);

  return module;
}

static void
module_add (KehuModule *module,
            KehuField  *field)
{
  g_ptr_array_add (module->fields, field);
  g_hash_table_insert (module->by_name, (gpointer) field->name, field);
}

const char * const *
kehu_schema_list_modules (void)
{
  if (module_names[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (module_defs); i++)
      module_names[i] = module_defs[i].name;
  return module_names;
}

const char *
kehu_module_get_name (const KehuModule *module)
{
  return module->def->name;
}

const char *
kehu_module_get_singular (const KehuModule *module)
{
  return _(module->def->singular);
}

const char *
kehu_module_get_plural (const KehuModule *module)
{
  return _(module->def->plural);
}

/* The "module" part of operation permission strings: customer.create… */
const char *
kehu_module_get_permission_key (const KehuModule *module)
{
  return module->def->perm_key;
}

const char *
kehu_module_get_title_field (const KehuModule *module)
{
  return module->def->title_field;
}

const char *
kehu_module_get_default_sort (const KehuModule *module,
                              gboolean         *descending)
{
  if (descending)
    *descending = module->def->default_desc;
  return module->def->default_sort;
}

gboolean
kehu_module_has_column (const KehuModule *module,
                        const char       *column)
{
  const KehuField *field;

  if (strcmp (column, "extra") == 0)
    return (module->def->std & STD_EXTRA) != 0;
  field = g_hash_table_lookup (module->by_name, column);
  return field != NULL && !(field->flags & KEHU_FIELD_CUSTOM);
}

guint
kehu_module_get_n_fields (const KehuModule *module)
{
  return module->fields->len;
}

const KehuField *
kehu_module_get_field (const KehuModule *module,
                       guint             i)
{
  g_return_val_if_fail (i < module->fields->len, NULL);
  return g_ptr_array_index (module->fields, i);
}

const KehuField *
kehu_module_lookup_field (const KehuModule *module,
                          const char       *name)
{
  return g_hash_table_lookup (module->by_name, name);
}

const char *
kehu_field_get_label (const KehuField *field)
{
  if (field->flags & KEHU_FIELD_CUSTOM)
    return field->label;
  return _(field->label);
}

/**
 * kehu_field_get_sql:
 *
 * Returns: the SQL expression that reads @field: its column, or for a custom
 *   field the value in extra. Names are checked identifiers, never user text.
 */
char *
kehu_field_get_sql (const KehuField *field)
{
  if (field->flags & KEHU_FIELD_CUSTOM)
    return g_strdup_printf ("json_extract (extra, '$.%s')", field->name);
  return g_strdup (field->name);
}

const char *
kehu_schema_display_label (const char *stored)
{
  if (stored == NULL || *stored == '\0')
    return stored;
  return g_dgettext (GETTEXT_PACKAGE, stored);
}

/* Loading --------------------------------------------------------------------- */

static gboolean
valid_identifier (const char *name)
{
  if (name == NULL || !g_ascii_islower (name[0]))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return strlen (name) <= 64;
}

static gboolean
load_columns (KehuSchema  *self,
              const char  *table,
              GHashTable  *not_null,
              GError     **error)
{
  sqlite3 *db = kehu_store_get_db (self->store);
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info (%s)", table);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return kehu_store_set_error_from_db (self->store, sqlite3_errcode (db), error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (not_null,
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
                         GINT_TO_POINTER (sqlite3_column_int (stmt, 3) ? 2 : 1));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (self->store, rc, error);
  return TRUE;
}

static KehuField *
copy_field (KehuModule      *module,
            const KehuField *field,
            GHashTable      *columns)
{
  KehuField *copy = g_memdup2 (field, sizeof *field);

  if (GPOINTER_TO_INT (g_hash_table_lookup (columns, field->name)) == 2)
    copy->flags |= KEHU_FIELD_NOT_NULL;
  g_ptr_array_add (module->owned, copy);
  return copy;
}

gboolean
kehu_schema_reload (KehuSchema  *self,
                    GError     **error)
{
  g_autoptr(GHashTable) modules = NULL;
  sqlite3 *db = kehu_store_get_db (self->store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  modules = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) module_free);

  for (guint i = 0; i < G_N_ELEMENTS (module_defs); i++)
    {
      const ModuleDef *def = &module_defs[i];
      g_autoptr(GHashTable) columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      KehuModule *module = module_new (def);

      g_hash_table_insert (modules, (gpointer) def->name, module);
      if (!load_columns (self, def->name, columns, error))
        return FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (std_fields); j++)
        if (def->std & std_bits[j])
          {
            KehuField *field = copy_field (module, &std_fields[j], columns);
            field->flags |= KEHU_FIELD_SYSTEM;
            module_add (module, field);
          }

      for (guint j = 0; j < def->n_fields; j++)
        {
          if (!g_hash_table_contains (columns, def->fields[j].name))
            {
              g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_MISMATCH,
                           "Schema description of %s has field %s, the table has no such column",
                           def->name, def->fields[j].name);
              return FALSE;
            }
          module_add (module, copy_field (module, &def->fields[j], columns));
        }
    }

  if (sqlite3_prepare_v2 (db,
                          "SELECT module, name, label, type, required, dictionary_id, in_list, searchable"
                          " FROM custom_fields WHERE is_enabled = 1 ORDER BY module, position, name",
                          -1, &stmt, NULL) != SQLITE_OK)
    return kehu_store_set_error_from_db (self->store, sqlite3_errcode (db), error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *module_name = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      KehuModule *module = g_hash_table_lookup (modules, module_name);
      KehuField *field;
      KehuFieldType type = KEHU_FIELD_TEXT;
      const char *dict = (const char *) sqlite3_column_text (stmt, 5);

      if (module == NULL || !valid_identifier (name) ||
          g_hash_table_contains (module->by_name, name))
        {
          g_warning ("Ignoring custom field %s.%s", module_name, name);
          continue;
        }

      kehu_field_type_from_string ((const char *) sqlite3_column_text (stmt, 3), &type);
      field = g_new0 (KehuField, 1);
      field->name = g_string_chunk_insert_const (self->strings, name);
      field->label = g_string_chunk_insert_const (self->strings, (const char *) sqlite3_column_text (stmt, 2));
      field->type = type;
      field->flags = KEHU_FIELD_CUSTOM | KEHU_FIELD_FILTERABLE | KEHU_FIELD_SORTABLE;
      if (sqlite3_column_int (stmt, 4))
        field->flags |= KEHU_FIELD_REQUIRED;
      if (sqlite3_column_int (stmt, 6))
        field->flags |= KEHU_FIELD_IN_LIST;
      if (sqlite3_column_int (stmt, 7))
        field->flags |= KEHU_FIELD_SEARCHABLE;
      if (dict != NULL)
        field->dictionary = g_string_chunk_insert_const (self->strings, dict);
      if (type == KEHU_FIELD_USER)
        field->reference = "users";
      if (type == KEHU_FIELD_ATTACHMENT)
        field->reference = "attachments";
      g_ptr_array_add (module->owned, field);
      module_add (module, field);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return kehu_store_set_error_from_db (self->store, rc, error);

  g_clear_pointer (&self->modules, g_hash_table_unref);
  self->modules = g_steal_pointer (&modules);
  return TRUE;
}

static void
kehu_schema_finalize (GObject *object)
{
  KehuSchema *self = (KehuSchema *)object;

  g_clear_pointer (&self->modules, g_hash_table_unref);
  g_clear_object (&self->store);
  g_string_chunk_free (self->strings);

  G_OBJECT_CLASS (kehu_schema_parent_class)->finalize (object);
}

static void
kehu_schema_class_init (KehuSchemaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kehu_schema_finalize;
}

static void
kehu_schema_init (KehuSchema *self)
{
  self->strings = g_string_chunk_new (256);
}

/**
 * kehu_schema_new:
 * @store: an open store at the latest version
 *
 * Returns: (transfer full): the schema of @store with its custom fields
 */
KehuSchema *
kehu_schema_new (KehuStore  *store,
                 GError    **error)
{
  g_autoptr(KehuSchema) self = NULL;

  g_return_val_if_fail (KEHU_IS_STORE (store), NULL);

  self = g_object_new (KEHU_TYPE_SCHEMA, NULL);
  self->store = g_object_ref (store);
  if (!kehu_schema_reload (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

KehuStore *
kehu_schema_get_store (KehuSchema *self)
{
  return self->store;
}

const KehuModule *
kehu_schema_get_module (KehuSchema *self,
                        const char *name)
{
  g_return_val_if_fail (KEHU_IS_SCHEMA (self), NULL);
  return name ? g_hash_table_lookup (self->modules, name) : NULL;
}

const KehuModule *
kehu_schema_lookup_module (KehuSchema  *self,
                           const char  *name,
                           GError     **error)
{
  const KehuModule *module = kehu_schema_get_module (self, name);

  if (module == NULL)
    g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_UNKNOWN_MODULE,
                 _("There is no module “%s”"), name ? name : "");
  return module;
}

/* Custom fields ----------------------------------------------------------------- */

static char *
now_string (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
run (KehuSchema  *self,
     const char  *sql,
     GError     **error,
     ...)
{
  sqlite3 *db = kehu_store_get_db (self->store);
  sqlite3_stmt *stmt = NULL;
  va_list args;
  int rc, i = 1;
  const char *arg;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return kehu_store_set_error_from_db (self->store, sqlite3_errcode (db), error);
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != (const char *) 1)
    sqlite3_bind_text (stmt, i++, arg, -1, SQLITE_TRANSIENT);
  va_end (args);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return kehu_store_set_error_from_db (self->store, rc, error);
  return TRUE;
}

#define END ((const char *) 1)

char *
kehu_schema_add_custom_field (KehuSchema      *self,
                              const char      *module_name,
                              const char      *name,
                              const char      *label,
                              KehuFieldType    type,
                              KehuFieldFlags   flags,
                              const char      *dictionary,
                              GError         **error)
{
  const KehuModule *module;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now = now_string ();
  sqlite3 *db = kehu_store_get_db (self->store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!(module = kehu_schema_lookup_module (self, module_name, error)))
    return NULL;
  if (!(module->def->std & STD_EXTRA))
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_UNKNOWN_MODULE,
                   _("The module “%s” has no custom fields"), module_name);
      return NULL;
    }
  if (!valid_identifier (name))
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_INVALID_NAME,
                   _("“%s” is not a valid field name: use lower-case letters, digits and “_”, starting with a letter"),
                   name ? name : "");
      return NULL;
    }
  if (kehu_module_lookup_field (module, name) != NULL || strcmp (name, "extra") == 0)
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_DUPLICATE,
                   _("The module “%s” already has a field “%s”"), module_name, name);
      return NULL;
    }
  if (type == KEHU_FIELD_ENUM || type == KEHU_FIELD_REFERENCE || type == KEHU_FIELD_JSON ||
      type == KEHU_FIELD_TAGS || type == KEHU_FIELD_QUANTITY || type == KEHU_FIELD_PERCENT ||
      type == KEHU_FIELD_INTEGER ||
      ((type == KEHU_FIELD_CHOICE || type == KEHU_FIELD_MULTI_CHOICE) && dictionary == NULL))
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_INVALID_NAME,
                   _("A custom field cannot have the type “%s” here"), kehu_field_type_to_string (type));
      return NULL;
    }

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO custom_fields (id, created_at, updated_at, module, name, label, type,"
                          " required, dictionary_id, position, in_list, searchable)"
                          " VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                          " (SELECT IFNULL (MAX (position), 0) + 1 FROM custom_fields WHERE module = ?3), ?9, ?10)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      kehu_store_set_error_from_db (self->store, sqlite3_errcode (db), error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, module_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, label ? label : name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, type == KEHU_FIELD_LONG_TEXT ? "long_text" : kehu_field_type_to_string (type), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, (flags & KEHU_FIELD_REQUIRED) != 0);
  if (dictionary)
    sqlite3_bind_text (stmt, 8, dictionary, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 9, (flags & KEHU_FIELD_IN_LIST) != 0);
  sqlite3_bind_int (stmt, 10, (flags & KEHU_FIELD_SEARCHABLE) != 0);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      kehu_store_set_error_from_db (self->store, rc, error);
      return NULL;
    }

  if (!kehu_schema_reload (self, error))
    return NULL;
  return g_steal_pointer (&id);
}

static const KehuField *
lookup_custom (KehuSchema  *self,
               const char  *module_name,
               const char  *name,
               GError     **error)
{
  const KehuModule *module;
  const KehuField *field;

  if (!(module = kehu_schema_lookup_module (self, module_name, error)))
    return NULL;
  field = kehu_module_lookup_field (module, name);
  if (field == NULL || !(field->flags & KEHU_FIELD_CUSTOM))
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_NOT_FOUND,
                   _("The module “%s” has no custom field “%s”"), module_name, name);
      return NULL;
    }
  return field;
}

/* Renaming moves the key in every record's extra, so values follow the field. */
gboolean
kehu_schema_rename_custom_field (KehuSchema  *self,
                                 const char  *module_name,
                                 const char  *old_name,
                                 const char  *new_name,
                                 GError     **error)
{
  const KehuModule *module;
  g_autofree char *sql = NULL;
  g_autofree char *now = now_string ();
  g_autofree char *old_path = NULL;
  g_autofree char *new_path = NULL;
  gboolean ok;

  if (!lookup_custom (self, module_name, old_name, error))
    return FALSE;
  module = kehu_schema_get_module (self, module_name);
  if (!valid_identifier (new_name))
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_INVALID_NAME,
                   _("“%s” is not a valid field name: use lower-case letters, digits and “_”, starting with a letter"),
                   new_name ? new_name : "");
      return FALSE;
    }
  if (kehu_module_lookup_field (module, new_name) != NULL)
    {
      g_set_error (error, KEHU_SCHEMA_ERROR, KEHU_SCHEMA_ERROR_DUPLICATE,
                   _("The module “%s” already has a field “%s”"), module_name, new_name);
      return FALSE;
    }

  old_path = g_strdup_printf ("$.%s", old_name);
  new_path = g_strdup_printf ("$.%s", new_name);
  /* module_name was checked against the schema, so it is a safe identifier. */
  sql = g_strdup_printf ("UPDATE %s SET extra = json_remove (json_set (extra, ?2, json_extract (extra, ?1)), ?1)"
                         " WHERE json_type (extra, ?1) IS NOT NULL", module_name);

  if (!kehu_store_begin (self->store, error))
    return FALSE;
  ok = run (self, "UPDATE custom_fields SET name = ?3, updated_at = ?4 WHERE module = ?1 AND name = ?2", error,
            module_name, old_name, new_name, now, END) &&
       run (self, sql, error, old_path, new_path, END) &&
       kehu_store_commit (self->store, error);
  if (!ok)
    {
      kehu_store_rollback (self->store);
      return FALSE;
    }
  return kehu_schema_reload (self, error);
}

/* Removing drops the values too: a field added again later starts empty. */
gboolean
kehu_schema_remove_custom_field (KehuSchema  *self,
                                 const char  *module_name,
                                 const char  *name,
                                 GError     **error)
{
  g_autofree char *sql = NULL;
  g_autofree char *path = NULL;
  gboolean ok;

  if (!lookup_custom (self, module_name, name, error))
    return FALSE;

  path = g_strdup_printf ("$.%s", name);
  sql = g_strdup_printf ("UPDATE %s SET extra = json_remove (extra, ?1) WHERE json_type (extra, ?1) IS NOT NULL",
                         module_name);
  if (!kehu_store_begin (self->store, error))
    return FALSE;
  ok = run (self, "DELETE FROM custom_fields WHERE module = ?1 AND name = ?2", error, module_name, name, END) &&
       run (self, sql, error, path, END) &&
       kehu_store_commit (self->store, error);
  if (!ok)
    {
      kehu_store_rollback (self->store);
      return FALSE;
    }
  return kehu_schema_reload (self, error);
}
