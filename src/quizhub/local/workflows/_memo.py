"""Step memos and attempts of the local Workflows engine (tables of ``workflow_store``).

A memo is keyed by instance, kind (``do``/``sleep``), step name and the count of that name in
one replay. Writes run in one transaction each and first check that the replay still holds its
instance (``check_lease``), so a replay that lost its instance can record nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.local._sqlite import SqliteHandle
from quizhub.local.workflows._store import (
    INSTANCE_WHERE,
    STEP_WHERE,
    Claim,
    check_lease,
    claim_key,
    from_json,
    to_json,
)

__all__ = ["StepRow", "StepMemos"]


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


class StepMemos:
    """Reads and writes the memos of the instances' steps."""

    def __init__(self, handle: SqliteHandle) -> None:
        self._handle = handle

    def step(self, claim: Claim, kind: str, name: str, count: int) -> StepRow | None:
        """The memo of one step call of this instance, if it was ever reached."""
        with self._handle.locked() as conn:
            row = conn.execute(
                "SELECT config, state, attempts, in_progress, wake_at_ms, result, error"
                f" FROM wf_steps WHERE {STEP_WHERE}",
                claim_key(claim) | {"kind": kind, "name": name, "count": count},
            ).fetchone()
        if row is None:
            return None
        config, state, attempts, in_progress, wake_at, result, error = row
        return StepRow(
            from_json(config), state, attempts, bool(in_progress), wake_at, result, from_json(error)
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
        config_text = None if config is None else to_json(config)
        values = {"kind": kind, "name": name, "count": count, "now": now_ms}
        with self._handle.transaction() as conn:
            check_lease(conn, claim)
            conn.execute(
                "INSERT OR IGNORE INTO wf_steps (workflow, instance, kind, name, count, config,"
                " wake_at_ms, updated_ms) VALUES (:workflow, :id, :kind, :name, :count, :config,"
                " :wake, :now)",
                claim_key(claim) | values | {"config": config_text, "wake": wake_at_ms},
            )

    def start_attempt(
        self, claim: Claim, name: str, count: int, attempt: int, now_ms: int, lease_until_ms: int
    ) -> None:
        """Durably mark attempt ``attempt`` of a step as started (and extend the lease)."""
        args = claim_key(claim) | {"kind": "do", "name": name, "count": count, "now": now_ms}
        args |= {"attempt": attempt, "until": lease_until_ms}
        with self._handle.transaction() as conn:
            check_lease(conn, claim)
            conn.execute(
                "UPDATE wf_instances SET lease_until_ms = MAX(COALESCE(lease_until_ms, 0), :until)"
                f" WHERE {INSTANCE_WHERE}",
                args,
            )
            conn.execute(
                "UPDATE wf_steps SET attempts = :attempt, in_progress = 1, wake_at_ms = NULL,"
                f" updated_ms = :now WHERE {STEP_WHERE}",
                args,
            )
            conn.execute(
                "INSERT OR REPLACE INTO wf_attempts (workflow, instance, name, count, attempt,"
                " started_ms) VALUES (:workflow, :id, :name, :count, :attempt, :now)",
                args,
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
        args = claim_key(claim) | {"kind": "do", "name": name, "count": count, "now": now_ms}
        args |= {"attempt": attempt, "outcome": outcome, "state": state, "result": result}
        args |= {"error": None if error is None else to_json(error), "wake": retry_at_ms}
        with self._handle.transaction() as conn:
            check_lease(conn, claim)
            conn.execute(
                "UPDATE wf_steps SET state = :state, in_progress = 0, wake_at_ms = :wake,"
                f" result = :result, error = :error, updated_ms = :now WHERE {STEP_WHERE}",
                args,
            )
            conn.execute(
                "UPDATE wf_attempts SET ended_ms = :now, outcome = :outcome, error = :error"
                " WHERE workflow = :workflow AND instance = :id AND name = :name"
                " AND count = :count AND attempt = :attempt",
                args,
            )

    def finish_sleep(self, claim: Claim, name: str, count: int, now_ms: int) -> None:
        """Mark a sleep as over, so replays pass it without waiting."""
        args = claim_key(claim) | {"kind": "sleep", "name": name, "count": count, "now": now_ms}
        with self._handle.transaction() as conn:
            check_lease(conn, claim)
            conn.execute(
                f"UPDATE wf_steps SET state = 'done', updated_ms = :now WHERE {STEP_WHERE}", args
            )

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
        return [dict(zip(keys, (*row[:6], from_json(row[6])), strict=True)) for row in rows]
