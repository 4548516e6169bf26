-- Rebuilding the search indexes is a job too (POST /api/admin/search/reindex, kind 'reindex'):
-- it goes through the queue, is retried and reported like saves. Its test_id is '' (all tests).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt (same columns).
CREATE TABLE jobs_new (
  job_id      TEXT PRIMARY KEY,
  test_id     TEXT NOT NULL,
  rev         TEXT NOT NULL,
  base_rev    TEXT,
  kind        TEXT NOT NULL CHECK (kind IN ('save', 'delete', 'reindex')),
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'delayed', 'succeeded', 'failed',
                                              'superseded', 'conflict', 'expired')),
  step        TEXT NOT NULL,
  committed   INTEGER NOT NULL DEFAULT 0,
  attempts    INTEGER NOT NULL DEFAULT 0,
  error       TEXT,
  body_ref    TEXT,
  accepted_at TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  create_only INTEGER NOT NULL DEFAULT 0 CHECK (create_only IN (0, 1))
);
INSERT INTO jobs_new (job_id, test_id, rev, base_rev, kind, status, step, committed, attempts,
  error, body_ref, accepted_at, updated_at, create_only)
SELECT job_id, test_id, rev, base_rev, kind, status, step, committed, attempts,
  error, body_ref, accepted_at, updated_at, create_only FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_by_test ON jobs (test_id, rev DESC);
CREATE INDEX jobs_open ON jobs (status, updated_at);
-- The admin's jobs view: failed/delayed/expired jobs, newest accepted first.
CREATE INDEX jobs_by_status ON jobs (status, rev DESC, job_id DESC);
