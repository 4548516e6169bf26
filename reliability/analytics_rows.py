"""Scorecard row 16: play events with duplicates and a Postgres outage in the middle → counts
exact (deduplicated by event id), 0 lost. The events go the whole way: ``POST /api/events`` →
the durable local queue → the analytics consumer → a real PostgreSQL, then the public counts in
D1.

Each play sends 20 plausible events (view, start, 16 answers, complete, share) of the revision
it plays, in two requests (one play per request, as the API requires) with the events shuffled
between them, so a play's completion often arrives before its start, in another batch. About
10 % of requests are sent again whole (a beacon retried) and about 1 % name a test D1 does not
know. The outage has two phases: first Postgres refuses every connection (batches retry with
backoff), then — the nasty case — every insert commits but its answer is lost (the batch is
retried although its rows are in). The oracle counts each distinct event id of a known test
once, and each play's completion once.
"""

from __future__ import annotations

import collections
import contextlib
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.fakes import (
    AUTH,
    START_MS,
    FakeClock,
    SwitchableDatabase,
    make_platform,
    play_event,
    reset_analytics,
    run,
    with_outage_switch,
)

from quizhub.analytics.events import ANALYTICS_QUEUE
from quizhub.analytics.pg import PgParams
from quizhub.analytics.store import COUNT_COLUMNS, AnalyticsStore
from quizhub.domain.samples import minimal_document
from quizhub.local.postgres import open_analytics
from reliability.rows import Row

__all__ = ["row16_analytics", "scratch_analytics", "FULL_EVENTS", "QUICK_EVENTS"]

FULL_EVENTS, QUICK_EVENTS = 100_000, 5_000
REPLAYED_SHARE = 0.10
UNKNOWN_EVERY = 100  # every 100th play names a test D1 does not know
PLAY_EVENTS = 20  # view, start, ANSWERS answers, complete, share
ANSWERS = PLAY_EVENTS - 4
TESTS = ("alpha", "beta", "gamma")
UNKNOWN = "no-such-test"  # its events are refused by the consumer (stored, never counted)


@contextlib.contextmanager
def scratch_analytics() -> Iterator[PgParams]:
    """A throwaway embedded PostgreSQL (migrated) for a scorecard run outside pytest."""
    directory = Path(tempfile.mkdtemp(prefix="quizhub-pg-"))
    server = open_analytics(directory, url="")
    try:
        yield server.params
    finally:
        server.close()
        shutil.rmtree(directory, ignore_errors=True)


