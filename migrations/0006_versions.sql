-- Versions (docs/architecture.md#versions): every committed revision of a test stays readable. The documents are the
-- immutable R2 objects tests/{id}/{rev}.json; this table lists them without touching R2. A row is
-- written by the same D1 batch that flips the pointer (guarded like its other statements), so a
-- version exists exactly when its save committed. `author` is the editor's identity once admins
-- have one (NULL until then). Restoring a version is a new save: it adds a row, never edits one.
CREATE TABLE test_versions (
  test_id    TEXT NOT NULL,
  rev        TEXT NOT NULL,
  job_id     TEXT,
  title      TEXT,
  status     TEXT,
  object_key TEXT NOT NULL,
  saved_at   TEXT NOT NULL,
  author     TEXT,
  PRIMARY KEY (test_id, rev)
);

-- Saves committed before this table existed: each committed save job names its object (title and
-- status unknown here: read from the object when listed) ...
INSERT OR IGNORE INTO test_versions (test_id, rev, job_id, title, status, object_key, saved_at)
SELECT test_id, rev, job_id, NULL, NULL, 'tests/' || test_id || '/' || rev || '.json', updated_at
FROM jobs WHERE kind = 'save' AND committed = 1;

-- ... and the current pointer of every live test is one too (its title and status are known).
INSERT INTO test_versions (test_id, rev, job_id, title, status, object_key, saved_at)
SELECT id, rev, NULL, title, status, object_key, updated_at
FROM tests WHERE deleted = 0 AND object_key IS NOT NULL
ON CONFLICT (test_id, rev) DO UPDATE SET title = excluded.title, status = excluded.status;
