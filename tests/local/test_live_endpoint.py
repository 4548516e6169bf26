"""The dev server's live-status WebSocket endpoint (ASGI), fed by the in-process hub: greeting,
broadcast, single-use tickets and refusals with the API Worker's HTTP statuses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.local.host._gateway import Gateway
from quizhub.local.platform import LocalPlatform
from quizhub.push.protocol import TICKET_TTL_SECONDS, live_path, make_ticket
from tests.fakes import FakeClock, make_platform, run

ORIGIN = "http://127.0.0.1:8787"  # Settings' default public origin


@pytest.fixture
def platform(tmp_path: Path, clock: FakeClock) -> Iterator[LocalPlatform]:
    p = make_platform(tmp_path, clock)
    yield p
    p.close()


def _scope(
    platform: LocalPlatform,
    test_id: str,
    *,
    origin: str = ORIGIN,
    path: str | None = None,
    http_response: bool = True,
    **ticket: Any,
) -> Any:
    """An upgrade's scope, with a fresh ticket unless ``ticket=`` or ``for_test=`` say otherwise;
    ``http_response``: the server offers the ``websocket.http.response`` extension (uvicorn)."""
    b = platform.bindings
    made = make_ticket(b.settings.signing_key, ticket.get("for_test", test_id), b.clock_ms())
    headers = [(b"origin", origin.encode())] if origin else []
    return {
        "type": "websocket",
        "path": path or live_path(test_id),
        "query_string": f"ticket={ticket.get('ticket', made)}".encode(),
        "headers": headers,
        "extensions": {"websocket.http.response": {}} if http_response else {},
    }


async def _session(
    platform: LocalPlatform, scope: Any, script: list[Any], app: Any = None
) -> list[dict[str, Any]]:
    """Run the endpoint (or ``app``): connect, then for each item either send a text frame (str)
    or run a coroutine function (e.g. publish), then disconnect; returns what it sent."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []
    accepted = asyncio.Event()

    async def receive() -> dict[str, Any]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] in (
            "websocket.accept",
            "websocket.close",
            "websocket.http.response.body",
        ):
            accepted.set()

    await inbox.put({"type": "websocket.connect"})
    app = app or platform.live.endpoint(platform.bindings)
    task = asyncio.create_task(app(scope, receive, send))
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
    """Accepted, a hello and the presence count, then a job message published to the test,
    then pong for ping."""
    notice = {"type": "job", "phase": "committed", "job": {"jobId": "j1"}}

    async def publish() -> None:
        await platform.bindings.live.publish("travel", notice)  # type: ignore[union-attr]

    sent = run(_session(platform, _scope(platform, "travel"), [publish, "ping"]))
    assert sent[0] == {"type": "websocket.accept"}
    hello = {"type": "hello", "testId": "travel"}
    assert _texts(sent) == [hello, {"type": "presence", "editors": 1}, notice]
    assert {"type": "websocket.send", "text": "pong"} in sent
    assert platform.live.listeners("travel") == 0  # gone after the disconnect


def _refusal(sent: list[dict[str, Any]]) -> tuple[int, str]:
    """(HTTP status, error code) of an upgrade refused through ``websocket.http.response``."""
    start, body = sent
    assert start["type"] == "websocket.http.response.start", sent
    assert (b"content-type", b"application/json") in start["headers"]
    assert body["type"] == "websocket.http.response.body"
    return start["status"], json.loads(body["body"])["error"]["code"]


@pytest.mark.parametrize(
    ("scope_options", "status"),
    [
        ({"ticket": "123.abc"}, 401),  # forged
        ({"ticket": ""}, 401),  # none
        ({"for_test": "another"}, 401),  # another test's ticket
        ({"origin": "https://evil.example"}, 403),  # a foreign page
        ({"origin": ""}, 403),  # no Origin at all
        ({"path": "/api/live/tests/Bad_Id"}, 404),  # not a live path
    ],
)
def test_a_refused_upgrade_gets_the_api_workers_status(
    platform: LocalPlatform, scope_options: dict[str, Any], status: int
) -> None:
    """Answered with an HTTP status instead of accepted, as on Cloudflare: 401 without a valid
    ticket for that test, 403 from another Origin, 404 off the live paths."""
    sent = run(_session(platform, _scope(platform, "travel", **scope_options), []))
    assert _refusal(sent)[0] == status
    assert platform.live.listeners("travel") == 0


