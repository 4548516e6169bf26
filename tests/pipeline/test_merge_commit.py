"""The commit step's merge in queue mode, message by message (docs/merge.md): idempotent on
redelivery and after a failed batch, bounded when the live rev keeps moving, and never a merge
where there is nothing to merge with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings
from quizhub.domain.preconditions import Precondition
from quizhub.domain.revisions import RevGenerator
from quizhub.pipeline.accept import accept_save
from quizhub.pipeline.merging import MERGE_ROUNDS
from quizhub.store.keys import merged_document_key
from quizhub.store.versions import VersionsRepo
from tests.fakes import FakeClock, make_platform, run, sent
from tests.pipeline.conftest import content, deliver, job, served


class _Hooked:
    """A binding whose ``method`` runs ``hooks[method]`` (while it returns True) first."""

    def __init__(self, inner: Any, hooks: dict[str, Callable[[Any], Awaitable[bool]]]) -> None:
        self._inner, self._hooks = inner, hooks

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in self._hooks:
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            hook = self._hooks.get(name)
            if hook is not None and not await hook(args[0] if args else None):
                self._hooks.pop(name, None)
            return await attr(*args, **kwargs)

        return call


@pytest.fixture
def hooks() -> dict[str, dict[str, Callable[[Any], Awaitable[bool]]]]:
    """Per binding (``bucket``, ``db``): method → hook (removed once it returns False)."""
    return {"bucket": {}, "db": {}}


@pytest.fixture
def b(tmp_path: Path, clock: FakeClock, hooks: dict[str, dict[str, Any]]) -> Iterator[Bindings]:
    def wrap(b: Bindings) -> Bindings:
        return replace(b, bucket=_Hooked(b.bucket, hooks["bucket"]), db=_Hooked(b.db, hooks["db"]))

    platform = make_platform(tmp_path, clock, wrap=wrap)
    yield platform.bindings
    platform.close()


async def _save(b: Bindings, base_rev: str | None, **changes: Any) -> dict[str, Any]:
    doc = content()
    doc.update(changes)
    await accept_save(b, "travel", doc, Precondition(base_rev=base_rev))
    return sent(b)[-1]


async def _merged_objects(b: Bindings) -> list[str]:
    listed = await b.bucket.list(prefix="tests/travel/")
    return sorted(o.key for o in listed.objects if ".merged-" in o.key)


def test_a_redelivered_merge_changes_nothing_more(b: Bindings, clock: FakeClock) -> None:
    """The merged save delivered again: still one commit, one version, one merged object."""

    async def scenario() -> None:
        first = await _save(b, None)
        await deliver(b, first)
        clock.advance(1000)
        alice = await _save(b, first["rev"], title="A의 제목")
        bob = await _save(b, first["rev"], description="B의 설명")
        await deliver(b, alice)
        await deliver(b, bob)
        await deliver(b, bob, attempts=2)
        row = await job(b, bob)
        assert (row["status"], row["committed"], row["attempts"]) == ("succeeded", True, 2)
        assert row["merge_facts"]["liveRev"] == alice["rev"]
        key = merged_document_key("travel", bob["rev"], alice["rev"])
        assert await _merged_objects(b) == [key]
        versions = await VersionsRepo(b.db).page("travel", limit=10, before=None)
        assert [(v.rev, v.object_key) for v in versions][0] == (bob["rev"], key)
        assert len(versions) == 3
        doc = await served(b)
        assert (doc["title"], doc["description"]) == ("A의 제목", "B의 설명")

    run(scenario())


def test_a_batch_that_failed_after_the_merged_put_merges_to_the_same_key(
    b: Bindings, clock: FakeClock, hooks: dict[str, dict[str, Any]]
) -> None:
    """The merge's D1 batch fails once: the message is retried, the merge is computed again
    against the same live rev, its create-only put finds the same key, and it applies."""

    async def scenario() -> None:
        first = await _save(b, None)
        await deliver(b, first)
        clock.advance(1000)
        alice = await _save(b, first["rev"], title="A의 제목")
        bob = await _save(b, first["rev"], description="B의 설명")
        await deliver(b, alice)
        batches = [0]

        async def fail_the_merge_batch(_: Any) -> bool:
            batches[0] += 1
            if batches[0] == 2:  # the first batch finds the rev moved; the second is the merge
                raise ConnectionError("D1 went away")
            return batches[0] < 2

        hooks["db"]["batch"] = fail_the_merge_batch
        [m] = await deliver(b, bob)
        assert m.outcome == "retry"
        assert (await job(b, bob))["committed"] is False
        await deliver(b, bob, attempts=2)
        row = await job(b, bob)
        assert (row["status"], row["merge_facts"]["liveRev"]) == ("succeeded", alice["rev"])
        assert await _merged_objects(b) == [merged_document_key("travel", bob["rev"], alice["rev"])]

    run(scenario())


def test_a_live_rev_that_keeps_moving_retries_the_job_later(
    b: Bindings, clock: FakeClock, hooks: dict[str, dict[str, Any]]
) -> None:
    """Another save commits between each merge and its compare-and-set, MERGE_ROUNDS times:
    the attempt gives up as transient (the queue retries the message) having applied nothing,
    and the next delivery merges with everything those saves changed."""

    async def scenario() -> None:
        first = await _save(b, None)
        await deliver(b, first)
        clock.advance(1000)
        others = [await _save(b, None, tags=["여행", f"태그{n}"]) for n in range(MERGE_ROUNDS + 1)]
        mine = await _save(b, first["rev"], title="내 제목")
        await deliver(b, others[0])  # the test moved before mine is delivered
        pending = others[1:]

        async def another_save_commits(key: Any) -> bool:
            if ".merged-" in str(key) and pending:
                await deliver(b, pending.pop(0))
            return bool(pending)

        hooks["bucket"]["put"] = another_save_commits
        [m] = await deliver(b, mine)
        row = await job(b, mine)
        assert (m.outcome, row["committed"], pending) == ("retry", False, [])
        assert "kept changing" in row["error"]
        assert (row["error_code"], row["error_params"]["cause"]) == (
            "attempt_failed",
            {"code": "merge_kept_moving", "params": {"rounds": MERGE_ROUNDS}},
        )
        await deliver(b, mine, attempts=2)
        row = await job(b, mine)
        assert row["status"] == "succeeded"
        assert row["merge_facts"]["liveRev"] == others[-1]["rev"]
        assert row["merge_facts"]["fromIncoming"] == ["title"]
        doc = await served(b)
        assert (doc["title"], doc["tags"]) == ("내 제목", ["여행", f"태그{MERGE_ROUNDS}"])

    run(scenario())


def test_a_base_rev_that_never_committed_is_a_conflict(b: Bindings, clock: FakeClock) -> None:
    """Nothing to merge from (no version of that rev): a conflict, as before merging."""

    async def scenario() -> None:
        await deliver(b, await _save(b, None))
        clock.advance(1000)
        unknown = RevGenerator(random_bytes=bytes).new(clock() - 500)
        msg = await _save(b, unknown, title="어디서 왔지")
        await deliver(b, msg)
        row = await job(b, msg)
        assert row["status"] == "conflict" and "changed since it was loaded" in row["error"]
        assert (row["conflicts"], row["merge_facts"]) == (None, None)

    run(scenario())


def test_an_older_save_delivered_after_a_newer_one_is_still_superseded(
    b: Bindings, clock: FakeClock
) -> None:
    """Merging never moves the pointer back: of two saves from one rev, the older one delivered
    after the newer is superseded (its changes are not merged: docs/merge.md#what-is-not-merged)."""

    async def scenario() -> None:
        first = await _save(b, None)
        await deliver(b, first)
        clock.advance(1000)
        older = await _save(b, first["rev"], title="먼저 접수")
        clock.advance(1000)
        newer = await _save(b, first["rev"], description="나중 접수")
        await deliver(b, newer)
        await deliver(b, older)
        assert (await job(b, older))["status"] == "superseded"
        doc = await served(b)
        assert (doc["rev"], doc["description"]) == (newer["rev"], "나중 접수")

    run(scenario())
