"""The reduced reliability scorecard (same checks as ``make reliability``, smaller counts)."""

from __future__ import annotations

import logging

import pytest
from reliability.scorecard import run_scorecard, table

from quizhub.analytics.pg import PgParams


@pytest.mark.parametrize("mode", ["queue", "workflow"])
def test_every_scorecard_row_meets_its_criterion(mode: str, analytics: PgParams) -> None:
    """Rows 1–16 of reliability.md pass on the local platform in this save mode (the session's
    Postgres serves the rows that need one)."""
    logging.disable(logging.CRITICAL)
    try:
        rows = run_scorecard([mode], quick=True, progress=lambda _line: None, analytics=analytics)
    finally:
        logging.disable(logging.NOTSET)
    failed = [r for _, r in rows if not r.passed]
    assert len(rows) >= 15
    assert {"10", "11", "12", "13", "14", "13 (retention)", "15", "16"} <= {
        r.number for _, r in rows
    }
    assert not failed, "\n" + table(rows)
