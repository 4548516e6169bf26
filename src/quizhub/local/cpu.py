"""``CpuWork`` on the local platform: a worker thread, or a child process for the dev server.

The dev server answers requests from the event loop its consumers run on. A preview card is
about 30 ms of drawing and PNG encoding; run in place it would hold every request behind it.

- ``WorkerThread`` (tests, the reliability rig): the loop stays free while Pillow works in C,
  but the drawing's Python and the parts of Pillow that keep the interpreter lock still take
  turns with the loop, up to the interpreter's switch interval (5 ms) at a time.
- ``WorkerProcess`` (``make dev``): one spawned child does the work, so the server's loop never
  waits for it. Work and results cross by pickling (a card's text and its decoded background,
  a PNG back). A child that dies fails the call in progress; the next call starts a new one.
  Starting a child costs about a second, which is why tests use the thread.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

__all__ = ["WorkerThread", "WorkerProcess"]

T = TypeVar("T")


class WorkerThread:
    """Run each piece of work on the loop's default thread pool."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def close(self) -> None:
        """Nothing to stop: the loop owns its thread pool."""


class WorkerProcess:
    """Run each piece of work in one spawned child process (``fn`` and ``args`` must pickle:
    a module-level function and plain values). ``name`` says whose process it is in the error
    of a call it could not answer; ``initializer`` runs first in each new child (a model loads
    there before the first call needs it)."""

    def __init__(self, name: str = "worker", initializer: Callable[[], None] | None = None) -> None:
        self.name = name
        self._initializer = initializer
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _child(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=self._initializer,
                )
            return self._pool

    def call(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` in the child and wait for it here (a server warming up before it
        serves)."""
        return self._child().submit(fn, *args).result()

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        pool = self._child()
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise RuntimeError(
                f"the local {self.name} process stopped; the next call restarts it"
            ) from None

    def close(self) -> None:
        """Stop the child process, if one runs."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
