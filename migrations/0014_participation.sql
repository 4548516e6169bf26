-- Public participation counts (docs/analytics.md#public-counts): derived by the analytics
-- consumer from the play analytics in PostgreSQL after each batch, so that public pages read D1
-- and never PostgreSQL. Every value is a total the consumer read back from PostgreSQL (never an
-- increment), and counts only grow, so a write is kept only when it is not smaller
-- (MAX(old, new)): a batch retried, or two batches written in either order, leave the same rows.

-- Per test: its completed plays (a play counts once, when it has both a start and a complete).
CREATE TABLE participation (
  test_id      TEXT PRIMARY KEY,
  participants INTEGER NOT NULL DEFAULT 0,
  refreshed_at TEXT NOT NULL
);

-- Per test and result: the completed plays that ended on it (the public "전체의 N%").
CREATE TABLE participation_results (
  test_id     TEXT NOT NULL,
  result_id   TEXT NOT NULL,
  completions INTEGER NOT NULL,
  PRIMARY KEY (test_id, result_id)
);

-- Per test and Korean day (days since 1970-01-01, KST): completed plays of the last days only,
-- the window of 인기순 (quizhub.store.participation.POPULAR_DAYS); older days are pruned.
CREATE TABLE participation_days (
  test_id     TEXT NOT NULL,
  day         INTEGER NOT NULL,
  completions INTEGER NOT NULL,
  PRIMARY KEY (test_id, day)
);
CREATE INDEX participation_days_by_day ON participation_days (day, test_id);

-- 최신순 is by first publish, not last edit: `published_at` is set by the commit that first
-- publishes a test (the accept time of that rev) and kept through later edits, unpublishing and
-- republishing; a delete clears it (a test made again under the id is a new test).
ALTER TABLE tests ADD COLUMN published_at TEXT;

-- Backfill for tests published before: the commit time of their earliest published version
-- (of this incarnation: saved since created_at), unless a version of unknown status precedes
-- it (recorded before versions kept their status), then created_at; created_at also when no
-- version says more.
UPDATE tests SET published_at = COALESCE(
  (SELECT CASE
      WHEN EXISTS (SELECT 1 FROM test_versions u WHERE u.test_id = tests.id AND u.status IS NULL
                   AND u.rev < v.rev AND u.saved_at >= tests.created_at)
        THEN tests.created_at
      ELSE MAX(v.saved_at, tests.created_at) END
   FROM test_versions v
   WHERE v.test_id = tests.id AND v.status = 'published' AND v.saved_at >= tests.created_at
   ORDER BY v.rev LIMIT 1),
  tests.created_at)
WHERE deleted = 0 AND status = 'published';

CREATE INDEX tests_newest ON tests (deleted, status, published_at DESC, id DESC);
