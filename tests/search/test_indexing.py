"""The index queue's consumer: a batch of index requests becomes one embeddings call and one
Vectorize call per kind of change, duplicates collapsed, each test indexed at its CURRENT
revision; a failure retries the batch; a malformed message is dropped alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.accept import accept_delete, accept_save
from quizhub.search.indexing import INDEX_QUEUE, handle_index_batch, index_message
from quizhub.search.vectors import FIELDS, vector_ids_of
from tests.conftest import sample_doc
from tests.fakes import FakeBatch, FakeClock, FakeMessage, make_platform, run


class Counting:
    """Counts the calls made to a binding, by method."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[str, int]] = []  # (method, items in the call)
        self.fail = False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)
        if name not in ("run", "upsert", "delete_by_ids"):
            return method

        async def call(*args: Any, **kwargs: Any) -> Any:
            items = args[1]["text"] if name == "run" else args[0]
            self.calls.append((name, len(items)))
            if self.fail:
                raise ConnectionError(f"{name} is unavailable")
            return await method(*args, **kwargs)

        return call


@pytest.fixture
def platform(tmp_path: Path, clock: FakeClock) -> Iterator[LocalPlatform]:
    def counted(b: Bindings) -> Bindings:
        return replace(b, ai=Counting(b.ai), vectorize=Counting(b.vectorize))

    platform = make_platform(tmp_path, clock, wrap=counted)
    yield platform
    platform.close()


def _calls(b: Bindings) -> list[tuple[str, int]]:
    assert isinstance(b.ai, Counting) and isinstance(b.vectorize, Counting)
    return b.ai.calls + b.vectorize.calls


def _saved(platform: LocalPlatform, *docs: tuple[str, dict[str, Any]]) -> None:
    """Commit saves, then clear what their own index requests did."""
    b = platform.bindings
    for test_id, doc in docs:
        run(accept_save(b, test_id, doc, Precondition()))
    run(platform.drain())
    assert isinstance(b.ai, Counting) and isinstance(b.vectorize, Counting)
    b.ai.calls.clear()
    b.vectorize.calls.clear()


def _batch(*bodies: Any) -> FakeBatch:
    messages = [FakeMessage(body, id=f"m{i}") for i, body in enumerate(bodies)]
    return FakeBatch(messages, queue=INDEX_QUEUE)


def test_a_batch_is_one_embeddings_call_one_upsert_and_one_removal(
    platform: LocalPlatform,
) -> None:
    """Five requests for three tests (two published, one draft without tags): every field of
    the published two is embedded in one call and upserted in one; the draft's vectors and the
    vector of B's emptied tags are removed in one call; every message is acked."""
    b = platform.bindings
    draft = sample_doc("초안", status="draft")
    untagged = sample_doc("여행 B", tags=[])
    _saved(platform, ("a", sample_doc("여행 A")), ("b", untagged), ("c", draft))
    batch = _batch(*(index_message(t) for t in ("a", "b", "a", "c", "b")))
    run(handle_index_batch(batch, b))
    texts = len(FIELDS) + len(FIELDS) - 1  # a: every field; b: no tags
    assert sorted(_calls(b)) == [
        ("delete_by_ids", len(FIELDS) + 1),
        ("run", texts),
        ("upsert", texts),
    ]
    assert {m.outcome for m in batch.messages} == {"ack"}
    assert b.vectorize is not None
    stored = run(b.vectorize.get_by_ids(vector_ids_of("a") + vector_ids_of("b")))
    assert {(v["metadata"]["testId"], v["metadata"]["field"]) for v in stored} == {
        *(("a", field) for field in FIELDS),
        *(("b", field) for field in FIELDS if field != "tags"),
    }


def test_each_test_is_indexed_at_its_current_revision(platform: LocalPlatform) -> None:
    """A request that arrives after the test was deleted removes its vector."""
    b = platform.bindings
    _saved(platform, ("a", sample_doc("여행 A")))
    run(accept_delete(b, "a", Precondition()))
    run(platform.drain())
    assert b.vectorize is not None
    assert run(b.vectorize.get_by_ids(vector_ids_of("a"))) == []
    b.vectorize.calls.clear()  # type: ignore[attr-defined]
    run(handle_index_batch(_batch(index_message("a")), b))
    assert _calls(b) == [("delete_by_ids", len(FIELDS))]  # every field's id, computed


def test_a_failure_retries_the_batch_and_a_malformed_message_is_dropped_alone(
    platform: LocalPlatform,
) -> None:
    """Workers AI down: the well-formed requests are retried; the malformed one is acked."""
    b = platform.bindings
    _saved(platform, ("a", sample_doc("여행 A")))
    assert isinstance(b.ai, Counting)
    b.ai.fail = True
    batch = _batch(index_message("a"), {"testId": "Not An Id"}, {"testId": "a", "x": 1})
    run(handle_index_batch(batch, b))
    assert [m.outcome for m in batch.messages] == ["retry", "ack", "ack"]
