"""The dev server's one thread boundary: the platform's background work (queue consumers,
Workflows engine, stuck-job sweep) on a thread of its own with its own event loop, so the
server's loop only serves HTTP and WebSockets.

What crosses the boundary, and how:

- The bindings are shared. Their SQLite stores (D1, R2's index, KV, the queue broker, the
  Workflows store, the vector index) each hold one connection opened with
  ``check_same_thread=False`` behind a ``threading.Lock`` (``quizhub.local._sqlite``); R2 bodies
  are written to a fresh file per version and swapped in with ``os.replace``; the in-memory
  Cache API takes a lock of its own; the embedder runs in a child process. None of them keeps
  state tied to an event loop.
- Wake-ups go in: a send or a workflow create on the server's loop notifies the broker's or the
  engine's listeners, which set the consumer loop's event with ``call_soon_threadsafe``
  (``quizhub.local._signals.wake_event``).
- Live notices go out: the sockets belong to the server's loop, so ``LocalLive.dispatch`` hands
  each delivery to that loop (``on_loop``) and the publisher awaits it there.
- Stopping: ``stop()`` sets the consumer loop's stop event from the server's loop and waits for
  the thread. Consumers finish the batch in hand and settle it; replays still running are
  cancelled and released (the next start resumes them). A process killed outright recovers from
  the durable broker and engine as always: leases run out and the work is delivered again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from quizhub.local.platform import LocalPlatform
from quizhub.local.push import Dispatch

__all__ = ["ConsumerThread", "on_loop"]

log = logging.getLogger("quizhub.local.host")

THREAD_NAME = "quizhub-consumers"


def on_loop(loop: asyncio.AbstractEventLoop) -> Dispatch:
    """A ``Dispatch`` that runs each delivery on ``loop``; a caller on another loop awaits it."""

    async def dispatch(deliver: Callable[[], None]) -> None:
        if asyncio.get_running_loop() is loop:
            deliver()
            return

        async def run() -> None:
            deliver()

        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(run(), loop))

    return dispatch


class ConsumerThread:
    """``platform.serve`` on its own thread and event loop; start and stop it from the server's
    loop (the ASGI lifespan)."""

    def __init__(self, platform: LocalPlatform) -> None:
        self.platform = platform
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        """Start the thread; returns once its loop runs. Live notices go to the calling loop."""
        if self._thread is not None:
            raise RuntimeError("the consumer thread is already started")
        self.platform.live.dispatch = on_loop(asyncio.get_running_loop())
        ready = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(ready,), name=THREAD_NAME)
        self._thread.start()
        ready.wait()

    async def stop(self) -> None:
        """Ask the consumers to stop and wait (off this loop) until the thread has ended."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:  # the loop closed meanwhile: the thread is ending anyway
                pass
        # Live notices still on their way are handed to this loop, so it keeps running.
        await asyncio.to_thread(thread.join)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _main(self, ready: threading.Event) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            ready.set()
            await self.platform.serve(self._stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported; the server keeps serving reads
            self.error = exc
            log.exception("the consumer thread stopped with an error")
        finally:
            ready.set()
