"""Hand-written fakes for the queue edges and fault injection around real local bindings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from quizhub.bindings import Bindings, Settings
from quizhub.domain.revisions import RevGenerator
from quizhub.local.cache import LocalCache, LocalCachePurger
from quizhub.local.d1 import LocalD1
from quizhub.local.kv import LocalKV
from quizhub.local.r2 import LocalR2

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
TOKEN = "test-admin-token"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion (tests are sync; no event-loop plugin needed)."""
    return asyncio.run(coro)


class RecordingQueue:
    """A queue producer that keeps what was sent (JSON round-tripped, like the wire)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        self.sent.append(json.loads(json.dumps(body)))

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        for m in messages:
            await self.send(m["body"])


@dataclass
class FakeMessage:
    """A delivered message that records the first ack/retry call (Cloudflare: first call wins)."""

    body: Any
    attempts: int = 1
    id: str = "msg-1"
    outcome: str | None = None
    delay: int | None = None

    def ack(self) -> None:
        if self.outcome is None:
            self.outcome = "ack"

    def retry(self, *, delay_seconds: int | None = None) -> None:
        if self.outcome is None:
            self.outcome, self.delay = "retry", delay_seconds


@dataclass
class FakeBatch:
    messages: list[FakeMessage]
    queue: str = "quizhub-save"
    calls: list[str] = field(default_factory=list)

    def ack_all(self) -> None:
        for m in self.messages:
            m.ack()

    def retry_all(self, *, delay_seconds: int | None = None) -> None:
        for m in self.messages:
            m.retry(delay_seconds=delay_seconds)


class Flaky:
    """Wraps a binding; the named method raises ``error`` for its next ``failures`` calls."""

    def __init__(
        self, inner: Any, method: str, failures: int, error: Exception | None = None
    ) -> None:
        self._inner, self._method, self.failures = inner, method, failures
        self._error = error or ConnectionError(f"injected {method} failure")
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name != self._method:
            return attr

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.failures > 0:
                self.failures -= 1
                raise self._error
            return await attr(*args, **kwargs)

        return flaky


def local_bindings(tmp: Path, clock: Any, **settings: Any) -> Bindings:
    """Real local D1/R2/KV/cache in ``tmp`` with a recording queue and a fake clock."""
    db = LocalD1(tmp / "d1.sqlite", migrations_dir=ROOT / "migrations")
    db.apply_migrations()
    cache = LocalCache(clock)
    return Bindings(
        db=db,
        bucket=LocalR2(tmp / "r2", clock_ms=clock),
        kv=LocalKV(tmp / "kv.sqlite", clock),
        queue=RecordingQueue(),
        cache=cache,
        purger=LocalCachePurger(cache),
        settings=Settings(admin_token=TOKEN, **settings),
        clock_ms=clock,
        revs=RevGenerator(),
    )
