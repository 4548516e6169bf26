"""The queue producer binding of the local platform (``env.SAVE_QUEUE.send``/``sendBatch``)."""

from __future__ import annotations

from typing import Any

from quizhub.local.queues._broker import LocalQueueBroker
from quizhub.local.queues._model import MAX_DELAY_SECONDS, QueueMessageTooLarge, encode_body

__all__ = ["LocalQueueProducer", "MAX_BATCH_MESSAGES", "MAX_BATCH_BYTES", "check_delay"]

MAX_BATCH_MESSAGES = 100
MAX_BATCH_BYTES = 256_000
_BATCH_ITEM_KEYS = frozenset({"body", "content_type", "delay_seconds"})


def check_delay(delay_seconds: Any) -> int:
    if isinstance(delay_seconds, bool) or not isinstance(delay_seconds, int):
        raise TypeError("delay_seconds must be an int")
    if not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
        raise ValueError(f"delay_seconds must be 0..{MAX_DELAY_SECONDS}")
    return delay_seconds


class LocalQueueProducer:
    """The ``QueueProducer`` binding for one queue of a ``LocalQueueBroker``."""

    def __init__(self, broker: LocalQueueBroker, queue_name: str) -> None:
        self.broker = broker
        self.queue_name = queue_name

    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        """Durably enqueue ``body``; resolves once it is stored."""
        stored, _ = encode_body(body, content_type)
        self.broker.enqueue(self.queue_name, [(content_type, stored, check_delay(delay_seconds))])

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        """Enqueue up to 100 messages (256 KB in all) in one transaction."""
        if not messages:
            raise TypeError("send_batch() requires at least one message")
        if len(messages) > MAX_BATCH_MESSAGES:
            raise ValueError(f"batch message count of {len(messages)} exceeds limit of 100")
        items: list[tuple[str, str, int]] = []
        total = 0
        for item in messages:
            unknown = set(item) - _BATCH_ITEM_KEYS
            if "body" not in item or unknown:
                raise ValueError(
                    f"batch items take body, content_type, delay_seconds; got {sorted(item)}"
                )
            content_type = item.get("content_type", "json")
            stored, size = encode_body(item["body"], content_type)
            total += size
            items.append((content_type, stored, check_delay(item.get("delay_seconds", 0))))
        if total > MAX_BATCH_BYTES:
            raise QueueMessageTooLarge(
                f"batch size of {total} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )
        self.broker.enqueue(self.queue_name, items)
