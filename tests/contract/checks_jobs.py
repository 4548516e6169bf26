"""Project-SQL checks of job transitions (conventions: ``tests/contract/_store_support.py``)."""

from __future__ import annotations

from typing import Any

from quizhub.store.jobs import JobsRepo
from tests.contract._store_support import (
    _commit,
    _doc,
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
    await jobs.fail(failed, "permanent", _ts(2))
    for job in (running, failed):
        await jobs.set_step(job.job_id, "put-r2", _ts(3))
        await jobs.note_error(job.job_id, "transient: " + "x" * 2000, _ts(4))
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
    await jobs.fail(lost, "invalid: " + "가" * 1500, _ts(5))
    row = await jobs.get(lost.job_id)
    assert row is not None
    assert (row.status, row.step, row.attempts) == ("failed", "failed", 1)
    assert len(row.error) == 1000 and row.error.endswith("가")
    done = _job("t-fail", 2)
    await _commit(db, done, _doc())
    await jobs.succeed(done.job_id, _ts(6))
    await jobs.fail(done, "dead-lettered", _ts(7))
    after = await jobs.get(done.job_id)
    assert after is not None
    assert (after.status, after.error, after.updated_at) == ("succeeded", None, _ts(6))


async def check_fail_stuck_fails_only_old_open_jobs(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    old, old_err, new, old_done = (
        _job("t-s1", 1),
        _job("t-s2", 2),
        _job("t-s3", 50),
        _job("t-s4", 3),
    )
    for job in (old, old_err, new):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error(old_err.job_id, "transient: R2 503", _ts(4))
    await _commit(db, old_done, _doc())
    await jobs.succeed(old_done.job_id, _ts(4))
    swept = await jobs.fail_stuck(_ts(10), _ts(100))
    assert swept == 2
    rows = {r["job_id"]: r for r in await _rows(db, "SELECT * FROM jobs")}
    timeout = "timeout: the job did not finish within its retry budget"
    assert (rows[old.job_id]["status"], rows[old.job_id]["error"]) == ("failed", timeout)
    assert rows[old_err.job_id]["error"] == f"{timeout} (last error: transient: R2 503)"
    assert rows[old_err.job_id]["updated_at"] == _ts(100)
    assert rows[new.job_id]["status"] == "running"
    assert rows[old_done.job_id]["status"] == "succeeded"
    assert await jobs.fail_stuck(_ts(10), _ts(101)) == 0


async def check_latest_for_tests_returns_the_newest_rev_of_each_test(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    for job in (_job("t-a", 1), _job("t-a", 3), _job("t-a", 2), _job("t-b", 5)):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error("job-t-a-3", "transient: D1 busy", _ts(6))
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
