"""The analytics store's SQL, written once (Postgres through the ``AnalyticsDatabase`` port).

``record`` inserts a batch of events and folds the NEW ones into the daily rollup in ONE
statement: an event id seen before inserts nothing and counts nothing, so a batch delivered
twice (or a client that sends an event twice) changes the counts once. Concurrent batches
with the same event id serialise on the primary key; rollup rows are upserted in key order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.analytics.events import EVENT_TYPES, PlayEvent, day_of
from quizhub.ports import AnalyticsDatabase

__all__ = ["AnalyticsStore", "Received", "DailyRow", "COLUMNS"]

# The rollup column that counts each event type (one column per type of EVENT_TYPES).
COUNT_COLUMNS = {
    "view": "views",
    "start": "starts",
    "answer": "answers",
    "complete": "completions",
    "share": "shares",
}
assert set(COUNT_COLUMNS) == set(EVENT_TYPES)
COLUMNS = tuple(COUNT_COLUMNS.values())

_COUNTS = ",\n    ".join(f"count(*) FILTER (WHERE type = '{t}')" for t in COUNT_COLUMNS)
_ADD = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in COLUMNS)
_RECORD = f"""
WITH batch AS (
  SELECT * FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::bigint[], $9::bigint[], $10::int[]
  ) AS b(id, test_id, type, session, question_id, option_id, result_id, at_ms, received_ms, d)
), ins AS (
  INSERT INTO play_events
    (id, test_id, type, session, question_id, option_id, result_id, at_ms, received_ms, day)
  SELECT DISTINCT ON (id) id, test_id, type, session, question_id, option_id, result_id,
    at_ms, received_ms, DATE '1970-01-01' + d
  FROM batch ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING test_id, type, question_id, result_id, day
), daily AS (
  INSERT INTO test_daily AS t (test_id, day, {", ".join(COLUMNS)})
  SELECT test_id, day,
    {_COUNTS}
  FROM ins GROUP BY test_id, day ORDER BY test_id, day
  ON CONFLICT (test_id, day) DO UPDATE SET {_ADD}
), results AS (
  INSERT INTO test_daily_results AS t (test_id, day, result_id, completions)
  SELECT test_id, day, result_id, count(*) FROM ins WHERE type = 'complete'
  GROUP BY test_id, day, result_id ORDER BY test_id, day, result_id
  ON CONFLICT (test_id, day, result_id)
    DO UPDATE SET completions = t.completions + EXCLUDED.completions
), questions AS (
  INSERT INTO test_daily_questions AS t (test_id, day, question_id, answers)
  SELECT test_id, day, question_id, count(*) FROM ins WHERE type = 'answer'
  GROUP BY test_id, day, question_id ORDER BY test_id, day, question_id
  ON CONFLICT (test_id, day, question_id) DO UPDATE SET answers = t.answers + EXCLUDED.answers
)
SELECT count(*) FROM ins
"""


@dataclass(frozen=True)
class Received:
    """An event and when the API received it (ms on the server's clock)."""

    received_ms: int
    event: PlayEvent


@dataclass(frozen=True)
class DailyRow:
    """One test's counts on one day (``day``: days since 1970-01-01)."""

    test_id: str
    day: int
    counts: dict[str, int]


def _day_number(value: Any) -> int:
    """A Postgres ``date`` (a ``datetime.date``) as days since 1970-01-01."""
    return int(value.toordinal()) - 719163


class AnalyticsStore:
    """Writes and reads of play analytics."""

    def __init__(self, db: AnalyticsDatabase) -> None:
        self.db = db

    async def record(self, items: list[Received]) -> int:
        """Insert events whose ids are new and count them in the rollup; returns how many."""
        if not items:
            return 0
        columns: list[list[Any]] = [[] for _ in range(10)]
        for item in items:
            e = item.event
            row = (
                e.id,
                e.test_id,
                e.type,
                e.session,
                e.question_id,
                e.option_id,
                e.result_id,
                e.at,
                item.received_ms,
                day_of(item.received_ms),
            )
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        async with self.db.connect() as conn:
            return int(await conn.fetchval(_RECORD, *columns))

    async def window(
        self, test_id: str, first_day: int, last_day: int
    ) -> tuple[list[DailyRow], dict[str, int], dict[str, int]]:
        """The test's rollup from ``first_day`` to ``last_day`` (inclusive) on one connection:
        its daily rows (by day), completions per result and answers per question."""
        where = """test_id = $1 AND day BETWEEN DATE '1970-01-01' + $2::int
            AND DATE '1970-01-01' + $3::int"""
        args = (test_id, first_day, last_day)
        async with self.db.connect() as conn:
            days = await conn.fetch(
                f"SELECT day, {', '.join(COLUMNS)} FROM test_daily WHERE {where} ORDER BY day",
                *args,
            )
            results = await conn.fetch(
                f"SELECT result_id, sum(completions) AS n FROM test_daily_results"
                f" WHERE {where} GROUP BY result_id",
                *args,
            )
            questions = await conn.fetch(
                f"SELECT question_id, sum(answers) AS n FROM test_daily_questions"
                f" WHERE {where} GROUP BY question_id",
                *args,
            )
        return (
            [
                DailyRow(test_id, _day_number(r["day"]), {c: int(r[c]) for c in COLUMNS})
                for r in days
            ],
            {r["result_id"]: int(r["n"]) for r in results},
            {r["question_id"]: int(r["n"]) for r in questions},
        )

    async def totals_by_test(
        self, first_day: int, last_day: int
    ) -> list[tuple[str, dict[str, int]]]:
        """Every test's totals over the days, most played (starts, then views) first."""
        sums = ", ".join(f"sum({c}) AS {c}" for c in COLUMNS)
        sql = f"""SELECT test_id, {sums} FROM test_daily
          WHERE day BETWEEN DATE '1970-01-01' + $1::int AND DATE '1970-01-01' + $2::int
          GROUP BY test_id ORDER BY sum(starts) DESC, sum(views) DESC, test_id"""
        async with self.db.connect() as conn:
            rows = await conn.fetch(sql, first_day, last_day)
        return [(r["test_id"], {c: int(r[c]) for c in COLUMNS}) for r in rows]

    async def event_count(self) -> int:
        """How many distinct events are stored (tests and the reliability row check it)."""
        async with self.db.connect() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM play_events"))
