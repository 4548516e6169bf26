-- Korean keyword search (docs/architecture.md#the-keyword-index): tests.search_text holds the document's keyword terms —
-- character bigrams of Korean words (unigrams for one-syllable words) and whole Latin words,
-- after NFC + casefold (quizhub.search.terms) — written by the same D1 batch that flips the
-- pointer. An FTS5 index over that column (unicode61 keeps each bigram whole) ranks matches with
-- bm25(). It is derived: triggers keep it in step inside the commit's transaction, and
-- `INSERT INTO test_search(test_search) VALUES ('rebuild')` rebuilds it from the tests table
-- (`wrangler d1 export` cannot export FTS5 tables; drop and rebuild around an export).
CREATE VIRTUAL TABLE test_search USING fts5(
  search_text, content = 'tests', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER tests_search_insert AFTER INSERT ON tests BEGIN
  INSERT INTO test_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TRIGGER tests_search_delete AFTER DELETE ON tests BEGIN
  INSERT INTO test_search (test_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;

CREATE TRIGGER tests_search_update AFTER UPDATE OF search_text ON tests BEGIN
  INSERT INTO test_search (test_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO test_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

INSERT INTO test_search (test_search) VALUES ('rebuild');
