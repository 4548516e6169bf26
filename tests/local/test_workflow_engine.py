"""The local Workflows engine against Cloudflare's documented Python Workflows behaviour.

"§2" is reference/cloudflare-python-workers.md §2 (Workflows). "engine.test" / "context.ts" name
the workers-sdk ``workflows-shared`` engine tests and sources a behaviour mirrors; "SDK" is
workers-runtime-sdk 1.9.5 ``entrypoints._WorkflowStepWrapper`` / ``utils._from_js_error``.
Time only moves through the fake clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from quizhub.local.workflows import (
    LocalWorkflowEngine,
    NonRetryableError,
    WorkflowAlreadyExists,
    WorkflowNotFound,
    WorkflowStepError,
)
from quizhub.workflow_api import parse_duration

from ._support import START_MS, FakeClock

WF = "save-test"
NO_WAIT = {"retries": {"limit": 0, "delay": 0}}


@pytest.fixture
def engine(tmp_path: Path, clock: FakeClock) -> Iterator[LocalWorkflowEngine]:
    """A fresh engine on a temporary file, driven by the fake clock."""
    eng = LocalWorkflowEngine(tmp_path / "workflows.sqlite", clock_ms=clock)
    yield eng
    eng.close()


def run(coro: Any) -> Any:
    """Run one coroutine to completion (no pytest-asyncio)."""
    return asyncio.run(coro)


async def start(
    engine: LocalWorkflowEngine, run_fn: Any, params: Any = None, id: str = "i1"
) -> Any:
    """Register ``run_fn`` as the test workflow and create one instance of it."""
    engine.register(WF, run_fn)
    return await engine.binding(WF).create(id=id, params=params or {})


# ------------------------------------------------------------------ create / ids / status
def test_create_with_an_existing_id_raises(engine: LocalWorkflowEngine) -> None:
    """§2: ``create`` with an existing id throws (the consumer relies on it to dedupe)."""

    async def scenario() -> None:
        binding = engine.binding(WF)
        await binding.create(id="job-1", params={"n": 1})
        with pytest.raises(WorkflowAlreadyExists):
            await binding.create(id="job-1", params={"n": 2})
        assert (await (await binding.get("job-1")).status())["status"] == "queued"

    run(scenario())


@pytest.mark.parametrize("bad", ["", "-lead", "a b", "a.b", "x\n", "é", "a" * 65])
def test_invalid_instance_ids_are_rejected(engine: LocalWorkflowEngine, bad: str) -> None:
    """§2: ids are ≤ 64 chars matching ``^[a-zA-Z0-9_][a-zA-Z0-9-_]*$``."""
    with pytest.raises(ValueError, match="instance id"):
        run(engine.binding(WF).create(id=bad, params={}))
    run(engine.binding(WF).create(id="_Ok-" + "a" * 60, params={}))


def test_get_of_an_unknown_id_raises(engine: LocalWorkflowEngine) -> None:
    """engine.ts changeInstanceStatus: an instance that does not exist is ``not_found``."""
    with pytest.raises(WorkflowNotFound):
        run(engine.binding(WF).get("nope"))


def test_event_carries_payload_timestamp_instance_id_and_workflow_name(
    engine: LocalWorkflowEngine,
) -> None:
    """§2: ``event`` has ``payload``, ``timestamp``, ``instanceId``, ``workflowName``."""
    seen: list[dict[str, Any]] = []

    async def wf(event: dict[str, Any], step: Any) -> Any:
        seen.append(event)
        return event["payload"]["n"] * 2

    async def scenario() -> None:
        inst = await start(engine, wf, {"n": 21}, id="job-7")
        assert await engine.tick() == 1
        assert await inst.status() == {"status": "complete", "output": 42, "error": None}

    run(scenario())
    assert seen == [
        {
            "payload": {"n": 21},
            "timestamp": datetime.fromtimestamp(START_MS / 1000, UTC),
            "instanceId": "job-7",
            "workflowName": WF,
        }
    ]


# ------------------------------------------------------------------ memoisation and the decorator API
def test_a_step_body_runs_once_across_replays(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """§2 / context.ts: step results are memoised by name; a replay returns the stored result."""
    runs: Counter[str] = Counter()

    async def wf(event: Any, step: Any) -> Any:
        @step.do("fetch")
        async def fetch() -> dict[str, Any]:
            runs["fetch"] += 1
            return {"items": (1, 2)}  # a tuple comes back as a list, as over RPC

        first = await fetch()
        await step.sleep("pause", "10 seconds")
        return first

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["status"] == "waiting"
        clock.advance(10_000)
        await engine.tick()
        assert (await inst.status())["output"] == {"items": [1, 2]}

    run(scenario())
    assert runs == {"fetch": 1}


def test_a_repeated_step_name_is_memoised_per_occurrence(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """context.ts: the cache key is name + a per-replay count, so a name may repeat."""
    runs: list[int] = []

    async def one_item(step: Any, i: int) -> int:
        @step.do("item")
        async def item() -> int:
            runs.append(i)
            return i * 10

        return await item()

    async def wf(event: Any, step: Any) -> Any:
        out = [await one_item(step, i) for i in range(3)]
        await step.sleep("pause", 1000)
        return out

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        clock.advance(1000)
        await engine.tick()
        assert (await inst.status())["output"] == [0, 10, 20]

    run(scenario())
    assert runs == [0, 1, 2]


def test_dependencies_resolve_by_parameter_name(engine: LocalWorkflowEngine) -> None:
    """§2 / SDK: a parameter named like an earlier step receives its result (run once)."""
    runs: Counter[str] = Counter()

    async def wf(event: Any, step: Any) -> Any:
        @step.do()
        async def load() -> dict[str, int]:
            runs["load"] += 1
            return {"n": 2}

        @step.do("double")
        async def double(load: dict[str, int]) -> int:
            runs["double"] += 1
            return load["n"] * 2

        @step.do()
        async def report(load: dict[str, int], double: int) -> str:
            return f"{load['n']}->{double}"

        return await report()  # resolves double, which resolves load; nothing runs twice

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["output"] == "2->4"

    run(scenario())
    assert runs == {"load": 1, "double": 1}


def test_concurrent_dependencies_are_resolved_together(engine: LocalWorkflowEngine) -> None:
    """Docs (workflows/python/dag): ``concurrent=True`` resolves a diamond's branches together."""
    order: list[str] = []

    async def wf(event: Any, step: Any) -> Any:
        gate = asyncio.Event()

        @step.do()
        async def left() -> str:
            order.append("left")
            await gate.wait()  # only finishes once right has started: they overlap
            return "L"

        @step.do()
        async def right() -> str:
            order.append("right")
            gate.set()
            return "R"

        @step.do(concurrent=True)
        async def join(left: str, right: str) -> str:
            return left + right

        return await join()

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["output"] == "LR"

    run(scenario())
    assert order == ["left", "right"]


