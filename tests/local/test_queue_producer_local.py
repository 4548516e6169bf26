"""Local queue producer: Cloudflare's size, count and delay limits; body content types."""

from __future__ import annotations

import asyncio

import pytest

from quizhub.local.queues import (
    ConsumerSettings,
    LocalQueueBroker,
    LocalQueueConsumer,
    LocalQueueProducer,
    QueueMessageTooLarge,
)

from ._support import Recorder

Q = "q"


def test_message_of_exactly_128000_bytes_is_accepted(broker: LocalQueueBroker) -> None:
    """The limit is 128,000 bytes of serialised body, inclusive."""
    asyncio.run(LocalQueueProducer(broker, Q).send("x" * 127_998))  # + 2 quote characters


def test_oversized_message_is_refused_with_a_clear_error(broker: LocalQueueBroker) -> None:
    """One byte over the limit is refused before anything is stored."""
    with pytest.raises(QueueMessageTooLarge, match="128001 bytes exceeds limit of 128000"):
        asyncio.run(LocalQueueProducer(broker, Q).send("x" * 127_999))
    assert broker.stats(Q)["sent"] == 0


def test_korean_text_counts_its_utf8_bytes(broker: LocalQueueBroker) -> None:
    """Size is measured in UTF-8 bytes (a Hangul syllable is 3 bytes)."""
    with pytest.raises(QueueMessageTooLarge):
        asyncio.run(LocalQueueProducer(broker, Q).send("가" * 43_000))


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ([{"body": i} for i in range(101)], ValueError),
        ([], TypeError),
        ([{"body": "x" * 100_000} for _ in range(3)], QueueMessageTooLarge),
        ([{"body": 1, "delaySeconds": 5}], ValueError),
        ([{"content_type": "json"}], ValueError),
    ],
)
def test_invalid_batches_are_refused_whole(
    broker: LocalQueueBroker, messages: list[dict[str, object]], error: type[Exception]
) -> None:
    """Over 100 messages, empty, over 256 KB, or malformed items: nothing is stored."""
    with pytest.raises(error):
        asyncio.run(LocalQueueProducer(broker, Q).send_batch(messages))
    assert broker.stats(Q)["sent"] == 0


@pytest.mark.parametrize("delay", [-1, 86_401, 1.5, True])
def test_delays_outside_0_to_24_hours_are_refused(broker: LocalQueueBroker, delay: object) -> None:
    """delay_seconds is a whole number of seconds up to 24 h."""
    with pytest.raises((ValueError, TypeError)):
        asyncio.run(LocalQueueProducer(broker, Q).send("m", delay_seconds=delay))  # type: ignore[arg-type]


def test_unserialisable_json_body_is_refused(broker: LocalQueueBroker) -> None:
    """Bodies must be JSON-serialisable (NaN included: JSON has no NaN)."""
    with pytest.raises((TypeError, ValueError)):
        asyncio.run(LocalQueueProducer(broker, Q).send({"x": object()}))
    with pytest.raises(ValueError):
        asyncio.run(LocalQueueProducer(broker, Q).send(float("nan")))


def test_text_and_bytes_bodies_roundtrip(broker: LocalQueueBroker) -> None:
    """``content_type`` text and bytes deliver a str and bytes."""
    producer = LocalQueueProducer(broker, Q)
    asyncio.run(producer.send("평문", content_type="text"))
    asyncio.run(producer.send(b"\x00\xff", content_type="bytes"))
    rec = Recorder()
    asyncio.run(
        LocalQueueConsumer(broker, Q, rec, settings=ConsumerSettings(max_batch_timeout=0)).drain()
    )
    assert rec.bodies() == ["평문", b"\x00\xff"]


def test_unknown_content_type_is_refused(broker: LocalQueueBroker) -> None:
    """Only json, text and bytes are supported (v8 serialisation has no Python meaning)."""
    with pytest.raises(ValueError):
        asyncio.run(LocalQueueProducer(broker, Q).send("m", content_type="v8"))


def test_consumer_retry_delay_is_validated(broker: LocalQueueBroker) -> None:
    """``retry(delay_seconds=-1)`` is refused inside the handler (and so retries the batch)."""
    asyncio.run(LocalQueueProducer(broker, Q).send("m"))

    async def handler(batch: object) -> None:
        batch.messages[0].retry(delay_seconds=-1)  # type: ignore[attr-defined]

    consumer = LocalQueueConsumer(
        broker, Q, handler, settings=ConsumerSettings(max_batch_timeout=0)
    )
    asyncio.run(consumer.step())
    assert isinstance(consumer.last_error, ValueError)
