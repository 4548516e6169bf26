"""R2's rules, checked before anything is stored: key shape, value types, metadata, onlyIf."""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_KEY_BYTES",
    "MAX_CUSTOM_METADATA_BYTES",
    "MAX_LIST_LIMIT",
    "HTTP_METADATA_KEYS",
    "check_key",
    "as_bytes",
    "check_metadata",
    "precondition_holds",
]

MAX_KEY_BYTES = 1024
MAX_CUSTOM_METADATA_BYTES = 8192
MAX_LIST_LIMIT = 1000
HTTP_METADATA_KEYS = frozenset(
    {
        "contentType",
        "contentLanguage",
        "contentDisposition",
        "contentEncoding",
        "cacheControl",
        "cacheExpiry",
    }
)


def check_key(key: Any) -> str:
    """``key`` if it is a str of 1..1024 bytes of UTF-8, else TypeError/ValueError."""
    if not isinstance(key, str):
        raise TypeError(f"R2 key must be a str, not {type(key).__name__}")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("R2 key must be valid UTF-8") from None
    if not 1 <= size <= MAX_KEY_BYTES:
        raise ValueError(f"R2 key must be 1..{MAX_KEY_BYTES} bytes of UTF-8, got {size}")
    return key


def as_bytes(value: bytes | str | None) -> bytes:
    """The body to store for a put value."""
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"R2 put takes bytes, str or None, not {type(value).__name__}")


def _str_map(value: dict[str, str] | None, what: str) -> dict[str, str]:
    out = dict(value or {})
    for k, v in out.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"{what} keys and values must be str")
    return out


def check_metadata(
    http_metadata: dict[str, str] | None, custom_metadata: dict[str, str] | None
) -> tuple[dict[str, str], dict[str, str]]:
    """Validated copies of (http_metadata, custom_metadata)."""
    http = _str_map(http_metadata, "http_metadata")
    unknown = set(http) - HTTP_METADATA_KEYS
    if unknown:
        raise ValueError(f"unknown http_metadata fields {sorted(unknown)}")
    custom = _str_map(custom_metadata, "custom_metadata")
    size = sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in custom.items())
    if size > MAX_CUSTOM_METADATA_BYTES:
        raise ValueError(f"custom_metadata is {size} bytes; R2 allows {MAX_CUSTOM_METADATA_BYTES}")
    return http, custom


def precondition_holds(only_if: dict[str, str] | None, current_etag: str | None) -> bool:
    """R2 ``onlyIf``: ``etag_matches`` needs a matching object, ``etag_does_not_match`` not."""
    conditions = dict(only_if or {})
    unknown = set(conditions) - {"etag_matches", "etag_does_not_match"}
    if unknown:
        raise ValueError(f"unsupported only_if conditions {sorted(unknown)}")
    matches = conditions.get("etag_matches")
    if matches is not None:
        wanted = matches.strip('"')
        if current_etag is None or (wanted != "*" and wanted != current_etag):
            return False
    differs = conditions.get("etag_does_not_match")
    if differs is not None and current_etag is not None:
        unwanted = differs.strip('"')
        if unwanted == "*" or unwanted == current_etag:
            return False
    return True
