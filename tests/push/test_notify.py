"""The pipeline's notify: transitions reach the test's sockets in order, in queue, workflow and
sync mode; a failing, hanging or missing channel never changes a save's outcome."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings, SaveMode
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import LocalPlatform
from quizhub.local.push import LocalSocket
from quizhub.pipeline.accept import accept_save
from quizhub.push import notify
from quizhub.store.jobs import JobsRepo
from tests.conftest import sample_doc
from tests.fakes import FakeClock, make_platform, run


def _listen(platform: LocalPlatform, test_id: str = "travel") -> LocalSocket:
    socket = LocalSocket()
    platform.live.hub(test_id).connect(socket, test_id, 0)
    return socket


def _received(socket: LocalSocket) -> list[dict[str, Any]]:
    out = []
    while not socket.outbox.empty():
        text = socket.outbox.get_nowait()
        if text is not None:
            out.append(json.loads(text))
    return [m for m in out if m["type"] == "job"]


async def _save(platform: LocalPlatform, title: str, base_rev: str | None = None) -> str:
    accepted = await accept_save(
        platform.bindings, "travel", sample_doc(title), Precondition(base_rev=base_rev)
    )
    await platform.drain()
    return accepted.job_id


def _rev(platform: LocalPlatform, job_id: str) -> str:
    row = run(JobsRepo(platform.bindings.db).get(job_id))
    assert row is not None
    return row.rev


@pytest.mark.parametrize("mode", ["queue", "workflow", "sync"])
def test_a_save_is_pushed_running_committed_live_then_succeeded(
    tmp_path: Path, clock: FakeClock, mode: SaveMode
) -> None:
    """Every socket of the test sees the job's steps, 저장 완료 and 공개 반영, in that order."""
    platform = make_platform(tmp_path, clock, mode=mode)
    socket = _listen(platform)
    job_id = run(_save(platform, "첫 저장"))
    messages = _received(socket)
    phases = [m["phase"] for m in messages]
    assert phases[:2] == ["running", "running"]
    assert [m["job"]["step"] for m in messages[:2]] == ["validate", "put-r2"]
    assert phases[2:] == ["committed", "live", "succeeded"]
    assert {m["job"]["jobId"] for m in messages} == {job_id}
    last = messages[-1]["job"]
    assert last["committedAt"] and last["liveAt"] and last["status"] == "succeeded"
    platform.close()


def test_a_conflict_is_pushed_as_its_outcome(tmp_path: Path, clock: FakeClock) -> None:
    """A save based on a stale rev that changed what the live one changed ends ``conflict`` on
    the editors' sockets too, with its code and params, as the job view answers it."""
    platform = make_platform(tmp_path, clock)
    first = _rev(platform, run(_save(platform, "첫 저장")))
    second = _rev(platform, run(_save(platform, "두 번째 저장", base_rev=first)))
    socket = _listen(platform)
    run(_save(platform, "오래된 편집", base_rev=first))
    last = _received(socket)[-1]
    assert last["phase"] == "conflict"
    assert last["job"]["errorCode"] == "merge_conflict"
    params = {"baseRev": first, "liveRev": second, "paths": ["title"], "count": 1}
    assert last["job"]["errorParams"] == params
    platform.close()


def test_another_tests_sockets_hear_nothing(tmp_path: Path, clock: FakeClock) -> None:
    """The channel is per test: the saved test's socket hears the job, another test's socket
    gets no message."""
    platform = make_platform(tmp_path, clock)
    saved = _listen(platform, "travel")
    other = _listen(platform, "another")
    job_id = run(_save(platform, "첫 저장"))
    heard = _received(saved)
    assert [m["phase"] for m in heard] == ["running", "running", "committed", "live", "succeeded"]
    assert {m["job"]["jobId"] for m in heard} == {job_id}
    assert _received(other) == []
    platform.close()


class Broken:
    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        raise ConnectionError("live status is down")


class Hanging:
    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        await asyncio.Event().wait()


