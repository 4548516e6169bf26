"""``CpuWork`` on the local platform: a worker thread.

The dev server answers requests from the event loop its consumers run on, so a step's
CPU-bound work (a preview card is ~30 ms of drawing and PNG encoding) would hold every request
behind it. On a thread the loop stays free while Pillow works: Pillow releases the interpreter
lock while it resamples and encodes, and the Python between those calls is short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["WorkerThread"]

T = TypeVar("T")


class WorkerThread:
    """Run each piece of work on the loop's default thread pool."""

    async def run(self, fn: Callable[..., T], /, *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)
