"""The dev server's header deadline: a client that sends its headers too slowly reads a 408 and
loses the connection; whole requests, also a second one on a kept-alive connection, are served.
(A real uvicorn server on a free port, with the deadline shortened to 0.3 s.)"""

from __future__ import annotations

import asyncio
from typing import Any

from quizhub.local.host._protocol import HeaderDeadlineH11
from tests.fakes import run
from tests.local._support import uvicorn_on_free_port


class _Short(HeaderDeadlineH11):
    header_timeout_s = 0.3


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
# How the answer of ``_app`` ends (no content-length: HTTP/1.1 chunked, then the last chunk).
ANSWER_END = b"ok\r\n0\r\n\r\n"


async def _exchange(port: int, parts: list[bytes]) -> bytes:
    """Send ``parts`` in order, each after the answer to the one before it is complete; return
    all that was read up to the server closing the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = b""
    for i, part in enumerate(parts):
        if i:
            data += await asyncio.wait_for(reader.readuntil(ANSWER_END), 5)
        writer.write(part)
        await writer.drain()
    data += await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return data


def test_headers_that_never_finish_get_a_408_and_the_connection_closes() -> None:
    async def scenario() -> bytes:
        async with uvicorn_on_free_port(_app, _Short) as port:
            return await _exchange(port, [b"GET / HTTP/1.1\r\nHost: x\r\n"])

    answer = run(scenario())
    assert answer.startswith(b"HTTP/1.1 408") and b'"code": "timeout"' in answer


def test_a_slow_second_request_on_a_kept_alive_connection_also_times_out() -> None:
    async def scenario() -> bytes:
        async with uvicorn_on_free_port(_app, _Short) as port:
            return await _exchange(port, [REQUEST, b"GET / HTTP/1.1\r\n"])

    answer = run(scenario())
    assert answer.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 408" in answer


def test_whole_requests_are_served() -> None:
    async def scenario() -> bytes:
        async with uvicorn_on_free_port(_app, _Short) as port:
            close = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            return await _exchange(port, [close])

    answer = run(scenario())
    assert answer.startswith(b"HTTP/1.1 200") and b"ok" in answer and b"408" not in answer
