"""Shared helpers of the local-platform tests: a recording queue handler, and a real uvicorn
server on a free port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

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


@asynccontextmanager
async def uvicorn_on_free_port(app: Any, http: Any) -> AsyncIterator[int]:
    """Serve ``app`` with uvicorn's ``http`` protocol class; yield the port. A listening socket
    of our own: connections wait in its backlog until the server is up."""
    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=http, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
