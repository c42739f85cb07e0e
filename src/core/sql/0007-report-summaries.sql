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

-- 2. Follow-ups per UTC day and owner. Follow-ups are the biggest table (1M
-- on M) and "this year" counted ~890k index entries (~150 ms CPU) for the
-- company's brief. The triggers keep the table exact through every write
-- path (record API, sync cache, demo generator); kehu-report.c adds whole
-- days from here and counts the two partial days at the ends of a period
-- from followups itself, so local-time periods stay exact.
CREATE TABLE followup_days (
  day       TEXT NOT NULL,                 -- substr (followed_at, 1, 10), UTC
  owner_id  TEXT NOT NULL DEFAULT '',      -- '' for none
  n         INTEGER NOT NULL,
  PRIMARY KEY (day, owner_id)
) WITHOUT ROWID;

INSERT INTO followup_days (day, owner_id, n)
  SELECT substr (followed_at, 1, 10), COALESCE (owner_id, ''), COUNT(*)
    FROM followups
   WHERE deleted_at IS NULL AND followed_at IS NOT NULL
   GROUP BY 1, 2;

CREATE TRIGGER followup_days_insert AFTER INSERT ON followups
  WHEN new.deleted_at IS NULL AND new.followed_at IS NOT NULL
BEGIN
  INSERT INTO followup_days (day, owner_id, n)
    VALUES (substr (new.followed_at, 1, 10), COALESCE (new.owner_id, ''), 1)
    ON CONFLICT (day, owner_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER followup_days_delete AFTER DELETE ON followups
  WHEN old.deleted_at IS NULL AND old.followed_at IS NOT NULL
BEGIN
  UPDATE followup_days SET n = n - 1
   WHERE day = substr (old.followed_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
END;

CREATE TRIGGER followup_days_update AFTER UPDATE OF followed_at, owner_id, deleted_at ON followups
BEGIN
  UPDATE followup_days SET n = n - 1
   WHERE old.deleted_at IS NULL AND old.followed_at IS NOT NULL
     AND day = substr (old.followed_at, 1, 10) AND owner_id = COALESCE (old.owner_id, '');
  INSERT INTO followup_days (day, owner_id, n)
    SELECT substr (new.followed_at, 1, 10), COALESCE (new.owner_id, ''), 1
     WHERE new.deleted_at IS NULL AND new.followed_at IS NOT NULL
    ON CONFLICT (day, owner_id) DO UPDATE SET n = n + 1;
END;

ANALYZE;
