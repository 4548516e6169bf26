"""``make eval-search``: search quality on the judged Korean eval set (search_eval/).

The catalogue is saved through the real pipeline into a fresh local platform (keyword index in
D1, vectors in the local index), then every query runs three ways: keyword only, vector only
(above the model's no-answer score) and hybrid (both fused, as ``GET /api/tests?q=`` answers).
Printed: recall@10 on keyword queries, hit@3 and MRR on meaning-only queries, and how many
results no-answer queries return (fewer is better). Then the no-answer cut swept: the same
hybrid metrics had the vector side been cut at other similarity scores, which is how the cut
(``no_answer_score`` of the local model, ``MIN_VECTOR_SCORE`` of bge-m3) is chosen.

``--embedder workers-ai`` embeds with production's model through Workers AI's REST API instead
of the local one (``benchmarks/workers_ai_rest.py`` says what it needs).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.eval_vectors import KINDS, SIMILAR_NEIGHBOURS, load_eval_set, load_similar
from benchmarks.report import add_out_option, markdown_table, write_report
from benchmarks.workers_ai_rest import MissingCredentials, WorkersAiRest
from quizhub.bindings import Bindings, Settings
from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import build_platform
from quizhub.local.vectors import LocalVectorize
from quizhub.pipeline.accept import accept_save
from quizhub.search.service import (
    DEPTH,
    MIN_VECTOR_SCORE,
    fuse,
    keyword_ranked,
    ranked,
    similar,
    vector_ranked,
    vector_scored,
)
from quizhub.search.vectors import (
    EMBEDDING_DIMENSIONS,
    METADATA_INDEXES,
    VectorSide,
    vector_side,
)

EMBEDDERS = ("local", "workers-ai")
NOISE = "results per no-answer query"
SILENCED = "no-answer queries silenced"
TOPIC = "hit@1 (topic)"

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
    return await keyword_ranked(b.db, q)


async def _vector(b: Bindings, q: str) -> list[str]:
    return await vector_ranked(bound_side(b), q)


async def _hybrid(b: Bindings, q: str) -> list[str]:
    return (await ranked(b.db, bound_side(b), q)).ids


def bound_side(b: Bindings) -> VectorSide:
    """The platform's vector side (the benchmarks run where it is bound)."""
    side = vector_side(b)
    assert side is not None, "the local platform binds the vector side"
    return side


MODES: dict[str, Search] = {"keyword": _keyword, "vector": _vector, "hybrid": _hybrid}


def metrics(results: list[tuple[dict[str, Any], list[str]]]) -> dict[str, float]:
    """recall@10 (keyword), hit@3 and MRR (meaning), hit@1 (topic), and for no-answer queries
    the results each returns (fewer is better) and the share that return none (silenced)."""
    recall: list[float] = []
    hits: list[float] = []
    rr: list[float] = []
    firsts: list[float] = []
    noise: list[int] = []
    for query, ids in results:
        relevant = set(query["relevant"])
        if query["kind"] == "keyword":
            recall.append(len(relevant & set(ids[:10])) / len(relevant))
        elif query["kind"] == "meaning":
            hits.append(float(bool(relevant & set(ids[:3]))))
            rank = next((i for i, t in enumerate(ids, start=1) if t in relevant), None)
            rr.append(0.0 if rank is None else 1.0 / rank)
        elif query["kind"] == "topic":
            firsts.append(float(bool(ids) and ids[0] in relevant))
        else:
            noise.append(len(ids))
    return {
        "recall@10 (keyword)": sum(recall) / len(recall),
        "hit@3 (meaning)": sum(hits) / len(hits),
        "MRR (meaning)": sum(rr) / len(rr),
        TOPIC: sum(firsts) / len(firsts) if firsts else 0.0,
        NOISE: sum(noise) / len(noise),
        SILENCED: sum(n == 0 for n in noise) / len(noise),
    }


@dataclass(frozen=True)
class Evaluation:
    """Metrics by mode (as ``GET /api/tests?q=`` answers), and per query the keyword ranking
    and every vector score (for the sweep)."""

    scores: dict[str, dict[str, float]]
    queries: list[dict[str, Any]]
    keyword: list[list[str]]
    vector: list[dict[str, float]]
    cut: float  # the no-answer cut the modes ran with
    similar: float | None = None  # 비슷한 테스트's precision@3 on search_eval/similar.json


def with_embedder(ai: Any, index: LocalVectorize) -> Callable[[Bindings], Bindings]:
    """Bindings with ``ai`` as the embedder and ``index`` (its dimensions) as the vector index."""

    def wrap(raw: Bindings) -> Bindings:
        return replace(raw, ai=ai, vectorize=index)

    return wrap


