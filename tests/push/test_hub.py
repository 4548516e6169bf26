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


NOTICE = json.dumps({"type": "job", "phase": "committed", "job": {"jobId": "j1"}})


def test_a_new_socket_is_kept_with_its_attachment_and_greeted() -> None:
    """``connect`` hands the socket to the room with test and time, then says hello."""
    room, socket = Room(), Socket()
    LiveHub(room).connect(socket, "travel", 123)
    assert room.kept == [(socket, {"testId": "travel", "since": 123})]
    assert json.loads(socket.sent[0]) == {"type": "hello", "testId": "travel"}


def test_a_notice_reaches_every_socket_and_a_dead_one_is_skipped() -> None:
    """Two live sockets get the message; a closing one does not stop them."""
    room = Room()
    hub = LiveHub(room)
    alive, dead, other = Socket(), Socket(broken=True), Socket()
    for s in (alive, dead, other):
        room.accept(s, {})
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
