"""The live-status protocol, written once: the WebSocket path, the ticket that authenticates it,
the Origin rule and the messages a socket receives.

A browser cannot set headers on a WebSocket, so the admin UI first asks an authenticated
``POST /api/admin/tests/{id}/ws-ticket`` for a ticket: ``{exp}.{id}.{HMAC(job secret, test id,
exp, id)}`` with a random id, valid for ``TICKET_TTL_SECONDS``, for that test only and for one
socket (the test's Durable Object spends it: ``quizhub.push.tickets``). The ticket, never the
admin token, goes in the WebSocket URL; the upgrade is refused unless its ``Origin`` is the
site's public origin. The refusals and their statuses are the same on both platforms.

Server → browser messages are JSON: ``{"type": "hello", "testId"}`` once connected, then
``{"type": "job", "phase", "job"}`` per job transition, where ``job`` is exactly what
``GET /api/admin/jobs/{id}`` answers (one renderer for pushed and polled states), and
``{"type": "presence", "editors"}`` whenever a socket of the test opens or closes: how many
sockets have the test open, this one included (more than one: another editor is editing it).
``"ping"`` from the browser is answered ``"pong"`` (keep-alive; the Durable Object answers without
waking).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from quizhub.domain.ids import is_test_id
from quizhub.domain.jobs import JobRow
from quizhub.errors import Code

__all__ = [
    "LIVE_ROOT",
    "LIVE_PREFIX",
    "TICKET_TTL_SECONDS",
    "Refusal",
    "NOT_AN_UPGRADE",
    "TICKET_SPENT",
    "NOT_BOUND",
    "Ticket",
    "PING",
    "PONG",
    "Phase",
    "live_path",
    "test_id_of",
    "make_ticket",
    "read_ticket",
    "verify_ticket",
    "origin_allowed",
    "upgrade_refusal",
    "phase_of",
    "job_message",
    "hello_message",
    "presence_message",
]

# The WebSocket endpoint (outside /api/admin: the ticket, not the bearer token, authenticates it).
LIVE_ROOT = "/api/live/"
LIVE_PREFIX = f"{LIVE_ROOT}tests/"
TICKET_TTL_SECONDS = 60
PING, PONG = "ping", "pong"

# (status, code, message) of a refused upgrade.
Refusal = tuple[int, Code, str]
NOT_AN_UPGRADE: Refusal = (
    426,
    Code.UPGRADE_REQUIRED,
    "this endpoint only takes WebSocket upgrades",
)
TICKET_SPENT: Refusal = (401, Code.TICKET_SPENT, "this ticket was already used (POST …/ws-ticket)")
NOT_BOUND: Refusal = (503, Code.LIVE_NOT_BOUND, "live status is not bound (LIVE_STATUS)")

Phase = Literal[
    "queued",
    "running",
    "delayed",
    "committed",
    "live",
    "succeeded",
    "failed",
    "superseded",
    "conflict",
    "expired",
]


def live_path(test_id: str) -> str:
    """The WebSocket path of ``test_id``'s live status."""
    return f"{LIVE_PREFIX}{quote(test_id, safe='')}"


def test_id_of(path: str) -> str | None:
    """The test id of a live-status path, or None when ``path`` is not one."""
    if not path.startswith(LIVE_PREFIX):
        return None
    test_id = path[len(LIVE_PREFIX) :]
    return test_id if is_test_id(test_id) else None


@dataclass(frozen=True)
class Ticket:
    """What a ticket carries besides its signature: its id and when it expires."""

    ticket_id: str
    expires_ms: int


_ID_LENGTH = 32  # hex digits: 128 random bits
_HEX = frozenset("0123456789abcdef")


def _signature(key: bytes, test_id: str, ticket: Ticket) -> str:
    message = f"live|{test_id}|{ticket.expires_ms}|{ticket.ticket_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def make_ticket(key: bytes, test_id: str, now_ms: int) -> str:
    """A ticket for one socket of ``test_id``, valid ``TICKET_TTL_SECONDS`` from ``now_ms``."""
    ticket = Ticket(secrets.token_hex(_ID_LENGTH // 2), now_ms + TICKET_TTL_SECONDS * 1000)
    return f"{ticket.expires_ms}.{ticket.ticket_id}.{_signature(key, test_id, ticket)}"


def _parts(ticket: str) -> tuple[Ticket, str] | None:
    expires, ticket_id, signature = (ticket.split(".") + ["", ""])[:3]
    if ticket.count(".") != 2 or not (expires.isascii() and expires.isdigit()):
        return None
    if len(expires) > 16:
        return None
    if len(ticket_id) != _ID_LENGTH or not set(ticket_id) <= _HEX:
        return None
    return Ticket(ticket_id, int(expires)), signature


def read_ticket(ticket: str) -> Ticket | None:
    """The id and expiry of a well-formed ticket (its signature unchecked: ``verify_ticket``);
    None when ``ticket`` is not shaped like one."""
    parts = _parts(ticket)
    return parts[0] if parts else None


def verify_ticket(key: bytes, ticket: str, test_id: str, now_ms: int) -> bool:
    """True when ``ticket`` was made under ``key`` for ``test_id`` and has not expired (whether
    it was already used is the Durable Object's to say: ``quizhub.push.tickets``)."""
    parts = _parts(ticket)
    if parts is None:
        return False
    claims, signature = parts
    if not now_ms <= claims.expires_ms <= now_ms + TICKET_TTL_SECONDS * 1000:
        return False
    expected = _signature(key, test_id, claims)
    return hmac.compare_digest(signature.encode(), expected.encode())


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def origin_allowed(origin: str | None, public_origin: str) -> bool:
    """The upgrade's ``Origin`` is the site's public origin (a missing one is refused)."""
    return bool(origin) and _origin(origin or "") == _origin(public_origin) != ""


def upgrade_refusal(
    key: bytes, public_origin: str, test_id: str, ticket: str, origin: str | None, now_ms: int
) -> Refusal | None:
    """Why an upgrade of ``test_id``'s live path may not go on, as (status, code, message): 401
    without a valid ticket for that test, 403 from another ``Origin``; None when it may (the
    object then spends the ticket: ``TICKET_SPENT`` the second time)."""
    if not verify_ticket(key, ticket, test_id, now_ms):
        return 401, Code.TICKET_INVALID, "no valid ticket for this test (POST …/ws-ticket)"
    if not origin_allowed(origin, public_origin):
        return 403, Code.ORIGIN_FORBIDDEN, "WebSockets are only accepted from the site's origin"
    return None


def phase_of(row: JobRow) -> Phase:
    """The transition a job row stands for: its terminal status, else live (caches purged) →
    committed (저장 완료) → its status (queued, running, delayed)."""
    if row.terminal:
        return row.status
    if row.live_at:
        return "live"
    if row.committed_at:
        return "committed"
    return row.status


def job_message(row: JobRow) -> dict[str, Any]:
    """The message a job transition is pushed as."""
    return {"type": "job", "phase": phase_of(row), "job": row.to_json()}


def hello_message(test_id: str) -> str:
    """The first message of a socket."""
    return json.dumps({"type": "hello", "testId": test_id})


def presence_message(editors: int) -> str:
    """How many sockets have the test open (the receiver's own included)."""
    return json.dumps({"type": "presence", "editors": editors})
