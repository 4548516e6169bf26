-- Retrying a job is idempotent: the first retry of a job claims it by writing the new job's id
-- here before its message is sent; every concurrent or later retry of the same job answers
-- with that job instead of accepting another (pipeline/retry.py).
ALTER TABLE jobs ADD COLUMN retried_by TEXT;
