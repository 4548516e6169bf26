"""Exponential retry backoff, written once: the save queue's and the analytics queue's retries."""

from __future__ import annotations

__all__ = ["backoff_seconds"]


def backoff_seconds(base: int, cap: int, attempts: int) -> int:
    """Exponential backoff after the ``attempts``-th failure: base·2^(n-1), at most ``cap``."""
    return int(min(base * 2 ** min(max(attempts - 1, 0), 20), cap))
