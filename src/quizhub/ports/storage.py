"""Storage ports: D1 (SQL), R2 (objects) and Workers KV, as quizhub uses them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict

__all__ = [
    "D1Meta",
    "D1Result",
    "D1PreparedStatement",
    "D1Database",
    "R2Object",
    "R2ObjectBody",
    "R2Objects",
    "R2Source",
    "R2Bucket",
    "KVListKey",
    "KVListResult",
    "KVNamespace",
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


class R2Source(Protocol):
    """An R2 object whose body has not been read (``R2Bucket.source``), for a reader that takes
    it in its own way: the Cloudflare Images adapter hands the body of a fresh ``get`` to the
    Images binding as a stream, so it never enters Python; ``read()`` copies it into Python
    (the local platform's Pillow). A body can be consumed once, so every read is one more R2
    ``get``. A read of an object deleted since raises ``quizhub.errors.Permanent``."""

    @property
    def key(self) -> str: ...

    @property
    def size(self) -> int: ...

    async def read(self) -> bytes:
        """The whole body, read afresh (one R2 ``get``)."""
        ...


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

    async def source(self, key: str) -> R2Source | None:
        """The object at ``key`` with its body unread (one ``head``); None when missing."""
        ...

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
