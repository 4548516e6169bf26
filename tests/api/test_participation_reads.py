"""The public side of participation, read from D1 only: 최신순 by first publish, 인기순 by
completed plays over the last 7 days with the API's strict cursors, ``participants`` on list
items, ``GET /api/tests/{id}/stats`` and its freshness budget, and a search that found nothing
saying so. (The counts themselves come from the analytics consumer: tests/analytics.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.analytics.events import ANALYTICS_QUEUE
from quizhub.domain.days import DAY_MS, day_of
from quizhub.edge.cdn import COUNTS_CACHE_CONTROL, COUNTS_FRESHNESS_SECONDS, LIST_CACHE_CONTROL
from quizhub.local.platform import ROOT
from quizhub.local.queues import load_consumer_settings
from quizhub.store.participation import POPULAR_DAYS, Counts, ParticipationRepo
from tests.api.conftest import Api, make_api
from tests.conftest import sample_doc
from tests.fakes import AUTH, FakeClock, run

# What the consumer itself may take between a batch's delivery and its D1 write, at most, in
# the freshness budget (a Postgres statement and a D1 batch; retries are outages, not budget).
CONSUMER_WORK_SECONDS = 10


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    """One save mode is enough: these reads do not depend on how saves run."""
    api = make_api(tmp_path, clock)
    yield api
    api.platform.close()


def _write(api: Api, *counts: Counts) -> None:
    """What the analytics consumer writes after a batch (totals read back from Postgres)."""
    run(
        ParticipationRepo(api.b.db).write(
            list(counts), now="2026-11-18T00:00:00.000Z", keep_since=0
        )
    )


def _ids(api: Api, **params: Any) -> list[str]:
    r = api.client.get("/api/tests", params=params)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def _ages(cache_control: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"(max-age|s-maxage)=(\d+)", cache_control)}


def test_newest_is_by_first_publish_and_an_edit_does_not_move_a_test(api: Api) -> None:
    """최신순: fixing a typo in an old test leaves it where it was; a test published after
    being a draft for a while is as new as its first publish."""
    api.save("old", sample_doc("오래된 테스트"))
    api.save("later", sample_doc("나중 테스트", status="draft"))
    api.save("new", sample_doc("새 테스트"))
    api.save("later", sample_doc("나중 테스트"))  # first published now
    api.save("old", sample_doc("오래된 테스트 (오타 수정)"))
    assert _ids(api) == ["later", "new", "old"] == _ids(api, sort="newest")
    items = api.client.get("/api/tests").json()["items"]
    assert all(i["publishedAt"] and i["participants"] == 0 for i in items)


def test_popular_orders_by_completed_plays_of_the_last_7_days_and_pages_strictly(
    api: Api,
) -> None:
    """인기순: completed plays over the last 7 Korean days, then newest; older plays count for
    participants but not for the order; the cursors page through every test once."""
    for test_id in ("a-quiet", "b-hit", "c-old-hit", "d-rising", "e-new"):
        api.save(test_id, sample_doc(f"테스트 {test_id}"))
    today = day_of(api.clock.ms)
    _write(
        api,
        Counts("b-hit", {"planner": 12}, {today: 2, today - POPULAR_DAYS + 1: 8}),
        Counts("c-old-hit", {"planner": 90}, {today - POPULAR_DAYS: 90}),
        Counts("d-rising", {"free": 3}, {today: 3}),
    )
    expected = ["b-hit", "d-rising", "e-new", "c-old-hit", "a-quiet"]
    seen, cursor = [], None
    for _ in range(5):
        params = {"sort": "popular", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.client.get("/api/tests", params=params).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == expected
    participants = {
        i["id"]: i["participants"] for i in api.client.get("/api/tests").json()["items"]
    }
    assert participants == {"a-quiet": 0, "b-hit": 12, "c-old-hit": 90, "d-rising": 3, "e-new": 0}
    api.clock.advance(DAY_MS)  # the window moves on: b-hit's 8 plays of its first day drop out
    assert _ids(api, sort="popular")[:2] == ["d-rising", "b-hit"]


def test_popular_filters_by_tag_like_the_list(api: Api) -> None:
    """A tag chip keeps its order: 인기순 within the tag."""
    api.save("trip", sample_doc("여행 테스트", tags=["여행"]))
    api.save("love", sample_doc("연애 테스트", tags=["연애"]))
    api.save("trip2", sample_doc("여행 테스트 2", tags=["여행"]))
    _write(api, Counts("trip", {"planner": 4}, {day_of(api.clock.ms): 4}))
    assert _ids(api, sort="popular", tag="여행") == ["trip", "trip2"]


def test_categories_are_the_tags_of_published_tests_most_used_first(api: Api) -> None:
    """``GET /api/tags``: the home's category chips; drafts do not make a category."""
    api.save("a", sample_doc("가", tags=["여행", "성격"]))
    api.save("b", sample_doc("나", tags=["여행"]))
    api.save("c", sample_doc("다", tags=["비밀"], status="draft"))
    r = api.client.get("/api/tags")
    assert r.status_code == 200 and r.headers["cache-control"] == LIST_CACHE_CONTROL
    assert r.json() == {"items": [{"tag": "여행", "tests": 2}, {"tag": "성격", "tests": 1}]}
    assert api.client.get("/api/tags", params={"limit": 1}).json()["items"] == [
        {"tag": "여행", "tests": 2}
    ]
    assert api.client.get("/api/tags", params={"limit": 0}).status_code == 422


