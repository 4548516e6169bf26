"""Job statuses: delayed is visible but not terminal; expired is terminal; an untouched job's
status follows its age against the retry budget and the queue's retention."""

from __future__ import annotations

from quizhub.domain.jobs import (
    JOB_STATUSES,
    TERMINAL,
    JobRow,
    delayed_error,
    expired_error,
    make_job_id,
)
from quizhub.domain.revisions import RevGenerator
from quizhub.domain.wire import iso_ms

ACCEPTED_MS = 1_795_000_000_000
REV = RevGenerator().new(ACCEPTED_MS)
JOB = make_job_id(REV, b"key")


def _at(age_ms: int) -> JobRow:
    return JobRow.queued(
        JOB, REV, now_ms=ACCEPTED_MS + age_ms, budget_seconds=600, retention_seconds=86_400
    )


def test_delayed_is_a_status_but_not_terminal_and_expired_is_terminal() -> None:
    """A delayed job may still apply (not terminal); an expired one never will (terminal)."""
    assert {"delayed", "expired"} <= set(JOB_STATUSES)
    assert "delayed" not in TERMINAL and "expired" in TERMINAL
    assert {"succeeded", "failed", "superseded", "conflict", "expired"} == TERMINAL


def test_an_untouched_job_is_queued_within_its_budget() -> None:
    """Up to its retry budget a job nobody touched is simply queued, with no reason."""
    row = _at(600_000)
    assert (row.status, row.step, row.error, row.updated_at) == (
        "queued",
        "queued",
        None,
        iso_ms(ACCEPTED_MS),
    )
    assert JobRow.queued(JOB, REV).status == "queued"  # no clock given: as before


def test_an_untouched_job_past_its_budget_is_delayed_with_the_reason() -> None:
    """Past the budget it is delayed, since the budget ran out, saying it may still apply."""
    row = _at(600_001)
    assert (row.status, row.error) == ("delayed", delayed_error(600).message)
    assert (row.error_code, row.error_params) == ("delayed", {"budgetSeconds": 600, "cause": None})
    assert row.updated_at == iso_ms(ACCEPTED_MS + 600_000)
    assert not row.terminal and "it will still apply" in (row.error or "")
    assert row.to_json()["status"] == "delayed"


def test_an_untouched_job_past_the_retention_is_expired() -> None:
    """Past the queue's retention nothing can deliver it any more: expired, terminal."""
    row = _at(86_400_001)
    assert (row.status, row.step, row.error) == (
        "expired",
        "expired",
        expired_error(86_400).message,
    )
    assert row.to_json()["errorCode"] == "expired"
    assert row.to_json()["errorParams"] == {"retentionSeconds": 86_400, "cause": None}
    assert row.updated_at == iso_ms(ACCEPTED_MS + 86_400_000)
    assert row.terminal
    assert _at(86_400_000).status == "delayed"
