-- Three-way merge (docs/merge.md): what the commit of a save whose baseRev was behind the live
-- rev found, kept on its job row (JSON text; NULL for a save that needed no merge).
-- merge_facts: the merge was applied: {"liveRev", "fromLive": [paths], "fromIncoming": [paths],
--   "truncated"}: the live rev it was computed against and which paths came from each side.
-- conflicts: the changes overlapped (the job is a conflict): {"items": [{path, base, live,
--   incoming, truncated?}], "total"}, values and count bounded (quizhub.domain.merge_bounds).
ALTER TABLE jobs ADD COLUMN merge_facts TEXT;
ALTER TABLE jobs ADD COLUMN conflicts TEXT;
