"""Workers KV on the local platform: one SQLite table, expiry by an injected clock.

Local KV is strongly consistent by default. Cloudflare KV is not: other locations may read the
old value (or a cached miss) for 60 s or more after a write. ``lag_ms`` switches on a simple
model of that: for ``lag_ms`` after a put/delete, ``get`` returns the value that was current
before that write (``list`` always shows the newest state). Tests use it to prove that the app
never treats KV as the source of truth.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from quizhub.local._sqlite import SqliteHandle
from quizhub.ports import KVListKey, KVListResult

__all__ = ["LocalKV", "MIN_EXPIRATION_TTL", "MAX_KEY_BYTES", "MAX_METADATA_BYTES"]

MIN_EXPIRATION_TTL = 60
MAX_KEY_BYTES = 512
MAX_VALUE_BYTES = 25 * 1024 * 1024
MAX_METADATA_BYTES = 1024
MAX_LIST_LIMIT = 1000

# ``prev_*`` hold the state that was current before the latest write (for the lag model);
# ``present = 0`` is a tombstone kept only while the lag window may still show the old value.
_SCHEMA = """CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY, present INTEGER NOT NULL, value TEXT, metadata TEXT,
    expiration INTEGER, written_ms INTEGER NOT NULL,
    prev_present INTEGER NOT NULL DEFAULT 0, prev_value TEXT, prev_metadata TEXT,
    prev_expiration INTEGER
) WITHOUT ROWID"""


def _check_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"KV key must be a str, not {type(key).__name__}")
    size = len(key.encode("utf-8", "surrogatepass"))
    if not 1 <= size <= MAX_KEY_BYTES or key in (".", ".."):
        raise ValueError(f"KV key must be 1..{MAX_KEY_BYTES} bytes and not '.' or '..'")
    return key


class LocalKV:
    """A KV namespace in one SQLite file; ``clock_ms`` drives expiry (fake clocks in tests)."""

    def __init__(self, path: str | Path, clock_ms: Callable[[], int], *, lag_ms: int = 0) -> None:
        self._handle = SqliteHandle(path)
        self._clock_ms = clock_ms
        self.lag_ms = lag_ms
        with self._handle.locked() as conn:
            conn.execute(_SCHEMA)

    async def get(self, key: str, type: Literal["text", "json"] = "text") -> Any:
        """The value (str, or parsed JSON for ``type="json"``), None when missing or expired."""
        if type not in ("text", "json"):
            raise ValueError(f"unsupported KV get type {type!r}")
        _check_key(key)
        now = self._clock_ms()
        with self._handle.locked() as conn:
            row = conn.execute(
                "SELECT present, value, expiration, written_ms, prev_present, prev_value,"
                " prev_expiration FROM kv WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        present, value, expiration, written_ms, prev_present, prev_value, prev_exp = row
        if self.lag_ms and now < written_ms + self.lag_ms:
            present, value, expiration = prev_present, prev_value, prev_exp
        if not present or (expiration is not None and now >= expiration * 1000):
            return None
        return json.loads(value) if type == "json" else value

    async def put(
        self, key: str, value: str, *, expiration_ttl: int | None = None, metadata: Any = None
    ) -> None:
        """``expiration_ttl`` is in seconds and must be >= 60, as on Cloudflare."""
        _check_key(key)
        if not isinstance(value, str):
            raise TypeError(f"KV put takes a str value, not {type(value).__name__}")
        if len(value.encode("utf-8")) > MAX_VALUE_BYTES:
            raise ValueError("KV value exceeds 25 MiB")
        now = self._clock_ms()
        expiration = None
        if expiration_ttl is not None:
            if isinstance(expiration_ttl, bool) or not isinstance(expiration_ttl, int):
                raise TypeError("expiration_ttl must be an int number of seconds")
            if expiration_ttl < MIN_EXPIRATION_TTL:
                raise ValueError(
                    f"Invalid expiration_ttl of {expiration_ttl}. "
                    f"Expiration TTL must be at least {MIN_EXPIRATION_TTL}."
                )
            expiration = now // 1000 + expiration_ttl
        meta = None
        if metadata is not None:
            meta = json.dumps(metadata, ensure_ascii=False, allow_nan=False)
            if len(meta.encode("utf-8")) > MAX_METADATA_BYTES:
                raise ValueError(f"KV metadata exceeds {MAX_METADATA_BYTES} bytes")
        self._write(key, now, (1, value, meta, expiration))

    async def delete(self, key: str) -> None:
        """Remove ``key`` (no error when it is missing)."""
        _check_key(key)
        now = self._clock_ms()
        if self.lag_ms:
            self._write(key, now, (0, None, None, None))
        else:
            with self._handle.locked() as conn:
                conn.execute("DELETE FROM kv WHERE key = ?", (key,))

    async def list(
        self, *, prefix: str | None = None, limit: int = 1000, cursor: str | None = None
    ) -> KVListResult:
        """Live keys in lexicographic order with ``expiration``/``metadata`` when set."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"KV list limit must be 1..{MAX_LIST_LIMIT}")
        now = self._clock_ms()
        prefix = prefix or ""
        after = cursor or ""
        with self._handle.locked() as conn:
            # Garbage-collect expired keys and tombstones the lag window can no longer show.
            conn.execute(
                "DELETE FROM kv WHERE written_ms + ? <= ?"
                " AND (present = 0 OR (expiration IS NOT NULL AND expiration * 1000 <= ?))",
                (self.lag_ms, now, now),
            )
            rows = conn.execute(
                "SELECT key, metadata, expiration FROM kv WHERE present = 1 AND key > ?"
                " AND key >= ? AND (expiration IS NULL OR expiration * 1000 > ?)"
                " ORDER BY key LIMIT ?",
                (after, prefix, now, limit + 1),
            ).fetchall()
        keys: list[KVListKey] = []
        for name, meta, expiration in rows:
            if not name.startswith(prefix):
                break
            if len(keys) == limit:
                return {"keys": keys, "list_complete": False, "cursor": keys[-1]["name"]}
            entry: KVListKey = {"name": name}
            if expiration is not None:
                entry["expiration"] = expiration
            if meta is not None:
                entry["metadata"] = json.loads(meta)
            keys.append(entry)
        return {"keys": keys, "list_complete": True, "cursor": None}

    def close(self) -> None:
        """Close the database."""
        self._handle.close()

    def _write(
        self, key: str, now: int, state: tuple[int, str | None, str | None, int | None]
    ) -> None:
        with self._handle.transaction() as conn:
            row = conn.execute(
                "SELECT present, value, metadata, expiration FROM kv WHERE key = ?", (key,)
            ).fetchone()
            prev = (0, None, None, None)
            if row is not None and row[0] and (row[3] is None or now < row[3] * 1000):
                prev = tuple(row)
            conn.execute(
                "INSERT OR REPLACE INTO kv (key, present, value, metadata, expiration, written_ms,"
                " prev_present, prev_value, prev_metadata, prev_expiration)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, *state, now, *prev),
            )
