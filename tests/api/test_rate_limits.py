"""Rate limits: admin writes per editor, anonymous writes (compute) per client IP; 429 with the
usual error JSON and Retry-After = the rule's period; windows reset on the platform clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.edge.ratelimits import ADMIN_WRITES, EVENTS_PATH, PLAY_EVENTS, PUBLIC_WRITES, rule_for
from tests.analytics.conftest import event
from tests.api.conftest import AUTH, make_api
from tests.conftest import sample_doc
from tests.fakes import TOKEN, FakeClock


def test_admin_writes_over_the_limit_are_429_until_the_window_passes(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The 61st write in a minute is refused with Retry-After: 60; reads are not limited."""
    api = make_api(tmp_path, clock)
    doc = sample_doc()
    for i in range(ADMIN_WRITES.limit):
        r = api.client.put(f"/api/admin/tests/t{i}", json=doc, headers=AUTH)
        assert r.status_code == 202, (i, r.text)
    refused = api.client.put("/api/admin/tests/over", json=doc, headers=AUTH)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    error = refused.json()["error"]
    assert error["code"] == "rate_limited" and error["details"] == {"limit": 60, "period": 60}
    assert api.client.get("/api/admin/tests", headers=AUTH).status_code == 200
    clock.advance(60_000)
    assert api.client.put("/api/admin/tests/over", json=doc, headers=AUTH).status_code == 202


def test_anonymous_writes_are_limited_per_client_ip(tmp_path: Path, clock: FakeClock) -> None:
    """compute counts per client address: one busy client does not block another."""
    api = make_api(tmp_path, clock)
    api.save("travel", sample_doc())
    body = {"answers": {"q1": "a"}}
    busy = api.from_address("203.0.113.7")
    for _ in range(PUBLIC_WRITES.limit):
        assert busy.post("/api/tests/travel/compute", json=body).status_code == 200
    refused = busy.post("/api/tests/travel/compute", json=body)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "10"
    other = api.from_address("198.51.100.2")
    assert other.post("/api/tests/travel/compute", json=body).status_code == 200


@pytest.mark.parametrize("header", ["CF-Connecting-IP", "X-Forwarded-For", "X-Real-IP"])
def test_a_header_the_client_writes_does_not_buy_a_fresh_allowance(
    tmp_path: Path, clock: FakeClock, header: str
) -> None:
    """Locally the socket's peer is the client: a new address in a header every request is
    still the same client (80 of 80 once passed where the limit is 60)."""
    api = make_api(tmp_path, clock)
    codes = [
        api.client.post(
            EVENTS_PATH, json={"events": [event("view")]}, headers={header: f"198.51.100.{i}"}
        ).status_code
        for i in range(PLAY_EVENTS.limit + 20)
    ]
    assert codes.count(204) == PLAY_EVENTS.limit and codes.count(429) == 20


@pytest.mark.parametrize(
    "authorization",
    [f"Bearer  {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN} ", f" Bearer\t{TOKEN}"],
)
def test_another_spelling_of_the_same_token_shares_its_allowance(
    tmp_path: Path, clock: FakeClock, authorization: str
) -> None:
    """The admin limit keys on the parsed credential, not the raw header."""
    api = make_api(tmp_path, clock)
    doc = sample_doc()
    for i in range(ADMIN_WRITES.limit):
        assert api.client.put(f"/api/admin/tests/t{i}", json=doc, headers=AUTH).status_code == 202
    other = {"Authorization": authorization}
    refused = api.client.put("/api/admin/tests/over", json=doc, headers=other)
    assert refused.status_code == 429, refused.text


def test_only_the_ticket_and_preview_routes_are_exempt(tmp_path: Path, clock: FakeClock) -> None:
    """Exemption is by route: a PUT to a test whose id is ``compute`` is a save like any other."""
    assert rule_for("POST", "/api/admin/tests/travel/ws-ticket") is None
    assert rule_for("POST", "/api/admin/tests/travel/compute") is None
    for method, path in [
        ("PUT", "/api/admin/tests/compute"),
        ("PUT", "/api/admin/tests/ws-ticket"),
        ("DELETE", "/api/admin/tests/compute"),
        ("POST", "/api/admin/tests/a/b/compute"),
        ("PUT", "/api/admin/tests/travel/compute"),
    ]:
        assert rule_for(method, path) is ADMIN_WRITES, (method, path)
    assert rule_for("POST", "/api/tests/travel/compute") is PUBLIC_WRITES
    api = make_api(tmp_path, clock)
    doc = sample_doc()
    codes = [
        api.client.put("/api/admin/tests/compute", json=doc, headers=AUTH).status_code
        for _ in range(ADMIN_WRITES.limit + 1)
    ]
    assert codes[-1] == 429 and set(codes[:-1]) == {202}


def test_live_tickets_and_preview_computes_do_not_use_up_the_save_budget(
    tmp_path: Path, clock: FakeClock
) -> None:
    """An editor whose socket keeps reconnecting can still save."""
    api = make_api(tmp_path, clock)
    api.save("travel", sample_doc())
    for _ in range(ADMIN_WRITES.limit + 5):
        r = api.client.post("/api/admin/tests/travel/ws-ticket", headers=AUTH)
        assert r.status_code == 200, r.text
        preview = {"answers": {"q1": "a"}}
        r = api.client.post("/api/admin/tests/travel/compute", json=preview, headers=AUTH)
        assert r.status_code == 200, r.text
    assert (
        api.client.put("/api/admin/tests/travel", json=sample_doc(), headers=AUTH).status_code
        == 202
    )
