"""``make eval-search``: search quality on the judged Korean eval set (search_eval/).

The catalogue is saved through the real pipeline into a fresh local platform (keyword index in
D1, field vectors in the local index), then every query runs three ways: keyword only, vector
only (under the embedder's cut) and hybrid (both fused, as ``GET /api/tests?q=`` answers).
Printed: recall@10 on keyword queries, hit@3 and MRR on meaning-only queries, hit@1 on topic
queries, and for no-answer queries the results each returns and the share that return none
(silenced); then 비슷한 테스트's precision@3 on the judged neighbours.

Then the cut swept: the same hybrid metrics had the vector side answered from other scores
(the band below the answering score kept as it is), with the share of no-answer queries
silenced at each point. The cut picked from that curve is the lowest one silencing at least
``SILENCE_TARGET`` of them: it keeps the most meaning-only hits while saying "no result" where
nothing answers; it is what ``quizhub.search.vectors.VECTOR_CUTS`` should hold for the embedder.

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
    answered,
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
    NO_CUT,
    VectorCut,
    VectorSide,
    vector_cut,
    vector_side,
)

EMBEDDERS = ("local", "workers-ai")
NOISE = "results per no-answer query"
SILENCED = "no-answer queries silenced"
TOPIC = "hit@1 (topic)"
# The share of no-answer queries the picked cut must silence (the bar: 90 %).
SILENCE_TARGET = 0.9

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
    vector: list[dict[str, float]]  # every test's score, uncut
    cut: VectorCut  # the cut the modes ran with
    similar: float  # 비슷한 테스트's precision@3 on search_eval/similar.json


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
        vector = [await vector_scored(bound_side(b), q["q"], NO_CUT) for q in queries]
        cut = vector_cut(b.ai)
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


def hybrid_at(ev: Evaluation, cut: VectorCut) -> dict[str, float]:
    """The hybrid metrics had the vector side answered under ``cut``."""
    results = []
    for query, keyword, vector in zip(ev.queries, ev.keyword, ev.vector, strict=True):
        kept = answered(vector, cut)
        results.append((query, fuse([keyword, list(kept)], tiebreak=kept)[:DEPTH]))
    return metrics(results)


def sweep(ev: Evaluation, rows: int = 14) -> list[tuple[VectorCut, dict[str, float]]]:
    """``hybrid_at`` for the cut in use and for answering scores spread over the best vector
    scores of the meaning and no-answer queries (just above each, so that query is silenced),
    the band below the answering score as in the cut in use."""
    tops = sorted(
        max(v.values(), default=0.0)
        for q, v in zip(ev.queries, ev.vector, strict=True)
        if q["kind"] in ("meaning", "none")
    )
    step = max(1, len(tops) // rows)
    answers = {round(t + 1e-4, 4) for t in tops[::step]} | {ev.cut.answer, picked(ev).answer}
    return [(ev.cut.moved_to(a), hybrid_at(ev, ev.cut.moved_to(a))) for a in sorted(answers)]


def picked(ev: Evaluation, target: float = SILENCE_TARGET) -> VectorCut:
    """The lowest answering score (just above a no-answer query's best) at which at least
    ``target`` of the no-answer queries return nothing in hybrid search."""
    tops = sorted(
        round(max(v.values(), default=float("-inf")) + 1e-4, 4)
        for q, v in zip(ev.queries, ev.vector, strict=True)
        if q["kind"] == "none"
    )
    for answer in [min(tops) - 1e-4, *tops]:
        if hybrid_at(ev, ev.cut.moved_to(answer))[SILENCED] >= target:
            return ev.cut.moved_to(answer)
    return ev.cut.moved_to(max(tops))


def table(scores: dict[str, dict[str, float]]) -> str:
    names = list(next(iter(scores.values())))
    return markdown_table(
        ["metric", *scores],
        [(name, *(f"{scores[mode][name]:.2f}" for mode in scores)) for name in names],
    )


BANDS = (0.0, 0.005, 0.01, 0.02, 0.05)


def band_sweep(ev: Evaluation) -> list[tuple[VectorCut, dict[str, float]]]:
    """``hybrid_at`` at the picked answering score with other bands below it (how many tests an
    answered query lists, and what the extra ones are worth)."""
    answer = picked(ev).answer
    return [
        (VectorCut(answer, answer - band), hybrid_at(ev, VectorCut(answer, answer - band)))
        for band in BANDS
    ]


def listed(ev: Evaluation, cut: VectorCut) -> float:
    """Tests the vector side lists per meaning query under ``cut``."""
    counts = [
        len(answered(v, cut))
        for q, v in zip(ev.queries, ev.vector, strict=True)
        if q["kind"] == "meaning"
    ]
    return sum(counts) / len(counts)


def band_table(ev: Evaluation) -> str:
    names = ["hit@3 (meaning)", "MRR (meaning)", TOPIC]
    return markdown_table(
        ["band (answer − keep)", *names, "tests listed per meaning query"],
        [
            (
                f"{cut.answer - cut.keep:.3f}",
                *(f"{m[n]:.2f}" for n in names),
                f"{listed(ev, cut):.1f}",
            )
            for cut, m in band_sweep(ev)
        ],
    )


def sweep_table(rows: list[tuple[VectorCut, dict[str, float]]], ev: Evaluation) -> str:
    names = ["hit@3 (meaning)", "MRR (meaning)", TOPIC, "recall@10 (keyword)", NOISE, SILENCED]
    best = picked(ev)

    def label(cut: VectorCut) -> str:
        notes = [n for n, c in (("in use", ev.cut), ("picked", best)) if c.answer == cut.answer]
        return f"{cut.answer:.4f} / {cut.keep:.4f}" + (f" ({', '.join(notes)})" if notes else "")

    return markdown_table(
        ["answer / keep", *names],
        [(label(cut), *(f"{m[n]:.2f}" for n in names)) for cut, m in rows],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval-search", description=__doc__)
    parser.add_argument("--embedder", choices=EMBEDDERS, default="local")
    add_out_option(parser)
    args = parser.parse_args(argv)
    ai: Any = None
    if args.embedder == "workers-ai":
        try:
            # production's cut (VECTOR_CUTS); the sweep shows the others
            ai = WorkersAiRest.from_env()
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
    )
    quality = f"{about}\n\n{table(ev.scores)}{neighbours}"
    best = picked(ev)
    swept = (
        f"{about} Hybrid metrics had the vector side answered from other scores (the cut in"
        f" use: answer {ev.cut.answer}, keep {ev.cut.keep}). Picked from this curve: the lowest"
        f" answering score silencing at least {SILENCE_TARGET:.0%} of the no-answer queries,"
        f" {best.answer:.4f} (keep {best.keep:.4f}).\n\n{sweep_table(sweep(ev), ev)}"
        f"\n\nBelow the picked answering score, the band of tests still listed:\n\n{band_table(ev)}"
    )
    print(f"{table(ev.scores)}{neighbours}\n\n{swept}\n")
    suffix = "" if args.embedder == "local" else f"-{args.embedder}"
    for name, body in (("search-quality", quality), ("search-cut-sweep", swept)):
        print(f"wrote {write_report(name + suffix, body, out=args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
