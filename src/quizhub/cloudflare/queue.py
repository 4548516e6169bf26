"""Queues adapters: the producer port over ``env.SAVE_QUEUE``, and the consumer-side wrappers
that turn the runtime's batch into ``quizhub.ports.MessageBatch`` / ``QueueMessage``.

The runtime hands ``Default.queue`` a batch that the SDK has wrapped (``_BindingWrapper``,
workers/entrypoints.py ``_wrap_queue_handler``); Miniflare and older runtimes hand the raw
JsProxy. ``wrap_batch`` accepts both and always works on the raw JS objects.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from quizhub.cloudflare._ffi import call_options, from_js, iso_utc, js_bytes, to_js, unwrap

__all__ = ["QueueProducerAdapter", "CfQueueMessage", "CfMessageBatch", "wrap_batch"]


def _body(body: Any, content_type: str) -> Any:
    if content_type == "text":
        return str(body)
    if content_type == "bytes":
        return js_bytes(bytes(body))
    return to_js(body)  # "json" and "v8"


def _delay(delay_seconds: int | None) -> int | None:
    # 0/None = no per-message delay (the queue's configured delivery_delay applies).
    return int(delay_seconds) if delay_seconds else None


class QueueProducerAdapter:
    """``env.SAVE_QUEUE``: ``send`` / ``send_batch`` resolve once the messages are stored."""

    def __init__(self, binding: Any) -> None:
        self._queue = unwrap(binding)

    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        """Durably enqueue ``body``."""
        options = call_options(contentType=content_type, delaySeconds=_delay(delay_seconds))
        await self._queue.send(_body(body, content_type), options)

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        """Each item: ``{"body": …, "content_type"?: str, "delay_seconds"?: int}`` (≤ 100)."""
        import js

        batch = js.Array.new()
        for message in messages:
            content_type = message.get("content_type", "json")
            entry = call_options(
                contentType=content_type, delaySeconds=_delay(message.get("delay_seconds"))
            )
            entry.body = _body(message["body"], content_type)
            batch.push(entry)
        await self._queue.sendBatch(batch)


class CfQueueMessage:
    """One delivered message; ``body`` is converted to Python once, on first access."""

    def __init__(self, js_message: Any) -> None:
        self._msg = unwrap(js_message)

    @property
    def id(self) -> str:
        return str(self._msg.id)

    @cached_property
    def body(self) -> Any:
        return from_js(self._msg.body)

    @property
    def attempts(self) -> int:
        """1 on first delivery."""
        return int(self._msg.attempts)

    @property
    def timestamp(self) -> str:
        """When the message was sent, ISO 8601 UTC."""
        return iso_utc(self._msg.timestamp)

    def ack(self) -> None:
        self._msg.ack()

    def retry(self, *, delay_seconds: int | None = None) -> None:
        delay = _delay(delay_seconds)
        if delay is None:
            self._msg.retry()
        else:
            self._msg.retry(call_options(delaySeconds=delay))

    def __repr__(self) -> str:
        return f"CfQueueMessage(id={self.id!r}, attempts={self.attempts})"


class CfMessageBatch:
    """The batch passed to ``Default.queue``, as a ``quizhub.ports.MessageBatch``."""

    def __init__(self, js_batch: Any) -> None:
        self._batch = unwrap(js_batch)
        self._messages = [CfQueueMessage(m) for m in self._batch.messages]

    @property
    def queue(self) -> str:
        return str(self._batch.queue)

    @property
    def messages(self) -> list[CfQueueMessage]:
        return self._messages

    def ack_all(self) -> None:
        self._batch.ackAll()

    def retry_all(self, *, delay_seconds: int | None = None) -> None:
        delay = _delay(delay_seconds)
        if delay is None:
            self._batch.retryAll()
        else:
            self._batch.retryAll(call_options(delaySeconds=delay))


def wrap_batch(batch: Any) -> CfMessageBatch:
    """The runtime's batch (SDK-wrapped or raw JsProxy) -> ``CfMessageBatch``."""
    return batch if isinstance(batch, CfMessageBatch) else CfMessageBatch(batch)
