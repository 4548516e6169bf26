"""Request body size limits, enforced before any parsing (pure ASGI, works in Workers too)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["BodyLimitMiddleware", "DOCUMENT_LIMIT", "IMAGE_LIMIT"]

DOCUMENT_LIMIT = 1024 * 1024  # a test document (JSON) ≤ 1 MiB
IMAGE_LIMIT = 5 * 1024 * 1024  # an uploaded image ≤ 5 MB (plus multipart framing)
_MULTIPART_SLACK = 64 * 1024


class BodyLimitMiddleware:
    """Buffers the body up to the route's limit and answers 413 past it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    @staticmethod
    def limit_for(path: str) -> int:
        return (
            IMAGE_LIMIT + _MULTIPART_SLACK
            if path.startswith("/api/admin/images")
            else DOCUMENT_LIMIT
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            event = await receive()
            if event["type"] == "http.disconnect":
                return
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(chunk)
            more = event.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            event: dict[str, Any] = await receive()
            return event

        await self.app(scope, replay, send)


async def _too_large(send: Any, limit: int) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "too_large",
                "message": f"request body exceeds {limit} bytes",
                "details": {"limit": limit},
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
