"""Project-SQL checks of the public list (conventions: ``tests/contract/_store_support.py``)."""

from __future__ import annotations

from typing import Any

from quizhub.store.tests import TestsRepo
from tests.contract._store_support import (
    _commit,
    _doc,
    _fresh,
    _job,
    _public_ids,
    _publish,
    _rev,
    _ts,
)


# ---------------------------------------------------------------- TestsRepo.list_public
async def check_list_public_is_newest_first_without_drafts_or_deleted(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-old", 1)
    await _publish(db, "p-draft", 2, status="draft")
    await _publish(db, "p-new", 3)
    await _publish(db, "p-del", 4)
    await _commit(db, _job("p-del", 5, kind="delete"), None)
    assert await _public_ids(db) == ["p-new", "p-old"]
    assert [s["id"] for s in await TestsRepo(db).list_all()] == ["p-new", "p-draft", "p-old"]


async def check_list_public_summary_shape(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-shape", 7, tags=["여행", "MBTI"], images=True)
    [summary] = await TestsRepo(db).list_public(q=None, tag=None, limit=5, after=None)
    assert summary == {
        "id": "p-shape",
        "rev": _rev(7),
        "status": "published",
        "title": "나의 여행 성향 테스트",
        "description": "몇 가지 질문으로 알아보는 여행 스타일",
        "tags": ["여행", "MBTI"],
        "thumbnail": "thumb-1.png",
        "questionCount": 2,
        "createdAt": _ts(7),
        "updatedAt": _ts(7),
    }


async def check_list_public_paginates_with_the_after_cursor(db: Any) -> None:
    await _fresh(db)
    # p-c and p-b share updated_at: the id breaks the tie (descending).
    await _publish(db, "p-a", 1)
    await _publish(db, "p-b", 2)
    await _commit(db, _job("p-c", 3), _doc(), at=2)
    await _publish(db, "p-d", 4)
    await _publish(db, "p-e", 5)
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await TestsRepo(db).list_public(q=None, tag=None, limit=2, after=after)
        seen += [s["id"] for s in page]
        if len(page) < 2:
            break
        after = (page[-1]["updatedAt"], page[-1]["id"])
    assert seen == ["p-e", "p-d", "p-c", "p-b", "p-a"]


async def check_list_public_search_matches_korean_and_case_folded_substrings(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-trip", 1, title="나와 어울리는 여행지는?", tags=["여행"])
    await _publish(db, "p-mbti", 2, title="MBTI 연애 유형", description="연애할 때 나는", tags=[])
    await _publish(db, "p-food", 3, title="음식 취향", description="맛집", tags=["먹방"])
    assert await _public_ids(db, q="여행") == ["p-trip"]
    assert await _public_ids(db, q="mbti") == ["p-mbti"]
    assert await _public_ids(db, q="연애할") == ["p-mbti"]  # the description counts
    assert await _public_ids(db, q="먹방") == ["p-food"]  # and so do the tags
    assert await _public_ids(db, q="없는말") == []
    assert await _public_ids(db, q="%") == []  # no LIKE wildcards


async def check_list_public_filters_by_tag(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-t1", 1, tags=["여행", "성격"])
    await _publish(db, "p-t2", 2, tags=["성격"])
    await _publish(db, "p-t3", 3, tags=["여행성격"])
    assert await _public_ids(db, tag="성격") == ["p-t2", "p-t1"]
    assert await _public_ids(db, tag="여행") == ["p-t1"]
    assert await _public_ids(db, tag="없음") == []


async def check_list_public_combines_search_tag_and_limit(db: Any) -> None:
    await _fresh(db)
    for n in range(1, 6):
        await _publish(db, f"p-m{n}", n, title=f"여행 테스트 {n}", tags=["여행"] if n % 2 else [])
    assert await _public_ids(db, q="여행", tag="여행") == ["p-m5", "p-m3", "p-m1"]
    assert await _public_ids(db, q="여행", tag="여행", limit=2) == ["p-m5", "p-m3"]
    assert await _public_ids(db, q="테스트 4") == ["p-m4"]
