-- Migration 10: a revision of the settings tables that are not records.
--
-- Dictionaries and their items, custom fields, stages, users' roles and the
-- pools' members, recycle rules and claim limits change through several
-- write paths (REST routes, kehu-admin, jobs) and carry no per-row sync
-- rev. Every change of any of them, whoever makes it, bumps this one
-- counter in the same transaction; GET /sync/pull sends a snapshot of them
-- all when the client's copy is of another revision (kehu-sync-settings.c).
-- The triggers fire in a client's cache too, where the counter means
-- nothing: the client keeps the server's revision in kehu_meta.
CREATE TABLE settings_rev (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  rev  INTEGER NOT NULL
) STRICT;
INSERT INTO settings_rev (id, rev) VALUES (1, 1);

CREATE TRIGGER settings_rev_dictionaries_ins AFTER INSERT ON dictionaries
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_dictionaries_upd AFTER UPDATE ON dictionaries
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_dictionaries_del AFTER DELETE ON dictionaries
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_dictionary_items_ins AFTER INSERT ON dictionary_items
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_dictionary_items_upd AFTER UPDATE ON dictionary_items
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_dictionary_items_del AFTER DELETE ON dictionary_items
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_custom_fields_ins AFTER INSERT ON custom_fields
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_custom_fields_upd AFTER UPDATE ON custom_fields
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_custom_fields_del AFTER DELETE ON custom_fields
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_stages_ins AFTER INSERT ON stages
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_stages_upd AFTER UPDATE ON stages
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_stages_del AFTER DELETE ON stages
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_user_roles_ins AFTER INSERT ON user_roles
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_user_roles_upd AFTER UPDATE ON user_roles
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_user_roles_del AFTER DELETE ON user_roles
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_members_ins AFTER INSERT ON pool_members
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_members_upd AFTER UPDATE ON pool_members
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_members_del AFTER DELETE ON pool_members
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_rules_ins AFTER INSERT ON pool_rules
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_rules_upd AFTER UPDATE ON pool_rules
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_rules_del AFTER DELETE ON pool_rules
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_claim_limits_ins AFTER INSERT ON pool_claim_limits
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_claim_limits_upd AFTER UPDATE ON pool_claim_limits
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
CREATE TRIGGER settings_rev_pool_claim_limits_del AFTER DELETE ON pool_claim_limits
BEGIN UPDATE settings_rev SET rev = rev + 1 WHERE id = 1; END;
