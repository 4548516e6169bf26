"""``make reliability``: every row of the reliability scorecard, in queue and workflow mode.

Prints one Markdown table (a number per row), writes it to ``docs/measured/scorecard.md``
(``benchmarks.report``; ``--out`` or ``QUIZHUB_MEASURED_DIR`` elsewhere) and exits 1 if any row
misses its pass criterion. ``--quick`` runs the same checks with smaller counts (what
``make test`` runs); it writes no file unless ``--out`` names a directory. The rows are defined
in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.report import add_out_option, markdown_table, write_report

from quizhub.analytics.pg import PgParams
from reliability.analytics_rows import FULL_EVENTS, QUICK_EVENTS, row16_analytics, scratch_analytics
from reliability.auth_rows import row12_auth_matrix
from reliability.broker_rows import row6_broker, row9_sizes
from reliability.datadir_rows import row14_data_dir
from reliability.fuzz_rows import row11_fuzz
from reliability.kill import row4_kills
from reliability.late_rows import row13_late
from reliability.merge_rows import row18_disjoint_edits, row19_overlapping_edits
from reliability.purge_rows import row17_purge_outage
from reliability.rows import (
    Row,
    Sizes,
    row1_duplicates,
    row2_permutations,
    row3_faults,
    row7_editors,
    row8_poison,
    row10_budget,
)
from reliability.search_rows import row15_search

__all__ = ["FULL", "QUICK", "run_scorecard", "main"]

FULL = Sizes()
QUICK = Sizes(
    dup_trials=8,
    perm_max=4,
    fault_saves=150,
    editors=3,
    editor_rounds=8,
    poison_batches=5,
    budget_jobs=5,
    late_tests=2,
    search_tests=12,
    purge_tests=3,
    purge_saves=2,
    merge_tests=2,
    merge_rounds=4,
)
FULL_BROKER_MESSAGES, QUICK_BROKER_MESSAGES = 10_000, 2_000
FULL_KILLS, QUICK_KILLS = 24, 6
FULL_FUZZ_CASES, QUICK_FUZZ_CASES = 1000, 150


def run_scorecard(
    modes: list[str],
    quick: bool,
    progress: Callable[[str], Any] = print,
    analytics: PgParams | None = None,
) -> list[tuple[str, Row]]:
    """Run every row for each mode; returns (mode, row) pairs in table order. ``analytics`` is
    the Postgres for the rows that need one (a throwaway embedded one when not given)."""
    if analytics is None:
        with scratch_analytics() as scratch:
            return run_scorecard(modes, quick, progress, scratch)
    sizes = QUICK if quick else FULL
    out: list[tuple[str, Row]] = []

    def record(mode: str, row: Row, started: float) -> None:
        out.append((mode, row))
        mark = "ok  " if row.passed else "FAIL"
        elapsed = time.perf_counter() - started
        progress(f"  {mark} {mode:8} row {row.number:9} {elapsed:6.1f} s  {row.result}")

    for mode in modes:
        for make in (row1_duplicates, row2_permutations):
            t = time.perf_counter()
            record(mode, asyncio.run(make(mode, sizes)), t)
        for p in (0.05, 0.2):
            t = time.perf_counter()
            row3, row5 = asyncio.run(row3_faults(mode, sizes, p))
            record(mode, row3, t)
            record(mode, row5, t)
        t = time.perf_counter()
        record(mode, row4_kills(mode, QUICK_KILLS if quick else FULL_KILLS), t)
        for make in (row7_editors, row8_poison, row10_budget):
            t = time.perf_counter()
            record(mode, asyncio.run(make(mode, sizes)), t)
        t = time.perf_counter()
        record(mode, asyncio.run(row9_sizes(mode)), t)
        t = time.perf_counter()
        for row in asyncio.run(row13_late(mode, sizes)):
            record(mode, row, t)
        t = time.perf_counter()
        record(mode, asyncio.run(row15_search(mode, sizes)), t)
        t = time.perf_counter()
        record(mode, asyncio.run(row17_purge_outage(mode, sizes)), t)
        for make in (row18_disjoint_edits, row19_overlapping_edits):
            t = time.perf_counter()
            record(mode, asyncio.run(make(mode, sizes)), t)
    t = time.perf_counter()
    cases = QUICK_FUZZ_CASES if quick else FULL_FUZZ_CASES
    record("both", row11_fuzz(cases, analytics), t)  # one API
    t = time.perf_counter()
    record("both", row12_auth_matrix(analytics), t)  # the front door is the same in both modes
    t = time.perf_counter()
    record("both", row14_data_dir(), t)  # so is opening the data dir
    t = time.perf_counter()
    record(
        "broker",
        asyncio.run(row6_broker(QUICK_BROKER_MESSAGES if quick else FULL_BROKER_MESSAGES)),
        t,
    )
    t = time.perf_counter()
    record("both", row16_analytics(QUICK_EVENTS if quick else FULL_EVENTS, analytics), t)
    return sorted(out, key=lambda mr: (_order(mr[1].number), mr[0]))


def _order(number: str) -> tuple[int, str]:
    head = number.split(" ")[0]
    return int(head), number


def table(rows: list[tuple[str, Row]]) -> str:
    """The scorecard as a Markdown table."""
    return markdown_table(
        ["#", "mode", "check", "result", "pass criterion", "ok"],
        [
            (r.number, mode, r.check, r.result, r.criterion, "✅" if r.passed else "❌")
            for mode, r in rows
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.scorecard", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller counts (the make-test version)"
    )
    parser.add_argument("--modes", default="queue,workflow", help="comma-separated: queue,workflow")
    add_out_option(parser)
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # injected faults log loudly; the table is the output
    started = time.perf_counter()
    rows = run_scorecard(args.modes.split(","), args.quick)
    failed = [r for _, r in rows if not r.passed]
    elapsed = time.perf_counter() - started
    size = "the reduced run (--quick)" if args.quick else "the full run"
    body = (
        f"{table(rows)}\n\n{len(rows) - len(failed)} passed, {len(failed)} failed"
        f" ({size}, modes {args.modes}, {elapsed:.0f} s)."
    )
    print(f"\n{body}")
    if args.out or not args.quick:  # a reduced run never replaces the full run's numbers
        print(f"wrote {write_report('scorecard', body, out=args.out)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
