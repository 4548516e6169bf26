"""Rate limits: admin writes per editor, anonymous writes (compute) per client IP; 429 with the
usual error JSON and Retry-After = the rule's period; windows reset on the platform clock."""

from __future__ import annotations

from pathlib import Path

from quizhub.ratelimits import ADMIN_WRITES, PUBLIC_WRITES
from tests.api.conftest import AUTH, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock


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
    """compute counts per CF-Connecting-IP: one busy client does not block another."""
    api = make_api(tmp_path, clock)
    api.save("travel", sample_doc())
    body = {"answers": {"q1": "a"}}
    busy = {"CF-Connecting-IP": "203.0.113.7"}
    for _ in range(PUBLIC_WRITES.limit):
        assert (
            api.client.post("/api/tests/travel/compute", json=body, headers=busy).status_code == 200
        )
    refused = api.client.post("/api/tests/travel/compute", json=body, headers=busy)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "10"
    other = {"CF-Connecting-IP": "198.51.100.2"}
    assert api.client.post("/api/tests/travel/compute", json=body, headers=other).status_code == 200


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
