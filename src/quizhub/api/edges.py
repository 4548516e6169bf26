"""What every API request and response passes through, on both platforms: request bodies decoded
as strict JSON (``quizhub.domain.wire.parse_json``), and ``X-Content-Type-Options: nosniff`` on
every answer, errors included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from quizhub.domain.wire import parse_json

__all__ = ["StrictJSONRoute", "NoSniff", "NOSNIFF"]

NOSNIFF = {"X-Content-Type-Options": "nosniff"}


class _StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            # A JSONDecodeError here is FastAPI's 422 ``json_invalid`` (quizhub.api.errors).
            self._json = parse_json(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is decoded by ``parse_json``: an unpaired surrogate, ``NaN`` or a
    body nested past the decoder's depth is a 422, never a 500 further in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(_StrictJSONRequest(request.scope, request.receive))

        return strict


Message = MutableMapping[str, Any]
_NOSNIFF_HEADER = (b"x-content-type-options", b"nosniff")


class NoSniff:
    """Add ``X-Content-Type-Options: nosniff`` to every response the app sends (pure ASGI)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_nosniff(event: Message) -> None:
            if event["type"] == "http.response.start":
                headers = list(event.get("headers", []))
                if all(name.lower() != _NOSNIFF_HEADER[0] for name, _ in headers):
                    headers.append(_NOSNIFF_HEADER)
                event = {**event, "headers": headers}
            await send(event)

        await self.app(scope, receive, with_nosniff)
