"""Postgres through asyncpg, written once for both platforms: the connection details (the
Hyperdrive binding's ``host, port, user, password, database`` on Cloudflare; the embedded
server or ``ANALYTICS_DATABASE_URL`` locally) and the ``AnalyticsDatabase`` port over them.

asyncpg is imported when a connection is opened, never at import time: Pyodide's asyncpg is
the runtime's own package, and modules that only describe the database load without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from quizhub.errors import Code, Transient
from quizhub.ports import PgConnection

__all__ = ["PgParams", "AsyncpgDatabase", "CONNECT_TIMEOUT_S", "COMMAND_TIMEOUT_S"]

CONNECT_TIMEOUT_S = 5.0
COMMAND_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class PgParams:
    """Where a Postgres is. ``host`` may be a Unix socket directory (the embedded server)."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_url(cls, url: str) -> PgParams:
        """``postgres[ql]://user:password@host:port/database`` (``?host=/dir`` for a socket)."""
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"not a postgres:// URL: {parts.scheme or url!r}")
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        host = unquote(query.get("host", "")) or parts.hostname or "localhost"
        return cls(
            host=host,
            port=parts.port or int(query.get("port", "5432")),
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")) or "postgres",
        )

    def with_database(self, database: str) -> PgParams:
        """The same server, another database."""
        return PgParams(self.host, self.port, self.user, self.password, database)

    def url(self) -> str:
        """The URL ``from_url`` reads back (password included: for child processes only)."""
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        if self.host.startswith("/"):
            return f"postgres://{auth}@/{quote(self.database)}?host={quote(self.host)}"
        return f"postgres://{auth}@{self.host}:{self.port}/{quote(self.database)}"

    def describe(self) -> str:
        """A URL without the password (banners, logs)."""
        if self.host.startswith("/"):
            return f"postgres://{self.user}@/{self.database}?host={self.host}"
        return f"postgres://{self.user}@{self.host}:{self.port}/{self.database}"


class AsyncpgDatabase:
    """The ``AnalyticsDatabase`` port over asyncpg: a connection per unit of work (Hyperdrive
    pools them on Cloudflare; locally a Unix-socket connect takes a few ms). TLS is off:
    Hyperdrive terminates it, and the local server listens on a socket only."""

    def __init__(self, params: PgParams) -> None:
        self.params = params

    def describe(self) -> str:
        return self.params.describe()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[PgConnection]:
        import asyncpg

        p = self.params
        try:
            conn: Any = await asyncpg.connect(
                host=p.host,
                port=p.port,
                user=p.user,
                password=p.password or None,
                database=p.database,
                ssl=False,
                timeout=CONNECT_TIMEOUT_S,
                command_timeout=COMMAND_TIMEOUT_S,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            raise Transient(
                f"analytics database {self.describe()} unavailable: {exc}",
                code=Code.ANALYTICS_DB_UNAVAILABLE,
            ) from exc
        try:
            yield conn
        finally:
            await conn.close()
