"""``make bench`` (Lighthouse): the public pages' Lighthouse scores and Performance metrics, mobile
preset, against the real dev server in Debian's Chromium.

A three-question test with two results is saved through the API (its cards drawn by the save);
its page ``/t/{id}`` and a result's page ``/t/{id}/r/{resultId}`` are each audited ``--runs``
times. The table gives the median of each category's score and of the metrics behind
Performance (Lighthouse simulates a slow 4G network and a 4× slower CPU, so these are modelled
numbers for a mid-range phone, not this machine's). ``make test`` gates SEO, Accessibility and
Best Practices (tests/browser/test_lighthouse.py); Performance is reported here only: on a
shared 2-core machine it moves with the neighbours' load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Any

from tests.browser import _lighthouse
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, dev_server, quiz_doc

from benchmarks.report import add_out_option, markdown_table, write_report

_LABELS = {
    "performance": "Performance",
    "seo": "SEO",
    "accessibility": "Accessibility",
    "best-practices": "Best Practices",
}
METRICS = (
    ("first-contentful-paint", "FCP", "ms"),
    ("largest-contentful-paint", "LCP", "ms"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
    ("speed-index", "Speed Index", "ms"),
)


def _row(label: str, reports: list[dict[str, Any]]) -> list[str]:
    scores = [_lighthouse.scores(r) for r in reports]
    cells = [label]
    cells += [
        f"{statistics.median(s[c] for s in scores) * 100:.0f}" for c in _lighthouse.CATEGORIES
    ]
    for audit, _, unit in METRICS:
        value = statistics.median(r["audits"][audit]["numericValue"] for r in reports)
        cells.append(f"{value:.0f} ms" if unit == "ms" else f"{value:.3f}")
    return cells


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.lighthouse_bench", description=__doc__
    )
    parser.add_argument("--runs", type=int, default=3, help="audits per page (the median is kept)")
    add_out_option(parser)
    args = parser.parse_args(argv)
    why = _lighthouse.available()
    if why is not None:
        raise SystemExit(f"lighthouse_bench: {why}")
    with tempfile.TemporaryDirectory() as tmp, dev_server(Path(tmp) / "data") as base:
        test_id = f"lh-{uuid.uuid4().hex[:8]}"
        AdminApi(base, ADMIN_TOKEN).save(test_id, quiz_doc("라이트하우스 측정 테스트"))
        pages = [
            ("test page `/t/{id}`", f"/t/{test_id}"),
            ("result page `/t/{id}/r/{resultId}`", f"/t/{test_id}/r/planner"),
        ]
        rows = [
            _row(label, [_lighthouse.audit(base + path) for _ in range(args.runs)])
            for label, path in pages
        ]
    header = ["page", *(_LABELS[c] for c in _lighthouse.CATEGORIES)]
    header += [name for _, name, _ in METRICS]
    gates = ", ".join(f"{_LABELS[c]} ≥ {g * 100:.0f}" for c, g in _lighthouse.GATES.items())
    body = (
        f"Lighthouse (mobile preset), median of {args.runs} runs per page; scores out of 100. "
        f"`make test` gates {gates}.\n\n{markdown_table(header, rows)}\n"
    )
    print(body)
    print(f"wrote {write_report('lighthouse', body, out=args.out)}")


if __name__ == "__main__":
    main()
