"""Pagination cursors are accepted only when the API could have made them: every field of the
position is checked (test id, publishedAt, a play count, rev, job id, search offset), a cursor
of one listing is refused by another, and the cursors the API returns page through everything
exactly once."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from quizhub.api.cursors import (
    decode_cursor,
    jobs_cursor,
    list_cursor,
    popular_cursor,
    read_jobs_cursor,
    read_list_cursor,
    read_popular_cursor,
    read_search_cursor,
    read_versions_cursor,
    search_cursor,
    versions_cursor,
)
from quizhub.domain.jobs import make_job_id
from quizhub.domain.revisions import rev_timestamp
from quizhub.errors import Invalid
from quizhub.search.service import DEPTH
from tests.api.conftest import AUTH, Api
from tests.conftest import sample_doc

REV = "01JD2Q8C5M0000000000000000"
OTHER_REV = "01JD2Q8C5M0000000000000001"
JOB_ID = make_job_id(REV, b"any key")
STAMP = rev_timestamp(REV)


def _raw(position: Any) -> str:
    """``position`` encoded as the API encodes cursors, without any check."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


# Positions of the right outline that no listing of this API ever returns.
FORGED: list[Any] = [
    ["", ""],
    [""],
    {"offset": 10**30},
    {"offset": -5},
    {"offset": True},
    {"offset": 0},
    {"offset": DEPTH + 1},
    {"offset": 1.0},
    {"offset": "2"},
    {"offset": 2, "q": "여행"},
    {},
    [STAMP, "Travel"],
    [STAMP, "travel\n"],
    [STAMP, "-travel"],
    ["2026-11-18T09:46:40Z", "travel"],
    ["2026-11-18 09:46:40.000Z", "travel"],
    ["2026-11-18T09:46:40.000+00:00", "travel"],
    ["2026-02-30T09:46:40.000Z", "travel"],
    [STAMP, "travel", "extra"],
    [REV.lower()],
    [REV + "\n"],
    ["8" + REV[1:]],
    [REV, ""],
    [REV, "x"],
    [REV, JOB_ID.upper()],
    [REV, JOB_ID + "\n"],
    [OTHER_REV, JOB_ID],
    [1, 2],
    None,
    "travel",
    [True, STAMP, "travel"],
    [-1, STAMP, "travel"],
    [1.0, STAMP, "travel"],
    [2**53, STAMP, "travel"],
    ["3", STAMP, "travel"],
    [3, STAMP, "Travel"],
    [3, "2026-11-18T09:46:40Z", "travel"],
    [3, STAMP],
    [3, STAMP, "travel", 1],
    [None, STAMP, "travel"],
]

ENDPOINTS = {
    "list": ("/api/tests", {}),
    "popular": ("/api/tests", {"sort": "popular"}),
    "search": ("/api/tests", {"q": "여행"}),
    "versions": ("/api/admin/tests/travel/versions", {}),
    "jobs": ("/api/admin/jobs", {"status": "succeeded"}),
}
# The cursor's max length on each listing: a longer one is refused as a query parameter (422
# ``invalid`` on ``cursor``) before it is read.
LONGEST = {"list": 200, "popular": 200, "search": 200, "versions": 100, "jobs": 300}
# The position each listing returns, valid there and nowhere else.
OWN = {
    "list": [STAMP, "travel"],
    "popular": [3, STAMP, "travel"],
    "search": {"offset": 2},
    "versions": [REV],
    "jobs": [REV, JOB_ID],
}


