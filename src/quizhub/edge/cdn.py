"""Caching rules written once: cache keys = purge URLs, Cache-Tags, edge TTLs, and the global
invalidation after a commit (Cloudflare's zone purge)."""

from __future__ import annotations

import json
import logging

from quizhub.bindings import Settings
from quizhub.domain.images import VARIANT_WIDTHS
from quizhub.errors import Code, Permanent, Transient
from quizhub.ports import HttpFetch

__all__ = [
    "ZonePurger",
    "LIST_TAG",
    "LIST_CACHE_CONTROL",
    "COUNTS_CACHE_CONTROL",
    "COUNTS_FRESHNESS_SECONDS",
    "IMAGE_CACHE_CONTROL",
    "CARD_CACHE_CONTROL",
    "image_path",
    "detail_url",
    "list_url",
    "tags_for_test",
    "urls_for_test",
    "detail_cache_control",
    "has_zone_purge",
    "EDGE_TTL_WITH_PURGE",
    "EDGE_TTL_WITHOUT_PURGE",
    "NoGlobalPurge",
    "image_tags",
    "image_urls",
    "test_page_path",
    "result_page_path",
    "card_path",
    "page_url",
    "sitemap_url",
    "SITEMAP_PATH",
    "ROBOTS_PATH",
    "WORKER_FIRST",
    "worker_first",
    "page_cache_control",
    "MAX_PURGE_ITEMS",
]

log = logging.getLogger("quizhub.edge.cdn")
_API = "https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache"
# Items (tags or URLs) per purge request: Cloudflare's limit on every plan but Enterprise (whose
# URL purges take 500). A longer list is sent as several requests of at most this many.
MAX_PURGE_ITEMS = 100
# Cache-Tag of every public list response (one save can change any list page).
LIST_TAG = "tests:list"
# Public participation counts (a test's stats, ``participants`` on list items, the 인기순
# order) are refreshed per analytics batch and must be at most COUNTS_FRESHNESS_SECONDS old
# where people see them: a batch waits up to the analytics queue's max_batch_timeout, then an
# edge copy may live s-maxage and a browser copy max-age on top (tests/api/test_participation.py
# adds them up against the wrangler config).
COUNTS_FRESHNESS_SECONDS = 60
COUNTS_CACHE_CONTROL = "public, max-age=15, s-maxage=30"
LIST_CACHE_CONTROL = COUNTS_CACHE_CONTROL
# Images are stored under content-addressed keys: their bytes never change.
IMAGE_CACHE_CONTROL = "public, max-age=31536000, immutable"
# So are preview cards (named by the hash of what they show).
CARD_CACHE_CONTROL = IMAGE_CACHE_CONTROL


def detail_url(origin: str, test_id: str) -> str:
    """The cache key of a public test detail, and the URL its purge names: one rule for both."""
    return f"{origin.rstrip('/')}/api/tests/{test_id}"


def list_url(origin: str) -> str:
    """The first page of the public list (the URL a purge by URL names)."""
    return f"{origin.rstrip('/')}/api/tests"


def image_tags(image_key: str) -> list[str]:
    """Cache-Tag of every answer of an image's URL (each width and format)."""
    return [f"image:{image_key}"]


def image_path(image_key: str) -> str:
    """The public path of an image (what documents link; ``?w=`` picks a variant)."""
    return f"/api/images/{image_key}"


def image_urls(origin: str, image_key: str) -> list[str]:
    """The image's URLs a purge by URL names: the plain one and each variant width."""
    base = f"{origin.rstrip('/')}{image_path(image_key)}"
    return [base, *(f"{base}?w={w}" for w in VARIANT_WIDTHS)]


# Paths the API Worker answers before static assets (wrangler.toml's run_worker_first, and the
# local server's routing: tests/deploy checks they agree). Pages outside /api/ are HTML.
WORKER_FIRST = ("/api/*", "/t/*", "/test/*", "/cards/*", "/robots.txt", "/sitemap.xml")
SITEMAP_PATH = "/sitemap.xml"
ROBOTS_PATH = "/robots.txt"


def worker_first(path: str) -> bool:
    """Whether a request for ``path`` goes to the API Worker (else to the static assets)."""
    for pattern in WORKER_FIRST:
        if pattern.endswith("/*"):
            if path == pattern[:-2] or path.startswith(pattern[:-1]):
                return True
        elif path == pattern:
            return True
    return False


def test_page_path(test_id: str) -> str:
    """The address of a test: ``/t/{id}`` (server-rendered, then the player)."""
    return f"/t/{test_id}"


def result_page_path(test_id: str, result_id: str) -> str:
    """The address of one result of a test, the one players share."""
    return f"/t/{test_id}/r/{result_id}"


def card_path(card_hash: str) -> str:
    """The public address of a preview card (immutable: its name is its content's hash)."""
    return f"/cards/{card_hash}.png"


def page_url(origin: str, test_id: str) -> str:
    """The cache key of everything a test's pages show (its page and every result page are
    rendered from one cached entry), and the URL its purge names."""
    return f"{origin.rstrip('/')}{test_page_path(test_id)}"


