"""Retry backoff and the budget within which every accepted job must reach a terminal status.

The budget is derived from the rules that retry a job, never restated: the save queue's
``max_retries`` (``wrangler.consumer.toml``, via ``Settings``) and, in workflow mode, the step
config and step names of ``quizhub.pipeline.workflow``. Raising a retry limit there raises the
budget here, so the stuck-job sweep can never end a job that is still being retried.
"""

from __future__ import annotations

from quizhub.bindings import Settings
from quizhub.pipeline import workflow
from quizhub.step_config import worst_case_step_ms

__all__ = ["retry_delay_seconds", "job_budget_seconds", "ATTEMPT_SECONDS"]

# Generous upper bound for one delivery of one job to the consumer (a handful of binding calls).
ATTEMPT_SECONDS = 60


def retry_delay_seconds(settings: Settings, attempts: int) -> int:
    """Exponential backoff for the ``attempts``-th failed delivery: base·2^(n-1), capped."""
    exp = settings.retry_base_seconds * (2 ** max(0, attempts - 1))
    return int(min(exp, settings.retry_max_seconds))


def job_budget_seconds(settings: Settings) -> int:
    """Worst case from accept to terminal: every delivery fails, then the DLQ consumer runs.

    In workflow mode every step of the instance (including the ``fail`` step on the way out)
    may use all of its retries and timeouts on top of the start message's deliveries.
    """
    deliveries = settings.max_retries + 1
    waits = sum(retry_delay_seconds(settings, a) for a in range(1, deliveries))
    budget = waits + (deliveries + 1) * ATTEMPT_SECONDS
    if settings.save_mode == "workflow":
        steps = len(workflow.STEP_NAMES) + 1  # + workflow.FAIL_STEP
        budget += steps * worst_case_step_ms(workflow.STEP_CONFIG) // 1000
    return budget
