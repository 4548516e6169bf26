"""Vectorize contract checks: ``async def check_*(index) -> None``, plain asserts, stdlib only.

Each check gets an empty cosine index of ``DIMENSIONS`` dimensions with the metadata indexes in
``METADATA_INDEXES`` (property -> type). Local-only behaviour (a missing id in ``query_by_id``,
filters on properties without an index, several processes) is tested in tests/contract's runner.
"""

from __future__ import annotations

import math
from typing import Any

DIMENSIONS = 4
METADATA_INDEXES = {"status": "string", "topic": "string"}
TOLERANCE = 1e-4


def _v(id: str, values: list[float], **metadata: Any) -> dict[str, Any]:
    return {"id": id, "values": values, "metadata": metadata}


async def _seed(index: Any) -> None:
    await index.upsert(
        [
            _v("east", [1.0, 0.0, 0.0, 0.0], status="published", topic="여행", title="동쪽"),
            _v("north-east", [1.0, 1.0, 0.0, 0.0], status="published", topic="커피"),
            _v("up", [0.0, 0.0, 1.0, 0.0], status="draft", topic="여행"),
            _v("west", [-1.0, 0.0, 0.0, 0.0], status="published", topic="연애"),
        ]
    )


def _ids(answer: dict[str, Any]) -> list[str]:
    return [m["id"] for m in answer["matches"]]


async def _raises(call: Any, error: type[BaseException] = Exception) -> bool:
    try:
        await call
    except error:
        return True
    return False


async def check_query_orders_matches_by_cosine_score(index: Any) -> None:
    await _seed(index)
    answer = await index.query([2.0, 0.0, 0.0, 0.0], top_k=4)
    assert answer["count"] == 4
    assert _ids(answer) == ["east", "north-east", "up", "west"]
    expected = [1.0, math.sqrt(0.5), 0.0, -1.0]
    for match, score in zip(answer["matches"], expected, strict=True):
        assert abs(match["score"] - score) < TOLERANCE, (match, score)


async def check_top_k_limits_the_matches(index: Any) -> None:
    await _seed(index)
    answer = await index.query([1.0, 0.0, 0.0, 0.0], top_k=2)
    assert answer["count"] == 2
    assert _ids(answer) == ["east", "north-east"]


async def check_upsert_answers_a_mutation_id(index: Any) -> None:
    answer = await index.upsert([_v("one", [0.0, 1.0, 0.0, 0.0])])
    assert isinstance(answer["mutationId"], str) and answer["mutationId"]


async def check_upsert_replaces_a_stored_id(index: Any) -> None:
    await index.upsert([_v("same", [1.0, 0.0, 0.0, 0.0], status="draft")])
    await index.upsert([_v("same", [0.0, 1.0, 0.0, 0.0], status="published")])
    [stored] = await index.get_by_ids(["same"])
    assert stored["values"] == [0.0, 1.0, 0.0, 0.0]
    assert stored["metadata"] == {"status": "published"}
    answer = await index.query([0.0, 1.0, 0.0, 0.0], top_k=5)
    assert _ids(answer) == ["same"]
    assert abs(answer["matches"][0]["score"] - 1.0) < TOLERANCE


async def check_top_k_is_capped_at_100(index: Any) -> None:
    await _seed(index)
    probe = [1.0, 0.0, 0.0, 0.0]
    assert (await index.query(probe, top_k=100))["count"] == 4
    assert (await index.query(probe, top_k=100, return_metadata="indexed"))["count"] == 4
    assert await _raises(index.query(probe, top_k=101), ValueError)
    assert await _raises(index.query(probe, top_k=0), ValueError)


async def check_top_k_is_capped_at_20_with_all_metadata(index: Any) -> None:
    await _seed(index)
    probe = [1.0, 0.0, 0.0, 0.0]
    assert (await index.query(probe, top_k=20, return_metadata="all"))["count"] == 4
    assert await _raises(index.query(probe, top_k=21, return_metadata="all"), ValueError)
    assert await _raises(index.query_by_id("east", top_k=21, return_metadata="all"), ValueError)


async def check_return_metadata_none_omits_it(index: Any) -> None:
    await _seed(index)
    [match] = (await index.query([1.0, 0.0, 0.0, 0.0], top_k=1))["matches"]
    assert set(match) == {"id", "score"}


