"""Shared helpers for the local-platform tests: a fake clock and a recording queue handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quizhub.ports import MessageBatch

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


class FakeClock:
    """Milliseconds that move only when a test says so."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self.now = start_ms

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        """Move time forward by ``ms`` milliseconds."""
        self.now += ms


@dataclass
class Delivery:
    """What one handler call saw."""

    queue: str
    messages: list[tuple[str, Any, int]]  # (id, body, attempts)


@dataclass
class Recorder:
    """A queue handler that records each batch and then runs an optional ``policy``."""

    policy: Callable[[MessageBatch], None] | None = None
    deliveries: list[Delivery] = field(default_factory=list)

    async def __call__(self, batch: MessageBatch) -> None:
        self.deliveries.append(
            Delivery(batch.queue, [(m.id, m.body, m.attempts) for m in batch.messages])
        )
        if self.policy is not None:
            self.policy(batch)

    def bodies(self) -> list[Any]:
        """Every delivered body, in delivery order."""
        return [body for d in self.deliveries for _, body, _ in d.messages]

    def attempts_of(self, body: Any) -> list[int]:
        """The ``attempts`` value of each delivery of ``body``."""
        return [a for d in self.deliveries for _, b, a in d.messages if b == body]
