"""``make bench`` (second half): search latency at 1,000 and 10,000 tests, and what the index
step adds to a save.

The catalogue (search_eval/) is multiplied into N published tests with varied Korean titles and
committed straight through the store (the keyword index follows in the same batches); their
field vectors (one per field of each test) are embedded and upserted as the index consumer does
it, a batch of tests at a time. Then every eval query runs as
keyword only, vector only and hybrid — first on the local bindings, then with a modelled 10 ms
per binding call (D1, Workers AI, Vectorize), where hybrid should cost about its slower half
because the two halves run concurrently.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.eval_search import bound_side, document
from benchmarks.eval_vectors import load_eval_set
from benchmarks.report import add_out_option, markdown_table, write_report
from benchmarks.save_path import pct
from quizhub.bindings import Bindings, Settings
from quizhub.domain.revisions import RevGenerator
from quizhub.domain.wire import json_bytes
from quizhub.local.datadir import VECTORS_FILE
from quizhub.local.embedder import DIMENSIONS
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.platform import build_platform
from quizhub.local.vectors import LocalVectorize
from quizhub.ports import EMBED_TEXTS_LIMIT, TextEmbedder
from quizhub.search.indexing import index_tests
from quizhub.search.service import keyword_ranked, ranked, similar, vector_ranked
from quizhub.search.terms import document_terms
from quizhub.search.vectors import METADATA_INDEXES, VectorSide, index_documents, vector_side
from quizhub.store.jobs import JobRef, JobsRepo
from quizhub.store.keys import document_key
from quizhub.store.tests import DocumentFacts, TestsRepo

PLACES = ["바다", "도시", "숲", "사막", "섬", "우주", "학교", "회사", "카페", "집"]
MOODS = ["즐거운", "조용한", "설레는", "바쁜", "느긋한", "용감한", "엉뚱한", "다정한"]


def catalogue(n: int) -> list[tuple[str, dict[str, Any]]]:
    """``n`` published tests varied from the eval catalogue."""
    base, _ = load_eval_set()
    out = []
    for i in range(n):
        test = base[i % len(base)]
        place, mood = PLACES[(i // len(base)) % len(PLACES)], MOODS[i % len(MOODS)]
        title = f"{mood} {place}의 {test['title']} {i}"
        out.append((f"{test['id'][:40]}-{i}", document({**test, "title": title})))
    return out


class _Remembering:
    """An embedder that embeds each distinct text once."""

    def __init__(self, inner: TextEmbedder) -> None:
        self.inner = inner
        self.seen: dict[str, list[float]] = {}

    async def run(self, model: str, inputs: dict[str, Any]) -> dict[str, Any]:
        new = [t for t in dict.fromkeys(inputs["text"]) if t not in self.seen]
        if new:
            answer = await self.inner.run(model, {**inputs, "text": new})
            self.seen.update(zip(new, answer["data"], strict=True))
        return {"data": [self.seen[t] for t in inputs["text"]]}


async def fill(b: Bindings, tests: list[tuple[str, dict[str, Any]]]) -> None:
    """Commit every test (one D1 batch each, as the pipeline does) and index their vectors."""
    revs = RevGenerator()
    repo, jobs = TestsRepo(b.db), JobsRepo(b.db)
    for i, (test_id, doc) in enumerate(tests):
        rev = revs.new(1_795_000_000_000 + i)
        job = JobRef(f"bench-{i}", test_id, rev, "save", "2026-11-18T00:00:00.000Z")
        await jobs.start_attempt(job, "validate", "2026-11-18T00:00:00.000Z", None)
        key = document_key(test_id, rev)
        await b.bucket.put(key, json_bytes(doc))
        await repo.commit(
            job,
            "2026-11-18T00:00:00.000Z",
            DocumentFacts.of(doc, search_terms=document_terms(doc)),
            key,
        )
    side = bound_side(b)
    # The variants repeat their descriptions, tags and results: each distinct text is embedded
    # once (the fill is set-up, not what is measured).
    side = VectorSide(_Remembering(side.embedder), side.index)
    for start in range(0, len(tests), EMBED_TEXTS_LIMIT):  # the index consumer's batch size
        await index_documents(side, dict(tests[start : start + EMBED_TEXTS_LIMIT]))


Search = Callable[[Bindings, str], Awaitable[Any]]
MODES: dict[str, Search] = {
    "keyword": lambda b, q: keyword_ranked(b.db, q),
    "vector": lambda b, q: vector_ranked(bound_side(b), q),
    "hybrid": lambda b, q: ranked(b.db, vector_side(b), q),
}


async def latencies(b: Bindings, queries: list[str], rounds: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(rounds):
        for q in queries:
            for mode, search in MODES.items():
                t0 = time.perf_counter()
                await search(b, q)
                out[mode].append(time.perf_counter() - t0)
    return out


async def index_step_cost(b: Bindings, tests: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """Seconds indexing one test (read the current revision, embed, upsert) takes, as the index
    queue's consumer does it for a batch of one."""
    out = []
    for test_id, _ in tests[:50]:
        t0 = time.perf_counter()
        await index_tests(b, [test_id])
        out.append(time.perf_counter() - t0)
    return out


