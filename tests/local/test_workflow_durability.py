"""The local Workflows engine (sleeps, crashes, serving) against Cloudflare's documented behaviour.

Citations in test docstrings are explained in ``_workflow_support.py``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from quizhub.local.workflows import (
    LocalWorkflowBinding,
    LocalWorkflowEngine,
)
from quizhub.ports.workflow_config import parse_duration
from tests.fakes import START_MS, FakeClock, run

from ._workflow_support import WF, start


# ------------------------------------------------------------------ sleeps
def test_sleep_suspends_until_the_clock_passes(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """Rule ``step.sleep``: the instance waits (memoised wake-up time), then continues."""
    reached: list[str] = []

    async def wf(event: Any, step: Any) -> Any:
        reached.append("before")
        await step.sleep("cool-down", "1 hour")
        reached.append("after")
        return "awake"

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["status"] == "waiting"
        assert engine.next_wake_ms() == START_MS + 3_600_000
        clock.advance(3_600_000 - 1)
        assert await engine.tick() == 0
        clock.advance(1)
        assert await engine.tick() == 1
        assert (await inst.status())["output"] == "awake"

    run(scenario())
    assert reached == ["before", "before", "after"]  # code outside steps may run more than once


def test_sleep_until_a_datetime(engine: LocalWorkflowEngine, clock: FakeClock) -> None:
    """Rule ``step.sleep_until``: waits until the given time; a past time is an error."""
    wake = datetime.fromtimestamp((START_MS + 90_000) / 1000, UTC)

    async def wf(event: Any, step: Any) -> Any:
        await step.sleep_until("alarm", wake)
        try:
            await step.sleep_until("past", START_MS - 1)
        except ValueError as exc:
            return str(exc)

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert engine.next_wake_ms() == START_MS + 90_000
        clock.advance(90_000)
        await engine.tick()
        assert "in the past" in (await inst.status())["output"]

    run(scenario())


# ------------------------------------------------------------------ durability
class Killed(BaseException):
    """Stands in for the process dying: nothing in the engine may handle it."""


def test_resume_after_a_crash_during_a_step(tmp_path: Path, clock: FakeClock) -> None:
    """engine.test "should restore state from storage": a fresh engine replays; done steps stay."""
    runs: Counter[str] = Counter()
    attempts: list[int] = []
    crash = True

    async def wf(event: Any, step: Any) -> Any:
        @step.do("one")
        async def one() -> str:
            runs["one"] += 1
            return "first"

        @step.do("two")
        async def two(one: str, ctx: dict[str, Any]) -> str:
            runs["two"] += 1
            attempts.append(ctx["attempt"])
            if crash:
                raise Killed
            return one + "+second"

        return await two()

    path = tmp_path / "workflows.sqlite"
    engine_a = LocalWorkflowEngine(path, clock_ms=clock)
    engine_a.register(WF, wf)
    run(LocalWorkflowBinding(engine_a, WF).create(id="job", params={}))
    with pytest.raises(Killed):
        run(engine_a.tick())  # engine A dies in step two; it is never closed
    crash = False

    engine_b = LocalWorkflowEngine(path, clock_ms=clock)
    engine_b.register(WF, wf)
    try:
        assert run(engine_b.tick()) == 0  # engine A's lease still holds it
        clock.advance(11 * 60_000)  # lease = step timeout (10 min) + 1 min
        assert run(engine_b.tick()) == 1
        status = run(LocalWorkflowBinding(engine_b, WF).get("job")).status
        assert run(status()) == {"status": "complete", "output": "first+second", "error": None}
        outcomes = [(a["name"], a["attempt"], a["outcome"]) for a in engine_b.attempts(WF, "job")]
        assert outcomes == [("one", 1, "ok"), ("two", 1, "interrupted"), ("two", 2, "ok")]
    finally:
        engine_b.close()
        engine_a.close()
    assert runs == {"one": 1, "two": 2}  # at-least-once: only the interrupted step ran again
    assert attempts == [1, 2]


def test_resume_after_a_crash_while_waiting(tmp_path: Path, clock: FakeClock) -> None:
    """Rule / Engine: a killed engine's waiting instance is resumed by a new one on the file."""
    runs: Counter[str] = Counter()

    async def wf(event: Any, step: Any) -> Any:
        @step.do("one")
        async def one() -> int:
            runs["one"] += 1
            return 1

        @step.do("two", config={"retries": {"limit": 2, "delay": "1 minute"}})
        async def two(one: int, ctx: dict[str, Any]) -> int:
            runs["two"] += 1
            if ctx["attempt"] == 1:
                raise TimeoutError("upstream slow")
            return one + 1

        return await two()

    path = tmp_path / "workflows.sqlite"
    engine_a = LocalWorkflowEngine(path, clock_ms=clock)
    engine_a.register(WF, wf)
    run(LocalWorkflowBinding(engine_a, WF).create(id="job", params={}))
    run(engine_a.tick())
    assert engine_a.status(WF, "job")["status"] == "waiting"
    engine_b = LocalWorkflowEngine(path, clock_ms=clock)  # A is dropped, never closed
    engine_b.register(WF, wf)
    try:
        assert engine_b.status(WF, "job")["status"] == "waiting"
        clock.advance(60_000)
        assert run(engine_b.tick()) == 1
        assert engine_b.status(WF, "job") == {"status": "complete", "output": 2, "error": None}
    finally:
        engine_b.close()
        engine_a.close()
    assert runs == {"one": 1, "two": 2}


