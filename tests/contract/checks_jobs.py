"""Project-SQL checks of job transitions (conventions: ``tests/contract/_store_support.py``)."""

from __future__ import annotations

import json
from typing import Any

from quizhub.domain.jobs import JobStatus, delayed_error, expired_error
from quizhub.store.jobs import JobsRepo, Overdue
from quizhub.store.tests import TestsRepo
from tests.contract._store_support import (
    _BASE_MS,
    _CAUSE,
    _commit,
    _doc,
    _error,
    _fresh,
    _job,
    _job_n,
    _rev,
    _rows,
    _ts,
)


# ---------------------------------------------------------------- JobsRepo
async def check_unknown_job_is_none(db: Any) -> None:
    await _fresh(db)
    assert await JobsRepo(db).get("job-never") is None


async def check_a_retry_claim_has_one_holder_until_given_back_or_taken_over(db: Any) -> None:
    """The first claim wins; a second is answered with the first; a release frees it only for
    its holder; taking over needs the claim it replaces to be still the one."""
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-claim", 1)
    await jobs.start_attempt(job, "validate", _ts(2), None)
    assert await jobs.retried_by(job.job_id) is None
    assert await jobs.claim_retry(job.job_id, "retry-a", replacing=None) == "retry-a"
    assert await jobs.claim_retry(job.job_id, "retry-b", replacing=None) == "retry-a"
    await jobs.release_retry(job.job_id, "retry-b")  # not the holder: nothing changes
    assert await jobs.retried_by(job.job_id) == "retry-a"
    assert await jobs.claim_retry(job.job_id, "retry-c", replacing="retry-x") == "retry-a"
    assert await jobs.claim_retry(job.job_id, "retry-c", replacing="retry-a") == "retry-c"
    await jobs.release_retry(job.job_id, "retry-c")
    assert await jobs.retried_by(job.job_id) is None


