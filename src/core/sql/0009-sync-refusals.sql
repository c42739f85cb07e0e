-- Migration 9: why the server refused a change made offline.
--
-- A client cache keeps, per record, the server's reason for refusing the
-- last change sent for it, so that the mark ("the server did not accept
-- your action: …") outlives a restart of the app. The user's next change
-- to the record replaces it (kehu-sync.c clears the row when it queues
-- one); on a server the table stays empty.
CREATE TABLE sync_refusals (
  module     TEXT NOT NULL,
  record_id  TEXT NOT NULL,
  action     TEXT NOT NULL,   -- the refused op's kind or action: update, approve…
  message    TEXT NOT NULL,
  at         TEXT NOT NULL,
  PRIMARY KEY (module, record_id)
) STRICT;
