"""A local platform driven by a simulated clock, in queue or workflow mode, plus its invariants.

The clock only moves when nothing is due now: it jumps to the next batch/retry/wake-up time, so
hours of retry backoff run in milliseconds and every run is reproducible from its seed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes import FakeClock, recording, sent

from quizhub.bindings import Bindings, SaveMode, Settings
from quizhub.domain.images import metadata_found
from quizhub.domain.jobs import JobRow
from quizhub.domain.preconditions import Precondition
from quizhub.domain.samples import minimal_document
from quizhub.domain.wire import ms_of_iso
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.platform import SWEEP_EVERY_MS, build_platform
from quizhub.pipeline.accept import accept_delete, accept_image, accept_save
from quizhub.pipeline.policy import (
    ATTEMPT_SECONDS,
    QUEUE_RETENTION_SECONDS,
    job_budget_seconds,
    untouched_job,
)
from quizhub.store.documents import read_current, read_published
from quizhub.store.images import ImagesRepo
from quizhub.store.jobs import JobsRepo
from quizhub.store.tests import TestsRepo

__all__ = ["Rig", "Accepted", "TOKEN"]

TOKEN = "reliability-token"


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
    """One platform under ``root``; ``faulty`` is what the pipeline uses, ``clean`` what checkers
    use."""

    root: Path
    mode: SaveMode = "queue"
    plan: FaultPlan | None = None
    clock: FakeClock = field(default_factory=FakeClock)
    accepted: list[Accepted] = field(default_factory=list)
    image_keys: dict[str, str] = field(default_factory=dict)  # image job id -> image key
    # Settings fields besides the admin token (a zone purge configured, …).
    settings: dict[str, Any] = field(default_factory=dict)
    # A last wrapper around the bindings the pipeline uses (an outage of one binding, …).
    outage: Callable[[Bindings], Bindings] | None = None

    def __post_init__(self) -> None:
        settings = Settings(admin_token=TOKEN, **self.settings)
        plan, outage = self.plan, self.outage

        def wrap(b: Bindings) -> Bindings:
            # The recorder sits inside the faults: it sees only what really reached the queue.
            recorded = recording(b)
            faulty = with_faults(recorded, plan) if plan else recorded
            return outage(faulty) if outage else faulty

        self.platform = build_platform(
            self.root, settings, mode=self.mode, clock_ms=self.clock, wrap=wrap
        )
        self.sent = sent(self.platform.bindings)  # every message durably sent (ground truth)
        self.clean: Bindings = self.platform.raw
        self.faulty: Bindings = self.platform.bindings
        self._last_sweep = self.clock.ms

    def close(self) -> None:
        self.platform.close()

    # ------------------------------------------------------------ writes
    async def save(
        self, test_id: str, title: str, base_rev: str | None = None, **extra: Any
    ) -> Accepted | None:
        """Accept a save through the (possibly faulty) bindings; None when accepting failed."""
        doc = document(title, **extra)
        try:
            precondition = Precondition(base_rev=base_rev)
            result = await accept_save(self.faulty, test_id, doc, precondition)
        except Exception:  # noqa: BLE001 - the editor saw an error: not accepted
            return None
        acc = Accepted(result.job_id, test_id, result.rev, base_rev, title, self.clock.ms)
        self.accepted.append(acc)
        return acc

    async def upload_image(self, data: bytes) -> Accepted | None:
        """Accept an image upload (an image job: test id "", its key in ``image_keys``)."""
        try:
            result = await accept_image(self.faulty, data)
        except Exception:  # noqa: BLE001 - the editor saw an error: not accepted
            return None
        accepted = result.accepted
        acc = Accepted(accepted.job_id, "", accepted.rev, None, None, self.clock.ms)
        self.accepted.append(acc)
        self.image_keys[acc.job_id] = result.key
        return acc

    async def delete(self, test_id: str) -> Accepted | None:
        try:
            result = await accept_delete(
                self.faulty, test_id, Precondition()
            )  # as a tool: unconditional
        except Exception:  # noqa: BLE001
            return None
        acc = Accepted(result.job_id, test_id, result.rev, None, None, self.clock.ms)
        self.accepted.append(acc)
        return acc

    # ------------------------------------------------------------ driving
    async def settle(self, *, reader: Any = None, max_sim_ms: int = 7 * 86_400_000) -> None:
        """Run until every accepted job is terminal (the cron sweep included), or time runs out."""
        start = self.clock.ms
        while self.clock.ms - start < max_sim_ms:
            if await self.platform.step():
                if reader is not None:
                    await reader()
                continue
            if self.clock.ms - self._last_sweep >= SWEEP_EVERY_MS:
                await self._sweep()
            due = self.platform.next_due_ms()
            if due is None:
                open_jobs = await self.open_jobs()
                if not open_jobs:
                    return
                # Nothing is due: jump to the first cron run that can change one of these jobs
                # (delayed past its budget, expired past the retention).
                due = await self._next_sweep_that_matters(open_jobs)
            self.clock.ms = max(self.clock.ms + 1, due)

    async def _next_sweep_that_matters(self, open_jobs: list[Accepted]) -> int:
        now = self.clock.ms
        moments = []
        for acc in open_jobs:
            row = await self.job(acc.job_id)
            moments += [acc.accepted_ms + self.budget_ms(), acc.accepted_ms + self.retention_ms()]
            if row is not None:
                moments.append(ms_of_iso(row.updated_at) + ATTEMPT_SECONDS * 1000)
        target = min((m for m in moments if m >= now), default=now)
        ticks = max(1, -(-(target - self._last_sweep) // SWEEP_EVERY_MS))
        return self._last_sweep + ticks * SWEEP_EVERY_MS

    async def _sweep(self) -> None:
        self._last_sweep = self.clock.ms
        # A failed cron run is harmless: the next one retries.
        with contextlib.suppress(Exception):
            await self.platform.sweep()

    # ------------------------------------------------------------ observing
    async def job(self, job_id: str) -> JobRow | None:
        return await JobsRepo(self.clean.db).get(job_id)

    async def status(self, acc: Accepted) -> JobRow:
        """The job as ``GET /api/admin/jobs/{id}`` shows it now (derived when it has no row)."""
        row = await self.job(acc.job_id)
        if row is None:
            row = untouched_job(self.clean.settings, acc.job_id, self.clock.ms)
        assert row is not None, acc.job_id
        return row

    async def open_jobs(self) -> list[Accepted]:
        """Accepted jobs without a visible terminal status (queued, running or delayed)."""
        return [acc for acc in self.accepted if not (await self.status(acc)).terminal]

    def title_of(self, rev: str) -> str | None:
        """The title a sent save of ``rev`` carried (None if no such save was sent)."""
        for body in reversed(self.sent):
            if body["rev"] == rev:
                return (body.get("body") or {}).get("title")
        return None

    def budget_ms(self) -> int:
        return job_budget_seconds(self.clean.settings) * 1000

    @staticmethod
    def retention_ms() -> int:
        return QUEUE_RETENTION_SECONDS * 1000


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
        statuses[row.status] = statuses.get(row.status, 0) + 1
        if acc.job_id not in rig.image_keys:
            by_test.setdefault(acc.test_id, []).append((acc, row))
    wrong = stale = 0
    tests = TestsRepo(rig.clean.db)
    for test_id, jobs in by_test.items():
        won = [a for a, r in jobs if r.status == "succeeded"]
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


async def image_invariants(rig: Rig) -> dict[str, int]:
    """Image jobs: a succeeded one has its variants recorded, each stored exactly once, without
    metadata (``wrong`` counts any miss, ``leaks`` a variant with metadata); ``originals_left``
    counts private originals a given-up job left for the staging lifecycle rule."""
    repo = ImagesRepo(rig.clean.db)
    counts = {"images": 0, "image_succeeded": 0, "image_failed": 0, "wrong": 0, "leaks": 0}
    counts["originals_left"] = 0
    for job_id, key in rig.image_keys.items():
        counts["images"] += 1
        row = await rig.job(job_id)
        status = row.status if row is not None else "queued"
        variants = await repo.variants(key)
        if status != "succeeded":
            counts["image_failed"] += 1
            continue
        counts["image_succeeded"] += 1
        listed = await rig.clean.bucket.list(prefix=f"variants/{key}/")
        if not variants or len(listed.objects) != len(variants):
            counts["wrong"] += 1
        for v in variants:
            obj = await rig.clean.bucket.get(v.object_key)
            if obj is None:
                counts["wrong"] += 1
            elif metadata_found(obj.body):
                counts["leaks"] += 1
        if await rig.clean.bucket.head(f"staging/images/{key}") is not None:
            # Given up after its record step (succeeded with a warning by the DLQ or the sweep):
            # private, never served, removed by the staging lifecycle rule.
            counts["originals_left"] += 1
    return counts
