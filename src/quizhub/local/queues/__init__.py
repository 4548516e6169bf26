"""Cloudflare Queues on the local platform: a durable SQLite broker, the producer binding and the
consumer runner, with consumer settings read from ``wrangler.consumer.toml``.

Modules are private; this package's names are the interface::

    broker = LocalQueueBroker(path, load_consumer_settings(toml), clock_ms=clock)
    producer = LocalQueueProducer(broker, "quizhub-save")         # the QueueProducer port
    consumer = LocalQueueConsumer(broker, "quizhub-save", handler)
    await consumer.step()   # or: await consumer.serve(stop_event)
"""

from quizhub.local.queues._broker import LocalQueueBroker
from quizhub.local.queues._config import (
    ConsumerSettings,
    load_consumer_settings,
    parse_consumer_settings,
)
from quizhub.local.queues._consumer import (
    Handler,
    LocalMessage,
    LocalMessageBatch,
    LocalQueueConsumer,
)
from quizhub.local.queues._model import (
    DEFAULT_LEASE_MS,
    MAX_DELAY_SECONDS,
    MAX_MESSAGE_BYTES,
    QueueMessageTooLarge,
)
from quizhub.local.queues._producer import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, LocalQueueProducer

__all__ = [
    "ConsumerSettings",
    "DEFAULT_LEASE_MS",
    "Handler",
    "LocalMessage",
    "LocalMessageBatch",
    "LocalQueueBroker",
    "LocalQueueConsumer",
    "LocalQueueProducer",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_MESSAGES",
    "MAX_DELAY_SECONDS",
    "MAX_MESSAGE_BYTES",
    "QueueMessageTooLarge",
    "load_consumer_settings",
    "parse_consumer_settings",
]
