"""``make eval-search``: search quality on the judged Korean eval set (search_eval/).

The catalogue is saved through the real pipeline into a fresh local platform (keyword index in
D1, vectors in the local index), then every query runs three ways: keyword only, vector only
(above the model's no-answer score) and hybrid (both fused, as ``GET /api/tests?q=`` answers).
Printed: recall@10 on keyword queries, hit@3 and MRR on meaning-only queries, and how many
results no-answer queries return (fewer is better).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.eval_vectors import load_eval_set
from quizhub.bindings import Bindings, Settings
from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import build_platform
from quizhub.pipeline.accept import accept_save
from quizhub.search.service import keyword_ranked, ranked, vector_ranked

Search = Callable[[Bindings, str], Awaitable[list[str]]]


def document(test: dict[str, Any]) -> dict[str, Any]:
    """A valid quiz document for a catalogue entry (its results reached by one question)."""
    results = [
        {"id": f"r{i}", "title": title, "description": "", "image": None}
        for i, title in enumerate(test["results"])
    ]
    options = [
        {"id": f"o{i}", "text": r["title"], "scores": {r["id"]: 1}} for i, r in enumerate(results)
    ]
    doc = {
        "title": test["title"],
        "description": test["description"],
        "locale": "ko",
        "tags": test["tags"],
        "status": "published",
        "thumbnail": None,
        "questions": [{"id": "q1", "text": "어느 쪽인가요?", "image": None, "options": options}],
        "results": results,
    }
    return parse_document(doc).content()


async def _keyword(b: Bindings, q: str) -> list[str]:
    return await keyword_ranked(b, q)


async def _vector(b: Bindings, q: str) -> list[str]:
    return await vector_ranked(b, q)


async def _hybrid(b: Bindings, q: str) -> list[str]:
    return (await ranked(b, q)).ids


MODES: dict[str, Search] = {"keyword": _keyword, "vector": _vector, "hybrid": _hybrid}


def metrics(results: list[tuple[dict[str, Any], list[str]]]) -> dict[str, float]:
    """recall@10 (keyword), hit@3 and MRR (meaning), results per no-answer query (none)."""
    recall: list[float] = []
    hits: list[float] = []
    rr: list[float] = []
    noise: list[int] = []
    for query, ids in results:
        relevant = set(query["relevant"])
        if query["kind"] == "keyword":
            recall.append(len(relevant & set(ids[:10])) / len(relevant))
        elif query["kind"] == "meaning":
            hits.append(float(bool(relevant & set(ids[:3]))))
            rank = next((i for i, t in enumerate(ids, start=1) if t in relevant), None)
            rr.append(0.0 if rank is None else 1.0 / rank)
        else:
            noise.append(len(ids))
    return {
        "recall@10 (keyword)": sum(recall) / len(recall),
        "hit@3 (meaning)": sum(hits) / len(hits),
        "MRR (meaning)": sum(rr) / len(rr),
        "results per no-answer query": sum(noise) / len(noise),
    }


async def evaluate(root: Path) -> dict[str, dict[str, float]]:
    """Save the catalogue, run every query in every mode; metrics by mode."""
    catalogue, queries = load_eval_set()
    platform = build_platform(root, Settings(admin_token="eval"), mode="sync")
    try:
        b = platform.bindings
        for test in catalogue:
            accepted = await accept_save(b, test["id"], document(test), Precondition())
            assert accepted.job is not None and accepted.job.status == "succeeded", accepted.job
        out: dict[str, dict[str, float]] = {}
        for mode, search in MODES.items():
            results = [(query, await search(b, query["q"])) for query in queries]
            out[mode] = metrics(results)
        return out
    finally:
        platform.close()


def table(scores: dict[str, dict[str, float]]) -> str:
    names = list(next(iter(scores.values())))
    lines = ["| metric | " + " | ".join(scores) + " |", "|---" * (len(scores) + 1) + "|"]
    for name in names:
        cells = " | ".join(f"{scores[mode][name]:.2f}" for mode in scores)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="make eval-search", description=__doc__).parse_args(argv)
    catalogue, queries = load_eval_set()
    kinds = {k: sum(q["kind"] == k for q in queries) for k in ("keyword", "meaning", "none")}
    print(f"eval set: {len(catalogue)} tests, {len(queries)} queries {kinds}\n")
    with tempfile.TemporaryDirectory(prefix="quizhub-eval-") as tmp:
        scores = asyncio.run(evaluate(Path(tmp)))
    print(table(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
