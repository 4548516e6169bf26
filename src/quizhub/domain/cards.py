"""Preview cards, written once: their size, what each card of a published revision shows, the
hash that names a card by what it shows, and the manifest that lists a revision's cards. Pure
(no I/O, no Pillow, no pydantic): the save job's card step, the pages and the benchmark read it.

A published revision has one card for the test and one per result. A card's hash covers every
input of its drawing (``ART_VERSION`` included), so an unchanged card keeps its name and is not
drawn again, and a changed one gets a new, immutable name (docs/sharing.md#preview-cards).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "CARD_WIDTH",
    "CARD_HEIGHT",
    "ART_VERSION",
    "CARD_HASH_PATTERN",
    "CardText",
    "CardManifest",
    "card_texts",
    "card_hash",
    "short_line",
]

# Open Graph's recommended size (1.91:1), which KakaoTalk, Slack and X crop least.
CARD_WIDTH, CARD_HEIGHT = 1200, 630
# Bump when the drawing changes (layout, colours, font): every card then gets a new hash.
ART_VERSION = "1"
CARD_HASH_PATTERN = r"^[0-9a-f]{32}$"
_HASH = re.compile(CARD_HASH_PATTERN)
SHORT_LINE_CHARS = 80
_SPACE = re.compile(r"\s+")

CardKind = Literal["test", "result"]


@dataclass(frozen=True)
class CardText:
    """What one card shows. ``image`` is the image key drawn behind the text (None: a gradient
    from ``seed``); the card step sets it only when the image has a variant to draw."""

    kind: CardKind
    result_id: str | None  # the result a result card is of
    kicker: str  # the small line on top
    title: str
    line: str  # the short line under the title
    image: str | None
    seed: str  # what the gradient's hue comes from (the test or result id)

    def with_image(self, image: str | None) -> CardText:
        return CardText(
            self.kind, self.result_id, self.kicker, self.title, self.line, image, self.seed
        )


def short_line(text: str, limit: int = SHORT_LINE_CHARS) -> str:
    """``text`` on one line (whitespace collapsed), cut at ``limit`` characters with "…"."""
    flat = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def card_texts(test_id: str, doc: dict[str, Any]) -> list[CardText]:
    """The test's card, then one per result, in the document's order. A result card is drawn
    over the result's image, else the test's thumbnail (the caller drops an image that has no
    variant yet)."""
    title = short_line(doc["title"], 120)
    questions = len(doc.get("questions", []))
    test = CardText(
        kind="test",
        result_id=None,
        kicker="심리테스트",
        title=title,
        line=short_line(doc.get("description") or f"총 {questions}문항"),
        image=doc.get("thumbnail"),
        seed=test_id,
    )
    results = [
        CardText(
            kind="result",
            result_id=r["id"],
            kicker=title,
            title=short_line(r["title"], 120),
            line=short_line(r.get("description") or "나도 해보기"),
            image=r.get("image") or doc.get("thumbnail"),
            seed=f"{test_id}/{r['id']}",
        )
        for r in doc["results"]
    ]
    return [test, *results]


def card_hash(text: CardText) -> str:
    """The card's name: 128 bits of SHA-256 over everything its drawing depends on."""
    canonical = json.dumps(
        {"art": ART_VERSION, "size": [CARD_WIDTH, CARD_HEIGHT], **asdict(text)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class CardManifest:
    """A revision's cards: the test's hash and each result's (a result whose card could not be
    drawn is absent; the pages then fall back to the test's card, then to none)."""

    test: str | None
    results: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"v": 1, "test": self.test, "results": dict(self.results)}

    @classmethod
    def from_json(cls, raw: Any) -> CardManifest | None:
        """The manifest in ``raw``, or None when it is not one (never trusted blindly: it names
        R2 objects, so every hash must look like one)."""
        if not isinstance(raw, dict) or raw.get("v") != 1:
            return None
        test, results = raw.get("test"), raw.get("results")
        if test is not None and not (isinstance(test, str) and _HASH.match(test)):
            return None
        if not isinstance(results, dict) or not all(
            isinstance(h, str) and _HASH.match(h) for h in results.values()
        ):
            return None
        return cls(test, {str(k): v for k, v in results.items()})

    def for_result(self, result_id: str | None) -> str | None:
        """The card a page of ``result_id`` shows (None: the test's page)."""
        if result_id is None:
            return self.test
        return self.results.get(result_id) or self.test
