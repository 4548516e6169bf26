-- Images go through the pipeline (jobs of kind 'image'): the upload stores the original under a
-- private staging key and answers 202 with a job; the job makes the variants (WebP and the
-- original's format at a few widths, metadata stripped) and records them here, in one batch with
-- its job row. An image is served only from its variants; until they exist (or when its job
-- failed) the public URL answers with a placeholder.
CREATE TABLE images (
  image_key  TEXT PRIMARY KEY,
  job_id     TEXT NOT NULL,
  format     TEXT NOT NULL,      -- the original's extension (png, jpg, gif, webp)
  width      INTEGER NOT NULL,   -- the original's size as its header states it
  height     INTEGER NOT NULL,
  size       INTEGER NOT NULL,   -- bytes of the original (not kept once processed)
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- One row per stored variant (R2 variants/{image_key}/{width}w.{ext}, immutable).
CREATE TABLE image_variants (
  image_key  TEXT NOT NULL,
  width      INTEGER NOT NULL,
  format     TEXT NOT NULL,
  height     INTEGER NOT NULL,
  object_key TEXT NOT NULL,
  size       INTEGER NOT NULL,
  PRIMARY KEY (image_key, format, width)
);

-- Jobs of kind 'image' carry the image key (NULL for the reprocessing of every stored original).
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt (same columns + one).
CREATE TABLE jobs_new (
  job_id       TEXT PRIMARY KEY,
  test_id      TEXT NOT NULL,
  rev          TEXT NOT NULL,
  base_rev     TEXT,
  kind         TEXT NOT NULL CHECK (kind IN ('save', 'delete', 'reindex', 'image')),
  status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'delayed', 'succeeded', 'failed',
                                                'superseded', 'conflict', 'expired')),
  step         TEXT NOT NULL,
  committed    INTEGER NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  body_ref     TEXT,
  accepted_at  TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  create_only  INTEGER NOT NULL DEFAULT 0 CHECK (create_only IN (0, 1)),
  committed_at TEXT,
  live_at      TEXT,
  author       TEXT,
  image_key    TEXT
);
INSERT INTO jobs_new (job_id, test_id, rev, base_rev, kind, status, step, committed, attempts,
  error, body_ref, accepted_at, updated_at, create_only, committed_at, live_at, author)
SELECT job_id, test_id, rev, base_rev, kind, status, step, committed, attempts,
  error, body_ref, accepted_at, updated_at, create_only, committed_at, live_at, author FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_by_test ON jobs (test_id, rev DESC);
CREATE INDEX jobs_open ON jobs (status, updated_at);
CREATE INDEX jobs_by_status ON jobs (status, rev DESC, job_id DESC);
CREATE INDEX jobs_by_image ON jobs (image_key, rev DESC);
