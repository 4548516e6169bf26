"""The analytics queue's consumer: a batch of play-event messages becomes ONE insert into
Postgres (idempotent by event id; the rollup counts only new ids). Postgres or D1 down → every
message of the batch is retried with backoff, so nothing is lost while the queue keeps it (a
message past its retries goes to the analytics dead-letter queue, which this same handler
consumes with a budget of its own). A message this API never sent is dropped at once; events of
tests that do not exist (or were deleted) are dropped here, not by the API.

Pydantic-free: the consumer Worker runs it inside Pyodide.
"""

from __future__ import annotations

import logging

from quizhub.analytics.events import events_of_message
from quizhub.analytics.store import AnalyticsStore, Received
from quizhub.bindings import Bindings
from quizhub.domain.backoff import backoff_seconds
from quizhub.errors import Invalid
from quizhub.ports import MessageBatch, QueueMessage
from quizhub.store.tests import TestsRepo

__all__ = ["handle_analytics_batch", "retry_delay_seconds", "RETRY_BASE_SECONDS"]

log = logging.getLogger("quizhub.analytics")

# Backoff of a failed batch: 10 s, 20 s, 40 s … capped at an hour. With max_retries = 100 on
# the queue and 100 more on its dead-letter queue that outlasts the queue's retention.
RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 3600


def retry_delay_seconds(attempts: int) -> int:
    """Delay before the next delivery of a batch that failed on delivery ``attempts``."""
    return backoff_seconds(RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, attempts)


async def handle_analytics_batch(batch: MessageBatch, b: Bindings) -> None:
    """Insert the batch's events and ack every message, or retry every message."""
    good: list[QueueMessage] = []
    items: list[Received] = []
    for message in batch.messages:
        try:
            received, events = events_of_message(message.body)
        except Invalid as exc:
            log.error("dropping unprocessable analytics message %s: %s", message.id, exc.message)
            message.ack()
            continue
        good.append(message)
        items.extend(Received(received, e) for e in events)
    if not good:
        return
    try:
        if b.analytics is None:
            raise RuntimeError("the analytics database is not bound (HYPERDRIVE)")
        known = await TestsRepo(b.db).titles(sorted({i.event.test_id for i in items}))
        kept = [i for i in items if i.event.test_id in known]
        added = await AnalyticsStore(b.analytics).record(kept)
    except Exception as exc:  # noqa: BLE001 - any failure: the whole batch comes back later
        delay = retry_delay_seconds(max(m.attempts for m in good))
        log.warning("analytics batch of %d failed (%s); retry in %ss", len(good), exc, delay)
        for message in good:
            message.retry(delay_seconds=delay)
        return
    log.debug("analytics: %d new of %d events (%d kept)", added, len(items), len(kept))
    for message in good:
        message.ack()
