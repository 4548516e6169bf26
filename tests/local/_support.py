"""Shared helper of the local-platform tests: a recording queue handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quizhub.ports import MessageBatch


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
