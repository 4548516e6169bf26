"""The local Workflows engine (instances, the step API) against Cloudflare's documented behaviour.

Citations in test docstrings are explained in ``_workflow_support.py``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from quizhub.local.workflows import (
    LocalWorkflowBinding,
    LocalWorkflowEngine,
    WorkflowAlreadyExists,
    WorkflowNotFound,
)
from tests.fakes import START_MS, FakeClock, run

from ._workflow_support import WF, start


# ------------------------------------------------------------------ create / ids / status
def test_create_with_an_existing_id_raises(engine: LocalWorkflowEngine) -> None:
    """Rule: ``create`` with an existing id throws (the consumer relies on it to dedupe)."""

    async def scenario() -> None:
        binding = LocalWorkflowBinding(engine, WF)
        await binding.create(id="job-1", params={"n": 1})
        with pytest.raises(WorkflowAlreadyExists):
            await binding.create(id="job-1", params={"n": 2})
        assert (await (await binding.get("job-1")).status())["status"] == "queued"

    run(scenario())


@pytest.mark.parametrize("bad", ["", "-lead", "a b", "a.b", "x\n", "é", "a" * 65])
def test_invalid_instance_ids_are_rejected(engine: LocalWorkflowEngine, bad: str) -> None:
    """Rule: ids are ≤ 64 chars matching ``^[a-zA-Z0-9_][a-zA-Z0-9-_]*$``."""
    with pytest.raises(ValueError, match="instance id"):
        run(LocalWorkflowBinding(engine, WF).create(id=bad, params={}))
    run(LocalWorkflowBinding(engine, WF).create(id="_Ok-" + "a" * 60, params={}))


def test_get_of_an_unknown_id_raises(engine: LocalWorkflowEngine) -> None:
    """engine.ts changeInstanceStatus: an instance that does not exist is ``not_found``."""
    with pytest.raises(WorkflowNotFound):
        run(LocalWorkflowBinding(engine, WF).get("nope"))


def test_event_carries_payload_timestamp_instance_id_and_workflow_name(
    engine: LocalWorkflowEngine,
) -> None:
    """Rule: ``event`` has ``payload``, ``timestamp``, ``instanceId``, ``workflowName``."""
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


# ------------------------------------------------------------------ memoisation and the decorator
# API
def test_a_step_body_runs_once_across_replays(
    engine: LocalWorkflowEngine, clock: FakeClock
) -> None:
    """Rule / context.ts: step results are memoised by name; a replay returns the stored result."""
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
    """Rule / SDK: a parameter named like an earlier step receives its result (run once)."""
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
    """Rule: a parameter named ``ctx`` gets ``{"attempt", "step": {"name", "count"}, "config"}``."""
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
    """Rule / SDK ``_build_dependency_list``: any other parameter name raises TypeError."""

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
