"""Edge ports: the Cache API and the global purge, rate limits, the live-status channel and the
Cloudflare Access check of admin requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "CachedResponse",
    "Cache",
    "Purger",
    "HttpFetch",
    "RateLimiter",
    "LiveChannel",
    "AccessIdentity",
]


# ---------------------------------------------------------------- Cache and purge
@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class Cache(Protocol):
    """The Cache API (``caches.default``), keyed by absolute URL."""

    async def match(self, url: str) -> CachedResponse | None: ...

    async def put(self, url: str, response: CachedResponse) -> None: ...

    async def delete(self, url: str) -> bool: ...


class Purger(Protocol):
    """Global CDN purge (Cloudflare zone purge by tags and URLs)."""

    async def purge(self, *, tags: list[str], urls: list[str]) -> None: ...


# (method, url, headers, body) -> (status, response body)
HttpFetch = Callable[[str, str, dict[str, str], bytes], Awaitable[tuple[int, bytes]]]


# ---------------------------------------------------------------- Rate limiting
class RateLimiter(Protocol):
    """A Workers Rate Limiting binding: ``limit({key})`` → allowed or not (nothing else)."""

    async def limit(self, key: str) -> bool: ...


# ---------------------------------------------------------------- live status (quizhub.push)
class LiveChannel(Protocol):
    """Where a job's transitions go to reach the editors who have its test open: the test's
    Durable Object (Cloudflare) or the in-process hub (local)."""

    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        """Broadcast ``message`` (``quizhub.push.protocol.job_message``) to ``test_id``'s
        sockets."""


# ---------------------------------------------------------------- Cloudflare Access (quizhub.edge)
class AccessIdentity(Protocol):
    """Who a Cloudflare Access token names (``quizhub.edge.access.AccessVerifier``)."""

    async def identity(self, token: str) -> str:
        """The editor's email; ``quizhub.errors.Unauthorized`` saying why the token is refused."""
        ...