def test_ctx_parameter_gets_attempt_step_and_config(engine: LocalWorkflowEngine) -> None:
    """§2: a parameter named ``ctx`` gets ``{"attempt", "step": {"name", "count"}, "config"}``."""
    seen: list[dict[str, Any]] = []

    async def wf(event: Any, step: Any) -> Any:
        @step.do("probe")
        async def probe(ctx: dict[str, Any]) -> None:
            seen.append(ctx)

        await probe()

    run(start(engine, wf))
    run(engine.tick())
    assert seen == [
        {
            "attempt": 1,
            "step": {"name": "probe", "count": 1},
            "config": {
                "retries": {"limit": 5, "delay": 10_000, "backoff": "exponential"},
                "timeout": "10 minutes",
            },
        }
    ]


def test_an_unknown_parameter_raises_type_error_when_awaited(engine: LocalWorkflowEngine) -> None:
    """§2 / SDK ``_build_dependency_list``: any other parameter name raises TypeError."""

    async def wf(event: Any, step: Any) -> Any:
        @step.do()
        async def needs(nothing_named_so: int) -> int:
            return nothing_named_so

        try:
            await needs()
        except TypeError as exc:  # the docs' DAG example catches it the same way
            return str(exc)
        return "not raised"

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        assert (await inst.status())["output"] == "Received unexpected parameter nothing_named_so"

    run(scenario())


