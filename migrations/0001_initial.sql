-- quizhub initial schema. Applied by `wrangler d1 migrations apply DB --local|--remote`
-- and, identically, by the local platform (quizhub.local.d1).

-- One row per test id: the pointer to the current immutable R2 document (tests/{id}/{rev}.json).
-- `rev` is the latest APPLIED revision (a save or a delete); the commit compares-and-sets it.
CREATE TABLE tests (
  id             TEXT PRIMARY KEY,
  rev            TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('draft', 'published')),
  deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  title          TEXT NOT NULL,
  description    TEXT NOT NULL DEFAULT '',
  tags           TEXT NOT NULL DEFAULT '[]',
  thumbnail      TEXT,
  question_count INTEGER NOT NULL DEFAULT 0,
  object_key     TEXT,
  search_text    TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX tests_public_order ON tests (deleted, status, updated_at DESC, id DESC);

-- Tag filter for public lists (derived from the document on commit).
CREATE TABLE test_tags (
  test_id TEXT NOT NULL,
  tag     TEXT NOT NULL,
  PRIMARY KEY (test_id, tag)
);
CREATE INDEX test_tags_by_tag ON test_tags (tag, test_id);

-- Images referenced by the current revision of each test (derived on commit).
CREATE TABLE test_images (
  test_id   TEXT NOT NULL,
  image_key TEXT NOT NULL,
  role      TEXT NOT NULL,
  PRIMARY KEY (test_id, image_key, role)
);

-- Save/delete jobs. A job with no row yet is reported `queued` (its id is self-authenticating).
CREATE TABLE jobs (
  job_id      TEXT PRIMARY KEY,
  test_id     TEXT NOT NULL,
  rev         TEXT NOT NULL,
  base_rev    TEXT,
  kind        TEXT NOT NULL CHECK (kind IN ('save', 'delete')),
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'superseded', 'conflict')),
  step        TEXT NOT NULL,
  committed   INTEGER NOT NULL DEFAULT 0,
  attempts    INTEGER NOT NULL DEFAULT 0,
  error       TEXT,
  body_ref    TEXT,
  accepted_at TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX jobs_by_test ON jobs (test_id, rev DESC);
CREATE INDEX jobs_open ON jobs (status, updated_at);
