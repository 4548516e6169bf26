"""Driving loops shared by the queue consumers, the workflow engine and the platform: local
listeners, wake-ups, idle waits and "run until nothing is due"."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Sequence

__all__ = ["Listeners", "wait_any", "wake_event", "idle", "until_idle"]


class Listeners:
    """Thread-safe callbacks, e.g. "a message was enqueued on queue X" (in-process only)."""

    def __init__(self) -> None:
        self._items: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Add ``listener``; returns the function that removes it."""
        with self._lock:
            self._items.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._items:
                    self._items.remove(listener)

        return unsubscribe

    def notify(self, name: str) -> None:
        """Call every listener with ``name`` (outside the lock)."""
        with self._lock:
            listeners = list(self._items)
        for listener in listeners:
            listener(name)


async def wait_any(events: Sequence[asyncio.Event], wait_s: float) -> None:
    """Return when any event is set or after ``wait_s`` seconds, whichever comes first."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


Subscribe = Callable[[Callable[[str], None]], Callable[[], None]]


def wake_event(
    subscribe: Subscribe, wanted: Callable[[str], bool]
) -> tuple[asyncio.Event, Callable[[], None]]:
    """An event set (from any thread) when a subscription notifies a wanted name, and the
    function that ends the subscription. Call from inside the running loop."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def on_notify(name: str) -> None:
        if wanted(name):
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(wake.set)

    return wake, subscribe(on_notify)


async def idle(
    stop: asyncio.Event, wake: asyncio.Event, due_ms: int | None, now_ms: int, poll: float
) -> None:
    """Wait for ``stop``, ``wake``, the next due time (clock ms) or ``poll`` seconds."""
    timeout = poll if due_ms is None else min(poll, max(0.0, (due_ms - now_ms) / 1000))
    await wait_any((stop, wake), timeout)


async def until_idle(step: Callable[[], Awaitable[int]], max_rounds: int = 10_000) -> int:
    """Call ``step`` until it reports no work done; returns the total work."""
    total = 0
    for _ in range(max_rounds):
        done = await step()
        if not done:
            break
        total += done
    return total
