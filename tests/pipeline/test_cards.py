"""The save job's card step: one card for the test and one per result, drawn once per hash of
what they show, none for drafts; a failed card is a warning on a succeeded job."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFont

from quizhub.bindings import Bindings
from quizhub.domain.cards import CARD_HEIGHT, CARD_WIDTH, CardManifest, card_hash, card_texts
from quizhub.domain.images import Variant
from quizhub.local.cpu import WorkerThread
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.card_art import FONT_FILE, draw_card, open_background
from quizhub.pipeline.cards import CardsDone, CardsIncomplete, render_cards
from quizhub.store.images import ImageFacts, ImagesRepo
from quizhub.store.keys import card_key, card_manifest_key
from tests.api.conftest import Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, run
from tests.imagefiles import phone_photo


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    api = make_api(tmp_path, clock)
    yield api
    api.platform.close()


def _manifest(api: Api, test_id: str, rev: str) -> CardManifest | None:
    obj = run(api.b.bucket.get(card_manifest_key(test_id, rev)))
    return None if obj is None else CardManifest.from_json(json.loads(obj.body))


def _card(api: Api, name: str) -> Image.Image:
    obj = run(api.b.bucket.get(card_key(name)))
    assert obj is not None, name
    assert obj.http_metadata["contentType"] == "image/png"
    return Image.open(io.BytesIO(obj.body))


def test_a_published_save_draws_a_card_for_the_test_and_each_result(api: Api) -> None:
    """Three cards (test, planner, free), each a 1200 × 630 PNG, listed in the revision's
    manifest under the hash of what it shows; the job succeeded without a warning."""
    job = api.save("travel", sample_doc())
    assert job["status"] == "succeeded" and job["error"] is None
    manifest = _manifest(api, "travel", job["rev"])
    assert manifest is not None and manifest.test is not None
    assert set(manifest.results) == {"planner", "free"}
    expected = [card_hash(t) for t in card_texts("travel", sample_doc())]
    assert [manifest.test, manifest.results["planner"], manifest.results["free"]] == expected
    for name in expected:
        assert _card(api, name).size == (CARD_WIDTH, CARD_HEIGHT)
    assert len(set(expected)) == 3


def test_an_unchanged_card_is_not_drawn_again(api: Api) -> None:
    """A second revision that changes one result's title draws that card only; a third that
    changes nothing a card shows draws none."""
    first = api.save("travel", sample_doc())
    doc = sample_doc()
    doc["results"][1]["title"] = "즉흥형 여행자"
    second = api.save("travel", doc)
    done = run(render_cards(api.b.db, api.b.bucket, api.b.cpu, "travel", second["rev"]))
    assert done == CardsDone(drawn=0, kept=3)  # the step already drew the new one
    before, after = _manifest(api, "travel", first["rev"]), _manifest(api, "travel", second["rev"])
    assert before is not None and after is not None
    assert after.test == before.test and after.results["planner"] == before.results["planner"]
    assert after.results["free"] != before.results["free"]
    doc["questions"][0]["text"] = "질문만 바꿨다"  # no card shows a question
    third = api.save("travel", doc)
    assert _manifest(api, "travel", third["rev"]) == after


class _RecordedCpu:
    """``CpuWork`` that runs each piece of work in place and records which function it was."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    async def run(self, fn: Any, /, *args: Any) -> Any:
        self.ran.append(fn.__name__)
        return fn(*args)


