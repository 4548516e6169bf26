"""Project-SQL checks of the public list (conventions: ``tests/contract/_store_support.py``)."""

from __future__ import annotations

from typing import Any

from quizhub.search.service import keyword_ranked
from quizhub.store.participation import Counts, ParticipationRepo
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import VersionsRepo
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
    [summary] = await TestsRepo(db).list_public(tag=None, limit=5, after=None)
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
        "publishedAt": _ts(7),
        "participants": 0,
    }


async def check_list_public_paginates_with_the_after_cursor(db: Any) -> None:
    await _fresh(db)
    # p-c and p-b share published_at: the id breaks the tie (descending).
    await _publish(db, "p-a", 1)
    await _publish(db, "p-b", 2)
    await _commit(db, _job("p-c", 3), _doc(), at=2)
    await _publish(db, "p-d", 4)
    await _publish(db, "p-e", 5)
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await TestsRepo(db).list_public(tag=None, limit=2, after=after)
        seen += [s["id"] for s in page]
        if len(page) < 2:
            break
        after = (page[-1]["publishedAt"], page[-1]["id"])
    assert seen == ["p-e", "p-d", "p-c", "p-b", "p-a"]


async def check_published_at_is_the_first_publish_kept_by_edits_and_cleared_by_a_delete(
    db: Any,
) -> None:
    await _fresh(db)
    await _publish(db, "p-life", 1, status="draft")
    assert (await _one(db, "p-life"))["publishedAt"] is None
    await _publish(db, "p-life", 2)  # first published here
    await _publish(db, "p-life", 3, title="제목을 고쳤다")
    await _publish(db, "p-life", 4, status="draft")
    await _publish(db, "p-life", 5)  # published again: still the first publish
    assert (await _one(db, "p-life"))["publishedAt"] == _ts(2)
    await _commit(db, _job("p-life", 6, kind="delete"), None)
    await _publish(db, "p-life", 7)  # made again under the id: a new test
    assert (await _one(db, "p-life"))["publishedAt"] == _ts(7)


async def _one(db: Any, test_id: str) -> dict[str, Any]:
    [summary] = [s for s in await TestsRepo(db).list_all() if s["id"] == test_id]
    return summary


