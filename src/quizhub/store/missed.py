"""The missed_searches table: searches that found nothing, counted per query and Korean day
(migrations/0015_missed_searches.sql). Search (``quizhub.search.missed``) decides what a query
is counted as; nothing about who searched reaches this table."""

from __future__ import annotations

from dataclasses import dataclass

from quizhub.ports import D1Database

__all__ = ["MissedSearch", "MissedSearchesRepo"]


@dataclass(frozen=True)
class MissedSearch:
    """A query that found nothing, and how many times in a window of days."""

    query: str
    misses: int


class MissedSearchesRepo:
    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def count(self, query: str, day: int, *, oldest_kept: int) -> None:
        """One more miss of ``query`` on ``day``; days before ``oldest_kept`` are dropped in the
        same batch (one D1 round trip)."""
        await self.db.batch(
            [
                self.db.prepare(
                    "INSERT INTO missed_searches (day, query, misses) VALUES (?1, ?2, 1)"
                    " ON CONFLICT (day, query) DO UPDATE SET misses = misses + 1"
                ).bind(day, query),
                self.db.prepare("DELETE FROM missed_searches WHERE day < ?1").bind(oldest_kept),
            ]
        )

    async def top(self, first_day: int, last_day: int, limit: int) -> list[MissedSearch]:
        """The ``limit`` queries missed most from ``first_day`` to ``last_day`` (ties by
        query), with their totals."""
        rows = (
            await self.db.prepare(
                "SELECT query, SUM(misses) AS misses FROM missed_searches"
                " WHERE day BETWEEN ?1 AND ?2 GROUP BY query"
                " ORDER BY misses DESC, query LIMIT ?3"
            )
            .bind(first_day, last_day, limit)
            .all()
        )
        return [MissedSearch(str(r["query"]), int(r["misses"])) for r in rows["results"]]
