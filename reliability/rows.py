"""Scorecard rows 1–3, 5, 7, 8, 10 (in-process). Each returns a ``Row`` with its number."""

from __future__ import annotations

import copy
import itertools
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes import FakeBatch, FakeMessage
from tests.imagefiles import phone_photo

from quizhub.domain.revisions import rev_time_ms
from quizhub.domain.wire import ms_of_iso
from quizhub.local.faults import FaultPlan
from quizhub.local.platform import SWEEP_EVERY_MS
from quizhub.pipeline.consumer import handle_batch
from quizhub.store.documents import read_current
from quizhub.store.tests import TestsRepo
from reliability.rig import Rig, image_invariants, invariants

__all__ = [
    "Row",
    "Sizes",
    "with_examples",
    "row1_duplicates",
    "row2_permutations",
    "row3_faults",
    "row7_editors",
    "row8_poison",
    "row10_budget",
]


@dataclass
class Row:
    number: str
    check: str
    result: str
    criterion: str
    passed: bool


@dataclass(frozen=True)
class Sizes:
    """How big each row runs (full scorecard vs the reduced one in make test)."""

    dup_trials: int = 40
    perm_max: int = 6
    fault_saves: int = 1000
    editors: int = 4
    editor_rounds: int = 30
    poison_batches: int = 20
    budget_jobs: int = 20
    late_tests: int = 4  # row 13: tests per lateness, each with three late saves
    search_tests: int = 60  # row 15: tests saved, then edited, unpublished or deleted
    purge_tests: int = 8  # row 17: tests saved during a purge outage
    purge_saves: int = 3  # row 17: saves of each test per burst (two bursts)
    merge_tests: int = 6  # rows 18 and 19: tests edited by concurrent editors
    merge_rounds: int = 25  # rows 18 and 19: rounds of editors loading one rev each


async def _deliver(rig: Rig, body: Any, attempts: int = 1) -> None:
    """Hand one message to the consumer, then let any workflow instance run to rest."""
    await handle_batch(FakeBatch([FakeMessage(body, attempts)]), rig.faulty)
    await rig.platform.run_workflows()


async def _snapshot(rig: Rig) -> tuple[Any, ...]:
    tests = await rig.clean.db.prepare(
        "SELECT id, rev, status, deleted, title, object_key FROM tests ORDER BY id"
    ).all()
    jobs = await rig.clean.db.prepare(
        "SELECT job_id, status, committed FROM jobs ORDER BY job_id"
    ).all()
    return tuple(tuple(r.values()) for r in tests["results"]), tuple(
        tuple(r.values()) for r in jobs["results"]
    )


def with_examples(result: str, wrong: list[str], shown: int = 4) -> str:
    """``result`` followed by the first ``shown`` cases that went wrong (nothing when none did)."""
    return result if not wrong else f"{result}; " + "; ".join(wrong[:shown])


def _tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="quizhub-rel-"))


def _captured(rig: Rig, start: int = 0) -> list[Any]:
    """Copies of the messages the API put on the queue from index ``start`` on, in order."""
    return copy.deepcopy(rig.sent[start:])


async def row1_duplicates(mode: str, sizes: Sizes, seed: int = 1) -> Row:
    """Each message delivered 1–5× in a random interleaving ends as the single-delivery oracle."""
    rng = random.Random(seed)
    mismatches = 0
    for trial in range(sizes.dup_trials):
        oracle, subject = Rig(_tmp(), mode), Rig(_tmp(), mode)
        bodies = []
        revs: list[str] = []
        for i in range(rng.randint(2, 6)):
            base = rng.choice([None, *revs]) if revs else None
            acc = await oracle.save(f"t{rng.randint(0, 1)}", f"판 {trial}-{i}", base)
            assert acc is not None
            revs.append(acc.rev)
            oracle.clock.ms += 1000
        bodies = _captured(oracle)
        copies = [b for b in bodies for _ in range(rng.randint(1, 5))]
        rng.shuffle(copies)
        first_order: list[Any] = []
        for b in copies:
            if b not in first_order:
                first_order.append(b)
        for b in first_order:
            await _deliver(oracle, b)
        seen: dict[str, int] = {}
        for b in copies:
            seen[b["jobId"]] = seen.get(b["jobId"], 0) + 1
            await _deliver(subject, b, attempts=seen[b["jobId"]])
        if await _snapshot(oracle) != await _snapshot(subject):
            mismatches += 1
        oracle.close()
        subject.close()
    return Row(
        "1",
        "duplicate delivery (1–5×, random interleavings)",
        f"{mismatches} of {sizes.dup_trials} trials differ from the oracle",
        "final state = single-delivery oracle",
        mismatches == 0,
    )


