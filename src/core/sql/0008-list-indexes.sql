-- Migration 8: index-only counts and totals for record lists.
--
-- A list's row count and its totals row (count(*) and sum() over the whole
-- filtered list) read every matching row. Over the table that is a scan of
-- every page of a million wide rows (seconds); over these narrow partial
-- indexes of live rows, which hold the columns lists filter on most (the
-- owner: mine / my team / everyone's / the pool; the customer level) and
-- the amount the totals row adds up, SQLite answers from the index alone,
-- a small fraction of the pages.
-- The level comes last on purpose: led by it, the index would tempt SQLite
-- to read every VIP and sort them for a list's first page, where walking
-- the sort's index and skipping the others stops after one page.
CREATE INDEX customers_live_totals ON customers (owner_id, contract_total, level) WHERE deleted_at IS NULL;
CREATE INDEX leads_live_owner ON leads (owner_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_live_owner ON contacts (owner_id) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_live_owner_amount ON opportunities (owner_id, amount) WHERE deleted_at IS NULL;
CREATE INDEX contracts_live_owner_amount ON contracts (owner_id, amount) WHERE deleted_at IS NULL;

-- Lists sort nullable columns by IFNULL (column, '') so that the keyset is
-- a plain (key, id) pair (kehu-query.c): the follow-up sort of customers
-- walks this index instead of sorting every row for the first page.
CREATE INDEX customers_live_followup_key ON customers (IFNULL (last_followup_at, ''), id) WHERE deleted_at IS NULL;
