"""Scorecard row 13: a queue backlog. Messages are delivered 10 min, 2 h and 3 days late, and
one batch after the queue's retention period, on the simulated clock.

Per lateness, each test has two saves applied on time (``v0``, then ``v1``), then the consumer
goes down (an outage, a bad deploy) and three saves are accepted: ``A`` (based on ``v1``), ``B``
(unconditional, the newest applicable one) and ``C`` (based on the stale ``v0``, and newest of
all). Half the tests are touched once before the outage (their first delivery fails on R2, so
their jobs have a row with an error); the other half are never touched (no row: their status
is derived from the signed job id). Nothing is delivered until the lateness has passed, while
the cron sweep runs every minute. Then the consumer comes back.

Expected, whatever the delivery order: nothing dropped (every late save applies and ends by the
compare-and-set: ``A`` succeeded or superseded, ``B`` succeeded, ``C`` conflict), ``B`` is live
(the newest rev wins), and while waiting past its budget every job shows ``delayed``, never
``failed``. After the retention period instead, every job ends ``expired`` (visible) and
nothing is applied (``v1`` stays live).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quizhub.local.faults import FaultPlan
from quizhub.local.platform import SWEEP_EVERY_MS
from quizhub.pipeline.names import SAVE_QUEUE
from quizhub.store.documents import read_current
from quizhub.store.tests import TestsRepo
from reliability.rig import Accepted, Rig
from reliability.rows import Row, Sizes, _tmp

__all__ = ["LATENESS", "row13_late"]

HOUR_MS = 3_600_000
LATENESS = (("10 min", 10 * 60_000), ("2 h", 2 * HOUR_MS), ("3 days", 72 * HOUR_MS))


@dataclass
class _Test:
    test_id: str
    v0: Accepted
    v1: Accepted
    late: dict[str, Accepted] = field(default_factory=dict)  # "A", "B", "C"


@dataclass
class _Outcome:
    saves: int = 0
    dropped: int = 0  # accepted late saves that did not end succeeded/superseded/conflict
    wrong: int = 0  # an outcome the compare-and-set forbids, or the wrong rev/body live
    expected_delayed: int = 0
    shown_delayed: int = 0
    shown_failed: int = 0  # the old rule: failed ("timeout") while the message may still come
    statuses: dict[str, int] = field(default_factory=dict)
    broker_expired: int = 0


async def _case(mode: str, tests: int, lateness_ms: int) -> _Outcome:
    plan = FaultPlan(seed=17, p=0.0, targets=("bucket",))
    rig = Rig(_tmp(), mode, plan=plan)
    out = _Outcome()
    try:
        made: list[_Test] = []
        for t in range(tests):
            test_id = f"late{t}"
            v0 = await rig.save(test_id, f"{test_id} v0")
            rig.clock.ms += 1000
            assert v0 is not None
            await rig.settle()
            v1 = await rig.save(test_id, f"{test_id} v1", v0.rev)
            assert v1 is not None
            await rig.settle()
            made.append(_Test(test_id, v0, v1))
        # The outage begins. The touched half is delivered once and fails on R2 first.
        touched, untouched = made[: (tests + 1) // 2], made[(tests + 1) // 2 :]
        for group in (touched, untouched):
            for test in group:
                await _late_saves(rig, test)
            if group is touched:
                plan.p = 1.0
                await rig.platform.step()
                plan.p = 0.0
        late = [acc for test in made for acc in test.late.values()]
        out.saves = len(late)
        # Nothing is delivered until the lateness has passed; the cron runs every minute.
        resume_at = max(acc.accepted_ms for acc in late) + lateness_ms
        while rig.clock.ms + SWEEP_EVERY_MS <= resume_at:
            rig.clock.ms += SWEEP_EVERY_MS
            await rig.platform.sweep()
        rig.clock.ms = resume_at
        for acc in late:
            shown = await rig.status(acc)
            waited = rig.clock.ms - acc.accepted_ms
            if waited > rig.budget_ms() + SWEEP_EVERY_MS and waited < rig.retention_ms():
                out.expected_delayed += 1
                out.shown_delayed += shown.status == "delayed"
            out.shown_failed += shown.status == "failed"
        # The consumer is back.
        await rig.settle()
        out.broker_expired = rig.platform.broker.stats(SAVE_QUEUE)["expired"]
        expired = lateness_ms > rig.retention_ms()
        for test in made:
            await _check(rig, test, expired, out)
    finally:
        rig.close()
    return out


async def _late_saves(rig: Rig, test: _Test) -> None:
    for name, base in (("A", test.v1.rev), ("B", None), ("C", test.v0.rev)):
        acc = await rig.save(test.test_id, f"{test.test_id} {name}", base)
        assert acc is not None
        test.late[name] = acc
        rig.clock.ms += 1000


async def _check(rig: Rig, test: _Test, expired: bool, out: _Outcome) -> None:
    allowed = {"A": {"succeeded", "superseded"}, "B": {"succeeded"}, "C": {"conflict"}}
    for name, acc in test.late.items():
        status = (await rig.status(acc)).status
        out.statuses[status] = out.statuses.get(status, 0) + 1
        if expired:
            out.wrong += status != "expired"
            continue
        if status not in ("succeeded", "superseded", "conflict"):
            out.dropped += 1
        elif status not in allowed[name]:
            out.wrong += 1
    doc = await read_current(
        TestsRepo(rig.clean.db), rig.clean.bucket, test.test_id, published_only=False
    )
    live = test.v1 if expired else test.late["B"]
    out.wrong += doc["rev"] != live.rev or doc["title"] != live.title


async def row13_late(mode: str, sizes: Sizes) -> list[Row]:
    """Row 13 for one save mode: late deliveries (applied) and one past retention (expired)."""
    parts: list[str] = []
    dropped = wrong = delayed = expected = failed_between = saves = 0
    ended: dict[str, int] = {}
    for label, lateness_ms in LATENESS:
        o = await _case(mode, sizes.late_tests, lateness_ms)
        saves += o.saves
        dropped, wrong = dropped + o.dropped, wrong + o.wrong
        delayed, expected = delayed + o.shown_delayed, expected + o.expected_delayed
        failed_between += o.shown_failed
        for status, n in o.statuses.items():
            ended[status] = ended.get(status, 0) + n
        shown = (
            f"{o.shown_delayed}/{o.expected_delayed} delayed"
            if o.expected_delayed
            else "still within the budget"
        )
        parts.append(f"{label}: {o.saves} saves, {shown}")
    late = Row(
        "13",
        "queue backlog: 3 saves per test delivered 10 min, 2 h, 3 days late (simulated clock)",
        f"{saves} late saves ({', '.join(f'{k} {v}' for k, v in sorted(ended.items()))}):"
        f" dropped {dropped}, CAS wrong {wrong}, failed while waiting {failed_between};"
        f" {'; '.join(parts)}",
        "0 accepted saves dropped; CAS still holds; delayed (not failed) while waiting",
        dropped == 0 and wrong == 0 and failed_between == 0 and delayed == expected,
    )
    retention = Rig.retention_ms()
    o = await _case(mode, sizes.late_tests, retention + HOUR_MS)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(o.statuses.items()))
    gone = Row(
        "13 (retention)",
        f"delivered after the queue's retention ({retention // HOUR_MS // 24} days + 1 h)",
        f"{o.saves} saves: {statuses}; {o.broker_expired} messages expired in the queue;"
        f" wrong {o.wrong}",
        "each ends expired (visible, terminal); nothing applied",
        o.wrong == 0 and o.statuses.get("expired", 0) == o.saves,
    )
    return [late, gone]
