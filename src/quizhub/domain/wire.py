"""Wire formats written once: timestamps (ISO 8601 UTC with ms, sortable as text in SQL) and
compact UTF-8 JSON (Korean text unescaped; what R2 objects, KV values, responses and queue
messages hold, so sizes measured here are the sizes stored)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "iso_ms",
    "ms_of_iso",
    "json_text",
    "json_bytes",
    "parse_json",
    "DOCUMENT_LIMIT",
    "ENVELOPE_LIMIT",
]

# A test document as stored (``json_bytes`` of its content, defaults included) is at most this.
DOCUMENT_LIMIT = 1024 * 1024
# What GET adds around the stored content (id, rev, createdAt, updatedAt) and a save may add
# (baseRev): a PUT body may exceed DOCUMENT_LIMIT by this much, so a document sent back exactly
# as GET returned it always fits (id ≤ 63 characters, the rest ≤ 40 each: well under 1 KiB).
ENVELOPE_LIMIT = 1024


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


# A lone surrogate can only arrive as an escape from \uD800 to \uDFFF (UTF-8 cannot encode one), so
# the walk that finds it runs only when the raw text holds such an escape.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes | str) -> Any:
    """Decode untrusted JSON strictly: only what RFC 8259 allows and what can be stored again as
    UTF-8. Raises ``json.JSONDecodeError`` (a ``ValueError``) for invalid JSON, ``NaN`` and
    ``Infinity``, text with an unpaired surrogate (``"\\udc00"``) and nesting deeper than the
    decoder's stack, so callers map one exception to a 422."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise json.JSONDecodeError("not UTF-8", "", 0) from None
    try:
        data = json.loads(text, parse_constant=_constant)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # NaN / Infinity
        raise json.JSONDecodeError(str(exc), text, 0) from None
    if _SURROGATE_ESCAPE.search(text) and not _encodable(data):
        raise json.JSONDecodeError("text holds an unpaired surrogate (not Unicode text)", text, 0)
    return data


def _encodable(data: Any) -> bool:
    """Whether every string (keys included) in ``data`` encodes as UTF-8; iterative, so any depth
    the decoder accepted is walked without recursion."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings = [item]
        elif isinstance(item, dict):
            strings = list(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        for s in strings:
            try:
                s.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True
