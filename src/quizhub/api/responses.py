"""JSON responses with caching headers."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response

from quizhub.bindings import Settings

__all__ = [
    "json_bytes",
    "json_response",
    "etag_matches",
    "detail_cache_control",
    "PUBLIC_LIST_CACHE",
    "NO_STORE",
]
PUBLIC_LIST_CACHE = "public, max-age=15, s-maxage=300"
NO_STORE = "no-store"


def detail_cache_control(settings: Settings) -> str:
    """Browsers revalidate quickly (cheap 304s). The edge keeps a detail for a day when a global
    purge by Cache-Tag is configured; without one, only the consumer's own data centre is purged,
    so other data centres may keep a copy only as long as the KV TTL."""
    edge = 86_400 if settings.cf_api_token and settings.cf_zone_id else settings.kv_ttl_seconds
    return f"public, max-age=30, s-maxage={edge}, stale-while-revalidate=30"


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
