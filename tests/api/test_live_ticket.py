"""``POST /api/admin/tests/{id}/ws-ticket``: the ticket for the live-status WebSocket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quizhub.edge.guard import Rejection
from quizhub.push.protocol import TICKET_TTL_SECONDS, live_path, verify_ticket
from tests.api.conftest import AUTH, Api, make_api
from tests.fakes import FakeClock, run


def test_an_editor_gets_a_short_lived_ticket_for_that_test(
    tmp_path: Path, clock: FakeClock
) -> None:
    """200 ``{ticket, url, expiresIn}``: valid for this test, in the socket URL, never cached."""
    api = make_api(tmp_path, clock)
    r = api.client.post("/api/admin/tests/travel/ws-ticket", headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expiresIn"] == TICKET_TTL_SECONDS
    assert body["url"] == f"{live_path('travel')}?ticket={body['ticket']}"
    key = api.b.settings.signing_key
    assert verify_ticket(key, body["ticket"], "travel", clock())
    assert not verify_ticket(key, body["ticket"], "other", clock())
    assert r.headers["Cache-Control"] == "no-store"
    api.platform.close()


def test_a_ticket_needs_the_admin_token(tmp_path: Path, clock: FakeClock) -> None:
    """Without credentials: 401, no ticket."""
    api = make_api(tmp_path, clock)
    r = api.client.post("/api/admin/tests/travel/ws-ticket")
    assert r.status_code == 401
    api.platform.close()


def test_no_ticket_where_live_status_is_not_bound(tmp_path: Path, clock: FakeClock) -> None:
    """404 when the platform has no live channel: the editor polls instead."""
    from dataclasses import replace

    api = make_api(tmp_path, clock, wrap=lambda b: replace(b, live=None))
    r = api.client.post("/api/admin/tests/travel/ws-ticket", headers=AUTH)
    assert r.status_code == 404
    api.platform.close()


def _upgrade(api: Api, url: str) -> str | Rejection:
    """What the local endpoint decides for an upgrade of ``url`` from the site's origin."""
    path, _, query = url.partition("?")
    scope: dict[str, Any] = {
        "type": "websocket",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"origin", api.b.settings.public_origin.encode())],
    }
    return run(api.platform.live.admit(scope, api.b))


def test_a_ticket_for_a_test_not_saved_yet_opens_its_socket(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A new test's first save is followed live too: its id has no test yet (404), but the
    ticket is given and its URL opens the socket, once."""
    api = make_api(tmp_path, clock)
    assert api.client.get("/api/admin/tests/brand-new", headers=AUTH).status_code == 404
    r = api.client.post("/api/admin/tests/brand-new/ws-ticket", headers=AUTH)
    assert r.status_code == 200, r.text
    assert _upgrade(api, r.json()["url"]) == "brand-new"
    again = _upgrade(api, r.json()["url"])
    assert isinstance(again, Rejection) and again.status == 401
    api.platform.close()


def test_each_request_gets_a_ticket_of_its_own(tmp_path: Path, clock: FakeClock) -> None:
    """Two tickets asked at the same moment differ, so each opens its own socket."""
    api = make_api(tmp_path, clock)
    urls = [
        api.client.post("/api/admin/tests/travel/ws-ticket", headers=AUTH).json()["url"]
        for _ in range(2)
    ]
    assert urls[0] != urls[1]
    assert [_upgrade(api, url) for url in urls] == ["travel", "travel"]
    api.platform.close()
