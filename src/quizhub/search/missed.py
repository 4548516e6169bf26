"""Searches that found nothing, counted for the admin: 통계 lists the queries players typed that
no test answered (what to make next, or a tag to add). A query is counted as its normalized
text (``normalized``) on the Korean day it was typed; nothing about who typed it is kept.

Counting never fails a search: the search has answered (with nothing) whatever the count does.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from quizhub.domain.days import MAX_DAYS, day_of
from quizhub.ports import D1Database
from quizhub.search.terms import MAX_QUERY_LENGTH
from quizhub.store.missed import MissedSearchesRepo

__all__ = ["MAX_LISTED", "normalized", "count_miss", "top_missed"]

log = logging.getLogger("quizhub.search")

MAX_LISTED = 50  # the most queries 통계 lists


def normalized(q: str) -> str:
    """``q`` as it is counted: NFC, casefolded, runs of spaces made one, at most
    ``MAX_QUERY_LENGTH`` characters (so 여행지  추천 and 여행지 추천 are one query)."""
    return " ".join(unicodedata.normalize("NFC", q).casefold().split())[:MAX_QUERY_LENGTH]


async def count_miss(db: D1Database, q: str, now_ms: int) -> None:
    """Count one search for ``q`` that found nothing (logged, never raised, when D1 fails)."""
    query = normalized(q)
    if not query:
        return
    today = day_of(now_ms)
    try:
        await MissedSearchesRepo(db).count(query, today, oldest_kept=today - MAX_DAYS + 1)
    except Exception:  # noqa: BLE001 - the search answered; a lost count is only a lost count
        log.warning("could not count a search that found nothing", exc_info=True)


async def top_missed(db: D1Database, now_ms: int, days: int) -> dict[str, Any]:
    """The queries that found nothing most often over the last ``days`` Korean days (today
    included), most missed first: ``{"days", "items": [{"query", "misses"}]}``."""
    last = day_of(now_ms)
    rows = await MissedSearchesRepo(db).top(last - days + 1, last, MAX_LISTED)
    return {"days": days, "items": [{"query": r.query, "misses": r.misses} for r in rows]}
