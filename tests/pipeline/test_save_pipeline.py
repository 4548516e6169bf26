"""The save/delete pipeline on the local platform: outcomes, ordering, idempotence, failures."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest

from quizhub.bindings import Bindings
from quizhub.domain.preconditions import Precondition
from quizhub.errors import Code, NotFound, Permanent
from quizhub.pipeline.accept import accept_delete, accept_save
from quizhub.pipeline.consumer import handle_dlq_batch
from quizhub.pipeline.messages import MESSAGE_LIMIT
from quizhub.pipeline.names import IMAGE_QUEUE
from quizhub.store.keys import document_key, kv_test_key, staging_key
from tests.fakes import FakeBatch, FakeClock, FakeMessage, Flaky, make_platform, run, sent
from tests.pipeline.conftest import content, deliver, job, save, served


def test_save_job_succeeds_and_the_new_content_is_current(b: Bindings, clock: FakeClock) -> None:
    """A delivered save writes R2, flips D1, invalidates, and ends succeeded."""

    async def scenario() -> None:
        await b.kv.put(kv_test_key("travel"), '{"rev":"old"}', expiration_ttl=300)
        msg = await save(b, "새 제목")
        (m,) = await deliver(b, msg)
        assert m.outcome == "ack"
        row = await job(b, msg)
        assert (row["status"], row["step"], row["attempts"]) == ("succeeded", "done", 1)
        doc = await served(b)
        assert (doc["title"], doc["rev"]) == ("새 제목", msg["rev"])
        assert await b.bucket.head(document_key("travel", msg["rev"])) is not None
        assert await b.kv.get(kv_test_key("travel")) is None
        assert ("test:travel", "tests:list") in [h[0] for h in b.purger.history]  # type: ignore[attr-defined]

    run(scenario())


def test_stale_base_rev_ends_conflict_and_changes_nothing(b: Bindings, clock: FakeClock) -> None:
    """Two editors load rev A and both change the title; the second save to commit overlaps
    the first and ends conflict, naming the title (docs/merge.md)."""

    async def scenario() -> None:
        first = await save(b, "원본")
        await deliver(b, first)
        clock.advance(1000)
        alice = await save(b, "앨리스", base_rev=first["rev"])
        clock.advance(1000)
        bob = await save(b, "밥", base_rev=first["rev"])
        await deliver(b, alice)
        await deliver(b, bob)
        assert (await job(b, alice))["status"] == "succeeded"
        bob_job = await job(b, bob)
        assert bob_job["status"] == "conflict" and "both changed" in bob_job["error"]
        assert [c["path"] for c in bob_job["conflicts"]["items"]] == ["title"]
        assert (await served(b))["title"] == "앨리스"

    run(scenario())


def test_older_rev_processed_after_newer_is_superseded(b: Bindings, clock: FakeClock) -> None:
    """Out-of-order delivery never regresses the served revision."""

    async def scenario() -> None:
        older = await save(b, "먼저 저장")
        clock.advance(1000)
        newer = await save(b, "나중 저장")
        await deliver(b, newer)
        await deliver(b, older)
        assert (await job(b, older))["status"] == "superseded"
        doc = await served(b)
        assert (doc["title"], doc["rev"]) == ("나중 저장", newer["rev"])

    run(scenario())


def test_duplicate_delivery_changes_nothing(b: Bindings, clock: FakeClock) -> None:
    """Delivering one message five times ends exactly as delivering it once."""

    async def scenario() -> None:
        msg = await save(b, "한 번만")
        await deliver(b, msg)
        before = await b.db.prepare("SELECT * FROM tests").all()
        for attempt in range(2, 6):
            clock.advance(1000)
            (m,) = await deliver(b, msg, attempts=attempt)
            assert m.outcome == "ack"
        after = await b.db.prepare("SELECT * FROM tests").all()
        assert before["results"] == after["results"]
        row = await job(b, msg)
        assert (row["status"], row["attempts"]) == ("succeeded", 5)

    run(scenario())


def test_concurrent_duplicates_in_one_batch_commit_once(b: Bindings) -> None:
    """Two copies of a message in the same batch both ack and the job succeeds once."""

    async def scenario() -> None:
        msg = await save(b, "동시")
        messages = await deliver(b, msg, copy.deepcopy(msg))
        assert [m.outcome for m in messages] == ["ack", "ack"]
        assert (await job(b, msg))["status"] == "succeeded"
        assert (await served(b))["rev"] == msg["rev"]

    run(scenario())


def test_transient_failure_retries_with_backoff_then_succeeds(
    b: Bindings, clock: FakeClock
) -> None:
    """An R2 outage retries the message with growing delays; nothing is lost."""

    async def scenario() -> None:
        flaky = Flaky(b.bucket, "put", failures=2)
        fb = replace(b, bucket=flaky)
        msg = await save(fb, "재시도")
        (m1,) = await deliver(fb, msg, attempts=1)
        (m2,) = await deliver(fb, msg, attempts=2)
        assert (m1.outcome, m1.delay, m2.outcome, m2.delay) == ("retry", 2, "retry", 4)
        row = await job(fb, msg)
        assert row["status"] == "running" and "injected put failure" in row["error"]
        (m3,) = await deliver(fb, msg, attempts=3)
        assert m3.outcome == "ack"
        assert (await job(fb, msg))["status"] == "succeeded"

    run(scenario())


def test_crash_after_commit_resumes_at_invalidation(b: Bindings) -> None:
    """If invalidation fails after the commit, the retry skips the commit and finishes."""

    async def scenario() -> None:
        fb = replace(b, kv=Flaky(b.kv, "delete", failures=1))
        msg = await save(fb, "커밋 후 실패")
        (m1,) = await deliver(fb, msg)
        row = await job(fb, msg)
        assert m1.outcome == "retry" and (row["committed"], row["step"]) == (1, "invalidate")
        (m2,) = await deliver(fb, msg, attempts=2)
        assert m2.outcome == "ack" and (await job(fb, msg))["status"] == "succeeded"

    run(scenario())


def test_poison_message_fails_at_once_and_neighbours_succeed(b: Bindings) -> None:
    """A body altered after it was accepted fails its job after one attempt (its signature no
    longer matches); the rest of the batch is unaffected."""

    async def scenario() -> None:
        good = await save(b, "정상", test_id="good")
        bad = await save(b, "불량", test_id="bad")
        bad["body"]["questions"][0]["options"][0]["scores"] = {"ghost": 3}
        m_good, m_bad = await deliver(b, good, bad)
        assert (m_good.outcome, m_bad.outcome) == ("ack", "ack")
        bad_job = await job(b, bad)
        assert (
            bad_job["status"] == "failed"
            and "does not match the signature" in bad_job["error"]
            and bad_job["attempts"] == 1
        )
        assert (await job(b, good))["status"] == "succeeded"

    run(scenario())


def test_unsigned_or_malformed_messages_are_dropped_without_a_job(b: Bindings) -> None:
    """A message whose job id does not verify is acked and creates no job row."""

    async def scenario() -> None:
        msg = await save(b, "위조")
        forged = {**msg, "jobId": msg["rev"] + "-0000000000000000"}
        m1, m2 = await deliver(b, forged, {"hello": "world"})
        assert (m1.outcome, m2.outcome) == ("ack", "ack")
        assert (await b.db.prepare("SELECT COUNT(*) AS n FROM jobs").first("n")) == 0

    run(scenario())


def test_dead_letter_marks_job_failed_with_last_error(b: Bindings) -> None:
    """A message that exhausted its retries ends failed, keeping the last error for the editor."""

    async def scenario() -> None:
        fb = replace(b, bucket=Flaky(b.bucket, "put", failures=99))
        msg = await save(fb, "포기")
        for attempt in range(1, 7):
            await deliver(fb, msg, attempts=attempt)
        dead = FakeMessage(msg)
        await handle_dlq_batch(FakeBatch([dead], queue="quizhub-save-dlq"), fb)
        row = await job(fb, msg)
        assert dead.outcome == "ack" and row["status"] == "failed"
        assert "gave up after 6 attempts" in row["error"] and "injected put failure" in row["error"]

    run(scenario())


def test_large_body_travels_by_claim_check(b: Bindings) -> None:
    """A body over the message limit is staged in R2 with its sha256 and applied from there."""

    async def scenario() -> None:
        doc = content("큰 문서")
        doc["description"] = "가" * 2000
        doc["questions"] = [
            {
                "id": f"q{i}",
                "text": "질" * 500,
                "image": None,
                "options": [
                    {"id": "a", "text": "가" * 500, "scores": {"planner": 1}},
                    {"id": "b", "text": "나" * 500, "scores": {"free": 1}},
                ],
            }
            for i in range(40)
        ]
        await accept_save(b, "big", doc, Precondition())
        msg = sent(b)[-1]
        assert msg["body"] is None and msg["bodyRef"]["key"] == staging_key(msg["jobId"])
        assert len(str(msg).encode()) < MESSAGE_LIMIT
        await deliver(b, msg)
        assert (await job(b, msg))["status"] == "succeeded"
        assert len((await served(b, "big"))["questions"]) == 40
        assert await b.bucket.head(staging_key(msg["jobId"])) is None

    run(scenario())


def test_tampered_claim_check_fails_permanently(b: Bindings) -> None:
    """A staged body whose bytes no longer match the sha256 fails the job without retries."""

    async def scenario() -> None:
        doc = content("변조")
        doc["questions"] = [
            dict(doc["questions"][0], id=f"q{i}", text="질" * 500) for i in range(90)
        ]
        await accept_save(b, "tampered", doc, Precondition())
        msg = sent(b)[-1]
        await b.bucket.put(msg["bodyRef"]["key"], b'{"title":"x"}')
        (m,) = await deliver(b, msg)
        row = await job(b, msg)
        assert m.outcome == "ack" and row["status"] == "failed" and "sha256" in row["error"]

    run(scenario())


def test_delete_job_unpublishes_and_purges(b: Bindings, clock: FakeClock) -> None:
    """A delete job tombstones the test, so reads 404, and purges its caches."""

    async def scenario() -> None:
        await deliver(b, await save(b, "지울 테스트"))
        clock.advance(1000)
        await accept_delete(b, "travel", Precondition())
        msg = sent(b)[-1]
        await deliver(b, msg)
        assert (await job(b, msg))["status"] == "succeeded"
        with pytest.raises(NotFound):
            await served(b)
        assert len(b.purger.history) == 2  # type: ignore[attr-defined]

    run(scenario())


def test_sync_mode_runs_the_same_steps_inside_the_request(tmp_path: Path, clock: FakeClock) -> None:
    """SAVE_MODE=sync returns a finished job and enqueues nothing."""
    sb = make_platform(tmp_path, clock, mode="sync").bindings

    async def scenario() -> None:
        accepted = await accept_save(sb, "travel", content("동기"), Precondition())
        assert accepted.job is not None and accepted.job.status == "succeeded"
        assert sent(sb) == []
        assert (await served(sb))["title"] == "동기"

    run(scenario())


REJECTED = Permanent("zone purge rejected (403)", code=Code.PURGE_REJECTED, params={"status": 403})


def test_committed_job_that_cannot_invalidate_ends_succeeded_with_a_warning(b: Bindings) -> None:
    """A rejected purge after the commit never marks a live save failed; the warning says why."""

    async def scenario() -> None:
        fb = replace(
            b,
            purger=Flaky(b.purger, "purge", failures=99, error=REJECTED),
        )
        msg = await save(fb, "라이브")
        (m,) = await deliver(fb, msg)
        row = await job(fb, msg)
        assert m.outcome == "ack" and row["status"] == "succeeded"
        assert row["error"].startswith("saved and live") and "403" in row["error"]
        cause = {"code": "purge_rejected", "params": {"status": 403}}
        assert row["error_code"] == "purge_incomplete"
        assert row["error_params"] == {"owed": True, "cause": cause}
        assert (await served(b))["rev"] == msg["rev"]

    run(scenario())


def test_signed_but_malformed_message_fails_its_job(b: Bindings) -> None:
    """A genuine job whose message cannot be parsed ends failed (visible), not queued forever."""

    async def scenario() -> None:
        msg = await save(b, "깨진 메시지")
        broken = {**msg, "baseRev": {"not": "a rev"}}
        (m,) = await deliver(b, broken)
        row = await job(b, msg)
        assert m.outcome == "ack" and row["status"] == "failed" and "unprocessable" in row["error"]

    run(scenario())


def test_for_test_belongs_to_image_messages_and_names_a_test(b: Bindings) -> None:
    """``forTest`` (whose live channel hears an image job) on a save, or not a test id on an
    image job, makes the message unprocessable: its job fails visibly."""
    from quizhub.pipeline.accept import accept_image
    from tests.imagefiles import phone_photo

    async def scenario() -> None:
        msg = await save(b, "forTest")
        await accept_image(b, phone_photo(40, 30), "travel")
        image = sent(b, IMAGE_QUEUE)[-1]
        assert image["forTest"] == "travel"
        m1, m2 = await deliver(b, {**msg, "forTest": "travel"}, {**image, "forTest": "../x"})
        for m, body in ((m1, msg), (m2, image)):
            row = await job(b, body)
            assert m.outcome == "ack" and row["status"] == "failed" and "forTest" in row["error"]

    run(scenario())
