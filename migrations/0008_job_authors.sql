-- Editors are people (Cloudflare Access): the editor who accepted a job is its author, shown in
-- the job JSON and carried into the version the job commits. NULL for the shared bearer token.
ALTER TABLE jobs ADD COLUMN author TEXT;
