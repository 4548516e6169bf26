"""The save job's card step: the preview cards of a published revision, drawn once per hash.

For each card of the revision (``quizhub.domain.cards.card_texts``) the step decides what it
shows — an image only when that image has a variant to draw, so a card drawn before its image
was processed gets another hash, and is drawn again, once it can show it — names it by the hash
of that, and draws it only when R2 does not hold ``cards/{hash}.png`` yet (create-only: a card
is never rewritten). Then it writes the revision's manifest, which the pages read.

A card that cannot be drawn is left out of the manifest and the step raises ``CardsIncomplete``
after writing it: the sequence keeps that as a warning on a succeeded job
(``cards_warning``), never a failed save. A runtime that cannot draw at all (no Pillow: the
Pyodide harness offline) raises ``CardsUnavailable``, Permanent, before drawing anything. Drafts
and deletes get no cards.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quizhub.domain.cards import CARD_WIDTH, CardManifest, CardText, card_hash, card_texts
from quizhub.domain.images import pick_variant
from quizhub.domain.jobs import JobError
from quizhub.domain.wire import json_bytes
from quizhub.edge.cdn import CARD_CACHE_CONTROL
from quizhub.errors import Code, Permanent, StorageDamaged
from quizhub.pipeline.card_art import can_draw, draw_card, open_background
from quizhub.ports import CpuWork, D1Database, R2Bucket
from quizhub.store.images import ImagesRepo
from quizhub.store.keys import card_key, card_manifest_key, document_key

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "CardsDone",
    "CardsIncomplete",
    "CardsUnavailable",
    "render_cards",
    "cards_warning",
]

log = logging.getLogger("quizhub.pipeline.cards")
# The variant a card's background is cut from: the narrowest at least this wide (half the card:
# a background is drawn from half its pixels, quizhub.pipeline.card_art.open_background).
_BACKGROUND_WIDTH = CARD_WIDTH // 2
_KEEP_DECODED = 2


class CardsIncomplete(Exception):
    """Some cards of a revision could not be drawn (the others are stored and listed)."""


class CardsUnavailable(Permanent):
    """This runtime cannot draw cards at all (no Pillow, no font): Permanent, so a Workflow does
    not retry the step for nothing; the save still succeeds, with the warning."""

    def __init__(self, reason: str) -> None:
        message = f"no preview card was drawn: {reason}"
        super().__init__(message, code=Code.CARDS_UNAVAILABLE, params={"reason": reason})


@dataclass(frozen=True)
class CardsDone:
    """What the step did: cards drawn, cards already stored, cards that failed."""

    drawn: int = 0
    kept: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: str | None = None  # why a revision gets no cards ("draft")

    def to_json(self) -> dict[str, Any]:
        return {
            "drawn": self.drawn,
            "kept": self.kept,
            "failed": self.failed,
            "skipped": self.skipped,
        }


async def render_cards(
    db: D1Database, bucket: R2Bucket, cpu: CpuWork, test_id: str, rev: str
) -> CardsDone:
    """Draw and store the cards of revision ``rev`` of ``test_id`` (none for a draft) and
    write its manifest; ``CardsIncomplete`` when a card failed (the manifest lists the rest)."""
    obj = await bucket.get(document_key(test_id, rev))
    if obj is None:
        key = document_key(test_id, rev)
        raise StorageDamaged(f"document {key} is missing from R2", key=key)
    doc = json.loads(obj.body)
    if doc.get("status") != "published":
        return CardsDone(skipped="draft")
    why = can_draw()
    if why is not None:
        raise CardsUnavailable(why)
    texts = card_texts(test_id, doc)
    backgrounds = _Backgrounds(db, bucket, cpu)
    shown = [t.with_image(await backgrounds.drawable(t.image)) for t in texts]
    test_hash: str | None = None
    results: dict[str, str] = {}
    drawn = kept = 0
    failed: list[str] = []
    for text in shown:
        name = card_hash(text)
        try:
            made = await _ensure_card(bucket, cpu, name, text, backgrounds.load)
        except Exception as exc:  # noqa: BLE001 - one card's failure leaves the others
            log.warning("card %s of %s@%s failed: %s", _label(text), test_id, rev, exc)
            failed.append(_label(text))
            continue
        drawn, kept = drawn + made, kept + (not made)
        if text.result_id is None:
            test_hash = name
        else:
            results[text.result_id] = name
    manifest = CardManifest(test_hash, results)
    await bucket.put(
        card_manifest_key(test_id, rev),
        json_bytes(manifest.to_json()),
        http_metadata={"contentType": "application/json"},
    )
    if failed:
        raise CardsIncomplete(f"{len(failed)} of {len(shown)} cards failed: {', '.join(failed)}")
    return CardsDone(drawn=drawn, kept=kept)


async def _ensure_card(
    bucket: R2Bucket,
    cpu: CpuWork,
    name: str,
    text: CardText,
    load: Callable[[str], Awaitable[PILImage.Image]],
) -> bool:
    """Store card ``name`` unless R2 has it; whether it was drawn now."""
    key = card_key(name)
    if await bucket.head(key) is not None:
        return False
    background = None if text.image is None else await load(text.image)
    png = await cpu.run(draw_card, text, background)  # ~30 ms of CPU
    await bucket.put(
        key,
        png,
        http_metadata={"contentType": "image/png", "cacheControl": CARD_CACHE_CONTROL},
        only_if={"etag_does_not_match": "*"},  # another delivery stored it: same bytes
    )
    return True


class _Backgrounds:
    """The images cards are drawn over, each looked up once per step. Decoded ones are kept
    ``_KEEP_DECODED`` at a time, most recent first (a test's thumbnail, behind every result
    card without an image of its own, stays decoded): each is 2.3 MB of pixels, and a test with
    50 results of their own images would otherwise hold them all (make bench measures it)."""

    def __init__(self, db: D1Database, bucket: R2Bucket, cpu: CpuWork) -> None:
        self.images = ImagesRepo(db)
        self.bucket = bucket
        self.cpu = cpu
        self.objects: dict[str, str | None] = {}
        self.decoded: OrderedDict[str, PILImage.Image] = OrderedDict()

    async def drawable(self, image_key: str | None) -> str | None:
        """``image_key`` when it has a variant to draw, else None (not processed yet, or its
        processing failed: the card gets the gradient, and another hash)."""
        if image_key is None:
            return None
        if image_key not in self.objects:
            variants = await self.images.variants(image_key)
            picked = (
                pick_variant(variants, width=_BACKGROUND_WIDTH, webp=False) if variants else None
            )
            self.objects[image_key] = None if picked is None else picked.object_key
        return image_key if self.objects[image_key] is not None else None

    async def load(self, image_key: str) -> PILImage.Image:
        if image_key in self.decoded:
            self.decoded.move_to_end(image_key)
            return self.decoded[image_key]
        object_key = self.objects.get(image_key)
        obj = None if object_key is None else await self.bucket.get(object_key)
        if obj is None:
            message = f"image {image_key} has lost the variant {object_key}"
            raise StorageDamaged(message, key=str(object_key))
        image = self.decoded[image_key] = await self.cpu.run(open_background, obj.body)
        while len(self.decoded) > _KEEP_DECODED:
            self.decoded.popitem(last=False)
        return image


def _label(text: CardText) -> str:
    return "test" if text.result_id is None else f"result {text.result_id}"


def cards_warning(exc: BaseException, also: JobError | None = None) -> JobError:
    """The warning a succeeded job keeps when some of its preview cards were not drawn (with
    ``also``, the index warning of the same save)."""
    kind = type(exc).__name__
    message = (
        f"saved and live; preview cards were not all drawn ({kind}: {str(exc)[:200]}); pages"
        " show the test's card or none, and the next save draws the missing ones"
    )
    if also is not None:
        message = f"{message}; {also.message}"
    params = {"error": kind, "also": None if also is None else also.cause()}
    return JobError(Code.CARDS_NOT_DRAWN, message, params)
