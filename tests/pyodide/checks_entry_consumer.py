"""``entry.consumer``: ``consumer_worker.Default`` in Pyodide 314, fed by a real Miniflare queue.

A save is accepted by the real accept path onto Miniflare's queue; Miniflare delivers it (its
own batching, attempts and retry delays) to a JS consumer that hands the batch to this Python
entry; the checks then read what the pipeline left in Miniflare's D1, R2 and KV. No pydantic
is loaded here: the consumer path runs without it, as it must on Cloudflare.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

from tests.pyodide._entries import document, entry_env, flaky_env, js

_CTX = "({ waitUntil() {}, passThroughOnException() {} })"


def _consumer_bindings(h: Any) -> Any:
    from quizhub.cloudflare.env import bindings_from_env
    from quizhub.cloudflare.queue import QueueProducerAdapter

    b = bindings_from_env(entry_env(h.consumer_env))
    # The API Worker's producers: the same queues Miniflare delivers from.
    return replace(
        b,
        queue=QueueProducerAdapter(h.bridge.queue_producer),
        image_queue=QueueProducerAdapter(h.bridge.image_queue_producer),
    )


def _install_handler(h: Any) -> None:
    from pyodide.ffi import create_proxy

    import consumer_worker

    async def handle(batch: Any) -> None:
        env = h.consumer_entry_env or entry_env(h.consumer_env)
        await consumer_worker.Default(js(_CTX), env).queue(batch)

    h.bridge.set_queue_handler(create_proxy(handle))


async def _deliveries(h: Any, at_least: int, ms: int = 20_000) -> list[dict[str, Any]]:
    await h.bridge.wait_deliveries(at_least, ms)
    return list(json.loads(str(h.bridge.deliveries_json())))


async def _accept(h: Any, test_id: str, title: str) -> Any:
    from quizhub.domain.preconditions import Precondition
    from quizhub.pipeline.accept import accept_save

    return await accept_save(_consumer_bindings(h), test_id, document(title), Precondition())


async def _job(h: Any, job_id: str) -> Any:
    from quizhub.store.jobs import JobsRepo

    return await JobsRepo(h.bindings.db).get(job_id)


async def check_the_consumer_path_imports_without_pydantic(h: Any) -> None:
    import consumer_worker  # noqa: F401  (src/consumer_worker.py, with the Workflow class)

    assert "pydantic" not in sys.modules and "fastapi" not in sys.modules
    _install_handler(h)


async def check_a_save_delivered_by_miniflare_is_committed(h: Any) -> None:
    from quizhub.store.keys import document_key, kv_test_key
    from quizhub.store.tests import TestsRepo

    _install_handler(h)
    before = len(await _deliveries(h, 0, 0))
    await h.bindings.kv.put(kv_test_key("e-ok"), '{"rev": "old", "doc": {}}')
    accepted = await _accept(h, "e-ok", "큐로 저장")
    seen = await _deliveries(h, before + 1)
    mine = [d for d in seen[before:] if d["op"] == "ack"]
    assert len(mine) == 1 and mine[0]["attempts"] == 1, seen[before:]
    row = await _job(h, accepted.job_id)
    assert row is not None and (row.status, row.attempts) == ("succeeded", 1), row
    pointer = await TestsRepo(h.bindings.db).pointer("e-ok")
    assert pointer is not None and pointer.rev == accepted.rev
    obj = await h.bindings.bucket.get(document_key("e-ok", accepted.rev))
    assert obj is not None and obj.json()["title"] == "큐로 저장"
    assert await h.bindings.kv.get(kv_test_key("e-ok")) is None  # invalidated after commit


def _message(
    b: Any, test_id: str, title: str, rev: str | None = None, key: bytes | None = None
) -> dict[str, Any]:
    """A save message as the accept path builds it (``key``: sign the body with another key)."""
    from quizhub.domain.jobs import make_job_id
    from quizhub.domain.revisions import rev_timestamp
    from quizhub.pipeline.messages import body_digest, sign_body

    rev = rev or b.revs.new(b.clock_ms())
    job_id = make_job_id(rev, b.settings.signing_key)
    content = document(title)
    signing = b.settings.signing_key if key is None else key
    return {
        "v": 1,
        "type": "save-test",
        "jobId": job_id,
        "testId": test_id,
        "rev": rev,
        "baseRev": None,
        "acceptedAt": rev_timestamp(rev),
        "bodySig": sign_body(signing, job_id, test_id, body_digest(content)),
        "body": content,
    }


async def check_a_duplicate_delivery_changes_nothing(h: Any) -> None:
    from quizhub.store.tests import TestsRepo

    _install_handler(h)
    before = len(await _deliveries(h, 0, 0))
    b = _consumer_bindings(h)
    accepted = await _accept(h, "e-dup", "한 번만")
    await _deliveries(h, before + 1)
    # The very same message again, as at-least-once delivery may bring it.
    await b.queue.send(_message(b, "e-dup", "한 번만", rev=accepted.rev))
    seen = await _deliveries(h, before + 2)
    assert [d["op"] for d in seen[before:]] == ["ack", "ack"], seen[before:]
    again = await _job(h, accepted.job_id)
    assert again is not None and (again.status, again.attempts) == ("succeeded", 2), again
    pointer = await TestsRepo(h.bindings.db).pointer("e-dup")
    assert pointer is not None and pointer.rev == accepted.rev


async def check_a_transient_failure_is_retried_with_a_delay(h: Any) -> None:
    from quizhub.pipeline.policy import retry_delay_seconds

    _install_handler(h)
    before = len(await _deliveries(h, 0, 0))
    h.consumer_entry_env = entry_env(flaky_env(h.consumer_env, "BUCKET", "put", 1))
    try:
        accepted = await _accept(h, "e-retry", "잠깐 실패")
        first = (await _deliveries(h, before + 1))[before]
        h.consumer_entry_env = None
        expected = retry_delay_seconds(h.bindings.settings, 1)
        assert (first["op"], first["delaySeconds"], first["attempts"]) == ("retry", expected, 1)
        noted = await _job(h, accepted.job_id)
        assert noted is not None and "injected BUCKET.put outage" in (noted.error or "")
        second = (await _deliveries(h, before + 2, (expected + 10) * 1000))[before + 1]
        assert (second["op"], second["attempts"]) == ("ack", 2), second
    finally:
        h.consumer_entry_env = None
    row = await _job(h, accepted.job_id)
    assert row is not None and (row.status, row.attempts) == ("succeeded", 2), row


async def check_a_poison_message_fails_its_job_at_once(h: Any) -> None:
    _install_handler(h)
    before = len(await _deliveries(h, 0, 0))
    b = _consumer_bindings(h)
    # A body that is not the one its signature covers (as if altered after the accept).
    poison = _message(b, "e-poison", "바꿔치기", key=b"not the job secret")
    await b.queue.send(poison)
    seen = await _deliveries(h, before + 1)
    assert seen[before]["op"] == "ack", seen[before:]  # acked: retrying cannot help
    row = await _job(h, poison["jobId"])
    assert row is not None and (row.status, row.attempts) == ("failed", 1), row
    assert "signature" in (row.error or "")


async def check_the_scheduled_sweep_reaches_old_open_jobs(h: Any) -> None:
    import consumer_worker
    from quizhub.store.jobs import JobRef, JobsRepo

    long_ago = "2020-01-01T00:00:00.000Z"
    ref = JobRef("e-sweep-job", "e-sweep", "01KA0000000000000000000000", "save", long_ago)
    await JobsRepo(h.bindings.db).start_attempt(ref, "validate", "2020-01-01T00:00:01.000Z", None)
    controller = js("({ scheduledTime: Date.now(), cron: '*/5 * * * *', noRetry() {} })")
    await consumer_worker.Default(js(_CTX), entry_env(h.consumer_env)).scheduled(controller)
    row = await _job(h, "e-sweep-job")
    # Accepted in 2020: past the queue's retention, so it ends expired (never failed).
    assert row is not None and row.status == "expired", row