async def row2_permutations(mode: str, sizes: Sizes) -> Row:
    """Every delivery order of 2..N saves of one test leaves the newest rev and its body."""
    rig = Rig(_tmp(), mode)
    bad = total = 0
    for k in range(2, sizes.perm_max + 1):
        for p_index, order in enumerate(itertools.permutations(range(k))):
            test_id = f"p{k}-{p_index}"
            start = len(rig.sent)
            accs = []
            for i in range(k):
                accs.append(await rig.save(test_id, f"{test_id} v{i}"))
                rig.clock.ms += 1
            bodies = _captured(rig, start)
            for i in order:
                await _deliver(rig, bodies[i])
            doc = await read_current(
                TestsRepo(rig.clean.db), rig.clean.bucket, test_id, published_only=False
            )
            newest = accs[-1]
            assert newest is not None
            total += 1
            if doc["rev"] != newest.rev or doc["title"] != newest.title:
                bad += 1
    rig.close()
    return Row(
        "2",
        f"all permutations of 2–{sizes.perm_max} saves of one test",
        f"{bad} of {total} orders wrong",
        "stored rev = max rev; body = that rev's body",
        bad == 0,
    )


async def row3_faults(mode: str, sizes: Sizes, p: float, seed: int = 7) -> tuple[Row, Row]:
    """Seeded faults on every binding call; a concurrent reader checks for torn reads (row 5)."""
    rng = random.Random(seed)
    rig = Rig(_tmp(), mode, plan=FaultPlan(seed=seed, p=p))
    torn = reads = 0

    async def reader() -> None:
        nonlocal torn, reads
        test_id = f"f{rng.randint(0, 29)}"
        try:
            doc = await read_current(
                TestsRepo(rig.clean.db), rig.clean.bucket, test_id, published_only=False
            )
        except Exception:  # noqa: BLE001 - not created yet: nothing to tear
            return
        reads += 1
        if rig.title_of(doc["rev"]) != doc["title"]:
            torn += 1

    for i in range(sizes.fault_saves):
        if i % 10 == 4:  # an image job among the saves (its own photo, GPS EXIF included)
            await rig.upload_image(phone_photo(40 + i, 30 + i % 7))
        await rig.save(f"f{rng.randint(0, 29)}", f"저장 {i}")
        rig.clock.ms += rng.randint(0, 200)
        if i % 10 == 9:
            await rig.platform.step()
            await reader()
    await rig.settle(reader=reader)
    inv = await invariants(rig)
    img = await image_invariants(rig)
    accepted = len(rig.accepted) - img["images"]
    rig.close()
    ok = inv["lost"] == 0 and inv["wrong"] == 0 and inv["stale"] == 0
    ok = ok and img["wrong"] == 0 and img["leaks"] == 0
    detail = (
        f"{accepted} accepted of {sizes.fault_saves}: lost {inv['lost']}, wrong {inv['wrong']}, "
        f"stale {inv['stale']} (succeeded {inv.get('status:succeeded', 0)}, "
        f"failed {inv.get('status:failed', 0)}, superseded {inv.get('status:superseded', 0)}); "
        f"image jobs {img['images']} (succeeded {img['image_succeeded']}, failed "
        f"{img['image_failed']}): wrong {img['wrong']}, metadata leaks {img['leaks']}, "
        f"private originals left to the lifecycle rule {img['originals_left']}"
    )
    row3 = Row(
        f"3 (p={p})",
        f"seeded faults on every binding call, p = {p}",
        detail,
        "0 lost, all terminal, 0 stale after completion; images: 0 wrong, 0 leaks",
        ok,
    )
    row5 = Row(
        f"5 (p={p})",
        "concurrent reader during row 3",
        f"{torn} torn of {reads} reads",
        "0 torn reads",
        torn == 0,
    )
    return row3, row5


async def row7_editors(mode: str, sizes: Sizes, seed: int = 3) -> Row:
    """Editors load, edit and save with baseRev; succeeded saves must form one chain per test."""
    rng = random.Random(seed)
    rig = Rig(_tmp(), mode)
    conflicts = broken = 0
    tests = TestsRepo(rig.clean.db)
    for t in range(2):
        acc = await rig.save(f"e{t}", f"e{t} 시작")
        assert acc is not None
    await rig.settle()
    for rnd in range(sizes.editor_rounds):
        start = len(rig.sent)
        for e in range(sizes.editors):
            test_id = f"e{rng.randint(0, 1)}"
            doc = await read_current(tests, rig.clean.bucket, test_id, published_only=False)
            await rig.save(test_id, f"{test_id} 편집자{e} 라운드{rnd}", doc["rev"])
            rig.clock.ms += 1
        bodies = _captured(rig, start)
        rng.shuffle(bodies)
        for b in bodies:
            await _deliver(rig, b)
    chains: dict[str, list[tuple[str, str | None]]] = {}
    for acc in rig.accepted:
        row = await rig.job(acc.job_id)
        if row and row.status == "conflict":
            conflicts += 1
        if row and row.status == "succeeded":
            chains.setdefault(acc.test_id, []).append((acc.rev, acc.base_rev))
    succeeded = sum(len(c) for c in chains.values())
    for chain in chains.values():
        chain.sort()
        for (prev_rev, _), (_, base) in itertools.pairwise(chain):
            if base != prev_rev:
                broken += 1  # a succeeded save was not based on the one before it: a lost update
    inv = await invariants(rig)
    rig.close()
    ok = broken == 0 and inv["wrong"] == 0 and inv["lost"] == 0
    return Row(
        "7",
        f"{sizes.editors} concurrent editors × {sizes.editor_rounds} rounds",
        f"{succeeded} saved, {conflicts} conflicts reported, {broken} lost updates",
        "no acknowledged write lost; conflicts reported",
        ok and conflicts > 0,
    )


