-- Migration 5: indexes for list sorts that migration 3 lacked: the money
-- sorts of opportunities and contracts (largest first) walk an index of live
-- rows instead of sorting the table.
CREATE INDEX opportunities_live_amount ON opportunities (amount, id) WHERE deleted_at IS NULL;
CREATE INDEX contracts_live_amount ON contracts (amount, id) WHERE deleted_at IS NULL;