def _with_live(live: Any) -> Any:
    return lambda b: replace(b, live=live)


@pytest.mark.parametrize("mode", ["queue", "workflow"])
def test_a_failing_channel_never_fails_the_save(
    tmp_path: Path, clock: FakeClock, mode: SaveMode, caplog: pytest.LogCaptureFixture
) -> None:
    """Every notice raises: the job still succeeds, and the failures are logged."""
    platform = make_platform(tmp_path, clock, mode=mode, wrap=_with_live(Broken()))
    with caplog.at_level(logging.WARNING, logger="quizhub.push"):
        job_id = run(_save(platform, "첫 저장"))
    row = run(JobsRepo(platform.bindings.db).get(job_id))
    assert row is not None and row.status == "succeeded" and row.live_at
    assert "not delivered" in caplog.text
    platform.close()


def test_a_hanging_channel_is_given_up_on_in_bounded_time(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notices that never answer are dropped after NOTIFY_TIMEOUT_SECONDS; the save succeeds."""
    monkeypatch.setattr(notify, "NOTIFY_TIMEOUT_SECONDS", 0.01)
    platform = make_platform(tmp_path, clock, wrap=_with_live(Hanging()))
    job_id = run(_save(platform, "첫 저장"))
    row = run(JobsRepo(platform.bindings.db).get(job_id))
    assert row is not None and row.status == "succeeded"
    platform.close()


def test_without_a_channel_nothing_is_sent_and_saves_work(tmp_path: Path, clock: FakeClock) -> None:
    """``live=None`` (not bound): the pipeline runs exactly as before."""
    platform = make_platform(tmp_path, clock, wrap=_with_live(None))
    b: Bindings = platform.bindings
    assert b.live is None
    job_id = run(_save(platform, "첫 저장"))
    row = run(JobsRepo(b.db).get(job_id))
    assert row is not None and row.status == "succeeded"
    platform.close()


def test_a_dead_lettered_save_is_pushed_as_failed(tmp_path: Path, clock: FakeClock) -> None:
    """The dead-letter consumer ends the job failed and tells the test's sockets so."""
    from quizhub.pipeline.consumer import handle_dlq_batch
    from tests.fakes import FakeBatch, FakeMessage, sent

    platform = make_platform(tmp_path, clock)
    b = platform.bindings
    run(accept_save(b, "travel", sample_doc("첫 저장"), Precondition()))
    socket = _listen(platform)
    dead = FakeMessage(sent(b)[-1], attempts=6)
    run(handle_dlq_batch(FakeBatch([dead], queue="quizhub-save-dlq"), b))
    [message] = _received(socket)
    assert message["phase"] == "failed" and "gave up" in message["job"]["error"]
    assert message["job"]["errorCode"] == "gave_up"
    assert message["job"]["errorParams"] == {"attempts": 6, "cause": None}
    platform.close()


@pytest.mark.parametrize("mode", ["queue", "workflow", "sync"])
def test_an_image_uploaded_for_a_test_is_pushed_to_that_tests_sockets(
    tmp_path: Path, clock: FakeClock, mode: SaveMode
) -> None:
    """An upload naming its test: the image job's transitions reach that test's sockets, in
    order, ending succeeded; an upload naming none is pushed nowhere."""
    from quizhub.pipeline.accept import accept_image
    from tests.imagefiles import phone_photo

    platform = make_platform(tmp_path, clock, mode=mode)
    socket = _listen(platform)
    mine = run(accept_image(platform.bindings, phone_photo(200, 100), "travel"))
    anonymous = run(accept_image(platform.bindings, phone_photo(120, 80)))
    run(platform.drain())
    heard = _received(socket)
    assert {m["job"]["jobId"] for m in heard} == {mine.accepted.job_id}
    assert all(m["job"]["kind"] == "image" and m["job"]["testId"] == "" for m in heard)
    assert heard[-1]["job"]["status"] == "succeeded"
    assert anonymous.accepted.job_id not in {m["job"]["jobId"] for m in heard}
    platform.close()
