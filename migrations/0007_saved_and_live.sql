-- Saved vs live (docs/architecture.md#saved-and-live): a job reports when its D1 commit happened (`committed_at`, the
-- editor's "저장 완료") and when the invalidation after it succeeded (`live_at`: the KV copy
-- deleted and the caches purged, "공개 반영 완료"). `live_at` stays NULL for a job that never
-- committed, and for one that ended without its invalidation succeeding (its cached copies expire
-- on their own; docs/pipeline.md#live-and-its-staleness-bound).
ALTER TABLE jobs ADD COLUMN committed_at TEXT;
ALTER TABLE jobs ADD COLUMN live_at TEXT;
