"""Postgres schema migrations of the analytics store (``analytics/migrations/NNNN_name.sql``,
NOT ``migrations/``, which are D1's). Each file runs once, in one transaction, in name order;
``analytics_migrations`` records what ran. An advisory lock lets concurrent runs (two dev
servers, a test session and ``make analytics-migrate``) wait for each other."""

from __future__ import annotations

import re
from pathlib import Path

from quizhub.ports import AnalyticsDatabase

__all__ = ["MIGRATIONS_DIR", "migrate", "migration_files"]

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "analytics" / "migrations"
_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x717A_6875_6200  # "qzhub": any constant the project owns

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS analytics_migrations (
  name       text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)"""


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    """The migration files in the order they apply; a misnamed file is an error, not skipped."""
    files = sorted(directory.glob("*.sql"))
    bad = [f.name for f in files if not _NAME.match(f.name)]
    if bad:
        raise ValueError(f"analytics migration names must look like 0001_name.sql: {bad}")
    return files


async def migrate(db: AnalyticsDatabase, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the files not applied yet; returns their names."""
    applied: list[str] = []
    async with db.connect() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await conn.execute(_BOOKKEEPING)
            done = {r["name"] for r in await conn.fetch("SELECT name FROM analytics_migrations")}
            for path in migration_files(directory):
                if path.name in done:
                    continue
                sql = path.read_text(encoding="utf-8")
                # One simple-protocol string: BEGIN … COMMIT makes the file and its record atomic.
                record = f"INSERT INTO analytics_migrations (name) VALUES ('{path.name}')"
                try:
                    await conn.execute(f"BEGIN;\n{sql}\n;{record};\nCOMMIT;")
                except Exception:
                    await conn.execute("ROLLBACK")
                    raise
                applied.append(path.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied
