"""The dev server's body limits over a real connection: a chunked GET body over the stray limit is
a 413, a small one reaches the app whole, and a body that stops coming is a 408 that closes the
connection. (A real uvicorn server with the dev server's protocol on a free port, the guard's
whole-body deadline shortened to 0.1 s.)"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from quizhub.edge.guard import STRAY_BODY_LIMIT, GuardMiddleware
from quizhub.local.host._protocol import HeaderDeadlineH11
from quizhub.local.platform import with_env
from tests.fakes import TOKEN, FakeClock, make_platform, run
from tests.local._support import uvicorn_on_free_port


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with the size of the body it got."""
    size = 0
    while True:
        event = await receive()
        size += len(event.get("body", b""))
        if not event.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": f"size={size}".encode()})


def _guarded(tmp_path: Path) -> Any:
    bindings = make_platform(tmp_path, FakeClock()).bindings
    return with_env(GuardMiddleware(_app, body_timeout_s=0.1), bindings)


def _chunked(head: str, body: bytes, *, last: bool = True) -> bytes:
    """A request with ``body`` as one chunk; without ``last`` the body never ends."""
    chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"
    return head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + chunk + (b"0\r\n\r\n" * last)


async def _exchange(port: int, request: bytes) -> bytes:
    """Send ``request``; return all that was read up to the server closing the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return data


GET = "GET /api/tests HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"


def test_a_chunked_get_body_over_the_stray_limit_is_413(tmp_path: Path) -> None:
    async def scenario() -> bytes:
        async with uvicorn_on_free_port(_guarded(tmp_path), HeaderDeadlineH11) as port:
            return await _exchange(port, _chunked(GET, b"x" * (4 * STRAY_BODY_LIMIT)))

    answer = run(scenario())
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert f'"limit": {STRAY_BODY_LIMIT}'.encode() in answer


def test_a_small_chunked_get_body_reaches_the_app_whole(tmp_path: Path) -> None:
    async def scenario() -> bytes:
        async with uvicorn_on_free_port(_guarded(tmp_path), HeaderDeadlineH11) as port:
            return await _exchange(port, _chunked(GET, b"x" * 100))

    answer = run(scenario())
    assert answer.startswith(b"HTTP/1.1 200") and b"size=100" in answer


def test_a_body_that_stops_coming_gets_408_and_the_connection_closes(tmp_path: Path) -> None:
    async def scenario() -> bytes:
        head = f"PUT /api/admin/tests/t HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        async with uvicorn_on_free_port(_guarded(tmp_path), HeaderDeadlineH11) as port:
            return await _exchange(port, _chunked(head, b"{", last=False))

    answer = run(scenario())  # read() returned: the server closed the connection
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"connection: close" in answer.lower() and b'"code": "timeout"' in answer
