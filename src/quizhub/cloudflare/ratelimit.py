"""A Workers Rate Limiting binding (``[[ratelimits]]``) as the ``RateLimiter`` port."""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import from_js, to_js, unwrap

__all__ = ["RateLimitAdapter"]


class RateLimitAdapter:
    """``await env.X.limit({key})`` → ``{success}``."""

    def __init__(self, binding: Any) -> None:
        self._binding = unwrap(binding)

    async def limit(self, key: str) -> bool:
        """True while ``key`` is under the binding's limit in this location."""
        answer = from_js(await self._binding.limit(to_js({"key": key})))
        return bool(isinstance(answer, dict) and answer.get("success"))
