"""The analytics queue's consumer: a batch of play-event messages is checked, stored and
counted in ONE statement into Postgres (idempotent by event id), then the public counts of its
tests are written to D1. Postgres, D1 or R2 down → every message of the batch is retried with
backoff, so nothing is lost while the queue keeps it (a message past its retries goes to the
analytics dead-letter queue, which this same handler consumes with a budget of its own). A
message this API never sent is dropped at once.

Each event is checked before it is stored (``quizhub.analytics.plausible``: its test is
published, its revision is a published revision of that test, its ids are that revision's);
the store counts only the plausible ones and keeps the rest counted by reason
(``quizhub.analytics.store``). Then, per batch, the totals of the batch's tests are read back
from Postgres and written to D1 (``quizhub.store.participation``): what the public pages show.

Pydantic-free: the consumer Worker runs it inside Pyodide.
"""

from __future__ import annotations

import logging

from quizhub.analytics.events import events_of_message
from quizhub.analytics.plausible import Judge
from quizhub.analytics.store import AnalyticsStore, Received
from quizhub.bindings import Bindings
from quizhub.domain.backoff import backoff_seconds
from quizhub.domain.wire import iso_ms
from quizhub.errors import Invalid
from quizhub.ports import MessageBatch, QueueMessage
from quizhub.store.participation import ParticipationRepo, popular_since

__all__ = ["handle_analytics_batch", "retry_delay_seconds", "refresh_counts", "RETRY_BASE_SECONDS"]

log = logging.getLogger("quizhub.analytics")

# Backoff of a failed batch: 10 s, 20 s, 40 s … capped at an hour. With max_retries = 100 on
# the queue and 100 more on its dead-letter queue that outlasts the queue's retention.
RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 3600


def retry_delay_seconds(attempts: int) -> int:
    """Delay before the next delivery of a batch that failed on delivery ``attempts``."""
    return backoff_seconds(RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, attempts)


async def refresh_counts(b: Bindings, store: AnalyticsStore, test_ids: list[str]) -> None:
    """Write the public counts of ``test_ids`` to D1: totals read back from Postgres, so a
    refresh repeated (a retried batch) writes the same rows."""
    if not test_ids:
        return
    now = b.clock_ms()
    since = popular_since(now)
    counts = await store.participation(test_ids, since)
    await ParticipationRepo(b.db).write(counts, now=iso_ms(now), keep_since=since - 1)


async def handle_analytics_batch(batch: MessageBatch, b: Bindings) -> None:
    """Check, store and count the batch's events, refresh their tests' public counts, and ack
    every message; or retry every message."""
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
        reasons = await Judge(b.db, b.bucket).reasons([i.event for i in items])
        judged = [Received(i.received_ms, i.event, r) for i, r in zip(items, reasons, strict=True)]
        store = AnalyticsStore(b.analytics)
        done = await store.record(judged)
        await refresh_counts(b, store, sorted({i.event.test_id for i in judged if not i.rejected}))
    except Exception as exc:  # noqa: BLE001 - any failure: the whole batch comes back later
        delay = retry_delay_seconds(max(m.attempts for m in good))
        log.warning("analytics batch of %d failed (%s); retry in %ss", len(good), exc, delay)
        for message in good:
            message.retry(delay_seconds=delay)
        return
    log.debug(
        "analytics: %d events, %d new, %d counted, %d completions",
        len(items),
        done.new,
        done.accepted,
        done.completions,
    )
    for message in good:
        message.ack()
