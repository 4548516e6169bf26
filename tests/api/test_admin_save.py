"""Admin save/delete over HTTP: 202 + job, job states, validation, auth and size errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, run


def test_put_accepts_with_202_and_job_reaches_succeeded(api: Api) -> None:
    """202 {jobId, rev, statusUrl}; the job is queued until consumed, then succeeded."""
    r = api.client.put("/api/admin/tests/travel", json=sample_doc(), headers=AUTH)
    assert r.status_code == 202
    body = r.json()
    assert set(body) == {"jobId", "rev", "statusUrl"} and r.headers["location"] == body["statusUrl"]
    queued = api.client.get(body["statusUrl"], headers=AUTH).json()
    assert (queued["status"], queued["rev"]) == ("queued", body["rev"])
    api.process()
    done = api.client.get(body["statusUrl"], headers=AUTH).json()
    assert (done["status"], done["step"], done["testId"]) == ("succeeded", "done", "travel")


def test_put_path_does_no_storage_io(api: Api) -> None:
    """Accepting a save writes nothing to D1 (no job row, no test row) before a consumer runs."""
    api.client.put("/api/admin/tests/travel", json=sample_doc(), headers=AUTH)
    for table in ("jobs", "tests"):
        assert run(api.b.db.prepare(f"SELECT COUNT(*) AS n FROM {table}").first("n")) == 0


@pytest.mark.parametrize(
    ("mutate", "loc"),
    [
        (lambda d: d.update(title=""), ["title"]),
        (
            lambda d: d["questions"][0]["options"][1].update(text=""),
            ["questions", 0, "options", 1, "text"],
        ),
        (lambda d: d.update(extra=1), ["extra"]),
        (
            lambda d: d["questions"][0]["options"][0].update(scores={"ghost": 1}),
            ["questions", 0, "options", 0, "scores", "ghost"],
        ),
    ],
)
def test_invalid_body_is_422_naming_the_field(api: Api, mutate, loc) -> None:  # type: ignore[no-untyped-def]
    """Limits and integrity errors come back as 422 with the field path in details."""
    doc = sample_doc()
    mutate(doc)
    r = api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid" and loc in [d["loc"] for d in error["details"]]
    assert error["message"]


def test_malformed_json_is_422(api: Api) -> None:
    """A body that is not JSON is rejected with the error shape."""
    r = api.client.put(
        "/api/admin/tests/travel",
        content=b"{nope",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"


def test_bad_test_id_is_422(api: Api) -> None:
    """Test ids must match ^[a-z0-9][a-z0-9-]{0,62}$."""
    r = api.client.put("/api/admin/tests/Bad_Id", json=sample_doc(), headers=AUTH)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["path", "test_id"]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "token_missing"),
        ({"Authorization": "Bearer wrong"}, "token_invalid"),
        ({"Authorization": "Basic dGVzdA=="}, "token_invalid"),
        ({"Authorization": "Bearer"}, "token_invalid"),
    ],
)
def test_admin_routes_need_the_token(api: Api, headers: dict[str, str], code: str) -> None:
    """Missing or wrong credentials get 401 with the error shape, a code saying which, and a
    WWW-Authenticate header."""
    for method, path in [
        ("PUT", "/api/admin/tests/travel"),
        ("GET", "/api/admin/tests"),
        ("DELETE", "/api/admin/tests/x"),
    ]:
        r = api.client.request(
            method, path, json=sample_doc() if method == "PUT" else None, headers=headers
        )
        assert r.status_code == 401 and r.json()["error"]["code"] == code
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_oversized_body_is_413(api: Api) -> None:
    """Bodies over 1 MiB are refused before parsing."""
    doc = sample_doc(description="가" * 400_000)
    r = api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_unknown_test_and_job_are_404(api: Api) -> None:
    """Unknown tests (admin read, delete) and unknown or forged job ids are 404."""
    assert api.client.get("/api/admin/tests/nope", headers=AUTH).status_code == 404
    assert api.client.delete("/api/admin/tests/nope", headers=AUTH).status_code == 404
    r = api.client.get("/api/admin/jobs/01JZZZZZZZZZZZZZZZZZZZZZZZ-0123456789abcdef", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "job_not_found"
    assert r.json()["error"]["params"] == {"jobId": "01JZZZZZZZZZZZZZZZZZZZZZZZ-0123456789abcdef"}
    missing = api.client.get("/api/admin/tests/nope", headers=AUTH).json()["error"]
    assert (missing["code"], missing["params"]) == ("test_not_found", {"testId": "nope"})


def test_admin_get_reads_drafts_and_latest_rev(api: Api) -> None:
    """Admin reads come from D1+R2 (drafts included, never a cache) with rev and timestamps."""
    status = api.save("draft-one", sample_doc(status="draft"))
    r = api.client.get("/api/admin/tests/draft-one", headers=AUTH)
    doc = r.json()
    assert r.status_code == 200 and doc["status"] == "draft" and doc["rev"] == status["rev"]
    assert {"id", "createdAt", "updatedAt"} <= set(doc)
    assert api.client.get("/api/tests/draft-one").status_code == 404


def test_admin_list_shows_status_rev_and_last_job(api: Api) -> None:
    """The admin list has every live test with its latest job."""
    a = api.save("alpha", sample_doc("알파"))
    api.save("beta", sample_doc("베타", status="draft"))
    items = {i["id"]: i for i in api.client.get("/api/admin/tests", headers=AUTH).json()["items"]}
    assert set(items) == {"alpha", "beta"}
    assert items["alpha"]["rev"] == a["rev"] and items["alpha"]["lastJob"]["status"] == "succeeded"
    assert items["beta"]["status"] == "draft"


def test_stale_base_rev_ends_conflict_over_http(api: Api) -> None:
    """Saving with an outdated baseRev reports conflict and keeps the newer content."""
    first = api.save("travel", sample_doc("하나"))
    second = api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    stale = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    assert (second["status"], stale["status"]) == ("succeeded", "conflict")
    assert api.client.get("/api/tests/travel").json()["title"] == "둘"


def test_delete_unpublishes(api: Api) -> None:
    """DELETE is a 202 job; afterwards the test is gone from public and admin reads."""
    api.save("travel", sample_doc())
    r = api.client.delete("/api/admin/tests/travel", headers=AUTH)
    assert r.status_code == 202
    api.process()
    assert api.client.get(r.json()["statusUrl"], headers=AUTH).json()["status"] == "succeeded"
    assert api.client.get("/api/tests/travel").status_code == 404
    assert api.client.get("/api/admin/tests/travel", headers=AUTH).status_code == 404
    assert api.client.get("/api/tests").json()["items"] == []


def test_sync_mode_answers_200_with_the_finished_job(tmp_path: Path, clock: FakeClock) -> None:
    """The measured baseline: all steps inside the PUT."""
    api = make_api(tmp_path, clock, mode="sync")
    r = api.client.put("/api/admin/tests/travel", json=sample_doc(), headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "succeeded"
    assert api.client.get("/api/tests/travel").json()["rev"] == r.json()["rev"]


def test_anonymous_requests_get_401_before_the_body_is_read(api: Api) -> None:
    """Without the token, malformed or oversized bodies still answer 401 (not 422/413)."""
    for body in (b"{nope", b"x" * (2 * 1024 * 1024)):
        r = api.client.put(
            "/api/admin/tests/travel", content=body, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 401 and r.json()["error"]["code"] == "token_missing"


def test_explicit_null_base_rev_creates_and_never_overwrites(api: Api) -> None:
    """`"baseRev": null` = a new test: it conflicts when the id exists; omitting baseRev
    overwrites."""
    assert api.save("travel", sample_doc("처음 만든", baseRev=None))["status"] == "succeeded"
    clash = api.save("travel", sample_doc("같은 아이디로 새로", baseRev=None))
    assert clash["status"] == "conflict" and "already exists" in clash["error"]
    assert api.client.get("/api/tests/travel").json()["title"] == "처음 만든"
    retried = api.client.post(f"/api/admin/jobs/{clash['jobId']}/retry", headers=AUTH)
    api.process()
    assert api.client.get(retried.json()["statusUrl"], headers=AUTH).json()["status"] == "conflict"
    assert api.save("travel", sample_doc("덮어씀"))["status"] == "succeeded"  # no baseRev: no check
    assert api.client.get("/api/tests/travel").json()["title"] == "덮어씀"


def test_base_rev_outside_the_rev_alphabet_is_422(api: Api) -> None:
    """The API checks baseRev with the consumer's rev pattern: 26 wrong characters are a 422."""
    for bad in ("U" * 26, "8" + "0" * 25, "0" * 25):
        r = api.client.put("/api/admin/tests/travel", json=sample_doc(baseRev=bad), headers=AUTH)
        assert r.status_code == 422, bad
        assert r.json()["error"]["details"][0]["loc"] == ["baseRev"]
    assert api.sent == []