def test_an_expired_ticket_is_refused(platform: LocalPlatform, clock: FakeClock) -> None:
    """A ticket older than its lifetime no longer opens the socket (401)."""
    scope = _scope(platform, "travel")
    clock.advance(TICKET_TTL_SECONDS * 1000 + 1)
    sent = run(_session(platform, scope, []))
    assert _refusal(sent) == (401, "ticket_invalid")


def test_a_ticket_opens_one_socket_only(platform: LocalPlatform, clock: FakeClock) -> None:
    """The first upgrade is accepted; the same ticket again, within its lifetime and while the
    first socket is still open, is refused with 401 (twice); a new ticket opens a new socket."""
    scope = _scope(platform, "travel")
    seen: dict[str, Any] = {}

    async def reuse_while_open() -> None:
        seen["open"] = platform.live.listeners("travel")
        seen["again"] = [await _session(platform, scope, []) for _ in range(2)]
        clock.advance(1000)
        seen["fresh"] = await _session(platform, _scope(platform, "travel"), [])

    first = run(_session(platform, scope, [reuse_while_open]))
    assert first[0] == {"type": "websocket.accept"}
    assert seen["open"] == 1
    assert [_refusal(sent) for sent in seen["again"]] == [(401, "ticket_spent")] * 2
    assert seen["fresh"][0] == {"type": "websocket.accept"}


def test_a_spent_ticket_is_refused_after_its_socket_closed(platform: LocalPlatform) -> None:
    """Closing the socket does not give the ticket back."""
    scope = _scope(platform, "travel")
    assert run(_session(platform, scope, []))[0] == {"type": "websocket.accept"}
    assert _refusal(run(_session(platform, scope, []))) == (401, "ticket_spent")


def test_a_refused_upgrade_does_not_spend_its_ticket(platform: LocalPlatform) -> None:
    """A ticket presented from a foreign page (403) still opens the editor's own socket."""
    scope = _scope(platform, "travel")
    foreign = {**scope, "headers": [(b"origin", b"https://evil.example")]}
    assert _refusal(run(_session(platform, foreign, []))) == (403, "origin_forbidden")
    assert run(_session(platform, scope, []))[0] == {"type": "websocket.accept"}


def test_without_live_status_bound_an_upgrade_is_503(platform: LocalPlatform) -> None:
    """Bindings without a live channel: 503, as the API Worker answers without LIVE_STATUS."""
    app = platform.live.endpoint(replace(platform.bindings, live=None))
    sent = run(_session(platform, _scope(platform, "travel"), [], app=app))
    assert _refusal(sent) == (503, "live_not_bound")


def test_a_server_without_http_responses_can_only_close_the_handshake(
    platform: LocalPlatform,
) -> None:
    """Without the ``websocket.http.response`` extension a refusal closes the handshake."""
    scope = _scope(platform, "travel", ticket="123.abc", http_response=False)
    assert run(_session(platform, scope, [])) == [{"type": "websocket.close", "code": 1008}]


async def _get(app: Any, path: str) -> tuple[int, dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
    await app(scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


def test_a_plain_request_to_a_live_path_is_426(platform: LocalPlatform) -> None:
    """The dev server's front door sends ``/api/live/`` to the endpoint: a request without an
    upgrade is 426 on a live path and 404 elsewhere under ``/api/live/``."""

    async def api(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("live paths never reach the API app")

    gateway = Gateway(api, None, None, platform.live.endpoint(platform.bindings))
    status, body = run(_get(gateway, live_path("travel")))
    assert (status, body["error"]["code"]) == (426, "upgrade_required")
    assert run(_get(gateway, "/api/live/elsewhere"))[0] == 404


def test_the_front_door_hands_upgrades_to_the_endpoint(platform: LocalPlatform) -> None:
    """Through the Gateway: a good ticket is accepted, the same ticket again is 401."""
    gateway = Gateway(None, None, None, platform.live.endpoint(platform.bindings))
    scope = _scope(platform, "travel")
    assert run(_session(platform, scope, [], app=gateway))[0] == {"type": "websocket.accept"}
    assert _refusal(run(_session(platform, scope, [], app=gateway)))[0] == 401
