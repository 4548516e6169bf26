"""The analytics schema's migrations: applied once, in order; misnamed files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.analytics.migrate import MIGRATIONS_DIR, migrate, migration_files
from quizhub.analytics.pg import AsyncpgDatabase, PgParams
from tests.fakes import run


def test_a_second_run_applies_nothing(analytics: PgParams) -> None:
    """The session's database is migrated already: nothing is left to apply."""
    assert run(migrate(AsyncpgDatabase(analytics))) == []


def test_migrations_live_apart_from_d1s(analytics: PgParams) -> None:
    """analytics/migrations/ holds Postgres files; migrations/ stays D1's."""
    assert MIGRATIONS_DIR.name == "migrations" and MIGRATIONS_DIR.parent.name == "analytics"
    assert [f.name for f in migration_files()][0] == "0001_play_events.sql"


def test_a_misnamed_migration_is_an_error(tmp_path: Path) -> None:
    """A file that would sort unpredictably is refused, not skipped."""
    (tmp_path / "add_index.sql").write_text("SELECT 1")
    with pytest.raises(ValueError, match="0001_name.sql"):
        migration_files(tmp_path)


def test_a_failing_migration_leaves_nothing_behind(analytics: PgParams, tmp_path: Path) -> None:
    """Its statements and its record roll back together; the next run tries it again."""
    (tmp_path / "0001_broken.sql").write_text("CREATE TABLE half_done (x int); SELECT nope;")
    db = AsyncpgDatabase(analytics)
    with pytest.raises(Exception, match="nope"):
        run(migrate(db, tmp_path))

    async def exists() -> object:
        async with db.connect() as conn:
            return await conn.fetchval("SELECT to_regclass('half_done')")

    assert run(exists()) is None
