"""``make bench`` (preview cards): the CPU time and memory of drawing the cards, per card and
for the worst save a test can make — 50 results (the document's limit), every card changed and
every card over an image of its own, so all 51 are drawn and 51 backgrounds decoded — against the
consumer's limits on the plan the docs name (``quizhub.ports.limits.REQUIRED_PLAN``).

Per card: ``time.process_time`` around ``draw_card`` (a gradient card, and a card over a photo
whose background is decoded for it), the median and the 95th percentile of repeated draws.

The step: ``render_cards`` on the local platform for that test, in a fresh process, after the
images' variants (640 px JPEGs, the width the step draws from) are recorded: its CPU time, the
process's peak resident memory during it (Linux: ``VmHWM`` after resetting it through
``/proc/self/clear_refs``) above its resident memory just before, and the peak of the Python heap
(``tracemalloc``; Pillow's pixel buffers are not in it, the resident peak has them).

This runs on CPython. The consumer Worker draws with Pyodide's Pillow (WebAssembly), which is
slower by a factor this machine cannot measure offline (docs/sharing.md#cpu-and-memory); the
headroom column is what a factor may use up before the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.imagefiles import phone_photo

from benchmarks.report import add_out_option, markdown_table, write_report
from quizhub.bindings import InPlace, Settings
from quizhub.domain.cards import card_texts
from quizhub.domain.images import Variant
from quizhub.domain.samples import minimal_document
from quizhub.domain.wire import json_bytes
from quizhub.local.platform import build_platform
from quizhub.pipeline.card_art import draw_card, open_background
from quizhub.pipeline.cards import render_cards
from quizhub.ports.limits import REQUIRED_PLAN
from quizhub.store.images import ImageFacts, ImagesRepo
from quizhub.store.keys import document_key

RESULTS = 50  # the document's limit (docs/architecture.md#limits)
HEADROOM_WANTED = 3


def worst_document() -> dict[str, Any]:
    """A published test with 50 results, every text long enough to wrap, and an image behind
    every card (the thumbnail and each result's own)."""
    doc = minimal_document(
        "여행을 떠나기 전 나도 몰랐던 나의 진짜 여행 성향을 알아보는 긴 제목의 테스트"
    )
    doc["description"] = "몇 가지 질문으로 알아보는 여행 스타일. " * 6
    doc["thumbnail"] = _key(0)
    doc["results"] = [
        {
            "id": f"r{i}",
            "title": f"{i}번째 유형: 계획은 세우지만 마음 가는 대로 떠나는 여행자",
            "description": "일정표를 세 번 확인하고도 골목길에서 길을 잃는 사람. " * 4,
            "image": _key(i + 1),
        }
        for i in range(RESULTS)
    ]
    return doc


def _key(i: int) -> str:
    return f"{i:032x}.jpg"


@dataclass(frozen=True)
class StepRun:
    cards: int
    cpu_s: float
    wall_s: float
    rss_before_kb: int | None
    rss_peak_kb: int | None
    heap_peak: int


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _run_step(directory: str) -> StepRun:
    """The card step of the worst save, alone in this (fresh) process."""

    async def main() -> StepRun:
        platform = build_platform(Path(directory), Settings(admin_token="bench"))
        b = platform.bindings
        photo = phone_photo(640, 480, orientation=1)
        doc = {**worst_document(), "id": "worst"}
        rev = "01M7Q5CQG0C5EVCJVDJ4M2HFR7"
        await b.bucket.put(document_key("worst", rev), json_bytes(doc))
        for i in range(RESULTS + 1):  # each image processed: its 640 px variant is drawn from
            variant = Variant(640, 480, "jpg", f"variants/{_key(i)}/640w.jpg", len(photo))
            await b.bucket.put(variant.object_key, photo)
            facts = ImageFacts("jpg", 640, 480, len(photo))
            await ImagesRepo(b.db).record("bench", _key(i), facts, [variant], "now", commit=False)
        gc.collect()
        resettable = _reset_peak()
        before = _status_kb("VmRSS")
        tracemalloc.start()
        cpu, wall = time.process_time(), time.perf_counter()
        # In place, as on Cloudflare: the step's CPU and memory are the isolate's own.
        done = await render_cards(b.db, b.bucket, InPlace(), "worst", rev)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        heap = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peak = _status_kb("VmHWM") if resettable else None
        platform.close()
        return StepRun(done.drawn, cpu, wall, before, peak, heap)

    return asyncio.run(main())


def _per_card(repeats: int) -> dict[str, list[float]]:
    texts = card_texts("worst", worst_document())
    photo = phone_photo(640, 480, orientation=1)
    draw_card(texts[1])  # the font's first load is not a card's cost
    times: dict[str, list[float]] = {"gradient": [], "photo": []}
    for i in range(repeats):
        text = texts[1 + i % RESULTS]
        start = time.process_time()
        draw_card(text.with_image(None))
        times["gradient"].append(time.process_time() - start)
        start = time.process_time()
        draw_card(text, open_background(photo))
        times["photo"].append(time.process_time() - start)
    return times


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def report(repeats: int, out: str | None) -> None:
    times = _per_card(repeats)
    per_card = markdown_table(
        ["card", "draws", "CPU median", "CPU p95"],
        [
            (name, len(v), _ms(statistics.median(v)), _ms(_p95(v)))
            for name, v in (
                ("gradient (no image)", times["gradient"]),
                ("over a photo (background decoded for it)", times["photo"]),
            )
        ],
    )
    with tempfile.TemporaryDirectory() as directory:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1) as pool:
            step = pool.apply(_run_step, (directory,))
    plan = REQUIRED_PLAN
    cpu_headroom = plan.cpu_ms / (step.cpu_s * 1000)
    added_kb = (
        None
        if step.rss_peak_kb is None or step.rss_before_kb is None
        else step.rss_peak_kb - step.rss_before_kb
    )
    memory_headroom = None if not added_kb else plan.memory_mib * 1024 / added_kb
    rows = [
        ("cards drawn", step.cards, ""),
        ("CPU time", f"{step.cpu_s:.2f} s", f"{plan.cpu_ms / 1000:.0f} s per invocation"),
        ("wall time", f"{step.wall_s:.2f} s", ""),
        (
            "peak resident memory added",
            "n/a" if added_kb is None else f"{added_kb / 1024:.1f} MiB",
            f"{plan.memory_mib} MiB per isolate",
        ),
        ("peak Python heap", f"{step.heap_peak / 2**20:.1f} MiB", ""),
        ("CPU headroom", f"{cpu_headroom:.1f}×", f"≥ {HEADROOM_WANTED}× wanted"),
        (
            "memory headroom",
            "n/a" if memory_headroom is None else f"{memory_headroom:.1f}×",
            f"≥ {HEADROOM_WANTED}× wanted",
        ),
    ]
    step_table = markdown_table(
        ["worst save (50 results, 51 cards)", "measured", f"{plan.name}"], rows
    )
    body = (
        "Drawing one 1200 × 630 card (CPython, Pillow):\n\n"
        f"{per_card}\n\n"
        "The card step of the worst save, against the consumer's limits on the "
        f"{plan.name} plan (`quizhub.ports.limits`):\n\n{step_table}\n"
    )
    print(body)
    print(f"wrote {write_report('cards', body, out=out)}")
    short = [
        f"{what} headroom {value:.1f}× < {HEADROOM_WANTED}×"
        for what, value in (("CPU", cpu_headroom), ("memory", memory_headroom))
        if value is not None and value < HEADROOM_WANTED
    ]
    if short:
        raise SystemExit("card step: " + "; ".join(short))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.card_bench", description=__doc__)
    parser.add_argument("--repeats", type=int, default=40, help="draws per kind of card")
    add_out_option(parser)
    args = parser.parse_args(argv)
    report(args.repeats, args.out)


if __name__ == "__main__":
    main()
