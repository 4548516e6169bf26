"""``make bench``: the consumers' throughput, each next to a floor measured in the same run.

- The save consumer: N saves accepted first, then the platform's consumers drain them; the end
  is seen by ONE query of the job table every 20 ms (nothing polls through the app on the
  consumer's event loop). Its floor: the same jobs' storage work alone, back to back, with no
  queue and no orchestration (the job row, the R2 put, the D1 commit batch, the KV delete).
- The index consumer: index requests for N published tests drained by the index queue's
  consumer, against the embedder's own batched throughput on the same documents (the same
  texts, ``EMBED_TEXTS_LIMIT`` per call).

Everything runs in one process on the local platform (real SQLite and files, the local model).
Compare the rows of one run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.report import add_out_option, markdown_table, write_report
from benchmarks.save_path import TOKEN, payloads
from quizhub.bindings import Bindings, Settings
from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.domain.wire import iso_ms
from quizhub.local.platform import LocalPlatform, build_platform
from quizhub.pipeline import steps
from quizhub.pipeline.accept import accept_save
from quizhub.ports import EMBED_TEXTS_LIMIT
from quizhub.search.indexing import INDEX_QUEUE, index_message
from quizhub.search.vectors import EMBEDDING_MODEL, field_texts
from quizhub.store.jobs import JobRef, JobsRepo
from quizhub.store.keys import kv_test_key

__all__ = ["save_consumer", "storage_floor", "index_consumer", "embedder_floor", "main"]

# Save targets of the consumer against its floor, and of the index consumer against the model.
SAVE_TARGET, INDEX_TARGET = 0.5, 0.7


def _without_vectors(b: Bindings) -> Bindings:
    return replace(b, ai=None, vectorize=None)


def _platform(root: Path, name: str, *, vectors: bool = True) -> LocalPlatform:
    """A platform; ``vectors=False`` leaves search's vector side out (the save consumer and its
    floor measure storage and orchestration, not the model)."""
    wrap = None if vectors else _without_vectors
    return build_platform(root / name, Settings(admin_token=TOKEN), rate_limits=False, wrap=wrap)


async def _until_terminal(b: Bindings, job_ids: list[str]) -> None:
    """Wait until every job is terminal, with one query of the job table per 20 ms."""
    sql = (
        "SELECT COUNT(*) AS n FROM jobs WHERE job_id IN (SELECT value FROM json_each(?1))"
        " AND status NOT IN ('queued', 'running', 'delayed')"
    )
    statement = b.db.prepare(sql).bind(json.dumps(job_ids))
    while True:
        row = await statement.first()
        if row is not None and row["n"] == len(job_ids):
            return
        await asyncio.sleep(0.02)


async def save_consumer(root: Path, saves: list[tuple[str, dict[str, Any]]]) -> float:
    """Seconds the save consumer takes to bring ``saves`` (accepted beforehand) to terminal."""
    platform = _platform(root, "consumer", vectors=False)
    b = platform.bindings
    job_ids = [
        (await accept_save(b, test_id, parse_document(doc).content(), Precondition())).job_id
        for test_id, doc in saves
    ]
    stop = asyncio.Event()
    t0 = time.perf_counter()
    task = asyncio.create_task(platform.serve(stop))
    try:
        await _until_terminal(b, job_ids)
        return time.perf_counter() - t0
    finally:
        stop.set()
        await task
        platform.close()


async def storage_floor(root: Path, saves: list[tuple[str, dict[str, Any]]]) -> float:
    """Seconds the same jobs' storage work takes back to back: job row, R2 put, D1 commit, KV
    delete; no queue, no message parsing, no orchestration, no notices."""
    platform = _platform(root, "floor", vectors=False)
    b = platform.bindings
    jobs = JobsRepo(b.db)
    contents = [(test_id, parse_document(doc).content()) for test_id, doc in saves]
    refs = []
    for test_id, _ in contents:
        rev = b.revs.new(b.clock_ms())
        refs.append(JobRef(f"{rev}-floor", test_id, rev, "save", iso_ms(b.clock_ms())))
    try:
        t0 = time.perf_counter()
        for ref, (_, content) in zip(refs, contents, strict=True):
            await jobs.start_attempt(ref, "validate", iso_ms(b.clock_ms()), None)
            key = await steps.put_document(b.bucket, ref, content)
            await steps.commit(b.db, b.bucket, ref, content, key, iso_ms(b.clock_ms()))
            await b.kv.delete(kv_test_key(ref.test_id))
        return time.perf_counter() - t0
    finally:
        platform.close()


async def _published(root: Path, name: str, n: int) -> tuple[LocalPlatform, list[str]]:
    """A platform holding ``n`` published tests (their own index requests already drained)."""
    platform = _platform(root, name)
    ids = []
    for test_id, doc in payloads(n):
        tid = f"{test_id}-{len(ids)}"
        content = parse_document({**doc, "status": "published"}).content()
        await accept_save(platform.bindings, tid, content, Precondition())
        ids.append(tid)
    await platform.drain()
    return platform, ids


async def index_consumer(root: Path, n: int) -> float:
    """Seconds the index queue's consumer takes for ``n`` index requests (one per test)."""
    platform, ids = await _published(root, "index", n)
    b = platform.bindings
    assert b.index_queue is not None
    try:
        for test_id in ids:
            await b.index_queue.send(index_message(test_id), content_type="json")
        t0 = time.perf_counter()
        while platform.broker.stats(INDEX_QUEUE)["ready"]:
            await platform.step()
        return time.perf_counter() - t0
    finally:
        platform.close()


