"""``adapter.cache``: ``CfCache`` over a real Miniflare ``caches.default`` (bridge.mjs)."""

from __future__ import annotations

from typing import Any

URL = "https://quiz.example.com/api/tests/cache-check"


async def check_put_match_delete_roundtrip(h: Any) -> None:
    from quizhub.cloudflare.cache import CfCache
    from quizhub.ports import CachedResponse

    cache = CfCache(h.bridge.caches_default)
    await cache.delete(URL)
    assert await cache.match(URL) is None
    headers = {"Content-Type": "application/json", "ETag": '"r1"', "Cache-Control": "s-maxage=60"}
    await cache.put(URL, CachedResponse(200, headers, '{"t":"캐시"}'.encode()))
    hit = await cache.match(URL)
    assert hit is not None and hit.status == 200 and hit.body == '{"t":"캐시"}'.encode()
    assert hit.headers["etag"] == '"r1"'  # the Cache API hands header names back lower-cased
    assert await cache.delete(URL) is True
    assert await cache.match(URL) is None and await cache.delete(URL) is False


async def check_an_uncacheable_response_is_not_kept(h: Any) -> None:
    from quizhub.cloudflare.cache import CfCache
    from quizhub.ports import CachedResponse

    cache = CfCache(h.bridge.caches_default)
    await cache.put(URL + "-nostore", CachedResponse(200, {"Cache-Control": "no-store"}, b"x"))
    assert await cache.match(URL + "-nostore") is None
