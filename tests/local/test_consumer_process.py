"""The dev server's consumer process (``quizhub.local.host._consumer_process``): a save the
server accepts is processed by the child, its live notices reach a socket served on the
server's loop and its purge reaches the server's cache; a child killed outright is started
again and the save accepted meanwhile is not lost; a stop ends the child cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from quizhub.bindings import SaveMode, Settings
from quizhub.domain.jobs import TERMINAL
from quizhub.local.host._consumer_process import ConsumerProcess, WorkerSpec
from quizhub.local.platform import LocalPlatform, build_platform
from quizhub.push.protocol import live_path, make_ticket
from tests.conftest import sample_doc
from tests.fakes import AUTH, TOKEN, run

TEST_ID = "night-owl"
ORIGIN = "http://127.0.0.1:8787"  # Settings' default public origin
DEADLINE_S = 120.0  # a generous bound on a condition; nothing waits this long when it works


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait (polling) until ``condition()`` holds; fail after ``DEADLINE_S``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE_S
    while not condition():
        if loop.time() > end:
            pytest.fail(f"still waiting for {what}")
        await asyncio.sleep(0.02)


class Socket:
    """An editor's live-status socket, served by the server's endpoint (ASGI) on this loop."""

    def __init__(self, platform: LocalPlatform, test_id: str) -> None:
        b = platform.bindings
        ticket = make_ticket(b.settings.signing_key, test_id, b.clock_ms())
        self.scope = {
            "type": "websocket",
            "path": live_path(test_id),
            "query_string": f"ticket={ticket}".encode(),
            "headers": [(b"origin", ORIGIN.encode())],
            "extensions": {"websocket.http.response": {}},
        }
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.app = platform.live.endpoint(b)
        self.task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        await self.inbox.put({"type": "websocket.connect"})
        self.task = asyncio.create_task(self.app(self.scope, self.inbox.get, self._send))
        await _until(lambda: bool(self.sent), "the socket to be accepted")
        assert self.sent[0] == {"type": "websocket.accept"}

    async def _send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def jobs(self, job_id: str) -> list[str]:
        """The phases pushed for ``job_id``, in order."""
        texts = [m["text"] for m in self.sent if m["type"] == "websocket.send"]
        messages = [json.loads(t) for t in texts if t.startswith("{")]
        return [m["phase"] for m in messages if m["type"] == "job" and m["job"]["jobId"] == job_id]

    async def close(self) -> None:
        await self.inbox.put({"type": "websocket.disconnect", "code": 1000})
        assert self.task is not None
        await self.task


async def _save(
    client: httpx2.AsyncClient, socket: Socket, title: str
) -> tuple[str, Awaitable[None]]:
    """PUT a save; returns its job id and the wait for its last notice on the socket."""
    r = await client.put(f"/api/admin/tests/{TEST_ID}", json=sample_doc(title), headers=AUTH)
    assert r.status_code == 202, r.text
    job_id = r.json()["jobId"]

    def finished() -> bool:
        return any(phase in TERMINAL for phase in socket.jobs(job_id))

    return job_id, _until(finished, f"the last notice of job {job_id}")


async def _title(client: httpx2.AsyncClient) -> str:
    r = await client.get(f"/api/tests/{TEST_ID}")
    assert r.status_code == 200, r.text
    return str(r.json()["title"])


async def _scenario(data_dir: Path, mode: SaveMode) -> None:
    settings = Settings(admin_token=TOKEN, save_mode=mode)
    platform = build_platform(data_dir, settings, rate_limits=False)
    worker = ConsumerProcess(platform, WorkerSpec(data_dir, settings, rate_limits=False))
    client = httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=platform.app()), base_url="http://dev"
    )
    socket = Socket(platform, TEST_ID)
    try:
        await worker.start()
        await socket.open()

        first, finished = await _save(client, socket, "첫 번째 제목")
        await finished
        assert socket.jobs(first)[-1] == "succeeded"
        assert await _title(client) == "첫 번째 제목"  # now in the server's cache

        second, finished = await _save(client, socket, "두 번째 제목")
        await finished
        assert socket.jobs(second)[-1] == "succeeded"
        assert await _title(client) == "두 번째 제목"  # the child's purge reached the cache

        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)  # the child dies; the server accepts on
        third, finished = await _save(client, socket, "세 번째 제목")
        await finished  # a new child delivered the save the durable queue kept
        assert socket.jobs(third)[-1] == "succeeded"
        assert worker.starts == 2
        assert await _title(client) == "세 번째 제목"
    finally:
        await socket.close()
        await worker.stop()
        await client.aclose()
        platform.close()
    assert worker.exitcode == 0  # stopped when told, not terminated


@pytest.mark.parametrize("mode", ["queue", "workflow"])
def test_saves_run_in_the_child_and_their_notices_reach_the_servers_socket(
    tmp_path: Path, mode: SaveMode
) -> None:
    run(_scenario(tmp_path / "data", mode))
