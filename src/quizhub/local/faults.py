"""Seeded, reproducible fault injection around every binding call of the local platform.

``FaultPlan`` decides per call (counted across all bindings, in call order): fail with
probability ``p``, fail the calls numbered in ``fail_calls``, add ``latency_ms``, or SIGKILL the
process at call ``kill_at`` (to test crash recovery at exact points). A failure happens either
before the call reaches the binding or after it was applied with its answer lost — the second
is the nasty case (a D1 batch committed, then an error) that idempotent steps must survive.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from quizhub.bindings import Bindings

__all__ = ["FaultPlan", "InjectedFault", "with_faults"]


class InjectedFault(ConnectionError):
    """The error an injected fault raises (a transient, network-like failure)."""


@dataclass
class FaultPlan:
    seed: int = 0
    p: float = 0.0
    fail_calls: frozenset[int] = frozenset()
    latency_ms: float = 0.0
    kill_at: int | None = None
    # Which bindings to disturb (attribute names of Bindings).
    targets: tuple[str, ...] = (
        "db",
        "bucket",
        "kv",
        "queue",
        "image_queue",
        "cache",
        "purger",
        "workflow",
        "vectorize",
        "ai",
        "images",
    )
    calls: int = 0

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    async def around(self, name: str, call: Any) -> Any:
        """Run ``call()`` (a coroutine factory) under this plan."""
        self.calls += 1
        n = self.calls
        if self.kill_at is not None and n >= self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        fail = n in self.fail_calls or (self.p > 0 and self._rng.random() < self.p)
        if not fail:
            return await call()
        after = self._rng.random() < 0.5
        if after:
            await call()
        raise InjectedFault(
            f"injected fault #{n} in {name} ({'after' if after else 'before'} the call)"
        )


# Methods that answer a handle whose own calls reach the binding (an R2 source's reads are R2
# gets): the handle is wrapped too, so those calls go through the plan as well.
_HANDLES = frozenset({"source"})


class _Proxy:
    """Wraps a binding: every coroutine method goes through the plan."""

    def __init__(self, inner: Any, plan: FaultPlan, label: str) -> None:
        self._inner, self._plan, self._label = inner, plan, label

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr) or name.startswith("_"):
            return attr
        if name in ("prepare", "bind"):  # D1 statement builders are synchronous
            return lambda *a, **k: _Proxy(attr(*a, **k), self._plan, self._label)
        if name == "batch":

            async def batch(statements: Sequence[Any], *a: Any, **k: Any) -> Any:
                inner = [s._inner if isinstance(s, _Proxy) else s for s in statements]
                return await self._plan.around(f"{self._label}.batch", lambda: attr(inner, *a, **k))

            return batch

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if not asyncio.iscoroutine(result):
                return result
            result.close()  # re-created inside the plan so "after" faults really apply it
            label = f"{self._label}.{name}"
            called = self._plan.around(label, lambda: attr(*args, **kwargs))
            return self._handle(called, label) if name in _HANDLES else called

        return call

    async def _handle(self, called: Any, label: str) -> Any:
        handle = await called
        return None if handle is None else _Proxy(handle, self._plan, label)


def with_faults(b: Bindings, plan: FaultPlan) -> Bindings:
    """A copy of ``b`` whose bindings in ``plan.targets`` go through ``plan``."""
    wrapped: dict[str, Any] = {
        name: _Proxy(getattr(b, name), plan, name)
        for name in plan.targets
        if getattr(b, name, None) is not None
    }
    return replace(b, **wrapped)
