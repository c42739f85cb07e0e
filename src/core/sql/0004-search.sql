-- Migration 4: quick search (SPEC.md §14, DESIGN.md "Data" → Search).
--
-- One contentless FTS5 table per searchable module, rowid = the record's
-- rowid. Its columns hold tokens made by the SQL functions of
-- kehu-search.c (registered on every store connection before migrations
-- run): words (names, numbers, e-mail; every Han character a token of its
-- own, so one- and two-character Chinese queries match anywhere), codes
-- (phones and numbers, every suffix, so digits match anywhere) and py
-- (pinyin full spellings and initials). kehu-search.c explains the tokens
-- and builds the queries.
--
-- Contentless: the index keeps no copy of the text, so the triggers delete
-- old entries by recomputing the old values' tokens; the functions are
-- deterministic. A change in what they produce needs a new migration that
-- calls kehu_search_rebuild(). Soft-deleted records stay indexed (the
-- recycle bin searches too): queries filter on deleted_at.
--
-- The expressions below must stay the same as those of kehu-search.c's
-- module table (used by kehu_search_rebuild()).

CREATE VIRTUAL TABLE leads_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
  INSERT INTO leads_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.contact_name, NEW.email), kehu_search_codes (NEW.phone, NEW.mobile), kehu_search_pinyin (NEW.name, NEW.contact_name));
END;

CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
  INSERT INTO leads_fts (leads_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.contact_name, OLD.email), kehu_search_codes (OLD.phone, OLD.mobile), kehu_search_pinyin (OLD.name, OLD.contact_name));
END;

CREATE TRIGGER leads_fts_update AFTER UPDATE OF name, contact_name, email, phone, mobile ON leads BEGIN
  INSERT INTO leads_fts (leads_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.contact_name, OLD.email), kehu_search_codes (OLD.phone, OLD.mobile), kehu_search_pinyin (OLD.name, OLD.contact_name));
  INSERT INTO leads_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.contact_name, NEW.email), kehu_search_codes (NEW.phone, NEW.mobile), kehu_search_pinyin (NEW.name, NEW.contact_name));
END;

INSERT INTO leads_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (name, contact_name, email), kehu_search_codes (phone, mobile), kehu_search_pinyin (name, contact_name) FROM leads;

CREATE VIRTUAL TABLE customers_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
  INSERT INTO customers_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.number, NEW.email), kehu_search_codes (NEW.number, NEW.phone), kehu_search_pinyin (NEW.name));
END;

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
  INSERT INTO customers_fts (customers_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.number, OLD.email), kehu_search_codes (OLD.number, OLD.phone), kehu_search_pinyin (OLD.name));
END;

CREATE TRIGGER customers_fts_update AFTER UPDATE OF name, number, email, phone ON customers BEGIN
  INSERT INTO customers_fts (customers_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.number, OLD.email), kehu_search_codes (OLD.number, OLD.phone), kehu_search_pinyin (OLD.name));
  INSERT INTO customers_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.number, NEW.email), kehu_search_codes (NEW.number, NEW.phone), kehu_search_pinyin (NEW.name));
END;

INSERT INTO customers_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (name, number, email), kehu_search_codes (number, phone), kehu_search_pinyin (name) FROM customers;

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.email, NEW.wechat), kehu_search_codes (NEW.phone, NEW.mobile), kehu_search_pinyin (NEW.name));
END;

CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.email, OLD.wechat), kehu_search_codes (OLD.phone, OLD.mobile), kehu_search_pinyin (OLD.name));
END;

CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email, wechat, phone, mobile ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.email, OLD.wechat), kehu_search_codes (OLD.phone, OLD.mobile), kehu_search_pinyin (OLD.name));
  INSERT INTO contacts_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.email, NEW.wechat), kehu_search_codes (NEW.phone, NEW.mobile), kehu_search_pinyin (NEW.name));
END;

INSERT INTO contacts_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (name, email, wechat), kehu_search_codes (phone, mobile), kehu_search_pinyin (name) FROM contacts;

CREATE VIRTUAL TABLE opportunities_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER opportunities_fts_insert AFTER INSERT ON opportunities BEGIN
  INSERT INTO opportunities_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name), kehu_search_codes (), kehu_search_pinyin (NEW.name));
END;

CREATE TRIGGER opportunities_fts_delete AFTER DELETE ON opportunities BEGIN
  INSERT INTO opportunities_fts (opportunities_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name), kehu_search_codes (), kehu_search_pinyin (OLD.name));
END;

CREATE TRIGGER opportunities_fts_update AFTER UPDATE OF name ON opportunities BEGIN
  INSERT INTO opportunities_fts (opportunities_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name), kehu_search_codes (), kehu_search_pinyin (OLD.name));
  INSERT INTO opportunities_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name), kehu_search_codes (), kehu_search_pinyin (NEW.name));
