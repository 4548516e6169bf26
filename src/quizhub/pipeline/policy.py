"""Retry backoff, the budget within which every accepted job should finish, and the queue's
message retention: the limits that decide when a job is ``delayed`` or ``expired``.

The budget is derived from the rules that retry a job, never restated: the save queue's
``max_retries`` (``wrangler.consumer.toml``, via ``Settings``) and, in workflow mode, the step
config of ``quizhub.pipeline.workflow`` and the steps of ``quizhub.pipeline.sequences``.
Raising a retry limit there raises the budget here. A job past its budget is only ``delayed``
(its message may still come: a consumer outage, a bad deploy, a backlog); it is ``expired``
once the queue can no longer deliver it.
"""

from __future__ import annotations

from quizhub.bindings import Settings
from quizhub.domain.backoff import backoff_seconds
from quizhub.domain.jobs import JobRow, rev_from_job_id

__all__ = [
    "retry_delay_seconds",
    "job_budget_seconds",
    "untouched_job",
    "ATTEMPT_SECONDS",
    "QUEUE_RETENTION_SECONDS",
]

# Generous upper bound for one delivery of one job to the consumer (a handful of binding calls).
ATTEMPT_SECONDS = 60

# How long the save queue keeps an undelivered message: Cloudflare's default of 4 days. The Free
# plan fixes it at 86,400 s (1 day); Paid allows up to 14 days (1,209,600 s). It MUST equal the
# queue's ``--message-retention-period-secs`` (``make cf-setup`` reads it from here): a job older
# than this can no longer be delivered, so the sweep marks it ``expired``. The local broker
# drops messages older than this, as the real queue does.
QUEUE_RETENTION_SECONDS = 4 * 86_400


def retry_delay_seconds(settings: Settings, attempts: int) -> int:
    """The delay before redelivering a job whose ``attempts``-th delivery failed."""
    return backoff_seconds(settings.retry_base_seconds, settings.retry_max_seconds, attempts)


def job_budget_seconds(settings: Settings) -> int:
    """Worst case from accept to terminal: every delivery fails, then the DLQ consumer runs.

    In workflow mode every step of the instance (including the ``fail`` step on the way out)
    may use all of its retries and timeouts on top of the start message's deliveries.
    """
    deliveries = settings.max_retries + 1
    waits = sum(retry_delay_seconds(settings, a) for a in range(1, deliveries))
    budget = waits + (deliveries + 1) * ATTEMPT_SECONDS
    if settings.save_mode == "workflow":
        # Loaded here: the Workflow and its sequences are not needed at the API Worker's start.
        from quizhub.pipeline import workflow
        from quizhub.pipeline.sequences import MAX_IMAGE_STEPS, SAVE_STEPS
        from quizhub.ports.workflow_config import worst_case_step_ms

        # The longer of the two sequences (a save's steps, an image's), + workflow.FAIL_STEP.
        steps = max(len(SAVE_STEPS), MAX_IMAGE_STEPS) + 1
        budget += steps * worst_case_step_ms(workflow.STEP_CONFIG) // 1000
    return budget


def untouched_job(settings: Settings, job_id: str, now_ms: int) -> JobRow | None:
    """The status of an accepted job no consumer has touched (no row): derived from its signed
    id and its age — ``queued``, ``delayed`` past the budget, ``expired`` past the retention.
    None when the id is not one this server signed."""
    rev = rev_from_job_id(job_id, settings.signing_key)
    if rev is None:
        return None
    return JobRow.queued(
        job_id,
        rev,
        now_ms=now_ms,
        budget_seconds=job_budget_seconds(settings),
        retention_seconds=QUEUE_RETENTION_SECONDS,
    )
