"""Runs every Vectorize contract ``check_*`` against LocalVectorize, then its local-only rules."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quizhub.local.vectors import LocalVectorize

from . import checks_vectorize
from .checks_vectorize import DIMENSIONS, METADATA_INDEXES


def _checks() -> list[Any]:
    return [
        pytest.param(check, id=name)
        for name, check in inspect.getmembers(checks_vectorize, inspect.iscoroutinefunction)
        if name.startswith("check_") and check.__module__ == checks_vectorize.__name__
    ]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalVectorize]:
    vectors = LocalVectorize(
        tmp_path / "vectors.sqlite", DIMENSIONS, metadata_indexes=METADATA_INDEXES
    )
    yield vectors
    vectors.close()


@pytest.mark.parametrize("check", _checks())
def test_local_vectorize_honours_the_contract(
    check: Callable[[Any], Any], index: LocalVectorize
) -> None:
    """Each contract check passes against a fresh LocalVectorize."""
    asyncio.run(check(index))


def test_the_collector_finds_the_checks() -> None:
    """A rename must not silently drop checks."""
    assert len(_checks()) >= 18


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _seed(index: LocalVectorize) -> None:
    _run(checks_vectorize._seed(index))


def test_query_by_id_of_a_missing_id_matches_nothing(index: LocalVectorize) -> None:
    """A missing id is an empty answer, not an error."""
    _seed(index)
    assert _run(index.query_by_id("nobody")) == {"count": 0, "matches": []}


def test_filter_on_a_property_without_an_index_matches_nothing(index: LocalVectorize) -> None:
    """Only properties with a metadata index can be filtered on, as on Cloudflare."""
    _seed(index)
    answer = _run(index.query([1.0, 0, 0, 0], top_k=10, filter={"title": "동쪽"}))
    assert answer == {"count": 0, "matches": []}


def test_a_missing_property_counts_as_null_in_filters(index: LocalVectorize) -> None:
    """``$ne`` and ``$nin`` match a vector without the property; ``$eq: None`` finds it."""
    _run(index.upsert([{"id": "bare", "values": [1.0, 0, 0, 0], "metadata": {}}]))
    _seed(index)
    probe = [1.0, 0.0, 0.0, 0.0]
    ne = _run(index.query(probe, top_k=10, filter={"status": {"$ne": "draft"}}))
    assert "bare" in [m["id"] for m in ne["matches"]]
    nin = _run(index.query(probe, top_k=10, filter={"topic": {"$nin": ["여행"]}}))
    assert "bare" in [m["id"] for m in nin["matches"]]
    null = _run(index.query(probe, top_k=10, filter={"status": {"$eq": None}}))
    assert [m["id"] for m in null["matches"]] == ["bare"]


def test_a_value_of_another_type_than_the_index_is_not_indexed(tmp_path: Path) -> None:
    """A number under a string index cannot be matched, and a number filter matches no string."""
    index = LocalVectorize(tmp_path / "v.sqlite", 2, metadata_indexes={"n": "number"})
    try:
        _run(
            index.upsert(
                [
                    {"id": "num", "values": [1.0, 0.0], "metadata": {"n": 3}},
                    {"id": "str", "values": [1.0, 0.0], "metadata": {"n": "3"}},
                    {"id": "bool", "values": [1.0, 0.0], "metadata": {"n": True}},
                ]
            )
        )
        answer = _run(index.query([1.0, 0.0], top_k=10, filter={"n": 3}))
        assert [m["id"] for m in answer["matches"]] == ["num"]
        assert _run(index.query([1.0, 0.0], top_k=10, filter={"n": "3"}))["count"] == 0
    finally:
        index.close()


def test_string_indexes_cover_the_first_64_bytes(index: LocalVectorize) -> None:
    """Two values that share their first 64 bytes are equal to a filter, as on Cloudflare."""
    head = "여" * 21  # 63 bytes
    _run(
        index.upsert([{"id": "long", "values": [1.0, 0, 0, 0], "metadata": {"topic": head + "행"}}])
    )
    answer = _run(index.query([1.0, 0, 0, 0], filter={"topic": head + "지"}))
    assert [m["id"] for m in answer["matches"]] == ["long"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"return_metadata": "some"}, "return_metadata"),
        ({"filter": {"status": {"$gt": "a"}}}, "operator"),
        ({"filter": {"status": {"$in": []}}}, "non-empty"),
        ({"filter": {"status": {"$eq": "a", "$ne": "b"}}}, "exactly one"),
        ({"filter": {"status": ["a"]}}, "strings, numbers or booleans"),
    ],
)
def test_unsupported_query_options_are_refused(
    index: LocalVectorize, options: dict[str, Any], message: str
) -> None:
    """Options outside the protocol raise ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        _run(index.query([1.0, 0, 0, 0], **options))


