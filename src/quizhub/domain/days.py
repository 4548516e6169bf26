"""Days as the site counts them: Korean days (KST = UTC+9, no daylight saving time), the
site's audience. Play analytics roll up by them, the public 인기순 sums the last few, and the
admin's 통계 shows windows of them (searches that found nothing included)."""

from __future__ import annotations

__all__ = ["KST_OFFSET_MS", "DAY_MS", "MAX_DAYS", "day_of"]

KST_OFFSET_MS = 9 * 3600 * 1000
DAY_MS = 24 * 3600 * 1000
# The longest window the admin's 통계 shows, in days (and so how long day counts are kept).
MAX_DAYS = 365


def day_of(ms: int) -> int:
    """The Korean day ``ms`` falls on, as days since 1970-01-01."""
    return (ms + KST_OFFSET_MS) // DAY_MS
