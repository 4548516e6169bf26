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
]

log = logging.getLogger("quizhub.edge.cdn")
_API = "https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache"
_MAX_ITEMS = 100  # per purge request (Cloudflare limit)
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


def tags_for_test(test_id: str) -> list[str]:
    """Cache-Tag values of everything that shows ``test_id`` (its detail and the lists)."""
    return [f"test:{test_id}", LIST_TAG]


def urls_for_test(origin: str, test_id: str) -> list[str]:
    """URLs cached under the exact-URL key that show ``test_id``."""
    return [detail_url(origin, test_id), list_url(origin)]


# Edge lifetime of a public detail: a day when the zone purge can end it early everywhere (a
# purge that fails is owed, and the read path skips the caches of a test with a debt until the
# sweep pays it); without a purge nothing can reach the other data centres, so copies must
# expire on their own.
EDGE_TTL_WITH_PURGE = 86_400
EDGE_TTL_WITHOUT_PURGE = 60
BROWSER_TTL = 30


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
        for chunk in _chunks(items, _MAX_ITEMS):
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