def _get(api: Api, endpoint: str, cursor: str) -> Any:
    path, params = ENDPOINTS[endpoint]
    return api.client.get(path, params={**params, "cursor": cursor}, headers=AUTH)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_forged_cursors_are_422_invalid_cursor_on_every_listing(api: Api, endpoint: str) -> None:
    """Each forged position (empty ids, huge, negative or boolean offsets, timestamps and ids
    the API never writes, a job id of another rev) and each other listing's cursor is a 422
    ``invalid_cursor``; the listing's own kind of cursor is a 200."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    others = [position for kind, position in OWN.items() if kind != endpoint]
    for position in [*FORGED, *others]:
        cursor = _raw(position)
        r = _get(api, endpoint, cursor)
        assert r.status_code == 422, (position, r.text)
        error = r.json()["error"]
        fits = len(cursor) <= LONGEST[endpoint]
        assert error["code"] == ("invalid_cursor" if fits else "invalid"), position
        assert error["details"][0]["loc"] == ["query", "cursor"]
    assert _get(api, endpoint, _raw(OWN[endpoint])).status_code == 200


def test_a_search_cursor_needs_a_query_and_a_list_cursor_refuses_one(api: Api) -> None:
    """A search cursor sent without ``q`` (or with a blank one) is refused, and so is a list
    cursor sent with ``q``: neither would page the listing it is sent to."""
    api.save("travel", sample_doc("나의 여행 성향 테스트"))
    search, listing = search_cursor(1), list_cursor(STAMP, "travel")
    for params in (
        {"cursor": search},
        {"cursor": search, "q": "   "},
        {"cursor": listing, "q": "여행"},
    ):
        r = api.client.get("/api/tests", params=params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_cursor", params
    assert api.client.get("/api/tests", params={"cursor": listing}).status_code == 200
    assert api.client.get("/api/tests", params={"cursor": search, "q": "여행"}).status_code == 200


def test_cursor_text_that_is_not_the_apis_own_encoding_is_refused() -> None:
    """Only the exact text the API writes for a position reads back: other JSON spacing,
    padding, or trailing junk around a valid position are refused."""
    own = list_cursor(STAMP, "travel")
    assert read_list_cursor(own) == (STAMP, "travel")
    spaced = base64.urlsafe_b64encode(f'["{STAMP}","travel"]'.encode()).decode().rstrip("=")
    for cursor in (spaced, own + "==", own + "!", " " + own, "!!!", ""):
        with pytest.raises(Invalid) as refused:
            read_list_cursor(cursor)
        assert refused.value.code == "invalid_cursor", cursor


def test_cursors_keep_the_format_already_issued() -> None:
    """A cursor is still base64url (no padding) of the JSON position, so cursors handed out
    before read back to the same positions."""
    assert list_cursor(STAMP, "travel") == _raw([STAMP, "travel"])
    assert search_cursor(20) == "eyJvZmZzZXQiOiAyMH0"  # {"offset": 20}
    assert versions_cursor(REV) == _raw([REV])
    assert jobs_cursor(REV, JOB_ID) == _raw([REV, JOB_ID])
    assert popular_cursor(0, STAMP, "travel") == _raw([0, STAMP, "travel"])
    assert read_popular_cursor(_raw([2**53 - 1, STAMP, "travel"])) == (2**53 - 1, STAMP, "travel")
    assert read_list_cursor(_raw([STAMP, "travel"])) == (STAMP, "travel")
    assert read_search_cursor("eyJvZmZzZXQiOiAyMH0") == 20
    assert read_search_cursor(search_cursor(DEPTH)) == DEPTH
    assert read_versions_cursor(_raw([REV])) == REV
    assert read_jobs_cursor(_raw([REV, JOB_ID])) == (REV, JOB_ID)
    assert decode_cursor(_raw({"offset": 20})) == {"offset": 20}


def test_search_pages_walk_every_result_once_in_rank_order(api: Api) -> None:
    """With ``q``, ``limit`` and the returned cursors give the same results as one big page:
    none skipped, none repeated."""
    for i in range(5):
        api.save(f"t{i}", sample_doc(f"여행 테스트 {i}"))
    whole = api.client.get("/api/tests", params={"q": "여행", "limit": 50}).json()
    assert len(whole["items"]) == 5 and whole["nextCursor"] is None
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "여행", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/tests", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
        assert read_search_cursor(cursor) == len(seen)
    assert seen == [i["id"] for i in whole["items"]]


def test_jobs_cursors_walk_every_job_once_newest_first(api: Api) -> None:
    """The jobs listing's own cursors walk every succeeded job once, newest first."""
    ids = [api.save(f"t{i}", sample_doc(f"저장 {i}"))["jobId"] for i in range(3)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"status": "succeeded", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/admin/jobs", params=params, headers=AUTH).json()
        seen += [j["jobId"] for j in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
        assert read_jobs_cursor(cursor) == (page["items"][-1]["rev"], seen[-1])
    assert seen == list(reversed(ids))
