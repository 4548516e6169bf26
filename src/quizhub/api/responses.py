"""JSON responses with caching headers."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response

__all__ = ["json_bytes", "json_response", "etag_matches", "PUBLIC_DETAIL_CACHE", "PUBLIC_LIST_CACHE", "NO_STORE"]

# Browsers revalidate quickly (cheap 304s); the edge keeps it until a purge by Cache-Tag.
PUBLIC_DETAIL_CACHE = "public, max-age=30, s-maxage=86400, stale-while-revalidate=30"
PUBLIC_LIST_CACHE = "public, max-age=15, s-maxage=300"
NO_STORE = "no-store"


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (UTF-8, Korean text unescaped)."""
    return Response(json_bytes(data), status_code=status, media_type="application/json", headers=headers)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header against ``etag`` ("<rev>")."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags
