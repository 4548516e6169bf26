"""Timestamps as ISO 8601 UTC strings with milliseconds (sortable as text in SQL)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_ms"]


def iso_ms(ms: int) -> str:
    """``2026-11-26T02:30:00.123Z`` for ``ms`` since the epoch."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
