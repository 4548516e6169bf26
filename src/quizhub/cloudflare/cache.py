"""Cache adapter: ``quizhub.ports.Cache`` over the Cache API (``caches.default``).

The Cache API is per data centre: ``delete`` purges only where it runs, and on *.workers.dev
it does nothing. Global invalidation is the zone purge (``quizhub.edge.cdn.ZonePurger``).
"""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import from_js, is_null, js_bytes, to_js
from quizhub.ports import CachedResponse

__all__ = ["CfCache"]


def _request(url: str) -> Any:
    import js

    return js.Request.new(url)


class CfCache:
    """``caches.default`` (or a given JS Cache object), keyed by absolute URL (GET)."""

    def __init__(self, js_cache: Any = None) -> None:
        self._given = js_cache
        self._resolved: Any = None

    @property
    def _cache(self) -> Any:
        # Resolved on first use: `caches` exists only inside the Workers runtime.
        if self._resolved is None:
            if self._given is not None:
                self._resolved = self._given
            else:
                import js

                self._resolved = js.caches.default
        return self._resolved

    async def match(self, url: str) -> CachedResponse | None:
        raw = await self._cache.match(_request(url))
        if is_null(raw):
            return None
        import js

        headers = from_js(js.Object.fromEntries(raw.headers)) or {}
        body = (await raw.arrayBuffer()).to_bytes()
        return CachedResponse(status=int(raw.status), headers=dict(headers), body=body)

    async def put(self, url: str, response: CachedResponse) -> None:
        """Store ``response`` under ``url``; its Cache-Control decides how long it lives."""
        import js

        init = to_js({"status": response.status, "headers": dict(response.headers)})
        body = js_bytes(response.body) if response.body else None
        await self._cache.put(_request(url), js.Response.new(body, init))

    async def delete(self, url: str) -> bool:
        return bool(await self._cache.delete(_request(url)))
