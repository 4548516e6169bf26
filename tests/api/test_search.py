"""Search over HTTP: Korean keywords, the keyword-only fallback, similar tests, the reindex job,
and an index step that fails without failing the save."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from quizhub.bindings import Bindings
from quizhub.search.service import keyword_ranked
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, run


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


class _Down:
    """AI and Vectorize that are bound but failing (an outage)."""

    async def run(self, model: str, inputs: dict[str, Any]) -> dict[str, Any]:
        raise ConnectionError("Workers AI is unavailable")

    async def upsert(self, vectors: list[dict[str, Any]]) -> dict[str, Any]:
        raise ConnectionError("Vectorize is unavailable")

    async def delete_by_ids(self, ids: list[str]) -> dict[str, Any]:
        raise ConnectionError("Vectorize is unavailable")


def _down(b: Bindings) -> Bindings:
    return replace(b, ai=_Down(), vectorize=_Down())


def test_an_outage_of_the_vector_side_never_fails_a_save_or_a_search(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The save succeeds with a visible warning; search answers by keywords (X-Search-Mode)."""
    api = make_api(tmp_path, clock, wrap=_down)
    job = api.save("travel", sample_doc("나의 여행 성향 테스트"))
    assert job["status"] == "succeeded"
    assert job["error"].startswith("saved and live; the search index was not updated")
    r = api.client.get("/api/tests", params={"q": "여행지"})
    assert r.status_code == 200 and r.headers["x-search-mode"] == "keyword"
    assert [i["id"] for i in r.json()["items"]] == ["travel"]


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
    run(api.b.vectorize.delete_by_ids(["travel"]))  # type: ignore[union-attr]
    assert _ids(api, q="여행") == []
    r = api.client.post("/api/admin/search/reindex", headers=AUTH)
    assert r.status_code == 202
    api.process()
    job = api.job(r.json()["jobId"])
    assert (job["status"], job["kind"], job["testId"]) == ("succeeded", "reindex", "")
    assert _ids(api, q="여행") == ["travel"]
    assert run(keyword_ranked(api.b, "성향", depth=10)) == ["travel"]