async def run_eval(root: Path, ai: Any = None) -> Evaluation:
    """Save the catalogue, run every query in every mode (``ai`` embeds instead of the local
    model when given)."""
    catalogue, queries = load_eval_set()
    index = None
    if ai is not None:
        index = LocalVectorize(
            root / "vectors-remote.sqlite", EMBEDDING_DIMENSIONS, metadata_indexes=METADATA_INDEXES
        )
    wrap = with_embedder(ai, index) if index is not None else None
    platform = build_platform(root, Settings(admin_token="eval"), mode="sync", wrap=wrap)
    b = platform.bindings
    try:
        for test in catalogue:
            accepted = await accept_save(b, test["id"], document(test), Precondition())
            assert accepted.job is not None and accepted.job.status == "succeeded", accepted.job
        await platform.drain()  # the index queue: the catalogue's vectors
        out: dict[str, dict[str, float]] = {}
        for mode, search in MODES.items():
            results = [(query, await search(b, query["q"])) for query in queries]
            out[mode] = metrics(results)
        keyword = [await keyword_ranked(b.db, q["q"]) for q in queries]
        vector = [await vector_scored(bound_side(b), q["q"], min_score=-1.0) for q in queries]
        cut = float(getattr(b.ai, "no_answer_score", MIN_VECTOR_SCORE))
        return Evaluation(out, queries, keyword, vector, cut, await similar_precision(b))
    finally:
        platform.close()
        if index is not None:
            index.close()


async def similar_precision(b: Bindings, k: int = SIMILAR_NEIGHBOURS) -> float:
    """Precision@k of 비슷한 테스트 (``GET /api/tests/{id}/similar``'s code) on the judged
    neighbours of search_eval/similar.json."""
    found = []
    for judged in load_similar():
        page = await similar(b.db, vector_side(b), judged["test"], k)
        found.append(len({i["id"] for i in page.items} & set(judged["similar"])) / k)
    return sum(found) / len(found)


async def evaluate(root: Path) -> dict[str, dict[str, float]]:
    """Metrics by mode with the local model."""
    return (await run_eval(root)).scores


def hybrid_at(ev: Evaluation, cut: float) -> dict[str, float]:
    """The hybrid metrics had the vector side dropped every hit scoring below ``cut``."""
    results = []
    for query, keyword, vector in zip(ev.queries, ev.keyword, ev.vector, strict=True):
        kept = {i: s for i, s in vector.items() if s >= cut}
        results.append((query, fuse([keyword, list(kept)], tiebreak=kept)[:DEPTH]))
    return metrics(results)


def sweep(ev: Evaluation, rows: int = 12) -> list[tuple[float, dict[str, float]]]:
    """``hybrid_at`` for the cut in use and cuts spread over the best vector scores of the
    meaning and no-answer queries (just below each, so that query's best hit is kept)."""
    tops = sorted(
        max(v.values(), default=0.0)
        for q, v in zip(ev.queries, ev.vector, strict=True)
        if q["kind"] != "keyword"
    )
    step = max(1, len(tops) // rows)
    cuts = {round(t - 1e-4, 4) for t in tops[::step]} | {ev.cut}
    return [(cut, hybrid_at(ev, cut)) for cut in sorted(cuts)]


def table(scores: dict[str, dict[str, float]]) -> str:
    names = list(next(iter(scores.values())))
    return markdown_table(
        ["metric", *scores],
        [(name, *(f"{scores[mode][name]:.2f}" for mode in scores)) for name in names],
    )


def sweep_table(rows: list[tuple[float, dict[str, float]]], cut: float) -> str:
    names = ["hit@3 (meaning)", "MRR (meaning)", TOPIC, "recall@10 (keyword)", NOISE, SILENCED]
    return markdown_table(
        ["cut", *names],
        [
            (f"{at:.4f}{' (in use)' if at == cut else ''}", *(f"{m[n]:.2f}" for n in names))
            for at, m in rows
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval-search", description=__doc__)
    parser.add_argument("--embedder", choices=EMBEDDERS, default="local")
    add_out_option(parser)
    args = parser.parse_args(argv)
    ai: Any = None
    if args.embedder == "workers-ai":
        try:
            # production runs the vector side with MIN_VECTOR_SCORE; the sweep shows the others
            ai = WorkersAiRest.from_env(no_answer_score=MIN_VECTOR_SCORE)
        except MissingCredentials as exc:
            print(f"make eval-search: {exc}", file=sys.stderr)
            return 2
    catalogue, queries = load_eval_set()
    kinds = {k: sum(q["kind"] == k for q in queries) for k in KINDS}
    about = (
        f"Eval set: {len(catalogue)} tests, {len(queries)} queries"
        f" ({', '.join(f'{n} {kind}' for kind, n in kinds.items())}); embedder: {args.embedder}."
    )
    print(f"{about}\n")
    with tempfile.TemporaryDirectory(prefix="quizhub-eval-") as tmp:
        ev = asyncio.run(run_eval(Path(tmp), ai))
    neighbours = (
        f"\n\n비슷한 테스트, precision@{SIMILAR_NEIGHBOURS} on {len(load_similar())} judged tests:"
        f" {ev.similar:.2f}."
        if ev.similar is not None
        else ""
    )
    quality = f"{about}\n\n{table(ev.scores)}{neighbours}"
    swept = (
        f"{about} Hybrid metrics with the vector side cut at other scores (the no-answer cut in"
        f" use: {ev.cut}).\n\n{sweep_table(sweep(ev), ev.cut)}"
    )
    print(f"{table(ev.scores)}{neighbours}\n\n{swept}\n")
    suffix = "" if args.embedder == "local" else f"-{args.embedder}"
    for name, body in (("search-quality", quality), ("search-cut-sweep", swept)):
        print(f"wrote {write_report(name + suffix, body, out=args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
