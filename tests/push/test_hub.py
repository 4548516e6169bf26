"""The Durable Object's logic on CPython: accept, greet, broadcast, skip a dead socket, ping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quizhub.push.hub import BadNotice, LiveHub
from quizhub.push.protocol import PING, PONG


class Socket:
    def __init__(self, broken: bool = False) -> None:
        self.sent: list[str] = []
        self.broken = broken

    def send(self, text: str) -> None:
        if self.broken:
            raise ConnectionError("closed")
        self.sent.append(text)


class Room:
    def __init__(self) -> None:
        self.kept: list[tuple[Any, dict[str, Any]]] = []

    def accept(self, socket: Any, attachment: dict[str, Any]) -> None:
        self.kept.append((socket, attachment))

    def sockets(self) -> list[Any]:
        return [s for s, _ in self.kept]

    def attachment(self, socket: Any) -> dict[str, Any]:
        return next(a for s, a in self.kept if s is socket)


NOTICE = json.dumps({"type": "job", "phase": "committed", "job": {"jobId": "j1"}})


def test_a_new_socket_is_kept_with_its_attachment_and_greeted() -> None:
    """``connect`` hands the socket to the room with test, time and an id of its own, then says
    hello and how many sockets have the test open."""
    room, socket = Room(), Socket()
    LiveHub(room).connect(socket, "travel", 123)
    [(kept, attachment)] = room.kept
    assert kept is socket
    assert attachment == {"testId": "travel", "since": 123, "socket": attachment["socket"]}
    assert [json.loads(m) for m in socket.sent] == [
        {"type": "hello", "testId": "travel"},
        {"type": "presence", "editors": 1},
    ]


def test_every_editor_hears_who_else_has_the_test_open() -> None:
    """A second socket makes every socket hear ``editors: 2``; when one closes, the other
    hears ``editors: 1`` (the closing socket is still listed by the room while it closes)."""
    room = Room()
    hub = LiveHub(room)
    first, second = Socket(), Socket()
    hub.connect(first, "travel", 1)
    hub.connect(second, "travel", 2)
    assert json.loads(first.sent[-1]) == {"type": "presence", "editors": 2}
    assert json.loads(second.sent[-1]) == {"type": "presence", "editors": 2}
    assert hub.leave(second) == 1
    assert json.loads(first.sent[-1]) == {"type": "presence", "editors": 1}
    assert json.loads(second.sent[-1]) == {"type": "presence", "editors": 2}  # told nothing


def test_a_notice_reaches_every_socket_and_a_dead_one_is_skipped() -> None:
    """Two live sockets get the message; a closing one does not stop them."""
    room = Room()
    hub = LiveHub(room)
    alive, dead, other = Socket(), Socket(broken=True), Socket()
    for s in (alive, dead, other):
        room.accept(s, {"socket": str(id(s))})
    assert hub.publish(NOTICE) == 2
    assert [json.loads(s.sent[-1])["phase"] for s in (alive, other)] == ["committed"] * 2


@pytest.mark.parametrize("notice", ["not json", "[]", '{"type": "hello"}'])
def test_a_notice_that_is_not_a_job_message_is_refused(notice: str) -> None:
    """Only ``{"type": "job", …}`` is broadcast."""
    with pytest.raises(BadNotice):
        LiveHub(Room()).publish(notice)


def test_ping_is_answered_pong_and_nothing_else_is_answered() -> None:
    """The keep-alive works as text or bytes; other messages get no reply."""
    assert LiveHub.reply(PING) == PONG
    assert LiveHub.reply(PING.encode()) == PONG
    assert LiveHub.reply("hello") is None
