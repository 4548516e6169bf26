"""The reduced reliability scorecard (same checks as ``make reliability``, smaller counts)."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from benchmarks.report import OUT_ENV
from reliability.rows import Row
from reliability.scorecard import run_scorecard, table

from quizhub.analytics.pg import PgParams
from reliability import scorecard

MODES = ["queue", "workflow"]
# Rows run once per save mode ...
PER_MODE = {
    "1",
    "2",
    "3 (p=0.05)",
    "3 (p=0.2)",
    "4",
    "5 (p=0.05)",
    "5 (p=0.2)",
    "7",
    "8",
    "9",
    "10",
    "13",
    "13 (retention)",
    "15",
    "17",
    "18",
    "19",
}
# ... and rows that do not depend on it, run once for both.
SHARED = {"11", "12", "14", "16"}


def test_every_scorecard_row_meets_its_criterion(analytics: PgParams) -> None:
    """Rows 1–19 (docs/reliability.md#the-rows) pass on the local platform in both save modes,
    in one run: the rows that do not depend on the mode (6, 11, 12, 14, 16) run once (the
    session's Postgres serves the rows that need one)."""
    logging.disable(logging.CRITICAL)
    try:
        rows = run_scorecard(MODES, quick=True, progress=lambda _line: None, analytics=analytics)
    finally:
        logging.disable(logging.NOTSET)
    failed = [r for _, r in rows if not r.passed]
    assert len(rows) >= 15
    runs = Counter((mode, r.number) for mode, r in rows)
    for mode in MODES:
        assert {(mode, n) for n in PER_MODE} <= set(runs), sorted(runs)
    assert {("both", n): 1 for n in SHARED} == {k: v for k, v in runs.items() if k[0] == "both"}
    assert runs[("broker", "6")] == 1, sorted(runs)
    assert not failed, "\n" + table(rows)


def test_only_a_full_run_writes_the_scorecard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make reliability`` writes docs/measured/scorecard.md (here: the measured dir the
    environment names); the ``--quick`` run inside ``make test`` writes nothing."""
    rows = [("queue", Row("1", "duplicate delivery", "0 of 2 differ", "= oracle", True))]

    def fake_run(modes: list[str], quick: bool, *args: Any, **kwargs: Any) -> Any:
        return rows

    monkeypatch.setattr(scorecard, "run_scorecard", fake_run)
    monkeypatch.setenv(OUT_ENV, str(tmp_path))
    try:
        assert scorecard.main(["--quick"]) == 0
        assert list(tmp_path.iterdir()) == []
        assert scorecard.main([]) == 0
    finally:
        logging.disable(logging.NOTSET)  # main() silences the injected faults' logging
    text = (tmp_path / "scorecard.md").read_text(encoding="utf-8")
    assert text.splitlines()[2].startswith("*Measured on ")
    assert table(rows) in text and "1 passed, 0 failed (the full run" in text
