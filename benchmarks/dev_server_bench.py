"""``make bench``: what the consumer running on the dev server's event loop costs the requests
it serves, against the real ``make dev`` server (uvicorn, one process) over kept-alive HTTP.

- The admin PUT over HTTP while one editor saves every 300 ms (the consumer processes each save,
  its index request included, between them), against the same PUTs at the same pace in process
  (the app over an in-process transport, its consumer running). Target: HTTP ≤ 2 × in process
  (p50).
- Public detail reads (``GET /api/tests/{id}``) idle and while an editor saves every 300 ms, in
  alternating segments. Target: p99 during saves ≤ 2 × idle.

CPU-bound consumer work (embeddings, image variants, preview cards) runs off the server's event
loop; the rest of the consumer's work is short binding calls that interleave with the requests.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from tests.browser.conftest import ADMIN_TOKEN, dev_server

from benchmarks.report import add_out_option, markdown_table, write_report
from benchmarks.save_path import Rig, payloads, pct

__all__ = ["main"]

PUT_TARGET, READ_TARGET = 2.0, 2.0
EDITOR_PACE_S = 0.3  # one editor saving every 300 ms
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _puts_over_http(client: httpx2.Client, saves: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """One editor: a save every 300 ms; the latency of each PUT."""
    out = []
    for test_id, doc in saves:
        t0 = time.perf_counter()
        r = client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
        out.append(time.perf_counter() - t0)
        assert r.status_code == 202, r.text
        time.sleep(max(0.0, EDITOR_PACE_S - (time.perf_counter() - t0)))
    return out


async def _puts_in_process(root: Path, saves: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """The same PUTs at the same pace through the app in process (an in-memory transport), the
    consumer running on the same loop: what the server adds is HTTP alone. (Back to back, a PUT
    is faster than when paced: warm caches; ``benchmarks.save_path`` measures that.)"""
    rig = Rig(root, "paced")
    rig.start_consumers()
    out = []
    try:
        for test_id, doc in saves:
            elapsed, _ = await rig.put(test_id, doc)
            out.append(elapsed)
            await asyncio.sleep(max(0.0, EDITOR_PACE_S - elapsed))
    finally:
        await rig.close()
    return out


def _reads(client: httpx2.Client, test_id: str, seconds: float) -> list[float]:
    """Back-to-back public detail reads for ``seconds``; the latency of each."""
    out = []
    end = time.perf_counter() + seconds
    while (t0 := time.perf_counter()) < end:
        r = client.get(f"/api/tests/{test_id}")
        out.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text
    return out


SEGMENTS = 4  # idle and busy segments per condition, alternating
SETTLE_S = 1.0  # after the editor pauses, the consumer finishes its last save unmeasured


def _saver(
    base: str, saves: list[tuple[str, dict[str, Any]]], saving: Any, started: Any, stop: Any
) -> None:
    """The editor: a save every 300 ms while ``saving`` is set, until ``stop`` is (``started``
    once the first was accepted)."""
    with httpx2.Client(base_url=base) as client:
        i = 0
        while not stop.is_set():
            if not saving.wait(0.05):
                continue
            tid, doc = saves[i % len(saves)]
            client.put(f"/api/admin/tests/{tid}", json=doc, headers=AUTH)
            started.set()
            i += 1
            stop.wait(EDITOR_PACE_S)


def _idle_and_busy_reads(
    base: str, test_id: str, seconds: float, saves: list[Any]
) -> tuple[list[float], list[float]]:
    """Reads from one client, idle and while an editor saves every 300 ms (each save processed
    by the consumer, its index request included, on the server's event loop), in ``SEGMENTS``
    alternating segments per condition, ``seconds`` in all for each: the machine's other load
    drifts over a run, and alternating gives both conditions the same share of it. Each busy
    segment spans many saves, so its slow reads met the consumer's work, not luck.

    The editor is a process of its own: as a thread of this one it would hold the GIL the
    reader needs, and the reads would measure the bench (up to the 5 ms switch interval each)
    instead of the server."""
    spawn = multiprocessing.get_context("spawn")
    saving, started, stop = spawn.Event(), spawn.Event(), spawn.Event()
    editor = spawn.Process(target=_saver, args=(base, saves, saving, started, stop), daemon=True)
    editor.start()
    idle: list[float] = []
    busy: list[float] = []
    segment = seconds / SEGMENTS
    try:
        with httpx2.Client(base_url=base) as client:
            for _ in range(SEGMENTS):
                idle += _reads(client, test_id, segment)
                saving.set()
                if not started.wait(60):
                    raise RuntimeError("the editor process made no save within 60 s")
                time.sleep(0.5)  # the consumer has work before the first read
                busy += _reads(client, test_id, segment)
                saving.clear()
                time.sleep(SETTLE_S)
    finally:
        stop.set()
        editor.join(timeout=30)
    return idle, busy


def main(n_puts: int, read_saves: int, out: str | None = None) -> None:
    window = read_saves * EDITOR_PACE_S  # each read condition lasts this long
    saves = payloads(n_puts)
    with tempfile.TemporaryDirectory(prefix="quizhub-devserver-") as tmp:
        in_process = asyncio.run(_puts_in_process(Path(tmp), saves[1:]))
        with dev_server(Path(tmp) / "data") as base, httpx2.Client(base_url=base) as client:
            test_id, doc = saves[0]
            published = {**doc, "status": "published"}
            assert client.put(f"/api/admin/tests/{test_id}", json=published, headers=AUTH)
            time.sleep(1.0)  # committed and indexed
            _reads(client, test_id, 0.2)  # warm: caches filled, connections open
            over_http = _puts_over_http(client, saves[1:])
            idle, busy = _idle_and_busy_reads(base, test_id, window, saves[1:])
    put_ratio = pct(over_http, 50) / pct(in_process, 50)
    read_ratio = pct(busy, 99) / pct(idle, 99)

    def ms(values: list[float], p: float) -> str:
        return f"{pct(values, p) * 1000:.2f} ms"

    rows = [
        (
            "admin PUT in process, a save every 300 ms",
            ms(in_process, 50),
            ms(in_process, 95),
            "",
        ),
        ("admin PUT over HTTP, a save every 300 ms", ms(over_http, 50), ms(over_http, 95), ""),
        ("PUT over HTTP ÷ in process (p50)", f"{put_ratio:.2f}", "", f"≤ {PUT_TARGET}"),
        ("public detail read, idle", ms(idle, 50), ms(idle, 99) + " (p99)", ""),
        ("public detail read, a save every 300 ms", ms(busy, 50), ms(busy, 99) + " (p99)", ""),
        ("read p99 during saves ÷ idle", f"{read_ratio:.2f}", "", f"≤ {READ_TARGET}"),
    ]
    table = markdown_table(["measure", "p50", "p95 / p99", "target"], rows)
    body = (
        f"The `make dev` server (uvicorn) on this machine; {len(over_http)} PUTs over kept-alive"
        f" HTTP; public reads back to back for {window:.0f} s per condition in {SEGMENTS}"
        f" alternating segments each ({len(idle)} idle, {len(busy)} while about {read_saves}"
        f" saves are processed).\n\n{table}\n"
    )
    print(f"\nquizhub dev-server benchmark\n\n{body}")
    print(f"wrote {write_report('dev-server', body, out=out)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--puts", type=int, default=60)
    parser.add_argument(
        "--read-saves", type=int, default=40, help="saves the read window spans (300 ms each)"
    )
    add_out_option(parser)
    args = parser.parse_args()
    main(args.puts, args.read_saves, args.out)