async def row8_poison(mode: str, sizes: Sizes, seed: int = 5) -> Row:
    """Invalid documents inside batches fail after one attempt; their neighbours succeed."""
    rng = random.Random(seed)
    rig = Rig(_tmp(), mode)
    bad_poison = bad_neighbours = poisons = 0
    for n in range(sizes.poison_batches):
        start = len(rig.sent)
        for i in range(5):
            await rig.save(f"n{n}-{i}", f"이웃 {n}-{i}")
        bodies = _captured(rig, start)
        victim = rng.randrange(len(bodies))
        bodies[victim]["body"]["questions"][0]["options"][0]["scores"] = {"ghost": 1}
        poisons += 1
        await handle_batch(FakeBatch([FakeMessage(b) for b in bodies]), rig.faulty)
        await rig.platform.run_workflows()
        for i, b in enumerate(bodies):
            row = await rig.job(b["jobId"])
            if i == victim:
                bad_poison += not (row and row.status == "failed" and row.attempts == 1)
            else:
                bad_neighbours += not (row and row.status == "succeeded")
    rig.close()
    return Row(
        "8",
        "poison messages mixed into batches",
        f"{poisons} poison: {bad_poison} not failed at once; {bad_neighbours} neighbours hurt",
        "permanent → failed after 1 attempt; neighbours unaffected",
        bad_poison == 0 and bad_neighbours == 0,
    )


async def row10_budget(mode: str, sizes: Sizes) -> Row:
    """Worst cases on the fake clock: with R2 and KV down for good every job ends (dead-letter
    queue → failed) within the computed retry budget; with the consumer down past the budget
    every job is visibly ``delayed`` by then (and still ends once delivered)."""
    plan = FaultPlan(seed=11, p=1.0, targets=("bucket", "kv"))
    rig = Rig(_tmp(), mode, plan=plan)
    for i in range(sizes.budget_jobs):
        await _accept_clean(rig, f"b{i}", f"예산 {i}")
        rig.clock.ms += 500
    await rig.settle()
    budget = rig.budget_ms()
    worst = 0
    for acc in rig.accepted:
        row = await rig.job(acc.job_id)
        if row:
            worst = max(worst, ms_of_iso(row.updated_at) - acc.accepted_ms)
    # The consumer is down (a bad deploy): nothing is delivered while the cron keeps running.
    start = len(rig.accepted)
    for i in range(sizes.budget_jobs):
        await _accept_clean(rig, f"d{i}", f"지연 {i}")
        rig.clock.ms += 500
    outage = rig.accepted[start:]
    deadline = outage[-1].accepted_ms + budget + SWEEP_EVERY_MS
    while rig.clock.ms < deadline:
        rig.clock.ms += SWEEP_EVERY_MS
        await rig.platform.sweep()
    shown = [await rig.status(acc) for acc in outage]
    delayed = [r for r in shown if r.status == "delayed"]
    worst_delayed = max(ms_of_iso(r.updated_at) - rev_time_ms(r.rev) for r in delayed)
    await rig.settle()  # the consumer is back: the delayed jobs run (and fail: R2 is still down)
    open_jobs = len(await rig.open_jobs())
    rig.close()
    return Row(
        "10",
        "fake clock, R2 and KV failing on every call; then the consumer down past the budget",
        f"{open_jobs} open; worst time-to-terminal {worst / 1000:.0f} s of a {budget / 1000:.0f} s"
        f" budget; {len(delayed)} of {len(outage)} undelivered jobs visibly delayed after"
        f" {worst_delayed / 1000:.0f} s",
        "every job terminal, or visibly delayed, within the computed retry budget",
        open_jobs == 0
        and worst <= budget
        and len(delayed) == len(outage)
        and worst_delayed <= budget,
    )


async def _accept_clean(rig: Rig, test_id: str, title: str) -> None:
    """Accept through clean bindings (the outage hits processing, not the editor's request)."""
    faulty = rig.faulty
    rig.faulty = rig.clean
    try:
        await rig.save(test_id, title)
    finally:
        rig.faulty = faulty
