"""Write ``public/assets/og-default.png``: the card a page shows before its own is drawn (the
save's card step runs after the purge), drawn by the cards' own renderer.

    PYTHONPATH=src .venv/bin/python scripts/default_card.py
"""

from __future__ import annotations

from pathlib import Path

from quizhub.domain.cards import CardText
from quizhub.pipeline.card_art import draw_card

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "public" / "assets" / "og-default.png"
DEFAULT = CardText(
    kind="test",
    result_id=None,
    kicker="quizhub",
    title="오늘의 심리테스트",
    line="몇 가지 질문으로 알아보는 나의 성향",
    image=None,
    seed="quizhub",
)

if __name__ == "__main__":
    OUT.write_bytes(draw_card(DEFAULT))
    print(f"wrote {OUT.relative_to(ROOT)}")
