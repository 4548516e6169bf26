"""What counts as a sentence a Korean editor cannot read: three or more Latin-script words in a
row, separated by spaces only. A code (``test_not_found``), a product or format name (PNG, JPEG,
WebP), a rev or "HTTP 503" is not one; "Value should have at least 1 item" is. The catalogue
test and the browser scan of the admin views use this one definition."""

from __future__ import annotations

import re

__all__ = ["LATIN_SENTENCE", "HANGUL", "latin_sentences"]

LATIN_SENTENCE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t\u00a0]+[A-Za-z][A-Za-z'’-]*){2,}")
HANGUL = re.compile(r"[가-힣]")


def latin_sentences(text: str) -> list[str]:
    """Every Latin-script sentence in ``text``."""
    return LATIN_SENTENCE.findall(text)
