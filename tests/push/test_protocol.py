"""The live-status protocol: paths, tickets, the Origin rule and the phase of a job row."""

from __future__ import annotations

from dataclasses import replace

import pytest

from quizhub.domain.jobs import JobRow
from quizhub.push.protocol import (
    TICKET_TTL_SECONDS,
    live_path,
    make_ticket,
    origin_allowed,
    phase_of,
    read_ticket,
    verify_ticket,
)
from quizhub.push.protocol import (
    test_id_of as live_test_id,
)

KEY = b"job-secret"
NOW = 1_795_000_000_000


def test_a_live_path_names_its_test() -> None:
    """``live_path`` and ``live_test_id`` agree; other paths and bad ids are not live paths."""
    assert live_test_id(live_path("travel-2")) == "travel-2"
    assert live_test_id("/api/admin/tests/travel") is None
    assert live_test_id("/api/live/tests/Bad_Id") is None
    assert live_test_id("/api/live/tests/a/b") is None


def test_a_ticket_opens_its_own_test_until_it_expires() -> None:
    """Valid for its test for TICKET_TTL_SECONDS; not for another test, not after expiry."""
    ticket = make_ticket(KEY, "travel", NOW)
    assert verify_ticket(KEY, ticket, "travel", NOW)
    assert verify_ticket(KEY, ticket, "travel", NOW + TICKET_TTL_SECONDS * 1000)
    assert not verify_ticket(KEY, ticket, "travel", NOW + TICKET_TTL_SECONDS * 1000 + 1)
    assert not verify_ticket(KEY, ticket, "other", NOW)
    assert not verify_ticket(b"another-key", ticket, "travel", NOW)


ID = "0123456789abcdef" * 2


@pytest.mark.parametrize(
    "ticket",
    [
        "",
        "abc",
        "123",
        "x.y",
        f"{NOW + 10**9}.00",
        f"{NOW + 5000}.{'0' * 64}",
        f"{NOW + 5000}.{ID}.{'0' * 64}",
        f"{NOW + 5000}.{ID}.{'0' * 64}.{'0' * 64}",
        f"{NOW + 5000}.{ID.upper()}.{'0' * 64}",
        f"{NOW + 5000}.{ID}.{'é' * 64}",
        f"{'٣' * 13}.{ID}.{'0' * 64}",
    ],
)
def test_a_malformed_forged_or_overlong_ticket_is_refused(ticket: str) -> None:
    """Garbage, a wrong signature and an expiry beyond the lifetime are all refused."""
    assert not verify_ticket(KEY, ticket, "travel", NOW)


def test_a_ticket_whose_expiry_was_moved_is_refused() -> None:
    """The expiry is signed: pushing it later breaks the signature."""
    expires, _, rest = make_ticket(KEY, "travel", NOW).partition(".")
    assert not verify_ticket(KEY, f"{int(expires) + 1}.{rest}", "travel", NOW)


def test_every_ticket_carries_its_own_signed_id() -> None:
    """Two tickets made at the same moment differ by id; the id is signed, so another id in a
    good ticket breaks it; ``read_ticket`` gives id and expiry."""
    first, second = make_ticket(KEY, "travel", NOW), make_ticket(KEY, "travel", NOW)
    one, two = read_ticket(first), read_ticket(second)
    assert one is not None and two is not None
    assert one.ticket_id != two.ticket_id
    assert one.expires_ms == two.expires_ms == NOW + TICKET_TTL_SECONDS * 1000
    swapped = first.replace(one.ticket_id, two.ticket_id)
    assert not verify_ticket(KEY, swapped, "travel", NOW)
    assert read_ticket("123.abc") is None


def test_only_the_sites_origin_may_open_a_socket() -> None:
    """Same scheme, host and port (any case, any path) pass; others and a missing one fail."""
    site = "https://quiz.example.com"
    assert origin_allowed("https://quiz.example.com", site)
    assert origin_allowed("https://QUIZ.example.com", site + "/")
    assert not origin_allowed("https://evil.example.com", site)
    assert not origin_allowed("http://quiz.example.com", site)
    assert not origin_allowed("https://quiz.example.com:8443", site)
    assert not origin_allowed(None, site)
    assert not origin_allowed("null", site)


def _row(**changes: object) -> JobRow:
    row = JobRow("j", "t", "r", "save", "running", "validate", 1, None, "a", "u")
    return replace(row, **changes)  # type: ignore[arg-type]


def test_a_rows_phase_follows_commit_then_invalidation_then_its_end() -> None:
    """running → committed (committedAt) → live (liveAt) → its terminal status."""
    assert phase_of(_row()) == "running"
    assert phase_of(_row(status="queued")) == "queued"
    assert phase_of(_row(committed_at="c")) == "committed"
    assert phase_of(_row(committed_at="c", live_at="l")) == "live"
    assert phase_of(_row(status="succeeded", committed_at="c", live_at="l")) == "succeeded"
    assert phase_of(_row(status="conflict")) == "conflict"
    assert phase_of(_row(status="failed")) == "failed"
