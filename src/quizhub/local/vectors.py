"""Vectorize on the local platform: vectors in one SQLite file, exact cosine search in numpy.

Cloudflare's rules are kept: ids of at most 64 bytes, a fixed dimension count, upserts that replace,
``top_k`` at most 100 (20 with ``return_metadata="all"``), at most 1000 vectors per upsert, 10 KiB
of metadata per vector, filters (``$eq``, ``$ne``, ``$in``, ``$nin``, a bare value = ``$eq``)
applied before ``top_k``, and metadata indexes: only properties named in ``metadata_indexes`` can be
filtered on or come back with ``return_metadata="indexed"``, a value is indexed only when its type
matches the index's, and a string index covers the value's first 64 bytes.

Differences from Cloudflare, on purpose: writes are visible at once (Vectorize takes a few
seconds), search is exact (Vectorize is approximate), and a property absent from a vector counts as
``null`` in filters (so ``{"$ne": "x"}`` matches it).

Search runs on a matrix of unit vectors loaded once and reloaded after a write, ours or another
process's (SQLite's ``data_version``): 10,000 vectors of 1024 dimensions take a few milliseconds.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from quizhub.local._sqlite import SqliteHandle
from quizhub.ports import (
    MAX_TOP_K,
    MAX_TOP_K_ALL_METADATA,
    MAX_UPSERT_BATCH,
    RETURN_METADATA,
    ReturnMetadata,
)

__all__ = [
    "LocalVectorize",
    "MAX_ID_BYTES",
    "MAX_TOP_K",
    "MAX_TOP_K_ALL_METADATA",
    "MAX_UPSERT_BATCH",
    "MAX_METADATA_BYTES",
    "MAX_DIMENSIONS",
    "INDEXED_STRING_BYTES",
    "METADATA_INDEX_TYPES",
]

MAX_ID_BYTES = 64
MAX_METADATA_BYTES = 10 * 1024
MAX_DIMENSIONS = 1536
INDEXED_STRING_BYTES = 64
METADATA_INDEX_TYPES = ("string", "number", "boolean")
_OPERATORS = ("$eq", "$ne", "$in", "$nin")
_MATCHES_NOTHING = object()

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors ("
    " id TEXT PRIMARY KEY, vec BLOB NOT NULL, metadata TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

FloatMatrix = npt.NDArray[np.float32]


def _indexed_value(value: Any, index_type: str) -> Any:
    """What a metadata index of ``index_type`` holds for ``value`` (None: not indexed)."""
    if index_type == "boolean":
        return value if isinstance(value, bool) else None
    if index_type == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok else None
    if isinstance(value, str):
        return value.encode("utf-8")[:INDEXED_STRING_BYTES].decode("utf-8", "ignore")
    return None


@dataclass(frozen=True)
class _Matrix:
    """Every stored vector, id-ordered: unit rows, metadata, and indexed values by property."""

    ids: list[str]
    rows: dict[str, int]
    unit: FloatMatrix
    metadata: list[dict[str, Any]]
    indexed: dict[str, list[Any]]


class LocalVectorize:
    """A Vectorize index (cosine metric) of ``dimensions`` dimensions in one SQLite file.

    ``metadata_indexes`` maps property names to ``"string"``, ``"number"`` or ``"boolean"``, as
    ``wrangler vectorize create-metadata-index`` does on Cloudflare.
    """

    def __init__(
        self,
        path: str | Path,
        dimensions: int,
        *,
        metadata_indexes: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(dimensions, bool) or not isinstance(dimensions, int):
            raise TypeError("dimensions must be an int")
        if not 1 <= dimensions <= MAX_DIMENSIONS:
            raise ValueError(f"dimensions must be 1..{MAX_DIMENSIONS}, not {dimensions}")
        indexes = dict(metadata_indexes or {})
        for name, kind in indexes.items():
            if kind not in METADATA_INDEX_TYPES:
                raise ValueError(
                    f"metadata index {name!r}: type must be one of "
                    f"{', '.join(METADATA_INDEX_TYPES)}, not {kind!r}"
                )
        self.dimensions = dimensions
        self.metadata_indexes: dict[str, str] = indexes
        self._handle = SqliteHandle(path)
        self._matrix: _Matrix | None = None
        self._version: int | None = None
        with self._handle.transaction() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            row = conn.execute("SELECT value FROM settings WHERE name = 'dimensions'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO settings (name, value) VALUES ('dimensions', ?)",
                    (str(dimensions),),
                )
            elif int(row[0]) != dimensions:
                raise ValueError(
                    f"{path} holds a {row[0]}-dimension index, not {dimensions} dimensions"
                )

    # ------------------------------------------------------------ writes
    async def upsert(self, vectors: list[dict[str, Any]]) -> dict[str, Any]:
        """Insert or replace ``vectors``; returns ``{"mutationId": str}``."""
        if not isinstance(vectors, list) or not vectors:
            raise ValueError("upsert takes a non-empty list of vectors")
        if len(vectors) > MAX_UPSERT_BATCH:
            raise ValueError(f"upsert takes at most {MAX_UPSERT_BATCH} vectors at once")
        rows = [self._row(vector) for vector in vectors]
        with self._handle.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (id, vec, metadata) VALUES (?, ?, ?)", rows
            )
        self._matrix = None
        return {"mutationId": str(uuid.uuid4())}

    async def delete_by_ids(self, ids: list[str]) -> dict[str, Any]:
        """Remove ``ids`` (missing ones tolerated); returns ``{"mutationId": str}``."""
        checked = [_check_id(i) for i in _id_list(ids)]
        with self._handle.transaction() as conn:
            conn.executemany("DELETE FROM vectors WHERE id = ?", [(i,) for i in checked])
        self._matrix = None
        return {"mutationId": str(uuid.uuid4())}

    # ------------------------------------------------------------ reads
    async def get_by_ids(self, ids: list[str]) -> list[dict[str, Any]]:
        """The stored vectors among ``ids`` in the order asked; missing ids are skipped."""
        wanted = [_check_id(i) for i in _id_list(ids)]
        with self._handle.locked() as conn:
            stored = {
                id: (vec, meta)
                for id, vec, meta in conn.execute(
                    "SELECT id, vec, metadata FROM vectors WHERE id IN"
                    " (SELECT value FROM json_each(?))",
                    (json.dumps(wanted),),
                )
            }
        return [
            {
                "id": i,
                "values": np.frombuffer(stored[i][0], dtype=np.float32).tolist(),
                "metadata": json.loads(stored[i][1]),
            }
            for i in dict.fromkeys(wanted)
            if i in stored
        ]

    async def describe(self) -> dict[str, Any]:
        """``{"dimensions", "vectorCount"}``, as Vectorize describes an index."""
        with self._handle.locked() as conn:
            count = conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
        return {"dimensions": self.dimensions, "vectorCount": int(count)}

    async def query(
        self,
        vector: list[float],
        *,
        top_k: int = 5,
        return_metadata: ReturnMetadata = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The ``top_k`` stored vectors nearest to ``vector`` (cosine) that pass ``filter``."""
        _check_options(top_k, return_metadata)
        probe = self._as_array(vector)
        return self._search(probe, top_k, return_metadata, filter)

    async def query_by_id(
        self,
        id: str,
        *,
        top_k: int = 5,
        return_metadata: ReturnMetadata = "none",
        filter: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``query`` with the stored vector of ``id`` (which matches itself); a missing id matches
        nothing."""
        _check_options(top_k, return_metadata)
        matrix = self._load()
        row = matrix.rows.get(_check_id(id))
        if row is None:
            return {"count": 0, "matches": []}
        return self._search(matrix.unit[row], top_k, return_metadata, filter)

    def close(self) -> None:
        """Close the database."""
        self._handle.close()

    # ------------------------------------------------------------ internals
    def _row(self, vector: Any) -> tuple[str, bytes, str]:
        if not isinstance(vector, dict):
            raise TypeError("each vector is a dict with id, values and metadata")
        unknown = set(vector) - {"id", "values", "metadata"}
        if unknown:
            raise ValueError(f"unsupported vector keys: {', '.join(sorted(unknown))}")
        metadata = vector.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise TypeError("vector metadata must be a dict")
        meta = json.dumps(metadata, ensure_ascii=False, allow_nan=False, sort_keys=True)
        if len(meta.encode("utf-8")) > MAX_METADATA_BYTES:
            raise ValueError(f"vector metadata exceeds {MAX_METADATA_BYTES} bytes")
        values = self._as_array(vector.get("values"))
        return _check_id(vector.get("id")), values.tobytes(), meta

    def _as_array(self, values: Any) -> FloatMatrix:
        if not isinstance(values, list | tuple) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        ):
            raise TypeError("vector values must be a list of numbers")
        if len(values) != self.dimensions:
            raise ValueError(
                f"vector has {len(values)} dimensions; this index has {self.dimensions}"
            )
        if not all(math.isfinite(v) for v in values):
            raise ValueError("vector values must be finite")
        return np.asarray(values, dtype=np.float32)

    def _load(self) -> _Matrix:
        """The cached matrix, reloaded when this or another connection has written since."""
        with self._handle.locked() as conn:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if self._matrix is not None and version == self._version:
                return self._matrix
            rows = conn.execute("SELECT id, vec, metadata FROM vectors ORDER BY id").fetchall()
        ids = [r[0] for r in rows]
        raw = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        unit = raw.reshape(len(rows), self.dimensions).copy()
        norms = np.linalg.norm(unit, axis=1, keepdims=True)
        np.divide(unit, norms, out=unit, where=norms > 0)
        metadata = [json.loads(r[2]) for r in rows]
        indexed = {
            name: [_indexed_value(m.get(name), kind) for m in metadata]
            for name, kind in self.metadata_indexes.items()
        }
        self._matrix = _Matrix(ids, {i: n for n, i in enumerate(ids)}, unit, metadata, indexed)
        self._version = version
        return self._matrix

    def _search(
        self,
        probe: FloatMatrix,
        top_k: int,
        return_metadata: str,
        filter: dict[str, Any] | None,
    ) -> dict[str, Any]:
        matrix = self._load()
        norm = float(np.linalg.norm(probe))
        scores = matrix.unit @ (probe / norm) if norm > 0 else np.zeros(len(matrix.ids))
        candidates = np.flatnonzero(self._mask(matrix, filter))
        # Best score first; equal scores by id (rows are id-ordered), so answers are stable.
        order = candidates[np.lexsort((candidates, -scores[candidates]))][:top_k]
        matches = []
        for row in order.tolist():
            match: dict[str, Any] = {"id": matrix.ids[row], "score": float(scores[row])}
            if return_metadata == "all":
                match["metadata"] = dict(matrix.metadata[row])
            elif return_metadata == "indexed":
                match["metadata"] = {
                    k: v for k, v in matrix.metadata[row].items() if k in self.metadata_indexes
                }
            matches.append(match)
        return {"count": len(matches), "matches": matches}

    def _mask(self, matrix: _Matrix, filter: dict[str, Any] | None) -> npt.NDArray[np.bool_]:
        mask = np.ones(len(matrix.ids), dtype=bool)
        if filter is None:
            return mask
        if not isinstance(filter, dict):
            raise TypeError("filter must be a dict")
        for name, condition in filter.items():
            kind = self.metadata_indexes.get(name)
            if kind is None:  # no metadata index: Vectorize can match nothing on it
                return np.zeros(len(matrix.ids), dtype=bool)
            test = _condition(condition, kind)
            mask &= np.fromiter((test(v) for v in matrix.indexed[name]), bool, len(matrix.ids))
        return mask


def _condition(condition: Any, kind: str) -> Callable[[Any], bool]:
    """A predicate over indexed values for one filter entry (``{"$op": operand}`` or a value)."""
    if not isinstance(condition, dict):
        condition = {"$eq": condition}
    if len(condition) != 1:
        raise ValueError("a filter entry takes exactly one operator")
    [(op, operand)] = condition.items()
    if op not in _OPERATORS:
        raise ValueError(f"unsupported filter operator {op!r} (use {', '.join(_OPERATORS)})")
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not operand:
            raise ValueError(f"{op} takes a non-empty list")
        wanted = {_operand(v, kind) for v in operand}
        if op == "$in":
            return lambda v: v in wanted
        return lambda v: v not in wanted
    one = _operand(operand, kind, allow_null=True)
    if op == "$eq":
        return lambda v: v == one
    return lambda v: v != one


def _operand(value: Any, kind: str, *, allow_null: bool = False) -> Any:
    """``value`` as the index holds it; a value of another type equals no indexed value."""
    if value is None and allow_null:
        return None
    if not isinstance(value, str | int | float | bool):
        raise ValueError(f"filter values are strings, numbers or booleans, not {value!r}")
    indexed = _indexed_value(value, kind)
    return _MATCHES_NOTHING if indexed is None else indexed


def _check_id(id: Any) -> str:
    if not isinstance(id, str):
        raise TypeError(f"vector id must be a str, not {type(id).__name__}")
    if not 1 <= len(id.encode("utf-8")) <= MAX_ID_BYTES:
        raise ValueError(f"vector id must be 1..{MAX_ID_BYTES} bytes")
    return id


def _id_list(ids: Any) -> Sequence[Any]:
    if not isinstance(ids, list):
        raise TypeError("ids must be a list of str")
    return ids


def _check_options(top_k: Any, return_metadata: Any) -> None:
    if return_metadata not in RETURN_METADATA:
        raise ValueError(f"return_metadata must be one of {', '.join(RETURN_METADATA)}")
    limit = MAX_TOP_K_ALL_METADATA if return_metadata == "all" else MAX_TOP_K
    if isinstance(top_k, bool) or not isinstance(top_k, int):
        raise TypeError("top_k must be an int")
    if not 1 <= top_k <= limit:
        raise ValueError(f"top_k must be 1..{limit} with return_metadata={return_metadata!r}")
