"""Opaque pagination cursors: a JSON position, base64url without padding.

Every paginated endpoint (tests, search pages, versions, jobs) encodes its position here and
reads it back here; a cursor this API did not make is a 422 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from quizhub.errors import Invalid

__all__ = ["encode_cursor", "decode_cursor", "decode_strings", "bad_cursor"]


def encode_cursor(position: Any) -> str:
    raw = json.dumps(position).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The position inside ``cursor`` (``None`` when it does not decode)."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None


def decode_strings(cursor: str, size: int) -> list[str]:
    """A cursor made from a list of ``size`` strings (else 422 invalid_cursor)."""
    position = decode_cursor(cursor)
    if not isinstance(position, list) or len(position) != size:
        raise bad_cursor()
    if not all(isinstance(p, str) for p in position):
        raise bad_cursor()
    return position


def bad_cursor() -> Invalid:
    return Invalid(
        "cursor is not one this API returned",
        code="invalid_cursor",
        details=[{"loc": ["query", "cursor"], "msg": "malformed cursor", "type": "cursor"}],
    )
