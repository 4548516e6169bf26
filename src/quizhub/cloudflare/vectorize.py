"""``env.VECTORIZE`` (Vectorize V2) and ``env.AI`` (Workers AI) as search's vector ports.

Option dicts cross as plain JS objects (``to_js`` with ``Object.fromEntries``: workerd's own
Python Vectorize test notes that Maps "subtly fail"), vectors as JS number arrays, answers come
back as plain Python values.
"""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import call_options, from_js, to_js, unwrap

__all__ = ["VectorizeAdapter", "WorkersAI"]


def _answer(value: Any) -> dict[str, Any]:
    out = from_js(value)
    return dict(out) if isinstance(out, dict) else {}


class VectorizeAdapter:
    """upsert / query / query_by_id / get_by_ids / delete_by_ids over the JS binding."""

    def __init__(self, binding: Any) -> None:
        self._index = unwrap(binding)

    async def upsert(self, vectors: list[dict[str, Any]]) -> dict[str, Any]:
        """Insert or replace vectors ``{"id", "values", "metadata"}``."""
        return _answer(await self._index.upsert(to_js(vectors)))

    def _options(self, top_k: int, return_metadata: str, filter: dict[str, Any] | None) -> Any:
        return call_options(topK=top_k, returnMetadata=return_metadata, filter=filter)

    async def query(
        self,
        vector: list[float],
        *,
        top_k: int = 5,
        return_metadata: str = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``{"count", "matches": [{"id", "score", "metadata"?}]}``, nearest first."""
        options = self._options(top_k, return_metadata, filter)
        return _answer(await self._index.query(to_js([float(x) for x in vector]), options))

    async def query_by_id(
        self,
        id: str,
        *,
        top_k: int = 5,
        return_metadata: str = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The same as ``query`` with the stored vector of ``id``."""
        return _answer(
            await self._index.queryById(id, self._options(top_k, return_metadata, filter))
        )

    async def get_by_ids(self, ids: list[str]) -> list[dict[str, Any]]:
        """Stored vectors (with values and metadata) of ``ids`` that exist."""
        found = from_js(await self._index.getByIds(to_js(list(ids))))
        return [dict(v) for v in found] if isinstance(found, list) else []

    async def delete_by_ids(self, ids: list[str]) -> dict[str, Any]:
        """Remove ``ids`` (missing ids are fine)."""
        return _answer(await self._index.deleteByIds(to_js(list(ids))))


class WorkersAI:
    """``env.AI.run(model, inputs)`` for text embeddings: ``{"shape", "data"}``."""

    def __init__(self, binding: Any) -> None:
        self._ai = unwrap(binding)

    async def run(self, model: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Run ``model``; only ``text`` is sent (a local model's ``kind`` hint is dropped)."""
        return _answer(await self._ai.run(model, to_js({"text": list(inputs["text"])})))
