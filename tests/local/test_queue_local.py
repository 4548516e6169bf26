"""Local queue broker: batching, ack/retry rules, retries, DLQ, delays and durability."""

from __future__ import annotations

import asyncio

from quizhub.local.queues import (
    ConsumerSettings,
    LocalQueueBroker,
    LocalQueueConsumer,
    LocalQueueProducer,
)
from quizhub.ports import MessageBatch
from tests.fakes import FakeClock

from ._support import Recorder

Q = "q"


def _consumer(
    broker: LocalQueueBroker, handler: Recorder, **settings: object
) -> LocalQueueConsumer:
    return LocalQueueConsumer(broker, Q, handler, settings=ConsumerSettings(**settings))  # type: ignore[arg-type]


def _send(broker: LocalQueueBroker, *bodies: object, delay_seconds: int = 0) -> None:
    producer = LocalQueueProducer(broker, Q)
    for body in bodies:
        asyncio.run(producer.send(body, delay_seconds=delay_seconds))


def test_partial_batch_waits_for_max_batch_timeout(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """A batch that is not full is delivered once its oldest message waited max_batch_timeout."""
    rec = Recorder()
    consumer = _consumer(broker, rec, max_batch_size=10, max_batch_timeout=5)
    _send(broker, 1, 2)
    assert asyncio.run(consumer.step()) == 0
    clock.advance(4_999)
    assert asyncio.run(consumer.step()) == 0
    clock.advance(1)
    assert asyncio.run(consumer.step()) == 2
    assert [len(d.messages) for d in rec.deliveries] == [2]


def test_full_batch_is_delivered_without_waiting(broker: LocalQueueBroker) -> None:
    """max_batch_size ready messages are delivered at once."""
    rec = Recorder()
    consumer = _consumer(broker, rec, max_batch_size=3, max_batch_timeout=60)
    _send(broker, "a", "b", "c")
    assert asyncio.run(consumer.step()) == 3


def test_batches_hold_at_most_max_batch_size(broker: LocalQueueBroker, clock: FakeClock) -> None:
    """Seven messages with a batch size of three arrive as 3, 3, then 1 after the timeout."""
    rec = Recorder()
    consumer = _consumer(broker, rec, max_batch_size=3, max_batch_timeout=1)
    _send(broker, *range(7))
    assert asyncio.run(consumer.drain()) == 6
    clock.advance(1_000)
    assert asyncio.run(consumer.drain()) == 1
    assert [len(d.messages) for d in rec.deliveries] == [3, 3, 1]
    assert sorted(rec.bodies()) == list(range(7))


def test_messages_carry_id_body_attempts_and_timestamp(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """A first delivery has attempts 1, a hex id, the JSON body and the send time."""
    seen = []

    async def handler(batch: MessageBatch) -> None:
        seen.extend(batch.messages)

    consumer = LocalQueueConsumer(
        broker, Q, handler, settings=ConsumerSettings(max_batch_timeout=0)
    )
    _send(broker, {"jobId": "j1", "제목": "여행"})
    sent_at = clock.ms
    clock.advance(500)
    asyncio.run(consumer.step())
    [msg] = seen
    assert msg.body == {"jobId": "j1", "제목": "여행"}
    assert msg.attempts == 1
    assert len(msg.id) == 32
    assert msg.timestamp.timestamp() * 1000 == sent_at


def test_returning_normally_acks_every_message(broker: LocalQueueBroker, clock: FakeClock) -> None:
    """A handler that returns without settling acks the whole batch (nothing comes back)."""
    rec = Recorder()
    consumer = _consumer(broker, rec, max_batch_timeout=0)
    _send(broker, 1, 2, 3)
    asyncio.run(consumer.drain())
    clock.advance(3_600_000)
    assert asyncio.run(consumer.drain()) == 0
    stats = consumer.stats()
    assert (stats["ready"], stats["in_flight"], stats["acked"]) == (0, 0, 3)


def test_explicit_retry_beats_ack_all(broker: LocalQueueBroker) -> None:
    """A per-message retry() wins over a later batch-level ack_all()."""

    def policy(batch: MessageBatch) -> None:
        if batch.messages[0].attempts == 1:
            batch.messages[0].retry()
            batch.ack_all()

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_size=3, max_batch_timeout=0)
    _send(broker, "retried", "acked-1", "acked-2")
    asyncio.run(consumer.drain())
    assert rec.attempts_of("retried") == [1, 2]
    assert rec.attempts_of("acked-1") == [1]


def test_first_call_on_a_message_wins(broker: LocalQueueBroker) -> None:
    """ack() then retry() acks; retry() then ack() retries."""

    def policy(batch: MessageBatch) -> None:
        for msg in batch.messages:
            if msg.body == "ack-first":
                msg.ack()
                msg.retry()
            elif msg.attempts == 1:
                msg.retry()
                msg.ack()

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_timeout=0)
    _send(broker, "ack-first", "retry-first")
    asyncio.run(consumer.drain())
    assert rec.attempts_of("ack-first") == [1]
    assert rec.attempts_of("retry-first") == [1, 2]


