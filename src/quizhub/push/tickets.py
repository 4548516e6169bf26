"""Single-use tickets: the record of spent tickets that the test's Durable Object keeps.

A ticket (``quizhub.push.protocol``) opens one socket. The API Worker checks its signature, test
and lifetime; the test's Durable Object, which sees every upgrade of that test, then spends it:
it records the ticket's id until the ticket expires and refuses the id from then on. The record
is in the object's storage, not its memory, because a hibernating object loses its memory while
its sockets stay open (locally the same logic runs over an in-process dict). Each spend first
forgets the tickets that have expired — they are refused for their expiry anyway — so the record
holds at most the tickets spent within one ticket lifetime.
"""

from __future__ import annotations

from typing import Protocol

from quizhub.push.protocol import Ticket, read_ticket

__all__ = ["SPENT_PREFIX", "TicketStorage", "MemoryTicketStorage", "spent_key", "spend_ticket"]

# Keys of spent tickets: the prefix, the expiry (16 digits, so keys sort by expiry), the id.
SPENT_PREFIX = "spent-ticket:"


class TicketStorage(Protocol):
    """The part of a Durable Object's storage the record uses (keys compare as strings)."""

    async def get(self, key: str) -> int | None:
        """The value stored under ``key``, None when there is none."""

    async def put(self, key: str, value: int) -> None:
        """Store ``value`` under ``key``."""

    async def delete_range(self, start: str, end: str) -> int:
        """Delete every key from ``start`` (included) to ``end`` (excluded); how many."""


class MemoryTicketStorage:
    """``TicketStorage`` in a dict: the local platform's per-test record."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    async def get(self, key: str) -> int | None:
        return self.values.get(key)

    async def put(self, key: str, value: int) -> None:
        self.values[key] = value

    async def delete_range(self, start: str, end: str) -> int:
        doomed = [k for k in self.values if start <= k < end]
        for key in doomed:
            del self.values[key]
        return len(doomed)


def _expiry_key(expires_ms: int) -> str:
    return f"{SPENT_PREFIX}{expires_ms:016d}"


def spent_key(ticket: Ticket) -> str:
    """The storage key recording that ``ticket`` was spent."""
    return f"{_expiry_key(ticket.expires_ms)}:{ticket.ticket_id}"


async def spend_ticket(storage: TicketStorage, ticket: str, now_ms: int) -> bool:
    """Spend ``ticket`` (its signature already checked) on one socket: True the first time;
    False when it was spent before, has expired or is not a ticket. Forgets expired ones first."""
    claims = read_ticket(ticket)
    if claims is None or claims.expires_ms < now_ms:
        return False
    await storage.delete_range(SPENT_PREFIX, _expiry_key(now_ms))  # expired before now_ms
    key = spent_key(claims)
    if await storage.get(key) is not None:
        return False
    await storage.put(key, claims.expires_ms)
    return True
