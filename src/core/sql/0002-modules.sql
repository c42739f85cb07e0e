-- Migration 2: every module of SPEC.md §1–13.
--
-- Conventions (DESIGN.md "Data"):
-- * Records of a module have: id (UUID text, made by whoever creates it, so
--   offline creation works), rev (server revision; 0 = never synced),
--   created_at / updated_at (UTC, ISO 8601 "YYYY-MM-DDTHH:MM:SSZ"),
--   created_by, owner_id, deleted_at (soft delete = recycle bin), extra (JSON
--   object with custom-field values).
-- * Money is INTEGER cents; win rates and discounts integer percent;
--   quantities integer thousandths (1.5 units = 1500); booleans 0/1; dates
--   "YYYY-MM-DD"; times ISO 8601 UTC.
-- * References between modules (contact → customer…) carry no FOREIGN KEY:
--   a client cache may hold a contact without the customer it belongs to
--   (team membership, data scope), and the recycle bin keeps references to
--   deleted records. The record API checks them. Parts of a record (product
--   lines, stage history, task participants…) do cascade.

-- Organisation ---------------------------------------------------------------

CREATE TABLE departments (
  id          TEXT PRIMARY KEY NOT NULL,
  rev         INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  created_by  TEXT,
  owner_id    TEXT,
  deleted_at  TEXT,
  extra       TEXT NOT NULL DEFAULT '{}',
  name        TEXT NOT NULL,
  parent_id   TEXT REFERENCES departments (id),
  position    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX departments_parent ON departments (parent_id);

CREATE TABLE users (
  id             TEXT PRIMARY KEY NOT NULL,
  rev            INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  created_by     TEXT,
  owner_id       TEXT,
  deleted_at     TEXT,
  extra          TEXT NOT NULL DEFAULT '{}',
  phone          TEXT NOT NULL,
  name           TEXT NOT NULL,
  gender         TEXT CHECK (gender IN ('male', 'female', 'unknown')),
  email          TEXT,
  department_id  TEXT REFERENCES departments (id),
  post           TEXT,
  supervisor_id  TEXT REFERENCES users (id),
  is_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  is_super_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_super_admin IN (0, 1)),
  password_hash  TEXT,              -- Argon2id (libsodium); server only
  scope_epoch    INTEGER NOT NULL DEFAULT 0,  -- bumped when role/scope/department change
  last_login_at  TEXT
) STRICT;
CREATE UNIQUE INDEX users_phone ON users (phone);
CREATE INDEX users_department ON users (department_id);
CREATE INDEX users_supervisor ON users (supervisor_id);

CREATE TABLE roles (
  id           TEXT PRIMARY KEY NOT NULL,
  rev          INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  created_by   TEXT,
  owner_id     TEXT,
  deleted_at   TEXT,
  extra        TEXT NOT NULL DEFAULT '{}',
  name         TEXT NOT NULL,
  description  TEXT,
  permissions  TEXT NOT NULL DEFAULT '[]',  -- JSON array of "module.action"
  data_scope   TEXT NOT NULL DEFAULT 'self'
               CHECK (data_scope IN ('self', 'self_and_subordinates', 'department',
                                     'department_and_children', 'all')),
  is_system    INTEGER NOT NULL DEFAULT 0 CHECK (is_system IN (0, 1))
) STRICT;

