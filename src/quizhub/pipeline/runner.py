"""Runs one job through its steps. Shared by the queue consumer and the sync baseline."""

from __future__ import annotations

import logging
from dataclasses import replace

from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobStatus
from quizhub.errors import QuizhubError, Transient
from quizhub.pipeline import images, steps
from quizhub.pipeline.messages import JobMessage
from quizhub.push.notify import Notices
from quizhub.search.reindex import reindex_all
from quizhub.store.jobs import JobsRepo

__all__ = ["run_job", "fail_job", "as_failure", "readable_reason"]

log = logging.getLogger("quizhub.pipeline")


async def run_job(b: Bindings, msg: JobMessage, notices: Notices | None = None) -> JobStatus:
    """Apply a save/delete job idempotently; returns its terminal status. ``notices`` gets each
    transition at once (best effort) and is finished by the caller (the queue consumer);
    without it (sync mode) this run notifies and finishes them itself."""
    if notices is not None:
        return await _run_job(b, msg, notices)
    own = Notices(b, msg.channel)
    try:
        return await _run_job(b, msg, own)
    finally:
        await own.finish(msg.job_id)


async def _run_job(b: Bindings, msg: JobMessage, notices: Notices) -> JobStatus:
    job = msg.job()
    row = await steps.begin(b, msg)
    notices.send(row)
    if row.terminal:
        return row.status  # a repeat delivery of a finished job changes nothing
    if job.kind == "reindex":
        done = await reindex_all(b)  # idempotent: a repeat rebuilds the same indexes
        await steps.finish(b, msg, None if done.keyword or done.removed else "nothing to index")
        return "succeeded"
    if job.kind == "image":
        return await _run_image_job(b, msg, row.committed, notices)
    if not row.committed:
        doc = await steps.load_document(b, msg) if job.kind == "save" else None
        if doc is not None:
            notices.send(replace(row, step="put-r2"))
        key = await steps.put_document(b, job, doc) if doc is not None else None
        outcome = await steps.commit(b, job, doc, key)
        notices.send(row := outcome.job)  # committed (저장 완료), or how it ended
        if outcome.status in ("superseded", "conflict", "terminal"):
            log.info("job %s ended %s", job.job_id, outcome.job.status)
            await steps.release_claim_check(b, msg, outcome.job.status)
            return outcome.job.status
    await steps.invalidate(b, job)
    notices.send(replace(row, step="invalidate", live_at=row.live_at or steps.now_iso(b)))
    warning = await steps.index_or_warn(b, job.test_id)
    await steps.finish(b, msg, warning)
    return "succeeded"


async def _run_image_job(
    b: Bindings, msg: JobMessage, committed: bool, notices: Notices
) -> JobStatus:
    """One image (process-image), or every original stored before variants existed."""
    if msg.image_key is None:
        warning = await images.reprocess_stored(b, msg.job_id)
        await steps.finish(b, msg, warning)
        return "succeeded"
    work = images.work_of(msg.job_id, msg.image_key, msg.source)
    if not committed:  # a repeat after the record step goes straight to what is left
        await images.process(b, work)
    await images.purge(b, work)
    await images.release_original(b, work)
    await steps.finish(b, msg)
    return "succeeded"


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
    return Transient(f"{type(exc).__name__}: {exc}")


async def fail_job(b: Bindings, msg: JobMessage, reason: str) -> None:
    """Mark the job failed with ``reason`` (no-op when it already finished)."""
    await JobsRepo(b.db).fail(msg.job(), reason, steps.now_iso(b))
