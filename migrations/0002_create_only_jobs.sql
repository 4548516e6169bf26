-- A save sent with an explicit "baseRev": null is a create: it conflicts when the test exists.
-- Kept on the job so a retry of a conflicted create is a create again (unless told otherwise).
ALTER TABLE jobs ADD COLUMN create_only INTEGER NOT NULL DEFAULT 0 CHECK (create_only IN (0, 1));
