"""JSON responses with caching headers."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from quizhub.domain.wire import json_bytes

__all__ = [
    "json_response",
    "etag_matches",
    "NO_STORE",
]
NO_STORE = "no-store"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (UTF-8, Korean text unescaped)."""
    return Response(
        json_bytes(data), status_code=status, media_type="application/json", headers=headers
    )


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header against ``etag`` ("<rev>")."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags
