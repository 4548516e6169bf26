"""Queue consumer: per-message ack, backoff retries, DLQ terminal failures, the overdue-job
sweep (delayed past the retry budget, expired past the queue's retention, owed purges paid)."""

from __future__ import annotations

import asyncio
import logging

from quizhub.analytics.consumer import handle_analytics_batch
from quizhub.analytics.events import ANALYTICS_DLQ, ANALYTICS_QUEUE
from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobError, JobRow
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code, Permanent, QuizhubError
from quizhub.pipeline.messages import JobMessage, signed_job_of
from quizhub.pipeline.names import (
    CONSUMER_ONLY,
    DEAD_LETTER_QUEUE,
    IMAGE_DLQ,
    IMAGE_QUEUE,
    SAVE_QUEUE,
)
from quizhub.pipeline.policy import (
    ATTEMPT_SECONDS,
    QUEUE_RETENTION_SECONDS,
    job_budget_seconds,
    retry_delay_seconds,
)
from quizhub.pipeline.purges import pay_purge_debts
from quizhub.pipeline.runner import as_failure, fail_job, run_job
from quizhub.pipeline.workflow import start_instance
from quizhub.ports import MessageBatch, QueueMessage
from quizhub.push.notify import Notices
from quizhub.search.indexing import INDEX_DLQ, INDEX_QUEUE, handle_index_batch
from quizhub.store.jobs import JobsRepo

__all__ = ["handle_queue", "handle_batch", "handle_dlq_batch", "sweep_stuck_jobs", "QUEUE_HANDLERS"]

log = logging.getLogger("quizhub.consumer")


async def handle_batch(batch: MessageBatch, bindings: Bindings) -> None:
    """Process every message independently; each is acked or retried on its own."""
    await asyncio.gather(*(_handle_one(m, bindings) for m in batch.messages))


async def _handle_one(message: QueueMessage, b: Bindings) -> None:
    try:
        msg = JobMessage.from_wire(message.body, b.settings.signing_key)
    except Permanent as exc:
        await _fail_unparseable(message, b, exc)
        return
    in_workflow = b.settings.save_mode == "workflow" and msg.type not in CONSUMER_ONLY
    # The Workflow notifies for itself; here the job's transitions go to its live channel.
    notices = Notices(b, None if in_workflow else msg.channel)
    try:
        if in_workflow:
            await start_instance(b, msg, message.body)  # the workflow runs the steps
        else:
            await run_job(b, msg, notices)
        message.ack()
    except Exception as exc:  # noqa: BLE001 - every failure is classified below
        failure = as_failure(exc)
        try:
            if isinstance(failure, Permanent):
                await fail_job(b, msg, failure)
                message.ack()
                return
            await JobsRepo(b.db).note_error(
                msg.job_id, attempt_failed(message.attempts, failure), iso_ms(b.clock_ms())
            )
        except Exception:  # noqa: BLE001 - storage is down too: let the queue redeliver
            log.exception("could not record the failure of job %s", msg.job_id)
        delay = retry_delay_seconds(b.settings, message.attempts)
        log.warning(
            "job %s attempt %d failed (%s); retry in %ss",
            msg.job_id,
            message.attempts,
            failure.message,
            delay,
        )
        message.retry(delay_seconds=delay)
    finally:
        await notices.finish(msg.job_id)  # notify: the recorded outcome (bounded, never raises)


async def _fail_unparseable(message: QueueMessage, b: Bindings, failure: Permanent) -> None:
    """A message that can never be processed: fail its job if its id is genuine, then drop it."""
    reason = failure.message
    job = signed_job_of(message.body, b.settings.signing_key)
    if job is not None:
        error = JobError(
            Code.UNPROCESSABLE_MESSAGE,
            f"unprocessable job message: {reason}",
            {"cause": JobError.of(failure).cause()},
        )
        try:
            await JobsRepo(b.db).fail(job, error, iso_ms(b.clock_ms()))
        except Exception:  # noqa: BLE001 - storage is down: let the queue redeliver
            log.exception("could not fail unprocessable job %s", job.job_id)
            message.retry(delay_seconds=retry_delay_seconds(b.settings, message.attempts))
            return
    log.error("dropping unprocessable message %s: %s", message.id, reason)
    message.ack()


