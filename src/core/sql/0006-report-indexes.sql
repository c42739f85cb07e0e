-- Migration 6: covering indexes for the dashboard and reports (kehu-report.c).
--
-- Every figure filters a time column by range, then the owner and
-- deleted_at, and sums an amount: with all of them in one index SQLite
-- answers from the index alone instead of looking up each row (on the M
-- dataset of DESIGN.md, a month of follow-ups drops from ~140 ms to ~35 ms).
-- next_contact_at had no index at all: the work desk's "follow-ups due today"
-- scanned every lead, customer, contact and opportunity.
-- IF NOT EXISTS: indexes only, so a file that met this migration under
-- another number while branches were merged upgrades cleanly.

CREATE INDEX IF NOT EXISTS report_contracts_signed ON contracts (signed_date, approval_status, owner_id, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_payments_paid ON payments (paid_date, approval_status, owner_id, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_payment_plans_date ON payment_plans (planned_date, status, owner_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_customers_created ON customers (created_at, owner_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_contacts_created ON contacts (created_at, owner_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_opportunities_created ON opportunities (created_at, owner_id, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_opportunities_open ON opportunities (status, stage_id, owner_id, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_followups_at ON followups (followed_at, owner_id, method, customer_id, deleted_at);
-- Follow-ups are the biggest table (1M on M): per-person figures and a
-- department's list of owners seek each owner's time range, covered.
CREATE INDEX IF NOT EXISTS report_followups_owner ON followups (owner_id, followed_at, method, customer_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_leads_next ON leads (next_contact_at, owner_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_customers_next ON customers (next_contact_at, owner_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_contacts_next ON contacts (next_contact_at, owner_id, deleted_at);
CREATE INDEX IF NOT EXISTS report_opportunities_next ON opportunities (next_contact_at, owner_id, deleted_at);
