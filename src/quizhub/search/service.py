"""Hybrid search: the D1 keyword index and the vector index, queried together and fused.

``GET /api/tests?q=`` runs the keyword query (FTS5, bm25) and the vector query (Workers AI
embedding → Vectorize, published tests only) concurrently and fuses their rankings with
Reciprocal Rank Fusion. A vector index always returns neighbours, so vector hits below
``MIN_VECTOR_SCORE`` are dropped (tuned on the no-answer queries of search_eval/). If AI or
Vectorize are missing, fail or time out, the keyword results alone answer (mode ``keyword``).
Pages go as deep as the vector side can (Vectorize ``topK`` ≤ 100): at most ``DEPTH`` results.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Literal

from quizhub.errors import Code, NotFound
from quizhub.ports import MAX_TOP_K, D1Database, VectorIndex
from quizhub.search.terms import MIN_COVERAGE, keyword_terms, match_query
from quizhub.search.vectors import VectorSide, query_vector, vector_filter
from quizhub.store.tests import TestsRepo

__all__ = [
    "DEPTH",
    "RRF_K",
    "MIN_VECTOR_SCORE",
    "SearchMode",
    "Ranked",
    "fuse",
    "keyword_ranked",
    "vector_ranked",
    "vector_scored",
    "ranked",
    "Page",
    "search_page",
    "similar",
]

log = logging.getLogger("quizhub.search")

DEPTH = MAX_TOP_K  # Vectorize's topK limit: how deep fused results (and so pages) go
RRF_K = 60
# Below this cosine similarity a vector hit counts as "nothing found" (a vector index always
# returns neighbours). It belongs to the embedding model: an embedder may state its own
# (``no_answer_score``; the local model's was measured on search_eval/); bge-m3's cannot be
# measured offline, so this starting value is to be re-tuned on Cloudflare with the same eval.
MIN_VECTOR_SCORE = 0.45
VECTOR_TIMEOUT_S = 3.0
# How results were found (``X-Search-Mode``): both sides fused, keywords alone, or nothing found
# at all (the page then offers the popular tests instead of an empty list).
SearchMode = Literal["hybrid", "keyword", "none"]


@dataclass(frozen=True)
class Ranked:
    """Test ids best first, and how they were found."""

    ids: list[str]
    mode: SearchMode


def fuse(
    rankings: list[list[str]], *, k: int = RRF_K, tiebreak: dict[str, float] | None = None
) -> list[str]:
    """Reciprocal Rank Fusion: score(id) = Σ 1 / (k + rank), rank from 1. Equal scores (the
    first keyword hit vs the first vector hit) go to the higher ``tiebreak`` value (the vector
    similarity: a keyword hit the vector side did not find is the weaker evidence)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, test_id in enumerate(ranking, start=1):
            scores[test_id] = scores.get(test_id, 0.0) + 1.0 / (k + rank)
    near = tiebreak or {}
    return sorted(scores, key=lambda i: (-round(scores[i], 12), -near.get(i, 0.0)))


async def keyword_ranked(db: D1Database, q: str, depth: int = DEPTH) -> list[str]:
    """Published tests whose keyword terms match ``q``, best bm25 first (a test must hold at
    least ``MIN_COVERAGE`` of the query's distinct terms)."""
    expression = match_query(q)
    if expression is None:
        return []
    return await TestsRepo(db).keyword_ranked(
        expression, keyword_terms(q), coverage=MIN_COVERAGE, depth=depth
    )


async def vector_scored(
    side: VectorSide, q: str, depth: int = DEPTH, min_score: float | None = None
) -> dict[str, float]:
    """Published tests nearest to ``q``'s embedding with at least ``min_score`` similarity,
    nearest first, with their scores."""
    vector = await query_vector(side.embedder, q)
    answer = await side.index.query(vector, top_k=depth, filter=vector_filter())
    floor = min_score if min_score is not None else no_answer_score(side.embedder)
    matches = answer.get("matches", [])
    return {str(m["id"]): float(m["score"]) for m in matches if float(m["score"]) >= floor}


async def vector_ranked(
    side: VectorSide, q: str, depth: int = DEPTH, min_score: float | None = None
) -> list[str]:
    """``vector_scored`` as a ranking."""
    return list(await vector_scored(side, q, depth, min_score))


def no_answer_score(ai: object) -> float:
    """The similarity below which ``ai``'s embeddings mean "no match"."""
    return float(getattr(ai, "no_answer_score", MIN_VECTOR_SCORE))


async def _absent() -> None:
    return None


async def _guarded(call: Awaitable[Any]) -> Any:
    try:
        return await asyncio.wait_for(call, VECTOR_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - any AI/Vectorize trouble degrades to keyword search
        log.warning("vector search unavailable, keyword results only: %s", exc)
        return None


async def ranked(db: D1Database, side: VectorSide | None, q: str) -> Ranked:
    """The fused ranking for ``q`` (keyword alone when the vector side is unbound or fails)."""
    vector_call: Awaitable[Any] = _guarded(vector_scored(side, q)) if side else _absent()
    keyword, vector = await asyncio.gather(keyword_ranked(db, q), vector_call)
    if vector is None:
        return Ranked(keyword, "keyword")
    return Ranked(fuse([keyword, list(vector)], tiebreak=vector)[:DEPTH], "hybrid")


@dataclass(frozen=True)
class Page:
    """One page of search results (summaries), the offset of the next one, and the mode."""

    items: list[dict[str, Any]]
    next_offset: int | None
    mode: SearchMode


async def search_page(
    db: D1Database, side: VectorSide | None, q: str, *, tag: str | None, limit: int, offset: int
) -> Page:
    """Results ``offset`` … ``offset + limit`` of the fused ranking (published, tag-filtered);
    mode ``none`` when the search found no test at all."""
    found = await ranked(db, side, q)
    summaries = await TestsRepo(db).summaries(found.ids, tag=tag)
    end = offset + limit
    mode: SearchMode = found.mode if summaries else "none"
    return Page(summaries[offset:end], end if len(summaries) > end else None, mode)


async def similar(db: D1Database, side: VectorSide | None, test_id: str, limit: int) -> Page:
    """The published tests nearest to ``test_id`` (never itself): by vector, else by keywords."""
    tests = TestsRepo(db)
    mine = await tests.summaries([test_id])
    if not mine:
        message = f"test '{test_id}' does not exist or is not published"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id})
    ids: list[str] | None = None
    if side is not None:
        ids = await _guarded(_nearest(side.index, test_id, limit))
    mode: SearchMode = "hybrid" if ids is not None else "keyword"
    if ids is None:
        ids = await keyword_ranked(db, mine[0]["title"], limit + 1)  # rare title words weigh most
    ids = [i for i in ids if i != test_id][:limit]
    return Page(await tests.summaries(ids), None, mode)


async def _nearest(index: VectorIndex, test_id: str, limit: int) -> list[str]:
    answer = await index.query_by_id(test_id, top_k=limit + 1, filter=vector_filter())
    return [str(m["id"]) for m in answer.get("matches", [])]