CREATE TABLE user_roles (
  user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id  TEXT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_roles_role ON user_roles (role_id);

-- Server only: sessions and the login log.
CREATE TABLE auth_tokens (
  token_hash  TEXT PRIMARY KEY NOT NULL,   -- SHA-256 of the token, hex
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  revoked_at  TEXT,
  address     TEXT
) STRICT;
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE login_log (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       TEXT NOT NULL,
  address  TEXT,
  phone    TEXT,
  user_id  TEXT,
  result   TEXT NOT NULL   -- ok, wrong_password, unknown_user, disabled, throttled
) STRICT;
CREATE INDEX login_log_at ON login_log (at);
CREATE INDEX login_log_phone ON login_log (phone, at);
CREATE INDEX login_log_address ON login_log (address, at);

-- Data dictionaries and custom fields ------------------------------------------

CREATE TABLE dictionaries (
  id          TEXT PRIMARY KEY NOT NULL,   -- a stable key: customer_level, industry…
  rev         INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  name        TEXT NOT NULL,
  is_system   INTEGER NOT NULL DEFAULT 0 CHECK (is_system IN (0, 1))
) STRICT;

CREATE TABLE dictionary_items (
  id             TEXT PRIMARY KEY NOT NULL,
  dictionary_id  TEXT NOT NULL REFERENCES dictionaries (id) ON DELETE CASCADE,
  value          TEXT NOT NULL,   -- stored in records
  label          TEXT NOT NULL,   -- shown to users
  position       INTEGER NOT NULL DEFAULT 0,
  is_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  UNIQUE (dictionary_id, value)
) STRICT;

CREATE TABLE custom_fields (
  id             TEXT PRIMARY KEY NOT NULL,
  rev            INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  module         TEXT NOT NULL,
  name           TEXT NOT NULL,   -- key in the record's extra JSON
  label          TEXT NOT NULL,
  type           TEXT NOT NULL CHECK (type IN ('text', 'long_text', 'number', 'money', 'date',
                                               'datetime', 'choice', 'multi_choice', 'user',
                                               'boolean', 'phone', 'email', 'attachment')),
  required       INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
  dictionary_id  TEXT REFERENCES dictionaries (id),
  position       INTEGER NOT NULL DEFAULT 0,
  in_list        INTEGER NOT NULL DEFAULT 0 CHECK (in_list IN (0, 1)),
  searchable     INTEGER NOT NULL DEFAULT 0 CHECK (searchable IN (0, 1)),
  is_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  UNIQUE (module, name)
) STRICT;

-- Leads, customers, contacts ---------------------------------------------------

CREATE TABLE leads (
  id                     TEXT PRIMARY KEY NOT NULL,
  rev                    INTEGER NOT NULL DEFAULT 0,
  created_at             TEXT NOT NULL,
  updated_at             TEXT NOT NULL,
  created_by             TEXT,
  owner_id               TEXT,
  deleted_at             TEXT,
  extra                  TEXT NOT NULL DEFAULT '{}',
  name                   TEXT NOT NULL,       -- company or person
  contact_name           TEXT,
  phone                  TEXT,
  mobile                 TEXT,
  email                  TEXT,
  source                 TEXT,                -- dictionary customer_source
  industry               TEXT,                -- dictionary industry
  level                  TEXT,                -- dictionary customer_level
  region                 TEXT,
  address                TEXT,
  status                 TEXT NOT NULL DEFAULT 'new'
                         CHECK (status IN ('new', 'following', 'converted', 'invalid')),
  converted_customer_id  TEXT,
  converted_at           TEXT,
  last_followup_at       TEXT,
  next_contact_at        TEXT,
  remark                 TEXT
) STRICT;
CREATE INDEX leads_owner ON leads (owner_id, updated_at);
CREATE INDEX leads_updated ON leads (updated_at, id);
CREATE INDEX leads_created ON leads (created_at, id);
CREATE INDEX leads_name ON leads (name, id);
CREATE INDEX leads_phone ON leads (phone);
CREATE INDEX leads_rev ON leads (rev);

CREATE TABLE pools (
  id                      TEXT PRIMARY KEY NOT NULL,
  rev                     INTEGER NOT NULL DEFAULT 0,
  created_at              TEXT NOT NULL,
  updated_at              TEXT NOT NULL,
  created_by              TEXT,
  owner_id                TEXT,
  deleted_at              TEXT,
  extra                   TEXT NOT NULL DEFAULT '{}',
  name                    TEXT NOT NULL,
  description             TEXT,
  is_default              INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  is_enabled              INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  recycle_enabled         INTEGER NOT NULL DEFAULT 1 CHECK (recycle_enabled IN (0, 1)),
  remind_days             INTEGER NOT NULL DEFAULT 3,    -- warn K days before recycling
  reclaim_cooldown_days   INTEGER NOT NULL DEFAULT 7,    -- before a former owner may reclaim
  max_owned_per_user      INTEGER,                       -- NULL = no cap
  max_locked_per_user     INTEGER
) STRICT;

CREATE TABLE pool_members (
  pool_id        TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  member_type    TEXT NOT NULL CHECK (member_type IN ('user', 'department')),
  member_id      TEXT NOT NULL,
  is_admin       INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  PRIMARY KEY (pool_id, member_type, member_id)
) STRICT, WITHOUT ROWID;

-- Recycling: a customer of this level returns to the pool after N days
-- without a follow-up, M without an opportunity or D without a deal.
CREATE TABLE pool_rules (
  id                    TEXT PRIMARY KEY NOT NULL,
  pool_id               TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  customer_level        TEXT,          -- NULL = every level without its own rule
  no_followup_days      INTEGER,
  no_opportunity_days   INTEGER,
  no_deal_days          INTEGER,
  UNIQUE (pool_id, customer_level)
) STRICT;

CREATE TABLE pool_claim_limits (
  pool_id    TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
  role_id    TEXT NOT NULL,
  per_day    INTEGER,
  per_week   INTEGER,
  per_month  INTEGER,
  PRIMARY KEY (pool_id, role_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE customers (
  id                TEXT PRIMARY KEY NOT NULL,
  rev               INTEGER NOT NULL DEFAULT 0,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  created_by        TEXT,
  owner_id          TEXT,              -- NULL while in the public pool
  deleted_at        TEXT,
  extra             TEXT NOT NULL DEFAULT '{}',
  name              TEXT NOT NULL,
  number            TEXT,
  level             TEXT,              -- dictionary customer_level: potential, normal, vip…
  type              TEXT,              -- dictionary customer_type
  source            TEXT,              -- dictionary customer_source
  industry          TEXT,              -- dictionary industry
  region            TEXT,
  address           TEXT,
  phone             TEXT,
  email             TEXT,
  website           TEXT,
  tags              TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  is_hot            INTEGER NOT NULL DEFAULT 0 CHECK (is_hot IN (0, 1)),
  hot_reason        TEXT,
  parent_id         TEXT,              -- parent customer
  is_locked         INTEGER NOT NULL DEFAULT 0 CHECK (is_locked IN (0, 1)),
  deal_status       TEXT NOT NULL DEFAULT 'none' CHECK (deal_status IN ('none', 'deal')),
  pool_id           TEXT,              -- the pool it is in, when owner_id IS NULL
  pooled_at         TEXT,
  former_owner_id   TEXT,
  return_reason     TEXT,
  owned_since       TEXT,              -- when the current owner got it (recycle clock)
  last_followup_at  TEXT,
  next_contact_at   TEXT,
  last_deal_at      TEXT,
  -- Totals kept by the record API, never by callers.
  contract_total    INTEGER NOT NULL DEFAULT 0,
  plan_total        INTEGER NOT NULL DEFAULT 0,
  received_total    INTEGER NOT NULL DEFAULT 0,
  invoiced_total    INTEGER NOT NULL DEFAULT 0,
  remark            TEXT
) STRICT;
CREATE INDEX customers_owner ON customers (owner_id, updated_at);
CREATE INDEX customers_pool ON customers (pool_id, pooled_at) WHERE owner_id IS NULL;
CREATE INDEX customers_updated ON customers (updated_at, id);
CREATE INDEX customers_created ON customers (created_at, id);
CREATE INDEX customers_name ON customers (name, id);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_followup ON customers (last_followup_at, id);
CREATE INDEX customers_parent ON customers (parent_id);
CREATE INDEX customers_rev ON customers (rev);

CREATE TABLE contacts (
  id                TEXT PRIMARY KEY NOT NULL,
  rev               INTEGER NOT NULL DEFAULT 0,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  created_by        TEXT,
  owner_id          TEXT,
  deleted_at        TEXT,
  extra             TEXT NOT NULL DEFAULT '{}',
  customer_id       TEXT,
  name              TEXT NOT NULL,
  gender            TEXT CHECK (gender IN ('male', 'female', 'unknown')),
  post              TEXT,
  phone             TEXT,
  mobile            TEXT,
  email             TEXT,
  wechat            TEXT,
  birthday          TEXT,          -- YYYY-MM-DD
  address           TEXT,
  is_primary        INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
  last_followup_at  TEXT,
  next_contact_at   TEXT,
  remark            TEXT
) STRICT;
CREATE INDEX contacts_customer ON contacts (customer_id);
CREATE INDEX contacts_owner ON contacts (owner_id, updated_at);
CREATE INDEX contacts_updated ON contacts (updated_at, id);
CREATE INDEX contacts_name ON contacts (name, id);
CREATE INDEX contacts_mobile ON contacts (mobile);
CREATE INDEX contacts_birthday ON contacts (substr (birthday, 6, 2));
CREATE INDEX contacts_rev ON contacts (rev);

-- Products ----------------------------------------------------------------------

CREATE TABLE product_categories (
  id          TEXT PRIMARY KEY NOT NULL,
  rev         INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  created_by  TEXT,
  owner_id    TEXT,
  deleted_at  TEXT,
  extra       TEXT NOT NULL DEFAULT '{}',
  name        TEXT NOT NULL,
  parent_id   TEXT REFERENCES product_categories (id),
  position    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE products (
  id           TEXT PRIMARY KEY NOT NULL,
  rev          INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  created_by   TEXT,
  owner_id     TEXT,
  deleted_at   TEXT,
  extra        TEXT NOT NULL DEFAULT '{}',
  name         TEXT NOT NULL,
  code         TEXT,
  category_id  TEXT,
  unit         TEXT,
  price        INTEGER NOT NULL DEFAULT 0,
  cost         INTEGER,
  is_on_sale   INTEGER NOT NULL DEFAULT 1 CHECK (is_on_sale IN (0, 1)),
  description  TEXT
) STRICT;
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_name ON products (name, id);
CREATE INDEX products_rev ON products (rev);

-- Opportunities -------------------------------------------------------------------

CREATE TABLE stage_groups (
  id          TEXT PRIMARY KEY NOT NULL,
  rev         INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  created_by  TEXT,
  owner_id    TEXT,
  deleted_at  TEXT,
  extra       TEXT NOT NULL DEFAULT '{}',
  name        TEXT NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1))
) STRICT;

CREATE TABLE stages (
  id          TEXT PRIMARY KEY NOT NULL,
  group_id    TEXT NOT NULL REFERENCES stage_groups (id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  win_rate    INTEGER NOT NULL CHECK (win_rate BETWEEN 0 AND 100),
  position    INTEGER NOT NULL,
  kind        TEXT NOT NULL DEFAULT 'open' CHECK (kind IN ('open', 'won', 'lost', 'invalid'))
) STRICT;
CREATE INDEX stages_group ON stages (group_id, position);

CREATE TABLE opportunities (
  id                   TEXT PRIMARY KEY NOT NULL,
  rev                  INTEGER NOT NULL DEFAULT 0,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  created_by           TEXT,
  owner_id             TEXT,
  deleted_at           TEXT,
  extra                TEXT NOT NULL DEFAULT '{}',
  name                 TEXT NOT NULL,
  customer_id          TEXT,
  stage_group_id       TEXT,
  stage_id             TEXT,
  status               TEXT NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'won', 'lost', 'invalid')),
  amount               INTEGER NOT NULL DEFAULT 0,    -- expected amount, cents
  expected_close_date  TEXT,
  stage_changed_at     TEXT,
  lost_reason          TEXT,
  competitors          TEXT,
  last_followup_at     TEXT,
  next_contact_at      TEXT,
  remark               TEXT
) STRICT;
CREATE INDEX opportunities_customer ON opportunities (customer_id);
CREATE INDEX opportunities_owner ON opportunities (owner_id, updated_at);
CREATE INDEX opportunities_stage ON opportunities (stage_id);
CREATE INDEX opportunities_updated ON opportunities (updated_at, id);
CREATE INDEX opportunities_close ON opportunities (expected_close_date);
CREATE INDEX opportunities_rev ON opportunities (rev);

CREATE TABLE opportunity_products (
  id              TEXT PRIMARY KEY NOT NULL,
  opportunity_id  TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  product_id      TEXT,
  position        INTEGER NOT NULL DEFAULT 0,
  price           INTEGER NOT NULL DEFAULT 0,     -- cents
  quantity        INTEGER NOT NULL DEFAULT 1000,  -- thousandths
  discount        INTEGER NOT NULL DEFAULT 0 CHECK (discount BETWEEN 0 AND 100),
  subtotal        INTEGER NOT NULL DEFAULT 0,     -- cents, computed
  remark          TEXT
) STRICT;
CREATE INDEX opportunity_products_opportunity ON opportunity_products (opportunity_id, position);

CREATE TABLE opportunity_stage_history (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  opportunity_id  TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  from_stage_id   TEXT,
  to_stage_id     TEXT,
  changed_at      TEXT NOT NULL,
  changed_by      TEXT,
  dwell_days      INTEGER,      -- days spent in from_stage
  reason          TEXT
) STRICT;
CREATE INDEX opportunity_stage_history_opportunity ON opportunity_stage_history (opportunity_id, changed_at);

-- Contracts, payments, invoices -----------------------------------------------------

CREATE TABLE contracts (
  id                  TEXT PRIMARY KEY NOT NULL,
  rev                 INTEGER NOT NULL DEFAULT 0,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  created_by          TEXT,
  owner_id            TEXT,
  deleted_at          TEXT,
  extra               TEXT NOT NULL DEFAULT '{}',
  number              TEXT,
  name                TEXT NOT NULL,
  customer_id         TEXT,
  opportunity_id      TEXT,
  amount              INTEGER NOT NULL DEFAULT 0,
  signed_date         TEXT,
  start_date          TEXT,
  end_date            TEXT,
  customer_signer_id  TEXT,     -- a contact
  our_signer_id       TEXT,     -- a user
  payment_method      TEXT,
  approval_status     TEXT NOT NULL DEFAULT 'draft'
                      CHECK (approval_status IN ('draft', 'pending', 'approved', 'rejected', 'withdrawn')),
  -- Totals kept by the record API.
  product_total       INTEGER NOT NULL DEFAULT 0,
  received_total      INTEGER NOT NULL DEFAULT 0,
  outstanding         INTEGER NOT NULL DEFAULT 0,
  invoiced_total      INTEGER NOT NULL DEFAULT 0,
  plan_total          INTEGER NOT NULL DEFAULT 0,
  remark              TEXT
) STRICT;
CREATE INDEX contracts_customer ON contracts (customer_id);
CREATE INDEX contracts_opportunity ON contracts (opportunity_id);
CREATE INDEX contracts_owner ON contracts (owner_id, updated_at);
CREATE INDEX contracts_signed ON contracts (signed_date, id);
CREATE INDEX contracts_end ON contracts (end_date);
CREATE INDEX contracts_updated ON contracts (updated_at, id);
CREATE UNIQUE INDEX contracts_number ON contracts (number) WHERE number IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX contracts_rev ON contracts (rev);

CREATE TABLE contract_products (
  id           TEXT PRIMARY KEY NOT NULL,
  contract_id  TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
  product_id   TEXT,
  position     INTEGER NOT NULL DEFAULT 0,
  price        INTEGER NOT NULL DEFAULT 0,
  quantity     INTEGER NOT NULL DEFAULT 1000,
  discount     INTEGER NOT NULL DEFAULT 0 CHECK (discount BETWEEN 0 AND 100),
  subtotal     INTEGER NOT NULL DEFAULT 0,
  remark       TEXT
) STRICT;
CREATE INDEX contract_products_contract ON contract_products (contract_id, position);

CREATE TABLE payment_plans (
  id              TEXT PRIMARY KEY NOT NULL,
  rev             INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  created_by      TEXT,
  owner_id        TEXT,
  deleted_at      TEXT,
  extra           TEXT NOT NULL DEFAULT '{}',
  contract_id     TEXT,
  customer_id     TEXT,
  instalment      INTEGER NOT NULL DEFAULT 1,
  planned_amount  INTEGER NOT NULL DEFAULT 0,
  planned_date    TEXT,
  method          TEXT,
  remind_days     INTEGER NOT NULL DEFAULT 3,
  received_amount INTEGER NOT NULL DEFAULT 0,   -- approved payments against it
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'partial', 'received')),
  remark          TEXT
) STRICT;
CREATE INDEX payment_plans_contract ON payment_plans (contract_id, instalment);
CREATE INDEX payment_plans_date ON payment_plans (planned_date);
CREATE INDEX payment_plans_rev ON payment_plans (rev);