def test_first_batch_level_call_wins(broker: LocalQueueBroker) -> None:
    """retry_all() then ack_all() retries the batch."""

    def policy(batch: MessageBatch) -> None:
        if batch.messages[0].attempts == 1:
            batch.retry_all()
            batch.ack_all()

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_timeout=0)
    _send(broker, "x", "y")
    asyncio.run(consumer.drain())
    assert rec.attempts_of("x") == [1, 2] and rec.attempts_of("y") == [1, 2]


def test_handler_error_retries_unsettled_but_keeps_explicit_acks(broker: LocalQueueBroker) -> None:
    """When the handler raises, explicitly acked messages stay acked (production, not Miniflare)."""

    def policy(batch: MessageBatch) -> None:
        if batch.messages[0].attempts == 1:
            for msg in batch.messages:
                if msg.body == "done":
                    msg.ack()
            raise RuntimeError("crash after the first commit")

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_size=3, max_batch_timeout=0)
    _send(broker, "done", "pending-1", "pending-2")
    asyncio.run(consumer.drain())
    assert rec.attempts_of("done") == [1]
    assert rec.attempts_of("pending-1") == [1, 2]
    assert rec.attempts_of("pending-2") == [1, 2]
    assert isinstance(consumer.last_error, RuntimeError)


def test_retry_delay_setting_defers_redelivery(broker: LocalQueueBroker, clock: FakeClock) -> None:
    """A failed message comes back after the consumer's retry_delay."""
    rec = Recorder(lambda b: b.retry_all() if b.messages[0].attempts == 1 else None)
    consumer = _consumer(broker, rec, max_batch_timeout=0, retry_delay=2)
    _send(broker, "m")
    asyncio.run(consumer.drain())
    clock.advance(1_999)
    assert asyncio.run(consumer.drain()) == 0
    clock.advance(1)
    assert asyncio.run(consumer.drain()) == 1
    assert rec.attempts_of("m") == [1, 2]


def test_retry_delay_seconds_overrides_the_setting(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """``retry(delay_seconds=10)`` beats the consumer's retry_delay of 2 s."""

    def policy(batch: MessageBatch) -> None:
        if batch.messages[0].attempts == 1:
            batch.messages[0].retry(delay_seconds=10)

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_timeout=0, retry_delay=2)
    _send(broker, "m")
    asyncio.run(consumer.drain())
    clock.advance(9_999)
    assert asyncio.run(consumer.drain()) == 0
    clock.advance(1)
    assert asyncio.run(consumer.drain()) == 1


def test_retry_all_delay_covers_messages_without_their_own(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """A message retried without a delay uses retry_all's delay; one with a delay keeps it."""

    def policy(batch: MessageBatch) -> None:
        for msg in batch.messages:
            if msg.attempts == 1 and msg.body == "own":
                msg.retry(delay_seconds=1)
            elif msg.attempts == 1:
                msg.retry()
        if batch.messages[0].attempts == 1:
            batch.retry_all(delay_seconds=7)

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_timeout=0, retry_delay=30)
    _send(broker, "own", "batch")
    asyncio.run(consumer.drain())
    clock.advance(1_000)
    asyncio.run(consumer.drain())
    assert rec.attempts_of("own") == [1, 2] and rec.attempts_of("batch") == [1]
    clock.advance(6_000)
    asyncio.run(consumer.drain())
    assert rec.attempts_of("batch") == [1, 2]


def test_delayed_send_becomes_visible_after_its_delay(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """``delay_seconds`` on send holds the message back."""
    rec = Recorder()
    consumer = _consumer(broker, rec, max_batch_timeout=0)
    _send(broker, "later", delay_seconds=30)
    assert consumer.stats()["delayed"] == 1
    clock.advance(29_999)
    assert asyncio.run(consumer.drain()) == 0
    clock.advance(1)
    assert asyncio.run(consumer.drain()) == 1


def test_ack_all_before_a_raise_is_kept(broker: LocalQueueBroker) -> None:
    """ack_all() is an explicit ack, so a later raise does not redeliver the batch."""

    def policy(batch: MessageBatch) -> None:
        batch.ack_all()
        raise RuntimeError("after acking everything")

    rec = Recorder(policy)
    consumer = _consumer(broker, rec, max_batch_timeout=0)
    _send(broker, "a", "b")
    asyncio.run(consumer.drain())
    assert rec.attempts_of("a") == [1] and rec.attempts_of("b") == [1]
