"""The live status on the local platform: one in-process hub per test (the Durable Object's
logic, ``quizhub.push.hub``) behind the dev server's WebSocket endpoint, fed by the local
pipeline through the ``LiveChannel`` port.

The endpoint checks what the API Worker checks before it hands an upgrade to the Durable Object
(``quizhub.push.protocol``: the ticket, the test it is for, its lifetime, the ``Origin``), then
spends the ticket in the test's record like the object does (``quizhub.push.tickets``). Refusals
have the API Worker's statuses and bodies: a plain request to a live path is 426; a refused
upgrade is answered with its HTTP status (401, 403, 404, 503) through the ASGI
``websocket.http.response`` extension, which uvicorn offers (a server without it can only close
the handshake, which its client sees as 403).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote

from quizhub.bindings import Bindings
from quizhub.edge.guard import Rejection
from quizhub.errors import Code
from quizhub.push.hub import LiveHub
from quizhub.push.protocol import (
    NOT_AN_UPGRADE,
    NOT_BOUND,
    TICKET_SPENT,
    test_id_of,
    upgrade_refusal,
)
from quizhub.push.tickets import MemoryTicketStorage, spend_ticket

__all__ = ["LocalLive", "LocalSocket", "LocalRoom"]

log = logging.getLogger("quizhub.local.push")

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class LocalSocket:
    """A WebSocket of the dev server: ``send`` queues (never blocks); a writer task sends."""

    def __init__(self) -> None:
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.open = True
        self.attachment: dict[str, Any] = {}

    def send(self, text: str) -> None:
        if not self.open:
            raise ConnectionError("the socket is closed")
        self.outbox.put_nowait(text)

    def close(self) -> None:
        self.open = False
        self.outbox.put_nowait(None)


class LocalRoom:
    """The sockets and spent tickets of one test (what the Durable Object's state keeps on
    Cloudflare)."""

    def __init__(self) -> None:
        self._sockets: list[LocalSocket] = []
        self.spent = MemoryTicketStorage()

    def accept(self, socket: Any, attachment: dict[str, Any]) -> None:
        socket.attachment = attachment
        self._sockets.append(socket)

    def sockets(self) -> Sequence[LocalSocket]:
        self._sockets = [s for s in self._sockets if s.open]
        return list(self._sockets)

    def attachment(self, socket: Any) -> dict[str, Any]:
        kept: dict[str, Any] = socket.attachment
        return kept


class LocalLive:
    """``LiveChannel`` for the pipeline and the WebSocket endpoint for the dev server."""

    def __init__(self) -> None:
        self.rooms: dict[str, LocalRoom] = {}

    def hub(self, test_id: str) -> LiveHub:
        """The hub over ``test_id``'s room."""
        return LiveHub(self.room(test_id))

    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        self.hub(test_id).publish(json.dumps(message, ensure_ascii=False))

    def listeners(self, test_id: str) -> int:
        """How many sockets have ``test_id`` open."""
        room = self.rooms.get(test_id)
        return len(room.sockets()) if room else 0

    def room(self, test_id: str) -> LocalRoom:
        """``test_id``'s room (made on first use, like the object of a name)."""
        return self.rooms.setdefault(test_id, LocalRoom())

    def endpoint(self, b: Bindings) -> Callable[[Message, Receive, Send], Awaitable[None]]:
        """The ASGI app of ``/api/live/…``: the WebSocket of ``/api/live/tests/{id}?ticket=…``
        (websocket scopes); plain HTTP requests are refused (426 on a live path, else 404)."""

        async def app(scope: Message, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                await _answer(send, _plain_refusal(scope.get("path", "")))
                return
            if (await receive())["type"] != "websocket.connect":
                return
            admitted = await self.admit(scope, b)
            if isinstance(admitted, Rejection):
                await _refuse_upgrade(scope, send, admitted)
                return
            await send({"type": "websocket.accept"})
            await self._serve(admitted, receive, send, b.clock_ms())

        return app

    async def admit(self, scope: Message, b: Bindings) -> str | Rejection:
        """The test id when the upgrade may go on, else its refusal, in the order the API Worker
        and the object check: a live path (404), a valid ticket for that test (401), the site's
        ``Origin`` (403), live status bound (503), the ticket not spent before (401)."""
        path = unquote(scope.get("path", ""))
        test_id = test_id_of(path)
        if test_id is None:
            return Rejection(404, Code.NOT_A_LIVE_PATH, path)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        ticket = (query.get("ticket") or [""])[0]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        s, origin, now_ms = b.settings, headers.get("origin"), b.clock_ms()
        refusal = upgrade_refusal(s.signing_key, s.public_origin, test_id, ticket, origin, now_ms)
        if refusal is None and b.live is None:
            refusal = NOT_BOUND
        if refusal is None and not await spend_ticket(self.room(test_id).spent, ticket, now_ms):
            refusal = TICKET_SPENT
        if refusal is not None:
            log.info("live socket for %s refused (origin %r): %s", test_id, origin, refusal[2])
            return Rejection(*refusal)
        return test_id

    async def _serve(self, test_id: str, receive: Receive, send: Send, now_ms: int) -> None:
        socket = LocalSocket()
        hub = self.hub(test_id)
        hub.connect(socket, test_id, now_ms)
        writer = asyncio.create_task(_write(socket, send))
        try:
            while True:
                event = await receive()
                if event["type"] != "websocket.receive":
                    break
                reply = hub.reply(event.get("text") or event.get("bytes") or "")
                if reply is not None:
                    socket.send(reply)
        finally:
            socket.close()
            hub.leave(socket)
            await asyncio.gather(writer, return_exceptions=True)


async def _write(socket: LocalSocket, send: Send) -> None:
    while (text := await socket.outbox.get()) is not None:
        try:
            await send({"type": "websocket.send", "text": text})
        except Exception:  # noqa: BLE001 - the browser went away; the reader ends the socket
            socket.open = False
            return


def _plain_refusal(path: str) -> Rejection:
    """A plain HTTP request under ``LIVE_ROOT``: 426 on a live path, 404 elsewhere."""
    path = unquote(path)
    return (
        Rejection(*NOT_AN_UPGRADE)
        if test_id_of(path)
        else Rejection(404, Code.NOT_A_LIVE_PATH, path)
    )


def _head(rejection: Rejection) -> tuple[list[tuple[bytes, bytes]], bytes]:
    body = rejection.body()
    headers = {**rejection.all_headers(), "Content-Length": str(len(body))}
    return [(k.lower().encode(), v.encode()) for k, v in headers.items()], body


async def _answer(send: Send, rejection: Rejection) -> None:
    headers, body = _head(rejection)
    await send({"type": "http.response.start", "status": rejection.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse_upgrade(scope: Message, send: Send, rejection: Rejection) -> None:
    """Answer a refused upgrade with the rejection's HTTP status and body when the server has
    the ``websocket.http.response`` extension; otherwise close the handshake (seen as 403)."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    headers, body = _head(rejection)
    start = {"type": "websocket.http.response.start", "status": rejection.status}
    await send({**start, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})
