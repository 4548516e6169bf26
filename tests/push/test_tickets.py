"""Single-use tickets: the Durable Object's record of spent tickets, over a dict."""

from __future__ import annotations

import pytest

from quizhub.push.protocol import TICKET_TTL_SECONDS, make_ticket, read_ticket
from quizhub.push.tickets import SPENT_PREFIX, MemoryTicketStorage, spend_ticket, spent_key
from tests.fakes import FakeClock, run

KEY = b"job-secret"
TTL_MS = TICKET_TTL_SECONDS * 1000


def test_a_ticket_opens_one_socket_only(clock: FakeClock) -> None:
    """The first spend succeeds; the same ticket is refused from then on, within its lifetime;
    another ticket of the same test still opens its own socket."""
    storage = MemoryTicketStorage()
    ticket = make_ticket(KEY, "travel", clock())
    assert run(spend_ticket(storage, ticket, clock()))
    assert not run(spend_ticket(storage, ticket, clock()))
    clock.advance(TTL_MS // 2)
    assert not run(spend_ticket(storage, ticket, clock()))
    assert run(spend_ticket(storage, make_ticket(KEY, "travel", clock()), clock()))


def test_the_record_is_all_the_state_a_spend_needs(clock: FakeClock) -> None:
    """Nothing is kept in memory: a record handed over as stored values (what a Durable Object
    finds in its storage after hibernation) still refuses the spent ticket."""
    ticket = make_ticket(KEY, "travel", clock())
    first = MemoryTicketStorage()
    assert run(spend_ticket(first, ticket, clock()))
    woken = MemoryTicketStorage()
    woken.values.update(first.values)
    assert not run(spend_ticket(woken, ticket, clock()))


def test_a_ticket_is_spent_at_its_last_valid_moment_and_not_after(clock: FakeClock) -> None:
    """Valid up to its expiry included (like ``verify_ticket``); an expired one is not spent."""
    storage = MemoryTicketStorage()
    last, late = make_ticket(KEY, "travel", clock()), make_ticket(KEY, "travel", clock())
    clock.advance(TTL_MS)
    assert run(spend_ticket(storage, last, clock()))
    assert not run(spend_ticket(storage, last, clock()))
    clock.advance(1)
    assert not run(spend_ticket(storage, late, clock()))


@pytest.mark.parametrize("ticket", ["", "garbage", "123.abc", "1.2.3"])
def test_something_that_is_not_a_ticket_is_not_spent(ticket: str, clock: FakeClock) -> None:
    """Unreadable tickets are refused and leave no record."""
    storage = MemoryTicketStorage()
    assert not run(spend_ticket(storage, ticket, clock()))
    assert storage.values == {}


def test_expired_tickets_are_forgotten_so_the_record_stays_bounded(clock: FakeClock) -> None:
    """Each spend first deletes the records of expired tickets: after many tickets over many
    lifetimes only those of the last lifetime are kept; a forgotten one stays refused."""
    storage = MemoryTicketStorage()
    first = make_ticket(KEY, "travel", clock())
    assert run(spend_ticket(storage, first, clock()))
    for _ in range(50):
        clock.advance(TTL_MS // 10)
        assert run(spend_ticket(storage, make_ticket(KEY, "travel", clock()), clock()))
    assert len(storage.values) <= 11
    assert all(expiry >= clock() for expiry in storage.values.values())
    claims = read_ticket(first)
    assert claims is not None and spent_key(claims) not in storage.values
    assert not run(spend_ticket(storage, first, clock()))


def test_only_spent_ticket_records_are_pruned(clock: FakeClock) -> None:
    """The pruning is confined to the record's own keys."""
    storage = MemoryTicketStorage()
    storage.values.update({"other": 1, f"{SPENT_PREFIX[:-1]}": 1, "zzz": 1})
    clock.advance(TTL_MS * 2)
    assert run(spend_ticket(storage, make_ticket(KEY, "travel", clock()), clock()))
    assert {"other", SPENT_PREFIX[:-1], "zzz"} <= set(storage.values)
