"""Queue and sync mode: one delivery runs the job's sequence (``quizhub.pipeline.sequences``)
with ``InlineSteps``; a failure propagates to the consumer (retried with backoff) or, in sync
mode, fails the job. Also the failure helpers every mode shares."""

from __future__ import annotations

import logging

from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobError, JobStatus
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code, QuizhubError, Transient
from quizhub.pipeline.messages import JobMessage
from quizhub.pipeline.orchestration import InlineSteps
from quizhub.pipeline.sequences import run_sequence
from quizhub.push.notify import Notices
from quizhub.store.jobs import JobsRepo

__all__ = ["run_job", "fail_job", "as_failure", "readable_reason"]

log = logging.getLogger("quizhub.pipeline")


async def run_job(b: Bindings, msg: JobMessage, notices: Notices | None = None) -> JobStatus:
    """Apply a job idempotently; returns its status. ``notices`` gets each transition at once
    (best effort) and is finished by the caller (the queue consumer); without it (sync mode)
    this run notifies and finishes them itself."""
    if notices is not None:
        return await run_sequence(InlineSteps(), b, msg, notices)
    own = Notices(b, msg.channel)
    try:
        return await run_sequence(InlineSteps(), b, msg, own)
    finally:
        await own.finish(msg.job_id)


def readable_reason(exc: BaseException) -> str:
    """The last meaningful line of an error, for the job row the admin reads.

    A Workflow step that gave up on Cloudflare surfaces as a JS error whose text is the whole
    Pyodide traceback; the traceback goes to the logs, the job keeps its final line."""
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        log.error("step error with traceback: %s", text)
    return (lines[-1] if lines else type(exc).__name__)[:1000]


def as_failure(exc: BaseException) -> QuizhubError:
    """Classify an exception: ours keep their class; anything from a binding is transient."""
    if isinstance(exc, QuizhubError):
        return exc
    kind = type(exc).__name__
    return Transient(f"{kind}: {exc}", code=Code.BINDING_ERROR, params={"error": kind})


async def fail_job(b: Bindings, msg: JobMessage, reason: QuizhubError | JobError) -> None:
    """Mark the job failed with ``reason`` (no-op when it already finished)."""
    error = reason if isinstance(reason, JobError) else JobError.of(reason)
    await JobsRepo(b.db).fail(msg.job(), error, iso_ms(b.clock_ms()))
