"""The job budget is derived from the retry rules it bounds, so the sweep never marks a job that
is still being retried as delayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.bindings import Settings
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import SWEEP_EVERY_MS
from quizhub.pipeline import workflow
from quizhub.pipeline.accept import accept_save
from quizhub.pipeline.policy import job_budget_seconds
from quizhub.store.jobs import JobsRepo
from tests.conftest import sample_doc
from tests.fakes import FakeClock, FlakyWrap, make_platform, run

MANY_RETRIES = {"retries": {"limit": 11, "delay": "2 seconds", "backoff": "exponential"}}


def test_raising_a_step_retry_limit_raises_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow-mode budget follows ``workflow.STEP_CONFIG``; queue mode does not use it."""
    queue, flow = Settings(admin_token="t"), Settings(admin_token="t", save_mode="workflow")
    before = job_budget_seconds(queue), job_budget_seconds(flow)
    monkeypatch.setattr(workflow, "STEP_CONFIG", {**workflow.STEP_CONFIG, **MANY_RETRIES})
    assert job_budget_seconds(queue) == before[0]
    assert job_budget_seconds(flow) > before[1]


def test_sweep_never_delays_a_workflow_job_that_is_still_retrying(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With step retries raised to 11 and R2 always failing, the cron sweep runs every minute
    while the instance retries for over an hour: the job is never shown delayed and ends by the
    workflow's own ``fail`` step (the real reason)."""
    monkeypatch.setattr(workflow, "STEP_CONFIG", {**workflow.STEP_CONFIG, **MANY_RETRIES})
    failing_r2 = FlakyWrap("bucket", "put", failures=10**6)
    platform = make_platform(tmp_path, clock, mode="workflow", wrap=failing_r2)

    async def scenario() -> None:
        accepted = await accept_save(platform.bindings, "travel", sample_doc(), Precondition())
        jobs = JobsRepo(platform.raw.db)
        started = clock.ms
        while (due := platform.next_due_ms()) is not None:
            # The cron sweep runs every minute between the engine's wake-ups, as on Cloudflare.
            clock.ms = max(clock.ms, min(due, clock.ms + SWEEP_EVERY_MS))
            await platform.step()
            await platform.sweep()
            row = await jobs.get(accepted.job_id)
            assert row is None or row.status != "delayed", row
        row = await jobs.get(accepted.job_id)
        assert row is not None and row.status == "failed"
        assert "injected put failure" in (row.error or "")
        assert clock.ms - started > 3_600_000  # the retries really outlasted an hour of sweeps

    try:
        run(scenario())
    finally:
        platform.close()
