"""The queue consumer runner of the local platform: leases batches and applies ack/retry.

Ack rules follow production Cloudflare Queues: an explicit ``ack()``/``retry()`` on a message
beats ``ack_all()``/``retry_all()``, the FIRST call on a message (or on the batch) wins, a
handler that returns without settling acks everything it did not retry, and a handler that
raises retries every message not explicitly settled. Miniflare differs here: when the handler
throws it redelivers the whole batch, explicitly acked messages included.

Drive the runner with ``await consumer.step()`` under a fake clock (tests), or run
``await consumer.serve(stop_event)`` in the dev server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from quizhub.local._signals import idle, until_idle, wake_event
from quizhub.local.queues._broker import LocalQueueBroker
from quizhub.local.queues._config import ConsumerSettings
from quizhub.local.queues._model import Decision, LeasedMessage
from quizhub.local.queues._producer import check_delay
from quizhub.ports import MessageBatch

__all__ = ["LocalQueueConsumer", "LocalMessage", "LocalMessageBatch", "Handler"]

log = logging.getLogger("quizhub.local.queue")


class LocalMessage:
    """One delivered message; the first ``ack``/``retry`` call on it wins."""

    def __init__(self, leased: LeasedMessage) -> None:
        self._leased = leased
        self.decision: Decision | None = None

    @property
    def id(self) -> str:
        return self._leased.id

    @property
    def body(self) -> Any:
        return self._leased.body

    @property
    def attempts(self) -> int:
        """1 on first delivery."""
        return self._leased.attempts

    @property
    def timestamp(self) -> datetime:
        """When the message was first sent (UTC)."""
        return datetime.fromtimestamp(self._leased.timestamp_ms / 1000, UTC)

    def ack(self) -> None:
        """Mark the message processed (ignored if it was already acked or retried)."""
        if self.decision is None:
            self.decision = ("ack", None)

    def retry(self, *, delay_seconds: int | None = None) -> None:
        """Redeliver the message later (ignored if it was already acked or retried)."""
        if delay_seconds is not None:
            check_delay(delay_seconds)
        if self.decision is None:
            self.decision = ("retry", delay_seconds)


class LocalMessageBatch:
    """The batch handed to the consumer handler (``MessageBatch`` port)."""

    def __init__(self, queue: str, messages: Sequence[LocalMessage]) -> None:
        self._queue = queue
        self._messages = tuple(messages)
        self.decision: Decision | None = None

    @property
    def queue(self) -> str:
        return self._queue

    @property
    def messages(self) -> Sequence[LocalMessage]:
        return self._messages

    def ack_all(self) -> None:
        """Ack every message not settled individually (first batch-level call wins)."""
        if self.decision is None:
            self.decision = ("ack", None)

    def retry_all(self, *, delay_seconds: int | None = None) -> None:
        """Retry every message not settled individually (first batch-level call wins)."""
        if delay_seconds is not None:
            check_delay(delay_seconds)
        if self.decision is None:
            self.decision = ("retry", delay_seconds)

    def decisions(self, settings: ConsumerSettings, handler_failed: bool) -> dict[int, Decision]:
        """The final ack/retry (with its delay in seconds) for every message, by broker seq."""
        batch_delay = self.decision[1] if self.decision and self.decision[0] == "retry" else None
        out: dict[int, Decision] = {}
        for msg in self._messages:
            kind, delay = (
                msg.decision
                or self.decision
                or (("retry", None) if handler_failed else ("ack", None))
            )
            if kind == "retry" and delay is None:
                delay = batch_delay if batch_delay is not None else settings.retry_delay
            out[msg._leased.seq] = (kind, delay)
        return out


Handler = Callable[[MessageBatch], Awaitable[None]]


class LocalQueueConsumer:
    """Delivers batches of one queue to ``handler`` and settles them in the broker."""

    def __init__(
        self,
        broker: LocalQueueBroker,
        queue_name: str,
        handler: Handler,
        *,
        settings: ConsumerSettings | None = None,
        lease_ms: int | None = None,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self.settings = settings or broker.settings_for(queue_name)
        self.handler = handler
        self.lease_ms = lease_ms
        self.clock_ms = clock_ms or broker.clock_ms
        self.last_error: BaseException | None = None

    async def step(self, now_ms: int | None = None) -> int:
        """Deliver one batch if one is due (at ``now_ms`` or the clock); returns its size."""
        lease_at = self.clock_ms() if now_ms is None else now_ms
        lease = self.broker.lease(
            self.queue_name, lease_at, settings=self.settings, lease_ms=self.lease_ms
        )
        if lease is None:
            return 0
        batch = LocalMessageBatch(self.queue_name, [LocalMessage(m) for m in lease.messages])
        failed = False
        try:
            await self.handler(batch)
        except Exception as exc:  # the platform catches the handler's errors, never ours
            failed = True
            self.last_error = exc
            log.warning(
                "queue %s: handler raised %r; retrying unsettled messages", self.queue_name, exc
            )
        settle_at = self.clock_ms() if now_ms is None else now_ms
        decisions = batch.decisions(self.settings, failed)
        self.broker.settle(self.queue_name, lease, decisions, settle_at, settings=self.settings)
        return len(lease.messages)

    async def drain(self, *, max_batches: int = 10_000) -> int:
        """Run ``step`` until no batch is due at the current clock; returns messages delivered."""
        return await until_idle(self.step, max_batches)

    def next_due_ms(self) -> int | None:
        """When the next batch could be delivered (ms on the clock); None when idle."""
        return self.broker.next_due_ms(self.queue_name, self.clock_ms(), settings=self.settings)

    def stats(self) -> dict[str, int]:
        """ready / in_flight / delayed / dlq counts plus lifetime counters for this queue."""
        return self.broker.stats(self.queue_name, dead_letter_queue=self.settings.dead_letter_queue)

    async def serve(self, stop_event: asyncio.Event, *, poll_interval: float = 0.05) -> None:
        """Consume until ``stop_event`` is set; idles cheaply, wakes at once on a local send."""
        wake, unsubscribe = wake_event(self.broker.subscribe, lambda q: q == self.queue_name)
        try:
            while not stop_event.is_set():
                wake.clear()
                try:
                    delivered = await self.step()
                except Exception:
                    log.exception("queue %s: broker error; backing off", self.queue_name)
                    delivered = 0
                if delivered:
                    await asyncio.sleep(0)  # let the rest of the app run between batches
                    continue
                await idle(stop_event, wake, self.next_due_ms(), self.clock_ms(), poll_interval)
        finally:
            unsubscribe()