async def check_return_metadata_indexed_keeps_indexed_properties(index: Any) -> None:
    await _seed(index)
    answer = await index.query([1.0, 0.0, 0.0, 0.0], top_k=1, return_metadata="indexed")
    assert answer["matches"][0]["metadata"] == {"status": "published", "topic": "여행"}


async def check_return_metadata_all_returns_everything(index: Any) -> None:
    await _seed(index)
    answer = await index.query([1.0, 0.0, 0.0, 0.0], top_k=1, return_metadata="all")
    assert answer["matches"][0]["metadata"] == {
        "status": "published",
        "topic": "여행",
        "title": "동쪽",
    }


async def check_filter_bare_value_means_eq(index: Any) -> None:
    await _seed(index)
    probe = [1.0, 0.0, 0.0, 0.0]
    bare = await index.query(probe, top_k=10, filter={"topic": "여행"})
    explicit = await index.query(probe, top_k=10, filter={"topic": {"$eq": "여행"}})
    assert _ids(bare) == _ids(explicit) == ["east", "up"]


async def check_filter_ne_excludes_the_value(index: Any) -> None:
    await _seed(index)
    answer = await index.query([1.0, 0.0, 0.0, 0.0], top_k=10, filter={"status": {"$ne": "draft"}})
    assert _ids(answer) == ["east", "north-east", "west"]


async def check_filter_in_and_nin_test_membership(index: Any) -> None:
    await _seed(index)
    probe = [1.0, 0.0, 0.0, 0.0]
    chosen = await index.query(probe, top_k=10, filter={"topic": {"$in": ["커피", "연애"]}})
    assert _ids(chosen) == ["north-east", "west"]
    others = await index.query(probe, top_k=10, filter={"topic": {"$nin": ["커피", "연애"]}})
    assert _ids(others) == ["east", "up"]


async def check_filter_keys_all_apply(index: Any) -> None:
    await _seed(index)
    answer = await index.query(
        [1.0, 0.0, 0.0, 0.0], top_k=10, filter={"topic": "여행", "status": "published"}
    )
    assert _ids(answer) == ["east"]


async def check_filter_applies_before_top_k(index: Any) -> None:
    await _seed(index)
    answer = await index.query([1.0, 0.0, 0.0, 0.0], top_k=1, filter={"status": "draft"})
    assert _ids(answer) == ["up"]


async def check_query_by_id_searches_with_the_stored_vector(index: Any) -> None:
    await _seed(index)
    answer = await index.query_by_id("north-east", top_k=3, return_metadata="indexed")
    assert _ids(answer) == ["north-east", "east", "up"]
    assert abs(answer["matches"][0]["score"] - 1.0) < TOLERANCE
    assert answer["matches"][1]["metadata"] == {"status": "published", "topic": "여행"}
    filtered = await index.query_by_id("north-east", top_k=3, filter={"status": {"$ne": "draft"}})
    assert _ids(filtered) == ["north-east", "east", "west"]


async def check_get_by_ids_returns_stored_vectors_and_skips_missing(index: Any) -> None:
    await _seed(index)
    found = await index.get_by_ids(["west", "nobody"])
    assert found == [
        {
            "id": "west",
            "values": [-1.0, 0.0, 0.0, 0.0],
            "metadata": {"status": "published", "topic": "연애"},
        }
    ]
    assert await index.get_by_ids(["nobody"]) == []


async def check_delete_by_ids_removes_and_tolerates_missing(index: Any) -> None:
    await _seed(index)
    answer = await index.delete_by_ids(["east", "nobody"])
    assert isinstance(answer["mutationId"], str) and answer["mutationId"]
    assert await index.get_by_ids(["east"]) == []
    assert _ids(await index.query([1.0, 0.0, 0.0, 0.0], top_k=10)) == ["north-east", "up", "west"]


async def check_wrong_dimension_count_is_refused(index: Any) -> None:
    assert await _raises(index.upsert([_v("short", [1.0, 0.0, 0.0])]))
    assert await _raises(index.query([1.0, 0.0, 0.0, 0.0, 0.0]))
    assert await index.get_by_ids(["short"]) == []


async def check_ids_are_limited_to_64_bytes(index: Any) -> None:
    longest = "가" * 21 + "a"  # 64 bytes in UTF-8
    await index.upsert([_v(longest, [0.0, 0.0, 0.0, 1.0])])
    assert [v["id"] for v in await index.get_by_ids([longest])] == [longest]
    assert await _raises(index.upsert([_v(longest + "b", [0.0, 0.0, 0.0, 1.0])]))
