"""Workflow mode (docs/architecture.md#workflow-mode): the idempotent steps as ``step.do`` steps.

``run_save_workflow`` only orchestrates. It uses the Python Workflows decorator API of our
compatibility date (implicit dependencies: a parameter named like an earlier step receives that
step's result), so step names are identifiers and never change. Each step returns a small JSON
value; the job row in D1 stays the record the admin UI polls (instances expire after days).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.images import ImageFormat, Variant
from quizhub.domain.jobs import TERMINAL, JobRow
from quizhub.errors import Permanent, WorkflowAlreadyExists
from quizhub.pipeline import images, steps
from quizhub.pipeline.messages import JobMessage, parse_message
from quizhub.pipeline.runner import as_failure, fail_job, readable_reason
from quizhub.ports import WorkflowStep
from quizhub.push.notify import Notices
from quizhub.store.images import ImageFacts

__all__ = [
    "STEP_CONFIG",
    "STEP_NAMES",
    "IMAGE_STEP_COUNT",
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
STEP_NAMES = ("begin", "put_object", "commit", "invalidate", "index", "finish")
# The most steps an image job runs (process-image: begin, decode, a step per variant, record,
# purge, finish).
IMAGE_STEP_COUNT = images.MAX_STEPS
FAIL_STEP = "fail"  # runs only when a step gave up: records the failure where the UI looks
# The last step: the job's outcome to its live channel. It never fails (quizhub.push.notify), so
# it adds nothing to the retry budget (quizhub.pipeline.policy counts STEP_NAMES + FAIL_STEP).
NOTIFY_STEP = "notify"
NOTIFY_CONFIG: dict[str, Any] = {
    "retries": {"limit": 1, "delay": "1 second", "backoff": "constant"},
    "timeout": "30 seconds",
}


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

    notices = Notices(b, msg.channel)
    try:
        result = await _steps(step, b, msg, guarded, notices)
    except Exception as exc:  # noqa: BLE001 - a step gave up: record it where the UI looks
        reason = readable_reason(exc)

        @step.do(FAIL_STEP, config=STEP_CONFIG)
        async def fail() -> dict[str, Any]:
            await fail_job(b, msg, reason)
            return {"status": "failed", "error": reason}

        result = dict(await fail())

    @step.do(NOTIFY_STEP, config=NOTIFY_CONFIG)
    async def notify() -> dict[str, Any]:
        await notices.finish(msg.job_id)  # bounded, never raises
        return {"notified": True}

    await notify()
    return result


async def _steps(
    step: WorkflowStep, b: Bindings, msg: JobMessage, guarded: Any, notices: Notices
) -> dict[str, Any]:
    job = msg.job()
    rows: dict[str, JobRow] = {}  # the job row as this run last saw it (none after a replay)

    @step.do("begin", config=STEP_CONFIG)
    async def begin() -> dict[str, Any]:
        row = await guarded(steps.begin(b, msg))
        rows["job"] = row
        notices.send(row)
        return {"status": row.status}

    @step.do("put_object", config=STEP_CONFIG)
    async def put_object(begin: dict[str, Any]) -> dict[str, Any]:
        if begin["status"] in TERMINAL or job.kind != "save":
            return {"key": None}
        doc = await guarded(steps.load_document(b, msg))
        if "job" in rows:
            notices.send(replace(rows["job"], step="put-r2"))
        return {"key": await guarded(steps.put_document(b, job, doc))}

    @step.do("commit", config=STEP_CONFIG)
    async def commit(put_object: dict[str, Any]) -> dict[str, Any]:
        doc = await guarded(steps.load_document(b, msg)) if job.kind == "save" else None
        outcome = await guarded(steps.commit(b, job, doc, put_object["key"]))
        rows["job"] = outcome.job
        notices.send(outcome.job)  # committed (저장 완료), or how it ended
        await guarded(steps.release_claim_check(b, msg, outcome.job.status))
        return {"outcome": outcome.status, "status": outcome.job.status}

    @step.do("invalidate", config=STEP_CONFIG)
    async def invalidate(commit: dict[str, Any]) -> dict[str, Any]:
        await guarded(steps.invalidate(b, job))
        if "job" in rows:
            notices.send(replace(rows["job"], step="invalidate", live_at=steps.now_iso(b)))
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
    if job.kind == "image":
        return await _image_steps(step, b, msg, guarded)
    committed = await commit()
    if committed["outcome"] not in ("committed", "already-committed"):
        return {"status": committed["status"]}
    try:
        await index()
    except Exception as exc:  # noqa: BLE001 - retried by its config; the save stays live
        warning = steps.index_warning(exc)
    return dict(await finish())


async def _image_steps(
    step: WorkflowStep, b: Bindings, msg: JobMessage, guarded: Any
) -> dict[str, Any]:
    """decode → one step per variant → record → purge → finish, each a durable step, so a
    failing variant is retried on its own and never re-runs the ones already made. The
    original is read again by the steps that need its bytes: step results stay small (the
    variants' keys and sizes, never image bytes). Variant step names come from the memoised
    decode result, so a replay names the same steps."""
    work = images.work_of(msg.job_id, msg.image_key, msg.source)

    async def original() -> bytes:
        return bytes(await guarded(images.load_original(b, work)))

    @step.do("decode", config=STEP_CONFIG)
    async def decode() -> dict[str, Any]:
        facts = await guarded(images.decode(b, work, await original()))
        await guarded(images.mark_step(b, work, "variants"))
        return dict(facts.to_json())

    facts = ImageFacts.from_json(await decode())
    made: list[Variant] = []

    def variant_step(fmt: ImageFormat, width: int) -> Any:
        @step.do(f"variant_{fmt.ext}_{width}", config=STEP_CONFIG)
        async def variant() -> dict[str, Any]:
            data = await original()
            done = await guarded(images.make_variant(b, work, data, fmt, width, made))
            return {"variant": None if done is None else images.variant_to_step(done)}

        return variant

    for fmt, width in images.variant_plan(facts):
        result = await variant_step(fmt, width)()
        if result["variant"] is not None:
            made.append(images.variant_from_step(result["variant"]))

    @step.do("record", config=STEP_CONFIG)
    async def record() -> dict[str, Any]:
        await guarded(images.record(b, work, facts, made))
        return {"recorded": len(made)}

    @step.do("purge", config=STEP_CONFIG)
    async def purge(record: dict[str, Any]) -> dict[str, Any]:
        await guarded(images.purge(b, work))
        return {"purged": True}

    @step.do("finish", config=STEP_CONFIG)
    async def finish(purge: dict[str, Any]) -> dict[str, Any]:
        await guarded(images.release_original(b, work))
        await guarded(steps.finish(b, msg))
        return {"status": "succeeded"}

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