async def embedder_floor(root: Path, n: int) -> float:
    """Seconds the embedder alone takes for the same documents, ``EMBED_TEXTS_LIMIT`` a call."""
    platform, ids = await _published(root, "embedder", n)
    b = platform.bindings
    assert b.ai is not None
    try:
        texts = []
        for test_id in ids:
            row = (
                await b.db.prepare("SELECT object_key FROM tests WHERE id = ?")
                .bind(test_id)
                .first()
            )
            assert row is not None
            obj = await b.bucket.get(str(row["object_key"]))
            assert obj is not None
            texts.extend(field_texts(json.loads(obj.body)).values())  # a vector per field
        t0 = time.perf_counter()
        for start in range(0, len(texts), EMBED_TEXTS_LIMIT):
            await b.ai.run(EMBEDDING_MODEL, {"text": texts[start : start + EMBED_TEXTS_LIMIT]})
        return time.perf_counter() - t0
    finally:
        platform.close()


async def main(n_jobs: int, n_index: int, out: str | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="quizhub-consumer-") as tmp:
        root = Path(tmp)
        saves = payloads(n_jobs)
        floor = await storage_floor(root, saves)
        consumer = await save_consumer(root, saves)
        embedder = await embedder_floor(root, n_index)
        indexer = await index_consumer(root, n_index)
    save_rate, floor_rate = n_jobs / consumer, n_jobs / floor
    index_rate, model_rate = n_index / indexer, n_index / embedder
    rows = [
        ("save consumer (queue mode, local bindings)", f"{save_rate:.0f} jobs/s", ""),
        (
            "floor: job row + R2 put + D1 commit + KV delete, back to back",
            f"{floor_rate:.0f} jobs/s",
            "",
        ),
        ("save consumer ÷ floor", f"{save_rate / floor_rate:.2f}", f"≥ {SAVE_TARGET}"),
        ("index consumer (batches of ≤ 100)", f"{index_rate:.0f} tests/s", ""),
        ("floor: the embedder alone, same texts, 100 per call", f"{model_rate:.0f} tests/s", ""),
        ("index consumer ÷ embedder", f"{index_rate / model_rate:.2f}", f"≥ {INDEX_TARGET}"),
    ]
    table = markdown_table(["measure", "result", "target"], rows)
    body = (
        f"{n_jobs} saves and {n_index} index requests; the consumers' end seen by one query of"
        f" the job table every 20 ms (no polling through the app).\n\n{table}\n"
    )
    print(f"\nquizhub consumer benchmark\n\n{body}")
    print(f"wrote {write_report('consumers', body, out=out)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--index", type=int, default=300)
    add_out_option(parser)
    args = parser.parse_args()
    asyncio.run(main(args.jobs, args.index, args.out))
