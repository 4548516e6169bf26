"""Ports: Protocols shaped like the subset of Cloudflare binding APIs that quizhub uses.

Values crossing these ports are Python-native (dict, list, bytes, str, int, None). Keyword
arguments are snake_case; the Cloudflare adapters translate them to the JS camelCase names
(``http_metadata`` -> ``httpMetadata``). Every method that does I/O is async, as in Workers.

Two implementations exist: ``quizhub.local`` (SQLite/files, CPython) and ``quizhub.cloudflare``
(JS bindings, Pyodide). One contract test suite runs against both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict, get_args

__all__ = [
    "D1Meta",
    "D1Result",
    "D1PreparedStatement",
    "D1Database",
    "R2Object",
    "R2ObjectBody",
    "R2Objects",
    "R2Bucket",
    "KVListKey",
    "KVListResult",
    "KVNamespace",
    "QueueProducer",
    "QueueMessage",
    "MessageBatch",
    "CachedResponse",
    "Cache",
    "Purger",
    "HttpFetch",
    "InstanceStatus",
    "INSTANCE_STATUSES",
    "FINITE_STATUSES",
    "WorkflowInstance",
    "WorkflowBinding",
    "WorkflowStep",
    "RateLimiter",
    "StepCallable",
    "VectorIndex",
    "TextEmbedder",
    "LiveChannel",
    "PgConnection",
    "AnalyticsDatabase",
    "ImageTransformer",
]


# ---------------------------------------------------------------- D1
class D1Meta(TypedDict, total=False):
    changes: int
    last_row_id: int
    rows_read: int
    rows_written: int
    duration: float
    changed_db: bool


class D1Result(TypedDict):
    success: bool
    results: list[dict[str, Any]]
    meta: D1Meta


class D1PreparedStatement(Protocol):
    """``env.DB.prepare(sql)``; ``bind`` returns a new bound statement (D1 semantics)."""

    def bind(self, *values: Any) -> D1PreparedStatement: ...

    async def first(self, column: str | None = None) -> Any:
        """First row as a dict (or the value of ``column``), None when there is no row."""
        ...

    async def all(self) -> D1Result: ...

    async def run(self) -> D1Result: ...


class D1Database(Protocol):
    def prepare(self, sql: str) -> D1PreparedStatement: ...

    async def batch(self, statements: Sequence[D1PreparedStatement]) -> list[D1Result]:
        """Run statements in order inside ONE transaction: all succeed or none is applied."""
        ...

    async def exec(self, sql: str) -> Any: ...


# ---------------------------------------------------------------- R2
@dataclass(frozen=True)
class R2Object:
    key: str
    size: int
    etag: str
    http_etag: str
    version: str
    uploaded: str  # ISO 8601 UTC
    http_metadata: dict[str, str] = field(default_factory=dict)
    custom_metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class R2ObjectBody(R2Object):
    body: bytes = b""

    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass(frozen=True)
class R2Objects:
    objects: list[R2Object]
    truncated: bool
    cursor: str | None = None
    delimited_prefixes: list[str] = field(default_factory=list)


class R2Bucket(Protocol):
    async def put(
        self,
        key: str,
        value: bytes | str | None,
        *,
        http_metadata: dict[str, str] | None = None,
        custom_metadata: dict[str, str] | None = None,
        only_if: dict[str, str] | None = None,
    ) -> R2Object | None:
        """Store ``value``; None when the ``only_if`` precondition fails.

        ``only_if`` keys: ``etag_matches``, ``etag_does_not_match`` (``"*"`` = any object).
        """
        ...

    async def get(
        self, key: str, *, only_if: dict[str, str] | None = None
    ) -> R2ObjectBody | None: ...

    async def head(self, key: str) -> R2Object | None: ...

    async def delete(self, keys: str | list[str]) -> None: ...

    async def list(
        self,
        *,
        prefix: str | None = None,
        limit: int = 1000,
        cursor: str | None = None,
        delimiter: str | None = None,
    ) -> R2Objects: ...


# ---------------------------------------------------------------- KV
class KVListKey(TypedDict, total=False):
    name: str
    expiration: int
    metadata: Any


class KVListResult(TypedDict):
    keys: list[KVListKey]
    list_complete: bool
    cursor: str | None


class KVNamespace(Protocol):
    async def get(self, key: str, type: Literal["text", "json"] = "text") -> Any:
        """The value (str, or parsed JSON for ``type="json"``), None when missing or expired."""
        ...

    async def put(
        self, key: str, value: str, *, expiration_ttl: int | None = None, metadata: Any = None
    ) -> None:
        """``expiration_ttl`` is in seconds and must be >= 60, as on Cloudflare."""
        ...

    async def delete(self, key: str) -> None: ...

    async def list(
        self, *, prefix: str | None = None, limit: int = 1000, cursor: str | None = None
    ) -> KVListResult: ...


# ---------------------------------------------------------------- Queues
class QueueProducer(Protocol):
    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        """Durably enqueue ``body`` (JSON-serialisable); resolves once it is stored."""
        ...

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        """Each item: ``{"body": …, "content_type"?: str, "delay_seconds"?: int}``."""
        ...


class QueueMessage(Protocol):
    """One delivered message (consumer side)."""

    @property
    def id(self) -> str: ...

    @property
    def body(self) -> Any: ...

    @property
    def attempts(self) -> int:
        """1 on first delivery."""
        ...

    def ack(self) -> None: ...

    def retry(self, *, delay_seconds: int | None = None) -> None: ...


class MessageBatch(Protocol):
    @property
    def queue(self) -> str: ...

    @property
    def messages(self) -> Sequence[QueueMessage]: ...

    def ack_all(self) -> None: ...

    def retry_all(self, *, delay_seconds: int | None = None) -> None: ...


# ---------------------------------------------------------------- Cache and purge
@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class Cache(Protocol):
    """The Cache API (``caches.default``), keyed by absolute URL."""

    async def match(self, url: str) -> CachedResponse | None: ...

    async def put(self, url: str, response: CachedResponse) -> None: ...

    async def delete(self, url: str) -> bool: ...


class Purger(Protocol):
    """Global CDN purge (Cloudflare zone purge by tags and URLs)."""

    async def purge(self, *, tags: list[str], urls: list[str]) -> None: ...


# (method, url, headers, body) -> (status, response body)
HttpFetch = Callable[[str, str, dict[str, str], bytes], Awaitable[tuple[int, bytes]]]


# ---------------------------------------------------------------- Workflows
InstanceStatus = Literal[
    "queued",
    "running",
    "paused",
    "errored",
    "terminated",
    "complete",
    "waiting",
    "waitingForPause",
    "unknown",
]
INSTANCE_STATUSES: tuple[str, ...] = get_args(InstanceStatus)
# Statuses an instance never leaves.
FINITE_STATUSES = frozenset({"complete", "errored", "terminated"})


class WorkflowInstance(Protocol):
    """A handle on one instance (``await binding.create(...)`` / ``get(id)``)."""

    @property
    def id(self) -> str: ...

    async def status(self) -> dict[str, Any]:
        """``{"status": InstanceStatus, "output": Any, "error": {"name", "message"} | None}``."""
        ...


class WorkflowBinding(Protocol):
    """A Workflow binding (``env.SAVE_WF``): ``create({"id", "params"})`` / ``get(id)``.

    Instances are retained for days only, so the job row in D1 stays the record of a save.
    """

    async def create(self, *, id: str, params: dict[str, Any]) -> WorkflowInstance:
        """Start an instance; raises ``quizhub.errors.WorkflowAlreadyExists`` for a taken id."""
        ...

    async def get(self, id: str) -> WorkflowInstance:
        """An existing instance; raises ``quizhub.errors.WorkflowNotFound``."""
        ...


# A step body; its parameters name earlier steps (implicit dependencies) or ``ctx``.
StepCallable = Callable[..., Awaitable[Any]]


class WorkflowStep(Protocol):
    """The ``step`` a Workflow's ``run(event, step)`` receives (implicit-dependency API, §2).

    ``step.do(name, config=…)`` decorates a step body; awaiting the result (with no arguments)
    runs the step once, memoised by ``name``, retried by ``config``.
    """

    def do(
        self, name: str, *, concurrent: bool = False, config: dict[str, Any] | None = None
    ) -> Callable[[StepCallable], Callable[[], Awaitable[Any]]]: ...


# ---------------------------------------------------------------- Vectorize and Workers AI
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
        return_metadata: Literal["none", "indexed", "all"] = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The ``top_k`` stored vectors nearest to ``vector`` that pass ``filter``."""
        ...

    async def query_by_id(
        self,
        id: str,
        *,
        top_k: int = 5,
        return_metadata: Literal["none", "indexed", "all"] = "none",
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


class TextEmbedder(Protocol):
    """Workers AI text embeddings (``env.AI``): ``run(model, {"text": [str, ...]})``.

    ``inputs["text"]`` holds at most 100 texts; the answer is ``{"shape": [n, d], "data": [[float,
    ...], ...]}``, one vector per text in order. Implementations may read optional extra keys of
    ``inputs`` (hints such as a query/passage ``kind``) and must ignore the ones they do not know.
    """

    async def run(self, model: str, inputs: dict[str, Any]) -> dict[str, Any]: ...


# ---------------------------------------------------------------- Rate limiting
class RateLimiter(Protocol):
    """A Workers Rate Limiting binding: ``limit({key})`` → allowed or not (nothing else)."""

    async def limit(self, key: str) -> bool: ...


# ---------------------------------------------------------------- live status (quizhub.push)
class LiveChannel(Protocol):
    """Where a job's transitions go to reach the editors who have its test open: the test's
    Durable Object (Cloudflare) or the in-process hub (local)."""

    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        """Broadcast ``message`` (``quizhub.push.protocol.job_message``) to ``test_id``'s
        sockets."""


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
class ImageTransformer(Protocol):
    """The Images binding (``env.IMAGES``): bytes in, bytes out.

    ``info(data)`` → ``{"format": media type, "fileSize", "width", "height"}`` read from the
    header, without decoding the pixels. ``transform(data, transform, output)`` is
    ``input(stream).transform(transform).output(output)``: ``transform`` holds ``width`` (never
    upscaled, ``fit: "scale-down"``) and ``metadata: "none"``; ``output`` holds ``format`` (a
    media type), ``quality`` and ``anim`` (False: the first frame). EXIF orientation is applied
    and no metadata is written. Bytes that are not a decodable image raise
    ``quizhub.errors.Permanent``; anything else is a binding fault (transient).
    """

    async def info(self, data: bytes) -> dict[str, Any]: ...

    async def transform(
        self, data: bytes, transform: dict[str, Any], output: dict[str, Any]
    ) -> bytes: ...
