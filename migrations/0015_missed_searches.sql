-- Searches that found nothing, counted per Korean day for the admin's 통계 (찾지 못한 검색어):
-- the normalized query (NFC, casefolded, spaces collapsed: quizhub.search.missed), the day
-- (days since 1970-01-01 in KST: quizhub.domain.days.day_of) and how many times. Nothing about
-- who searched is stored. Days older than the longest 통계 window are dropped as new ones come.
CREATE TABLE missed_searches (
  day INTEGER NOT NULL,
  query TEXT NOT NULL,
  misses INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (day, query)
) WITHOUT ROWID;
