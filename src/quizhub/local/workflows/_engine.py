"""The local Workflows engine: durable instances driven by replaying ``run(event, step)``.

``create`` stores a ``queued`` instance. ``tick()`` claims every instance runnable at the clock
(queued; waiting whose wake-up time has come; running whose lease ran out because the process
that ran it died) and REPLAYS ``run`` from the start: memoised steps return their stored
results, so only new work runs, until ``run`` returns (``complete``), raises (``errored``) or a
retry/sleep suspends it (``waiting``). A fresh engine on the same file resumes every unfinished
instance the same way. Drive it with ``await engine.tick()`` under a fake clock (tests) or run
``await engine.serve(stop_event)`` in the dev server.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quizhub.bindings import wall_clock_ms
from quizhub.errors import WorkflowAlreadyExists, WorkflowNotFound
from quizhub.local._signals import Listeners, idle, wake_event
from quizhub.local.workflows._context import ReplayContext
from quizhub.local.workflows._memo import StepMemos
from quizhub.local.workflows._rules import check_instance_id, describe_error
from quizhub.local.workflows._step import LocalWorkflowStep
from quizhub.local.workflows._store import Claim, ReplayStopped, WorkflowStore
from quizhub.ports import FINITE_STATUSES

__all__ = [
    "RunFn",
    "DEFAULT_LEASE_MS",
    "MAX_PAYLOAD_BYTES",
    "LocalWorkflowEngine",
]

RunFn = Callable[[dict[str, Any], LocalWorkflowStep], Awaitable[Any]]
DEFAULT_LEASE_MS = 60_000
MAX_PAYLOAD_BYTES = 1024 * 1024
_WORKFLOW_NAME = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]{0,63}")

log = logging.getLogger("quizhub.local.workflows")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class LocalWorkflowEngine:
    """Every workflow of the local platform, with its instances in one SQLite file."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock_ms: Callable[[], int] = wall_clock_ms,
        lease_ms: int = DEFAULT_LEASE_MS,
        max_concurrent: int = 16,
    ) -> None:
        self._store = WorkflowStore(path)
        self._memos = StepMemos(self._store.handle)
        self.clock_ms = clock_ms
        self.lease_ms = lease_ms
        self.max_concurrent = max_concurrent
        self._workflows: dict[str, RunFn] = {}
        self._listeners = Listeners()

    def register(self, name: str, run_fn: RunFn) -> None:
        """Run instances of workflow ``name`` with ``run_fn(event, step)`` in this engine."""
        if not _WORKFLOW_NAME.fullmatch(name):
            raise ValueError(f"invalid workflow name {name!r}")
        self._workflows[name] = run_fn

    # ------------------------------------------------------------ instances
    def create(self, name: str, instance_id: str, params: Any) -> None:
        """Store a queued instance; WorkflowAlreadyExists when ``instance_id`` is taken."""
        check_instance_id(instance_id)
        payload = _dumps({} if params is None else params)
        if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise ValueError("workflow instance params exceed 1 MiB")
        if not self._store.insert_instance(name, instance_id, payload, self.clock_ms()):
            raise WorkflowAlreadyExists(
                f"workflow instance {instance_id!r} already exists in workflow {name!r}"
            )
        self._notify(name)

    def status(self, name: str, instance_id: str) -> dict[str, Any]:
        """``{"status", "output", "error"}`` of an instance; WorkflowNotFound when missing."""
        row = self._store.instance(name, instance_id)
        if row is None:
            raise WorkflowNotFound(f"workflow instance {instance_id!r} not found in {name!r}")
        return {"status": row.status, "output": row.output, "error": row.error}

    def terminate(self, name: str, instance_id: str) -> None:
        """Stop an unfinished instance (a replay in progress stops at its next step)."""
        before = self._store.terminate(name, instance_id, self.clock_ms())
        if before is None:
            raise WorkflowNotFound(f"workflow instance {instance_id!r} not found in {name!r}")
        if before in FINITE_STATUSES:
            raise RuntimeError("Cannot terminate instance since its on a finite state")

    def attempts(self, name: str, instance_id: str) -> list[dict[str, Any]]:
        """Every recorded step attempt of an instance (name, count, attempt, outcome, error)."""
        return self._memos.attempts(name, instance_id)

    # ------------------------------------------------------------ driving
    async def tick(self, now_ms: int | None = None) -> int:
        """Replay every instance runnable at ``now_ms`` (or the clock); returns how many ran."""
        now = self.clock_ms if now_ms is None else (lambda: now_ms)
        due = self._store.runnable(list(self._workflows), now(), limit=10_000)
        gate = asyncio.Semaphore(self.max_concurrent)

        async def one(name: str, instance_id: str) -> bool:
            async with gate:
                return await self._replay(name, instance_id, now)

        ran = await asyncio.gather(*(one(name, iid) for name, iid in due))
        return sum(ran)

    async def serve(self, stop_event: asyncio.Event, poll_interval: float = 0.05) -> None:
        """Run instances until ``stop_event`` is set; wakes at once on a local ``create``.

        Replays run as tasks (at most ``max_concurrent``), so a slow step never holds up
        other instances; replays still running at stop are cancelled and resume later.
        """
        wake, unsubscribe = wake_event(self.subscribe, lambda name: name in self._workflows)
        running: dict[tuple[str, str], asyncio.Task[bool]] = {}

        def on_done(key: tuple[str, str], task: asyncio.Task[bool]) -> None:
            running.pop(key, None)
            if not task.cancelled() and task.exception() is not None:
                log.error("workflows: replay of %s/%s failed", *key, exc_info=task.exception())
            wake.set()

        try:
            while not stop_event.is_set():
                wake.clear()
                try:
                    self._spawn_due(running, on_done)
                except Exception:
                    log.exception("workflows: engine error; backing off")
                await idle(stop_event, wake, self.next_wake_ms(), self.clock_ms(), poll_interval)
        finally:
            unsubscribe()
            for task in list(running.values()):
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)

    def next_wake_ms(self) -> int | None:
        """When an instance of a registered workflow next becomes runnable; None when idle."""
        return self._store.next_wake(list(self._workflows), self.clock_ms())

    def stats(self, name: str | None = None) -> dict[str, int]:
        """Instances per status, plus steps, attempts and failed attempts."""
        return self._store.stats(name)

    def subscribe(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener(workflow_name)`` after each local create; returns the unsubscribe."""
        return self._listeners.subscribe(listener)

    def close(self) -> None:
        """Close the database."""
        self._store.close()

    # ------------------------------------------------------------ internals
    def _spawn_due(
        self,
        running: dict[tuple[str, str], asyncio.Task[bool]],
        on_done: Callable[[tuple[str, str], asyncio.Task[bool]], None],
    ) -> None:
        room = self.max_concurrent - len(running)
        if room <= 0:
            return
        due = self._store.runnable(
            list(self._workflows), self.clock_ms(), limit=room + len(running)
        )
        for key in [k for k in due if k not in running][:room]:
            task = asyncio.ensure_future(self._replay(*key, self.clock_ms))
            running[key] = task
            task.add_done_callback(functools.partial(on_done, key))

    async def _replay(self, name: str, instance_id: str, now: Callable[[], int]) -> bool:
        token = uuid.uuid4().hex
        claim = self._store.claim(name, instance_id, token, now(), now() + self.lease_ms)
        if claim is None:
            return False  # another engine took it first
        context = ReplayContext(self._memos, claim, now, self.lease_ms)
        event = {
            "payload": claim.params,
            "timestamp": datetime.fromtimestamp(claim.created_ms / 1000, UTC),
            "instanceId": instance_id,
            "workflowName": name,
        }
        result: Any = None
        error: dict[str, str] | None = None
        try:
            result = await self._workflows[name](event, LocalWorkflowStep(context))
        except ReplayStopped:
            pass  # suspended, fatal or lease lost: the context says which
        except asyncio.CancelledError:  # shutdown: the next replay takes over at once
            context.closed = True
            self._store.release(claim)
            raise
        except Exception as exc:  # noqa: BLE001 - run's own errors end the instance
            error = describe_error(exc)
        await context.close()
        self._finish(claim, context, result, error, now())
        return True

    def _finish(
        self,
        claim: Claim,
        context: ReplayContext,
        result: Any,
        error: dict[str, str] | None,
        now_ms: int,
    ) -> None:
        if context.fatal is not None:
            error = context.fatal
        elif context.suspended_until is not None:
            self._store.settle(claim, "waiting", now_ms, wake_at_ms=context.suspended_until)
            return
        output: str | None = None
        if error is None:
            try:
                output = _dumps(result)
            except (TypeError, ValueError) as exc:
                error = {"name": "TypeError", "message": f"workflow output: {exc}"}
        if error is not None:
            log.warning("workflow %s/%s errored: %s", claim.workflow, claim.id, error)
            self._store.settle(claim, "errored", now_ms, error=error)
        else:
            self._store.settle(claim, "complete", now_ms, output=output)

    def _notify(self, name: str) -> None:
        self._listeners.notify(name)
