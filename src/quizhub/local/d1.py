"""D1 on the local platform: ``sqlite3`` with D1's API, result shapes, errors and migrations.

Faithful where it matters to application code: ``bind`` returns a new statement and checks
value types the way the JS bridge does (bool -> 1/0, None -> NULL, bytes or a list of byte
values -> BLOB; tuple, bytearray, dict … are refused; ints beyond 2^53 are a BigInt in JS and
refused), at most 100 bound parameters, ``batch`` is one all-or-nothing transaction, ``exec``
runs one statement per line, SQL transaction control is refused, BLOBs come back as lists of
ints, and errors read ``D1_ERROR: …``. ``meta.rows_read`` is approximate (SQLite does not report
scanned rows to Python).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quizhub.local._sqlite import SqliteHandle
from quizhub.ports import D1PreparedStatement, D1Result

__all__ = ["D1Error", "D1TypeError", "LocalD1", "LocalD1Statement", "split_sql"]

MAX_BOUND_PARAMETERS = 100
_MAX_SAFE_INTEGER = 2**53 - 1
_WRITE_SCHEMA = frozenset({"CREATE", "DROP", "ALTER"})
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)

# The table (and columns) that ``wrangler d1 migrations apply`` maintains.
_MIGRATIONS_TABLE = """CREATE TABLE IF NOT EXISTS d1_migrations(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)"""


class D1Error(Exception):
    """A failed D1 call; the message starts with ``D1_ERROR:`` (or another ``D1_*`` code)."""


class D1TypeError(D1Error, TypeError):
    """A value that D1 cannot bind (``D1_TYPE_ERROR``), raised by ``bind`` as in Workers."""


def _bindable(value: Any) -> Any:
    if value is None or isinstance(value, str | float | bytes):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:  # a BigInt once it crosses into JS
            raise D1TypeError(f"D1_TYPE_ERROR: Type 'bigint' not supported for value '{value}'")
        return value
    if isinstance(value, list) and all(
        isinstance(b, int) and not isinstance(b, bool) and 0 <= b < 256 for b in value
    ):
        return bytes(value)  # D1 takes an array of byte values as a BLOB
    raise D1TypeError(
        f"D1_TYPE_ERROR: Type '{type(value).__name__}' not supported for value {value!r}"
    )


def _keyword(sql: str) -> str:
    rest = _LEADING_COMMENTS.sub("", sql, count=1)
    match = re.match(r"[A-Za-z]+", rest)
    return match.group(0).upper() if match else ""


def _wrap(exc: Exception) -> D1Error:
    name = getattr(exc, "sqlite_errorname", None) or "SQLITE_ERROR"
    return D1Error(f"D1_ERROR: {exc}: {name}")


def _cell(value: Any) -> Any:
    return list(value) if isinstance(value, bytes) else value


def split_sql(script: str) -> list[str]:
    """Split a SQL script into complete statements (quotes, comments and triggers respected)."""
    statements: list[str] = []
    start = 0
    for i, ch in enumerate(script):
        if ch == ";" and sqlite3.complete_statement(script[start : i + 1]):
            statement = script[start : i + 1].strip()
            if _keyword(statement):
                statements.append(statement)
            start = i + 1
    tail = script[start:].strip()
    if _keyword(tail):
        statements.append(tail)
    return statements


class LocalD1Statement:
    """``db.prepare(sql)``; immutable: ``bind`` returns a new statement."""

    def __init__(self, db: LocalD1, sql: str, params: tuple[Any, ...] = ()) -> None:
        self._db = db
        self.sql = sql
        self.params = params

    def bind(self, *values: Any) -> LocalD1Statement:
        """A new statement with ``values`` bound to its ``?`` / ``?NNN`` parameters."""
        return LocalD1Statement(self._db, self.sql, tuple(_bindable(v) for v in values))

    async def first(self, column: str | None = None) -> Any:
        """First row as a dict (or the value of ``column``), None when there is no row."""
        rows = (await self.all())["results"]
        if not rows:
            return None
        if column is None:
            return rows[0]
        if column not in rows[0]:
            raise D1Error("D1_COLUMN_NOTFOUND: Column not found")
        return rows[0][column]

    async def all(self) -> D1Result:
        """Run the statement and return every row with D1's ``meta``."""
        return self._db._run_one(self)

    async def run(self) -> D1Result:
        """Run the statement (same result shape as ``all``, as in current D1)."""
        return self._db._run_one(self)


