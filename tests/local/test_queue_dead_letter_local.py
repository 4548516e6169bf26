"""Local queue broker: exhausted retries go to the dead letter queue, or are dropped."""

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


def _send(broker: LocalQueueBroker, *bodies: object) -> None:
    for body in bodies:
        asyncio.run(LocalQueueProducer(broker, Q).send(body))


def _fail_always(batch: MessageBatch) -> None:
    raise RuntimeError("transient failure")


def test_message_moves_to_dlq_after_max_retries(broker: LocalQueueBroker, clock: FakeClock) -> None:
    """A message that keeps failing is delivered 1 + max_retries times, then dead-lettered."""
    rec = Recorder(_fail_always)
    consumer = _consumer(broker, rec, max_batch_timeout=0, max_retries=2, dead_letter_queue="dlq")
    dead = Recorder()
    dlq_consumer = LocalQueueConsumer(
        broker, "dlq", dead, settings=ConsumerSettings(max_batch_timeout=0)
    )
    _send(broker, {"jobId": "j9"})
    for _ in range(5):
        asyncio.run(consumer.drain())
        clock.advance(1_000)
    assert rec.attempts_of({"jobId": "j9"}) == [1, 2, 3]
    assert consumer.stats()["dlq"] == 1
    asyncio.run(dlq_consumer.drain())
    [delivery] = dead.deliveries
    assert delivery.queue == "dlq"
    assert delivery.messages == [(rec.deliveries[0].messages[0][0], {"jobId": "j9"}, 1)]
    assert consumer.stats()["dead_lettered"] == 1


def test_message_is_dropped_after_max_retries_without_dlq(
    broker: LocalQueueBroker, clock: FakeClock
) -> None:
    """Without a dead letter queue an exhausted message is deleted."""
    rec = Recorder(_fail_always)
    consumer = _consumer(broker, rec, max_batch_timeout=0, max_retries=1)
    _send(broker, "poison")
    for _ in range(4):
        asyncio.run(consumer.drain())
        clock.advance(1_000)
    assert rec.attempts_of("poison") == [1, 2]
    stats = consumer.stats()
    assert (stats["dropped"], stats["ready"], stats["delayed"], stats["in_flight"]) == (1, 0, 0, 0)


def test_zero_max_retries_dead_letters_after_one_failure(broker: LocalQueueBroker) -> None:
    """max_retries = 0 means one delivery only."""
    rec = Recorder(_fail_always)
    consumer = _consumer(broker, rec, max_batch_timeout=0, max_retries=0, dead_letter_queue="dlq")
    _send(broker, "once")
    asyncio.run(consumer.drain())
    assert rec.attempts_of("once") == [1]
    assert consumer.stats()["dlq"] == 1
