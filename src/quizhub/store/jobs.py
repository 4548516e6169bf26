"""The jobs table: every transition is a guarded UPDATE, so repeats and races are harmless.

A terminal status (succeeded, failed, superseded, conflict) is never left once reached: every
statement that moves a job requires ``status = 'running'`` (or a non-terminal status).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.domain.jobs import JobKind, JobRow
from quizhub.domain.preconditions import Precondition
from quizhub.ports import D1Database

__all__ = ["JobRef", "JobsRepo"]

_COLUMNS = (
    "job_id, test_id, rev, base_rev, kind, status, step, committed, attempts, error, body_ref, "
    "accepted_at, updated_at, create_only"
)


# Giving up: failed before the commit; after it the save is live, so succeeded with a warning.
_GIVE_UP = """status = CASE WHEN jobs.committed = 1 THEN 'succeeded' ELSE 'failed' END,
  step = CASE WHEN jobs.committed = 1 THEN 'done' ELSE 'failed' END,
  error = CASE WHEN jobs.committed = 1
    THEN 'saved and live, but invalidating caches did not complete; '
      || 'cached copies expire on their own: ' || {reason}
    ELSE {reason} END"""


@dataclass(frozen=True)
class JobRef:
    """What the pipeline knows about a job from its message."""

    job_id: str
    test_id: str
    rev: str
    kind: JobKind
    accepted_at: str
    precondition: Precondition = Precondition()

    def precondition_args(self) -> tuple[str | None, int]:
        """``(base_rev, create_only)`` as the jobs and tests SQL bind them."""
        return self.precondition.base_rev, int(self.precondition.create_only)


# A first row of a job: one placeholder per column of _COLUMNS, filled by _new_row.
_INSERT = f"INSERT INTO jobs ({_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS.split(',')))})"


def _new_row(
    job: JobRef, status: str, step: str, error: str | None, body_ref: str | None, now: str
) -> list[Any]:
    """Values for ``_INSERT`` in the order of ``_COLUMNS`` (committed 0, first attempt)."""
    base_rev, create_only = job.precondition_args()
    return [
        *(job.job_id, job.test_id, job.rev, base_rev, job.kind, status, step, 0, 1, error),
        *(body_ref, job.accepted_at, now, create_only),
    ]


class JobsRepo:
    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def get(self, job_id: str) -> JobRow | None:
        """The job row, or None when no consumer has touched the job yet."""
        row = (
            await self.db.prepare(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?")
            .bind(job_id)
            .first()
        )
        return None if row is None else JobRow.from_row(row)

    async def start_attempt(self, job: JobRef, step: str, now: str, body_ref: str | None) -> JobRow:
        """Create the row on first delivery or count another attempt; returns the row after."""
        row: dict[str, Any] | None = (
            await self.db.prepare(
                f"""{_INSERT}
            ON CONFLICT(job_id) DO UPDATE SET
              attempts = jobs.attempts + 1,
              updated_at = CASE WHEN jobs.status = 'running'
                THEN excluded.updated_at ELSE jobs.updated_at END
            RETURNING {_COLUMNS}"""
            )
            .bind(*_new_row(job, "running", step, None, body_ref, now))
            .first()
        )
        assert row is not None
        return JobRow.from_row(row)

    async def set_step(self, job_id: str, step: str, now: str) -> None:
        """Record the step a running job is on (what the admin UI shows as 저장 중…)."""
        await (
            self.db.prepare(
                "UPDATE jobs SET step = ?, updated_at = ? WHERE job_id = ? AND status = 'running'"
            )
            .bind(step, now, job_id)
            .run()
        )

    async def note_error(self, job_id: str, error: str, now: str) -> None:
        """Keep the last transient error on a running job (it will be retried)."""
        await (
            self.db.prepare(
                "UPDATE jobs SET error = ?, updated_at = ? WHERE job_id = ? AND status = 'running'"
            )
            .bind(error[:1000], now, job_id)
            .run()
        )

    async def succeed(self, job_id: str, now: str) -> None:
        """Mark a committed job succeeded (after invalidation)."""
        await (
            self.db.prepare(
                """UPDATE jobs SET status = 'succeeded', step = 'done', error = NULL, updated_at = ?
            WHERE job_id = ? AND status = 'running' AND committed = 1"""
            )
            .bind(now, job_id)
            .run()
        )

    async def fail(self, job: JobRef, reason: str, now: str) -> None:
        """End a job that gave up, unless it is already terminal (creates the row if absent).

        A job that already committed is live, so it ends ``succeeded`` with the reason kept as a
        warning (only invalidating caches failed): never ``failed`` for a save being served.
        """
        await (
            self.db.prepare(
                f"""{_INSERT}
            ON CONFLICT(job_id) DO UPDATE SET {_GIVE_UP.format(reason="excluded.error")},
              updated_at = excluded.updated_at
            WHERE jobs.status IN ('queued', 'running')"""
            )
            .bind(*_new_row(job, "failed", "failed", reason[:1000], None, now))
            .run()
        )

    async def fail_stuck(self, accepted_before: str, now: str) -> int:
        """End every non-terminal job accepted before ``accepted_before`` (reason: timeout)."""
        reason = (
            "'timeout: the job did not finish within its retry budget'"
            " || CASE WHEN error IS NULL THEN '' ELSE ' (last error: ' || error || ')' END"
        )
        result = (
            await self.db.prepare(
                f"""UPDATE jobs SET {_GIVE_UP.format(reason=reason)}, updated_at = ?
            WHERE status IN ('queued', 'running') AND accepted_at < ?"""
            )
            .bind(now, accepted_before)
            .run()
        )
        return int(result["meta"].get("changes", 0))

    async def latest_for_tests(self) -> dict[str, JobRow]:
        """The newest job (by rev) of each test, for the admin list."""
        columns = ", ".join(f"j.{c.strip()}" for c in _COLUMNS.split(","))
        rows = await self.db.prepare(
            f"""SELECT {columns} FROM jobs j
            JOIN (SELECT test_id, MAX(rev) AS rev FROM jobs GROUP BY test_id) m
              ON m.test_id = j.test_id AND m.rev = j.rev"""
        ).all()
        return {r["test_id"]: JobRow.from_row(r) for r in rows["results"]}
