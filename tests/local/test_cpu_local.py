"""The local platform's ``CpuWork``: the dev server's child process, and its survival."""

from __future__ import annotations

import asyncio
import os

import pytest

from quizhub.domain.cards import card_texts
from quizhub.local.cpu import WorkerProcess
from quizhub.pipeline.card_art import draw_card
from tests.conftest import sample_doc


def test_the_worker_process_draws_in_its_own_process_and_survives_its_death() -> None:
    """``WorkerProcess`` (``make dev``) runs the work in a child: the same card bytes as drawn
    here, the child's own pid, an exception of the work raised to the caller; if the child
    dies, that call fails with a message and the next call starts a new child."""
    text = card_texts("travel", sample_doc())[1]
    cpu = WorkerProcess()

    async def both() -> tuple[bytes, int]:
        return await cpu.run(draw_card, text), await cpu.run(os.getpid)

    try:
        png, pid = asyncio.run(both())
        assert png == draw_card(text) and pid != os.getpid()
        with pytest.raises(ZeroDivisionError):
            asyncio.run(cpu.run(divmod, 1, 0))
        pool = cpu._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # the child dies (OOM, kill -9)
            process.kill()
            process.join()
        with pytest.raises(RuntimeError, match="worker process stopped"):
            asyncio.run(cpu.run(os.getpid))
        assert asyncio.run(cpu.run(os.getpid)) not in (pid, os.getpid())
    finally:
        cpu.close()
