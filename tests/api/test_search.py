"""Search over HTTP: Korean keywords, the keyword-only fallback, similar tests, the reindex job,
and an index step that fails without failing the save."""

from __future__ import annotations

import inspect
from dataclasses import replace
from pathlib import Path
from typing import Any

from quizhub.api.cursors import search_cursor
from quizhub.api.responses import NO_STORE
from quizhub.bindings import Bindings
from quizhub.domain.days import DAY_MS, MAX_DAYS
from quizhub.search.service import keyword_ranked
from quizhub.search.vectors import vector_ids_of
from tests.api.conftest import Api, make_api
from tests.conftest import sample_doc
from tests.fakes import AUTH, FakeClock, FlakyWrap, run


def _ids(api: Api, **params: Any) -> list[str]:
    r = api.client.get("/api/tests", params=params)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def test_a_query_over_100_characters_is_422_and_an_empty_one_lists(api: Api) -> None:
    """``q`` is at most 100 characters; a blank ``q`` is the normal newest-first list."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    r = api.client.get("/api/tests", params={"q": "가" * 101})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["query", "q"]
    assert _ids(api, q="   ") == ["travel"]


class _Outage:
    """Workers AI and Vectorize, bound but failing while ``down`` (an outage)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.down = inner, True

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(method):
            return method  # attributes such as the model's no-answer score

        async def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise ConnectionError(f"{name}: the vector side is unavailable")
            return await method(*args, **kwargs)

        return call


def test_an_outage_of_the_vector_side_never_fails_a_save_or_a_search(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Indexing is not part of the save: the save succeeds without a warning, search answers by
    keywords (X-Search-Mode), the index queue retries, and the vectors catch up once the
    outage is over."""
    outages: list[_Outage] = []

    def down(b: Bindings) -> Bindings:
        outages[:] = [_Outage(b.ai), _Outage(b.vectorize)]
        return replace(b, ai=outages[0], vectorize=outages[1])

    api = make_api(tmp_path, clock, wrap=down)
    job = api.save("travel", sample_doc("나의 여행 성향 테스트"))
    assert (job["status"], job["error"]) == ("succeeded", None)
    r = api.client.get("/api/tests", params={"q": "여행지"})
    assert r.status_code == 200 and r.headers["x-search-mode"] == "keyword"
    assert [i["id"] for i in r.json()["items"]] == ["travel"]
    for outage in outages:
        outage.down = False
    clock.advance(60_000)  # past the index queue's retry delay
    api.process()
    r = api.client.get("/api/tests", params={"q": "여행지"})
    assert r.headers["x-search-mode"] != "keyword", r.headers
    assert [i["id"] for i in r.json()["items"]] == ["travel"]


def test_a_save_whose_index_request_cannot_be_sent_keeps_a_warning(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The index queue refusing the message is the one indexing failure a save shows: live,
    with the warning; the reindex repairs the index."""
    api = make_api(tmp_path, clock, wrap=FlakyWrap("index_queue", "send", 1))
    job = api.save("travel", sample_doc("나의 여행 성향 테스트"))
    assert job["status"] == "succeeded"
    assert job["error"].startswith("saved and live; the search index was not updated")


def test_similar_never_lists_the_test_itself_and_404s_for_unpublished(api: Api) -> None:
    """비슷한 테스트: nearest published tests, never itself; unknown or draft → 404."""
    api.save("travel", sample_doc("나의 여행 성향 테스트", tags=["여행"]))
    api.save("trip", sample_doc("해외여행 스타일 테스트", tags=["여행"]))
    api.save("secret", sample_doc("비밀 여행", status="draft"))
    r = api.client.get("/api/tests/travel/similar", params={"limit": 5})
    assert r.status_code == 200
    ids = [i["id"] for i in r.json()["items"]]
    assert "travel" not in ids and "trip" in ids and "secret" not in ids
    for missing in ("nope", "secret"):
        assert api.client.get(f"/api/tests/{missing}/similar").status_code == 404


def test_the_reindex_job_rebuilds_a_lost_keyword_index(api: Api) -> None:
    """POST /api/admin/search/reindex is a 202 job that rebuilds the indexes from D1 + R2."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    run(api.b.db.prepare("UPDATE tests SET search_text = ''").run())  # the index fell behind
    run(api.b.vectorize.delete_by_ids(vector_ids_of("travel")))  # type: ignore[union-attr]
    assert _ids(api, q="여행") == []
    r = api.client.post("/api/admin/search/reindex", headers=AUTH)
    assert r.status_code == 202
    api.process()
    job = api.job(r.json()["jobId"])
    assert (job["status"], job["kind"], job["testId"]) == ("succeeded", "reindex", "")
    assert _ids(api, q="여행") == ["travel"]
    assert run(keyword_ranked(api.b.db, "성향", depth=10)) == ["travel"]


def test_initial_consonants_find_titles_and_tags(api: Api) -> None:
    """ㅇㅎ (여행) finds the travel test by its title, ㅅㄱ (성격) by its tag; initials match the
    start of no other word's initials here."""
    api.save("travel", sample_doc("나의 여행 테스트", tags=["성격"]))
    api.save("coffee", sample_doc("커피 취향", tags=["음료"]))
    assert _ids(api, q="ㅇㅎ") == ["travel"]
    assert _ids(api, q="ㅅㄱ") == ["travel"]
    assert _ids(api, q="ㅋㅍ") == ["coffee"]


def test_searches_that_found_nothing_are_counted_by_query_and_day_only(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A first page with no result counts its normalized query (spacing and case folded) for
    the admin's 통계; a search that found something, or a later page, does not; the table holds
    the day, the query and a count, nothing about who searched; days past the longest window
    are dropped."""
    api = make_api(tmp_path, clock)
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    for q in ("세탁기 청소", "세탁기   청소", "  세탁기 청소 ", "여행", "ZXQV"):
        _ids(api, q=q)
    _ids(api, q="세탁기 청소", cursor=search_cursor(20))
    r = api.client.get("/api/admin/stats/missed-searches", params={"days": 7}, headers=AUTH)
    assert r.status_code == 200 and r.headers["cache-control"] == NO_STORE
    assert r.json() == {
        "days": 7,
        "items": [{"query": "세탁기 청소", "misses": 3}, {"query": "zxqv", "misses": 1}],
    }
    columns = run(api.b.db.prepare("SELECT * FROM missed_searches LIMIT 1").first())
    assert set(columns or {}) == {"day", "query", "misses"}
    assert api.client.get("/api/admin/stats/missed-searches").status_code == 401
    clock.advance(2 * DAY_MS)
    r = api.client.get("/api/admin/stats/missed-searches", params={"days": 1}, headers=AUTH)
    assert r.json()["items"] == []  # the window moved past them
    clock.advance(MAX_DAYS * DAY_MS)
    _ids(api, q="새 검색어")
    stored = run(api.b.db.prepare("SELECT query FROM missed_searches").all())["results"]
    assert [row["query"] for row in stored] == ["새 검색어"]  # the old days were dropped