async def check_list_public_newest_is_by_first_publish_not_last_edit(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-first", 1)
    await _publish(db, "p-second", 2)
    await _publish(db, "p-first", 3, title="오타 수정")  # an edit does not move it up
    assert await _public_ids(db) == ["p-second", "p-first"]


async def check_list_public_popular_is_by_recent_completions_then_newest(db: Any) -> None:
    await _fresh(db)
    for n, test_id in enumerate(("p-quiet", "p-hit", "p-old-hit", "p-new", "p-tie"), start=1):
        await _publish(db, test_id, n)
    await ParticipationRepo(db).write(
        [
            Counts("p-hit", {"planner": 9}, {100: 2, 106: 3}),  # 5 in the window
            Counts("p-old-hit", {"planner": 50}, {90: 50}),  # all before the window
            Counts("p-tie", {"free": 5}, {103: 5}),  # 5, published after p-hit
        ],
        now=_ts(9),
        keep_since=0,
    )
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await TestsRepo(db).list_public(
            tag=None, limit=2, after=after, sort="popular", since_day=100
        )
        seen += [s["id"] for s in page]
        if len(page) < 2:
            break
        after = (page[-1]["recent"], page[-1]["publishedAt"], page[-1]["id"])
    assert seen == ["p-tie", "p-hit", "p-new", "p-old-hit", "p-quiet"]
    [hit] = [
        s
        for s in await TestsRepo(db).list_public(tag=None, limit=9, after=None)
        if s["id"] == "p-hit"
    ]
    assert hit["participants"] == 9


async def check_participation_keeps_the_larger_total_and_prunes_old_days(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-count", 1)
    repo = ParticipationRepo(db)
    assert await repo.of_test("p-count") == (0, {})
    newer = Counts("p-count", {"planner": 3, "free": 1}, {200: 4})
    older = Counts("p-count", {"planner": 2, "free": 1}, {200: 3, 199: 1})
    await repo.write([newer], now=_ts(2), keep_since=190)
    await repo.write([older], now=_ts(3), keep_since=190)  # a late writer of older totals
    assert await repo.of_test("p-count") == (4, {"planner": 3, "free": 1})
    await repo.write([Counts("p-count", {"planner": 3, "free": 1}, {})], now=_ts(4), keep_since=200)
    days = await db.prepare("SELECT day, completions FROM participation_days ORDER BY day").all()
    assert days["results"] == [{"day": 200, "completions": 4}]


async def check_versions_are_found_many_at_once(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-v", 1)
    await _publish(db, "p-v", 2, status="draft")
    found = await VersionsRepo(db).many([("p-v", _rev(1)), ("p-v", _rev(2)), ("p-v", _rev(3))])
    assert sorted(found) == [("p-v", _rev(1)), ("p-v", _rev(2))]
    assert found[("p-v", _rev(2))].status == "draft"
    assert await VersionsRepo(db).many([]) == {}


async def _keyword(db: Any, q: str) -> list[str]:
    """The keyword query as search makes it (quizhub.search.service.keyword_ranked)."""
    return await keyword_ranked(db, q, depth=100)


async def check_keyword_search_finds_korean_bigrams_particles_and_latin_words(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-trip", 1, title="나와 어울리는 여행지는?", tags=["성격"])
    await _publish(db, "p-abroad", 2, title="해외 스타일", description="해외여행 갈 때 나는")
    await _publish(db, "p-mbti", 3, title="MBTI 연애 유형", description="연애할 때 나는", tags=[])
    await _publish(db, "p-food", 4, title="음식 취향", description="맛집", tags=["먹방"])
    assert set(await _keyword(db, "여행")) == {"p-trip", "p-abroad"}  # inside 여행지, 해외여행
    assert set(await _keyword(db, "여행을")) >= {"p-trip", "p-abroad"}  # a particle attached
    assert await _keyword(db, "mbti") == ["p-mbti"] == await _keyword(db, "Mbti")
    assert await _keyword(db, "연애할") == ["p-mbti"]  # the description counts
    assert await _keyword(db, "먹방") == ["p-food"]  # and so do the tags
    assert await _keyword(db, "없는말") == []
    assert await _keyword(db, '% * " OR') == []  # no FTS syntax leaks through


async def check_keyword_search_weighs_words_by_rarity_and_skips_drafts(db: Any) -> None:
    """A word most tests hold (여행: four of five) is not enough alone; the rare word of the
    query decides (the frequencies come from the same round trip as the matches)."""
    await _fresh(db)
    await _publish(db, "p-one", 1, title="여름 바다", description="여행")
    await _publish(db, "p-two", 2, title="해외여행 여행 계획", description="여행지")
    await _publish(db, "p-three", 3, title="여행 스타일", description="좋아하는 여행")
    await _publish(db, "p-draft", 4, title="여행 초안", status="draft")
    assert set(await _keyword(db, "여행")) == {"p-one", "p-two", "p-three"}
    assert await _keyword(db, "여행 계획") == ["p-two"]
    assert await _keyword(db, "여름 여행") == ["p-one"]
    assert await _keyword(db, "초안") == []  # only a draft holds it
    summaries = await TestsRepo(db).summaries(["p-one", "p-draft", "p-two", "p-none"])
    assert [s["id"] for s in summaries] == ["p-one", "p-two"]  # published only, order kept


async def check_list_public_filters_by_tag(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-t1", 1, tags=["여행", "성격"])
    await _publish(db, "p-t2", 2, tags=["성격"])
    await _publish(db, "p-t3", 3, tags=["여행성격"])
    assert await _public_ids(db, tag="성격") == ["p-t2", "p-t1"]
    assert await _public_ids(db, tag="여행") == ["p-t1"]
    assert await _public_ids(db, tag="없음") == []


async def check_summaries_filter_by_tag(db: Any) -> None:
    await _fresh(db)
    for n in range(1, 6):
        await _publish(db, f"p-m{n}", n, title=f"여행 테스트 {n}", tags=["여행"] if n % 2 else [])
    ranked = await _keyword(db, "여행")
    summaries = await TestsRepo(db).summaries(ranked, tag="여행")
    assert sorted(s["id"] for s in summaries) == ["p-m1", "p-m3", "p-m5"]


async def check_top_tags_count_published_tests_only(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-t1", 1, tags=["여행", "성격"])
    await _publish(db, "p-t2", 2, tags=["여행"])
    await _publish(db, "p-t3", 3, tags=["비밀"], status="draft")
    await _publish(db, "p-t4", 4, tags=["지운"])
    await _commit(db, _job("p-t4", 5, kind="delete"), None)
    assert await TestsRepo(db).top_tags(10) == [
        {"tag": "여행", "tests": 2},
        {"tag": "성격", "tests": 1},
    ]
    assert await TestsRepo(db).top_tags(1) == [{"tag": "여행", "tests": 2}]
