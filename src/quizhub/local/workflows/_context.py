"""One replay of one instance: the engine side of ``step`` (Cloudflare's workflows ``Context``).

``do(name, config, callback)`` is memoised by step name plus a per-replay count of that name
(``name-1``, ``name-2``: the cache key Cloudflare's engine uses). A finished step returns its
stored JSON result and a failed one re-raises its stored error, without running again. A failed
attempt is recorded; with attempts left (``limit`` retries after the first attempt) the step
waits ``delay``/``backoff`` on the engine clock: inline when that moment has already come,
otherwise the replay SUSPENDS (the instance is ``waiting``) and a later replay retries it. An
attempt that was started but never recorded (the process died) counts as failed and runs again
at once (at-least-once). Sleeps memoise their wake-up time the same way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NoReturn

from quizhub.local.workflows._memo import StepMemos, StepRow
from quizhub.local.workflows._rules import (
    MAX_STEP_RESULT_BYTES,
    check_step_name,
    describe_error,
    epoch_ms,
    exception_from,
    is_non_retryable,
)
from quizhub.local.workflows._store import Claim, ReplayStopped
from quizhub.ports.workflow_config import parse_duration, resolve_step_config, retry_delay_ms

__all__ = ["StepCallback", "Suspended", "ReplayContext"]

StepCallback = Callable[[dict[str, Any]], Awaitable[Any]]


class Suspended(ReplayStopped):
    """The replay waits for a retry or a sleep; the instance becomes ``waiting``."""


class ReplayContext:
    """Runs the step calls of one replay against the memos of one claimed instance."""

    def __init__(
        self, memos: StepMemos, claim: Claim, now_ms: Callable[[], int], lease_ms: int
    ) -> None:
        self.memos = memos
        self.claim = claim
        self.now_ms = now_ms
        self.lease_ms = lease_ms
        self.suspended_until: int | None = None  # earliest wake-up requested by this replay
        self.fatal: dict[str, str] | None = None  # ends the instance ``errored`` at once
        self.closed = False
        self._counters: dict[str, int] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # ------------------------------------------------------------ step.do
    async def do(self, name: str, config: Any, callback: StepCallback) -> Any:
        """Run (or replay) one step; returns its JSON result or raises its final error."""
        self._check_open()
        check_step_name(name)
        resolved = resolve_step_config(name, config)
        count = self._count("do", name)
        row = self.memos.step(self.claim, "do", name, count)
        if row is None:
            self.memos.add_step(self.claim, "do", name, count, self.now_ms(), config=resolved)
            row = StepRow(resolved, "pending", 0, False, None, None, None)
        if row.state == "done":
            return json.loads(row.result or "null")
        if row.error is not None and row.state == "failed":
            raise exception_from(row.error)
        resolved = row.config or resolved  # the config first seen wins, as on Cloudflare
        attempt = row.attempts
        if row.in_progress:  # started, never recorded: the engine died during that attempt
            error = {"name": "WorkflowInternalError", "message": "Attempt interrupted"}
            self.memos.end_attempt(
                self.claim,
                name,
                count,
                attempt,
                self.now_ms(),
                outcome="interrupted",
                state="pending",
                error=error,
            )
        elif row.wake_at_ms is not None and row.wake_at_ms > self.now_ms():
            self._suspend(row.wake_at_ms)
        while True:
            attempt += 1
            done, value = await self._attempt(name, count, attempt, resolved, callback)
            if done:
                return value

    async def _attempt(
        self, name: str, count: int, attempt: int, config: dict[str, Any], callback: StepCallback
    ) -> tuple[bool, Any]:
        """One attempt: (True, result), (False, None) to retry now, or raise/suspend."""
        timeout_ms = parse_duration(config["timeout"])
        now = self.now_ms()
        self.memos.start_attempt(
            self.claim, name, count, attempt, now, now + timeout_ms + self.lease_ms
        )
        ctx = {"attempt": attempt, "step": {"name": name, "count": count}, "config": config}
        self._busy += 1
        self._idle.clear()
        try:
            return self._record(name, count, attempt, config, await self._call(callback, ctx))
        finally:
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    async def _call(self, callback: StepCallback, ctx: dict[str, Any]) -> tuple[Any, Any]:
        """(result, None) or (None, error dict); the timeout is wall time, as in production."""
        timeout_ms = parse_duration(ctx["config"]["timeout"])
        try:
            async with asyncio.timeout(timeout_ms / 1000) as scope:
                value = await callback(ctx)
        except TimeoutError as exc:
            if scope.expired():
                message = f"Execution timed out after {timeout_ms}ms"
                return None, {"name": "WorkflowTimeoutError", "message": message}
            return None, describe_error(exc)
        except Exception as exc:  # noqa: BLE001 - the engine records every step error
            return None, describe_error(exc)
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            name = ctx["step"]["name"]
            return None, {
                "name": "WorkflowFatalError",
                "message": f'Value returned from step "{name}" is not serialisable',
            }
        return text, None

    def _record(
        self, name: str, count: int, attempt: int, config: dict[str, Any], outcome: tuple[Any, Any]
    ) -> tuple[bool, Any]:
        text, error = outcome
        now = self.now_ms()
        if error is None and len(text.encode("utf-8")) > MAX_STEP_RESULT_BYTES:
            error = {
                "name": "WorkflowInternalError",
                "message": f"Step {name}-{count} output is too large."
                " Maximum allowed size is 1MiB.",
            }
        if error is None:
            self.memos.end_attempt(
                self.claim, name, count, attempt, now, outcome="ok", state="done", result=text
            )
            return True, json.loads(text)
        final = is_non_retryable(error) or error["name"] == "WorkflowFatalError"
        if final or attempt > config["retries"]["limit"]:
            self.memos.end_attempt(
                self.claim, name, count, attempt, now, outcome="error", state="failed", error=error
            )
            if error["name"] == "WorkflowFatalError":  # the instance ends, run cannot catch it
                self.fatal = error
                raise ReplayStopped(error["message"])
            raise exception_from(error)
        retry_at = now + retry_delay_ms(config, attempt)
        self.memos.end_attempt(
            self.claim,
            name,
            count,
            attempt,
            now,
            outcome="error",
            state="pending",
            error=error,
            retry_at_ms=retry_at,
        )
        if retry_at > self.now_ms():
            self._suspend(retry_at)
        return False, None

    # ------------------------------------------------------------ sleeps
    async def sleep(self, name: str, duration: str | int | float) -> None:
        """Sleep ``duration`` from the first time the replay got here."""
        ms = parse_duration(duration)
        await self._sleep(name, lambda now: now + ms)

    async def sleep_until(self, name: str, when: datetime | int | float) -> None:
        """Sleep until ``when`` (a datetime or epoch ms), which must not be in the past."""
        target = epoch_ms(when)

        def wake_at(now: int) -> int:
            if target < now:
                raise ValueError("You can't sleep until a time in the past, time-traveler")
            return target

        await self._sleep(name, wake_at)

    async def _sleep(self, name: str, wake_at: Callable[[int], int]) -> None:
        self._check_open()
        check_step_name(name)
        count = self._count("sleep", name)
        row = self.memos.step(self.claim, "sleep", name, count)
        if row is not None and row.state == "done":
            return
        if row is None or row.wake_at_ms is None:
            wake = wake_at(self.now_ms())
            self.memos.add_step(self.claim, "sleep", name, count, self.now_ms(), wake_at_ms=wake)
        else:
            wake = row.wake_at_ms
        if wake > self.now_ms():
            self._suspend(wake)
        self.memos.finish_sleep(self.claim, name, count, self.now_ms())

    # ------------------------------------------------------------ replay lifecycle
    async def close(self) -> None:
        """Refuse new step calls and wait until attempts still running are recorded."""
        self.closed = True
        await self._idle.wait()

    def _check_open(self) -> None:
        if self.closed:
            raise ReplayStopped("this replay of the workflow instance has ended")

    def _count(self, kind: str, name: str) -> int:
        key = f"{kind}-{name}"
        self._counters[key] = self._counters.get(key, 0) + 1
        return self._counters[key]

    def _suspend(self, wake_at_ms: int) -> NoReturn:
        if self.suspended_until is None or wake_at_ms < self.suspended_until:
            self.suspended_until = wake_at_ms
        raise Suspended(f"waiting until {wake_at_ms}")
