"""Durable state of the local Workflows engine: the schema and the instances, in SQLite.

Every change is one SQLite transaction (WAL, see ``_sqlite``), so whatever a replay recorded
survives a killed process. A replay owns its instance through a lease (``lease_token`` until
``lease_until_ms`` on the engine clock); every write checks the token, so a replay whose lease
was taken over (its process hung) or whose instance was terminated stops at its next write.
A running instance whose lease ran out is runnable again: that is how a crash is recovered.
Step memos and attempts live in the same file (``workflow_memo``).
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
    "WorkflowStore",
    "INSTANCE_WHERE",
    "STEP_WHERE",
    "claim_key",
    "check_lease",
    "to_json",
    "from_json",
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
INSTANCE_WHERE = "workflow = :workflow AND id = :id"
STEP_WHERE = (
    "workflow = :workflow AND instance = :id AND kind = :kind AND name = :name AND count = :count"
)
_STATUSES = ("queued", "running", "waiting", "paused", "complete", "errored", "terminated")


class ReplayStopped(BaseException):
    """Ends a replay from inside ``run``; a BaseException so ``except Exception`` lets it pass."""


class LeaseLost(ReplayStopped):
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


def from_json(text: str | None) -> Any:
    """The value stored as JSON text (None stays None)."""
    return None if text is None else json.loads(text)


def claim_key(claim: Claim) -> dict[str, Any]:
    """Named SQL parameters ``:workflow``, ``:id``, ``:token`` of a claim."""
    return {"workflow": claim.workflow, "id": claim.id, "token": claim.token}


def _in_list(values: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Named placeholders for ``IN (...)`` (``NULL`` when empty, which matches nothing)."""
    args = {f"v{i}": value for i, value in enumerate(values)}
    return (", ".join(f":{key}" for key in args) or "NULL"), args


def to_json(value: Any) -> str:
    """Compact JSON text for storage."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def check_lease(conn: Any, claim: Claim) -> None:
    """Raise LeaseLost unless ``claim`` still holds its instance (call inside a transaction)."""
    row = conn.execute(
        f"SELECT lease_token FROM wf_instances WHERE {INSTANCE_WHERE}", claim_key(claim)
    ).fetchone()
    if row is None or row[0] != claim.token:
        raise LeaseLost(f"workflow instance {claim.workflow}/{claim.id} is no longer ours")


class WorkflowStore:
    """All workflow instances of the local platform in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self._handle = SqliteHandle(path)
        self.handle = self._handle  # shared with ``StepMemos``
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
        return None if row is None else InstanceRow(row[0], from_json(row[1]), from_json(row[2]))

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
        key = {"workflow": workflow, "id": instance_id, "token": token}
        with self._handle.transaction() as conn:
            cur = conn.execute(
                "UPDATE wf_instances SET status = 'running', lease_token = :token,"
                " lease_until_ms = :until, wake_at_ms = NULL, runs = runs + 1, updated_ms = :now"
                f" WHERE workflow = :workflow AND id = :id AND {_RUNNABLE}",
                key | {"until": until_ms, "now": now_ms},
            )
            if cur.rowcount != 1:
                return None
            params, created = conn.execute(
                f"SELECT params, created_ms FROM wf_instances WHERE {INSTANCE_WHERE}", key
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
        values = {"status": status, "wake": wake_at_ms, "output": output, "now": now_ms}
        with self._handle.transaction() as conn:
            cur = conn.execute(
                "UPDATE wf_instances SET status = :status, wake_at_ms = :wake, output = :output,"
                " error = :error, lease_token = NULL, lease_until_ms = NULL, updated_ms = :now"
                f" WHERE {INSTANCE_WHERE} AND lease_token = :token",
                claim_key(claim) | values | {"error": None if error is None else to_json(error)},
            )
            return cur.rowcount == 1

    def release(self, claim: Claim) -> None:
        """Give the lease back without a result: the instance is runnable again at once."""
        with self._handle.transaction() as conn:
            conn.execute(
                "UPDATE wf_instances SET lease_token = NULL, lease_until_ms = NULL"
                f" WHERE {INSTANCE_WHERE} AND lease_token = :token",
                claim_key(claim),
            )

    def terminate(self, workflow: str, instance_id: str, now_ms: int) -> str | None:
        """Terminate a non-finite instance; returns its previous status (None if missing)."""
        key = {"workflow": workflow, "id": instance_id, "now": now_ms}
        with self._handle.transaction() as conn:
            row = conn.execute(
                f"SELECT status FROM wf_instances WHERE {INSTANCE_WHERE}", key
            ).fetchone()
            if row is not None and row[0] not in ("complete", "errored", "terminated"):
                conn.execute(
                    "UPDATE wf_instances SET status = 'terminated', wake_at_ms = NULL,"
                    f" lease_token = NULL, lease_until_ms = NULL, updated_ms = :now"
                    f" WHERE {INSTANCE_WHERE}",
                    key,
                )
        return None if row is None else str(row[0])

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
