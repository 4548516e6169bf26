"""Lists of tests: the public ones (최신순: newest first publish first; 인기순: most completed
plays over the last days first; or searched, or similar to one), and every test for the admin
with the state of its latest job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.domain.jobs import JobRow
from quizhub.ports import D1Database
from quizhub.search.missed import count_miss
from quizhub.search.service import Page, search_page, similar
from quizhub.search.vectors import VectorSide
from quizhub.store.jobs import JobsRepo
from quizhub.store.participation import popular_since
from quizhub.store.tests import ListOrder, TestsRepo

__all__ = [
    "TestsPage",
    "published_tests",
    "searched_tests",
    "similar_to",
    "categories",
    "admin_tests",
]


@dataclass(frozen=True)
class TestsPage:
    """One page of published tests in its order; ``next_after`` is the position of the last one
    when more follow: ``(publishedAt, id)`` for 최신순, ``(n, publishedAt, id)`` for 인기순."""

    __test__ = False  # not a pytest test class

    items: list[dict[str, Any]]
    next_after: tuple[Any, ...] | None


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary as the public sees it (every listed test is published: no ``status``)."""
    return {k: v for k, v in summary.items() if k not in ("status", "recent")}


async def published_tests(
    db: D1Database,
    *,
    sort: ListOrder,
    tag: str | None,
    limit: int,
    after: tuple[Any, ...] | None,
    now_ms: int,
) -> TestsPage:
    """Published tests (with ``tag``) in ``sort`` order after the position ``after``; 인기순
    counts completed plays from the window's first day at ``now_ms``."""
    items = await TestsRepo(db).list_public(
        sort=sort, tag=tag, limit=limit + 1, after=after, since_day=popular_since(now_ms)
    )
    more: tuple[Any, ...] | None = None
    if len(items) > limit:
        last = items[limit - 1]
        more = (last["publishedAt"], last["id"])
        if sort == "popular":
            more = (last["recent"], *more)
    return TestsPage([_public(i) for i in items[:limit]], more)


async def searched_tests(
    db: D1Database,
    side: VectorSide | None,
    q: str,
    *,
    tag: str | None,
    limit: int,
    offset: int,
    now_ms: int,
) -> Page:
    """Results ``offset`` … ``offset + limit`` of the search for ``q``, best match first
    (keywords alone where the vector side is unbound). A first page that found nothing is
    counted for the admin (찾지 못한 검색어), as its query and day only."""
    found = await search_page(db, side, q, tag=tag, limit=limit, offset=offset)
    if offset == 0 and found.found == 0:
        await count_miss(db, q, now_ms)
    return Page([_public(i) for i in found.items], found.next_offset, found.mode, found.found)


async def similar_to(db: D1Database, side: VectorSide | None, test_id: str, limit: int) -> Page:
    """The published tests nearest in meaning to ``test_id`` (never the test itself)."""
    found = await similar(db, side, test_id, limit)
    return Page([_public(i) for i in found.items], found.next_offset, found.mode)


async def categories(db: D1Database, limit: int) -> list[dict[str, Any]]:
    """The home's categories: the tags of published tests, most used first."""
    return await TestsRepo(db).top_tags(limit)


async def admin_tests(db: D1Database) -> list[dict[str, Any]]:
    """Every live test (drafts too) with status, current rev and its latest job's state
    (``lastJob``: ``{jobId, rev, status, step, error}``, or null)."""
    items = await TestsRepo(db).list_all()
    latest = await JobsRepo(db).latest_for_tests()
    for item in items:
        job = latest.get(item["id"])
        item["lastJob"] = _last_job(job) if job else None
    return items


def _last_job(job: JobRow) -> dict[str, Any]:
    wire = job.to_json()
    return {
        k: wire[k] for k in ("jobId", "rev", "status", "step", "error", "errorCode", "errorParams")
    }
