"""HEAD wherever GET works: the app answers a HEAD as the GET it mirrors, without the body
(pure ASGI, so the API Worker and the local server behave alike)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["HeadAsGet"]

Message = MutableMapping[str, Any]


class HeadAsGet:
    """Route a HEAD request as GET; keep the status and headers, drop the body."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(event: Message) -> None:
            if event["type"] == "http.response.body":
                if not event.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(event)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
