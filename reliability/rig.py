"""A local platform driven by a simulated clock, in queue or workflow mode, plus its invariants.

The clock only moves when nothing is due now: it jumps to the next batch/retry/wake-up time, so
hours of retry backoff run in milliseconds and every run is reproducible from its seed.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from quizhub.bindings import Bindings, Settings
from quizhub.domain.jobs import TERMINAL
from quizhub.domain.revisions import RevGenerator
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.host import minimal_document
from quizhub.local.platform import DLQ, SAVE_QUEUE, build_platform
from quizhub.local.queues import LocalQueueConsumer
from quizhub.pipeline.accept import accept_delete, accept_save
from quizhub.pipeline.consumer import handle_batch, handle_dlq_batch, sweep_stuck_jobs
from quizhub.pipeline.policy import job_budget_seconds
from quizhub.store.documents import read_current, read_published
from quizhub.store.jobs import JobsRepo
from quizhub.store.tests import TestsRepo

__all__ = ["SimClock", "Rig", "Accepted", "START_MS", "SWEEP_EVERY_MS"]

START_MS = 1_795_000_000_000
SWEEP_EVERY_MS = 60_000
TOKEN = "reliability-token"


class SimClock:
    """Milliseconds that move only when the rig (or a test) moves them."""

    def __init__(self, ms: int = START_MS) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


class _Recorder:
    """A queue producer that remembers what it durably sent."""

    def __init__(self, inner: Any, sent: list[Any]) -> None:
        self.inner, self.sent = inner, sent

    async def send(self, body: Any, **kwargs: Any) -> None:
        await self.inner.send(body, **kwargs)
        self.sent.append(json.loads(json.dumps(body)))

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        await self.inner.send_batch(messages)
        self.sent.extend(json.loads(json.dumps(m["body"])) for m in messages)


@dataclass
class Accepted:
    job_id: str
    test_id: str
    rev: str
    base_rev: str | None
    title: str | None  # None for deletes
    accepted_ms: int


@dataclass
class Rig:
    """One platform under ``root``; ``faulty`` is what the pipeline uses, ``clean`` what checkers use."""

    root: Path
    mode: str = "queue"
    plan: FaultPlan | None = None
    clock: SimClock = field(default_factory=SimClock)
    accepted: list[Accepted] = field(default_factory=list)

    def __post_init__(self) -> None:
        settings = Settings(admin_token=TOKEN, save_mode=self.mode)  # type: ignore[arg-type]
        self.platform = build_platform(self.root, settings, clock_ms=self.clock)
        self.sent: list[Any] = []  # every message that really reached the queue (ground truth)
        recorder = _Recorder(self.platform.bindings.queue, self.sent)
        self.clean: Bindings = replace(self.platform.bindings, revs=RevGenerator(), queue=recorder)
        self.engine: Any = None
        if self.mode == "workflow":
            self._attach_workflow_engine()
        self.faulty = with_faults(self.clean, self.plan) if self.plan else self.clean
        self.consumers = [
            LocalQueueConsumer(self.platform.broker, SAVE_QUEUE, self._on_save),
            LocalQueueConsumer(self.platform.broker, DLQ, self._on_dead),
        ]
        self._last_sweep = self.clock.ms

    def _attach_workflow_engine(self) -> None:
        from quizhub.errors import NonRetryableError
        from quizhub.local.workflows import LocalWorkflowBinding, LocalWorkflowEngine
        from quizhub.pipeline.workflow import run_save_workflow

        self.engine = LocalWorkflowEngine(self.root / "workflows.sqlite", clock_ms=self.clock)

        async def run(event: Any, step: Any) -> Any:
            return await run_save_workflow(event, step, self.faulty, NonRetryableError)

        self.engine.register("save-test", run)
        self.clean = replace(self.clean, workflow=LocalWorkflowBinding(self.engine, "save-test"))

    async def _on_save(self, batch: Any) -> None:
        await handle_batch(batch, self.faulty)

    async def _on_dead(self, batch: Any) -> None:
        await handle_dlq_batch(batch, self.faulty)

    def close(self) -> None:
        if self.engine is not None and hasattr(self.engine, "close"):
            self.engine.close()
        self.platform.close()

    # ------------------------------------------------------------ writes
    async def save(
        self, test_id: str, title: str, base_rev: str | None = None, **extra: Any
    ) -> Accepted | None:
        """Accept a save through the (possibly faulty) bindings; None when accepting failed."""
        doc = document(title, **extra)
        try:
            result = await accept_save(self.faulty, test_id, doc, base_rev)
        except Exception:  # noqa: BLE001 - the editor saw an error: not accepted
            return None
        acc = Accepted(result.job_id, test_id, result.rev, base_rev, title, self.clock.ms)
        self.accepted.append(acc)
        return acc

    async def delete(self, test_id: str) -> Accepted | None:
        try:
            result = await accept_delete(self.faulty, test_id)
        except Exception:  # noqa: BLE001
            return None
        acc = Accepted(result.job_id, test_id, result.rev, None, None, self.clock.ms)
        self.accepted.append(acc)
        return acc

    # ------------------------------------------------------------ driving
    async def step_once(self) -> int:
        """Deliver every batch due now and run due workflow instances; returns work done."""
        done = 0
        for consumer in self.consumers:
            done += await consumer.step()
        if self.engine is not None:
            done += await self.engine.tick()
        return done

    def next_due(self) -> int | None:
        dues = [c.next_due_ms() for c in self.consumers]
        if self.engine is not None:
            dues.append(self.engine.next_wake_ms())
        return min((d for d in dues if d is not None), default=None)

    async def settle(self, *, reader: Any = None, max_sim_ms: int = 7 * 86_400_000) -> None:
        """Run until every accepted job is terminal (the cron sweep included), or time runs out."""
        start = self.clock.ms
        while self.clock.ms - start < max_sim_ms:
            if await self.step_once():
                if reader is not None:
                    await reader()
                continue
            if self.clock.ms - self._last_sweep >= SWEEP_EVERY_MS:
                await self._sweep()
            due = self.next_due()
            if due is None:
                open_jobs = await self.open_jobs()
                if not open_jobs:
                    return
                # Nothing will ever touch these jobs again: jump to the next cron run that fails them.
                due = self._last_sweep + SWEEP_EVERY_MS
            self.clock.ms = max(self.clock.ms + 1, due)

    async def _sweep(self) -> None:
        self._last_sweep = self.clock.ms
        # A failed cron run is harmless: the next one retries.
        with contextlib.suppress(Exception):
            await sweep_stuck_jobs(self.faulty)

    # ------------------------------------------------------------ observing
    async def job(self, job_id: str) -> dict[str, Any] | None:
        return await JobsRepo(self.clean.db).get(job_id)

    async def open_jobs(self) -> list[Accepted]:
        """Accepted jobs without a terminal status (no row yet counts as open)."""
        out = []
        for acc in self.accepted:
            row = await self.job(acc.job_id)
            if row is None or row["status"] not in TERMINAL:
                out.append(acc)
        return out

    def title_of(self, rev: str) -> str | None:
        """The title a sent save of ``rev`` carried (None if no such save was sent)."""
        for body in reversed(self.sent):
            if body["rev"] == rev:
                return (body.get("body") or {}).get("title")
        return None

    def budget_ms(self) -> int:
        return job_budget_seconds(self.clean.settings) * 1000


def document(title: str, **extra: Any) -> dict[str, Any]:
    """A small valid document whose title identifies the save."""
    return minimal_document(title, **extra)


async def invariants(rig: Rig) -> dict[str, int]:
    """lost (accepted, not terminal), wrong (served ≠ newest succeeded), stale (KV/cache behind)."""
    lost = len(await rig.open_jobs())
    by_test: dict[str, list[tuple[Accepted, dict[str, Any]]]] = {}
    statuses: dict[str, int] = {}
    for acc in rig.accepted:
        row = await rig.job(acc.job_id)
        if row is None:
            continue
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        by_test.setdefault(acc.test_id, []).append((acc, row))
    wrong = stale = 0
    tests = TestsRepo(rig.clean.db)
    for test_id, jobs in by_test.items():
        won = [a for a, r in jobs if r["status"] == "succeeded"]
        pointer = await tests.pointer(test_id)
        if not won:
            continue
        newest = max(won, key=lambda a: a.rev)
        if pointer is None or pointer.rev < newest.rev:
            wrong += 1
            continue
        if pointer.rev != newest.rev:
            continue  # a newer job committed but has not reported success (failed after commit)
        if newest.title is None:
            if not pointer.deleted:
                wrong += 1
            continue
        doc = await read_current(tests, rig.clean.bucket, test_id, published_only=False)
        if doc["title"] != newest.title:
            wrong += 1
        public, _ = await read_published(tests, rig.clean.bucket, rig.clean.kv, test_id, 300)
        url = f"{rig.clean.settings.public_origin.rstrip('/')}/api/tests/{test_id}"
        cached = await rig.clean.cache.match(url)
        if public["rev"] != newest.rev or (cached and json.loads(cached.body)["rev"] != newest.rev):
            stale += 1
    return {
        "lost": lost,
        "wrong": wrong,
        "stale": stale,
        **{f"status:{k}": v for k, v in statuses.items()},
    }