class LocalD1:
    """A D1 database in one SQLite file (``:memory:`` works for throwaway tests)."""

    def __init__(self, path: str | Path, migrations_dir: Path | None = None) -> None:
        self._handle = SqliteHandle(path)
        with self._handle.locked() as conn:
            conn.execute("PRAGMA foreign_keys = ON")  # D1 enforces foreign keys
        self.migrations_dir = migrations_dir

    def prepare(self, sql: str) -> LocalD1Statement:
        """A prepared statement for ``sql`` (one SQL statement)."""
        return LocalD1Statement(self, sql)

    async def batch(self, statements: Sequence[D1PreparedStatement]) -> list[D1Result]:
        """Run statements in order inside ONE transaction: all succeed or none is applied."""
        local: list[LocalD1Statement] = []
        for stmt in statements:
            if not isinstance(stmt, LocalD1Statement) or stmt._db is not self:
                raise TypeError("batch() takes statements prepared on this database")
            local.append(stmt)
        try:
            with self._handle.transaction() as conn:
                return [self._execute(conn, stmt) for stmt in local]
        except sqlite3.Error as exc:
            raise _wrap(exc) from exc

    async def exec(self, sql: str) -> dict[str, Any]:
        """Run raw SQL, one statement per line as D1 does; returns ``{count, duration}``."""
        started = time.perf_counter()
        count = 0
        with self._handle.locked() as conn:
            for line in sql.split("\n"):
                if not _keyword(line):
                    continue
                self._refuse_transaction_control(line)
                try:
                    conn.execute(line)
                except sqlite3.Error as exc:
                    raise _wrap(exc) from exc
                count += 1
        return {"count": count, "duration": (time.perf_counter() - started) * 1000}

    def apply_migrations(self) -> list[str]:
        """Apply pending ``migrations_dir/*.sql`` in name order, as wrangler does; returns them."""
        if self.migrations_dir is None:
            return []
        with self._handle.locked() as conn:
            conn.execute(_MIGRATIONS_TABLE)
        applied: list[str] = []
        for path in sorted(Path(self.migrations_dir).glob("*.sql"), key=lambda p: p.name):
            statements = split_sql(path.read_text(encoding="utf-8"))
            try:
                with self._handle.transaction() as conn:
                    done = conn.execute("SELECT 1 FROM d1_migrations WHERE name = ?", (path.name,))
                    if done.fetchone():
                        continue
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute("INSERT INTO d1_migrations (name) VALUES (?)", (path.name,))
            except sqlite3.Error as exc:
                raise D1Error(f"D1_ERROR: migration {path.name} failed: {exc}") from exc
            applied.append(path.name)
        return applied

    def close(self) -> None:
        """Close the underlying connection."""
        self._handle.close()

    # ------------------------------------------------------------ internals
    def _run_one(self, stmt: LocalD1Statement) -> D1Result:
        with self._handle.locked() as conn:
            try:
                return self._execute(conn, stmt)
            except sqlite3.Error as exc:
                raise _wrap(exc) from exc

    @staticmethod
    def _refuse_transaction_control(sql: str) -> None:
        if _keyword(sql) in _TRANSACTION_CONTROL:
            raise D1Error(
                "D1_ERROR: SQL transaction statements are not supported; use batch(): SQLITE_AUTH"
            )

    def _execute(self, conn: sqlite3.Connection, stmt: LocalD1Statement) -> D1Result:
        self._refuse_transaction_control(stmt.sql)
        if len(stmt.params) > MAX_BOUND_PARAMETERS:
            raise D1Error("D1_ERROR: too many SQL variables: SQLITE_ERROR")
        started = time.perf_counter()
        before = conn.total_changes
        cursor = conn.execute(stmt.sql, stmt.params)
        names = [d[0] for d in cursor.description or ()]
        rows = [dict(zip(names, map(_cell, row), strict=True)) for row in cursor.fetchall()]
        changes = conn.total_changes - before
        return {
            "success": True,
            "results": rows,
            "meta": {
                "changes": changes,
                "last_row_id": cursor.lastrowid or 0,
                "rows_read": max(len(rows), changes),
                "rows_written": changes,
                "duration": (time.perf_counter() - started) * 1000,
                "changed_db": changes > 0 or _keyword(stmt.sql) in _WRITE_SCHEMA,
            },
        }
