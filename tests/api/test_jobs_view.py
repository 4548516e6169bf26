"""The admin's view of jobs that need a person: GET /api/admin/jobs?status=… and the status of
a job whose message comes late (delayed, then applied) or never (expired)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizhub.domain.jobs import JobError, delayed_error, expired_error
from quizhub.domain.revisions import rev_timestamp
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS, job_budget_seconds
from quizhub.store.jobs import JobRef, JobsRepo
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, FlakyWrap, run


def _put(api: Api, test_id: str, title: str) -> dict[str, Any]:
    r = api.client.put(f"/api/admin/tests/{test_id}", json=sample_doc(title), headers=AUTH)
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def _jobs(api: Api, query: str = "") -> Any:
    return api.client.get(f"/api/admin/jobs{query}", headers=AUTH)


def _budget_ms(api: Api) -> int:
    return job_budget_seconds(api.b.settings) * 1000


def test_an_untouched_job_reads_delayed_past_its_budget_then_applies_when_delivered(
    api: Api, clock: FakeClock
) -> None:
    """With no consumer running, the job (no row yet) reads queued, then delayed with its
    reason once past the budget; when the consumer comes back the save applies."""
    accepted = _put(api, "late", "늦게 반영될 저장")
    assert api.job(accepted["jobId"])["status"] == "queued"
    clock.advance(_budget_ms(api) + 1)
    run(api.platform.sweep())  # the cron runs; it has no row to touch
    job = api.job(accepted["jobId"])
    budget = job_budget_seconds(api.b.settings)
    assert (job["status"], job["error"]) == ("delayed", delayed_error(budget).message)
    assert (job["errorCode"], job["errorParams"]) == (
        "delayed",
        {"budgetSeconds": budget, "cause": None},
    )
    api.process()  # the consumer (or the workflow engine) is back
    assert api.job(accepted["jobId"])["status"] == "succeeded"
    assert api.client.get("/api/tests/late").json()["title"] == "늦게 반영될 저장"


def test_an_untouched_job_reads_expired_past_the_queue_retention_and_never_applies(
    api: Api, clock: FakeClock
) -> None:
    """A message older than the queue's retention is gone (the broker drops it): the job reads
    expired with the reason, and nothing was applied."""
    accepted = _put(api, "gone", "사라진 저장")
    clock.advance(QUEUE_RETENTION_SECONDS * 1000 + 1)
    api.process()
    job = api.job(accepted["jobId"])
    gone = expired_error(QUEUE_RETENTION_SECONDS)
    assert (job["status"], job["error"]) == ("expired", gone.message)
    assert (job["errorCode"], job["errorParams"]) == ("expired", gone.params)
    assert api.platform.broker.stats("quizhub-save")["expired"] == 1
    assert api.client.get("/api/admin/tests/gone", headers=AUTH).status_code == 404


def _failed(api: Api, test_id: str, accepted: dict[str, Any], reason: str) -> None:
    """End an accepted job failed as the dead-letter consumer does (it creates the row)."""
    ref = JobRef(
        accepted["jobId"], test_id, accepted["rev"], "save", rev_timestamp(accepted["rev"])
    )
    gave_up = JobError(Code.GAVE_UP, reason, {"attempts": 6, "cause": None})
    run(JobsRepo(api.b.db).fail(ref, gave_up, iso_ms(api.clock())))


def test_jobs_view_lists_failed_delayed_and_expired_jobs_newest_first(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The default view is failed, delayed and expired jobs, newest accepted first, each in the
    usual job shape with its reason; succeeded jobs are not in it."""
    puts = FlakyWrap("bucket", "put", failures=0)
    api = make_api(tmp_path, clock, wrap=puts)
    try:
        done = api.save("fine", sample_doc("잘 된 저장"))
        assert done["status"] == "succeeded"
        failed = _put(api, "broken", "실패한 저장")
        _failed(api, "broken", failed, "gave up after 6 attempts")
        clock.advance(1000)
        late = _put(api, "late", "늦어진 저장")
        puts.flaky.failures = 1
        run(api.platform.step())  # the R2 put fails once, then the consumer is down
        clock.advance(_budget_ms(api) + 120_000)
        run(api.platform.sweep())
        body = _jobs(api).json()
        assert [(j["jobId"], j["status"]) for j in body["items"]] == [
            (late["jobId"], "delayed"),
            (failed["jobId"], "failed"),
        ]
        delayed, gave_up = body["items"]
        assert delayed["error"].startswith("delayed: ")
        assert "injected put failure" in delayed["error"]
        # The same, as codes: delayed past the budget, its cause the failed attempt and that
        # attempt's own cause (a binding error).
        assert delayed["errorCode"] == "delayed"
        cause = delayed["errorParams"]["cause"]
        assert cause["code"] == "attempt_failed" and cause["params"]["attempt"] == 1
        assert cause["params"]["cause"] == {
            "code": "binding_error",
            "params": {"error": "ConnectionError"},
        }
        assert gave_up["error"] == "gave up after 6 attempts"
        assert (gave_up["errorCode"], gave_up["errorParams"]) == (
            "gave_up",
            {"attempts": 6, "cause": None},
        )
        assert set(body["items"][0]) >= {"jobId", "testId", "status", "error", "updatedAt"}
        assert body["nextCursor"] is None
        only_failed = _jobs(api, "?status=failed").json()["items"]
        assert [j["jobId"] for j in only_failed] == [failed["jobId"]]
        assert [j["status"] for j in _jobs(api, "?status=succeeded").json()["items"]] == [
            "succeeded"
        ]
    finally:
        api.platform.close()


