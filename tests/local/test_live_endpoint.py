"""The dev server's live-status WebSocket endpoint (ASGI), fed by the in-process hub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.local.platform import LocalPlatform
from quizhub.push.protocol import TICKET_TTL_SECONDS, live_path, make_ticket
from tests.fakes import FakeClock, make_platform, run

ORIGIN = "http://127.0.0.1:8787"  # Settings' default public origin


@pytest.fixture
def platform(tmp_path: Path, clock: FakeClock) -> Iterator[LocalPlatform]:
    p = make_platform(tmp_path, clock)
    yield p
    p.close()


def _scope(platform: LocalPlatform, test_id: str, *, origin: str = ORIGIN, **ticket: Any) -> Any:
    b = platform.bindings
    made = make_ticket(b.settings.signing_key, ticket.get("for_test", test_id), b.clock_ms())
    headers = [(b"origin", origin.encode())] if origin else []
    return {
        "type": "websocket",
        "path": live_path(test_id),
        "query_string": f"ticket={ticket.get('ticket', made)}".encode(),
        "headers": headers,
    }


async def _session(platform: LocalPlatform, scope: Any, script: list[Any]) -> list[dict[str, Any]]:
    """Run the endpoint: connect, then for each item either send a text frame (str) or run a
    coroutine function (e.g. publish), then disconnect; returns what the endpoint sent."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []
    accepted = asyncio.Event()

    async def receive() -> dict[str, Any]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] in ("websocket.accept", "websocket.close"):
            accepted.set()

    await inbox.put({"type": "websocket.connect"})
    task = asyncio.create_task(platform.live.endpoint(platform.bindings)(scope, receive, send))
    await accepted.wait()
    for step in script:
        if isinstance(step, str):
            await inbox.put({"type": "websocket.receive", "text": step})
        else:
            await step()
        for _ in range(5):
            await asyncio.sleep(0)  # let the endpoint's reader and writer run
    await inbox.put({"type": "websocket.disconnect", "code": 1000})
    await task
    return sent


def _texts(sent: list[dict[str, Any]]) -> list[Any]:
    return [
        json.loads(m["text"]) for m in sent if m["type"] == "websocket.send" and m["text"][0] == "{"
    ]


def test_a_ticketed_socket_is_greeted_and_hears_its_tests_jobs(platform: LocalPlatform) -> None:
    """Accepted, a hello, then a job message published to the test, then pong for ping."""
    notice = {"type": "job", "phase": "committed", "job": {"jobId": "j1"}}

    async def publish() -> None:
        await platform.bindings.live.publish("travel", notice)  # type: ignore[union-attr]

    sent = run(_session(platform, _scope(platform, "travel"), [publish, "ping"]))
    assert sent[0] == {"type": "websocket.accept"}
    assert _texts(sent) == [{"type": "hello", "testId": "travel"}, notice]
    assert {"type": "websocket.send", "text": "pong"} in sent
    assert platform.live.listeners("travel") == 0  # gone after the disconnect


@pytest.mark.parametrize(
    "scope_options",
    [
        {"ticket": "123.abc"},  # forged
        {"for_test": "another"},  # another test's ticket
        {"origin": "https://evil.example"},  # a foreign page
        {"origin": ""},  # no Origin at all
    ],
)
def test_an_upgrade_without_a_valid_ticket_or_origin_is_refused(
    platform: LocalPlatform, scope_options: dict[str, Any]
) -> None:
    """Closed before it is accepted (the browser sees the handshake fail)."""
    sent = run(_session(platform, _scope(platform, "travel", **scope_options), []))
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_an_expired_ticket_is_refused(platform: LocalPlatform, clock: FakeClock) -> None:
    """A ticket older than its lifetime no longer opens the socket."""
    scope = _scope(platform, "travel")
    clock.advance(TICKET_TTL_SECONDS * 1000 + 1)
    sent = run(_session(platform, scope, []))
    assert sent == [{"type": "websocket.close", "code": 1008}]
