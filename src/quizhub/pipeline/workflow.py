"""Workflow mode: the same idempotent steps as durable ``step.do`` steps (DESIGN §5.7).

``run_save_workflow`` only orchestrates. It uses the Python Workflows decorator API of our
compatibility date (implicit dependencies: a parameter named like an earlier step receives that
step's result), so step names are identifiers and never change. Each step returns a small JSON
value; the job row in D1 stays the record the admin UI polls (instances expire after days).
"""

from __future__ import annotations

from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.jobs import TERMINAL
from quizhub.errors import Permanent, WorkflowAlreadyExists
from quizhub.pipeline import steps
from quizhub.pipeline.messages import JobMessage, parse_message
from quizhub.pipeline.runner import as_failure, fail_job, readable_reason
from quizhub.ports import WorkflowStep

__all__ = ["STEP_CONFIG", "STEP_NAMES", "FAIL_STEP", "run_save_workflow", "start_instance"]

# Per step: 5 retries, 2 s exponential backoff (2, 4, 8, 16, 32 s), 1 minute per attempt.
STEP_CONFIG: dict[str, Any] = {
    "retries": {"limit": 5, "delay": "2 seconds", "backoff": "exponential"},
    "timeout": "1 minute",
}
STEP_NAMES = ("begin", "put_object", "commit", "invalidate", "index", "finish")
FAIL_STEP = "fail"  # runs only when a step gave up: records the failure where the UI looks


async def run_save_workflow(
    event: Any, step: WorkflowStep, b: Bindings, non_retryable: type[Exception]
) -> dict[str, Any]:
    """Run one save/delete job as workflow steps; returns ``{"status", "error"?}``."""
    try:
        msg = parse_message(event["payload"], b.settings.signing_key)
    except Permanent as exc:
        raise non_retryable(exc.message) from None

    async def guarded(coro: Any) -> Any:
        try:
            return await coro
        except Exception as exc:  # noqa: BLE001 - classify, then let the engine retry or stop
            failure = as_failure(exc)
            if isinstance(failure, Permanent):
                raise non_retryable(failure.message) from None
            raise

    try:
        return await _steps(step, b, msg, guarded)
    except Exception as exc:  # noqa: BLE001 - a step gave up: record it where the UI looks
        reason = readable_reason(exc)

        @step.do(FAIL_STEP, config=STEP_CONFIG)
        async def fail() -> dict[str, Any]:
            await fail_job(b, msg, reason)
            return {"status": "failed", "error": reason}

        return dict(await fail())


async def _steps(step: WorkflowStep, b: Bindings, msg: JobMessage, guarded: Any) -> dict[str, Any]:
    job = msg.job()

    @step.do("begin", config=STEP_CONFIG)
    async def begin() -> dict[str, Any]:
        row = await guarded(steps.begin(b, msg))
        return {"status": row.status}

    @step.do("put_object", config=STEP_CONFIG)
    async def put_object(begin: dict[str, Any]) -> dict[str, Any]:
        if begin["status"] in TERMINAL or job.kind != "save":
            return {"key": None}
        doc = await guarded(steps.load_document(b, msg))
        return {"key": await guarded(steps.put_document(b, job, doc))}

    @step.do("commit", config=STEP_CONFIG)
    async def commit(put_object: dict[str, Any]) -> dict[str, Any]:
        doc = await guarded(steps.load_document(b, msg)) if job.kind == "save" else None
        outcome = await guarded(steps.commit(b, job, doc, put_object["key"]))
        await guarded(steps.release_claim_check(b, msg, outcome.job.status))
        return {"outcome": outcome.status, "status": outcome.job.status}

    @step.do("invalidate", config=STEP_CONFIG)
    async def invalidate(commit: dict[str, Any]) -> dict[str, Any]:
        await guarded(steps.invalidate(b, job))
        return {"invalidated": True}

    @step.do("index", config=STEP_CONFIG)
    async def index(invalidate: dict[str, Any]) -> dict[str, Any]:
        await guarded(steps.index(b, job.test_id))
        return {"indexed": True}

    warning: str | None = None

    @step.do("finish", config=STEP_CONFIG)
    async def finish(invalidate: dict[str, Any]) -> dict[str, Any]:
        await guarded(steps.finish(b, msg, warning))
        return {"status": "succeeded"}

    started = await begin()
    if started["status"] in TERMINAL:
        return {"status": started["status"]}  # a finished job: repeats change nothing
    committed = await commit()
    if committed["outcome"] not in ("committed", "already-committed"):
        return {"status": committed["status"]}
    try:
        await index()
    except Exception as exc:  # noqa: BLE001 - retried by its config; the save stays live
        warning = steps.index_warning(exc)
    return dict(await finish())


async def start_instance(b: Bindings, msg: JobMessage, body: Any) -> bool:
    """Create the instance with id = jobId; False when it already existed (already started)."""
    if b.workflow is None:
        raise RuntimeError("SAVE_MODE=workflow needs the SAVE_WF Workflow binding")
    try:
        await b.workflow.create(id=msg.job_id, params=body)
    except WorkflowAlreadyExists:  # a previous delivery of this message started it
        return False
    return True
