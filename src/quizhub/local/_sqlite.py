"""One SQLite connection per binding, shared by coroutines and threads through a lock.

The bindings' methods are ``async`` but run SQLite synchronously and never ``await`` while
holding the lock, so coroutines on one event loop cannot interleave inside a statement or a
transaction; the ``threading.Lock`` also covers callers on other threads (test clients).
Several processes may open the same file (dev server + a test): WAL lets readers run beside
one writer, ``busy_timeout`` makes writers wait instead of failing, and every multi-statement
write starts with ``BEGIN IMMEDIATE`` so it takes the write lock before it reads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["SqliteHandle", "BUSY_TIMEOUT_MS"]

BUSY_TIMEOUT_MS = 10_000


class SqliteHandle:
    """A WAL-mode connection in autocommit mode plus the lock that serialises its use."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(
            self.path,
            timeout=busy_timeout_ms / 1000,
            isolation_level=None,  # autocommit; transactions are explicit
            check_same_thread=False,
        )
        self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self.conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a killed process (not a power cut) and is much faster.
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.lock = threading.Lock()

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, held exclusively by this thread/coroutine for the block."""
        with self.lock:
            yield self.conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back by itself (e.g. SQLITE_FULL).
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self.lock:
            self.conn.close()
