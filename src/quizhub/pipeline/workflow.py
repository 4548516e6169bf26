"""Workflow mode (docs/architecture.md#workflow-mode): the job's sequence
(``quizhub.pipeline.sequences``) with every step a durable ``step.do``.

``run_save_workflow`` only orchestrates: ``DurableSteps`` makes each named step of the sequence
a Workflow step with ``STEP_CONFIG``; a step that gave up is recorded by the ``fail`` step, and
the ``notify`` step sends the outcome to the job's live channel. Each step returns a small JSON
value; the job row in D1 stays the record the admin UI polls (instances expire after days).
"""

from __future__ import annotations

from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobError
from quizhub.errors import Code, Permanent, WorkflowAlreadyExists
from quizhub.pipeline.messages import JobMessage
from quizhub.pipeline.orchestration import DurableSteps
from quizhub.pipeline.runner import as_failure, fail_job, readable_reason
from quizhub.pipeline.sequences import run_sequence
from quizhub.ports import WorkflowStep
from quizhub.push.notify import Notices

__all__ = [
    "STEP_CONFIG",
    "FAIL_STEP",
    "NOTIFY_STEP",
    "run_save_workflow",
    "start_instance",
]

# Per step: 5 retries, 2 s exponential backoff (2, 4, 8, 16, 32 s), 1 minute per attempt.
STEP_CONFIG: dict[str, Any] = {
    "retries": {"limit": 5, "delay": "2 seconds", "backoff": "exponential"},
    "timeout": "1 minute",
}
FAIL_STEP = "fail"  # runs only when a step gave up: records the failure where the UI looks
# The last step: the job's outcome to its live channel. It never fails (quizhub.push.notify), so
# it adds nothing to the retry budget (quizhub.pipeline.policy counts the steps + FAIL_STEP).
NOTIFY_STEP = "notify"
NOTIFY_CONFIG: dict[str, Any] = {
    "retries": {"limit": 1, "delay": "1 second", "backoff": "constant"},
    "timeout": "30 seconds",
}


async def run_save_workflow(
    event: Any, step: WorkflowStep, b: Bindings, non_retryable: type[Exception]
) -> dict[str, Any]:
    """Run one job's sequence as workflow steps; returns ``{"status", "error"?}``."""
    try:
        msg = JobMessage.from_wire(event["payload"], b.settings.signing_key)
    except Permanent as exc:
        raise non_retryable(exc.message) from None

    notices = Notices(b, msg.channel)
    durable = DurableSteps(step, STEP_CONFIG, non_retryable, notices)
    try:
        result: dict[str, Any] = {"status": await run_sequence(durable, b, msg, notices)}
    except Exception as exc:  # noqa: BLE001 - a step gave up: record it where the UI looks
        reason = readable_reason(exc)
        error = _failure_of(durable.failure, reason)

        @step.do(FAIL_STEP, config=STEP_CONFIG)
        async def fail() -> dict[str, Any]:
            await fail_job(b, msg, error)
            return {"status": "failed", "error": reason}

        result = dict(await fail())

    @step.do(NOTIFY_STEP, config=NOTIFY_CONFIG)
    async def notify() -> dict[str, Any]:
        await notices.finish(msg.job_id)  # bounded, never raises
        return {"notified": True}

    await notify()
    return result


def _failure_of(last: BaseException | None, reason: str) -> JobError:
    """The job error of a step that gave up with ``reason`` (the engine's text): the code of
    the error this run saw the step raise, when ``reason`` is that error's; else uncoded."""
    lines = str(last).strip().splitlines() if last is not None else []
    if last is not None and lines and lines[-1] in reason:
        failure = as_failure(last)
        return JobError(failure.code, reason, failure.params)
    return JobError(Code.UNCODED, reason)


async def start_instance(b: Bindings, msg: JobMessage, body: Any) -> bool:
    """Create the instance with id = jobId; False when it already existed (already started)."""
    if b.workflow is None:
        raise RuntimeError("SAVE_MODE=workflow needs the SAVE_WF Workflow binding")
    try:
        await b.workflow.create(id=msg.job_id, params=body)
    except WorkflowAlreadyExists:  # a previous delivery of this message started it
        return False
    return True
