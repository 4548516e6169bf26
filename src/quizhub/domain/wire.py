"""Wire formats written once: timestamps (ISO 8601 UTC with ms, sortable as text in SQL) and
compact UTF-8 JSON (Korean text unescaped; what R2 objects, KV values, responses and queue
messages hold, so sizes measured here are the sizes stored)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["iso_ms", "ms_of_iso", "json_text", "json_bytes"]


def iso_ms(ms: int) -> str:
    """``2026-11-26T02:30:00.123Z`` for ``ms`` since the epoch."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def ms_of_iso(text: str) -> int:
    """Milliseconds since the epoch of a wire timestamp (the inverse of ``iso_ms``)."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def json_text(data: Any, *, sort_keys: bool = False) -> str:
    """Compact JSON text with non-ASCII characters kept as they are (``sort_keys``: the
    canonical form, the same length)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


def json_bytes(data: Any, *, sort_keys: bool = False) -> bytes:
    """``json_text`` as UTF-8 bytes."""
    return json_text(data, sort_keys=sort_keys).encode("utf-8")
