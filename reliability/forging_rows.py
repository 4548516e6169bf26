"""Scorecard row 20: a forging client against the public participation counts.

One address sends play events as fast as it can for a while (simulated time), mixing every
forgery the intake refuses — ids the played revision does not have, completions without a
start, replays of its own requests, a second completion per play, drafts, unknown tests and
revisions, requests mixing plays — with plausible plays, each from a fresh session (many
sessions from one address); for its last third it sends nothing but plausible plays, the
forgery that works best. Meanwhile honest players, each from an address of their own, play
the same test, some of them across an edit of it and some with their completion arriving before
their start. Everything goes the whole way: ``POST /api/events`` (behind the front door's rate
limit) → the durable local queue → the analytics consumer → a real PostgreSQL → the public
counts in D1, read back through ``GET /api/tests/{id}/stats`` and the list.

Pass: the forger moved the public counts by exactly the plausible plays it got past the rate
limit, which is at most its allowance (the rule's limit per window it sent in: a request
carries one play, so one completion at most); every honest play counts; each refusal reason
was exercised and counted by the admin stats. The local limiter counts for the whole process;
Cloudflare's counts per location, so a forger reaching several locations gets this allowance
in each (docs/analytics.md#forged-counts).
"""

from __future__ import annotations

import copy
import itertools
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.fakes import (
    AUTH,
    NO_SUCH_REV,
    FakeClock,
    make_platform,
    play_event,
    reset_analytics,
    run,
)

from quizhub.analytics.pg import PgParams
from quizhub.analytics.plausible import REJECT_REASONS
from quizhub.domain.samples import minimal_document
from quizhub.edge.ratelimits import PLAY_EVENTS
from reliability.rows import Row

__all__ = ["row20_forging", "FULL_FORGING", "QUICK_FORGING", "Forging"]

TARGET, OTHER, DRAFT = "target", "other", "draft-test"
FORGER = "203.0.113.66"
# The forger's plausible plays end on one result, the honest players' on the other, so the
# public shares tell the two apart. The edit mid-run renames the honest players' result: they
# started before it, so their events name the revision that still has it.
FORGED_RESULT, HONEST_RESULT, RENAMED = "planner", "free", "wanderer"


@dataclass(frozen=True)
class Forging:
    """How big the run is: simulated seconds of forging, requests tried per second, honest
    players."""

    seconds: int
    per_second: int
    honest: int


FULL_FORGING = Forging(seconds=120, per_second=20, honest=30)
QUICK_FORGING = Forging(seconds=30, per_second=10, honest=8)
# The forgeries, each a kind of request; "plausible" is the one that may count.
KINDS = (
    "bogus_result",
    "bogus_question",
    "bogus_option",
    "no_start",
    "replay",
    "second_complete",
    "draft",
    "unknown_test",
    "unknown_rev",
    "mixed_plays",
    "plausible",
)


class _Ids:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.n = itertools.count()

    def __call__(self) -> str:
        return f"{self.prefix}{next(self.n):08d}"


