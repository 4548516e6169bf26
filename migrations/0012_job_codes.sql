-- What a job ran into, for clients to word in their own language (quizhub.errors.codes): the
-- code of a conflict, a supersession, a failure or a warning, and that code's parameters as a
-- JSON object, next to the English `error` kept for tools and logs. NULL on rows written before.
ALTER TABLE jobs ADD COLUMN error_code TEXT;
ALTER TABLE jobs ADD COLUMN error_params TEXT;
