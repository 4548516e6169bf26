"""The jobs table: every transition is a guarded UPDATE, so repeats and races are harmless.

A terminal status (succeeded, failed, superseded, conflict, expired) is never left once reached:
every statement that moves a job requires a non-terminal status. A ``delayed`` job (past its
retry budget, its message may still come) is as workable as a ``running`` one: a late delivery
moves it back to ``running`` and applies it under the same compare-and-set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizhub.domain.jobs import (
    ERROR_LIMIT,
    JOB_STATUSES,
    TERMINAL,
    JobError,
    JobKind,
    JobRow,
    JobStatus,
    delayed_error,
    expired_error,
)
from quizhub.domain.preconditions import Precondition
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code
from quizhub.ports import D1Database
from quizhub.store.purges import OWE_FOR_JOB

__all__ = ["JobRef", "JobsRepo", "Overdue", "WORKABLE"]

# The statuses a delivery may still work on (every step's guard): a late delivery of a delayed
# job applies exactly like an on-time one.
WORKABLE = "('running', 'delayed')"
# Every non-terminal status, as an SQL list: ('queued', 'running', 'delayed').
_OPEN = "(" + ", ".join(f"'{s}'" for s in JOB_STATUSES if s not in TERMINAL) + ")"

_COLUMNS = (
    "job_id, test_id, rev, base_rev, kind, status, step, committed, attempts, error, body_ref, "
    "accepted_at, updated_at, create_only, committed_at, live_at, author, image_key, error_code, "
    "error_params, merge_facts, conflicts"
)


# Giving up: failed before the commit; after it the save is live, so succeeded with a warning
# (``purge_incomplete``, its cause the reason given up for). A save or delete that gives up
# before its purge succeeded leaves a purge debt, written in the same batch (``OWE_FOR_JOB``):
# reads skip the caches until the sweep's purge pays it. ``{reason}``, ``{code}`` and
# ``{params}`` are SQL expressions of the reason's English line, its code and its params (JSON).
_GIVE_UP = f"""status = CASE WHEN jobs.committed = 1 THEN 'succeeded' ELSE 'failed' END,
  step = CASE WHEN jobs.committed = 1 THEN 'done' ELSE 'failed' END,
  error = CASE WHEN jobs.committed = 1
    THEN 'saved and live, but invalidating caches did not complete; '
      || CASE WHEN jobs.kind IN ('save', 'delete')
        THEN 'public reads skip cached copies until the sweep''s purge succeeds: '
        ELSE 'cached copies expire on their own: ' END || {{reason}}
    ELSE {{reason}} END,
  error_code = CASE WHEN jobs.committed = 1 THEN '{Code.PURGE_INCOMPLETE}' ELSE {{code}} END,
  error_params = CASE WHEN jobs.committed = 1
    THEN json_object('owed', json(CASE WHEN jobs.kind IN ('save', 'delete')
        THEN 'true' ELSE 'false' END),
      'cause', json_object('code', {{code}}, 'params', json({{params}})))
    ELSE {{params}} END"""

# The last error kept on a job, as a suffix of a sweep's reason; a reason the sweep wrote before
# ("delayed: …") contributes only its own last-error part, so reasons never nest.
_LAST_ERROR = """CASE WHEN error IS NULL THEN ''
  WHEN error LIKE 'delayed:%' OR error LIKE 'expired:%'
    THEN COALESCE(substr(error, NULLIF(instr(error, ' (last error: '), 0)), '')
  ELSE ' (last error: ' || error || ')' END"""
# The same as a ``cause`` parameter (``{"code", "params"}``, JSON text; NULL without one): a
# delay or expiry the sweep wrote before contributes its own cause, so causes never nest.
_LAST_CAUSE = f"""CASE WHEN error_code IS NULL THEN NULL
  WHEN error_code IN ('{Code.DELAYED}', '{Code.EXPIRED}') THEN json_extract(error_params, '$.cause')
  ELSE json_object('code', error_code, 'params', json(COALESCE(error_params, '{{}}'))) END"""


@dataclass(frozen=True)
class JobRef:
    """What the pipeline knows about a job from its message."""

    job_id: str
    test_id: str
    rev: str
    kind: JobKind
    accepted_at: str
    precondition: Precondition = Precondition()
    author: str | None = None  # the Access editor who accepted it (None: the bearer token)
    image_key: str | None = None  # an image job's image

    def precondition_args(self) -> tuple[str | None, int]:
        """``(base_rev, create_only)`` as the jobs and tests SQL bind them."""
        return self.precondition.base_rev, int(self.precondition.create_only)


# A first row of a job: one placeholder per column of _COLUMNS, filled by _new_row.
_INSERT = f"INSERT INTO jobs ({_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMNS.split(',')))})"


def _new_row(
    job: JobRef, status: str, step: str, error: JobError | None, body_ref: str | None, now: str
) -> list[Any]:
    """Values for ``_INSERT`` in the order of ``_COLUMNS`` (committed 0, first attempt)."""
    base_rev, create_only = job.precondition_args()
    message, code, params = _error_args(error)
    return [
        *(job.job_id, job.test_id, job.rev, base_rev, job.kind, status, step, 0, 1, message),
        *(body_ref, job.accepted_at, now, create_only, None, None, job.author, job.image_key),
        *(code, params),
        *(None, None),  # merge_facts, conflicts: written by the commit (quizhub.store.commit)
    ]


def _error_args(error: JobError | None) -> tuple[str | None, str | None, str | None]:
    """``(error, error_code, error_params)`` as the jobs table binds them."""
    if error is None:
        return None, None, None
    return error.message, error.code.value, error.params_json()


@dataclass(frozen=True)
class Overdue:
    """What one sweep changed: jobs now delayed, committed jobs ended live, jobs expired."""

    delayed: int = 0
    live: int = 0
    expired: int = 0

    @property
    def total(self) -> int:
        return self.delayed + self.live + self.expired


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
        """Create the row on first delivery or count another attempt; returns the row after.

        A late delivery of a ``delayed`` job makes it ``running`` again (it will apply)."""
        row: dict[str, Any] | None = (
            await self.db.prepare(
                f"""{_INSERT}
            ON CONFLICT(job_id) DO UPDATE SET
              attempts = jobs.attempts + 1,
              status = CASE WHEN jobs.status = 'delayed' THEN 'running' ELSE jobs.status END,
              updated_at = CASE WHEN jobs.status IN {WORKABLE}
                THEN excluded.updated_at ELSE jobs.updated_at END
            RETURNING {_COLUMNS}"""
            )
            .bind(*_new_row(job, "running", step, None, body_ref, now))
            .first()
        )
        assert row is not None
        return JobRow.from_row(row)

    async def set_step(self, job_id: str, step: str, now: str) -> JobRow | None:
        """Record the step a running job is on (what the admin UI shows as 저장 중…); the row
        after it (None when the job is no longer workable)."""
        row = await (
            self.db.prepare(
                "UPDATE jobs SET step = ?, updated_at = ?"
                f" WHERE job_id = ? AND status IN {WORKABLE} RETURNING {_COLUMNS}"
            )
            .bind(step, now, job_id)
            .first()
        )
        return None if row is None else JobRow.from_row(row)

    async def mark_live(self, job_id: str, now: str) -> JobRow | None:
        """Record when the invalidation after a committed job's commit succeeded (``liveAt``).
        The first success counts: a repeat delivery that invalidates again keeps it. The row
        after it (None when the job has not committed)."""
        row = await (
            self.db.prepare(
                "UPDATE jobs SET live_at = COALESCE(live_at, ?) WHERE job_id = ? AND committed = 1"
                f" RETURNING {_COLUMNS}"
            )
            .bind(now, job_id)
            .first()
        )
        return None if row is None else JobRow.from_row(row)

    async def claim_retry(self, job_id: str, retry_job_id: str, *, replacing: str | None) -> str:
        """Make ``retry_job_id`` THE retry of ``job_id`` unless another retry claimed it first
        (``replacing``: a claim found abandoned, taken over only if it is still the one);
        returns the job id that holds the claim."""
        await (
            self.db.prepare(
                "UPDATE jobs SET retried_by = ?1 WHERE job_id = ?2 AND retried_by IS ?3"
            )
            .bind(retry_job_id, job_id, replacing)
            .run()
        )
        return await self.retried_by(job_id) or retry_job_id

    async def retried_by(self, job_id: str) -> str | None:
        """The job that retries ``job_id``, if a retry claimed it."""
        row = await (
            self.db.prepare("SELECT retried_by FROM jobs WHERE job_id = ?").bind(job_id).first()
        )
        return None if row is None or row["retried_by"] is None else str(row["retried_by"])

    async def release_retry(self, job_id: str, retry_job_id: str) -> None:
        """Give the claim back (the retry's message could not be sent)."""
        await (
            self.db.prepare("UPDATE jobs SET retried_by = NULL WHERE job_id = ? AND retried_by = ?")
            .bind(job_id, retry_job_id)
            .run()
        )

    async def note_error(self, job_id: str, error: JobError, now: str) -> None:
        """Keep the last transient error on a running job (it will be retried)."""
        await (
            self.db.prepare(
                "UPDATE jobs SET error = ?, error_code = ?, error_params = ?, updated_at = ?"
                f" WHERE job_id = ? AND status IN {WORKABLE}"
            )
            .bind(*_error_args(error), now, job_id)
            .run()
        )

    async def succeed(self, job_id: str, now: str, warning: JobError | None = None) -> None:
        """Mark a committed job (or a reindex, which commits nothing) succeeded; ``warning`` is
        kept as its error (e.g. the search index could not be updated: the save is live)."""
        await (
            self.db.prepare(
                f"""UPDATE jobs SET status = 'succeeded', step = 'done', error = ?,
              error_code = ?, error_params = ?, updated_at = ?
              WHERE job_id = ? AND status IN {WORKABLE}
              AND (committed = 1 OR kind = 'reindex' OR (kind = 'image' AND image_key IS NULL))"""
            )
            .bind(*_error_args(warning), now, job_id)
            .run()
        )

    async def fail(self, job: JobRef, reason: JobError, now: str) -> None:
        """End a job that gave up, unless it is already terminal (creates the row if absent).

        This is how the dead-letter consumer ends a ``delayed`` job too. A job that already
        committed is live, so it ends ``succeeded`` with the reason kept as a
        warning (only invalidating caches failed): never ``failed`` for a save being served.
        A committed save or delete whose purge never succeeded leaves a purge debt, in the same
        transaction.
        """
        owe = OWE_FOR_JOB.format(now="?2", error="?3", where=f"job_id = ?1 AND status IN {_OPEN}")
        give_up = _GIVE_UP.format(
            reason="excluded.error", code="excluded.error_code", params="excluded.error_params"
        )
        await self.db.batch(
            [
                self.db.prepare(owe).bind(job.job_id, now, reason.message),
                self.db.prepare(
                    f"""{_INSERT}
            ON CONFLICT(job_id) DO UPDATE SET {give_up},
              updated_at = excluded.updated_at
            WHERE jobs.status IN {_OPEN}"""
                ).bind(*_new_row(job, "failed", "failed", reason, None, now)),
            ]
        )

    async def sweep_overdue(
        self, now_ms: int, *, budget_seconds: int, retention_seconds: int, quiet_seconds: int
    ) -> Overdue:
        """The cron sweep: jobs accepted more than ``budget_seconds`` ago and idle for
        ``quiet_seconds`` (no delivery is working on them) become ``delayed`` — or, when they
        already committed, end ``succeeded`` with the reason as a warning (they are live; a
        purge debt is left, in the same transaction, when their purge never succeeded).
        Delayed jobs accepted more than ``retention_seconds`` ago can no longer be delivered:
        they end ``expired``. Never ``failed``: that is the dead-letter queue's word."""
        now = iso_ms(now_ms)
        budget_cutoff = iso_ms(now_ms - budget_seconds * 1000)
        quiet_cutoff = iso_ms(now_ms - quiet_seconds * 1000)
        overdue = f"accepted_at < ?3 AND updated_at < ?4 AND status IN {_OPEN}"
        live_reason = f"?1 || {_LAST_ERROR}"
        # The cause of a committed job's purge_incomplete: over its budget, after its last error.
        over_budget = (
            f"'{Code.OVER_BUDGET}'",
            f"json_object('budgetSeconds', ?5, 'cause', json({_LAST_CAUSE}))",
        )
        live_args = (
            f"not finished within its retry budget ({budget_seconds} s)",
            now,
            budget_cutoff,
            quiet_cutoff,
            budget_seconds,
        )
        owe = OWE_FOR_JOB.format(now="?2", error=live_reason, where=overdue)
        give_up = _GIVE_UP.format(reason=live_reason, code=over_budget[0], params=over_budget[1])
        _, ended = await self.db.batch(
            [
                self.db.prepare(owe).bind(*live_args[:4]),
                self.db.prepare(
                    f"""UPDATE jobs SET {give_up}, updated_at = ?2
            WHERE committed = 1 AND {overdue}"""
                ).bind(*live_args),
            ]
        )
        live = int(ended["meta"].get("changes", 0))
        delayed = delayed_error(budget_seconds)
        delayed_count = await self._changes(
            f"""UPDATE jobs SET status = 'delayed',
              error = substr(?1 || {_LAST_ERROR}, 1, {ERROR_LIMIT}),
              error_code = ?5, error_params = json_object('budgetSeconds', ?6,
                'cause', json({_LAST_CAUSE})),
              updated_at = ?2
            WHERE committed = 0 AND status != 'delayed' AND {overdue}""",
            delayed.message,
            now,
            budget_cutoff,
            quiet_cutoff,
            delayed.code.value,
            budget_seconds,
        )
        gone = expired_error(retention_seconds)
        expired = await self._changes(
            f"""UPDATE jobs SET status = 'expired', step = 'expired',
              error = substr(?1 || {_LAST_ERROR}, 1, {ERROR_LIMIT}),
              error_code = ?4, error_params = json_object('retentionSeconds', ?5,
                'cause', json({_LAST_CAUSE})),
              updated_at = ?2
            WHERE committed = 0 AND status = 'delayed' AND accepted_at < ?3""",
            gone.message,
            now,
            iso_ms(now_ms - retention_seconds * 1000),
            gone.code.value,
            retention_seconds,
        )
        return Overdue(delayed=delayed_count, live=live, expired=expired)

    async def _changes(self, sql: str, *args: Any) -> int:
        result = await self.db.prepare(sql).bind(*args).run()
        return int(result["meta"].get("changes", 0))

    async def list_by_status(
        self,
        statuses: Sequence[JobStatus],
        *,
        limit: int,
        before: tuple[str, str] | None = None,
    ) -> list[JobRow]:
        """Jobs in ``statuses``, newest accepted first; ``before`` = (rev, job_id) of the last
        item of the previous page (cursor pagination)."""
        wanted = [s for s in JOB_STATUSES if s in statuses]
        if not wanted:
            return []
        where = [f"status IN ({', '.join('?' * len(wanted))})"]
        args: list[Any] = list(wanted)
        if before is not None:
            where.append("(rev < ? OR (rev = ? AND job_id < ?))")
            args += [before[0], before[0], before[1]]
        rows = (
            await self.db.prepare(
                f"SELECT {_COLUMNS} FROM jobs WHERE {' AND '.join(where)}"
                " ORDER BY rev DESC, job_id DESC LIMIT ?"
            )
            .bind(*args, limit)
            .all()
        )
        return [JobRow.from_row(r) for r in rows["results"]]

    async def latest_for_tests(self) -> dict[str, JobRow]:
        """The newest job (by rev) of each test, for the admin list."""
        columns = ", ".join(f"j.{c.strip()}" for c in _COLUMNS.split(","))
        rows = await self.db.prepare(
            f"""SELECT {columns} FROM jobs j
            JOIN (SELECT test_id, MAX(rev) AS rev FROM jobs GROUP BY test_id) m
              ON m.test_id = j.test_id AND m.rev = j.rev"""
        ).all()
        return {r["test_id"]: JobRow.from_row(r) for r in rows["results"]}
