"""Durable state of the local Workflows engine: instances, step memos and attempts in SQLite.

Every change is one SQLite transaction (WAL, see ``_sqlite``), so whatever a replay recorded
survives a killed process. A replay owns its instance through a lease (``lease_token`` until
``lease_until_ms`` on the engine clock); every write checks the token, so a replay whose lease
was taken over (its process hung) or whose instance was terminated stops at its next write.
A running instance whose lease ran out is runnable again: that is how a crash is recovered.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizhub.local._sqlite import SqliteHandle

__all__ = [
    "ReplayStopped",
    "LeaseLost",
    "Claim",
    "InstanceRow",
    "StepRow",
    "WorkflowStore",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wf_instances (
    workflow TEXT NOT NULL, id TEXT NOT NULL, params TEXT NOT NULL, created_ms INTEGER NOT NULL,
    status TEXT NOT NULL, wake_at_ms INTEGER, lease_token TEXT, lease_until_ms INTEGER,
    output TEXT, error TEXT, runs INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL,
    PRIMARY KEY (workflow, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS wf_instances_due ON wf_instances (status, wake_at_ms);
CREATE TABLE IF NOT EXISTS wf_steps (
    workflow TEXT NOT NULL, instance TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    count INTEGER NOT NULL, config TEXT, state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, in_progress INTEGER NOT NULL DEFAULT 0,
    wake_at_ms INTEGER, result TEXT, error TEXT, updated_ms INTEGER NOT NULL,
    PRIMARY KEY (workflow, instance, kind, name, count)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wf_attempts (
    seq INTEGER PRIMARY KEY,
    workflow TEXT NOT NULL, instance TEXT NOT NULL, name TEXT NOT NULL, count INTEGER NOT NULL,
    attempt INTEGER NOT NULL, started_ms INTEGER NOT NULL, ended_ms INTEGER, outcome TEXT,
    error TEXT,
    UNIQUE (workflow, instance, name, count, attempt)
);
"""
_RUNNABLE = (
    "(status = 'queued' OR (status = 'waiting' AND wake_at_ms <= :now)"
    " OR (status = 'running' AND (lease_until_ms IS NULL OR lease_until_ms <= :now)))"
)
_STATUSES = ("queued", "running", "waiting", "paused", "complete", "errored", "terminated")


class ReplayStopped(BaseException):  # noqa: N818 - control flow, not an error
    """Ends a replay from inside ``run``; a BaseException so ``except Exception`` lets it pass."""


class LeaseLost(ReplayStopped):  # noqa: N818
    """The replay no longer owns its instance (lease taken over, or instance terminated)."""


@dataclass(frozen=True)
class Claim:
    """The lease a replay holds on one instance, with the event data it replays."""

    workflow: str
    id: str
    token: str
    params: Any
    created_ms: int


@dataclass(frozen=True)
class InstanceRow:
    """What ``status()`` reports about an instance."""

    status: str
    output: Any
    error: dict[str, Any] | None