async def handle_dlq_batch(batch: MessageBatch, bindings: Bindings) -> None:
    """Dead-letter consumer: the job exhausted its retries, so it ends ``failed`` with why."""
    for message in batch.messages:
        try:
            msg = JobMessage.from_wire(message.body, bindings.settings.signing_key)
        except Permanent as exc:
            log.error("dropping unprocessable dead letter %s: %s", message.id, exc.message)
            message.ack()
            continue
        try:
            row = await JobsRepo(bindings.db).get(msg.job_id)
            await fail_job(bindings, msg, gave_up(row, bindings.settings.max_retries + 1))
            message.ack()
            await Notices(bindings, msg.channel).finish(msg.job_id)  # notify: failed (bounded)
        except Exception:  # noqa: BLE001
            log.exception("could not fail dead-lettered job %s", msg.job_id)
            message.retry(delay_seconds=retry_delay_seconds(bindings.settings, message.attempts))


def attempt_failed(attempt: int, failure: QuizhubError) -> JobError:
    """What a running job keeps of a failed delivery that will be retried."""
    return JobError(
        Code.ATTEMPT_FAILED,
        f"attempt {attempt}: {failure.message}",
        {"attempt": attempt, "cause": JobError.of(failure).cause()},
    )


def gave_up(row: JobRow | None, attempts: int) -> JobError:
    """Why the dead-letter consumer ends a job: its attempts, with the last error it kept
    (``attempts`` when no consumer ever recorded one)."""
    tries = row.attempts if row else attempts
    last = f" (last error: {row.error})" if row and row.error else ""
    cause = None
    if row is not None and row.error_code is not None:
        cause = {"code": row.error_code, "params": row.error_params or {}}
    return JobError(
        Code.GAVE_UP, f"gave up after {tries} attempts{last}", {"attempts": tries, "cause": cause}
    )


async def sweep_stuck_jobs(bindings: Bindings) -> int:
    """The cron sweep (a task locally): jobs open past their retry budget become ``delayed``
    (visible; a late delivery still applies them) or, if already committed, end ``succeeded``
    with a warning; delayed jobs older than the queue's retention end ``expired``. A message
    that arrives late is never dropped for being late. Then it retries the purges that are owed
    (``quizhub.pipeline.purges``). Returns how many jobs changed."""
    overdue = await JobsRepo(bindings.db).sweep_overdue(
        bindings.clock_ms(),
        budget_seconds=job_budget_seconds(bindings.settings),
        retention_seconds=QUEUE_RETENTION_SECONDS,
        quiet_seconds=ATTEMPT_SECONDS,
    )
    if overdue.total:
        log.warning(
            "sweep: %d job(s) delayed past their retry budget, %d committed ended live,"
            " %d expired past the queue's retention",
            overdue.delayed,
            overdue.live,
            overdue.expired,
        )
    await pay_purge_debts(bindings)  # after the jobs: a job ended here may have left a debt
    return overdue.total


QUEUE_HANDLERS = {
    SAVE_QUEUE: handle_batch,
    DEAD_LETTER_QUEUE: handle_dlq_batch,
    # Image jobs: the same handlers, one message per batch (wrangler.consumer.toml). Each handler
    # runs any job type, so a message on either queue (one queued before a deploy) still runs.
    IMAGE_QUEUE: handle_batch,
    IMAGE_DLQ: handle_dlq_batch,
    # Play analytics (quizhub.analytics): its dead letters get the same handler, one more
    # budget of retries before anything could be dropped.
    ANALYTICS_QUEUE: handle_analytics_batch,
    ANALYTICS_DLQ: handle_analytics_batch,
    # Search's vector side (quizhub.search.indexing): batched, off the save path; its dead
    # letters get the same handler once more.
    INDEX_QUEUE: handle_index_batch,
    INDEX_DLQ: handle_index_batch,
}


async def handle_queue(batch: MessageBatch, bindings: Bindings) -> None:
    """Route a delivered batch by its queue name (the consumer Worker and the local broker)."""
    handler = QUEUE_HANDLERS.get(batch.queue)
    if handler is None:
        raise RuntimeError(
            f"no handler for queue {batch.queue!r} (known: {sorted(QUEUE_HANDLERS)})"
        )
    await handler(batch, bindings)