def test_a_result_that_is_not_json_ends_the_instance(engine: LocalWorkflowEngine) -> None:
    """context.ts: a step value that cannot be stored ends the instance, uncatchable."""

    async def wf(event: Any, step: Any) -> Any:
        @step.do("bad")
        async def bad() -> object:
            return object()

        try:
            await bad()
        except Exception:  # noqa: BLE001 - must not see it
            return "caught"

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        status = await inst.status()
        assert status["status"] == "errored"
        assert status["error"] == {
            "name": "WorkflowFatalError",
            "message": 'Value returned from step "bad" is not serialisable',
        }

    run(scenario())


def test_terminate_stops_an_unfinished_instance(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """engine.ts: terminate → ``terminated``; a finished instance cannot be terminated."""

    async def wf(event: Any, step: Any) -> Any:
        await step.sleep("long", "1 day")

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        await inst.terminate()
        assert (await inst.status())["status"] == "terminated"
        clock.advance(2 * 86_400_000)
        assert await engine.tick() == 0
        with pytest.raises(RuntimeError, match="finite state"):
            await inst.terminate()

    run(scenario())


def test_serve_runs_an_instance_as_soon_as_it_is_created(engine: LocalWorkflowEngine) -> None:
    """Engine, dev server: ``serve`` wakes on a local create and runs the instance."""

    async def scenario() -> None:
        finished = asyncio.Event()

        async def wf(event: Any, step: Any) -> Any:
            finished.set()
            return "served"

        engine.register(WF, wf)
        stop = asyncio.Event()
        server = asyncio.create_task(engine.serve(stop, poll_interval=30))
        inst = await LocalWorkflowBinding(engine, WF).create(id="live", params={})
        await asyncio.wait_for(finished.wait(), timeout=5)
        stop.set()
        await asyncio.wait_for(server, timeout=5)
        assert (await inst.status())["output"] == "served"

    run(scenario())


def test_serve_does_not_let_a_slow_step_hold_up_other_instances(
    engine: LocalWorkflowEngine,
) -> None:
    """Engine / Rule (instances run independently): a hanging step blocks only its instance."""

    async def scenario() -> None:
        release = asyncio.Event()
        finished = {"slow": asyncio.Event(), "fast": asyncio.Event()}

        async def wf(event: Any, step: Any) -> Any:
            @step.do("work")
            async def work() -> str:
                if event["instanceId"] == "slow":
                    await release.wait()  # set only once the fast instance has finished
                return event["instanceId"]

            result = await work()
            finished[result].set()  # the engine settles right after run returns
            return result

        engine.register(WF, wf)
        stop = asyncio.Event()
        server = asyncio.create_task(engine.serve(stop, poll_interval=30))
        slow = await LocalWorkflowBinding(engine, WF).create(id="slow", params={})
        fast = await LocalWorkflowBinding(engine, WF).create(id="fast", params={})
        await asyncio.wait_for(finished["fast"].wait(), timeout=5)
        assert (await slow.status())["status"] == "running"
        release.set()
        await asyncio.wait_for(finished["slow"].wait(), timeout=5)
        stop.set()
        await asyncio.wait_for(server, timeout=5)
        assert (await fast.status())["output"] == "fast"
        assert (await slow.status())["output"] == "slow"

    run(scenario())


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("2 seconds", 2000),
        ("1 second", 1000),
        ("1 minute", 60_000),
        ("10 minutes", 600_000),
        ("1 hour", 3_600_000),
        ("2 days", 172_800_000),
        ("1 week", 604_800_000),
        ("1.5 seconds", 1500),
        (250, 250),
        ("250", 250),
        ("100 ms", 100),
    ],
)
def test_parse_duration_accepts_cloudflare_forms(text: str | int, ms: int) -> None:
    """Rule, durations: ``"2 seconds"``, ``"1 minute"``, ``"10 minutes"``, ``"1 hour"``, int ms."""
    assert parse_duration(text) == ms


@pytest.mark.parametrize("bad", ["soon", "1 fortnight", "-5", "5 Hours", "", True])
def test_parse_duration_rejects_other_forms(bad: Any) -> None:
    """Unknown units fail loudly here (Cloudflare would silently read them as milliseconds)."""
    with pytest.raises((ValueError, TypeError)):
        parse_duration(bad)
