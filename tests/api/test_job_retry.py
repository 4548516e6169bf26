"""POST /api/admin/jobs/{jobId}/retry: re-submit a failed or conflicted save as a new job."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2

from quizhub.domain.jobs import JobError, make_job_id
from quizhub.errors import Code
from quizhub.pipeline.policy import job_budget_seconds
from quizhub.store.jobs import JobRef, JobsRepo
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, FlakyWrap, run


def test_conflicted_job_can_be_retried_with_a_new_base(api: Api) -> None:
    """A conflict keeps its body; retrying with the current rev as base overwrites (the UI's
    덮어쓰기)."""
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    assert lost["status"] == "conflict"
    same_base = api.client.post(f"/api/admin/jobs/{lost['jobId']}/retry", headers=AUTH)
    assert same_base.status_code == 202
    api.process()
    assert (
        api.client.get(same_base.json()["statusUrl"], headers=AUTH).json()["status"] == "conflict"
    )
    current = api.client.get("/api/admin/tests/travel", headers=AUTH).json()["rev"]
    forced = api.client.post(
        f"/api/admin/jobs/{lost['jobId']}/retry", json={"baseRev": current}, headers=AUTH
    )
    api.process()
    assert api.client.get(forced.json()["statusUrl"], headers=AUTH).json()["status"] == "succeeded"
    assert api.client.get("/api/tests/travel").json()["title"] == "셋"


def test_failed_job_retry_uses_its_stored_body(tmp_path: Path, clock: FakeClock) -> None:
    """A save that failed after its document was stored is re-submitted from that document."""
    api = make_api(tmp_path, clock, wrap=FlakyWrap("db", "batch", failures=10_000))
    job_id = api.client.put(
        "/api/admin/tests/travel", json=sample_doc("실패할 저장"), headers=AUTH
    ).json()["jobId"]
    api.process()
    row = run(JobsRepo(api.b.db).get(job_id))
    assert row is not None and row.status == "running" and row.attempts == 1
    assert row.error and "injected batch failure" in row.error  # R2 has it; D1 keeps failing
    ref = JobRef(row.job_id, "travel", row.rev, "save", row.accepted_at)
    # The dead-letter consumer ends it (its D1 batch goes through: only the commit's kept failing).
    ended = JobsRepo(api.platform.raw.db)
    gave_up = JobError(Code.GAVE_UP, "gave up after 6 attempts", {"attempts": 6, "cause": None})
    run(ended.fail(ref, gave_up, "2026-01-01T00:00:00.000Z"))
    retried = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
    assert retried.status_code == 202 and retried.json()["jobId"] != job_id
    resent = api.sent[-1]
    assert resent["body"]["title"] == "실패할 저장" and resent["testId"] == "travel"


def test_retry_with_null_base_rev_stays_a_create(api: Api) -> None:
    """`{"baseRev": null}` on a retry means create-only, as on a save: it never overwrites."""
    assert api.save("travel", sample_doc("처음", baseRev=None))["status"] == "succeeded"
    clash = api.save("travel", sample_doc("같은 아이디", baseRev=None))
    assert clash["status"] == "conflict"
    r = api.client.post(
        f"/api/admin/jobs/{clash['jobId']}/retry", json={"baseRev": None}, headers=AUTH
    )
    assert r.status_code == 202
    api.process()
    assert api.job(r.json()["jobId"])["status"] == "conflict"
    assert api.client.get("/api/tests/travel").json()["title"] == "처음"


def test_retry_body_states_base_rev_like_a_save(api: Api) -> None:
    """No body keeps the job's own baseRev; ``{}`` (baseRev omitted) is unconditional."""
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    own = api.client.post(f"/api/admin/jobs/{lost['jobId']}/retry", headers=AUTH)
    api.process()
    assert api.job(own.json()["jobId"])["status"] == "conflict"
    anyway = api.client.post(f"/api/admin/jobs/{lost['jobId']}/retry", json={}, headers=AUTH)
    api.process()
    assert api.job(anyway.json()["jobId"])["status"] == "succeeded"
    assert api.client.get("/api/tests/travel").json()["title"] == "셋"


def test_only_failed_or_conflicted_jobs_can_be_retried(api: Api) -> None:
    """Retrying a succeeded job is 409 not_retryable; an unknown job is 404."""
    ok = api.save("travel", sample_doc())
    r = api.client.post(f"/api/admin/jobs/{ok['jobId']}/retry", headers=AUTH)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_retryable"
    assert api.client.post("/api/admin/jobs/nope/retry", headers=AUTH).status_code == 404