def test_sort_is_for_the_list_and_an_unknown_one_is_422(api: Api) -> None:
    """A search is ordered by relevance: ``sort`` with ``q`` is a 422 naming it; an order the
    API does not have is a 422 too."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    r = api.client.get("/api/tests", params={"q": "여행", "sort": "popular"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"][0]["loc"] == ["query", "sort"]
    assert error["details"][0]["type"] == "sort_with_search"
    r = api.client.get("/api/tests", params={"sort": "random"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["query", "sort"]


def test_a_search_that_finds_nothing_says_so(api: Api) -> None:
    """``X-Search-Mode: none`` when no test matches (the home then offers 인기 테스트); a
    search that finds something says how."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    api.process()
    r = api.client.get("/api/tests", params={"q": "양자역학 퀴즈"})
    assert r.status_code == 200 and r.json()["items"] == []
    assert r.headers["x-search-mode"] == "none"
    r = api.client.get("/api/tests", params={"q": "여행"})
    assert [i["id"] for i in r.json()["items"]] == ["travel"]
    assert r.headers["x-search-mode"] in ("hybrid", "keyword")
    r = api.client.get("/api/tests", params={"q": "여행", "tag": "없는태그"})
    assert r.headers["x-search-mode"] == "none"


def test_stats_give_participants_and_each_results_share(api: Api) -> None:
    """``{"participants", "results": [{"resultId", "share"}]}``, most reached first, shares of
    all completed plays; a published test nobody finished has 0 and no results."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    r = api.client.get("/api/tests/travel/stats")
    assert r.status_code == 200 and r.json() == {"participants": 0, "results": []}
    _write(api, Counts("travel", {"planner": 1, "free": 3}, {}))
    r = api.client.get("/api/tests/travel/stats")
    assert r.json() == {
        "participants": 4,
        "results": [{"resultId": "free", "share": 0.75}, {"resultId": "planner", "share": 0.25}],
    }
    assert r.headers["cache-control"] == COUNTS_CACHE_CONTROL


def test_stats_of_an_unknown_a_draft_or_a_deleted_test_are_404(api: Api) -> None:
    """Counts are public for published tests only (code ``test_not_found``)."""
    api.save("draft", sample_doc("초안", status="draft"))
    api.save("gone", sample_doc("지울 테스트"))
    assert api.client.delete("/api/admin/tests/gone", headers=AUTH).status_code == 202
    api.clock.advance(1000)
    api.process()
    for test_id in ("no-such-test", "draft", "gone"):
        r = api.client.get(f"/api/tests/{test_id}/stats")
        assert r.status_code == 404 and r.json()["error"]["code"] == "test_not_found", test_id
    assert api.client.get("/api/tests/Bad_Id/stats").status_code == 422


def test_counts_are_at_most_a_minute_old_where_people_see_them() -> None:
    """The freshness budget on Cloudflare: the analytics batch timeout (wrangler.consumer.toml),
    the consumer's own work, an edge copy (s-maxage) and a browser copy (max-age) of the stats
    and of the lists (which carry ``participants``) add up to at most 60 s. Locally nothing
    caches them, so the batch timeout alone must stay within 5 s."""
    timeout = load_consumer_settings(ROOT / "wrangler.consumer.toml")[ANALYTICS_QUEUE]
    for cache_control in (COUNTS_CACHE_CONTROL, LIST_CACHE_CONTROL):
        ages = _ages(cache_control)
        edge, browser = ages.get("s-maxage", ages["max-age"]), ages["max-age"]
        worst = timeout.max_batch_timeout + CONSUMER_WORK_SECONDS + edge + browser
        assert worst <= COUNTS_FRESHNESS_SECONDS == 60, cache_control
    assert timeout.max_batch_timeout <= 5 - 1  # a second left for the consumer locally
