"""``POST /api/admin/tests/{id}/ws-ticket``: the ticket for the live-status WebSocket."""

from __future__ import annotations

from pathlib import Path

from quizhub.push.protocol import TICKET_TTL_SECONDS, live_path, verify_ticket
from tests.api.conftest import AUTH, make_api
from tests.fakes import FakeClock


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
