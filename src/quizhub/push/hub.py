"""The live-status Durable Object's logic, as plain Python (tested on CPython).

One hub per test. Sockets are kept by a ``Room``: on Cloudflare the Durable Object's state with
the hibernation API (``acceptWebSocket``, ``getWebSockets``; an idle object is evicted from
memory while its sockets stay open), locally a set of in-process sockets. The hub keeps nothing
itself, so a hub rebuilt after hibernation sees every socket again.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from typing import Any, Protocol

from quizhub.push.protocol import PING, PONG, hello_message, presence_message

__all__ = ["LiveSocket", "Room", "LiveHub", "BadNotice"]

log = logging.getLogger("quizhub.push")


class LiveSocket(Protocol):
    def send(self, text: str) -> None:
        """Queue ``text`` on the socket (raises when the socket is closed)."""


class Room(Protocol):
    def accept(self, socket: Any, attachment: dict[str, Any]) -> None:
        """Keep ``socket`` (server side, already upgraded) with ``attachment``."""

    def sockets(self) -> Sequence[LiveSocket]:
        """Every socket still open."""

    def attachment(self, socket: Any) -> dict[str, Any]:
        """What ``accept`` kept with ``socket``."""


class BadNotice(ValueError):
    """A notice that is not a live-status message (the sender has a bug)."""


class LiveHub:
    """Accept sockets into the room, broadcast job messages and presence to all of them, answer
    pings."""

    def __init__(self, room: Room) -> None:
        self.room = room

    def connect(self, socket: Any, test_id: str, now_ms: int) -> None:
        """A new editor's socket: keep it (with the test, the time and an id of its own as its
        attachment), greet it, and tell every socket of the test how many are open now."""
        socket_id = secrets.token_hex(8)
        self.room.accept(socket, {"testId": test_id, "since": now_ms, "socket": socket_id})
        socket.send(hello_message(test_id))
        sockets = self.room.sockets()
        self._broadcast(presence_message(len(sockets)), sockets)

    def leave(self, socket: Any) -> int:
        """``socket`` closed: tell the others how many remain (the room may still list the
        closing socket while its close is handled); returns that number."""
        gone = self.room.attachment(socket).get("socket")
        others = [s for s in self.room.sockets() if self.room.attachment(s).get("socket") != gone]
        self._broadcast(presence_message(len(others)), others)
        return len(others)

    def publish(self, notice: str | bytes) -> int:
        """Send a job message (JSON text, as the pipeline's notify posts it) to every socket;
        returns how many took it. A socket that fails is skipped (it is closing)."""
        try:
            message = json.loads(notice)
        except ValueError:
            raise BadNotice("a notice must be JSON") from None
        if not isinstance(message, dict) or message.get("type") != "job":
            raise BadNotice('a notice must be {"type": "job", "phase", "job"}')
        return self._broadcast(json.dumps(message, ensure_ascii=False), self.room.sockets())

    @staticmethod
    def _broadcast(text: str, sockets: Sequence[LiveSocket]) -> int:
        sent = 0
        for socket in sockets:
            try:
                socket.send(text)
                sent += 1
            except Exception as exc:  # noqa: BLE001 - one closing socket must not stop the rest
                log.info("live socket dropped a message: %s", exc)
        return sent

    @staticmethod
    def reply(message: str | bytes) -> str | None:
        """What a browser's message gets back: ``pong`` for ``ping``, nothing otherwise."""
        return PONG if message in (PING, PING.encode()) else None
