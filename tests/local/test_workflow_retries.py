"""The local Workflows engine (retries and errors) against Cloudflare's documented behaviour.

Citations in test docstrings are explained in ``_workflow_support.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from quizhub.local.workflows import (
    LocalWorkflowEngine,
    NonRetryableError,
    WorkflowStepError,
)
from tests.fakes import FakeClock, run

from ._workflow_support import NO_WAIT, WF, start


# ------------------------------------------------------------------ retries
def flaky(fail_times: int, calls: list[int], config: dict[str, Any]) -> Any:
    """A workflow whose one step fails ``fail_times`` times, then returns its attempt number."""

    async def wf(event: Any, step: Any) -> Any:
        @step.do("flaky", config=config)
        async def flaky_step(ctx: dict[str, Any]) -> int:
            calls.append(ctx["attempt"])
            if len(calls) <= fail_times:
                raise ConnectionError("transient")
            return ctx["attempt"]

        return await flaky_step()

    return wf


@pytest.mark.parametrize(
    ("backoff", "waits"),
    [
        ("exponential", [2000, 4000, 8000]),
        ("linear", [2000, 4000, 6000]),
        ("constant", [2000, 2000, 2000]),
    ],
)
def test_retries_wait_their_backoff_on_the_clock(
    engine: LocalWorkflowEngine, clock: FakeClock, backoff: str, waits: list[int]
) -> None:
    """Rule / retries.ts: delay · 2^(n-1) | delay · n | delay; ``waiting`` until it passes."""
    calls: list[int] = []
    config = {"retries": {"limit": 3, "delay": "2 seconds", "backoff": backoff}}

    async def scenario() -> None:
        inst = await start(engine, flaky(3, calls, config))
        assert await engine.tick() == 1
        for n, wait in enumerate(waits, start=1):
            assert (await inst.status())["status"] == "waiting"
            assert engine.next_wake_ms() == clock() + wait
            clock.advance(wait - 1)
            assert await engine.tick() == 0  # not yet
            clock.advance(1)
            assert await engine.tick() == 1
            assert len(calls) == n + 1
        assert await inst.status() == {"status": "complete", "output": 4, "error": None}

    run(scenario())
    assert calls == [1, 2, 3, 4]
    outcomes = [a["outcome"] for a in engine.attempts(WF, "i1")]
    assert outcomes == ["error", "error", "error", "ok"]


def test_default_retry_waits_ten_seconds(engine: LocalWorkflowEngine, clock: FakeClock) -> None:
    """Rule: default retries are limit 5, delay 10000 ms, exponential."""
    calls: list[int] = []

    async def scenario() -> None:
        inst = await start(engine, flaky(1, calls, {}))
        await engine.tick()
        assert engine.next_wake_ms() == clock() + 10_000
        clock.advance(10_000)
        await engine.tick()
        assert (await inst.status())["output"] == 2

    run(scenario())


def test_an_exhausted_step_error_is_raised_into_run_and_can_be_caught(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """engine.test "should not error out if step fails but is try-catched"."""
    calls: list[int] = []
    inner = flaky(99, calls, {"retries": {"limit": 1, "delay": 500, "backoff": "constant"}})

    async def wf(event: Any, step: Any) -> Any:
        try:
            await inner(event, step)
        except Exception as exc:  # Rule: custom types do not survive; catch Exception
            return {"caught": type(exc).__name__, "message": str(exc)}
        return "unreachable"

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        clock.advance(500)
        await engine.tick()
        status = await inst.status()
        assert status["status"] == "complete"
        assert status["output"] == {
            "caught": "WorkflowStepError",
            "message": "ConnectionError: transient",
        }

    run(scenario())
    assert calls == [1, 2]  # limit 1 = one retry after the first attempt


def test_an_uncaught_step_error_ends_the_instance_errored(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """engine.ts: an error escaping ``run`` → ``errored`` with ``{"name", "message"}``."""
    calls: list[int] = []

    async def scenario() -> None:
        inst = await start(engine, flaky(99, calls, NO_WAIT))
        await engine.tick()
        assert await inst.status() == {
            "status": "errored",
            "output": None,
            "error": {"name": "ConnectionError", "message": "transient"},
        }
        clock.advance(3_600_000)
        assert await engine.tick() == 0  # errored is final

    run(scenario())
    assert calls == [1]


def test_a_failed_step_is_not_rerun_on_replay(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """context.ts: a step's stored error is re-thrown on replay without running it again."""
    calls: list[int] = []
    inner = flaky(99, calls, NO_WAIT)

    async def wf(event: Any, step: Any) -> Any:
        try:
            await inner(event, step)
        except ConnectionError:
            raise AssertionError("custom types must not survive") from None
        except WorkflowStepError:
            pass
        await step.sleep("later", "1 minute")
        return "done"

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        clock.advance(60_000)
        await engine.tick()
        assert (await inst.status())["output"] == "done"

    run(scenario())
    assert calls == [1]


def test_non_retryable_error_is_not_retried(engine: LocalWorkflowEngine) -> None:
    """engine.test "should not retry after NonRetryableError is thrown" (one attempt only)."""
    calls: list[int] = []

    async def wf(event: Any, step: Any) -> Any:
        @step.do("validate")
        async def validate() -> None:
            calls.append(1)
            raise NonRetryableError("integrity violation")

        await validate()

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert await inst.status() == {
            "status": "errored",
            "output": None,
            "error": {"name": "NonRetryableError", "message": "integrity violation"},
        }

    run(scenario())
    assert calls == [1]
    assert len(engine.attempts(WF, "i1")) == 1


class NonRetryableError2(Exception):
    """Another class whose errors the engine must still recognise by their message."""


@pytest.mark.parametrize(
    "error",
    [
        type("NonRetryableError", (Exception,), {})("by class name"),  # e.g. workers.workflows'
        NonRetryableError2("NonRetryableError: by message prefix"),
    ],
)
def test_errors_named_non_retryable_are_not_retried(
    engine: LocalWorkflowEngine, error: Exception
) -> None:
    """context.ts / SDK ``_from_js_error``: recognised by name or message; run gets our class."""
    calls: list[int] = []

    async def wf(event: Any, step: Any) -> Any:
        @step.do("check")
        async def check() -> None:
            calls.append(1)
            raise error

        try:
            await check()
        except NonRetryableError as exc:
            return str(exc)

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["output"] in ("by class name", "by message prefix")

    run(scenario())
    assert calls == [1]


def test_a_step_times_out_after_its_timeout(engine: LocalWorkflowEngine) -> None:
    """Rule step ``timeout``: an attempt longer than it fails with WorkflowTimeoutError."""

    async def wf(event: Any, step: Any) -> Any:
        @step.do("hang", config={**NO_WAIT, "timeout": 1})
        async def hang() -> None:
            await asyncio.Event().wait()  # never set: only the 1 ms timeout ends it

        try:
            await hang()
        except WorkflowStepError as exc:
            return exc.name, exc.message

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["output"] == [
            "WorkflowTimeoutError",
            "Execution timed out after 1ms",
        ]

    run(scenario())
