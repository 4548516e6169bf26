"""KV adapter: ``quizhub.ports.KVNamespace`` over the JS ``KVNamespace`` binding."""

from __future__ import annotations

import json
from typing import Any, Literal

from quizhub.cloudflare._ffi import call_options, from_js, unwrap

__all__ = ["KV"]


class KV:
    """``env.KV``: get (text/json) / put (expirationTtl, metadata) / delete / list."""

    def __init__(self, binding: Any) -> None:
        self._kv = unwrap(binding)

    async def get(self, key: str, type: Literal["text", "json"] = "text") -> Any:
        """The value (str, or parsed JSON for ``type="json"``), None when missing or expired."""
        # Read text and parse in Python: exact JSON semantics (ints stay ints, null is None).
        raw = from_js(await self._kv.get(key, "text"))
        if raw is None:
            return None
        text = str(raw)
        return json.loads(text) if type == "json" else text

    async def put(
        self, key: str, value: str, *, expiration_ttl: int | None = None, metadata: Any = None
    ) -> None:
        """``expiration_ttl`` is in seconds and must be >= 60 (Cloudflare rejects less)."""
        if not isinstance(value, str):
            raise TypeError(f"KV values are strings here, got {type(value)!r}")
        await self._kv.put(
            key, value, call_options(expirationTtl=expiration_ttl, metadata=metadata)
        )

    async def delete(self, key: str) -> None:
        await self._kv.delete(key)

    async def list(
        self, *, prefix: str | None = None, limit: int = 1000, cursor: str | None = None
    ) -> Any:
        raw = from_js(await self._kv.list(call_options(prefix=prefix, limit=limit, cursor=cursor)))
        complete = bool(raw.get("list_complete", True))
        return {
            "keys": [
                {k: v for k, v in key.items() if k in ("name", "expiration", "metadata")}
                for key in raw.get("keys", [])
            ],
            "list_complete": complete,
            "cursor": None if complete else (raw.get("cursor") or None),
        }