def test_retry_body_is_validated(api: Api) -> None:
    """A retry's baseRev must be a rev (or null) and its body JSON; otherwise 422, nothing
    queued."""
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    sent_before = len(api.sent)
    url = f"/api/admin/jobs/{lost['jobId']}/retry"
    for body in ({"baseRev": 123}, {"baseRev": "not-a-rev"}, {"other": 1}):
        r = api.client.post(url, json=body, headers=AUTH)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid", body
    bad = api.client.post(
        url, content=b"{nope", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert bad.status_code == 422
    assert len(api.sent) == sent_before


def test_a_failed_reindex_is_retried_as_a_new_reindex(api: Api) -> None:
    """A reindex has no document: its retry runs the reindex again (not 409 body_unavailable)."""
    job_id = api.client.post("/api/admin/search/reindex", headers=AUTH).json()["jobId"]
    api.process()
    # As the dead-letter consumer would have left it after the reindex gave up:
    failed = "UPDATE jobs SET status = 'failed', error = 'gave up' WHERE job_id = ?"
    run(api.b.db.prepare(failed).bind(job_id).run())
    assert (api.job(job_id)["kind"], api.job(job_id)["status"]) == ("reindex", "failed")
    retried = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
    assert retried.status_code == 202, retried.text
    api.process()
    again = api.job(retried.json()["jobId"])
    assert (again["kind"], again["status"]) == ("reindex", "succeeded")


def _conflicted(api: Api) -> str:
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    assert lost["status"] == "conflict"
    return str(lost["jobId"])


def test_concurrent_retries_of_one_job_make_one_new_job(api: Api) -> None:
    """Twenty 다시 시도 at once: one new job, every answer names it, one version is saved."""
    job_id = _conflicted(api)
    current = api.client.get("/api/admin/tests/travel", headers=AUTH).json()["rev"]

    async def retries() -> list[httpx2.Response]:
        transport = httpx2.ASGITransport(app=api.client.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
            url = f"/api/admin/jobs/{job_id}/retry"
            body = {"baseRev": current}
            return list(
                await asyncio.gather(
                    *(client.post(url, json=body, headers=AUTH) for _ in range(20))
                )
            )

    answers = run(retries())
    assert {r.status_code for r in answers} == {202}
    assert len({r.json()["jobId"] for r in answers}) == 1
    api.clock.advance(1000)
    api.process()
    versions = api.client.get("/api/admin/tests/travel/versions", headers=AUTH).json()["items"]
    assert [v["title"] for v in versions] == ["셋", "둘", "하나"]


def test_a_retry_whose_message_could_not_be_sent_can_be_retried_again(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The claim is given back when the send fails (503): the next retry makes the job."""
    flaky = FlakyWrap("queue", "send", 0)
    api = make_api(tmp_path, clock, wrap=flaky)
    job_id = _conflicted(api)
    flaky.flaky.failures = 1
    refused = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
    assert refused.status_code == 503, refused.text
    again = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
    assert again.status_code == 202, again.text
    assert again.json()["jobId"] != job_id


def test_a_claim_left_by_a_crash_is_taken_over_once_its_job_is_overdue(api: Api) -> None:
    """A retry that claimed but never sent (its process died) answers for the job until that
    job is past the retry budget; then a retry makes a job that runs."""
    job_id = _conflicted(api)
    b = api.b
    ghost = make_job_id(b.revs.new(b.clock_ms()), b.settings.signing_key)
    assert run(JobsRepo(b.db).claim_retry(job_id, ghost, replacing=None)) == ghost
    early = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
    assert early.json()["jobId"] == ghost
    api.clock.advance((job_budget_seconds(b.settings) + 1) * 1000)
    late = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
    assert late.status_code == 202 and late.json()["jobId"] != ghost
    api.process()
    assert api.job(late.json()["jobId"])["status"] == "conflict"  # the same base: it ran


def test_a_job_may_be_retried_again_once_its_retry_ended(api: Api) -> None:
    """Sequential retries stay possible: after a retry ended (here: conflict again), the next
    retry with a newer base is a new job (the editor's 덮어쓰기)."""
    job_id = _conflicted(api)
    first = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH).json()["jobId"]
    api.process()
    assert api.job(first)["status"] == "conflict"
    current = api.client.get("/api/admin/tests/travel", headers=AUTH).json()["rev"]
    second = api.client.post(
        f"/api/admin/jobs/{job_id}/retry", json={"baseRev": current}, headers=AUTH
    ).json()["jobId"]
    assert second != first
    api.process()
    assert api.job(second)["status"] == "succeeded"