@dataclass(frozen=True)
class StepRow:
    """The memo of one ``step.do``/``step.sleep`` call (``kind`` + name + count)."""

    config: dict[str, Any] | None
    state: str  # pending | done | failed
    attempts: int
    in_progress: bool
    wake_at_ms: int | None  # retry time (do) or wake-up time (sleep)
    result: str | None
    error: dict[str, Any] | None


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _in_list(values: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Named placeholders for ``IN (...)`` (``NULL`` when empty, which matches nothing)."""
    args = {f"v{i}": value for i, value in enumerate(values)}
    return (", ".join(f":{key}" for key in args) or "NULL"), args


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class WorkflowStore:
    """All workflow instances of the local platform in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self._handle = SqliteHandle(path)
        with self._handle.locked() as conn:
            conn.executescript(_SCHEMA)

    # ------------------------------------------------------------ instances
    def insert_instance(self, workflow: str, instance_id: str, params: str, now_ms: int) -> bool:
        """Store a queued instance; False when that id already exists."""
        with self._handle.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO wf_instances (workflow, id, params, created_ms, status,"
                " updated_ms) VALUES (?, ?, ?, ?, 'queued', ?)",
                (workflow, instance_id, params, now_ms, now_ms),
            )
            return cur.rowcount == 1

    def instance(self, workflow: str, instance_id: str) -> InstanceRow | None:
        """Status, output and error of an instance (None when it does not exist)."""
        with self._handle.locked() as conn:
            row = conn.execute(
                "SELECT status, output, error FROM wf_instances WHERE workflow = ? AND id = ?",
                (workflow, instance_id),
            ).fetchone()
        if row is None:
            return None
        return InstanceRow(row[0], _loads(row[1]), _loads(row[2]))

    def runnable(self, workflows: Sequence[str], now_ms: int, limit: int) -> list[tuple[str, str]]:
        """(workflow, id) of instances a replay may claim at ``now_ms``, most overdue first."""
        names, args = _in_list(workflows)
        with self._handle.locked() as conn:
            rows = conn.execute(
                f"SELECT workflow, id FROM wf_instances WHERE workflow IN ({names})"
                f" AND {_RUNNABLE} ORDER BY COALESCE(wake_at_ms, created_ms) LIMIT :limit",
                args | {"now": now_ms, "limit": limit},
            ).fetchall()
        return [(w, i) for w, i in rows]

    def claim(
        self, workflow: str, instance_id: str, token: str, now_ms: int, until_ms: int
    ) -> Claim | None:
        """Lease a runnable instance for a replay (None if it is not runnable any more)."""
        with self._handle.transaction() as conn:
            cur = conn.execute(
                "UPDATE wf_instances SET status = 'running', lease_token = :token,"
                " lease_until_ms = :until, wake_at_ms = NULL, runs = runs + 1, updated_ms = :now"
                f" WHERE workflow = :workflow AND id = :id AND {_RUNNABLE}",
                {
                    "token": token,
                    "until": until_ms,
                    "now": now_ms,
                    "workflow": workflow,
                    "id": instance_id,
                },
            )
            if cur.rowcount != 1:
                return None
            params, created = conn.execute(
                "SELECT params, created_ms FROM wf_instances WHERE workflow = ? AND id = ?",
                (workflow, instance_id),
            ).fetchone()
        return Claim(workflow, instance_id, token, json.loads(params), created)

    def settle(
        self,
        claim: Claim,
        status: str,
        now_ms: int,
        *,
        wake_at_ms: int | None = None,
        output: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> bool:
        """End a replay: ``waiting`` until ``wake_at_ms``, or ``complete``/``errored``.

        Returns False (and changes nothing) when the replay had lost its lease.
        """
        with self._handle.transaction() as conn:
            cur = conn.execute(
                "UPDATE wf_instances SET status = ?, wake_at_ms = ?, output = ?, error = ?,"
                " lease_token = NULL, lease_until_ms = NULL, updated_ms = ?"
                " WHERE workflow = ? AND id = ? AND lease_token = ?",
                (
                    status,
                    wake_at_ms,
                    output,
                    None if error is None else _dumps(error),
                    now_ms,
                    claim.workflow,
                    claim.id,
                    claim.token,
                ),
            )
            return cur.rowcount == 1

    def release(self, claim: Claim) -> None:
        """Give the lease back without a result: the instance is runnable again at once."""
        with self._handle.transaction() as conn:
            conn.execute(
                "UPDATE wf_instances SET lease_token = NULL, lease_until_ms = NULL"
                " WHERE workflow = ? AND id = ? AND lease_token = ?",
                (claim.workflow, claim.id, claim.token),
            )

    def terminate(self, workflow: str, instance_id: str, now_ms: int) -> str | None:
        """Terminate a non-finite instance; returns its previous status (None if missing)."""
        with self._handle.transaction() as conn:
            row = conn.execute(
                "SELECT status FROM wf_instances WHERE workflow = ? AND id = ?",
                (workflow, instance_id),
            ).fetchone()
            if row is None or row[0] in ("complete", "errored", "terminated"):
                return None if row is None else str(row[0])
            conn.execute(
                "UPDATE wf_instances SET status = 'terminated', wake_at_ms = NULL,"
                " lease_token = NULL, lease_until_ms = NULL, updated_ms = ?"
                " WHERE workflow = ? AND id = ?",
                (now_ms, workflow, instance_id),
            )
            return str(row[0])

    # ------------------------------------------------------------ steps
    def step(self, claim: Claim, kind: str, name: str, count: int) -> StepRow | None:
        """The memo of one step call of this instance, if it was ever reached."""
        with self._handle.locked() as conn:
            row = conn.execute(
                "SELECT config, state, attempts, in_progress, wake_at_ms, result, error"
                " FROM wf_steps WHERE workflow = ? AND instance = ? AND kind = ? AND name = ?"
                " AND count = ?",
                (claim.workflow, claim.id, kind, name, count),
            ).fetchone()
        if row is None:
            return None
        config, state, attempts, in_progress, wake_at, result, error = row
        return StepRow(
            _loads(config), state, attempts, bool(in_progress), wake_at, result, _loads(error)
        )

    def add_step(
        self,
        claim: Claim,
        kind: str,
        name: str,
        count: int,
        now_ms: int,
        *,
        config: dict[str, Any] | None = None,
        wake_at_ms: int | None = None,
    ) -> None:
        """Record that the replay reached a step (its resolved config, or a sleep's wake time)."""
        with self._handle.transaction() as conn:
            self._check_lease(conn, claim)
            conn.execute(
                "INSERT OR IGNORE INTO wf_steps (workflow, instance, kind, name, count, config,"
                " wake_at_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    claim.workflow,
                    claim.id,
                    kind,
                    name,
                    count,
                    None if config is None else _dumps(config),
                    wake_at_ms,
                    now_ms,
                ),
            )

    def start_attempt(
        self, claim: Claim, name: str, count: int, attempt: int, now_ms: int, lease_until_ms: int
    ) -> None:
        """Durably mark attempt ``attempt`` of a step as started (and extend the lease)."""
        with self._handle.transaction() as conn:
            self._check_lease(conn, claim)
            conn.execute(
                "UPDATE wf_instances SET lease_until_ms = MAX(COALESCE(lease_until_ms, 0), ?)"
                " WHERE workflow = ? AND id = ?",
                (lease_until_ms, claim.workflow, claim.id),
            )
            conn.execute(
                "UPDATE wf_steps SET attempts = ?, in_progress = 1, wake_at_ms = NULL,"
                " updated_ms = ? WHERE workflow = ? AND instance = ? AND kind = 'do'"
                " AND name = ? AND count = ?",
                (attempt, now_ms, claim.workflow, claim.id, name, count),
            )
            conn.execute(
                "INSERT OR REPLACE INTO wf_attempts (workflow, instance, name, count, attempt,"
                " started_ms) VALUES (?, ?, ?, ?, ?, ?)",
                (claim.workflow, claim.id, name, count, attempt, now_ms),
            )

    def end_attempt(
        self,
        claim: Claim,
        name: str,
        count: int,
        attempt: int,
        now_ms: int,
        *,
        outcome: str,
        state: str,
        result: str | None = None,
        error: dict[str, Any] | None = None,
        retry_at_ms: int | None = None,
    ) -> None:
        """Record how an attempt ended (``ok``/``error``/``interrupted``) and the step's state."""
        error_text = None if error is None else _dumps(error)
        with self._handle.transaction() as conn:
            self._check_lease(conn, claim)
            conn.execute(
                "UPDATE wf_steps SET state = ?, in_progress = 0, wake_at_ms = ?, result = ?,"
                " error = ?, updated_ms = ? WHERE workflow = ? AND instance = ? AND kind = 'do'"
                " AND name = ? AND count = ?",
                (
                    state,
                    retry_at_ms,
                    result,
                    error_text,
                    now_ms,
                    claim.workflow,
                    claim.id,
                    name,
                    count,
                ),
            )
            conn.execute(
                "UPDATE wf_attempts SET ended_ms = ?, outcome = ?, error = ? WHERE workflow = ?"
                " AND instance = ? AND name = ? AND count = ? AND attempt = ?",
                (now_ms, outcome, error_text, claim.workflow, claim.id, name, count, attempt),
            )

    def finish_sleep(self, claim: Claim, name: str, count: int, now_ms: int) -> None:
        """Mark a sleep as over, so replays pass it without waiting."""
        with self._handle.transaction() as conn:
            self._check_lease(conn, claim)
            conn.execute(
                "UPDATE wf_steps SET state = 'done', updated_ms = ? WHERE workflow = ?"
                " AND instance = ? AND kind = 'sleep' AND name = ? AND count = ?",
                (now_ms, claim.workflow, claim.id, name, count),
            )

    # ------------------------------------------------------------ introspection
    def next_wake(self, workflows: Sequence[str], now_ms: int) -> int | None:
        """When an instance of ``workflows`` next becomes runnable (<= now: runnable now)."""
        names, args = _in_list(workflows)
        with self._handle.locked() as conn:
            (due,) = conn.execute(
                "SELECT MIN(CASE status WHEN 'queued' THEN created_ms"
                " WHEN 'waiting' THEN wake_at_ms ELSE COALESCE(lease_until_ms, :now) END)"
                f" FROM wf_instances WHERE workflow IN ({names})"
                " AND status IN ('queued', 'waiting', 'running')",
                args | {"now": now_ms},
            ).fetchone()
        return None if due is None else int(due)

    def attempts(self, workflow: str, instance_id: str) -> list[dict[str, Any]]:
        """Every recorded step attempt of an instance, in order."""
        with self._handle.locked() as conn:
            rows = conn.execute(
                "SELECT name, count, attempt, started_ms, ended_ms, outcome, error"
                " FROM wf_attempts WHERE workflow = ? AND instance = ?"
                " ORDER BY seq",
                (workflow, instance_id),
            ).fetchall()
        keys = ("name", "count", "attempt", "started_ms", "ended_ms", "outcome", "error")
        return [dict(zip(keys, (*row[:6], _loads(row[6])), strict=True)) for row in rows]

    def stats(self, workflow: str | None = None) -> dict[str, int]:
        """Instances per status plus step and attempt counts (one workflow, or all)."""
        where, args = ("WHERE workflow = ?", (workflow,)) if workflow else ("", ())
        with self._handle.locked() as conn:
            by_status = dict(
                conn.execute(
                    f"SELECT status, COUNT(*) FROM wf_instances {where} GROUP BY status", args
                ).fetchall()
            )
            (steps,) = conn.execute(f"SELECT COUNT(*) FROM wf_steps {where}", args).fetchone()
            attempts, failed = conn.execute(
                f"SELECT COUNT(*), COALESCE(SUM(outcome IN ('error', 'interrupted')), 0)"
                f" FROM wf_attempts {where}",
                args,
            ).fetchone()
        out = {status: int(by_status.get(status, 0)) for status in _STATUSES}
        return out | {"steps": steps, "attempts": attempts, "failed_attempts": failed}

    def close(self) -> None:
        """Close the database."""
        self._handle.close()

    @staticmethod
    def _check_lease(conn: Any, claim: Claim) -> None:
        row = conn.execute(
            "SELECT lease_token FROM wf_instances WHERE workflow = ? AND id = ?",
            (claim.workflow, claim.id),
        ).fetchone()
        if row is None or row[0] != claim.token:
            raise LeaseLost(f"workflow instance {claim.workflow}/{claim.id} is no longer ours")
