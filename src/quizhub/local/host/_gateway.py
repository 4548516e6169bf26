"""The local stand-in for the Workers front door: the paths the API Worker answers first
(``quizhub.edge.cdn.WORKER_FIRST``, wrangler.toml's ``run_worker_first``: the API, the pages,
the cards, robots.txt and the sitemap) → the app (``LocalPlatform.app()``), everything else →
static assets."""

from __future__ import annotations

from typing import Any

from quizhub.edge.cdn import worker_first
from quizhub.push.protocol import LIVE_ROOT

__all__ = ["Gateway"]


class Gateway:
    """Routes like Workers static assets + ``run_worker_first``; delegates lifespan events.

    ``api`` already carries its bindings (``LocalPlatform.app()``); ``live`` serves the live-status
    WebSockets (``LocalLive.endpoint``), like the API Worker handing them to the Durable Object,
    and refuses plain requests under ``/api/live/`` as the API Worker does (426 on a live path)."""

    def __init__(self, api: Any, static: Any, lifespan: Any = None, live: Any = None) -> None:
        self.api = api
        self.static = static
        self.lifespan = lifespan
        self.live = live

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            if self.lifespan is not None:
                await self.lifespan(scope, receive, send)
            return
        if scope["type"] == "websocket":
            if self.live is not None:
                await self.live(scope, receive, send)
            else:
                await receive()
                await send({"type": "websocket.close", "code": 1008})
            return
        path = scope.get("path", "")
        if self.live is not None and path.startswith(LIVE_ROOT):
            await self.live(scope, receive, send)
        elif worker_first(path) or self.static is None:
            await self.api(scope, receive, send)
        else:
            await self.static(scope, receive, send)
