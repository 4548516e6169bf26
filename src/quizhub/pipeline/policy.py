"""Retry backoff and the budget within which every accepted job must reach a terminal status."""

from __future__ import annotations

from quizhub.bindings import Settings

__all__ = ["retry_delay_seconds", "job_budget_seconds", "ATTEMPT_SECONDS"]

# Generous upper bound for one attempt of one job (a handful of binding calls).
ATTEMPT_SECONDS = 60


def retry_delay_seconds(settings: Settings, attempts: int) -> int:
    """Exponential backoff for the ``attempts``-th failed delivery: base·2^(n-1), capped."""
    exp = settings.retry_base_seconds * (2 ** max(0, attempts - 1))
    return int(min(exp, settings.retry_max_seconds))


# Workflow mode: the step config of quizhub.pipeline.workflow (5 retries, 2 s exponential, 1 min).
WORKFLOW_STEPS = 6  # begin, put_object, commit, invalidate, finish, and fail on the way out
WORKFLOW_STEP_RETRIES = 5
WORKFLOW_STEP_DELAY_S = 2


def job_budget_seconds(settings: Settings) -> int:
    """Worst case from accept to terminal: every delivery fails, then the DLQ consumer runs.

    In workflow mode the instance's own step retries are added on top of the start message's.
    """
    deliveries = settings.max_retries + 1
    waits = sum(retry_delay_seconds(settings, a) for a in range(1, deliveries))
    budget = waits + (deliveries + 1) * ATTEMPT_SECONDS
    if settings.save_mode == "workflow":
        step_waits = sum(WORKFLOW_STEP_DELAY_S * 2**i for i in range(WORKFLOW_STEP_RETRIES))
        per_step = step_waits + (WORKFLOW_STEP_RETRIES + 1) * ATTEMPT_SECONDS
        budget += WORKFLOW_STEPS * per_step
    return budget
