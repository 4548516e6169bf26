"""The public participation counts in D1 (migration 0014): written by the analytics consumer
after each batch from the totals it reads back from PostgreSQL, read by the public API (a
test's stats, ``participants`` on list items, the 인기순 order), so that no public request
touches PostgreSQL.

Every write is a total, never an increment, and is kept only when it is not smaller than what
D1 holds (counts only grow): a batch written twice, or two batches written out of order, leave
the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from quizhub.domain.days import day_of
from quizhub.ports import D1Database

__all__ = ["POPULAR_DAYS", "popular_since", "Counts", "ParticipationRepo"]

# 인기순 sums completed plays over the last POPULAR_DAYS Korean days, today included.
POPULAR_DAYS = 7


def popular_since(now_ms: int) -> int:
    """The first Korean day of the 인기순 window at ``now_ms`` (days since 1970-01-01)."""
    return day_of(now_ms) - POPULAR_DAYS + 1


@dataclass(frozen=True)
class Counts:
    """One test's totals as the consumer writes them: completed plays per result (all time)
    and per Korean day (the days of the 인기순 window)."""

    test_id: str
    results: dict[str, int]
    days: dict[int, int]

    @property
    def participants(self) -> int:
        return sum(self.results.values())


_PARTICIPANTS = """INSERT INTO participation (test_id, participants, refreshed_at)
SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2 FROM json_each(?1) WHERE true
ON CONFLICT (test_id) DO UPDATE SET
  participants = MAX(participants, excluded.participants), refreshed_at = excluded.refreshed_at"""
_RESULTS = """INSERT INTO participation_results (test_id, result_id, completions)
SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
FROM json_each(?1) WHERE true
ON CONFLICT (test_id, result_id) DO UPDATE SET
  completions = MAX(completions, excluded.completions)"""
_DAYS = """INSERT INTO participation_days (test_id, day, completions)
SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
FROM json_each(?1) WHERE true
ON CONFLICT (test_id, day) DO UPDATE SET completions = MAX(completions, excluded.completions)"""
_PRUNE = "DELETE FROM participation_days WHERE day < ?1"


class ParticipationRepo:
    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def write(self, counts: list[Counts], *, now: str, keep_since: int) -> None:
        """Write ``counts`` (ONE D1 batch) and drop the day rows before ``keep_since``."""
        if not counts:
            return
        participants = [[c.test_id, c.participants] for c in counts]
        results = [[c.test_id, r, n] for c in counts for r, n in sorted(c.results.items())]
        days = [[c.test_id, d, n] for c in counts for d, n in sorted(c.days.items())]
        statements = [self.db.prepare(_PARTICIPANTS).bind(json.dumps(participants), now)]
        if results:
            statements.append(self.db.prepare(_RESULTS).bind(json.dumps(results)))
        if days:
            statements.append(self.db.prepare(_DAYS).bind(json.dumps(days)))
        statements.append(self.db.prepare(_PRUNE).bind(keep_since))
        await self.db.batch(statements)

    async def of_test(self, test_id: str) -> tuple[int, dict[str, int]]:
        """A test's participants and its completions per result (0 and none when unplayed)."""
        rows = (
            await self.db.prepare(
                "SELECT p.participants, r.result_id, r.completions FROM participation p"
                " LEFT JOIN participation_results r ON r.test_id = p.test_id"
                " WHERE p.test_id = ?1"
            )
            .bind(test_id)
            .all()
        )
        found: list[dict[str, Any]] = rows["results"]
        if not found:
            return 0, {}
        results = {
            str(r["result_id"]): int(r["completions"])
            for r in found
            if r["result_id"] is not None and int(r["completions"]) > 0
        }
        return int(found[0]["participants"]), results