class _Run:
    def __init__(self, client: TestClient, clock: FakeClock, revs: dict[str, str]) -> None:
        self.client = client
        self.clock = clock
        self.revs = revs
        self.event_id = _Ids("forge-")
        self.session_id = _Ids("fsession-")
        self.forger = TestClient(client.app, raise_server_exceptions=False, client=(FORGER, 40000))
        self.sent: list[list[dict[str, Any]]] = []  # the forger's requests that got a 204
        self.plays: list[list[dict[str, Any]]] = []  # of those, its plausible plays
        self.tried = 0
        self.limited = 0
        self.windows: set[int] = set()

    def event(self, kind: str, test_id: str, session: str, **extra: Any) -> dict[str, Any]:
        rev = extra.pop("rev", self.revs.get(test_id, NO_SUCH_REV))
        return play_event(
            self.event_id(), kind, test_id, session=session, rev=rev, at=self.clock.ms, **extra
        )

    def forgery(self, kind: str, rng: random.Random) -> list[dict[str, Any]]:
        s = self.session_id()
        start = self.event("start", TARGET, s)
        if kind == "bogus_result":
            return [start, self.event("complete", TARGET, s, resultId="jackpot")]
        if kind == "bogus_question":
            return [start, self.event("answer", TARGET, s, questionId="q99", optionId="a")]
        if kind == "bogus_option":
            return [start, self.event("answer", TARGET, s, questionId="q1", optionId="zz")]
        if kind == "no_start":
            return [self.event("complete", TARGET, s, resultId="planner")]
        if kind == "replay":
            return copy.deepcopy(rng.choice(self.sent))
        if kind == "second_complete":
            old = rng.choice(self.plays)[0]  # a play of its own that counted: play it again
            again = self.event("start", old["testId"], old["session"], rev=old["rev"])
            done = self.event("complete", old["testId"], old["session"], rev=old["rev"])
            return [again, {**done, "resultId": FORGED_RESULT}]
        if kind == "draft":
            return [
                self.event("start", DRAFT, s),
                self.event("complete", DRAFT, s, resultId="planner"),
            ]
        if kind == "unknown_test":
            return [
                self.event("start", "no-such-test", s),
                self.event("complete", "no-such-test", s, resultId="planner"),
            ]
        if kind == "unknown_rev":
            return [
                self.event("start", TARGET, s, rev=NO_SUCH_REV),
                self.event("complete", TARGET, s, rev=NO_SUCH_REV, resultId="planner"),
            ]
        if kind == "mixed_plays":
            other = self.session_id()
            return [start, self.event("complete", TARGET, other, resultId="planner")]
        return [start, self.event("complete", TARGET, s, resultId=FORGED_RESULT)]

    def forge(self, kind: str, rng: random.Random) -> None:
        if (kind == "replay" and not self.sent) or (kind == "second_complete" and not self.plays):
            kind = "plausible"  # nothing to repeat yet
        body = self.forgery(kind, rng)
        self.tried += 1
        self.windows.add(self.clock.ms // (PLAY_EVENTS.period * 1000))
        r = self.forger.post("/api/events", json={"events": body})
        if r.status_code == 429:
            self.limited += 1
            return
        assert r.status_code in (204, 422), (kind, r.status_code, r.text)
        if r.status_code == 204:
            self.sent.append(body)
            if kind == "plausible":
                self.plays.append(body)


def _honest(run_: _Run, n: int, rng: random.Random) -> list[list[dict[str, Any]]]:
    """Each honest play's two requests, in the order its page would send them (or, for every
    third play, the completion first, as a queue may deliver it)."""
    plays = []
    for i in range(n):
        s = f"honest-{i:04d}"
        events = [
            run_.event("view", TARGET, s),
            run_.event("start", TARGET, s),
            run_.event("answer", TARGET, s, questionId="q1", optionId=rng.choice("ab")),
            run_.event("complete", TARGET, s, resultId=HONEST_RESULT),
        ]
        plays.append([events[3:], events[:3]] if i % 3 == 0 else [events[:3], events[3:]])
    return plays


def _settle(platform: Any, clock: FakeClock) -> None:
    for _ in range(100):
        clock.advance(5_000)
        run(platform.drain())
        if not platform.next_due_ms():
            return


def row20_forging(size: Forging, analytics: PgParams, seed: int = 20) -> Row:
    """Row 20 at ``size`` against the Postgres at ``analytics``."""
    reset_analytics(analytics)
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="quizhub-row20-"))
    clock = FakeClock()
    platform = make_platform(tmp, clock, analytics=analytics)  # the front door's rate limits on
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        revs: dict[str, str] = {}
        for test_id, doc in (
            (TARGET, minimal_document("위조 방지 테스트")),
            (OTHER, minimal_document("다른 테스트")),
            (DRAFT, minimal_document("초안 테스트", status="draft")),
        ):
            saved = client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
            assert saved.status_code == 202, saved.text
            revs[test_id] = saved.json()["rev"]
            clock.advance(1000)
            run(platform.drain())
        r = _Run(client, clock, revs)
        honest = _honest(r, size.honest, rng)
        edit_at = size.seconds // 2  # the editor changes the test while players are mid-play
        flood_from = size.seconds * 2 // 3  # then only plausible plays, as fast as it can
        step_ms = 1000 // size.per_second
        # Honest play n sends its first request before the edit, its second after it.
        due = {}
        for n, play in enumerate(honest):
            due.setdefault(n % edit_at, []).append((n, play[0]))
            due.setdefault(edit_at + n % (size.seconds - edit_at), []).append((n, play[1]))
        for second in range(size.seconds):
            if second == edit_at:
                edited = minimal_document("위조 방지 테스트 (수정)")
                edited["results"][1]["id"] = RENAMED
                for option in edited["questions"][0]["options"]:
                    scores = option["scores"]
                    option["scores"] = {
                        (RENAMED if k == HONEST_RESULT else k): v for k, v in scores.items()
                    }
                saved = client.put(f"/api/admin/tests/{TARGET}", json=edited, headers=AUTH)
                assert saved.status_code == 202, saved.text
            for k in range(size.per_second):
                mixed = KINDS[(second * size.per_second + k) % len(KINDS)]
                r.forge(mixed if second < flood_from else "plausible", rng)
                clock.advance(step_ms)
            for n, events in due.get(second, []):
                player = TestClient(
                    client.app, raise_server_exceptions=False, client=(f"198.51.100.{n}", 5)
                )
                assert player.post("/api/events", json={"events": events}).status_code == 204
            run(platform.drain())
        _settle(platform, clock)
        stats = client.get(f"/api/tests/{TARGET}/stats").json()
        listed = {i["id"]: i["participants"] for i in client.get("/api/tests").json()["items"]}
        admin = client.get("/api/admin/stats/overview?days=1", headers=AUTH).json()
        rejected = admin["rejected"]
    finally:
        platform.close()
        shutil.rmtree(tmp, ignore_errors=True)
    share = {x["resultId"]: x["share"] for x in stats["results"]}
    forged = round(share.get(FORGED_RESULT, 0) * stats["participants"])
    counted_honest = round(share.get(HONEST_RESULT, 0) * stats["participants"])
    allowance = PLAY_EVENTS.limit * len(r.windows)
    unexercised = [reason for reason in REJECT_REASONS if not rejected.get(reason)]
    moved_elsewhere = listed.get(OTHER, 0) + listed.get(DRAFT, 0)
    result = (
        f"{r.tried:,} forged requests from one address over {size.seconds} s ({r.limited:,} rate"
        f" limited, {len(r.sent):,} accepted, {len(r.plays)} of them plausible plays);"
        f" the public count moved by {forged} for the forger (allowance {allowance}:"
        f" {PLAY_EVENTS.limit} per {PLAY_EVENTS.period} s × {len(r.windows)} windows),"
        f" {size.honest} honest plays across an edit counted {counted_honest}, other tests"
        f" {moved_elsewhere}; refused by reason: "
        + ", ".join(f"{k} {v:,}" for k, v in rejected.items())
    )
    passed = (
        forged == len(r.plays)
        and forged <= allowance
        and counted_honest == size.honest
        and forged + counted_honest == stats["participants"]
        and listed.get(TARGET) == stats["participants"]
        and moved_elsewhere == 0
        and not unexercised
    )
    return Row(
        "20",
        "a forging client (bogus ids, no starts, replays, many sessions from one address)",
        result,
        "public counts move by at most its rate-limit allowance of plausible plays; honest"
        " plays all count; every refusal reason counted",
        passed,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m reliability.forging_rows [--quick]``: row 20 alone."""
    import logging
    import sys

    args = sys.argv[1:] if argv is None else argv
    logging.disable(logging.CRITICAL)
    from reliability.analytics_rows import scratch_analytics

    with scratch_analytics() as analytics:
        row = row20_forging(QUICK_FORGING if "--quick" in args else FULL_FORGING, analytics)
    print(f"row {row.number}: {'ok' if row.passed else 'FAIL'}: {row.result}")
    return 0 if row.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
