"""The vector side of search: what is embedded, with which model, and the index step.

On Cloudflare the embedder is Workers AI ``@cf/baai/bge-m3`` (1024-d, multilingual) and the index
Vectorize (cosine); locally a model shipped in a PyPI package and a Vectorize-shaped index stand
in (docs/korean-search.md). The index is derived from D1 + R2: ``index_test`` is idempotent and the
reindex rebuilds everything, so a failed index step never fails or rolls back a save.
"""

from __future__ import annotations

from typing import Any

from quizhub.bindings import Bindings

__all__ = [
    "EMBEDDING_MODEL",
    "EMBEDDING_DIMENSIONS",
    "VECTOR_INDEX",
    "METADATA_INDEXES",
    "embedding_text",
    "query_vector",
    "vector_filter",
    "index_test",
]

EMBEDDING_MODEL = "@cf/baai/bge-m3"
# Of EMBEDDING_MODEL (the local model has its own, see docs/korean-search.md).
EMBEDDING_DIMENSIONS = 1024
VECTOR_INDEX = "quizhub-tests"  # the Vectorize index (wrangler configs, make cf-setup)
# Metadata the index filters on; Vectorize needs these indexes before vectors are inserted.
METADATA_INDEXES = {"status": "string"}


def embedding_text(doc: dict[str, Any]) -> str:
    """Title, description, tags and result titles: what a test is about, in one passage."""
    parts = [doc.get("title", ""), doc.get("description", "")]
    parts.append(" ".join(f"#{t}" for t in doc.get("tags", [])))
    parts.append(", ".join(r.get("title", "") for r in doc.get("results", [])))
    return "\n".join(p for p in parts if p)


async def _embed(ai: Any, text: str, kind: str) -> list[float]:
    # `kind` lets an e5-style local model add its query/passage prefix; Workers AI ignores it.
    answer = await ai.run(EMBEDDING_MODEL, {"text": [text], "kind": kind})
    return [float(x) for x in answer["data"][0]]


async def query_vector(ai: Any, q: str) -> list[float]:
    """The embedding of a search query."""
    return await _embed(ai, q, "query")


def vector_filter() -> dict[str, Any]:
    """Only published tests are ever returned by the vector side."""
    return {"status": {"$eq": "published"}}


async def index_test(b: Bindings, test_id: str, doc: dict[str, Any] | None) -> bool:
    """Upsert ``test_id``'s vector (published documents) or remove it (drafts, deletes).

    Returns False when this platform has no vector index (nothing to do)."""
    if b.ai is None or b.vectorize is None:
        return False
    if doc is None or doc.get("status") != "published":
        await b.vectorize.delete_by_ids([test_id])
        return True
    values = await _embed(b.ai, embedding_text(doc), "passage")
    metadata = {"status": "published", "title": doc.get("title", "")[:120]}
    await b.vectorize.upsert([{"id": test_id, "values": values, "metadata": metadata}])
    return True
