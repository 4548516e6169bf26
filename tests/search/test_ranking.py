"""Ranking that does not hang on the model: an everyday word shared with other tests (좋아하는,
스타일, 사람) never makes them keyword matches, so the topic word decides — 여행 좋아하는 사람
ranks a travel test first, not 음식 취향으로 보는 성격 ("좋아하는 음식으로 …"). Run on the eval
catalogue, saved through the pipeline."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.eval_search import bound_side, document
from benchmarks.eval_vectors import load_eval_set

from quizhub.bindings import Bindings, Settings
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import build_platform
from quizhub.pipeline.accept import accept_save
from quizhub.search.service import fuse, keyword_ranked, ranked

TRAVEL = {"travel-style", "dream-destination", "overseas-trip"}
TOPIC = [q for q in load_eval_set()[1] if q["kind"] == "topic"]


@pytest.fixture(scope="module")
def catalogue() -> Iterator[Bindings]:
    """The 40 tests of search_eval/, published and indexed (keywords and field vectors)."""
    tests, _ = load_eval_set()
    with tempfile.TemporaryDirectory(prefix="quizhub-ranking-") as tmp:
        platform = build_platform(Path(tmp), Settings(admin_token="t"), mode="sync")

        async def save_all() -> None:
            for test in tests:
                await accept_save(platform.bindings, test["id"], document(test), Precondition())
            await platform.drain()

        asyncio.run(save_all())
        yield platform.bindings
        platform.close()


def test_an_everyday_word_alone_makes_no_keyword_match(catalogue: Bindings) -> None:
    """For 여행 좋아하는 사람 the keyword side holds neither 음식 취향 (좋아하는) nor 연애
    스타일 (사람): one word of three is not enough, however rare in the catalogue."""
    found = asyncio.run(keyword_ranked(catalogue.db, "여행 좋아하는 사람"))
    assert not {"food-taste", "movie-genre", "love-style"} & set(found)


def test_whatever_the_vector_side_says_the_keyword_side_adds_no_trap(catalogue: Bindings) -> None:
    """Fused with any vector ranking that puts the travel test first, the travel test stays
    first: before, the keyword side ranked 음식 취향 first on 좋아하는 and fusion put it on top
    of a vector ranking that also listed it."""
    keyword = asyncio.run(keyword_ranked(catalogue.db, "여행 좋아하는 사람"))
    assert fuse([keyword, ["travel-style", "food-taste"]])[0] == "travel-style"


@pytest.mark.parametrize("query", TOPIC, ids=[q["q"] for q in TOPIC])
def test_the_topic_word_decides_the_first_result(catalogue: Bindings, query: dict) -> None:
    """Every topic query of the eval set (여행 좋아하는 사람, 커피 좋아하는 사람, 운동 스타일
    테스트 …), searched as GET /api/tests?q= does, ranks a test about its topic first."""
    found = asyncio.run(ranked(catalogue.db, bound_side(catalogue), query["q"]))
    assert found.mode == "hybrid"
    assert found.ids and found.ids[0] in query["relevant"], found.ids[:3]


def test_여행_좋아하는_사람_puts_the_travel_tests_first(catalogue: Bindings) -> None:
    """The issue's own case: the three travel tests before any other."""
    found = asyncio.run(ranked(catalogue.db, bound_side(catalogue), "여행 좋아하는 사람"))
    assert set(found.ids[:3]) == TRAVEL, found.ids[:4]