def _requests(total: int, revs: dict[str, str], rng: random.Random) -> list[list[dict[str, Any]]]:
    """About ``total`` events as requests: each play's 20 events in two requests of 10 (shuffled
    between them), plus whole requests sent again."""
    out: list[list[dict[str, Any]]] = []
    for n in range(total // PLAY_EVENTS):
        test_id = UNKNOWN if n % UNKNOWN_EVERY == 1 else rng.choice(TESTS)
        rev, session = revs.get(test_id, revs[TESTS[0]]), f"session-{n:06d}"
        kinds: list[tuple[str, dict[str, str]]] = [("view", {}), ("start", {})]
        kinds += [("answer", {"questionId": "q1", "optionId": rng.choice("ab")})] * ANSWERS
        kinds += [("complete", {"resultId": rng.choice(("planner", "free"))}), ("share", {})]
        events = [
            play_event(
                f"row16-{n:06d}-{k:02d}",
                kind,
                test_id,
                session=session,
                rev=rev,
                at=START_MS + n,
                **extra,
            )
            for k, (kind, extra) in enumerate(kinds)
        ]
        rng.shuffle(events)
        half = PLAY_EVENTS // 2
        out += [events[:half], events[half:]]
        while out and rng.random() < REPLAYED_SHARE:
            out.append([dict(e) for e in rng.choice(out)])
    return out


def _expected(requests: list[list[dict[str, Any]]]) -> dict[str, collections.Counter[str]]:
    """The oracle: each distinct event of a known test counted once (every play stays within
    the per-session caps and has its start)."""
    unique = {e["id"]: e for r in requests for e in r if e["testId"] != UNKNOWN}
    counts: dict[str, collections.Counter[str]] = {t: collections.Counter() for t in TESTS}
    for e in unique.values():
        counts[e["testId"]][COUNT_COLUMNS[e["type"]]] += 1
    return counts


class _LoseAnswers:
    """Postgres commits, the answer never arrives: the consumer sees an error after its insert."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lost = 0

    def describe(self) -> str:
        return str(self.inner.describe())

    @contextlib.asynccontextmanager
    async def connect(self) -> Any:
        async with self.inner.connect() as conn:
            yield conn
        self.lost += 1
        raise ConnectionResetError("connection lost after the commit (simulated)")


def row16_analytics(total: int, analytics: PgParams) -> Row:
    """Row 16 with ``total`` events (20 per request) against the Postgres at ``analytics``."""
    reset_analytics(analytics)
    rng = random.Random(16)
    tmp = Path(tempfile.mkdtemp(prefix="quizhub-row16-"))
    clock = FakeClock()
    platform = make_platform(
        tmp, clock, rate_limits=False, analytics=analytics, wrap=with_outage_switch
    )
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        revs = {}
        for test_id in TESTS:
            saved = client.put(f"/api/admin/tests/{test_id}", json=minimal_document(), headers=AUTH)
            assert saved.status_code == 202
            revs[test_id] = saved.json()["rev"]
        clock.advance(1000)
        run(platform.drain())
        switch = platform.bindings.analytics
        assert isinstance(switch, SwitchableDatabase)
        requests = _requests(total, revs, rng)
        events = [e for r in requests for e in r]
        lose = _LoseAnswers(switch.inner)
        refused_phase = range(len(requests) * 2 // 5, len(requests) // 2)
        lost_phase = range(len(requests) // 2, len(requests) * 3 // 5)
        rejected = 0
        for n, chunk in enumerate(requests):
            switch.down = n in refused_phase
            switch.inner = lose if n in lost_phase else lose.inner
            r = client.post("/api/events", json={"events": chunk})
            rejected += r.status_code != 204
            if n % 5 == 4:
                clock.advance(5_000)
                run(platform.drain())
        switch.down, switch.inner = False, lose.inner
        for _ in range(200):  # the retries' backoff passes; everything comes in
            clock.advance(3_600_000)
            run(platform.drain())
            if not platform.next_due_ms():
                break
        store = AnalyticsStore(platform.bindings.analytics)  # type: ignore[arg-type]
        stored = dict(run(store.totals_by_test(0, 10**6)))
        expected = _expected(requests)
        lost = sum(
            max(expected[t][c] - stored.get(t, {}).get(c, 0), 0)
            for t in TESTS
            for c in COUNT_COLUMNS.values()
        )
        extra = sum(
            max(stored.get(t, {}).get(c, 0) - expected[t][c], 0)
            for t in TESTS
            for c in COUNT_COLUMNS.values()
        )
        rows = run(store.event_count(refused=False))
        distinct = sum(sum(c.values()) for c in expected.values())
        public = {t: client.get(f"/api/tests/{t}/stats").json()["participants"] for t in TESTS}
        plays_off = sum(abs(public[t] - expected[t]["completions"]) for t in TESTS)
        queue = platform.broker.stats(ANALYTICS_QUEUE)
        left = queue["ready"] + queue["delayed"] + queue["in_flight"]
        duplicates = len(events) - len({e["id"] for e in events})
        dropped = len({e["id"] for e in events if e["testId"] == UNKNOWN})
    finally:
        platform.close()
        shutil.rmtree(tmp, ignore_errors=True)
    result = (
        f"{len(events):,} events in {len(requests):,} requests ({duplicates:,} duplicates,"
        f" {dropped} of an unknown test); outage: {switch.refused} connections refused, then"
        f" {lose.lost} commits whose answer was lost → {rows:,} counted rows = {distinct:,}"
        f" distinct; counts lost {lost}, extra {extra}; public participants off by {plays_off};"
        f" {rejected} requests refused, {left} messages left"
    )
    return Row(
        "16",
        "analytics events with 10 % duplicates and a Postgres outage mid-run",
        result,
        "counts exact (dedup by event id), 0 lost",
        lost == 0
        and extra == 0
        and rows == distinct
        and plays_off == 0
        and rejected == 0
        and left == 0,
    )
