"""``make bench``: admin save latency (queue vs sync mode) and 202→live time (the consumers'
throughput: ``benchmarks.consumer_bench``).

Everything runs in one process on the local platform (real SQLite/files), through the real ASGI
app over an in-process transport, with the queue consumer running as a task on the same event
loop — the shape of ``make dev``. Numbers are relative: compare rows of one run, not machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from benchmarks.report import add_out_option, markdown_table, write_report
from quizhub.bindings import SaveMode, Settings
from quizhub.domain.document import SaveRequest, check_integrity
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.host import DEMO_FILE
from quizhub.local.platform import build_platform

TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def payloads(n: int) -> list[tuple[str, dict[str, Any]]]:
    """n distinct, valid saves spread over the demo tests (Korean text, 2–4 questions)."""
    demos = list(json.loads(DEMO_FILE.read_text(encoding="utf-8")).items())
    out = []
    for i in range(n):
        test_id, doc = demos[i % len(demos)]
        out.append((f"{test_id}-{i % 25}", {**doc, "title": f"{doc['title']} #{i}"}))
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Rig:
    """A platform in a temp dir with the app and (optionally) its consumers running.

    ``latency_ms`` adds that much to every binding call (D1, R2, KV, queue, purge): the local
    platform answers in microseconds, a Worker's bindings in milliseconds over the network.
    """

    def __init__(
        self, root: Path, name: str, mode: SaveMode = "queue", latency_ms: float = 0
    ) -> None:
        plan = FaultPlan(latency_ms=latency_ms) if latency_ms else None
        self.platform = build_platform(
            root / name,
            Settings(admin_token=TOKEN),
            mode=mode,
            wrap=(lambda b: with_faults(b, plan)) if plan else None,
            rate_limits=False,  # hundreds of saves a second: no editor is limited by this bench
            isolate_cpu_work=True,  # as make dev runs it
        )
        self.client = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=self.platform.app()), base_url="http://bench"
        )
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    def start_consumers(self) -> None:
        self.tasks = [asyncio.create_task(self.platform.serve(self.stop))]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)
        await self.client.aclose()
        self.platform.close()

    async def put(self, test_id: str, doc: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        t0 = time.perf_counter()
        r = await self.client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
        elapsed = time.perf_counter() - t0
        if r.status_code not in (200, 202):
            raise RuntimeError(f"PUT {test_id}: {r.status_code} {r.text}")
        return elapsed, r.json()

    async def job_status(self, status_url: str) -> str:
        return str((await self.client.get(status_url, headers=AUTH)).json()["status"])


def validation_floor(saves: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """Seconds to parse and validate each body alone (JSON, pydantic, integrity): the least any
    PUT must spend, with no HTTP, auth, rev, signing or queue send around it."""
    out = []
    for _, doc in saves:
        raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        t0 = time.perf_counter()
        request = SaveRequest.model_validate(json.loads(raw))
        check_integrity(request.content())
        out.append(time.perf_counter() - t0)
    return out


async def put_latency(
    root: Path, mode: SaveMode, saves: list[tuple[str, dict[str, Any]]], latency_ms: float = 0
) -> list[float]:
    """PUT latency as the editor sees it. In queue mode the consumer is another Worker on
    Cloudflare, so it does not run here (it would share this event loop and skew the numbers)."""
    rig = Rig(root, f"{mode}-{latency_ms}", mode, latency_ms)
    try:
        return [(await rig.put(tid, doc))[0] for tid, doc in saves]
    finally:
        await rig.close()


async def time_to_live(
    root: Path, saves: list[tuple[str, dict[str, Any]]], latency_ms: float = 0
) -> list[float]:
    """Seconds from the 202 to ``GET /api/tests/{id}`` serving the new rev (ETag)."""
    rig = Rig(root, f"live-{latency_ms}", latency_ms=latency_ms)
    rig.start_consumers()
    out = []
    try:
        for test_id, doc in saves:
            _, accepted = await rig.put(test_id, {**doc, "status": "published"})
            t0 = time.perf_counter()
            want = f'"{accepted["rev"]}"'
            # Poll as a client would, every 2 ms, until the edge-facing read serves the new rev.
            while (await rig.client.get(f"/api/tests/{test_id}")).headers.get("etag") != want:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
            out.append(time.perf_counter() - t0)
    finally:
        await rig.close()
    return out


async def main(n_put: int, n_live: int, latency_ms: float, out: str | None = None) -> None:
    rows: list[tuple[str, list[float], str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="quizhub-bench-") as tmp:
        root = Path(tmp)
        saves = payloads(n_put)
        floor = validation_floor(saves)
        for lat in (0.0, latency_ms):
            where = "local bindings" if not lat else f"{lat:g} ms per binding call"
            queue = await put_latency(root, "queue", saves, lat)
            sync = await put_latency(root, "sync", saves, lat)
            live = await time_to_live(root, payloads(n_live), lat)
            if not lat:
                rows.append(("floor: parse + validate the same body alone", floor, "ms"))
            rows += [
                (f"admin PUT, queue mode (202) — {where}", queue, "ms"),
                (f"admin PUT, sync mode (200, steps inline) — {where}", sync, "ms"),
                (f"202 → new rev served by GET /api/tests/{{id}} — {where}", live, "ms"),
            ]
            speedup = statistics.median(sync) / statistics.median(queue)
            notes.append(
                f"With {where}: the queue-mode PUT p50 is {speedup:.1f}× faster than sync mode's"
            )
            print(notes[-1], flush=True)
            if not lat:
                ratio = statistics.median(queue) / statistics.median(floor)
                notes.append(
                    f"The admin PUT (queue mode, local bindings) p50 is {ratio:.1f}× the "
                    "validation floor p50 (the rest is HTTP, auth, rev + job id, the queue send)"
                )
                print(notes[-1], flush=True)
    table = markdown_table(
        ["metric", "p50", "p95"],
        [
            (label, f"{pct(values, 50) * 1000:.2f} ms", f"{pct(values, 95) * 1000:.2f} ms")
            for label, values, _unit in rows
        ],
    )
    notes.append("The consumers' throughput is measured by benchmarks.consumer_bench")
    body = f"{n_put} PUTs per mode, {n_live} live checks.\n\n{table}\n\n" + "\n".join(
        f"- {note}." for note in notes
    )
    print(f"\nquizhub save-path benchmark\n\n{body}\n")
    print(f"wrote {write_report('save-path', body, out=out)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--puts", type=int, default=300)
    parser.add_argument("--live", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=10.0, help="modelled binding latency")
    add_out_option(parser)
    args = parser.parse_args()
    asyncio.run(main(args.puts, args.live, args.latency_ms, args.out))