CREATE TABLE payments (
  id               TEXT PRIMARY KEY NOT NULL,
  rev              INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  created_by       TEXT,
  owner_id         TEXT,
  deleted_at       TEXT,
  extra            TEXT NOT NULL DEFAULT '{}',
  number           TEXT,
  contract_id      TEXT,
  customer_id      TEXT,
  plan_id          TEXT,
  amount           INTEGER NOT NULL DEFAULT 0,
  paid_date        TEXT,
  method           TEXT,
  approval_status  TEXT NOT NULL DEFAULT 'draft'
                   CHECK (approval_status IN ('draft', 'pending', 'approved', 'rejected', 'withdrawn')),
  remark           TEXT
) STRICT;
CREATE INDEX payments_contract ON payments (contract_id);
CREATE INDEX payments_customer ON payments (customer_id);
CREATE INDEX payments_owner ON payments (owner_id, updated_at);
CREATE INDEX payments_date ON payments (paid_date, id);
CREATE INDEX payments_rev ON payments (rev);

CREATE TABLE invoices (
  id               TEXT PRIMARY KEY NOT NULL,
  rev              INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  created_by       TEXT,
  owner_id         TEXT,
  deleted_at       TEXT,
  extra            TEXT NOT NULL DEFAULT '{}',
  number           TEXT,
  contract_id      TEXT,
  customer_id      TEXT,
  amount           INTEGER NOT NULL DEFAULT 0,
  invoice_date     TEXT,
  invoice_type     TEXT,          -- dictionary invoice_type: 普通发票, 专用发票
  title            TEXT,
  tax_number       TEXT,
  approval_status  TEXT NOT NULL DEFAULT 'draft'
                   CHECK (approval_status IN ('draft', 'pending', 'approved', 'rejected', 'withdrawn')),
  remark           TEXT
) STRICT;
CREATE INDEX invoices_contract ON invoices (contract_id);
CREATE INDEX invoices_rev ON invoices (rev);

