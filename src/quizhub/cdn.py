"""Cache invalidation after a commit: the data-centre Cache API and Cloudflare's zone purge."""

from __future__ import annotations

import json
from collections.abc import Sequence

from quizhub.bindings import Settings
from quizhub.errors import Permanent, Transient
from quizhub.ports import Cache, HttpFetch, Purger

__all__ = [
    "CachePurger",
    "ZonePurger",
    "CompositePurger",
    "LIST_TAG",
    "LIST_CACHE_CONTROL",
    "detail_url",
    "list_url",
    "tags_for_test",
    "urls_for_test",
    "detail_cache_control",
]

_API = "https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache"
_MAX_ITEMS = 100  # per purge request (Cloudflare limit)
# Cache-Tag of every public list response (one save can change any list page).
LIST_TAG = "tests:list"
LIST_CACHE_CONTROL = "public, max-age=15, s-maxage=300"


def detail_url(origin: str, test_id: str) -> str:
    """The cache key of a public test detail, and the URL its purge names: one rule for both."""
    return f"{origin.rstrip('/')}/api/tests/{test_id}"


def list_url(origin: str) -> str:
    """The first page of the public list (the URL a purge by URL names)."""
    return f"{origin.rstrip('/')}/api/tests"


def tags_for_test(test_id: str) -> list[str]:
    """Cache-Tag values of everything that shows ``test_id`` (its detail and the lists)."""
    return [f"test:{test_id}", LIST_TAG]


def urls_for_test(origin: str, test_id: str) -> list[str]:
    """URLs cached under the exact-URL key that show ``test_id``."""
    return [detail_url(origin, test_id), list_url(origin)]


def detail_cache_control(settings: Settings) -> str:
    """Browsers revalidate quickly (cheap 304s). The edge keeps a detail for a day when a global
    purge by Cache-Tag is configured; without one, only the consumer's own data centre is purged,
    so other data centres may keep a copy only as long as the KV TTL."""
    edge = 86_400 if settings.cf_api_token and settings.cf_zone_id else settings.kv_ttl_seconds
    return f"public, max-age=30, s-maxage={edge}, stale-while-revalidate=30"


class CachePurger:
    """Deletes URLs from the Cache API where it runs (one data centre on Cloudflare)."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        for url in urls:
            await self.cache.delete(url)


class ZonePurger:
    """Global purge by Cache-Tag through the Cloudflare API (needs an API token and zone id)."""

    def __init__(self, fetch: HttpFetch, api_token: str, zone_id: str) -> None:
        self.fetch = fetch
        self.api_token = api_token
        self.zone_id = zone_id

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        # Tags cover every response we cache (detail and lists carry Cache-Tag), and one request
        # per save keeps us inside the Free plan's purge rate limit.
        for chunk in _chunks(tags or urls, _MAX_ITEMS):
            body = {"tags": chunk} if tags else {"files": chunk}
            status, raw = await self.fetch(
                "POST",
                _API.format(zone=self.zone_id),
                {"Authorization": f"Bearer {self.api_token}", "Content-Type": "application/json"},
                json.dumps(body).encode("utf-8"),
            )
            _check(status, raw)


def _check(status: int, raw: bytes) -> None:
    if status == 200:
        return
    detail = raw[:300].decode("utf-8", "replace")
    if status == 429 or status >= 500:
        raise Transient(f"zone purge answered {status}: {detail}")
    raise Permanent(f"zone purge rejected the request ({status}): {detail}")


class CompositePurger:
    """Runs several purgers in order (local data centre first, then the global purge)."""

    def __init__(self, purgers: Sequence[Purger]) -> None:
        self.purgers = list(purgers)

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        for purger in self.purgers:
            await purger.purge(tags=tags, urls=urls)


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