async def similar_cost(b: Bindings, tests: list[tuple[str, dict[str, Any]]]) -> list[float]:
    """Seconds 비슷한 테스트 takes for a test (its field vectors read, their mean queried)."""
    out = []
    for test_id, _ in tests[:50]:
        t0 = time.perf_counter()
        await similar(b.db, vector_side(b), test_id, 6)
        out.append(time.perf_counter() - t0)
    return out


async def index_footprint(data_dir: Path) -> tuple[int, int]:
    """Vectors in the local index and the bytes it holds in memory once loaded (traced while a
    fresh handle answers its first query)."""
    tracemalloc.start()
    index = LocalVectorize(data_dir / VECTORS_FILE, DIMENSIONS, metadata_indexes=METADATA_INDEXES)
    try:
        count = (await index.describe())["vectorCount"]
        await index.query([1.0] + [0.0] * (DIMENSIONS - 1), top_k=1)  # loads the matrix
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        index.close()
    return int(count), held


async def main(sizes: list[int], latency_ms: float, rounds: int, out: str | None = None) -> None:
    _, queries = load_eval_set()
    texts = [q["q"] for q in queries]
    rows: list[tuple[str, list[float]]] = []
    notes: list[str] = []
    p50: dict[tuple[int, str, float], float] = {}
    with tempfile.TemporaryDirectory(prefix="quizhub-search-bench-") as tmp:
        for n in sizes:
            platform = build_platform(Path(tmp) / str(n), Settings(admin_token="b"), mode="sync")
            tests = catalogue(n)
            t0 = time.perf_counter()
            await fill(platform.bindings, tests)
            notes.append(f"{n:,} tests committed and embedded in {time.perf_counter() - t0:.1f} s")
            for lat in (0.0, latency_ms):
                plan = FaultPlan(latency_ms=lat, targets=("db", "ai", "vectorize")) if lat else None
                b = with_faults(platform.bindings, plan) if plan else platform.bindings
                where = "local" if not lat else f"{lat:g} ms per call"
                for mode, values in (await latencies(b, texts, rounds)).items():
                    rows.append((f"{mode} search, {n:,} tests, {where}", values))
                    p50[(n, mode, lat)] = statistics.median(values)
            for lat in (0.0, latency_ms):
                plan = FaultPlan(latency_ms=lat, targets=("db", "ai", "vectorize")) if lat else None
                b = with_faults(platform.bindings, plan) if plan else platform.bindings
                where = "local" if not lat else f"{lat:g} ms per call"
                rows.append((f"비슷한 테스트, {n:,} tests, {where}", await similar_cost(b, tests)))
                cost = await index_step_cost(b, tests)
                rows.append((f"index step per save, {n:,} tests, {where}", cost))
            platform.close()
            vectors, held = await index_footprint(Path(tmp) / str(n))
            notes.append(
                f"{n:,} tests: {vectors:,} field vectors ({vectors / n:.1f} per test) of"
                f" {DIMENSIONS} dimensions; the local index holds them in {held / 1e6:.1f} MB"
            )
    for n in sizes:
        slower = max(p50[(n, "keyword", latency_ms)], p50[(n, "vector", latency_ms)])
        ratio = p50[(n, "hybrid", latency_ms)] / slower
        notes.append(
            f"{n:,} tests, {latency_ms:g} ms per call: hybrid p50 = {ratio:.2f}× the slower half"
        )
    if len(sizes) > 1:
        small, big = sizes[0], sizes[-1]
        growth = p50[(big, "keyword", 0.0)] / p50[(small, "keyword", 0.0)]
        notes.append(
            f"Keyword p50 grows {growth:.2f}× from {small:,} to {big:,} tests "
            f"({big / small:.0f}× the tests): an index, not a scan"
        )
    table = markdown_table(
        ["metric", "p50", "p95"],
        [
            (label, f"{pct(values, 50) * 1000:.2f} ms", f"{pct(values, 95) * 1000:.2f} ms")
            for label, values in rows
        ],
    )
    body = f"{len(texts)} eval queries × {rounds} rounds.\n\n{table}\n\n" + "\n".join(
        f"- {note}." for note in notes
    )
    print(f"\nquizhub search benchmark\n\n{body}\n")
    print(f"wrote {write_report('search-speed', body, out=out)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    add_out_option(parser)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    asyncio.run(main(sizes, args.latency_ms, args.rounds, args.out))