def test_a_document_read_by_get_can_be_put_back_unchanged(api: Api) -> None:
    """Read-modify-write: the GET body PUT back as is is accepted, its rev acting as baseRev."""
    api.save("travel", sample_doc("처음"))
    loaded = api.client.get("/api/admin/tests/travel", headers=AUTH).json()
    assert {"id", "rev", "createdAt", "updatedAt"} <= set(loaded)
    edited = {**loaded, "title": "고쳐 씀"}
    r = api.client.put("/api/admin/tests/travel", json=edited, headers=AUTH)
    assert r.status_code == 202, r.text
    api.process()
    assert api.job(r.json()["jobId"])["status"] == "succeeded"
    stored = api.client.get("/api/admin/tests/travel", headers=AUTH).json()
    assert stored["title"] == "고쳐 씀" and stored["createdAt"] == loaded["createdAt"]


def test_a_stale_read_modify_write_conflicts_instead_of_overwriting(api: Api) -> None:
    """An echoed rev that is no longer current makes the save a conflict, never a lost update."""
    api.save("travel", sample_doc("처음"))
    stale = api.client.get("/api/admin/tests/travel", headers=AUTH).json()
    api.save("travel", sample_doc("다른 편집자"))
    r = api.client.put(
        "/api/admin/tests/travel", json={**stale, "title": "늦은 편집"}, headers=AUTH
    )
    assert r.status_code == 202
    api.process()
    assert api.job(r.json()["jobId"])["status"] == "conflict"
    assert api.client.get("/api/tests/travel").json()["title"] == "다른 편집자"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "other-test"}, "id"),
        ({"updatedAt": "2020-01-01T00:00:00.000Z"}, "updatedAt"),
        ({"createdAt": "2999-01-01T00:00:00.000Z"}, "createdAt"),
        ({"baseRev": None}, "baseRev"),
    ],
)
def test_echoed_server_fields_must_match_or_422(
    api: Api, change: dict[str, Any], field: str
) -> None:
    """Server-owned fields sent back must belong to the echoed rev and the URL's test id."""
    api.save("travel", sample_doc())
    loaded = api.client.get("/api/admin/tests/travel", headers=AUTH).json()
    r = api.client.put("/api/admin/tests/travel", json={**loaded, **change}, headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"] == [field]


def test_server_fields_without_their_rev_are_422(api: Api) -> None:
    """``updatedAt`` alone cannot be checked against anything: it must come with its ``rev``."""
    doc = {**sample_doc(), "updatedAt": "2026-01-01T00:00:00.000Z"}
    r = api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["updatedAt"]