async def check_start_attempt_creates_then_counts(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-att", 1, base=0)
    first = await jobs.start_attempt(job, "validate", _ts(10), "staging/job-t-att-1.json")
    assert first.status == "running" and first.attempts == 1
    assert (first.rev, first.base_rev, first.kind) == (_rev(1), _rev(0), "save")
    assert (first.body_ref, first.accepted_at, first.updated_at) == (
        "staging/job-t-att-1.json",
        _ts(1),
        _ts(10),
    )
    assert (first.committed, first.error) == (False, None)
    second = await jobs.start_attempt(job, "validate", _ts(11), None)
    assert (second.attempts, second.updated_at) == (2, _ts(11))
    assert second.body_ref == "staging/job-t-att-1.json"  # the first delivery's stays


async def check_start_attempt_keeps_a_terminal_job_terminal(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-term", 1)
    await _commit(db, job, _doc())
    await jobs.succeed(job.job_id, _ts(2))
    again = await jobs.start_attempt(job, "validate", _ts(9), None)
    assert (again.status, again.attempts, again.updated_at) == ("succeeded", 2, _ts(2))


async def check_set_step_and_note_error_touch_only_running_jobs(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    running, failed = _job("t-run", 1), _job("t-run", 2)
    await jobs.start_attempt(running, "validate", _ts(1), None)
    await jobs.fail(failed, _error("permanent"), _ts(2))
    for job in (running, failed):
        await jobs.set_step(job.job_id, "put-r2", _ts(3))
        await jobs.note_error(job.job_id, _error("transient: " + "x" * 2000), _ts(4))
    row = await jobs.get(running.job_id)
    assert row is not None
    assert (row.step, row.updated_at, len(row.error)) == ("put-r2", _ts(4), 1000)
    dead = await jobs.get(failed.job_id)
    assert dead is not None
    assert (dead.status, dead.step, dead.error) == ("failed", "failed", "permanent")


async def check_succeed_requires_a_committed_job(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-unc", 1)
    await jobs.start_attempt(job, "validate", _ts(1), None)
    await jobs.succeed(job.job_id, _ts(2))
    row = await jobs.get(job.job_id)
    assert row is not None and row.status == "running"


async def check_fail_creates_the_row_and_never_overrides_terminal(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    lost = _job("t-fail", 1)
    await jobs.fail(lost, _error("invalid: " + "가" * 1500), _ts(5))
    row = await jobs.get(lost.job_id)
    assert row is not None
    assert (row.status, row.step, row.attempts) == ("failed", "failed", 1)
    assert len(row.error) == 1000 and row.error.endswith("가")
    done = _job("t-fail", 2)
    await _commit(db, done, _doc())
    await jobs.succeed(done.job_id, _ts(6))
    await jobs.fail(done, _error("dead-lettered"), _ts(7))
    after = await jobs.get(done.job_id)
    assert after is not None
    assert (after.status, after.error, after.updated_at) == ("succeeded", None, _ts(6))


def _at(seconds: int) -> int:
    """``_ts(seconds)`` in ms (what the sweep takes as its clock)."""
    return _BASE_MS + seconds * 1000


async def _sweep(jobs: JobsRepo, now: int, *, budget: int = 90, retention: int = 1000) -> Overdue:
    """The sweep at ``_ts(now)`` with a 90 s budget, a 60 s quiet window and a given retention."""
    return await jobs.sweep_overdue(
        _at(now), budget_seconds=budget, retention_seconds=retention, quiet_seconds=60
    )


async def check_sweep_delays_open_jobs_past_their_budget_and_never_fails_them(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    old, old_err, new, old_done, old_live, busy = (
        _job("t-s1", 1),
        _job("t-s2", 2),
        _job("t-s3", 150),
        _job("t-s4", 3),
        _job("t-s5", 5),
        _job("t-s6", 6),
    )
    for job in (old, old_err, new, busy):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error(old_err.job_id, _error("transient: R2 503"), _ts(4))
    await jobs.set_step(busy.job_id, "put-r2", _ts(95))  # a (late) delivery working on it now
    await _commit(db, old_done, _doc())
    await jobs.succeed(old_done.job_id, _ts(4))
    await _commit(db, old_live, _doc())  # committed, then stuck before invalidating

    swept = await _sweep(jobs, 100)
    assert (swept.delayed, swept.live, swept.expired) == (2, 1, 0)
    rows = {r["job_id"]: r for r in await _rows(db, "SELECT * FROM jobs")}
    delayed = delayed_error(90).message
    assert (rows[old.job_id]["status"], rows[old.job_id]["error"]) == ("delayed", delayed)
    assert rows[old.job_id]["step"] == "validate"  # where it stopped, for the admin to see
    assert _coded(rows[old.job_id]) == ("delayed", {"budgetSeconds": 90, "cause": None})
    assert rows[old_err.job_id]["error"] == f"{delayed} (last error: transient: R2 503)"
    assert _coded(rows[old_err.job_id]) == ("delayed", {"budgetSeconds": 90, "cause": _CAUSE})
    assert rows[old_err.job_id]["updated_at"] == _ts(100)
    assert rows[new.job_id]["status"] == "running"
    assert rows[busy.job_id]["status"] == "running"
    assert (rows[old_done.job_id]["status"], rows[old_done.job_id]["error"]) == ("succeeded", None)
    live = rows[old_live.job_id]
    assert live["status"] == "succeeded" and live["error"].startswith("saved and live")
    assert "retry budget (90 s)" in live["error"]
    over = {"code": "over_budget", "params": {"budgetSeconds": 90, "cause": None}}
    assert _coded(live) == ("purge_incomplete", {"owed": True, "cause": over})
    assert not [r for r in rows.values() if r["status"] == "failed"]
    assert (await _sweep(jobs, 101)).total == 0  # already delayed: left as they are

    later = await _sweep(jobs, 200)  # the busy job went quiet: now it is delayed too
    assert (later.delayed, later.live, later.expired) == (1, 0, 0)
    row = await jobs.get(busy.job_id)
    assert row is not None and (row.status, row.error) == ("delayed", delayed)


async def check_sweep_expires_delayed_jobs_past_the_retention(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    lost, resumed, young = _job("t-e1", 1), _job("t-e2", 2), _job("t-e3", 500)
    for job in (lost, resumed):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error(lost.job_id, _error("attempt 1: R2 503"), _ts(3))
    assert (await _sweep(jobs, 100)).delayed == 2
    await jobs.start_attempt(young, "validate", _ts(500), None)
    assert (await _sweep(jobs, 600)).delayed == 1
    await jobs.start_attempt(resumed, "validate", _ts(990), None)  # delivered late: working

    swept = await _sweep(jobs, 1002)
    assert (swept.delayed, swept.live, swept.expired) == (0, 0, 1)
    row = await jobs.get(lost.job_id)
    assert row is not None and (row.status, row.step) == ("expired", "expired")
    assert row.error == f"{expired_error(1000).message} (last error: attempt 1: R2 503)"
    # The delay's cause carries over: causes never nest.
    expired = {"retentionSeconds": 1000, "cause": _CAUSE}
    assert (row.error_code, row.error_params) == ("expired", expired)
    assert row.terminal
    again = await jobs.get(resumed.job_id)
    assert again is not None and (again.status, again.attempts) == ("running", 2)
    kept = await jobs.get(young.job_id)
    assert kept is not None and kept.status == "delayed"  # within the retention: may still come
    await jobs.start_attempt(lost, "validate", _ts(1003), None)  # too late: stays expired
    row = await jobs.get(lost.job_id)
    assert row is not None and (row.status, row.updated_at) == ("expired", _ts(1002))


async def check_a_late_delivery_of_a_delayed_job_applies_under_the_cas(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    late, older, newer = _job("t-late", 1), _job("t-cas", 2), _job("t-cas", 3)
    for job in (late, older):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error(late.job_id, _error("attempt 1: R2 503"), _ts(4))
    assert (await _sweep(jobs, 100)).delayed == 2

    resumed = await jobs.start_attempt(late, "validate", _ts(300), None)
    assert (resumed.status, resumed.attempts, resumed.updated_at) == ("running", 2, _ts(300))
    assert (await _commit(db, late, _doc("늦게 온 저장"), at=301, start=False)).status == (
        "committed"
    )
    await jobs.succeed(late.job_id, _ts(302))
    row = await jobs.get(late.job_id)
    assert row is not None and (row.status, row.error) == ("succeeded", None)
    pointer = await TestsRepo(db).pointer("t-late")
    assert pointer is not None and pointer.rev == late.rev

    # A sweep that flips a job to delayed between its delivery's steps does not stop it: every
    # step's guard accepts a delayed job, and the compare-and-set still decides.
    await jobs.start_attempt(older, "validate", _ts(305), None)
    await jobs.set_step(older.job_id, "put-r2", _ts(310))
    assert (await _sweep(jobs, 400)).delayed == 1
    await jobs.note_error(older.job_id, _error("attempt 2: KV 503"), _ts(401))
    row = await jobs.get(older.job_id)
    assert row is not None and (row.status, row.step, row.error) == (
        "delayed",
        "put-r2",
        "attempt 2: KV 503",
    )
    assert (await _commit(db, newer, _doc("새 판"))).status == "committed"
    outcome = await _commit(db, older, _doc("옛 판"), at=402, start=False)
    assert (outcome.status, outcome.job.status) == ("superseded", "superseded")
    pointer = await TestsRepo(db).pointer("t-cas")
    assert pointer is not None and pointer.rev == newer.rev


async def check_a_delayed_job_commits_without_a_new_attempt(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-flip", 1)
    await jobs.start_attempt(job, "validate", _ts(1), None)
    assert (await _sweep(jobs, 100)).delayed == 1
    outcome = await _commit(db, job, _doc(), at=101, start=False)
    assert (outcome.status, outcome.job.status, outcome.job.committed) == (
        "committed",
        "running",
        True,
    )
    await jobs.succeed(job.job_id, _ts(102))
    row = await jobs.get(job.job_id)
    assert row is not None and row.status == "succeeded"


async def check_the_dead_letter_queue_ends_a_delayed_job_failed(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-dlq", 1)
    await jobs.start_attempt(job, "validate", _ts(1), None)
    assert (await _sweep(jobs, 100)).delayed == 1
    await jobs.fail(job, _error("gave up after 6 attempts (last error: R2 503)"), _ts(101))
    row = await jobs.get(job.job_id)
    assert row is not None and (row.status, row.step, row.error) == (
        "failed",
        "failed",
        "gave up after 6 attempts (last error: R2 503)",
    )
    assert (row.error_code, row.error_params) == ("binding_error", {"error": "ConnectionError"})
    assert (await _sweep(jobs, 5000)).total == 0  # terminal: the sweep leaves it alone


async def check_list_by_status_pages_newest_first(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    for n in (1, 2, 3):
        await jobs.fail(_job("t-list", n), _error(f"실패 {n}"), _ts(n))
    for n in (4, 6):
        await jobs.start_attempt(_job("t-list", n), "validate", _ts(n), None)
    await _commit(db, _job("t-done", 5), _doc())
    assert (await _sweep(jobs, 100)).delayed == 2
    assert (await _sweep(jobs, 1010)).expired == 2  # 4 and 6 outlived the retention
    await jobs.start_attempt(_job("t-list", 1100), "validate", _ts(1100), None)
    assert (await _sweep(jobs, 1200)).delayed == 1

    attention: list[JobStatus] = ["failed", "delayed", "expired"]
    pages: list[list[str]] = []
    before = None
    while True:
        page = await jobs.list_by_status(attention, limit=3, before=before)
        if not page:
            break
        pages.append([r.job_id for r in page])
        before = (page[-1].rev, page[-1].job_id)
    names = [f"job-t-list-{n}" for n in (1100, 6, 4, 3, 2, 1)]
    assert pages == [names[:3], names[3:]]
    failed = await jobs.list_by_status(["failed"], limit=10)
    assert [(r.status, r.error) for r in failed] == [
        ("failed", "실패 3"),
        ("failed", "실패 2"),
        ("failed", "실패 1"),
    ]
    expired = await jobs.list_by_status(["expired"], limit=10)
    assert [r.job_id for r in expired] == ["job-t-list-6", "job-t-list-4"]
    assert await jobs.list_by_status([], limit=10) == []


async def check_latest_for_tests_returns_the_newest_rev_of_each_test(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    for job in (_job("t-a", 1), _job("t-a", 3), _job("t-a", 2), _job("t-b", 5)):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error("job-t-a-3", _error("transient: D1 busy"), _ts(6))
    latest = await jobs.latest_for_tests()
    assert set(latest) == {"t-a", "t-b"}
    newest = latest["t-a"]
    assert (newest.test_id, newest.job_id, newest.rev) == ("t-a", "job-t-a-3", _rev(3))
    assert (newest.status, newest.step, newest.error) == (
        "running",
        "validate",
        "transient: D1 busy",
    )
    assert latest["t-b"].job_id == "job-t-b-5"


def _coded(row: dict[str, Any]) -> tuple[str | None, Any]:
    """A raw jobs row's code and params (stored as JSON text)."""
    params = row["error_params"]
    return row["error_code"], None if params is None else json.loads(params)
