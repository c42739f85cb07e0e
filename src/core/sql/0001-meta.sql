-- Migration 1: the key-value table for the store's own bookkeeping
-- (creation time, sync cursor, the account a cache belongs to).
CREATE TABLE kehu_meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT
) STRICT;
INSERT INTO kehu_meta (key, value) VALUES ('created_at', strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'));