END;

INSERT INTO opportunities_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (name), kehu_search_codes (), kehu_search_pinyin (name) FROM opportunities;

CREATE VIRTUAL TABLE contracts_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER contracts_fts_insert AFTER INSERT ON contracts BEGIN
  INSERT INTO contracts_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.number), kehu_search_codes (NEW.number), kehu_search_pinyin (NEW.name));
END;

CREATE TRIGGER contracts_fts_delete AFTER DELETE ON contracts BEGIN
  INSERT INTO contracts_fts (contracts_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.number), kehu_search_codes (OLD.number), kehu_search_pinyin (OLD.name));
END;

CREATE TRIGGER contracts_fts_update AFTER UPDATE OF name, number ON contracts BEGIN
  INSERT INTO contracts_fts (contracts_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.number), kehu_search_codes (OLD.number), kehu_search_pinyin (OLD.name));
  INSERT INTO contracts_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.number), kehu_search_codes (NEW.number), kehu_search_pinyin (NEW.name));
END;

INSERT INTO contracts_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (name, number), kehu_search_codes (number), kehu_search_pinyin (name) FROM contracts;

CREATE VIRTUAL TABLE products_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
  INSERT INTO products_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.code), kehu_search_codes (NEW.code), kehu_search_pinyin (NEW.name));
END;

CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
  INSERT INTO products_fts (products_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.code), kehu_search_codes (OLD.code), kehu_search_pinyin (OLD.name));
END;

CREATE TRIGGER products_fts_update AFTER UPDATE OF name, code ON products BEGIN
  INSERT INTO products_fts (products_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.name, OLD.code), kehu_search_codes (OLD.code), kehu_search_pinyin (OLD.name));
  INSERT INTO products_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.name, NEW.code), kehu_search_codes (NEW.code), kehu_search_pinyin (NEW.name));
END;

INSERT INTO products_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (name, code), kehu_search_codes (code), kehu_search_pinyin (name) FROM products;

CREATE VIRTUAL TABLE payments_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER payments_fts_insert AFTER INSERT ON payments BEGIN
  INSERT INTO payments_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.number), kehu_search_codes (NEW.number), kehu_search_pinyin ());
END;

CREATE TRIGGER payments_fts_delete AFTER DELETE ON payments BEGIN
  INSERT INTO payments_fts (payments_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.number), kehu_search_codes (OLD.number), kehu_search_pinyin ());
END;

CREATE TRIGGER payments_fts_update AFTER UPDATE OF number ON payments BEGIN
  INSERT INTO payments_fts (payments_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.number), kehu_search_codes (OLD.number), kehu_search_pinyin ());
  INSERT INTO payments_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.number), kehu_search_codes (NEW.number), kehu_search_pinyin ());
END;

INSERT INTO payments_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (number), kehu_search_codes (number), kehu_search_pinyin () FROM payments;

CREATE VIRTUAL TABLE invoices_fts USING fts5 (
  words, codes, py,
  content = '', columnsize = 0,
  tokenize = 'unicode61 remove_diacritics 0',
  prefix = ''
);

CREATE TRIGGER invoices_fts_insert AFTER INSERT ON invoices BEGIN
  INSERT INTO invoices_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.number, NEW.title, NEW.tax_number), kehu_search_codes (NEW.number, NEW.tax_number), kehu_search_pinyin (NEW.title));
END;

CREATE TRIGGER invoices_fts_delete AFTER DELETE ON invoices BEGIN
  INSERT INTO invoices_fts (invoices_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.number, OLD.title, OLD.tax_number), kehu_search_codes (OLD.number, OLD.tax_number), kehu_search_pinyin (OLD.title));
END;

CREATE TRIGGER invoices_fts_update AFTER UPDATE OF number, title, tax_number ON invoices BEGIN
  INSERT INTO invoices_fts (invoices_fts, rowid, words, codes, py)
  VALUES ('delete', OLD.rowid, kehu_search_words (OLD.number, OLD.title, OLD.tax_number), kehu_search_codes (OLD.number, OLD.tax_number), kehu_search_pinyin (OLD.title));
  INSERT INTO invoices_fts (rowid, words, codes, py)
  VALUES (NEW.rowid, kehu_search_words (NEW.number, NEW.title, NEW.tax_number), kehu_search_codes (NEW.number, NEW.tax_number), kehu_search_pinyin (NEW.title));
END;

INSERT INTO invoices_fts (rowid, words, codes, py)
  SELECT rowid, kehu_search_words (number, title, tax_number), kehu_search_codes (number, tax_number), kehu_search_pinyin (title) FROM invoices;
