"""The live status on the local platform: one in-process hub per test (the Durable Object's
logic, ``quizhub.push.hub``) behind the dev server's WebSocket endpoint, fed by the local
pipeline through the ``LiveChannel`` port.

The endpoint checks what the API Worker checks before it hands an upgrade to the Durable Object
(``quizhub.push.protocol``: the ticket, the test it is for, its lifetime, the ``Origin``); a
refused upgrade is closed before it is accepted (the client sees HTTP 403).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote

from quizhub.bindings import Bindings
from quizhub.push.hub import LiveHub
from quizhub.push.protocol import test_id_of, upgrade_refusal

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
    """The sockets of one test (what the Durable Object's state keeps on Cloudflare)."""

    def __init__(self) -> None:
        self._sockets: list[LocalSocket] = []

    def accept(self, socket: Any, attachment: dict[str, Any]) -> None:
        socket.attachment = attachment
        self._sockets.append(socket)

    def sockets(self) -> Sequence[LocalSocket]:
        self._sockets = [s for s in self._sockets if s.open]
        return list(self._sockets)


class LocalLive:
    """``LiveChannel`` for the pipeline and the WebSocket endpoint for the dev server."""

    def __init__(self) -> None:
        self.rooms: dict[str, LocalRoom] = {}

    def hub(self, test_id: str) -> LiveHub:
        return LiveHub(self.rooms.setdefault(test_id, LocalRoom()))

    async def publish(self, test_id: str, message: dict[str, Any]) -> None:
        self.hub(test_id).publish(json.dumps(message, ensure_ascii=False))

    def listeners(self, test_id: str) -> int:
        """How many sockets have ``test_id`` open."""
        room = self.rooms.get(test_id)
        return len(room.sockets()) if room else 0

    def endpoint(self, b: Bindings) -> Callable[[Message, Receive, Send], Awaitable[None]]:
        """The ASGI app of ``/api/live/tests/{id}?ticket=…`` (websocket scopes)."""

        async def app(scope: Message, receive: Receive, send: Send) -> None:
            test_id = self.admit(scope, b)
            if (await receive())["type"] != "websocket.connect":
                return
            if test_id is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            await send({"type": "websocket.accept"})
            await self._serve(test_id, receive, send, b.clock_ms())

        return app

    @staticmethod
    def admit(scope: Message, b: Bindings) -> str | None:
        """The test id when the upgrade may go on: a live path, a valid ticket for that test,
        the site's ``Origin``."""
        test_id = test_id_of(unquote(scope.get("path", "")))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        ticket = (query.get("ticket") or [""])[0]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if test_id is None:
            return None
        s, origin = b.settings, headers.get("origin")
        refusal = upgrade_refusal(
            s.signing_key, s.public_origin, test_id, ticket, origin, b.clock_ms()
        )
        if refusal is not None:
            log.info("live socket for %s refused (origin %r): %s", test_id, origin, refusal[2])
            return None
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
            await asyncio.gather(writer, return_exceptions=True)


async def _write(socket: LocalSocket, send: Send) -> None:
    while (text := await socket.outbox.get()) is not None:
        try:
            await send({"type": "websocket.send", "text": text})
        except Exception:  # noqa: BLE001 - the browser went away; the reader ends the socket
            socket.open = False
            return
