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


def job_budget_seconds(settings: Settings) -> int:
    """Worst case from accept to terminal: every delivery fails, then the DLQ consumer runs."""
    deliveries = settings.max_retries + 1
    waits = sum(retry_delay_seconds(settings, a) for a in range(1, deliveries))
    return waits + (deliveries + 1) * ATTEMPT_SECONDS