def test_an_invalid_step_config_is_rejected(engine: LocalWorkflowEngine) -> None:
    """validators.ts ``isValidStepConfig``: unknown keys or a retries without delay fail."""

    async def wf(event: Any, step: Any) -> Any:
        @step.do("bad", config={"retries": {"limit": 3}})
        async def bad() -> int:
            return 1

        await bad()

    async def scenario() -> None:
        inst = await start(engine, wf)
        await engine.tick()
        status = await inst.status()
        assert status["status"] == "errored"
        assert status["error"]["name"] == "ValueError"
        assert "invalid format" in status["error"]["message"]

    run(scenario())


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
    """§2 / retries.ts: delay · 2^(n-1) | delay · n | delay; ``waiting`` until it passes."""
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
    """§2: default retries are limit 5, delay 10000 ms, exponential."""
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
        except Exception as exc:  # §2: custom types do not survive; catch Exception
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
    """§2 step ``timeout``: an attempt longer than it fails with WorkflowTimeoutError."""

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


# ------------------------------------------------------------------ sleeps
def test_sleep_suspends_until_the_clock_passes(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """§2 ``step.sleep``: the instance waits (memoised wake-up time), then continues."""
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
    """§2 ``step.sleep_until``: waits until the given time; a past time is an error."""
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
    run(engine_a.binding(WF).create(id="job", params={}))
    with pytest.raises(Killed):
        run(engine_a.tick())  # engine A dies in step two; it is never closed
    crash = False

    engine_b = LocalWorkflowEngine(path, clock_ms=clock)
    engine_b.register(WF, wf)
    try:
        assert run(engine_b.tick()) == 0  # engine A's lease still holds it
        clock.advance(11 * 60_000)  # lease = step timeout (10 min) + 1 min
        assert run(engine_b.tick()) == 1
        status = run(engine_b.binding(WF).get("job")).status
        assert run(status()) == {"status": "complete", "output": "first+second", "error": None}
        outcomes = [(a["name"], a["attempt"], a["outcome"]) for a in engine_b.attempts(WF, "job")]
        assert outcomes == [("one", 1, "ok"), ("two", 1, "interrupted"), ("two", 2, "ok")]
    finally:
        engine_b.close()
        engine_a.close()
    assert runs == {"one": 1, "two": 2}  # at-least-once: only the interrupted step ran again
    assert attempts == [1, 2]


def test_resume_after_a_crash_while_waiting(tmp_path: Path, clock: FakeClock) -> None:
    """§2 / DESIGN §6: a killed engine's waiting instance is resumed by a new one on the file."""
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
    run(engine_a.binding(WF).create(id="job", params={}))
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
    """DESIGN §6 dev server: ``serve`` wakes on a local create and runs the instance."""

    async def scenario() -> None:
        finished = asyncio.Event()

        async def wf(event: Any, step: Any) -> Any:
            finished.set()
            return "served"

        engine.register(WF, wf)
        stop = asyncio.Event()
        server = asyncio.create_task(engine.serve(stop, poll_interval=30))
        inst = await engine.binding(WF).create(id="live", params={})
        await asyncio.wait_for(finished.wait(), timeout=5)
        stop.set()
        await asyncio.wait_for(server, timeout=5)
        assert (await inst.status())["output"] == "served"

    run(scenario())


def test_serve_does_not_let_a_slow_step_hold_up_other_instances(
    engine: LocalWorkflowEngine,
) -> None:
    """DESIGN §6 / §2 (instances run independently): a hanging step blocks only its instance."""

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
        slow = await engine.binding(WF).create(id="slow", params={})
        fast = await engine.binding(WF).create(id="fast", params={})
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
    """§2 durations: ``"2 seconds"``, ``"1 minute"``, ``"10 minutes"``, ``"1 hour"``, int ms."""
    assert parse_duration(text) == ms


@pytest.mark.parametrize("bad", ["soon", "1 fortnight", "-5", "5 Hours", "", True])
def test_parse_duration_rejects_other_forms(bad: Any) -> None:
    """Unknown units fail loudly here (Cloudflare would silently read them as milliseconds)."""
    with pytest.raises((ValueError, TypeError)):
        parse_duration(bad)