-- Follow-ups, tasks, schedules, attachments ---------------------------------------------

CREATE TABLE followups (
  id               TEXT PRIMARY KEY NOT NULL,
  rev              INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  created_by       TEXT,
  owner_id         TEXT,
  deleted_at       TEXT,
  extra            TEXT NOT NULL DEFAULT '{}',
  target_module    TEXT NOT NULL CHECK (target_module IN ('leads', 'customers', 'contacts',
                                                          'opportunities', 'contracts')),
  target_id        TEXT NOT NULL,
  customer_id      TEXT,            -- the customer behind the target, for the timeline
  method           TEXT NOT NULL,   -- phone, email, visit, sms, wechat, meeting
  content          TEXT NOT NULL,
  followed_at      TEXT NOT NULL,
  next_contact_at  TEXT
) STRICT;
CREATE INDEX followups_target ON followups (target_module, target_id, followed_at);
CREATE INDEX followups_customer ON followups (customer_id, followed_at);
CREATE INDEX followups_owner ON followups (owner_id, followed_at);
CREATE INDEX followups_at ON followups (followed_at, id);
CREATE INDEX followups_rev ON followups (rev);

CREATE TABLE tasks (
  id           TEXT PRIMARY KEY NOT NULL,
  rev          INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  created_by   TEXT,
  owner_id     TEXT,
  deleted_at   TEXT,
  extra        TEXT NOT NULL DEFAULT '{}',
  parent_id    TEXT REFERENCES tasks (id) ON DELETE CASCADE,   -- subtasks
  name         TEXT NOT NULL,
  description  TEXT,
  due_at       TEXT,
  priority     TEXT NOT NULL DEFAULT 'none' CHECK (priority IN ('none', 'low', 'medium', 'high')),
  tags         TEXT NOT NULL DEFAULT '[]',
  status       TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'done')),
  done_at      TEXT,
  position     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX tasks_owner ON tasks (owner_id, status, due_at);
