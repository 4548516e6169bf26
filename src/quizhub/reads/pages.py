"""The public pages' read use case: what ``/t/{id}``, ``/t/{id}/r/{resultId}``, a test's card
address and the sitemaps show, as data (``PageBundle``, ``Page``). The API renders them.

Everything a test's pages show comes from ONE cached entry, the bundle, kept in the Cache API
under the test page's URL and tagged like the test's detail: the published document's fields
the pages use and the revision's card manifest. So the purge by tag a save makes covers the
test page and every result page, and the purge by URL (the fallback) needs one URL per test
however many results it has. Like the detail (``quizhub.reads.detail``) it skips the caches
while a purge of the test is owed, and drops its copy when a save landed while it read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.cards import CardManifest, short_line
from quizhub.domain.ids import ITEM_ID_PATTERN, TEST_ID_PATTERN
from quizhub.domain.wire import json_bytes
from quizhub.edge.cdn import LIST_TAG, page_cache_control, page_url, sitemap_url, tags_for_test
from quizhub.errors import Code, NotFound
from quizhub.ports import CachedResponse, R2Bucket
from quizhub.store.documents import read_current, read_published, still_current
from quizhub.store.keys import card_key, card_manifest_key, kv_test_key
from quizhub.store.purges import PurgeDebtRepo
from quizhub.store.tests import TestsRepo

__all__ = [
    "PageBundle",
    "PageResult",
    "Page",
    "page_bundle",
    "public_page",
    "current_card",
    "sitemap_entries",
    "SITEMAP_LIMIT",
]

# The sitemap protocol's limit of entries per file.
SITEMAP_LIMIT = 50_000
_DESCRIPTION_CHARS = 150  # what search results show of a meta description
_BUNDLE_VERSION = 1
_TEST_ID, _RESULT_ID = re.compile(TEST_ID_PATTERN), re.compile(ITEM_ID_PATTERN)


@dataclass(frozen=True)
class PageResult:
    id: str
    title: str
    description: str
    image: str | None


@dataclass(frozen=True)
class PageBundle:
    """What every page of one published revision shows (the cached entry)."""

    test_id: str
    rev: str
    updated_at: str
    locale: str
    title: str
    description: str
    question_count: int
    thumbnail: str | None
    results: tuple[PageResult, ...]
    cards: CardManifest | None  # None until the save's card step wrote the manifest

    def result(self, result_id: str) -> PageResult | None:
        return next((r for r in self.results if r.id == result_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": _BUNDLE_VERSION,
            "testId": self.test_id,
            "rev": self.rev,
            "updatedAt": self.updated_at,
            "locale": self.locale,
            "title": self.title,
            "description": self.description,
            "questionCount": self.question_count,
            "thumbnail": self.thumbnail,
            "results": [r.__dict__ for r in self.results],
            "cards": None if self.cards is None else self.cards.to_json(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PageBundle:
        return cls(
            test_id=raw["testId"],
            rev=raw["rev"],
            updated_at=raw["updatedAt"],
            locale=raw["locale"],
            title=raw["title"],
            description=raw["description"],
            question_count=int(raw["questionCount"]),
            thumbnail=raw["thumbnail"],
            results=tuple(PageResult(**r) for r in raw["results"]),
            cards=CardManifest.from_json(raw["cards"]),
        )


@dataclass(frozen=True)
class Page:
    """One page: the bundle and the result it shows (None: the test's page)."""

    bundle: PageBundle
    result: PageResult | None

    @property
    def card(self) -> str | None:
        """The hash of the card this page shows (the result's, else the test's), if drawn."""
        cards = self.bundle.cards
        if cards is None:
            return None
        return cards.for_result(None if self.result is None else self.result.id)

    @property
    def description(self) -> str:
        """The meta description: the result's or the test's text, on one line."""
        b = self.bundle
        if self.result is not None:
            text = self.result.description or f"{b.title}에서 나온 결과예요. 나도 해보기!"
        else:
            text = b.description or f"{b.title} · 총 {b.question_count}문항 심리테스트"
        return short_line(text, _DESCRIPTION_CHARS)


async def public_page(b: Bindings, test_id: str, result_id: str | None = None) -> Page:
    """The page of ``test_id`` (or of its result ``result_id``); NotFound for an id that is not
    an id, a test that is not published, or a result it does not have."""
    if not _TEST_ID.fullmatch(test_id):
        message = f"'{test_id[:64]}' is not a test id"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id[:64]})
    bundle = await page_bundle(b, test_id)
    if result_id is None:
        return Page(bundle, None)
    result = bundle.result(result_id) if _RESULT_ID.fullmatch(result_id) else None
    if result is None:
        message = f"test '{test_id}' has no result '{result_id[:64]}'"
        params = {"testId": test_id, "resultId": result_id[:64]}
        raise NotFound(message, code=Code.RESULT_NOT_FOUND, params=params)
    return Page(bundle, result)


