-- Migration 7: faster figures over long periods (kehu-report.c).
--
-- 1. Owner-first covering indexes for a person's or a department's figures.
--
-- Migration 6 indexes each figure's time column first: right for the
-- company and for short periods, but a person's "this year" then walks the
-- whole year of everyone's records and drops the others' (on the M dataset
-- of DESIGN.md a person's dashboard for the year took ~400 ms CPU). With the
-- owner first SQLite seeks each owner's range and reads only those rows.
-- Which of the two a query should use depends on how many owners and how
-- long a period it asks for, which SQLite only knows from sqlite_stat1:
-- the ANALYZE below fills it for these tables (kehu_store_refresh_stats() keeps
-- it fresh after large changes such as a first sync).

CREATE INDEX IF NOT EXISTS report_customers_owner_created ON customers (owner_id, created_at, deleted_at);
CREATE INDEX IF NOT EXISTS report_contacts_owner_created ON contacts (owner_id, created_at, deleted_at);
CREATE INDEX IF NOT EXISTS report_opportunities_owner_created ON opportunities (owner_id, created_at, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_contracts_owner_signed ON contracts (owner_id, signed_date, approval_status, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_payments_owner_paid ON payments (owner_id, paid_date, approval_status, amount, deleted_at);
CREATE INDEX IF NOT EXISTS report_payment_plans_owner_date ON payment_plans (owner_id, planned_date, status, deleted_at);

-- 2. Totals per day and owner of the figures a dashboard shows over long
-- periods (the metrics of kehu-report.c): follow-ups, new customers,
-- contacts and opportunities (count, amount) by creation, approved
-- contracts by signing date and approved payments by payment date.
-- Follow-ups alone are 1M rows on M: "this year" walked ~890k index
-- entries. Triggers keep the totals exact through every write path (record
-- API, sync cache, demo generator). kehu-report.c adds whole days from here
-- and counts the two partial UTC days at the ends of a local-time period
-- from the rows themselves. day is substr (column, 1, 10): the UTC day of
-- an instant, or the date itself; owner_id '' stands for none. The rows
-- already there are added up by kehu_report_rebuild_day_totals(), which the
-- migration calls after this file (and a first sync after its pull).
CREATE TABLE report_days (
  module    TEXT NOT NULL,
  day       TEXT NOT NULL,
  owner_id  TEXT NOT NULL DEFAULT '',
  n         INTEGER NOT NULL,
  amount    INTEGER NOT NULL DEFAULT 0,   -- cents
  PRIMARY KEY (module, day, owner_id)
) WITHOUT ROWID;

-- followups: followed_at
CREATE TRIGGER report_days_followups_insert AFTER INSERT ON followups
  WHEN new.deleted_at IS NULL AND new.followed_at IS NOT NULL
BEGIN
  INSERT INTO report_days (module, day, owner_id, n, amount)
    VALUES ('followups', substr (new.followed_at, 1, 10), COALESCE (new.owner_id, ''), 1, 0)
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER report_days_followups_delete AFTER DELETE ON followups
  WHEN old.deleted_at IS NULL AND old.followed_at IS NOT NULL
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - 0
   WHERE module = 'followups' AND day = substr (old.followed_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;
CREATE TRIGGER report_days_followups_update AFTER UPDATE OF followed_at, owner_id, deleted_at ON followups
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - 0
   WHERE old.deleted_at IS NULL AND old.followed_at IS NOT NULL
     AND module = 'followups' AND day = substr (old.followed_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO report_days (module, day, owner_id, n, amount)
    SELECT 'followups', substr (new.followed_at, 1, 10), COALESCE (new.owner_id, ''), 1, 0
     WHERE new.deleted_at IS NULL AND new.followed_at IS NOT NULL
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

-- customers: created_at
CREATE TRIGGER report_days_customers_insert AFTER INSERT ON customers
  WHEN new.deleted_at IS NULL AND new.created_at IS NOT NULL
BEGIN
  INSERT INTO report_days (module, day, owner_id, n, amount)
    VALUES ('customers', substr (new.created_at, 1, 10), COALESCE (new.owner_id, ''), 1, 0)
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER report_days_customers_delete AFTER DELETE ON customers
  WHEN old.deleted_at IS NULL AND old.created_at IS NOT NULL
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - 0
   WHERE module = 'customers' AND day = substr (old.created_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;
CREATE TRIGGER report_days_customers_update AFTER UPDATE OF created_at, owner_id, deleted_at ON customers
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - 0
   WHERE old.deleted_at IS NULL AND old.created_at IS NOT NULL
     AND module = 'customers' AND day = substr (old.created_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO report_days (module, day, owner_id, n, amount)
    SELECT 'customers', substr (new.created_at, 1, 10), COALESCE (new.owner_id, ''), 1, 0
     WHERE new.deleted_at IS NULL AND new.created_at IS NOT NULL
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

-- contacts: created_at
CREATE TRIGGER report_days_contacts_insert AFTER INSERT ON contacts
  WHEN new.deleted_at IS NULL AND new.created_at IS NOT NULL
BEGIN
  INSERT INTO report_days (module, day, owner_id, n, amount)
    VALUES ('contacts', substr (new.created_at, 1, 10), COALESCE (new.owner_id, ''), 1, 0)
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER report_days_contacts_delete AFTER DELETE ON contacts
  WHEN old.deleted_at IS NULL AND old.created_at IS NOT NULL
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - 0
   WHERE module = 'contacts' AND day = substr (old.created_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;
CREATE TRIGGER report_days_contacts_update AFTER UPDATE OF created_at, owner_id, deleted_at ON contacts
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - 0
   WHERE old.deleted_at IS NULL AND old.created_at IS NOT NULL
     AND module = 'contacts' AND day = substr (old.created_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO report_days (module, day, owner_id, n, amount)
    SELECT 'contacts', substr (new.created_at, 1, 10), COALESCE (new.owner_id, ''), 1, 0
     WHERE new.deleted_at IS NULL AND new.created_at IS NOT NULL
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

-- opportunities: created_at
CREATE TRIGGER report_days_opportunities_insert AFTER INSERT ON opportunities
  WHEN new.deleted_at IS NULL AND new.created_at IS NOT NULL
BEGIN
  INSERT INTO report_days (module, day, owner_id, n, amount)
    VALUES ('opportunities', substr (new.created_at, 1, 10), COALESCE (new.owner_id, ''), 1, new.amount)
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER report_days_opportunities_delete AFTER DELETE ON opportunities
  WHEN old.deleted_at IS NULL AND old.created_at IS NOT NULL
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - old.amount
   WHERE module = 'opportunities' AND day = substr (old.created_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;
CREATE TRIGGER report_days_opportunities_update AFTER UPDATE OF created_at, owner_id, deleted_at, amount ON opportunities
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - old.amount
   WHERE old.deleted_at IS NULL AND old.created_at IS NOT NULL
     AND module = 'opportunities' AND day = substr (old.created_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO report_days (module, day, owner_id, n, amount)
    SELECT 'opportunities', substr (new.created_at, 1, 10), COALESCE (new.owner_id, ''), 1, new.amount
     WHERE new.deleted_at IS NULL AND new.created_at IS NOT NULL
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

-- contracts: signed_date, approved only
CREATE TRIGGER report_days_contracts_insert AFTER INSERT ON contracts
  WHEN new.deleted_at IS NULL AND new.signed_date IS NOT NULL AND new.approval_status = 'approved'
BEGIN
  INSERT INTO report_days (module, day, owner_id, n, amount)
    VALUES ('contracts', substr (new.signed_date, 1, 10), COALESCE (new.owner_id, ''), 1, new.amount)
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER report_days_contracts_delete AFTER DELETE ON contracts
  WHEN old.deleted_at IS NULL AND old.signed_date IS NOT NULL AND old.approval_status = 'approved'
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - old.amount
   WHERE module = 'contracts' AND day = substr (old.signed_date, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;
CREATE TRIGGER report_days_contracts_update AFTER UPDATE OF signed_date, owner_id, deleted_at, approval_status, amount ON contracts
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - old.amount
   WHERE old.deleted_at IS NULL AND old.signed_date IS NOT NULL AND old.approval_status = 'approved'
     AND module = 'contracts' AND day = substr (old.signed_date, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO report_days (module, day, owner_id, n, amount)
    SELECT 'contracts', substr (new.signed_date, 1, 10), COALESCE (new.owner_id, ''), 1, new.amount
     WHERE new.deleted_at IS NULL AND new.signed_date IS NOT NULL AND new.approval_status = 'approved'
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

-- payments: paid_date, approved only
CREATE TRIGGER report_days_payments_insert AFTER INSERT ON payments
  WHEN new.deleted_at IS NULL AND new.paid_date IS NOT NULL AND new.approval_status = 'approved'
BEGIN
  INSERT INTO report_days (module, day, owner_id, n, amount)
    VALUES ('payments', substr (new.paid_date, 1, 10), COALESCE (new.owner_id, ''), 1, new.amount)
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER report_days_payments_delete AFTER DELETE ON payments
  WHEN old.deleted_at IS NULL AND old.paid_date IS NOT NULL AND old.approval_status = 'approved'
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - old.amount
   WHERE module = 'payments' AND day = substr (old.paid_date, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;
CREATE TRIGGER report_days_payments_update AFTER UPDATE OF paid_date, owner_id, deleted_at, approval_status, amount ON payments
BEGIN
  UPDATE report_days SET n = n - 1, amount = amount - old.amount
   WHERE old.deleted_at IS NULL AND old.paid_date IS NOT NULL AND old.approval_status = 'approved'
     AND module = 'payments' AND day = substr (old.paid_date, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO report_days (module, day, owner_id, n, amount)
    SELECT 'payments', substr (new.paid_date, 1, 10), COALESCE (new.owner_id, ''), 1, new.amount
     WHERE new.deleted_at IS NULL AND new.paid_date IS NOT NULL AND new.approval_status = 'approved'
    ON CONFLICT (module, day, owner_id) DO UPDATE SET n = n + 1, amount = amount + excluded.amount;
END;

ANALYZE;