def test_wrong_dimensions_raise_value_error(index: LocalVectorize) -> None:
    """Dimension mismatches are ValueErrors that name both counts."""
    with pytest.raises(ValueError, match="3 dimensions; this index has 4"):
        _run(index.upsert([{"id": "a", "values": [1.0, 0.0, 0.0], "metadata": {}}]))
    with pytest.raises(ValueError, match="5 dimensions"):
        _run(index.query([1.0, 0, 0, 0, 0]))


def test_describe_counts_the_vectors(index: LocalVectorize) -> None:
    """``describe()`` answers the dimension count and how many vectors the index holds."""
    assert _run(index.describe()) == {"dimensions": DIMENSIONS, "vectorCount": 0}
    _run(index.upsert([{"id": "a", "values": [1.0] + [0.0] * (DIMENSIONS - 1)}]))
    assert _run(index.describe())["vectorCount"] == 1


def test_reopening_with_other_dimensions_is_refused(tmp_path: Path) -> None:
    """The file remembers its dimension count."""
    LocalVectorize(tmp_path / "v.sqlite", 4).close()
    with pytest.raises(ValueError, match="4-dimension index"):
        LocalVectorize(tmp_path / "v.sqlite", 8)


def test_upsert_batch_and_metadata_limits(index: LocalVectorize) -> None:
    """At most 1000 vectors per upsert and 10 KiB of metadata per vector."""
    too_many = [{"id": f"v{i}", "values": [1.0, 0, 0, 0]} for i in range(1001)]
    with pytest.raises(ValueError, match="1000"):
        _run(index.upsert(too_many))
    big = {"id": "big", "values": [1.0, 0, 0, 0], "metadata": {"text": "x" * 10_240}}
    with pytest.raises(ValueError, match="10240 bytes"):
        _run(index.upsert([big]))
    with pytest.raises(ValueError, match="unsupported vector keys: namespace"):
        _run(index.upsert([{"id": "n", "values": [1.0, 0, 0, 0], "namespace": "x"}]))


def test_vectors_survive_reopening(tmp_path: Path) -> None:
    """Vectors and metadata are durable in the SQLite file."""
    path = tmp_path / "v.sqlite"
    first = LocalVectorize(path, 4, metadata_indexes=METADATA_INDEXES)
    _seed(first)
    first.close()
    again = LocalVectorize(path, 4, metadata_indexes=METADATA_INDEXES)
    try:
        answer = _run(again.query([1.0, 0, 0, 0], top_k=1, return_metadata="all"))
        assert answer["matches"][0]["metadata"]["title"] == "동쪽"
    finally:
        again.close()


def test_a_write_by_another_connection_is_seen_by_the_next_query(tmp_path: Path) -> None:
    """The cached matrix is reloaded after another process's commit (SQLite data_version)."""
    path = tmp_path / "v.sqlite"
    reader, writer = LocalVectorize(path, 4), LocalVectorize(path, 4)
    try:
        _run(writer.upsert([{"id": "a", "values": [1.0, 0, 0, 0]}]))
        assert [m["id"] for m in _run(reader.query([1.0, 0, 0, 0]))["matches"]] == ["a"]
        _run(writer.upsert([{"id": "b", "values": [1.0, 0.1, 0, 0]}]))
        _run(writer.delete_by_ids(["a"]))
        assert [m["id"] for m in _run(reader.query([1.0, 0, 0, 0]))["matches"]] == ["b"]
    finally:
        reader.close()
        writer.close()


def test_ten_thousand_vectors_give_the_exact_top_ten(tmp_path: Path) -> None:
    """10,000 vectors of 1024 dimensions: the exact nearest first, ten matches (the latency is
    measured by make bench, not asserted here)."""
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((10_000, 1024)).astype(np.float32)
    index = LocalVectorize(tmp_path / "big.sqlite", 1024, metadata_indexes={"status": "string"})
    try:
        for start in range(0, len(matrix), 1000):
            batch = [
                {"id": f"t{n:05d}", "values": matrix[n].tolist(), "metadata": {"status": "p"}}
                for n in range(start, start + 1000)
            ]
            _run(index.upsert(batch))
        probe = matrix[1234] + 0.01 * rng.standard_normal(1024).astype(np.float32)
        _run(index.query(probe.tolist()))  # loads the matrix once
        answer = _run(index.query(probe.tolist(), top_k=10, filter={"status": "p"}))
        assert answer["matches"][0]["id"] == "t01234"
        assert answer["count"] == 10
    finally:
        index.close()
