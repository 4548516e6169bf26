"""Queue messages as the broker stores and leases them: limits, body encoding, lease records."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_MESSAGE_BYTES",
    "MAX_DELAY_SECONDS",
    "DEFAULT_LEASE_MS",
    "Decision",
    "QueueMessageTooLarge",
    "LeasedMessage",
    "Lease",
    "encode_body",
    "decode_body",
]

MAX_MESSAGE_BYTES = 128_000
MAX_DELAY_SECONDS = 86_400
DEFAULT_LEASE_MS = 60_000

# ("ack", None) or ("retry", delay in seconds)
Decision = tuple[str, float | None]


class QueueMessageTooLarge(ValueError):
    """A message (or batch) over the Cloudflare Queues size limit."""


@dataclass(frozen=True)
class LeasedMessage:
    """One message handed to a consumer: ``attempts`` is 1 on the first delivery."""

    seq: int
    id: str
    body: Any
    attempts: int
    timestamp_ms: int


@dataclass(frozen=True)
class Lease:
    """A leased batch; settle it with its ``token`` before ``until_ms``."""

    token: str
    until_ms: int
    messages: list[LeasedMessage]


def encode_body(body: Any, content_type: str) -> tuple[str, int]:
    """The stored form of a message body and its size in bytes (checked against the limit)."""
    if content_type == "json":
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        stored, size = text, len(text.encode("utf-8"))
    elif content_type == "text":
        if not isinstance(body, str):
            raise TypeError("a 'text' message body must be a str")
        stored, size = body, len(body.encode("utf-8"))
    elif content_type == "bytes":
        if not isinstance(body, bytes | bytearray | memoryview):
            raise TypeError("a 'bytes' message body must be bytes")
        raw = bytes(body)
        stored, size = base64.b64encode(raw).decode("ascii"), len(raw)
    else:
        raise ValueError(
            f"message content type {content_type!r} is invalid; use json, text or bytes"
        )
    if size > MAX_MESSAGE_BYTES:
        raise QueueMessageTooLarge(
            f"message length of {size} bytes exceeds limit of {MAX_MESSAGE_BYTES}"
        )
    return stored, size


def decode_body(content_type: str, stored: str) -> Any:
    """The body a consumer sees, from its stored form."""
    if content_type == "json":
        return json.loads(stored)
    if content_type == "bytes":
        return base64.b64decode(stored)
    return stored
