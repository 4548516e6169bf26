"""Play events, written once: their types, fields, limits, the queue message that carries them
and the day they count on. The API validates with this module and the analytics consumer
re-validates with it (pydantic-free: the consumer Worker runs it inside Pyodide).

What an event holds is all that is ever stored: ids the client made up (event id, per-tab
``session``), the test's own ids and a client timestamp. Nothing that identifies a person: no
IP, no user agent, no cookie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from quizhub.domain.ids import ITEM_ID_PATTERN, TEST_ID_PATTERN
from quizhub.errors import Invalid

__all__ = [
    "ANALYTICS_QUEUE",
    "ANALYTICS_BINDING",
    "ANALYTICS_DLQ",
    "MAX_EVENTS_PER_REQUEST",
    "MESSAGE_TYPE",
    "EventType",
    "EVENT_TYPES",
    "CLIENT_ID_PATTERN",
    "KST_OFFSET_MS",
    "NEEDS",
    "OPTIONAL_FIELDS",
    "MAX_MS",
    "PlayEvent",
    "parse_events",
    "event_message",
    "events_of_message",
    "day_of",
]

ANALYTICS_QUEUE = "quizhub-analytics"
# The API Worker's producer binding of that queue (wrangler.toml [[queues.producers]]).
ANALYTICS_BINDING = "ANALYTICS_QUEUE"
# Batches that exhausted their retries land here; the same handler consumes it (one more budget
# of retries), so a long Postgres outage still loses nothing while the queue keeps messages.
ANALYTICS_DLQ = "quizhub-analytics-dlq"
# The route (``POST /api/events``) and its body limit belong to the front door
# (quizhub.edge.ratelimits.EVENTS_PATH, quizhub.edge.guard.EVENTS_BODY_LIMIT).
MAX_EVENTS_PER_REQUEST = 20
MESSAGE_TYPE = "play-events"

EventType = Literal["view", "start", "answer", "complete", "share"]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
VIEW, START, ANSWER, COMPLETE, SHARE = EVENT_TYPES
# A client-made id (event id, session id): long enough to be unique, nothing else.
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)
_TEST_ID = re.compile(TEST_ID_PATTERN)
_ITEM_ID = re.compile(ITEM_ID_PATTERN)
MAX_MS = 2**53 - 1  # JSON numbers a browser can make exactly
# Days are Korean days (KST = UTC+9, no daylight saving time): the site's audience.
KST_OFFSET_MS = 9 * 3600 * 1000
_DAY_MS = 24 * 3600 * 1000

# Which optional fields each type needs (the others must be absent).
NEEDS: dict[str, tuple[str, ...]] = {
    VIEW: (),
    START: (),
    ANSWER: ("questionId", "optionId"),
    COMPLETE: ("resultId",),
    SHARE: (),
}
OPTIONAL_FIELDS = ("questionId", "optionId", "resultId")
_REQUIRED = ("id", "type", "testId", "at", "session")
_FIELDS = frozenset(_REQUIRED + OPTIONAL_FIELDS)


@dataclass(frozen=True)
class PlayEvent:
    """One validated event (wire names in camelCase; ``at`` = the client's ms since the epoch)."""

    id: str
    type: EventType
    test_id: str
    session: str
    at: int
    question_id: str | None = None
    option_id: str | None = None
    result_id: str | None = None

    def wire(self) -> dict[str, Any]:
        """The event as the API received it (absent optional fields left out)."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "testId": self.test_id,
            "at": self.at,
            "session": self.session,
        }
        for name, value in (
            ("questionId", self.question_id),
            ("optionId", self.option_id),
            ("resultId", self.result_id),
        ):
            if value is not None:
                out[name] = value
        return out


def _problem(loc: list[Any], msg: str, kind: str) -> Invalid:
    where = ".".join(str(p) for p in loc)
    return Invalid(f"{where}: {msg}", details=[{"loc": loc, "msg": msg, "type": kind}])


def _one(raw: Any, i: int) -> PlayEvent:
    loc: list[Any] = ["events", i]
    if not isinstance(raw, dict):
        raise _problem(loc, "an event is an object", "type")
    for name in raw:
        if name not in _FIELDS:
            raise _problem([*loc, name], "unknown field", "extra_forbidden")
    for name in _REQUIRED:
        if name not in raw:
            raise _problem([*loc, name], "field required", "missing")
    kind = raw["type"]
    if kind not in EVENT_TYPES:
        raise _problem([*loc, "type"], f"must be one of {', '.join(EVENT_TYPES)}", "enum")
    for name, pattern in (("id", _CLIENT_ID), ("session", _CLIENT_ID), ("testId", _TEST_ID)):
        value = raw[name]
        if not isinstance(value, str) or not pattern.match(value):
            raise _problem([*loc, name], f"must match {pattern.pattern}", "pattern")
    at = raw["at"]
    if isinstance(at, float) and at.is_integer():
        at = int(at)  # JSON has one number type: 12.0 is the integer 12 (as JSON Schema says)
    if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= MAX_MS:
        raise _problem([*loc, "at"], "must be milliseconds since the epoch (an integer)", "int")
    for name in OPTIONAL_FIELDS:
        value = raw.get(name)
        if name in NEEDS[kind]:
            if not isinstance(value, str) or not _ITEM_ID.match(value):
                raise _problem([*loc, name], f"{kind} events need a {name}", "missing")
        elif value is not None:
            raise _problem([*loc, name], f"{kind} events have no {name}", "extra_forbidden")
    return PlayEvent(
        id=raw["id"],
        type=kind,
        test_id=raw["testId"],
        session=raw["session"],
        at=int(at),
        question_id=raw.get("questionId"),
        option_id=raw.get("optionId"),
        result_id=raw.get("resultId"),
    )


def parse_events(payload: Any) -> list[PlayEvent]:
    """``{"events": [...]}`` → 1..MAX_EVENTS_PER_REQUEST events; ``Invalid`` naming the field."""
    if not isinstance(payload, dict):
        raise _problem(["body"], 'send {"events": [...]}', "type")
    extra = [name for name in payload if name != "events"]
    if extra:
        raise _problem([extra[0]], "unknown field", "extra_forbidden")
    events = payload.get("events")
    if not isinstance(events, list):
        raise _problem(["events"], "field required (a list)", "missing")
    if not 1 <= len(events) <= MAX_EVENTS_PER_REQUEST:
        msg = f"send 1 to {MAX_EVENTS_PER_REQUEST} events per request"
        raise _problem(["events"], msg, "too_long" if events else "too_short")
    return [_one(raw, i) for i, raw in enumerate(events)]


def event_message(events: list[PlayEvent], received_ms: int) -> dict[str, Any]:
    """The one queue message a request becomes (``received_ms``: the server's clock)."""
    return {
        "type": MESSAGE_TYPE,
        "receivedAt": received_ms,
        "events": [e.wire() for e in events],
    }


def events_of_message(body: Any) -> tuple[int, list[PlayEvent]]:
    """``(received_ms, events)`` of a queue message; ``Invalid`` for one this API never sent."""
    if not isinstance(body, dict) or body.get("type") != MESSAGE_TYPE:
        raise Invalid("not a play-events message")
    received = body.get("receivedAt")
    if isinstance(received, bool) or not isinstance(received, int) or received < 0:
        raise Invalid("play-events message without receivedAt")
    return received, parse_events({"events": body.get("events")})


def day_of(ms: int) -> int:
    """The Korean day ``ms`` falls on, as days since 1970-01-01 (rollups count by it)."""
    return (ms + KST_OFFSET_MS) // _DAY_MS
