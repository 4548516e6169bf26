"""The dev server's one process boundary: the platform's background work (queue consumers,
Workflows engine, stuck-job sweep) in a child process of its own, so the server's process only
serves HTTP and WebSockets, and neither waits for the other's interpreter lock.

Both processes open the same data directory (``build_platform``). Its stores are made for that:
SQLite in WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` writes (D1, R2's index, KV, the
queue broker, the Workflows store, the vector index), R2 bodies written to a fresh file per
version. What lives in one process's memory crosses one pipe, in small messages:

- server → child: ``wake`` a queue or workflow after a local send or create (the broker's and the
  engine's listeners), so the child starts at once instead of at its next poll; ``stop``.
- child → server: ``live`` notices (the editors' sockets are the server's) and ``purge``
  requests (the Cache API is the server's memory, one data centre; the child's reads go to the
  stores).

Stopping (Ctrl-C of ``make dev``): the child ignores SIGINT and stops on ``stop`` (or when the
pipe closes because the server died): consumers finish the batch in hand and settle it, replays
still running are released, then the child closes its platform. A child killed outright, or a
server killed with it, loses nothing: the broker and the engine are durable, and leases run out
and deliver the work again. A child that dies is started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import threading
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from quizhub.analytics.pg import PgParams
from quizhub.bindings import Bindings, Settings
from quizhub.local.faults import modelled_latency
from quizhub.local.platform import LocalPlatform, build_platform

__all__ = ["ConsumerProcess", "WorkerSpec"]

log = logging.getLogger("quizhub.local.host")

STOP_TIMEOUT_S = 60.0  # the batch in hand finishes (an embedding burst takes seconds)
RESTART_DELAY_S = 1.0

START_TIMEOUT_S = 120.0  # opening the platform: imports, migrations check, the data dir check
_WAKE_QUEUE, _WAKE_WORKFLOW, _STOP = "wake-queue", "wake-wf", "stop"
_READY, _LIVE, _PURGE = "ready", "live", "purge"


@dataclass(frozen=True)
class WorkerSpec:
    """What the child needs to open the same platform as the server (picklable)."""

    data_dir: Path
    settings: Settings
    rate_limits: bool = True
    latency_ms: float = 0.0
    analytics: PgParams | None = None


class _Pipe:
    """One end of the pipe; ``send`` from any thread, never raises (a dead peer is handled by
    its reader)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()

    def send(self, *message: Any) -> None:
        with self._lock, contextlib.suppress(OSError, ValueError):
            self.conn.send(message)


# ------------------------------------------------------------------ the child
class _ForwardedLive:
    """The child's ``LiveChannel``: notices go to the server, whose sockets they are."""

    def __init__(self, pipe: _Pipe) -> None:
        self._pipe = pipe

    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        self._pipe.send(_LIVE, test_id, message)


class _ForwardedPurger:
    """The child's ``Purger``: the server's cache is purged (the child keeps none worth one)."""

    def __init__(self, pipe: _Pipe) -> None:
        self._pipe = pipe

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        self._pipe.send(_PURGE, list(tags), list(urls))


