"""The purge_debt table: tests whose cached copies may be older than their committed revision
because the purge after a commit failed (docs/pipeline.md#live-and-its-staleness-bound).

One row per test holds the newest committed rev a purge is owed for. Committed revs of a test
commit in rev order (the commit's compare-and-set supersedes an older one), and a debt is only
ever recorded after its rev committed, so a purge that started after the debt's rev was read
covers that rev and every older one: it may delete the row only while the row still holds that
rev (``paid``). A newer save's debt raises the rev, and survives an older purge's success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.ports import D1Database, D1PreparedStatement

__all__ = ["PurgeDebt", "PurgeDebtRepo", "OWE_FOR_JOB"]

# Recording a debt keeps the newest rev and the sweep's backoff (attempts, next_at): a new save
# that also fails to purge does not make a rate-limited zone be asked again sooner.
_KEEP_NEWEST = """ON CONFLICT(test_id) DO UPDATE SET rev = MAX(purge_debt.rev, excluded.rev),
  error = excluded.error"""

_OWE = f"""INSERT INTO purge_debt (test_id, rev, since, attempts, next_at, error)
VALUES (?1, ?2, ?3, 0, ?3, ?4)
{_KEEP_NEWEST}"""

# The debt of the jobs a give-up ends: committed saves and deletes whose invalidation never
# succeeded (``live_at`` null), still open. ``{where}`` selects them from ``jobs``; ``?n`` of
# ``{now}`` and ``{error}`` are the statement's own parameters. Part of the same D1 batch as the
# job's transition, and before it, so a job never ends warned without its debt.
OWE_FOR_JOB = f"""INSERT INTO purge_debt (test_id, rev, since, attempts, next_at, error)
SELECT test_id, rev, {{now}}, 0, {{now}}, substr({{error}}, 1, 1000) FROM jobs
WHERE committed = 1 AND live_at IS NULL AND kind IN ('save', 'delete') AND {{where}}
{_KEEP_NEWEST}"""

_COLUMNS = "test_id, rev, since, attempts, next_at, error"


@dataclass(frozen=True)
class PurgeDebt:
    """A purge owed for ``test_id``, up to ``rev``."""

    test_id: str
    rev: str
    since: str
    attempts: int
    next_at: str
    error: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PurgeDebt:
        return cls(
            test_id=str(row["test_id"]),
            rev=str(row["rev"]),
            since=str(row["since"]),
            attempts=int(row["attempts"]),
            next_at=str(row["next_at"]),
            error=row["error"],
        )


class PurgeDebtRepo:
    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def owed(self, test_id: str) -> str | None:
        """The rev a purge is owed for, None when the test's cached copies can be trusted (one
        primary-key lookup in a table that is empty unless a purge failed)."""
        rev = (
            await self.db.prepare("SELECT rev FROM purge_debt WHERE test_id = ?")
            .bind(test_id)
            .first("rev")
        )
        return None if rev is None else str(rev)

    async def owe(self, test_id: str, rev: str, now: str, error: str) -> None:
        """A purge after ``rev``'s commit failed: owe one (the newest rev is kept)."""
        await self.db.prepare(_OWE).bind(test_id, rev, now, error[:1000]).run()

    async def get(self, test_id: str) -> PurgeDebt | None:
        """The test's debt row, None when nothing is owed."""
        row = (
            await self.db.prepare(f"SELECT {_COLUMNS} FROM purge_debt WHERE test_id = ?")
            .bind(test_id)
            .first()
        )
        return None if row is None else PurgeDebt.from_row(row)

    async def due(self, now: str, limit: int) -> list[PurgeDebt]:
        """Debts whose next attempt is due at ``now``, longest waiting first."""
        rows = (
            await self.db.prepare(
                f"SELECT {_COLUMNS} FROM purge_debt WHERE next_at <= ?"
                " ORDER BY next_at, test_id LIMIT ?"
            )
            .bind(now, limit)
            .all()
        )
        return [PurgeDebt.from_row(r) for r in rows["results"]]

    async def all(self) -> list[PurgeDebt]:
        """Every debt (the reliability rig and the tests look at them)."""
        rows = await self.db.prepare(f"SELECT {_COLUMNS} FROM purge_debt ORDER BY test_id").all()
        return [PurgeDebt.from_row(r) for r in rows["results"]]

    async def paid(self, debts: list[PurgeDebt]) -> int:
        """A purge that started after these debts were read succeeded: delete each one whose
        rev is still the one purged for; returns how many were deleted."""
        if not debts:
            return 0
        sql = "DELETE FROM purge_debt WHERE test_id = ? AND rev = ?"
        results = await self.db.batch([self.db.prepare(sql).bind(d.test_id, d.rev) for d in debts])
        return sum(int(r["meta"].get("changes", 0)) for r in results)

    async def paid_up_to(self, test_id: str, rev: str) -> None:
        """A purge that started after ``rev`` committed succeeded: it covers ``rev`` and every
        older committed rev of the test (a debt for a newer rev stays)."""
        await (
            self.db.prepare("DELETE FROM purge_debt WHERE test_id = ? AND rev <= ?")
            .bind(test_id, rev)
            .run()
        )

    async def postpone(self, retries: list[tuple[PurgeDebt, str]], error: str) -> None:
        """The sweep's attempt failed: count it on each debt and set its next attempt
        (``(debt, next_at)`` pairs), whatever rev it holds by now."""
        if not retries:
            return
        sql = (
            "UPDATE purge_debt SET attempts = attempts + 1, next_at = ?, error = ?"
            " WHERE test_id = ?"
        )
        statements: list[D1PreparedStatement] = [
            self.db.prepare(sql).bind(next_at, error[:1000], debt.test_id)
            for debt, next_at in retries
        ]
        await self.db.batch(statements)
