"""The Cache API and zone purge on the local platform: an in-memory, per-process cache.

One ``LocalCache`` is one data centre: on Cloudflare ``caches.default`` is per location and its
``delete`` only purges there, so a cache held in memory by one process is the honest stand-in.
Freshness follows the stored response: ``s-maxage`` wins over ``max-age``, then ``Expires``;
``no-store``/``private`` responses and ones with ``Set-Cookie`` are not stored (as on Cloudflare),
and a response without any freshness header is kept until it is deleted, purged or evicted.
``LocalCachePurger`` plays the global zone purge: by URL, and by the comma-separated
``Cache-Tag`` header the response was stored with (tags compare case-insensitively).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from quizhub.ports import CachedResponse

__all__ = ["LocalCache", "LocalCachePurger", "freshness_ms"]

_DIRECTIVE = re.compile(r"([a-z-]+)\s*(?:=\s*\"?(\d+)\"?)?")


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _tags(response: CachedResponse) -> set[str]:
    raw = _header(response.headers, "Cache-Tag") or ""
    return {t.strip().lower() for t in raw.split(",") if t.strip()}


def freshness_ms(headers: dict[str, str], now_ms: int) -> int | None:
    """How long a response may be served from cache: 0 = never, None = no limit stated."""
    if _header(headers, "Set-Cookie") is not None:
        return 0
    directives = {
        m.group(1): m.group(2)
        for m in _DIRECTIVE.finditer((_header(headers, "Cache-Control") or "").lower())
    }
    if "no-store" in directives or "private" in directives:
        return 0
    for name in ("s-maxage", "max-age"):
        seconds = directives.get(name)
        if seconds is not None:
            return int(seconds) * 1000
    expires = _header(headers, "Expires")
    if expires is not None:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return 0  # an invalid Expires means "already expired"
        return max(0, int(when.timestamp() * 1000) - now_ms)
    return None


@dataclass(frozen=True)
class _Entry:
    response: CachedResponse
    expires_ms: int | None
    tags: frozenset[str]


class LocalCache:
    """``caches.default`` for one process: match/put/delete keyed by absolute URL."""

    def __init__(self, clock_ms: Callable[[], int], *, max_entries: int = 10_000) -> None:
        self._clock_ms = clock_ms
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    async def match(self, url: str) -> CachedResponse | None:
        """The fresh stored response for ``url``, None on a miss or when it has expired."""
        entry = self._entries.get(url)
        if entry is None:
            return None
        if entry.expires_ms is not None and self._clock_ms() >= entry.expires_ms:
            del self._entries[url]
            return None
        self._entries.move_to_end(url)
        return entry.response

    async def put(self, url: str, response: CachedResponse) -> None:
        """Store ``response`` under ``url`` unless its headers forbid caching."""
        if response.status == 206:
            raise TypeError("Cache.put does not accept partial (206) responses")
        if (_header(response.headers, "Vary") or "").strip() == "*":
            raise TypeError("Cache.put does not accept responses with 'Vary: *'")
        now = self._clock_ms()
        ttl = freshness_ms(response.headers, now)
        if ttl == 0:
            self._entries.pop(url, None)
            return
        stored = CachedResponse(response.status, dict(response.headers), bytes(response.body))
        expires = None if ttl is None else now + ttl
        self._entries[url] = _Entry(stored, expires, frozenset(_tags(stored)))
        self._entries.move_to_end(url)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, url: str) -> bool:
        """Remove the entry for ``url``; True when there was one."""
        return self._entries.pop(url, None) is not None

    def urls(self) -> list[str]:
        """The URLs currently stored (fresh or not), oldest first; for tests and the dev UI."""
        return list(self._entries)

    def purge_tags(self, tags: list[str]) -> int:
        """Drop every entry carrying one of ``tags``; returns how many were dropped."""
        wanted = {t.strip().lower() for t in tags}
        doomed = [url for url, entry in self._entries.items() if entry.tags & wanted]
        for url in doomed:
            del self._entries[url]
        return len(doomed)


class LocalCachePurger:
    """The global purge (``Purger`` port) over one or more local caches (data centres)."""

    def __init__(self, *caches: LocalCache) -> None:
        self.caches = list(caches)
        # Every purge request, in order: tests assert what was purged and when.
        self.history: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        """Drop the given URLs and every response stored with one of the given Cache-Tags."""
        self.history.append((tuple(tags), tuple(urls)))
        for cache in self.caches:
            for url in urls:
                await cache.delete(url)
            if tags:
                cache.purge_tags(tags)
