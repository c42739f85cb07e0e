-- Migration 3: what the record API and queries need beyond migration 2.
-- The seed data (dictionaries, stages, the top department, roles, the default
-- pool) is written by _kehu_schema_apply_seeds() in kehu-seeds.c, in the same
-- transaction, so its labels are translatable strings.

-- The normalised customer name for the duplicate check (kehu_schema_normalize_name).
ALTER TABLE customers ADD COLUMN name_key TEXT;
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX contacts_phone ON contacts (phone);

-- Sort orders the lists offer, each with id as the keyset tiebreak.
CREATE INDEX opportunities_created ON opportunities (created_at, id);
CREATE INDEX opportunities_name ON opportunities (name, id);
CREATE INDEX contracts_created ON contracts (created_at, id);
CREATE INDEX contracts_name ON contracts (name, id);
CREATE INDEX contacts_created ON contacts (created_at, id);
CREATE INDEX payments_plan ON payments (plan_id);
CREATE INDEX invoices_customer ON invoices (customer_id);
CREATE INDEX payment_plans_customer ON payment_plans (customer_id);
CREATE INDEX followups_created ON followups (created_at, id);

-- Lists show live records (deleted_at IS NULL) in their default order; these
-- partial indexes serve both that order and the count of a list without
-- touching deleted rows or the table.
CREATE INDEX customers_live_updated ON customers (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_live_name ON customers (name, id) WHERE deleted_at IS NULL;
CREATE INDEX leads_live_updated ON leads (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_live_updated ON contacts (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_live_updated ON opportunities (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contracts_live_updated ON contracts (updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX followups_live_at ON followups (followed_at, id) WHERE deleted_at IS NULL;