async def page_bundle(b: Bindings, test_id: str) -> PageBundle:
    """The bundle of the published ``test_id``: purge debt → Cache API → KV/D1 + R2."""
    url = page_url(b.settings.public_origin, test_id)
    tests = TestsRepo(b.db)
    if await PurgeDebtRepo(b.db).owed(test_id) is not None:
        doc = await read_current(tests, b.bucket, test_id, published_only=True)
        return _bundle(test_id, doc, await _manifest(b.bucket, test_id, doc["rev"]))
    cached = await b.cache.match(url)
    if cached is not None:
        raw = json.loads(cached.body)
        if isinstance(raw, dict) and raw.get("v") == _BUNDLE_VERSION:
            return PageBundle.from_json(raw)
        # An entry an earlier deploy wrote in another shape: read afresh, and replace it.
    doc, _ = await read_published(
        tests, b.bucket, b.kv, test_id, b.settings.kv_ttl_seconds, recheck=False
    )
    bundle = _bundle(test_id, doc, await _manifest(b.bucket, test_id, doc["rev"]))
    await b.cache.put(url, _entry(b, bundle))
    if not await still_current(tests, test_id, doc["rev"]):
        await b.cache.delete(url)  # a save landed while we read: leave no older copy behind
        await b.kv.delete(kv_test_key(test_id))
    return bundle


def _entry(b: Bindings, bundle: PageBundle) -> CachedResponse:
    headers = {
        "content-type": "application/json",
        "cache-control": page_cache_control(b.settings, complete=bundle.cards is not None),
        "cache-tag": ",".join(tags_for_test(bundle.test_id)),
    }
    return CachedResponse(200, headers, json_bytes(bundle.to_json()))


async def _manifest(bucket: R2Bucket, test_id: str, rev: str) -> CardManifest | None:
    obj = await bucket.get(card_manifest_key(test_id, rev))
    if obj is None:
        return None
    try:
        return CardManifest.from_json(json.loads(obj.body))
    except ValueError:
        return None  # unreadable: the pages go without cards, the next save writes another


def _bundle(test_id: str, doc: dict[str, Any], cards: CardManifest | None) -> PageBundle:
    return PageBundle(
        test_id=test_id,
        rev=doc["rev"],
        updated_at=doc["updatedAt"],
        locale=doc.get("locale", "ko"),
        title=doc["title"],
        description=doc.get("description", ""),
        question_count=len(doc["questions"]),
        thumbnail=doc.get("thumbnail"),
        results=tuple(
            PageResult(r["id"], r["title"], r.get("description", ""), r.get("image"))
            for r in doc["results"]
        ),
        cards=cards,
    )


async def current_card(b: Bindings, test_id: str) -> bytes | None:
    """The PNG of the published test's current card (the list's thumbnail fallback); None when
    it has none yet. NotFound when the test is not published."""
    page = await public_page(b, test_id)
    if page.card is None:
        return None
    obj = await b.bucket.get(card_key(page.card))
    return None if obj is None else obj.body


async def sitemap_entries(b: Bindings) -> list[tuple[str, str]]:
    """``(test id, updatedAt)`` of every published test (at most ``SITEMAP_LIMIT``), through
    the Cache API under the sitemap's URL (tagged as the lists: every save purges it)."""
    url = sitemap_url(b.settings.public_origin)
    cached = await b.cache.match(url)
    if cached is not None:
        return [(str(i), str(at)) for i, at in json.loads(cached.body)]
    entries = await TestsRepo(b.db).published_stamps(SITEMAP_LIMIT)
    headers = {
        "content-type": "application/json",
        "cache-control": page_cache_control(b.settings),
        "cache-tag": LIST_TAG,
    }
    await b.cache.put(url, CachedResponse(200, headers, json_bytes(entries)))
    return entries
