"""Revisions: monotonic, sortable ULID strings assigned when a save is accepted.

A rev is 26 Crockford base32 characters: 48 bits of milliseconds since the epoch followed by
80 random bits. Within one generator, revs made in the same millisecond (or after the clock
stepped back) increment the previous value, so they stay strictly increasing. Nothing here runs
at import time: Workers snapshot module top levels, so time and randomness live in calls.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from quizhub.domain.wire import iso_ms

__all__ = ["RevGenerator", "rev_time_ms", "rev_timestamp", "is_rev", "REV_PATTERN"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)}
REV_PATTERN = r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$"
_REV_RE = re.compile(REV_PATTERN)
_MAX_RANDOM = (1 << 80) - 1


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_rev(value: object) -> bool:
    """True when ``value`` is a well-formed rev string."""
    return isinstance(value, str) and bool(_REV_RE.match(value))


def rev_time_ms(rev: str) -> int:
    """The accept time (ms since the epoch) encoded in ``rev``."""
    value = 0
    for c in rev:
        value = (value << 5) | _DECODE[c]
    return value >> 80


def rev_timestamp(rev: str) -> str:
    """The ``updatedAt`` of the revision ``rev`` (its accept time, ISO 8601 UTC with ms)."""
    return iso_ms(rev_time_ms(rev))


class RevGenerator:
    """Makes strictly increasing revs from a clock (injectable for tests) and randomness."""

    def __init__(self, random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        self._random_bytes = random_bytes
        self._last_ms = -1
        self._last_rand = 0

    def new(self, now_ms: int) -> str:
        """A rev for an event at ``now_ms``, greater than every rev this generator made."""
        if now_ms > self._last_ms:
            ms, rand = now_ms, int.from_bytes(self._random_bytes(10), "big") >> 1
        elif self._last_rand < _MAX_RANDOM:
            ms, rand = self._last_ms, self._last_rand + 1
        else:
            ms, rand = self._last_ms + 1, 0
        self._last_ms, self._last_rand = ms, rand
        return _encode((ms << 80) | rand)
