"""Scorecard row 4: SIGKILL the consumer/engine process at chosen binding calls, then restart.

The parent accepts a handful of saves, then forks a consumer process with a fault plan that
SIGKILLs the child at its Nth binding call (a D1 statement, an R2 put, a KV delete …). A second
child without the kill finishes the work a day of simulated time later (all leases expired).
The parent then checks that every job is terminal and the invariants hold.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import signal
from pathlib import Path

from tests.fakes import START_MS, FakeClock

from quizhub.local.faults import FaultPlan
from reliability.rig import Accepted, Rig, invariants
from reliability.rows import Row, _tmp

__all__ = ["row4_kills"]

DAY_MS = 86_400_000


def _child(data_dir: Path, mode: str, kill_at: int | None, clock_ms: int) -> int:
    """Run a consumer process (forked: modules already imported) and return its exit code."""
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_child_main, args=(data_dir, mode, kill_at or 0, clock_ms))
    proc.start()
    proc.join(120)
    if proc.exitcode is None:
        proc.kill()
        proc.join()
        return 1
    return int(proc.exitcode)


def _child_main(data_dir: Path, mode: str, kill_at: int, clock_ms: int) -> None:
    logging.disable(logging.CRITICAL)
    asyncio.run(_run_child(data_dir, mode, kill_at, clock_ms))


async def _prepare(data_dir: Path, mode: str) -> list[Accepted]:
    rig = Rig(data_dir, mode)
    a = await rig.save("k1", "k1 처음")
    rig.clock.ms += 1000
    await rig.save("k2", "k2 처음")
    rig.clock.ms += 1000
    assert a is not None
    await rig.save("k1", "k1 둘째", a.rev)
    rig.clock.ms += 1000
    await rig.save("k1", "k1 셋째 (충돌)", a.rev)
    rig.clock.ms += 1000
    await rig.save("k2", "k2 둘째")
    rig.clock.ms += 1000
    await rig.delete("k2")
    accepted = list(rig.accepted)
    rig.close()
    (data_dir / "accepted.json").write_text(json.dumps([a.__dict__ for a in accepted]))
    return accepted


async def _check(data_dir: Path, mode: str, accepted: list[Accepted]) -> dict[str, int]:
    rig = Rig(data_dir, mode, clock=FakeClock(START_MS + 3 * DAY_MS))
    rig.accepted = accepted
    rig.sent = [{"rev": a.rev, "body": {"title": a.title}} for a in accepted]
    result = await invariants(rig)
    rig.close()
    return result


async def _count_calls(mode: str) -> int:
    """How many binding calls one undisturbed run of the same work makes."""
    data_dir = _tmp()
    await _prepare(data_dir, mode)
    plan = FaultPlan()
    await _run_child(data_dir, mode, 0, START_MS + 10_000, plan)
    return plan.calls


def kill_points(mode: str, count: int) -> list[int]:
    """``count`` kill points spread evenly over every binding call of the run."""
    total = asyncio.run(_count_calls(mode))
    return sorted({1 + (total - 1) * i // max(1, count - 1) for i in range(count)})


def row4_kills(mode: str, count: int) -> Row:
    """Kill at each point, restart, and count jobs left open or state left wrong (no event loop
    running)."""
    points = kill_points(mode, count)
    killed = unreached = bad = 0
    for n in points:
        data_dir = _tmp()
        accepted = asyncio.run(_prepare(data_dir, mode))
        rc = _child(data_dir, mode, n, START_MS + 10_000)
        if rc == -signal.SIGKILL:
            killed += 1
        elif rc == 0:
            unreached += 1
        else:
            bad += 1
            continue
        if _child(data_dir, mode, None, START_MS + DAY_MS) != 0:
            bad += 1
            continue
        inv = asyncio.run(_check(data_dir, mode, accepted))
        bad += inv["lost"] > 0 or inv["wrong"] > 0 or inv["stale"] > 0
    ok = bad == 0 and killed >= min(20, count)
    return Row(
        "4",
        f"SIGKILL of the {'engine' if mode == 'workflow' else 'consumer'} process, then restart",
        f"killed at {killed} of {points[-1]} binding calls ({unreached} past the end): "
        f"{bad} with open jobs or broken invariants",
        "all jobs terminal, invariants hold (≥ 20 points in the full run)",
        ok,
    )


async def _run_child(
    data_dir: Path, mode: str, kill_at: int, clock_ms: int, plan: FaultPlan | None = None
) -> None:
    plan = FaultPlan(kill_at=kill_at) if kill_at else plan
    rig = Rig(data_dir, mode, plan=plan, clock=FakeClock(clock_ms))
    rig.accepted = [Accepted(**a) for a in json.loads((data_dir / "accepted.json").read_text())]
    await rig.settle()
    rig.close()
