"""The index queue: search's vector side, kept off the save path.

After a save (or delete) commits, its job's ``index`` step sends ``{"testId"}`` to
``INDEX_QUEUE``, in every save mode. This consumer takes a batch (up to ``EMBED_TEXTS_LIMIT``
messages), collapses duplicates (a burst of saves to one test is indexed once), reads each test's
CURRENT revision from D1 + R2 (so a late message never indexes an older one), embeds all of them
in one Workers AI call and upserts or removes them in one Vectorize call each. A failure retries
the whole batch with the queue's backoff, then its dead-letter queue gives it the same handler
once more; what still fails is repaired by the next save of that test or by a reindex (which
runs ``index_tests`` over every test, a batch at a time).

The keyword index needs none of this: the commit's D1 batch writes it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.ids import is_test_id
from quizhub.ports import EMBED_TEXTS_LIMIT, MessageBatch
from quizhub.search.vectors import Indexed, index_documents, vector_side
from quizhub.store.tests import TestsRepo

__all__ = [
    "INDEX_QUEUE",
    "INDEX_DLQ",
    "INDEX_BINDING",
    "index_message",
    "request_index",
    "index_tests",
    "handle_index_batch",
]

log = logging.getLogger("quizhub.search")

INDEX_QUEUE = "quizhub-index"
INDEX_DLQ = "quizhub-index-dlq"
INDEX_BINDING = "INDEX_QUEUE"  # the producer binding's name in both wrangler configs


def index_message(test_id: str) -> dict[str, Any]:
    """The message that asks for ``test_id``'s vectors to follow D1 (its only field)."""
    return {"testId": test_id}


def _test_id_of(body: Any) -> str | None:
    if isinstance(body, dict) and set(body) == {"testId"} and is_test_id(body["testId"]):
        return str(body["testId"])
    return None


async def request_index(b: Bindings, test_id: str) -> None:
    """Ask for ``test_id`` to be indexed: a message on the index queue, or (where no index queue
    is bound) the indexing itself, now."""
    if b.index_queue is None:
        await index_tests(b, [test_id])
        return
    await b.index_queue.send(index_message(test_id), content_type="json")


async def index_tests(b: Bindings, test_ids: list[str]) -> Indexed:
    """The vectors of ``test_ids`` (duplicates collapsed) in line with their current revisions:
    one Workers AI call and one upsert per ``EMBED_TEXTS_LIMIT`` tests, one removal call."""
    wanted = list(dict.fromkeys(test_ids))
    side = vector_side(b)
    if side is None:  # keyword search only on this platform: nothing to index
        return Indexed(0, 0)
    done = Indexed(0, 0)
    for start in range(0, len(wanted), EMBED_TEXTS_LIMIT):
        chunk = wanted[start : start + EMBED_TEXTS_LIMIT]
        part = await index_documents(side, await _current_documents(b, chunk))
        done = Indexed(done.upserted + part.upserted, done.removed + part.removed)
    return done


async def _current_documents(b: Bindings, test_ids: list[str]) -> dict[str, dict[str, Any] | None]:
    """Each test's current published document, None for drafts, deletes and unknown ids."""
    pointers = await TestsRepo(b.db).pointers(test_ids)
    docs: dict[str, dict[str, Any] | None] = {}
    for test_id in test_ids:
        row = pointers.get(test_id)
        doc = None
        if row is not None and not row.deleted and row.status == "published" and row.object_key:
            obj = await b.bucket.get(row.object_key)
            doc = json.loads(obj.body) if obj is not None else None
        docs[test_id] = doc
    return docs


async def handle_index_batch(batch: MessageBatch, b: Bindings) -> None:
    """The index queue's consumer (and its dead-letter queue's): one indexing for the batch."""
    test_ids = []
    for message in batch.messages:
        test_id = _test_id_of(message.body)
        if test_id is None:
            log.error("dropping a malformed index message %s", message.id)
            message.ack()
        else:
            test_ids.append(test_id)
    if not test_ids:
        return
    try:
        done = await index_tests(b, test_ids)
    except Exception:  # noqa: BLE001 - the queue retries the batch (its configured backoff)
        log.exception("indexing %d test(s) failed; the batch will be retried", len(test_ids))
        batch.retry_all()
        return
    log.info(
        "indexed %d test(s): %d upserted, %d removed",
        len(set(test_ids)),
        done.upserted,
        done.removed,
    )
    batch.ack_all()