CREATE INDEX tasks_parent ON tasks (parent_id, position);
CREATE INDEX tasks_rev ON tasks (rev);

CREATE TABLE task_participants (
  task_id  TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  user_id  TEXT NOT NULL,
  PRIMARY KEY (task_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX task_participants_user ON task_participants (user_id);

CREATE TABLE task_comments (
  id          TEXT PRIMARY KEY NOT NULL,
  task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  user_id     TEXT,
  content     TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX task_comments_task ON task_comments (task_id, created_at);

CREATE TABLE task_links (
  task_id        TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  target_module  TEXT NOT NULL,
  target_id      TEXT NOT NULL,
  PRIMARY KEY (task_id, target_module, target_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX task_links_target ON task_links (target_module, target_id);

CREATE TABLE schedules (
  id             TEXT PRIMARY KEY NOT NULL,
  rev            INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  created_by     TEXT,
  owner_id       TEXT,
  deleted_at     TEXT,
  extra          TEXT NOT NULL DEFAULT '{}',
  title          TEXT NOT NULL,
  description    TEXT,
  start_at       TEXT NOT NULL,
  end_at         TEXT,
  remind_at      TEXT,
  reminded_at    TEXT,
  target_module  TEXT,
  target_id      TEXT,
  followup_id    TEXT
) STRICT;
CREATE INDEX schedules_owner ON schedules (owner_id, start_at);
CREATE INDEX schedules_remind ON schedules (remind_at) WHERE reminded_at IS NULL;
CREATE INDEX schedules_rev ON schedules (rev);

CREATE TABLE attachments (
  id             TEXT PRIMARY KEY NOT NULL,
  rev            INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  created_by     TEXT,
  owner_id       TEXT,
  deleted_at     TEXT,
  extra          TEXT NOT NULL DEFAULT '{}',
  target_module  TEXT NOT NULL,
  target_id      TEXT NOT NULL,
  name           TEXT NOT NULL,
  mime_type      TEXT,
  size           INTEGER NOT NULL CHECK (size >= 0),
  sha256         TEXT NOT NULL CHECK (length (sha256) = 64)
) STRICT;
CREATE INDEX attachments_target ON attachments (target_module, target_id);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE INDEX attachments_rev ON attachments (rev);

-- Blobs this database has locally (the server's store, a client's cache).
CREATE TABLE blobs (
  sha256      TEXT PRIMARY KEY NOT NULL CHECK (length (sha256) = 64),
  size        INTEGER NOT NULL,
  path        TEXT NOT NULL,
  stored_at   TEXT NOT NULL
) STRICT;

-- Teams, the operation log ----------------------------------------------------------------

CREATE TABLE team_members (
  module     TEXT NOT NULL,
  record_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  access     TEXT NOT NULL CHECK (access IN ('read', 'write')),
  added_at   TEXT NOT NULL,
  added_by   TEXT,
  PRIMARY KEY (module, record_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX team_members_user ON team_members (user_id, module);

CREATE TABLE oplog (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  module     TEXT NOT NULL,
  record_id  TEXT NOT NULL,
  user_id    TEXT,
  at         TEXT NOT NULL,
  action     TEXT NOT NULL,   -- create, update, delete, restore, purge, transfer, convert…
  field      TEXT,
  old_value  TEXT,
  new_value  TEXT
) STRICT;
CREATE INDEX oplog_record ON oplog (module, record_id, id);
CREATE INDEX oplog_user ON oplog (user_id, at);

CREATE TABLE pool_history (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id      TEXT NOT NULL,
  pool_id          TEXT,
  action           TEXT NOT NULL CHECK (action IN ('return', 'recycle', 'claim', 'assign', 'enter')),
  user_id          TEXT,          -- who did it (NULL for the recycle job)
  from_owner_id    TEXT,
  to_owner_id      TEXT,
  at               TEXT NOT NULL,
  reason           TEXT
) STRICT;
CREATE INDEX pool_history_customer ON pool_history (customer_id, at);
CREATE INDEX pool_history_claims ON pool_history (to_owner_id, action, at);

-- Approvals -------------------------------------------------------------------------------

CREATE TABLE approval_flows (
  id              TEXT PRIMARY KEY NOT NULL,
  rev             INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  created_by      TEXT,
  owner_id        TEXT,
  deleted_at      TEXT,
  extra           TEXT NOT NULL DEFAULT '{}',
  name            TEXT NOT NULL,
  business_type   TEXT NOT NULL CHECK (business_type IN ('contract', 'payment', 'invoice', 'generic')),
  definition      TEXT NOT NULL,      -- the flow JSON of kehu-approval.c
  is_enabled      INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
  position        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE approval_instances (
  id              TEXT PRIMARY KEY NOT NULL,
  rev             INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  flow_id         TEXT NOT NULL,
  flow_definition TEXT NOT NULL,      -- the flow as it was when submitted
  business_type   TEXT NOT NULL,
  module          TEXT NOT NULL,
  record_id       TEXT NOT NULL,
  title           TEXT,
  submitter_id    TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
  state           TEXT NOT NULL,      -- the engine's state JSON
  waiting         TEXT NOT NULL DEFAULT '[]',  -- JSON array of user ids waiting now
  copy_to         TEXT NOT NULL DEFAULT '[]',
  submitted_at    TEXT NOT NULL,
  decided_at      TEXT
) STRICT;
CREATE INDEX approval_instances_record ON approval_instances (module, record_id, submitted_at);
CREATE INDEX approval_instances_submitter ON approval_instances (submitter_id, submitted_at);
CREATE INDEX approval_instances_status ON approval_instances (status, submitted_at);

CREATE TABLE approval_waiting (
  instance_id  TEXT NOT NULL REFERENCES approval_instances (id) ON DELETE CASCADE,
  user_id      TEXT NOT NULL,
  PRIMARY KEY (instance_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX approval_waiting_user ON approval_waiting (user_id);

CREATE TABLE approval_actions (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id  TEXT NOT NULL REFERENCES approval_instances (id) ON DELETE CASCADE,
  step         INTEGER,
  user_id      TEXT NOT NULL,
  action       TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'reject', 'transfer',
                                               'withdraw', 'resubmit')),
  comment      TEXT,
  target_user  TEXT,
  at           TEXT NOT NULL
) STRICT;
CREATE INDEX approval_actions_instance ON approval_actions (instance_id, id);
CREATE INDEX approval_actions_user ON approval_actions (user_id, at);

-- Sales targets, scenes ----------------------------------------------------------------------

CREATE TABLE sales_targets (
  id          TEXT PRIMARY KEY NOT NULL,
  rev         INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  scope       TEXT NOT NULL CHECK (scope IN ('company', 'department', 'user')),
  scope_id    TEXT NOT NULL DEFAULT '',   -- '' for the company
  year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2200),
  month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
  metric      TEXT NOT NULL CHECK (metric IN ('contract_amount', 'payment_amount', 'new_customers')),
  value       INTEGER NOT NULL CHECK (value >= 0),
  UNIQUE (scope, scope_id, year, month, metric)
) STRICT;

CREATE TABLE scenes (
  id          TEXT PRIMARY KEY NOT NULL,
  rev         INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  module      TEXT NOT NULL,
  name        TEXT NOT NULL,
  owner_id    TEXT,             -- NULL: a default scene everyone has
  filter      TEXT NOT NULL DEFAULT '{}',
  sort        TEXT,
  columns     TEXT,             -- JSON array of visible fields, in order
  is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  position    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX scenes_module ON scenes (module, owner_id, position);

-- Sync bookkeeping ------------------------------------------------------------------------------

-- Client: changes waiting for the server, in the order they were made.
CREATE TABLE sync_outbox (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  op_id       TEXT NOT NULL UNIQUE,
  module      TEXT NOT NULL,
  record_id   TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete', 'restore', 'action')),
  action      TEXT,              -- for kind = action: claim, approve, submit…
  fields      TEXT NOT NULL DEFAULT '{}',   -- the changed fields only
  base_rev    INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
) STRICT;
CREATE INDEX sync_outbox_record ON sync_outbox (module, record_id);

-- Both: the rev at which each field of a record last changed.
CREATE TABLE field_revs (
  module     TEXT NOT NULL,
  record_id  TEXT NOT NULL,
  field      TEXT NOT NULL,
  rev        INTEGER NOT NULL,
  PRIMARY KEY (module, record_id, field)
) STRICT, WITHOUT ROWID;

-- Client: conflicts for the user to resolve.
CREATE TABLE sync_conflicts (
  id            TEXT PRIMARY KEY NOT NULL,
  module        TEXT NOT NULL,
  record_id     TEXT NOT NULL,
  field         TEXT NOT NULL,
  local_value   TEXT,           -- JSON
  server_value  TEXT,           -- JSON
  server_rev    INTEGER NOT NULL,
  op_id         TEXT,
  created_at    TEXT NOT NULL,
  resolved_at   TEXT,
  resolution    TEXT CHECK (resolution IN ('mine', 'theirs'))
) STRICT;
CREATE INDEX sync_conflicts_open ON sync_conflicts (module, record_id) WHERE resolved_at IS NULL;

-- Server: every accepted change, in rev order, for pull.
CREATE TABLE sync_changes (
  rev        INTEGER PRIMARY KEY AUTOINCREMENT,
  module     TEXT NOT NULL,
  record_id  TEXT NOT NULL,
  at         TEXT NOT NULL
) STRICT;
CREATE INDEX sync_changes_record ON sync_changes (module, record_id);

-- Server: answers to pushed ops, so a repeated push gets the same answer.
CREATE TABLE sync_ops (
  op_id      TEXT PRIMARY KEY NOT NULL,
  user_id    TEXT NOT NULL,
  result     TEXT NOT NULL,   -- JSON
  at         TEXT NOT NULL
) STRICT;