def sitemap_url(origin: str) -> str:
    """The sitemap index (cached; every save can change it)."""
    return f"{origin.rstrip('/')}{SITEMAP_PATH}"


def tags_for_test(test_id: str) -> list[str]:
    """Cache-Tag values of everything that shows ``test_id``: its detail, its pages (the test's,
    every result's, its card address) and the lists and sitemaps (``LIST_TAG``)."""
    return [f"test:{test_id}", LIST_TAG]


def urls_for_test(origin: str, test_id: str) -> list[str]:
    """URLs cached under the exact-URL key that show ``test_id``: a fixed four per test (the
    pages of all its results share one entry), so a purge by URL never depends on how many
    results a test has; the purger sends them ``MAX_PURGE_ITEMS`` at a time."""
    return [
        detail_url(origin, test_id),
        list_url(origin),
        page_url(origin, test_id),
        sitemap_url(origin),
    ]


# Edge lifetime of a public detail: a day when the zone purge can end it early everywhere (a
# purge that fails is owed, and the read path skips the caches of a test with a debt until the
# sweep pays it); without a purge nothing can reach the other data centres, so copies must
# expire on their own.
EDGE_TTL_WITH_PURGE = 86_400
EDGE_TTL_WITHOUT_PURGE = 60
BROWSER_TTL = 30


def page_cache_control(settings: Settings, *, complete: bool = True) -> str:
    """A page's: a detail's, but a page whose cards are not drawn yet (the card step runs after
    the purge) is kept at the edge only ``EDGE_TTL_WITHOUT_PURGE`` seconds, so its card shows
    within a minute without another purge."""
    if complete:
        return detail_cache_control(settings)
    return f"public, max-age={BROWSER_TTL}, s-maxage={EDGE_TTL_WITHOUT_PURGE}"


def has_zone_purge(settings: Settings) -> bool:
    """Whether the global purge (Cloudflare zone purge API) is configured."""
    return bool(settings.cf_api_token and settings.cf_zone_id)


def detail_cache_control(settings: Settings) -> str:
    """Browsers revalidate quickly (cheap 304s); the edge keeps a detail for a day when the zone
    purge is configured, else for EDGE_TTL_WITHOUT_PURGE seconds
    (docs/pipeline.md#live-and-its-staleness-bound)."""
    edge = EDGE_TTL_WITH_PURGE if has_zone_purge(settings) else EDGE_TTL_WITHOUT_PURGE
    return f"public, max-age={BROWSER_TTL}, s-maxage={edge}"


class NoGlobalPurge:
    """What runs where no purge can work: a Worker without a zone purge configured cannot reach
    other data centres (and a queue consumer's own Cache API caches nothing), so cached copies
    expire by their short edge TTL instead. Logged once per isolate so it is not a surprise."""

    warned = False

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        if not NoGlobalPurge.warned:
            NoGlobalPurge.warned = True
            log.warning(
                "no zone purge configured (CF_API_TOKEN, CF_ZONE_ID): edge copies expire "
                "within %d s instead of being purged",
                EDGE_TTL_WITHOUT_PURGE,
            )


class _RateLimited(Transient):
    """The zone purge answered 429: this kind of purge is out of its rate-limit budget."""


class ZonePurger:
    """Global purge through the Cloudflare API (needs an API token and zone id): by Cache-Tag,
    falling back to the URLs when the zone refuses tag purges or rate-limits them (purge by tag
    has a much smaller per-account budget than purge by URL, and a burst of saves can use it
    up). A purge that still fails raises; the caller owes it (``quizhub.store.purges``)."""

    def __init__(self, fetch: HttpFetch, api_token: str, zone_id: str) -> None:
        self.fetch = fetch
        self.api_token = api_token
        self.zone_id = zone_id

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        # Tags cover every response we cache (detail and lists carry Cache-Tag), and one request
        # per save keeps us inside the Free plan's purge rate limit.
        if tags:
            try:
                await self._purge("tags", tags)
                return
            except (Permanent, _RateLimited) as exc:
                if not urls:
                    raise
                why = "rate-limited" if isinstance(exc, _RateLimited) else "refused"
                log.warning("zone purge by tag %s; purging the URLs instead", why)
        await self._purge("files", urls)

    async def _purge(self, kind: str, items: list[str]) -> None:
        for chunk in _chunks(items, MAX_PURGE_ITEMS):
            status, raw = await self.fetch(
                "POST",
                _API.format(zone=self.zone_id),
                {"Authorization": f"Bearer {self.api_token}", "Content-Type": "application/json"},
                json.dumps({kind: chunk}).encode("utf-8"),
            )
            _check(status, raw)


def _check(status: int, raw: bytes) -> None:
    if status == 200:
        return
    detail = raw[:300].decode("utf-8", "replace")
    if status == 429:
        raise _RateLimited(f"zone purge answered {status}: {detail}", code=Code.PURGE_RATE_LIMITED)
    answered = {"status": status}
    if status >= 500:
        message = f"zone purge answered {status}: {detail}"
        raise Transient(message, code=Code.PURGE_FAILED, params=answered)
    message = f"zone purge rejected the request ({status}): {detail}"
    raise Permanent(message, code=Code.PURGE_REJECTED, params=answered)


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
