"""The pipeline suites' platform (``b``, queue mode, fake clock) and their verbs: accept a
save, deliver messages to the consumer, read a job row, read what is served."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings
from quizhub.domain.preconditions import Precondition
from quizhub.pipeline.accept import accept_save
from quizhub.pipeline.consumer import handle_batch
from quizhub.store.documents import read_current
from quizhub.store.jobs import JobsRepo
from quizhub.store.tests import TestsRepo
from tests.conftest import sample_doc
from tests.fakes import FakeBatch, FakeClock, FakeMessage, make_platform, sent


@pytest.fixture
def b(tmp_path: Path, clock: FakeClock) -> Iterator[Bindings]:
    platform = make_platform(tmp_path, clock)
    yield platform.bindings
    platform.close()


def content(title: str = "나의 여행 성향 테스트") -> dict[str, Any]:
    doc = sample_doc(title)
    doc.pop("baseRev", None)
    return doc


async def save(
    b: Bindings, title: str, base_rev: str | None = None, test_id: str = "travel"
) -> dict[str, Any]:
    """Accept a save and return the message the API put on the queue."""
    await accept_save(b, test_id, content(title), Precondition(base_rev=base_rev))
    return sent(b)[-1]


async def deliver(b: Bindings, *bodies: dict[str, Any], attempts: int = 1) -> list[FakeMessage]:
    messages = [FakeMessage(body, attempts=attempts, id=f"m{i}") for i, body in enumerate(bodies)]
    await handle_batch(FakeBatch(messages), b)
    return messages


async def job(b: Bindings, msg: dict[str, Any]) -> dict[str, Any]:
    row = await JobsRepo(b.db).get(msg["jobId"])
    assert row is not None
    return asdict(row)


async def served(b: Bindings, test_id: str = "travel") -> dict[str, Any]:
    return await read_current(TestsRepo(b.db), b.bucket, test_id, published_only=False)
