"""Late and stuck jobs: the sweep marks a job past its retry budget delayed (never failed), a
late delivery still applies or ends superseded, the queue's retention ends it expired, the
dead-letter queue ends it failed, and a committed job stays succeeded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from quizhub.bindings import Bindings
from quizhub.domain.jobs import delayed_error, expired_error
from quizhub.errors import NotFound
from quizhub.pipeline.consumer import handle_dlq_batch, sweep_stuck_jobs
from quizhub.pipeline.policy import QUEUE_RETENTION_SECONDS, job_budget_seconds
from tests.fakes import FakeBatch, FakeClock, FakeMessage, Flaky, run
from tests.pipeline.conftest import deliver, job, save, served

# The cause a job keeps of its first delivery failing on a binding: the attempt, then the error.
LAST_CAUSE = {
    "code": "attempt_failed",
    "params": {
        "attempt": 1,
        "cause": {"code": "binding_error", "params": {"error": "ConnectionError"}},
    },
}


def test_sweep_marks_a_job_past_its_budget_delayed_not_failed(
    b: Bindings, clock: FakeClock
) -> None:
    """A job stuck running beyond the computed retry budget becomes delayed (visible, not
    terminal) with the reason and its last error; it is never failed by the sweep."""

    async def scenario() -> None:
        fb = replace(b, bucket=Flaky(b.bucket, "put", failures=1))
        msg = await save(fb, "멈춤")
        await deliver(fb, msg)  # fails once, then the consumer is down (outage, bad deploy)
        budget = job_budget_seconds(b.settings)
        clock.advance((budget - 5) * 1000)
        assert await sweep_stuck_jobs(b) == 0
        clock.advance(10_000)
        assert await sweep_stuck_jobs(b) == 1
        row = await job(b, msg)
        assert row["status"] == "delayed"
        assert row["error"].startswith(delayed_error(budget).message)
        assert "(last error: attempt 1: ConnectionError: injected put failure)" in row["error"]
        assert row["error_code"] == "delayed"
        assert row["error_params"] == {"budgetSeconds": budget, "cause": LAST_CAUSE}
        assert await sweep_stuck_jobs(b) == 0  # stays delayed; the sweep does not repeat itself

    run(scenario())


def test_a_save_delivered_after_the_sweep_passed_its_budget_is_applied(
    b: Bindings, clock: FakeClock
) -> None:
    """A message that arrives after the sweep ran past the job's budget still applies: the
    accepted save is live and its job ends succeeded (it used to be dropped as timed out)."""

    async def scenario() -> None:
        fb = replace(b, bucket=Flaky(b.bucket, "put", failures=1))
        msg = await save(fb, "늦게 도착한 저장")
        await deliver(fb, msg)
        clock.advance((job_budget_seconds(b.settings) + 3 * 3600) * 1000)
        await sweep_stuck_jobs(b)
        assert (await job(b, msg))["status"] == "delayed"
        (m,) = await deliver(b, msg, attempts=2)  # the queue delivers it hours late
        row = await job(b, msg)
        assert m.outcome == "ack"
        assert (row["status"], row["error"], row["attempts"]) == ("succeeded", None, 2)
        assert (await served(b))["title"] == "늦게 도착한 저장"
        assert (await served(b))["rev"] == msg["rev"]

    run(scenario())


def test_a_late_delivery_of_an_older_save_ends_superseded(b: Bindings, clock: FakeClock) -> None:
    """A delayed save delivered after a newer one went live changes nothing: the compare-and-set
    still holds for late deliveries, and the newest rev stays served."""

    async def scenario() -> None:
        fb = replace(b, bucket=Flaky(b.bucket, "put", failures=1))
        older = await save(fb, "예전 판")
        await deliver(fb, older)
        clock.advance(1000)
        newer = await save(b, "최신 판")
        await deliver(b, newer)
        clock.advance((job_budget_seconds(b.settings) + 600) * 1000)
        await sweep_stuck_jobs(b)
        assert (await job(b, older))["status"] == "delayed"
        (m,) = await deliver(b, older, attempts=2)
        assert m.outcome == "ack" and (await job(b, older))["status"] == "superseded"
        assert (await served(b))["title"] == "최신 판"

    run(scenario())


def test_a_delayed_job_expires_after_the_queue_retention_and_stays_unapplied(
    b: Bindings, clock: FakeClock
) -> None:
    """Past the queue's message retention nothing can deliver a delayed job any more: the sweep
    ends it expired (terminal, visible) and a stray delivery after that changes nothing."""

    async def scenario() -> None:
        fb = replace(b, bucket=Flaky(b.bucket, "put", failures=1))
        msg = await save(fb, "만료될 저장")
        await deliver(fb, msg)
        clock.advance((job_budget_seconds(b.settings) + 60) * 1000)
        await sweep_stuck_jobs(b)
        clock.advance((QUEUE_RETENTION_SECONDS - job_budget_seconds(b.settings)) * 1000)
        assert await sweep_stuck_jobs(b) == 1
        row = await job(b, msg)
        assert (row["status"], row["step"]) == ("expired", "expired")
        assert row["error"].startswith(expired_error(QUEUE_RETENTION_SECONDS).message)
        assert "(last error: attempt 1: ConnectionError: injected put failure)" in row["error"]
        # The delay's cause carries over, never nested in a cause of its own.
        assert row["error_code"] == "expired"
        retention = {"retentionSeconds": QUEUE_RETENTION_SECONDS, "cause": LAST_CAUSE}
        assert row["error_params"] == retention
        (m,) = await deliver(b, msg, attempts=2)
        assert m.outcome == "ack" and (await job(b, msg))["status"] == "expired"
        with pytest.raises(NotFound):
            await served(b)

    run(scenario())


def test_dead_letter_ends_a_delayed_job_failed(b: Bindings, clock: FakeClock) -> None:
    """The dead-letter queue is the other way a delayed job ends without applying: failed."""

    async def scenario() -> None:
        fb = replace(b, bucket=Flaky(b.bucket, "put", failures=99))
        msg = await save(fb, "결국 실패")
        await deliver(fb, msg)
        clock.advance((job_budget_seconds(b.settings) + 60) * 1000)
        await sweep_stuck_jobs(b)
        assert (await job(b, msg))["status"] == "delayed"
        for attempt in range(2, 7):
            await deliver(fb, msg, attempts=attempt)
        dead = FakeMessage(msg)
        await handle_dlq_batch(FakeBatch([dead], queue="quizhub-save-dlq"), fb)
        row = await job(fb, msg)
        assert dead.outcome == "ack" and row["status"] == "failed"
        assert row["error"].startswith("gave up after 6 attempts")
        assert row["error_code"] == "gave_up" and row["error_params"]["attempts"] == 6
        last = row["error_params"]["cause"]
        assert last["code"] == "attempt_failed" and last["params"]["attempt"] == 6

    run(scenario())


def test_sweep_of_a_committed_job_keeps_it_succeeded(b: Bindings, clock: FakeClock) -> None:
    """A job stuck after its commit is live: the sweep ends it succeeded with the overrun as a
    warning (never delayed or failed)."""

    async def scenario() -> None:
        fb = replace(b, kv=Flaky(b.kv, "delete", failures=1))
        msg = await save(fb, "커밋됨")
        await deliver(fb, msg)
        budget = job_budget_seconds(b.settings)
        clock.advance((budget + 1) * 1000)
        assert await sweep_stuck_jobs(b) == 1
        row = await job(b, msg)
        assert row["status"] == "succeeded" and row["error"].startswith("saved and live")
        assert f"not finished within its retry budget ({budget} s)" in row["error"]
        assert row["error_code"] == "purge_incomplete"
        cause = {"code": "over_budget", "params": {"budgetSeconds": budget, "cause": LAST_CAUSE}}
        assert row["error_params"] == {"owed": True, "cause": cause}

    run(scenario())