def test_cards_are_drawn_and_backgrounds_decoded_through_the_platforms_cpu_work(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Every card drawn and every background decoded goes through ``Bindings.cpu`` (a worker
    thread on the local platform, so the dev server answers requests meanwhile); nothing is
    drawn on the caller's own stack."""
    cpu = _RecordedCpu()
    api = make_api(tmp_path, clock, wrap=lambda b: replace(b, cpu=cpu))
    try:
        key = "cd" * 16 + ".jpg"
        _with_variant(api.platform, key, phone_photo(1280, 960, orientation=1))
        job = api.save("travel", sample_doc(thumbnail=key))
        assert job["status"] == "succeeded" and job["error"] is None
        assert cpu.ran.count("draw_card") == 3  # the test and its two results
        assert cpu.ran.count("open_background") == 1  # the thumbnail, decoded once
    finally:
        api.platform.close()


def test_the_local_platform_draws_on_a_worker_thread(api: Api) -> None:
    """The local platform's CPU work runs off the event loop's thread and hands back the
    value, or the exception, of the work."""
    assert isinstance(api.b.cpu, WorkerThread)

    async def where() -> tuple[int, int]:
        return threading.get_ident(), await api.b.cpu.run(threading.get_ident)

    loop_thread, work_thread = run(where())
    assert loop_thread != work_thread
    with pytest.raises(ZeroDivisionError):
        run(api.b.cpu.run(divmod, 1, 0))


def test_drafts_and_deletes_get_no_cards(api: Api) -> None:
    """A draft's save writes no card and no manifest; a delete runs no card step."""
    job = api.save("draft", sample_doc(status="draft"))
    assert job["status"] == "succeeded" and job["error"] is None
    assert _manifest(api, "draft", job["rev"]) is None
    listed = run(api.b.bucket.list(prefix="cards/"))
    assert listed.objects == []
    assert (
        run(render_cards(api.b.db, api.b.bucket, api.b.cpu, "draft", job["rev"])).skipped == "draft"
    )


class _CardPutsFail:
    """R2 refusing every card (the save's own object and manifest still go through)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def put(self, key: str, value: Any, **kw: Any) -> Any:
        if key.startswith("cards/") and not key.startswith("cards/manifests/"):
            raise ConnectionError("R2 is refusing cards")
        return await self._inner.put(key, value, **kw)


@pytest.mark.parametrize("mode", ["queue", "workflow"])
def test_a_card_that_cannot_be_drawn_is_a_warning_never_a_failed_save(
    tmp_path: Path, clock: FakeClock, mode: str
) -> None:
    """The save is live (the page answers) and succeeded, keeping the cards' warning; the
    manifest lists no card, so the pages fall back to the default card."""

    def wrap(b: Bindings) -> Bindings:
        return replace(b, bucket=_CardPutsFail(b.bucket))

    api = make_api(tmp_path, clock, mode=mode, wrap=wrap)
    job = api.save("travel", sample_doc())
    for _ in range(100):  # a Workflow retries the step first: move the clock to each retry
        if (due := api.platform.next_due_ms()) is None:
            break
        clock.advance(max(1, due - clock()))
        api.process()
    job = api.job(job["jobId"])
    assert job["status"] == "succeeded" and job["liveAt"] is not None
    assert "preview cards were not all drawn" in job["error"]
    assert api.client.get("/t/travel").status_code == 200
    assert _manifest(api, "travel", job["rev"]) == CardManifest(None, {})
    with pytest.raises(CardsIncomplete, match="3 of 3 cards failed"):
        run(render_cards(api.b.db, api.b.bucket, api.b.cpu, "travel", job["rev"]))
    api.platform.close()


def _with_variant(platform: LocalPlatform, key: str, data: bytes) -> None:
    """Record ``key`` as processed, with one stored variant made of ``data``."""
    variant = Variant(1280, 960, "jpg", f"variants/{key}/1280w.jpg", len(data))
    run(platform.bindings.bucket.put(variant.object_key, data))
    facts = ImageFacts("jpg", 1280, 960, len(data))
    run(ImagesRepo(platform.bindings.db).record("job", key, facts, [variant], "now", commit=False))


def test_a_card_shows_its_image_once_the_image_has_a_variant(api: Api) -> None:
    """Saved before its thumbnail was processed, the test's card is the gradient (its hash
    says so); drawn again after the variant exists, it is another card, over the image."""
    key = "ab" * 16 + ".jpg"
    doc = sample_doc(thumbnail=key)
    first = api.save("travel", doc)
    early = _manifest(api, "travel", first["rev"])
    texts = card_texts("travel", doc)
    assert early is not None and early.test == card_hash(texts[0].with_image(None))
    _with_variant(api.platform, key, phone_photo(1280, 960, orientation=1))
    later = api.save("travel", doc)
    manifest = _manifest(api, "travel", later["rev"])
    assert manifest is not None and manifest.test == card_hash(texts[0])
    assert manifest.results["planner"] == card_hash(texts[1])  # the result falls back to it
    assert _card(api, manifest.test).size == (CARD_WIDTH, CARD_HEIGHT)


def test_the_drawn_card_shows_the_text_it_is_named_for() -> None:
    """Two results' cards differ; over a background they are palette PNGs of the card size."""
    planner, free = card_texts("travel", sample_doc())[1:]
    assert draw_card(planner) != draw_card(free)
    background = open_background(phone_photo(800, 600, orientation=1))
    over = Image.open(io.BytesIO(draw_card(planner, background)))
    assert over.size == (CARD_WIDTH, CARD_HEIGHT) and over.mode == "P"


def test_the_font_covers_every_hangul_syllable() -> None:
    """All 11,172 syllables (U+AC00–U+D7A3) have a glyph of their own, not the font's
    missing-glyph box (what a character outside the subset, 一, draws)."""
    font = ImageFont.truetype(str(FONT_FILE), 16)
    missing = bytes(font.getmask("一"))
    lacking = [chr(cp) for cp in range(0xAC00, 0xD7A4) if bytes(font.getmask(chr(cp))) == missing]
    assert lacking == []
    assert FONT_FILE.with_name("LICENSE-OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def test_a_runtime_that_cannot_draw_says_so_once_and_the_save_succeeds(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Pillow (the offline Pyodide harness) the step raises at once, Permanent, before
    drawing anything, and the job ends succeeded with the reason as its warning."""
    from quizhub.pipeline import cards

    monkeypatch.setattr(cards, "can_draw", lambda: "Pillow is not importable in this runtime")
    job = api.save("travel", sample_doc())
    assert job["status"] == "succeeded" and "Pillow is not importable" in job["error"]
    assert run(api.b.bucket.list(prefix="cards/")).objects == []
    with pytest.raises(cards.CardsUnavailable):
        run(render_cards(api.b.db, api.b.bucket, api.b.cpu, "travel", job["rev"]))
