"""Admin stats over the daily rollup: one test (totals, completion rate, result distribution,
per-question drop-off, a daily series, the events not counted by reason) and the overview
(every test's totals, most played first, and every test's events not counted by reason). Reads
Postgres for counts and D1 + R2 for titles and the question order."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from quizhub.analytics.events import day_of
from quizhub.analytics.store import COLUMNS, AnalyticsStore
from quizhub.bindings import Bindings
from quizhub.domain.days import MAX_DAYS
from quizhub.errors import Code, NotFound, Transient
from quizhub.ports import AnalyticsDatabase
from quizhub.store.documents import read_current
from quizhub.store.tests import TestsRepo

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "test_stats", "overview", "analytics_db"]

DEFAULT_DAYS = 30
_EPOCH = dt.date(1970, 1, 1)


def analytics_db(b: Bindings) -> AnalyticsDatabase:
    """The bound analytics database, or a 503 that says what is missing."""
    if b.analytics is None:
        raise Transient(
            "play analytics are not bound here (HYPERDRIVE on Cloudflare; locally the"
            " embedded Postgres or ANALYTICS_DATABASE_URL)",
            code=Code.ANALYTICS_UNAVAILABLE,
        )
    return b.analytics


def _window(now_ms: int, days: int) -> tuple[int, int]:
    last = day_of(now_ms)
    return last - days + 1, last


def _date(day: int) -> str:
    return (_EPOCH + dt.timedelta(days=day)).isoformat()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def _document(b: Bindings, test_id: str) -> dict[str, Any] | None:
    try:
        return await read_current(TestsRepo(b.db), b.bucket, test_id, published_only=False)
    except NotFound:
        return None


async def test_stats(b: Bindings, test_id: str, days: int) -> dict[str, Any]:
    """The stats of one test over the last ``days`` Korean days (today included)."""
    store = AnalyticsStore(analytics_db(b))
    first, last = _window(b.clock_ms(), days)
    # Postgres (the counts) and D1 + R2 (titles, question order) at the same time.
    (rows, by_result, by_question), rejected, doc = await asyncio.gather(
        store.window(test_id, first, last),
        store.rejected(test_id, first, last),
        _document(b, test_id),
    )
    if doc is None and not rows:
        message = f"test '{test_id}' does not exist and has no recorded plays"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id})
    totals = {c: sum(r.counts[c] for r in rows) for c in COLUMNS}
    per_day = {r.day: r.counts for r in rows}
    zero = dict.fromkeys(COLUMNS, 0)
    daily = [{"date": _date(d), **per_day.get(d, zero)} for d in range(first, last + 1)]
    results = _results(doc, by_result, totals["completions"])
    questions = _questions(doc, by_question, totals["starts"])
    return {
        "testId": test_id,
        "title": doc["title"] if doc else None,
        "days": days,
        "from": _date(first),
        "to": _date(last),
        "totals": totals,
        "completionRate": _rate(totals["completions"], totals["starts"]),
        "results": results,
        "questions": questions,
        "daily": daily,
        "rejected": rejected,
    }


def _results(doc: dict[str, Any] | None, counts: dict[str, int], total: int) -> list[Any]:
    """Every result of the document (0 when never reached), then retired ones; most first."""
    titles = {r["id"]: r["title"] for r in (doc or {}).get("results", [])}
    ids = list(titles) + [r for r in counts if r not in titles]
    out = [
        {
            "resultId": r,
            "title": titles.get(r),
            "completions": counts.get(r, 0),
            "share": _rate(counts.get(r, 0), total),
        }
        for r in ids
    ]
    return sorted(out, key=lambda r: -r["completions"])


def _questions(doc: dict[str, Any] | None, counts: dict[str, int], starts: int) -> list[Any]:
    """In the document's order: how many answered each question, and how many of those who
    reached the one before (the start, for the first) did not (``dropOff``)."""
    texts = {q["id"]: q["text"] for q in (doc or {}).get("questions", [])}
    ids = list(texts) + sorted(q for q in counts if q not in texts)
    out: list[dict[str, Any]] = []
    before = starts
    for q in ids:
        answered = counts.get(q, 0)
        lost = max(before - answered, 0)
        out.append(
            {
                "questionId": q,
                "text": texts.get(q),
                "answers": answered,
                "dropOff": lost,
                "dropOffRate": _rate(lost, before),
            }
        )
        before = answered
    return out


async def overview(b: Bindings, days: int) -> dict[str, Any]:
    """Every test with plays in the last ``days`` Korean days, most played first."""
    first, last = _window(b.clock_ms(), days)
    store = AnalyticsStore(analytics_db(b))
    rows, rejected = await asyncio.gather(
        store.totals_by_test(first, last), store.rejected(None, first, last)
    )
    titles = await TestsRepo(b.db).titles([test_id for test_id, _ in rows])
    items = [
        {
            "testId": test_id,
            "title": titles.get(test_id),
            "totals": totals,
            "completionRate": _rate(totals["completions"], totals["starts"]),
        }
        for test_id, totals in rows
    ]
    return {
        "days": days,
        "from": _date(first),
        "to": _date(last),
        "items": items,
        "rejected": rejected,
    }
