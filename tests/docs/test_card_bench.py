"""The card bench (docs/measured/cards.md): its table is written with the worst save's numbers
and both headrooms, measured in a fresh process."""

from __future__ import annotations

from pathlib import Path

from benchmarks.card_bench import RESULTS, report, worst_document

from quizhub.domain.cards import card_texts


def test_the_worst_save_draws_every_card_and_reports_both_headrooms(tmp_path: Path) -> None:
    """51 cards drawn (test + 50 results, each over its own image); CPU and memory headroom
    against the plan are in the written table."""
    assert len(card_texts("worst", worst_document())) == RESULTS + 1
    report(repeats=2, out=str(tmp_path))
    table = (tmp_path / "cards.md").read_text(encoding="utf-8")
    assert f"| cards drawn | {RESULTS + 1} |" in table
    assert "| CPU headroom |" in table and "| memory headroom |" in table
