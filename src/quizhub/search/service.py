"""Hybrid search: the D1 keyword index and the vector index, queried together and fused.

``GET /api/tests?q=`` runs the keyword query (FTS5 finds candidates; each is a match when the
query words it holds weigh enough, ``quizhub.search.terms``) and the vector query (the query's
embedding against every field vector of the published tests, grouped by test) concurrently and
fuses their rankings with Reciprocal Rank Fusion. A vector index always returns neighbours, so
the vector side answers only when its best test clears the embedder's cut (``VectorCut``). If AI
or Vectorize are missing, fail or time out, the keyword results alone answer (mode ``keyword``).

How deep a page goes: the fused ranking holds at most ``DEPTH`` (100) tests. The keyword side
gives up to 100; the vector side asks Vectorize for its ``topK`` limit of 100 nearest field
vectors, which with ``len(FIELDS)`` (4) vectors per test is at least 25 distinct tests and at
most 100.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from quizhub.errors import Code, NotFound
from quizhub.ports import MAX_TOP_K, D1Database
from quizhub.search.terms import MIN_EVIDENCE, keyword_query
from quizhub.search.vectors import (
    FIELDS,
    NO_CUT,
    VectorCut,
    VectorSide,
    query_vector,
    vector_cut,
    vector_filter,
    vector_ids_of,
)
from quizhub.store.tests import TestsRepo

__all__ = [
    "DEPTH",
    "RRF_K",
    "SCORED_FIELDS",
    "SearchMode",
    "Ranked",
    "fuse",
    "keyword_ranked",
    "scores_by_test",
    "answered",
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
# A test's similarity to a query: the mean of its best SCORED_FIELDS field similarities (one
# field alone, a title that happens to share a word's sense, is weaker evidence than two).
SCORED_FIELDS = 2
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
    """Published tests whose terms hold at least ``MIN_EVIDENCE`` of ``q``'s word weight, the
    ones holding more of it first (then bm25)."""
    query = keyword_query(q)
    if query.expression is None:
        return []
    found = await TestsRepo(db).keyword_candidates(query.expression, query.terms, depth=depth)
    weights = query.weights(found.df, found.n)
    evidence = {test_id: query.evidence(held, weights) for test_id, held in found.tests}
    matches = [test_id for test_id, _ in found.tests if evidence[test_id][0] >= MIN_EVIDENCE]
    return sorted(matches, key=lambda i: -evidence[i][1])  # stable: bm25 order among equals


def scores_by_test(
    matches: Iterable[Mapping[str, Any]], *, fields: int | None = None, complete: bool
) -> dict[str, float]:
    """Field-vector matches (``metadata.testId``, ``score``) grouped by test, best test first:
    each test scores the mean of its best ``fields`` field scores (all of its fields when None).
    When the answer stopped at ``topK`` (``complete`` False), a field it did not return scores
    as the lowest one it did (the most that field can score); matches without a ``testId`` are
    not field vectors and are skipped."""
    by_test: dict[str, list[float]] = {}
    lowest = float("inf")
    for match in matches:
        score = float(match["score"])
        lowest = min(lowest, score)
        test_id = (match.get("metadata") or {}).get("testId")
        if isinstance(test_id, str):
            by_test.setdefault(test_id, []).append(score)
    out = {}
    for test_id, scores in by_test.items():
        scores.sort(reverse=True)
        wanted = fields or len(FIELDS)
        if not complete:
            scores += [lowest] * (wanted - len(scores))
        best = scores[: max(1, min(wanted, len(scores)))]
        out[test_id] = sum(best) / len(best)
    return dict(sorted(out.items(), key=lambda item: -item[1]))


def answered(scores: dict[str, float], cut: VectorCut) -> dict[str, float]:
    """The vector side's answer under ``cut``: nothing when the best test scores below
    ``cut.answer``, else every test scoring at least ``cut.keep``."""
    if not scores or max(scores.values()) < cut.answer:
        return {}
    return {test_id: score for test_id, score in scores.items() if score >= cut.keep}


async def vector_scored(side: VectorSide, q: str, cut: VectorCut | None = None) -> dict[str, float]:
    """Published tests nearest to ``q``'s embedding, best first with their scores, under
    ``cut`` (the embedder's own when None; ``NO_CUT`` for every neighbour)."""
    vector = await query_vector(side.embedder, q)
    answer = await side.index.query(
        vector, top_k=MAX_TOP_K, return_metadata="indexed", filter=vector_filter()
    )
    matches = answer.get("matches", [])
    scores = scores_by_test(matches, fields=SCORED_FIELDS, complete=len(matches) < MAX_TOP_K)
    return answered(scores, vector_cut(side.embedder) if cut is None else cut)


async def vector_ranked(side: VectorSide, q: str, cut: VectorCut | None = None) -> list[str]:
    """``vector_scored`` as a ranking."""
    return list(await vector_scored(side, q, cut))


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
    found: int = 0  # how many tests the search found before the tag filter and paging


async def search_page(
    db: D1Database, side: VectorSide | None, q: str, *, tag: str | None, limit: int, offset: int
) -> Page:
    """Results ``offset`` … ``offset + limit`` of the fused ranking (published, tag-filtered);
    mode ``none`` when the search found no test at all."""
    found = await ranked(db, side, q)
    summaries = await TestsRepo(db).summaries(found.ids, tag=tag)
    end = offset + limit
    more = end if len(summaries) > end else None
    mode: SearchMode = found.mode if summaries else "none"
    return Page(summaries[offset:end], more, mode, len(found.ids))


async def similar(db: D1Database, side: VectorSide | None, test_id: str, limit: int) -> Page:
    """The published tests most like ``test_id`` (never itself): by the mean of its field
    vectors where the vector side has them, else by the keywords of its title and tags."""
    tests = TestsRepo(db)
    mine = await tests.summaries([test_id])
    if not mine:
        message = f"test '{test_id}' does not exist or is not published"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id})
    ids: list[str] | None = None
    if side is not None:
        ids = await _guarded(_alike(side, test_id))
    mode: SearchMode = "hybrid" if ids else "keyword"
    if not ids:  # no vector side, or this test is not indexed yet
        words = " ".join([mine[0]["title"], *mine[0].get("tags", [])])
        ids = await keyword_ranked(db, words, limit + 1)
    ids = [i for i in ids if i != test_id][:limit]
    return Page(await tests.summaries(ids), None, mode)


async def _alike(side: VectorSide, test_id: str) -> list[str]:
    """Tests nearest to the mean of ``test_id``'s field vectors, each scored by the mean of all
    its fields (what a test is about, over what one field says); [] when it has no vectors."""
    stored = await side.index.get_by_ids(vector_ids_of(test_id))
    if not stored:
        return []
    width = len(stored[0]["values"])
    centre = [sum(float(v["values"][d]) for v in stored) / len(stored) for d in range(width)]
    answer = await side.index.query(
        centre, top_k=MAX_TOP_K, return_metadata="indexed", filter=vector_filter()
    )
    matches = answer.get("matches", [])
    scores = scores_by_test(matches, complete=len(matches) < MAX_TOP_K)
    return [i for i in answered(scores, NO_CUT) if i != test_id]