def _child_main(conn: Connection, spec: WorkerSpec) -> None:
    """The child process: the platform's background work until ``stop`` or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which says stop
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(_child(conn, spec))


async def _child(conn: Connection, spec: WorkerSpec) -> None:
    pipe = _Pipe(conn)
    latency = modelled_latency(spec.latency_ms)

    def wrap(b: Bindings) -> Bindings:
        forwarded = replace(
            b,
            live=_ForwardedLive(pipe) if b.live is not None else None,
            purger=_ForwardedPurger(pipe),
        )
        return latency(forwarded) if latency is not None else forwarded

    platform = build_platform(
        spec.data_dir,
        spec.settings,
        rate_limits=spec.rate_limits,
        wrap=wrap,
        analytics=spec.analytics,
        # In a thread of this process: the server's loop is not here to be held up (and a
        # daemon process may not start children).
        isolate_models=False,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_message() -> None:
        try:
            while conn.poll():
                kind, *args = conn.recv()
                if kind == _WAKE_QUEUE:
                    platform.broker.wake(args[0])
                elif kind == _WAKE_WORKFLOW and platform.engine is not None:
                    platform.engine.wake(args[0])
                elif kind == _STOP:
                    stop.set()
        except (EOFError, OSError):  # the server is gone: stop as if told to
            loop.remove_reader(conn.fileno())
            stop.set()

    loop.add_reader(conn.fileno(), on_message)
    pipe.send(_READY)
    try:
        await platform.serve(stop)
    finally:
        with contextlib.suppress(ValueError, OSError):
            loop.remove_reader(conn.fileno())
        platform.close()


# ------------------------------------------------------------------ the server's side
class ConsumerProcess:
    """Runs ``platform.serve`` of ``spec``'s platform in a child process and relays between it
    and ``platform`` (the server's). Start and stop it on the server's loop (the lifespan)."""

    def __init__(self, platform: LocalPlatform, spec: WorkerSpec) -> None:
        self.platform = platform
        self.spec = spec
        self._ctx = multiprocessing.get_context("spawn")  # never fork a process with threads
        self._process: Any = None
        self._pipe: _Pipe | None = None
        self._unsubscribe: list[Any] = []
        self._stopping = False
        self._restart: asyncio.TimerHandle | None = None
        self._ready: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.starts = 0

    async def start(self) -> None:
        """Start the child and relay to it; returns once it consumes (or after
        ``START_TIMEOUT_S``, logged: it may still come up, and nothing waits for it meanwhile
        but the durable queue)."""
        self._launch()
        assert self._ready is not None
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), START_TIMEOUT_S)
        except TimeoutError:
            log.error("the consumer process is not ready after %s s", START_TIMEOUT_S)

    def _launch(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        if not self._unsubscribe:
            self._unsubscribe = [self.platform.broker.subscribe(self._wake_queue)]
            if self.platform.engine is not None:
                self._unsubscribe.append(self.platform.engine.subscribe(self._wake_workflow))
        ours, theirs = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_child_main, args=(theirs, self.spec), name="quizhub-consumers", daemon=True
        )
        process.start()
        theirs.close()
        self._process, self._pipe = process, _Pipe(ours)
        self.starts += 1
        loop.add_reader(ours.fileno(), self._on_message, ours)

    async def stop(self) -> None:
        """Tell the child to stop and wait for it (off this loop, which keeps relaying)."""
        self._stopping = True
        if self._restart is not None:
            self._restart.cancel()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        process, pipe = self._process, self._pipe
        if process is None or pipe is None:
            return
        pipe.send(_STOP)
        await asyncio.to_thread(process.join, STOP_TIMEOUT_S)
        if process.is_alive():
            log.warning("the consumer process did not stop in %s s; terminating it", STOP_TIMEOUT_S)
            process.terminate()
            await asyncio.to_thread(process.join)
        self._close_pipe(pipe.conn)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The current child's process id (None before the first start)."""
        return None if self._process is None else int(self._process.pid)

    @property
    def exitcode(self) -> int | None:
        """The current child's exit code (None while it runs): 0 after a clean stop."""
        return None if self._process is None else self._process.exitcode

    def _wake_queue(self, queue: str) -> None:
        self._wake(_WAKE_QUEUE, queue)

    def _wake_workflow(self, name: str) -> None:
        self._wake(_WAKE_WORKFLOW, name)

    def _wake(self, kind: str, name: str) -> None:
        """Relay a wake-up once the loop is through with what it does now (the request that
        sent usually answers first), from whichever thread the send came."""
        pipe, loop = self._pipe, self._loop
        if pipe is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(pipe.send, kind, name)

    def _on_message(self, conn: Connection) -> None:
        try:
            while conn.poll():
                kind, *args = conn.recv()
                if kind == _READY and self._ready is not None and not self._ready.done():
                    self._ready.set_result(None)
                elif kind == _LIVE:
                    self._spawn(self.platform.live.publish(args[0], args[1]))
                elif kind == _PURGE:
                    self._spawn(self.platform.raw.purger.purge(tags=args[0], urls=args[1]))
        except (EOFError, OSError):
            self._close_pipe(conn)
            if not self._stopping:
                log.error("the consumer process ended; starting it again")
                loop = asyncio.get_running_loop()
                self._restart = loop.call_later(RESTART_DELAY_S, self._start_again)

    def _start_again(self) -> None:
        if not self._stopping:
            self._launch()

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        task.add_done_callback(_report)

    def _close_pipe(self, conn: Connection) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(conn.fileno())
        conn.close()


def _report(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("relaying from the consumer process failed", exc_info=task.exception())
