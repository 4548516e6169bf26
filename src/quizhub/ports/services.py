"""Service ports: Vectorize and Workers AI (search), Images (variants), the analytics Postgres
(Hyperdrive), and where CPU-bound work of the pipeline runs."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol, TypeAlias, TypeVar, get_args

from quizhub.ports.storage import R2Source

__all__ = [
    "ReturnMetadata",
    "RETURN_METADATA",
    "MAX_TOP_K",
    "MAX_TOP_K_ALL_METADATA",
    "MAX_UPSERT_BATCH",
    "VectorIndex",
    "TextEmbedder",
    "PgConnection",
    "AnalyticsDatabase",
    "ImageInput",
    "ImageTransformer",
    "CpuWork",
]

T = TypeVar("T")


# ---------------------------------------------------------------- Vectorize and Workers AI
# What a query returns of each match's metadata, and Vectorize's topK limits (20 when values or
# all metadata come back).
ReturnMetadata = Literal["none", "indexed", "all"]
RETURN_METADATA: tuple[str, ...] = get_args(ReturnMetadata)
MAX_TOP_K = 100
MAX_TOP_K_ALL_METADATA = 20
# The most vectors one upsert takes (and ids one delete is sent, by quizhub).
MAX_UPSERT_BATCH = 1000


class VectorIndex(Protocol):
    """A Vectorize index (``env.VECTORIZE``); cosine metric, scores best first.

    A vector is ``{"id": str (<= 64 bytes), "values": list[float], "metadata": dict}``; an upsert
    replaces a stored id. Query answers are ``{"count": n, "matches": [{"id", "score",
    "metadata"?}]}``; ``metadata`` is present unless ``return_metadata="none"``. ``top_k`` is at
    most 100, and at most 20 with ``return_metadata="all"`` (ValueError past them). ``filter`` maps
    top-level metadata keys to ``{"$eq"|"$ne": value}``, ``{"$in"|"$nin": [values]}`` or a bare
    value (= ``$eq``); keys are ANDed and apply before ``top_k``. Filters and
    ``return_metadata="indexed"`` see only properties that have a metadata index.
    """

    async def upsert(self, vectors: list[dict[str, Any]]) -> dict[str, Any]:
        """Insert or replace ``vectors``; returns ``{"mutationId": str}``."""
        ...

    async def query(
        self,
        vector: list[float],
        *,
        top_k: int = 5,
        return_metadata: ReturnMetadata = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The ``top_k`` stored vectors nearest to ``vector`` that pass ``filter``."""
        ...

    async def query_by_id(
        self,
        id: str,
        *,
        top_k: int = 5,
        return_metadata: ReturnMetadata = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``query`` with the stored vector of ``id``, which matches itself."""
        ...

    async def get_by_ids(self, ids: list[str]) -> list[dict[str, Any]]:
        """Stored vectors among ``ids`` as ``{"id", "values", "metadata"}``; missing ids skipped."""
        ...

    async def delete_by_ids(self, ids: list[str]) -> dict[str, Any]:
        """Remove ``ids`` (missing ones tolerated); returns ``{"mutationId": str}``."""
        ...


# The most texts one Workers AI embeddings request takes (the index consumer's batch size too).
EMBED_TEXTS_LIMIT = 100


class TextEmbedder(Protocol):
    """Workers AI text embeddings (``env.AI``): ``run(model, {"text": [str, ...]})``.

    ``inputs["text"]`` holds at most 100 texts; the answer is ``{"shape": [n, d], "data": [[float,
    ...], ...]}``, one vector per text in order. Implementations may read optional extra keys of
    ``inputs`` (hints such as a query/passage ``kind``) and must ignore the ones they do not know.
    """

    async def run(self, model: str, inputs: dict[str, Any]) -> dict[str, Any]: ...


# ---------------------------------------------------------------- analytics (Postgres)
class PgConnection(Protocol):
    """The subset of an asyncpg connection quizhub uses (``$1`` placeholders, Postgres SQL)."""

    async def execute(self, query: str, *args: Any) -> str:
        """Run ``query`` (several statements when there are no ``args``); the status text."""
        ...

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        """Every row (``asyncpg.Record``: by column name or index)."""
        ...

    async def fetchval(self, query: str, *args: Any) -> Any:
        """The first column of the first row, None without rows."""
        ...


class AnalyticsDatabase(Protocol):
    """The play-analytics Postgres: Hyperdrive on Cloudflare, the embedded (or a named) server
    locally; the same asyncpg code on both (``quizhub.analytics.pg``)."""

    def connect(self) -> AbstractAsyncContextManager[PgConnection]:
        """A connection for one unit of work, closed when the block ends."""
        ...

    def describe(self) -> str:
        """Where it is, without secrets (``postgres://user@host:port/db``)."""
        ...


# ---------------------------------------------------------------- Images
# What the Images binding reads: an original stored in R2 (its body unread: each platform's
# transformer reads it its own way) or bytes in Python (a variant just made, small).
ImageInput: TypeAlias = R2Source | bytes


class ImageTransformer(Protocol):
    """The Images binding (``env.IMAGES``): an image in, bytes out.

    The image is an ``ImageInput``. On Cloudflare an ``R2Source`` is streamed from a fresh R2
    ``get`` into the binding, once per call (a stream is read once), and its bytes never enter
    Python; bytes go in as a stream of their own. Locally Pillow reads the source's bytes.

    ``info(image)`` → ``{"format": media type, "fileSize", "width", "height"}`` read from the
    header, without decoding the pixels. ``transform(image, transform, output)`` is
    ``input(stream).transform(transform).output(output)``: ``transform`` holds ``width`` (never
    upscaled, ``fit: "scale-down"``) and ``metadata: "none"``; ``output`` holds ``format`` (a
    media type), ``quality`` and ``anim`` (False: the first frame). EXIF orientation is applied
    and no metadata is written. Input that is not a decodable image raises
    ``quizhub.errors.Permanent``; anything else is a binding fault (transient).
    """

    async def info(self, image: ImageInput) -> dict[str, Any]: ...

    async def transform(
        self, image: ImageInput, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes: ...


# ---------------------------------------------------------------- CPU-bound work
class CpuWork(Protocol):
    """Where a step runs pure, CPU-bound work (drawing a preview card: tens of ms).

    On Cloudflare it runs in place: an invocation is its own isolate with its own CPU budget,
    and Pyodide has no threads. The local platform serves HTTP from the same event loop the
    consumers run on, so it runs the work on a worker thread (Pillow releases the interpreter
    lock while it encodes and resamples) and requests are answered meanwhile."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T: ...
