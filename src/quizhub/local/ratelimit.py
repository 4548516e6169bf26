"""The local stand-in for the Workers Rate Limiting binding: fixed windows on the platform clock.

Like the binding it answers only allowed or not, per key, ``limit`` calls per ``period``
seconds; unlike it, it counts for the whole process (Cloudflare counts per location).
"""

from __future__ import annotations

from collections.abc import Callable

from quizhub.edge.ratelimits import RateRule

__all__ = ["LocalRateLimiter"]


class LocalRateLimiter:
    """``await limiter.limit(key)`` → True while ``key`` is under the rule's limit."""

    def __init__(self, rule: RateRule, clock_ms: Callable[[], int]) -> None:
        self.rule = rule
        self.clock_ms = clock_ms
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window, count)

    async def limit(self, key: str) -> bool:
        window = self.clock_ms() // (self.rule.period * 1000)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            count = 0
        if len(self._windows) > 100_000:  # old windows go; keys of the current one stay
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        self._windows[key] = (window, count + 1)
        return count < self.rule.limit