def test_jobs_view_pages_with_a_cursor(tmp_path: Path, clock: FakeClock) -> None:
    """``limit`` and ``nextCursor`` walk every failed job exactly once, newest first."""
    api = make_api(tmp_path, clock)
    try:
        ids = []
        for i in range(5):
            accepted = _put(api, f"t{i}", f"저장 {i}")
            _failed(api, f"t{i}", accepted, "실패")
            ids.append(accepted["jobId"])
            clock.advance(1000)
        seen: list[str] = []
        cursor = ""
        while True:
            page = _jobs(api, f"?status=failed&limit=2{cursor}").json()
            seen += [j["jobId"] for j in page["items"]]
            assert len(page["items"]) <= 2
            if not page["nextCursor"]:
                break
            cursor = f"&cursor={page['nextCursor']}"
        assert seen == list(reversed(ids))
    finally:
        api.platform.close()


@pytest.mark.parametrize("query", ["?status=failed,lost", "?status=", "?status=FAILED"])
def test_jobs_view_rejects_unknown_statuses_with_422(api: Api, query: str) -> None:
    """Only the job statuses of the API are accepted; anything else is a 422 naming them."""
    r = _jobs(api, query)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert "delayed" in error["message"] and error["details"][0]["loc"] == ["query", "status"]


def test_jobs_view_rejects_a_forged_cursor_and_needs_the_token(api: Api) -> None:
    """A cursor the API did not return is a 422; without the admin token the view is 401."""
    assert _jobs(api, "?cursor=not-a-cursor").status_code == 422
    assert api.client.get("/api/admin/jobs").status_code == 401


def test_an_expired_job_with_a_stored_body_can_be_retried(tmp_path: Path, clock: FakeClock) -> None:
    """An expired job whose document reached R2 before the outage is re-submitted by 다시 시도
    as a new job, which applies."""
    api = make_api(tmp_path, clock, wrap=FlakyWrap("db", "batch", failures=1))
    try:
        job_id = _put(api, "travel", "만료 후 다시 시도")["jobId"]
        run(api.platform.step())  # R2 put done, the D1 commit fails: retried in 2 s
        assert api.job(job_id)["status"] == "running"
        clock.advance(QUEUE_RETENTION_SECONDS * 1000 + 120_000)
        run(api.platform.sweep())  # delayed past the budget …
        run(api.platform.sweep())  # … and expired past the retention
        api.process()  # the broker drops the message: it is older than the retention
        assert api.job(job_id)["status"] == "expired"
        listed = _jobs(api, "?status=expired").json()["items"]
        assert [j["jobId"] for j in listed] == [job_id]
        retried = api.client.post(f"/api/admin/jobs/{job_id}/retry", headers=AUTH)
        assert retried.status_code == 202, retried.text
        api.process()
        assert api.job(retried.json()["jobId"])["status"] == "succeeded"
        assert api.client.get("/api/tests/travel").json()["title"] == "만료 후 다시 시도"
    finally:
        api.platform.close()
