-- Purge debt (docs/pipeline.md#live-and-its-staleness-bound): a test whose cached copies (the
-- Cache API in any data centre, KV) may be older than its committed revision, because the purge
-- after a commit failed. While a test has a row here the public read path serves it from D1 + R2
-- and fills no cache; the cron sweep retries the purge (with a longer backoff than a job's) and
-- deletes the row when the purge succeeds, but only if `rev` is still the one it purged for, so a
-- newer save's debt survives an older purge's success. The table is empty unless a purge is owed.
CREATE TABLE purge_debt (
  test_id  TEXT PRIMARY KEY,
  rev      TEXT NOT NULL,                -- the newest committed rev the purge is owed for
  since    TEXT NOT NULL,                -- when it was first owed
  attempts INTEGER NOT NULL DEFAULT 0,   -- the sweep's failed attempts to pay it
  next_at  TEXT NOT NULL,                -- when the sweep tries again
  error    TEXT                          -- the last purge error
);
CREATE INDEX purge_debt_due ON purge_debt (next_at);
