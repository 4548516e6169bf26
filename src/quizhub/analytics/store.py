"""The analytics store's SQL, written once (Postgres through the ``AnalyticsDatabase`` port).

``record`` stores a batch of events and counts the NEW ones in ONE statement, so a batch
delivered twice (or a client that sends an event twice) changes the counts once. Of the new
events it counts only the plausible ones:

- an event the consumer's checks refused (``quizhub.analytics.plausible``) is stored with its
  reason and counted in ``test_daily_rejected``;
- of one play (a test and a session), events past the per-session caps (``SESSION_CAPS``,
  counted in ``play_session_counts``: earlier batches first, then this one in the order
  received) are rejected as ``session_cap``;
- a completion counts once its play has a start, in whichever order the two arrive: the play's
  row in ``plays`` holds its first completion, and the batch that brings the second half of the
  pair (the completion after the start, or the play's first start after the completion) adds
  it to the rollup, on the day the completion was received, for its result.

Concurrent batches of the same play serialise on its rows (every upsert goes in key order), so
each completion counts exactly once however batches interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.analytics.events import EVENT_TYPES, SESSION_CAPS, PlayEvent, day_of
from quizhub.analytics.plausible import NO_START, REJECT_REASONS, SESSION_CAP, RejectReason
from quizhub.ports import AnalyticsDatabase
from quizhub.store.participation import Counts

__all__ = ["AnalyticsStore", "Received", "DailyRow", "Recorded", "COLUMNS"]

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
_CAPS = " ".join(f"WHEN '{t}' THEN {n}" for t, n in SESSION_CAPS.items())
_RECORD = f"""
WITH batch AS (
  SELECT * FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::bigint[], $10::bigint[], $11::int[], $12::text[]
  ) AS b(id, test_id, type, session, question_id, option_id, result_id, rev, at_ms,
         received_ms, d, rejected)
), ins AS (
  INSERT INTO play_events (id, test_id, type, session, question_id, option_id, result_id, rev,
    at_ms, received_ms, day, rejected)
  SELECT DISTINCT ON (id) id, test_id, type, session, question_id, option_id, result_id, rev,
    at_ms, received_ms, DATE '1970-01-01' + d, rejected
  FROM batch ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING id, test_id, type, session, question_id, result_id, received_ms, day, rejected
), ok AS (
  -- the new events that passed the checks, numbered within their play's kind (answers: per
  -- question) in the order received. (Filtered on `checked IS NOT NULL`, not on a bare
  -- `rejected IS NULL`: the planner then keeps its row estimate instead of expecting one row
  -- and joining the next steps by nested loops.)
  SELECT i.*, row_number() OVER (
    PARTITION BY test_id, session, type, q ORDER BY received_ms, id) AS n
  FROM (
    SELECT ins.*, COALESCE(question_id, '') AS q,
      CASE WHEN rejected IS NULL THEN type END AS checked
    FROM ins
  ) AS i
  WHERE checked IS NOT NULL
), sent AS (
  SELECT test_id, session, type, q, count(*) AS events FROM ok GROUP BY test_id, session, type, q
), counts AS (
  INSERT INTO play_session_counts AS c (test_id, session, type, question_id, events)
  SELECT test_id, session, type, q, events FROM sent ORDER BY test_id, session, type, q
  ON CONFLICT (test_id, session, type, question_id)
    DO UPDATE SET events = c.events + EXCLUDED.events
  RETURNING test_id, session, type, question_id, events
), judged AS (
  -- before: the play's events of this kind from earlier batches
  SELECT ok.*, c.events - s.events AS before,
    c.events - s.events + ok.n <= CASE ok.type {_CAPS} END AS within
  FROM ok
  JOIN sent s ON s.test_id = ok.test_id AND s.session = ok.session AND s.type = ok.type
    AND s.q = ok.q
  JOIN counts c ON c.test_id = ok.test_id AND c.session = ok.session AND c.type = ok.type
    AND c.question_id = ok.q
), accepted AS (
  SELECT * FROM judged WHERE within
), play_news AS (
  -- per play with counted events in this batch: did the batch start it (and is that its first
  -- start ever), and its completion (a play's first: the cap of completions is one)
  SELECT test_id, session, bool_or(type = 'start') AS starts,
    bool_or(type = 'start' AND before = 0 AND n = 1) AS first_start,
    (array_agg(id) FILTER (WHERE type = 'complete'))[1] AS complete_id,
    (array_agg(result_id) FILTER (WHERE type = 'complete'))[1] AS result_id,
    (array_agg(day) FILTER (WHERE type = 'complete'))[1] AS day
  FROM accepted GROUP BY test_id, session
), play_rows AS (
  INSERT INTO plays AS p (test_id, session, started, complete_id, result_id, day)
  SELECT test_id, session, starts, complete_id, result_id, day FROM play_news
  ORDER BY test_id, session
  ON CONFLICT (test_id, session) DO UPDATE SET started = p.started OR EXCLUDED.started,
    complete_id = COALESCE(p.complete_id, EXCLUDED.complete_id),
    result_id = COALESCE(p.result_id, EXCLUDED.result_id),
    day = COALESCE(p.day, EXCLUDED.day)
  RETURNING test_id, session, started, complete_id, result_id, day
), counted AS (
  -- completions that count from now on: the play is complete and started, and this batch
  -- brought its completion or its first start (the other half was there or came with it)
  SELECT r.test_id, r.result_id, r.day FROM play_rows r
  JOIN play_news n ON n.test_id = r.test_id AND n.session = r.session
  WHERE r.started AND r.complete_id IS NOT NULL AND (n.complete_id IS NOT NULL OR n.first_start)
), daily AS (
  INSERT INTO test_daily AS t (test_id, day, {", ".join(COLUMNS)})
  SELECT test_id, day,
    {_COUNTS}
  FROM (
    SELECT test_id, day, type FROM accepted WHERE type <> 'complete'
    UNION ALL SELECT test_id, day, 'complete' FROM counted
  ) AS counting
  GROUP BY test_id, day ORDER BY test_id, day
  ON CONFLICT (test_id, day) DO UPDATE SET {_ADD}
), results AS (
  INSERT INTO test_daily_results AS t (test_id, day, result_id, completions)
  SELECT test_id, day, result_id, count(*) FROM counted
  GROUP BY test_id, day, result_id ORDER BY test_id, day, result_id
  ON CONFLICT (test_id, day, result_id)
    DO UPDATE SET completions = t.completions + EXCLUDED.completions
), questions AS (
  INSERT INTO test_daily_questions AS t (test_id, day, question_id, answers)
  SELECT test_id, day, question_id, count(*) FROM accepted WHERE type = 'answer'
  GROUP BY test_id, day, question_id ORDER BY test_id, day, question_id
  ON CONFLICT (test_id, day, question_id) DO UPDATE SET answers = t.answers + EXCLUDED.answers
), refused AS (
  INSERT INTO test_daily_rejected AS t (test_id, day, reason, events)
  SELECT test_id, day, reason, count(*) FROM (
    SELECT test_id, day, rejected AS reason FROM ins WHERE rejected IS NOT NULL
    UNION ALL SELECT test_id, day, '{SESSION_CAP}' FROM judged WHERE NOT within
  ) AS r
  GROUP BY test_id, day, reason ORDER BY test_id, day, reason
  ON CONFLICT (test_id, day, reason) DO UPDATE SET events = t.events + EXCLUDED.events
)
SELECT (SELECT count(*) FROM ins) AS new, (SELECT count(*) FROM accepted) AS accepted,
  (SELECT count(*) FROM counted) AS counted
"""
# The window of days of the admin stats ($2 … $3; $1 is the test where there is one).
_DAYS = "day BETWEEN DATE '1970-01-01' + $2::int AND DATE '1970-01-01' + $3::int"
_WAITING = f"""SELECT count(*) FROM plays WHERE complete_id IS NOT NULL AND NOT started
  AND {_DAYS} AND ($1::text IS NULL OR test_id = $1)"""
_REFUSED = f"""SELECT reason, sum(events) AS n FROM test_daily_rejected
  WHERE {_DAYS} AND ($1::text IS NULL OR test_id = $1) GROUP BY reason"""


@dataclass(frozen=True)
class Received:
    """An event, when the API received it (ms on the server's clock) and why the consumer's
    checks refused it (None: it passed them)."""

    received_ms: int
    event: PlayEvent
    rejected: RejectReason | None = None


@dataclass(frozen=True)
class Recorded:
    """What one ``record`` did: events new to the store, of those the ones counted, and the
    completions that count from this batch on (some may be of earlier batches' events)."""

    new: int
    accepted: int
    completions: int


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

    async def record(self, items: list[Received]) -> Recorded:
        """Store the events whose ids are new and count the plausible ones (module doc)."""
        if not items:
            return Recorded(0, 0, 0)
        columns: list[list[Any]] = [[] for _ in range(12)]
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
                e.rev,
                e.at,
                item.received_ms,
                day_of(item.received_ms),
                item.rejected,
            )
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        async with self.db.connect() as conn:
            [done] = await conn.fetch(_RECORD, *columns)
        return Recorded(int(done["new"]), int(done["accepted"]), int(done["counted"]))

    async def participation(self, test_ids: list[str], since_day: int) -> list[Counts]:
        """The counted completions of ``test_ids``: per result, and per day from ``since_day``
        on (days without any left out). Tests without any are listed with none."""
        if not test_ids:
            return []
        async with self.db.connect() as conn:
            results = await conn.fetch(
                "SELECT test_id, result_id, sum(completions) AS n FROM test_daily_results"
                " WHERE test_id = ANY($1::text[]) GROUP BY test_id, result_id",
                test_ids,
            )
            days = await conn.fetch(
                "SELECT test_id, day, completions FROM test_daily WHERE test_id = ANY($1::text[])"
                " AND day >= DATE '1970-01-01' + $2::int AND completions > 0",
                test_ids,
                since_day,
            )
        out = {t: Counts(t, {}, {}) for t in test_ids}
        for r in results:
            if int(r["n"]):
                out[r["test_id"]].results[r["result_id"]] = int(r["n"])
        for r in days:
            out[r["test_id"]].days[_day_number(r["day"])] = int(r["completions"])
        return list(out.values())

    async def rejected(
        self, test_id: str | None, first_day: int, last_day: int
    ) -> dict[RejectReason, int]:
        """Events not counted from ``first_day`` to ``last_day``, by reason (every reason, 0
        when none): one test's, or every test's with ``test_id`` None. ``no_start`` is the
        completions still waiting for their start: it shrinks when a late start arrives."""
        out: dict[RejectReason, int] = dict.fromkeys(REJECT_REASONS, 0)
        async with self.db.connect() as conn:
            refused = await conn.fetch(_REFUSED, test_id, first_day, last_day)
            waiting = await conn.fetchval(_WAITING, test_id, first_day, last_day)
        for r in refused:
            if r["reason"] in out:
                out[r["reason"]] = int(r["n"])
        out[NO_START] = int(waiting)
        return out

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

    async def event_count(self, *, refused: bool | None = None) -> int:
        """How many distinct events are stored (tests and the reliability rows check it): all,
        or only those the consumer's checks refused (``refused=True``) or passed (``False``)."""
        where = {None: "", True: " WHERE rejected IS NOT NULL", False: " WHERE rejected IS NULL"}
        async with self.db.connect() as conn:
            return int(await conn.fetchval(f"SELECT count(*) FROM play_events{where[refused]}"))
