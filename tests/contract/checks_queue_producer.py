"""Queue producer contract checks: ``async def check_*(queue) -> None``, stdlib only.

Producers cannot observe delivery; the consumer side (batching, retries, DLQ) is tested
against the local broker in tests/local.
"""

from __future__ import annotations

from typing import Any


async def _error_of(awaitable: Any) -> BaseException:
    try:
        await awaitable
    except Exception as exc:
        return exc
    raise AssertionError("expected the call to fail")


async def check_send_accepts_a_json_body(queue: Any) -> None:
    await queue.send({"jobId": "j1", "test": "여행", "n": [1, 2, None]})


async def check_send_accepts_a_delay(queue: Any) -> None:
    await queue.send({"jobId": "j2"}, content_type="json", delay_seconds=5)


async def check_send_batch_accepts_up_to_100_messages(queue: Any) -> None:
    await queue.send_batch([{"body": {"i": i}} for i in range(100)])
    await queue.send_batch([{"body": {"i": 0}, "content_type": "json", "delay_seconds": 1}])


async def check_send_refuses_a_message_over_128_kb(queue: Any) -> None:
    await _error_of(queue.send({"blob": "x" * 130_000}))


async def check_send_batch_refuses_more_than_100_messages(queue: Any) -> None:
    await _error_of(queue.send_batch([{"body": {"i": i}} for i in range(101)]))
