"""R2 on the local platform: bodies in files, metadata in one SQLite table.

Why SQLite for metadata rather than a JSON sidecar per object: listing must be lexicographic,
prefix-filtered and cursor-paginated (an index does that; a directory walk does not), and a
conditional put (``only_if``) must check the current etag and swap the object atomically, even
with two processes on one bucket (a ``BEGIN IMMEDIATE`` transaction does that).

Keys never become paths. A body lives at ``blobs/<v[:2]>/<v>`` where ``v`` is the object's
version (a random hex id we generate), so no key (``../x``, ``/etc/passwd``, NUL bytes …) can
read or write outside the bucket root. Each put writes a new blob (temp file + ``os.replace``),
then commits the row that points at it, then removes the old blob; a crash in between leaves at
most an unreferenced blob, never a torn object. Like R2 without ``include``, ``list`` does not
return http/custom metadata (``head`` does).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quizhub.bindings import wall_clock_ms
from quizhub.errors import ObjectVanished, StorageDamaged
from quizhub.local._sqlite import SqliteHandle
from quizhub.local.r2_rules import (
    MAX_LIST_LIMIT,
    as_bytes,
    check_key,
    check_metadata,
    precondition_holds,
)
from quizhub.ports import R2Object, R2ObjectBody, R2Objects

__all__ = ["LocalR2", "LocalR2Source"]

# The metadata table beside the body files (the data dir check looks for it).
INDEX_FILE = "r2.sqlite3"

_COLUMNS = "key, size, etag, version, uploaded, http_metadata, custom_metadata"
_SCHEMA = """CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY, size INTEGER NOT NULL, etag TEXT NOT NULL, version TEXT NOT NULL,
    uploaded TEXT NOT NULL, http_metadata TEXT NOT NULL, custom_metadata TEXT NOT NULL
) WITHOUT ROWID"""


def _object(row: tuple[Any, ...], *, with_metadata: bool = True) -> R2Object:
    key, size, etag, version, uploaded, http, custom = row
    return R2Object(
        key=key,
        size=size,
        etag=etag,
        http_etag=f'"{etag}"',
        version=version,
        uploaded=uploaded,
        http_metadata=json.loads(http) if with_metadata else {},
        custom_metadata=json.loads(custom) if with_metadata else {},
    )


def _encode_cursor(after: str, skip: str | None) -> str:
    raw = json.dumps({"after": after, "skip": skip}).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_cursor(cursor: str) -> tuple[str, str | None]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        return str(data["after"]), data["skip"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("invalid R2 list cursor") from None


class LocalR2:
    """An R2 bucket rooted at ``root`` (created if missing)."""

    def __init__(self, root: str | Path, *, clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.root = Path(root)
        self._blobs = self.root / "blobs"
        self._blobs.mkdir(parents=True, exist_ok=True)
        self._clock_ms = clock_ms
        self._handle = SqliteHandle(self.root / INDEX_FILE)
        with self._handle.locked() as conn:
            conn.execute(_SCHEMA)

    async def put(
        self,
        key: str,
        value: bytes | str | None,
        *,
        http_metadata: dict[str, str] | None = None,
        custom_metadata: dict[str, str] | None = None,
        only_if: dict[str, str] | None = None,
    ) -> R2Object | None:
        """Store ``value``; None when the ``only_if`` precondition fails."""
        check_key(key)
        body = as_bytes(value)
        http, custom = check_metadata(http_metadata, custom_metadata)
        precondition_holds(only_if, None)  # validate the conditions before writing anything
        version = uuid.uuid4().hex
        uploaded = datetime.fromtimestamp(self._clock_ms() / 1000, UTC)
        row = (
            key,
            len(body),
            hashlib.md5(body, usedforsecurity=False).hexdigest(),
            version,
            uploaded.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            json.dumps(http, ensure_ascii=False),
            json.dumps(custom, ensure_ascii=False),
        )
        self._write_blob(version, body)
        old_version: str | None = None
        try:
            with self._handle.transaction() as conn:
                current = conn.execute(
                    "SELECT etag, version FROM objects WHERE key = ?", (key,)
                ).fetchone()
                if not precondition_holds(only_if, current[0] if current else None):
                    self._blob_path(version).unlink(missing_ok=True)
                    return None
                conn.execute(
                    f"INSERT OR REPLACE INTO objects ({_COLUMNS}) VALUES (?,?,?,?,?,?,?)", row
                )
                old_version = current[1] if current else None
        except BaseException:
            self._blob_path(version).unlink(missing_ok=True)
            raise
        if old_version is not None:
            self._blob_path(old_version).unlink(missing_ok=True)
        return _object(row)

    async def get(self, key: str, *, only_if: dict[str, str] | None = None) -> R2ObjectBody | None:
        """The object with its body; None when missing or when ``only_if`` fails."""
        check_key(key)
        seen = None
        for _ in range(5):  # another process may replace the object between row and blob
            row = self._row(key)
            if row is None or not precondition_holds(only_if, row[2]):
                return None
            try:
                body = self._blob_path(row[3]).read_bytes()
            except FileNotFoundError:
                if row[3] == seen:  # the same version twice: its body is gone, not replaced
                    raise StorageDamaged(
                        f"R2 object {key!r} is damaged: its body file"
                        f" {self._blob_path(row[3])} is missing from the data dir",
                        key=key,
                    ) from None
                seen = row[3]
                continue
            meta = _object(row)
            return R2ObjectBody(
                **{f: getattr(meta, f) for f in meta.__dataclass_fields__}, body=body
            )
        raise RuntimeError(f"R2 object {key!r} kept changing while being read")

    async def head(self, key: str) -> R2Object | None:
        """The object's metadata without its body; None when missing."""
        check_key(key)
        row = self._row(key)
        return _object(row) if row else None

    async def source(self, key: str) -> LocalR2Source | None:
        """The object at ``key`` with its body unread; None when missing."""
        found = await self.head(key)
        return None if found is None else LocalR2Source(self, found)

    async def delete(self, keys: str | list[str]) -> None:
        """Delete one key or up to 1000 keys; missing keys are ignored."""
        names = [keys] if isinstance(keys, str) else list(keys)
        if len(names) > 1000:
            raise ValueError("R2 delete takes at most 1000 keys")
        for name in names:
            check_key(name)
        with self._handle.transaction() as conn:
            versions = []
            for name in names:
                found = conn.execute(
                    "SELECT version FROM objects WHERE key = ?", (name,)
                ).fetchone()
                if found:
                    versions.append(found[0])
                    conn.execute("DELETE FROM objects WHERE key = ?", (name,))
        for version in versions:
            self._blob_path(version).unlink(missing_ok=True)

    async def list(
        self,
        *,
        prefix: str | None = None,
        limit: int = 1000,
        cursor: str | None = None,
        delimiter: str | None = None,
    ) -> R2Objects:
        """Keys in lexicographic (UTF-8 byte) order, ``limit`` entries per page."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"R2 list limit must be 1..{MAX_LIST_LIMIT}")
        prefix = prefix or ""
        after, skip = _decode_cursor(cursor) if cursor else ("", None)
        objects: list[R2Object] = []
        prefixes: list[str] = []
        with self._handle.locked() as conn:
            while True:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM objects WHERE key > ? AND key >= ?"
                    " ORDER BY key LIMIT 256",
                    (after, prefix),
                ).fetchall()
                if not rows:
                    return R2Objects(objects, False, None, prefixes)
                for row in rows:
                    key: str = row[0]
                    if not key.startswith(prefix):
                        return R2Objects(objects, False, None, prefixes)
                    if skip is not None and key.startswith(skip):
                        after = key
                        continue
                    if len(objects) + len(prefixes) == limit:
                        return R2Objects(objects, True, _encode_cursor(after, skip), prefixes)
                    after = key
                    rest = key[len(prefix) :]
                    if delimiter and delimiter in rest:
                        skip = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                        prefixes.append(skip)
                    else:
                        objects.append(_object(row, with_metadata=False))

    def close(self) -> None:
        """Close the metadata database."""
        self._handle.close()

    # ------------------------------------------------------------ internals
    def body_file(self, key: str) -> Path | None:
        """Where the current body of ``key`` lives (None: no such object); for damage drills
        (scorecard row 14) that remove or garble it."""
        row = self._row(key)
        return None if row is None else self._blob_path(row[3])

    def _row(self, key: str) -> tuple[Any, ...] | None:
        with self._handle.locked() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM objects WHERE key = ?", (key,)).fetchone()
        return tuple(row) if row else None

    def _blob_path(self, version: str) -> Path:
        if len(version) != 32 or not all(c in "0123456789abcdef" for c in version):
            raise ValueError("corrupt R2 metadata: bad version id")  # never trust it as a path
        return self._blobs / version[:2] / version

    def _write_blob(self, version: str, body: bytes) -> None:
        path = self._blob_path(version)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f"{version}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(body)
        os.replace(tmp, path)


class LocalR2Source:
    """``R2Bucket.source`` locally: the object's metadata; each ``read`` reads its body file
    again (as each read on Cloudflare is a fresh ``get``)."""

    def __init__(self, bucket: LocalR2, found: R2Object) -> None:
        self._bucket = bucket
        self.object = found

    @property
    def key(self) -> str:
        return self.object.key

    @property
    def size(self) -> int:
        return self.object.size

    async def read(self) -> bytes:
        got = await self._bucket.get(self.key)
        if got is None:
            raise ObjectVanished(self.key)
        return got.body
