"""Versions: list (newest first, paginated), read, restore as a new save, and preview."""

from __future__ import annotations

from typing import Any

from quizhub.domain.revisions import rev_timestamp
from tests.api.conftest import AUTH, Api
from tests.conftest import sample_doc


def _three_saves(api: Api, test_id: str = "travel") -> list[dict[str, Any]]:
    jobs = []
    base = None
    for title in ("첫 번째", "두 번째", "세 번째"):
        job = api.save(test_id, sample_doc(title, baseRev=base))
        assert job["status"] == "succeeded", job
        jobs.append(job)
        base = job["rev"]
    return jobs


def test_versions_list_every_committed_save_newest_first(api: Api) -> None:
    """Three saves are three versions, newest first, with their rev, job, time and title."""
    jobs = _three_saves(api)
    r = api.client.get("/api/admin/tests/travel/versions", headers=AUTH)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    items = r.json()["items"]
    assert [v["title"] for v in items] == ["세 번째", "두 번째", "첫 번째"]
    assert [v["rev"] for v in items] == [j["rev"] for j in reversed(jobs)]
    assert [v["jobId"] for v in items] == [j["jobId"] for j in reversed(jobs)]
    assert [v["savedAt"] for v in items] == [j["committedAt"] for j in reversed(jobs)]
    assert [v["current"] for v in items] == [True, False, False]
    assert all(v["author"] is None for v in items)
    assert r.json()["nextCursor"] is None


def test_versions_paginate_with_a_cursor(api: Api) -> None:
    """limit + nextCursor walk every version once; a foreign cursor is a 422."""
    jobs = _three_saves(api)
    first = api.client.get("/api/admin/tests/travel/versions?limit=2", headers=AUTH).json()
    assert len(first["items"]) == 2 and first["nextCursor"]
    rest = api.client.get(
        f"/api/admin/tests/travel/versions?limit=2&cursor={first['nextCursor']}", headers=AUTH
    ).json()
    assert [v["rev"] for v in first["items"] + rest["items"]] == [j["rev"] for j in reversed(jobs)]
    assert rest["nextCursor"] is None
    bad = api.client.get("/api/admin/tests/travel/versions?cursor=bm9wZQ", headers=AUTH)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cursor"


def test_failed_saves_are_not_versions(api: Api) -> None:
    """A conflicted save leaves no version; unknown tests and revs are 404."""
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    assert lost["status"] == "conflict"
    items = api.client.get("/api/admin/tests/travel/versions", headers=AUTH).json()["items"]
    assert [v["title"] for v in items] == ["둘", "하나"]
    missing = api.client.get(f"/api/admin/tests/travel/versions/{lost['rev']}", headers=AUTH)
    assert missing.status_code == 404
    assert api.client.get("/api/admin/tests/nope/versions", headers=AUTH).status_code == 404


def test_a_version_reads_as_its_document(api: Api) -> None:
    """GET …/versions/{rev} is that revision's content, drafts included, never cached."""
    draft = api.save("travel", sample_doc("초안 버전", status="draft"))
    api.save("travel", sample_doc("공개 버전", baseRev=draft["rev"]))
    r = api.client.get(f"/api/admin/tests/travel/versions/{draft['rev']}", headers=AUTH)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    doc = r.json()
    assert (doc["id"], doc["title"], doc["status"], doc["rev"]) == (
        "travel",
        "초안 버전",
        "draft",
        draft["rev"],
    )
    assert doc["updatedAt"] == rev_timestamp(draft["rev"]) and doc["jobId"] == draft["jobId"]


def test_restore_saves_an_old_version_as_a_new_rev(api: Api) -> None:
    """Restoring the oldest version is a new save (new rev, based on the current one) whose
    title is public again; the history gains a fourth version."""
    jobs = _three_saves(api)
    r = api.client.post(f"/api/admin/tests/travel/versions/{jobs[0]['rev']}/restore", headers=AUTH)
    assert r.status_code == 202, r.text
    assert api.sent[-1]["baseRev"] == jobs[2]["rev"]
    api.process()
    job = api.job(r.json()["jobId"])
    assert job["status"] == "succeeded" and job["rev"] > jobs[2]["rev"]
    public = api.client.get("/api/tests/travel").json()
    assert (public["title"], public["rev"]) == ("첫 번째", job["rev"])
    items = api.client.get("/api/admin/tests/travel/versions", headers=AUTH).json()["items"]
    assert [v["title"] for v in items] == ["첫 번째", "세 번째", "두 번째", "첫 번째"]


def test_restore_conflicts_when_the_test_moved(api: Api) -> None:
    """A save that commits between the restore's accept and its commit makes it a conflict;
    so does a stated baseRev the test has moved past."""
    jobs = _three_saves(api)
    other = api.client.put(
        "/api/admin/tests/travel", json=sample_doc("끼어든 저장"), headers=AUTH
    ).json()
    restore = api.client.post(
        f"/api/admin/tests/travel/versions/{jobs[0]['rev']}/restore", headers=AUTH
    ).json()
    api.process()
    assert api.job(other["jobId"])["status"] == "succeeded"
    assert api.job(restore["jobId"])["status"] == "conflict"
    stale = api.client.post(
        f"/api/admin/tests/travel/versions/{jobs[0]['rev']}/restore",
        json={"baseRev": jobs[1]["rev"]},
        headers=AUTH,
    )
    api.process()
    assert api.job(stale.json()["jobId"])["status"] == "conflict"
    assert api.client.get("/api/tests/travel").json()["title"] == "끼어든 저장"
    null_base = api.client.post(
        f"/api/admin/tests/travel/versions/{jobs[0]['rev']}/restore",
        json={"baseRev": None},
        headers=AUTH,
    )
    assert null_base.status_code == 422


def test_versions_and_previews_are_admin_only(api: Api) -> None:
    """Without the token every versions and preview route is a 401."""
    jobs = _three_saves(api)
    rev = jobs[0]["rev"]
    for method, path in [
        ("GET", "/api/admin/tests/travel/versions"),
        ("GET", f"/api/admin/tests/travel/versions/{rev}"),
        ("POST", f"/api/admin/tests/travel/versions/{rev}/restore"),
        ("POST", "/api/admin/tests/travel/compute"),
    ]:
        assert api.client.request(method, path, json={"answers": {}}).status_code == 401


def test_preview_computes_results_of_drafts_and_versions(api: Api) -> None:
    """A draft is invisible to the public API, yet its preview computes a result (no-store);
    ``?rev=`` computes on an older version."""
    published = api.save("travel", sample_doc("공개", baseRev=None))
    doc = sample_doc("초안", status="draft", baseRev=published["rev"])
    doc["results"][0]["title"] = "초안의 결과"
    api.save("travel", doc)
    assert api.client.get("/api/tests/travel").status_code == 404
    answers = {"answers": {"q1": "a"}}
    assert api.client.post("/api/tests/travel/compute", json=answers).status_code == 404
    r = api.client.post("/api/admin/tests/travel/compute", json=answers, headers=AUTH)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["result"]["title"] == "초안의 결과"
    old = api.client.post(
        f"/api/admin/tests/travel/compute?rev={published['rev']}", json=answers, headers=AUTH
    )
    assert old.json()["result"]["title"] == "계획형 여행자"
    wrong = api.client.post(
        "/api/admin/tests/travel/compute", json={"answers": {"q1": "z"}}, headers=AUTH
    )
    assert wrong.status_code == 422
