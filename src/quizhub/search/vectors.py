"""The vector side of search: what is embedded, with which model, and the index step.

On Cloudflare the embedder is Workers AI ``@cf/baai/bge-m3`` (1024-d, multilingual) and the index
Vectorize (cosine); locally a model shipped in a PyPI package and a Vectorize-shaped index stand
in (docs/korean-search.md). The index is derived from D1 + R2: ``index_documents`` is idempotent
and the reindex rebuilds everything, so a failed indexing never fails or rolls back a save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.bindings import Bindings
from quizhub.ports import EMBED_TEXTS_LIMIT, TextEmbedder, VectorIndex

__all__ = [
    "EMBEDDING_MODEL",
    "EMBEDDING_DIMENSIONS",
    "VECTOR_INDEX",
    "METADATA_INDEXES",
    "embedding_text",
    "query_vector",
    "vector_filter",
    "Indexed",
    "VectorSide",
    "vector_side",
    "index_documents",
]

EMBEDDING_MODEL = "@cf/baai/bge-m3"
# Of EMBEDDING_MODEL (the local model has its own, see docs/korean-search.md).
EMBEDDING_DIMENSIONS = 1024
VECTOR_INDEX = "quizhub-tests"  # the Vectorize index (wrangler configs, make cf-setup)
# Metadata the index filters on; Vectorize needs these indexes before vectors are inserted.
METADATA_INDEXES = {"status": "string"}


@dataclass(frozen=True)
class VectorSide:
    """Search's vector side as one optional capability: the embedder and the index, which work
    only together (``vector_side`` gives both or neither)."""

    embedder: TextEmbedder
    index: VectorIndex


def vector_side(b: Bindings) -> VectorSide | None:
    """The vector side where Workers AI and Vectorize are both bound; None: keywords only."""
    if b.ai is None or b.vectorize is None:
        return None
    return VectorSide(b.ai, b.vectorize)


@dataclass(frozen=True)
class Indexed:
    """Vectors upserted and removed by one indexing call."""

    upserted: int
    removed: int


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


async def index_documents(side: VectorSide, docs: dict[str, dict[str, Any] | None]) -> Indexed:
    """Bring the vectors of ``docs`` (test id → its current document, None when gone) in line:
    the published ones embedded in one Workers AI call per ``EMBED_TEXTS_LIMIT`` texts and
    upserted in one call, the rest (drafts, deletes) removed in one call.

    Returns what was done."""
    published = [
        (i, d) for i, d in docs.items() if d is not None and d.get("status") == "published"
    ]
    gone = [i for i in docs if i not in dict(published)]
    vectors = []
    for start in range(0, len(published), EMBED_TEXTS_LIMIT):
        chunk = published[start : start + EMBED_TEXTS_LIMIT]
        texts = [embedding_text(doc) for _, doc in chunk]
        answer = await side.embedder.run(EMBEDDING_MODEL, {"text": texts, "kind": "passage"})
        for (test_id, doc), values in zip(chunk, answer["data"], strict=True):
            metadata = {"status": "published", "title": doc.get("title", "")[:120]}
            vectors.append(
                {"id": test_id, "values": [float(x) for x in values], "metadata": metadata}
            )
    if vectors:
        await side.index.upsert(vectors)
    if gone:
        await side.index.delete_by_ids(gone)
    return Indexed(len(vectors), len(gone))
