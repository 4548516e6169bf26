"""Wake-ups shared by the queue broker and the workflow engine: local listeners and waiting."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence

__all__ = ["Listeners", "wait_any"]


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
