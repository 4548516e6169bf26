"""Play events, written once: their types, fields, limits and the queue message that carries
them (the day they count on, a Korean day, is ``quizhub.domain.days``, re-exported here). The API
validates with this module and the analytics consumer re-validates with it (pydantic-free: the
consumer Worker runs it inside Pyodide).

An event's shape is declared once, in the table ``EVENT_FIELDS`` / ``TYPE_FIELDS``: the JSON
Schema published in OpenAPI (``events_schema``) and the validator (``parse_events``) are both
made from it, so they accept the same events (tests/analytics check it on generated ones). The
same table says which of an event's ids must name an item of the revision being played
(``EventField.refers``): the analytics consumer's plausibility check
(``quizhub.analytics.plausible``) reads it from there. Two rules JSON Schema cannot state are
written here too: a request carries the events of ONE play (one test, one session:
``one_play``), and ``SESSION_CAPS`` bounds how many events of each type a play counts.

What an event holds is all that is ever stored: ids the client made up (event id, per-tab
``session``), the test's own ids and a client timestamp. Nothing that identifies a person: no
IP, no user agent, no cookie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

from quizhub.domain.days import KST_OFFSET_MS, day_of
from quizhub.domain.ids import ITEM_ID_PATTERN, TEST_ID_PATTERN
from quizhub.domain.revisions import REV_PATTERN
from quizhub.errors import Code, Invalid
from quizhub.errors.fields import field_error

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
    "MAX_MS",
    "EventField",
    "EVENT_FIELDS",
    "TYPE_FIELDS",
    "SESSION_CAPS",
    "Refers",
    "event_schema",
    "events_schema",
    "PlayEvent",
    "parse_events",
    "one_play",
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
MAX_MS = 2**53 - 1  # JSON numbers a browser can make exactly

_BAD = object()  # what ``EventField.value`` answers for a value the field does not take

# What an id of an event names in the revision being played: a question, an option of the
# event's question, or a result.
Refers = Literal["", "question", "option", "result"]


@dataclass(frozen=True)
class EventField:
    """One field of a play event, as exactly one of: a string matching ``pattern`` (anchored
    ``^…$`` and matched whole, as JSON Schema's ECMA regexes do), an integer from 0 to
    ``maximum`` (a whole float such as ``12.0`` is that integer, as JSON Schema says), or one
    of ``choices``. ``about`` describes it (in the schema and in its error); ``refers`` is the
    item of the played revision the value must name, if any."""

    name: str
    pattern: str = ""
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    about: str = ""
    refers: Refers = ""

    def __post_init__(self) -> None:
        kinds = [bool(self.pattern), self.maximum is not None, bool(self.choices)]
        if kinds.count(True) != 1:
            raise ValueError(f"{self.name}: one of pattern, maximum or choices")
        if self.pattern and not (self.pattern.startswith("^") and self.pattern.endswith("$")):
            raise ValueError(f"{self.name}: the pattern must be anchored (^…$)")

    def schema(self) -> dict[str, Any]:
        """The field's JSON Schema."""
        if self.pattern:
            out: dict[str, Any] = {"type": "string", "pattern": self.pattern}
        elif self.maximum is not None:
            out = {"type": "integer", "minimum": 0, "maximum": self.maximum}
        else:
            out = {"enum": list(self.choices)}
        return {**out, "description": self.about} if self.about else out

    def value(self, raw: Any) -> Any:
        """``raw`` as the field holds it, or ``_BAD`` when the field does not take it."""
        if self.pattern:
            return raw if isinstance(raw, str) and _regex(self.pattern).fullmatch(raw) else _BAD
        if self.maximum is not None:
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)  # JSON has one number type: 12.0 is the integer 12
            if isinstance(raw, bool) or not isinstance(raw, int):
                return _BAD
            return raw if 0 <= raw <= self.maximum else _BAD
        return raw if isinstance(raw, str) and raw in self.choices else _BAD

    def problem(self) -> tuple[str, Code | str, dict[str, Any]]:
        """``(msg, type, ctx)`` of the error a value the field does not take gets (pydantic's
        types where pydantic has one)."""
        if self.pattern:
            return (
                f"must match {self.pattern}",
                "string_pattern_mismatch",
                {"pattern": self.pattern},
            )
        if self.maximum is not None:
            msg = f"must be {self.about}, an integer from 0 to {self.maximum}"
            return msg, Code.OUT_OF_RANGE, {"ge": 0, "le": self.maximum}
        return f"must be one of {', '.join(self.choices)}", "enum", {"expected": list(self.choices)}


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# THE definition of a play event. Every event has the fields of EVENT_FIELDS (in wire order;
# ``type`` picks its row of TYPE_FIELDS); each type has exactly the fields of its row on top.
# Any other field is refused, null included.
TYPE = "type"
EVENT_FIELDS: tuple[EventField, ...] = (
    EventField("id", CLIENT_ID_PATTERN, about="client-made"),
    EventField(TYPE, choices=EVENT_TYPES),
    EventField("testId", TEST_ID_PATTERN),
    EventField("at", maximum=MAX_MS, about="the client's time in ms since the epoch"),
    EventField("session", CLIENT_ID_PATTERN, about="per tab"),
    EventField("rev", REV_PATTERN, about="the revision being played (the test's rev)"),
)
_QUESTION = EventField("questionId", ITEM_ID_PATTERN, refers="question")
_OPTION = EventField("optionId", ITEM_ID_PATTERN, refers="option")
_RESULT = EventField("resultId", ITEM_ID_PATTERN, refers="result")
TYPE_FIELDS: dict[EventType, tuple[EventField, ...]] = {
    VIEW: (),
    START: (),
    ANSWER: (_QUESTION, _OPTION),
    COMPLETE: (_RESULT,),
    SHARE: (),
}
# Every field some type has on top of EVENT_FIELDS (each once, in a fixed order).
_TYPED: tuple[EventField, ...] = tuple(
    dict.fromkeys(f for k in EVENT_TYPES for f in TYPE_FIELDS[k])
)
_KNOWN = frozenset(f.name for f in EVENT_FIELDS + _TYPED)

# Per-session caps: of one play (a test and a session), at most this many events of each type
# count (answers: per question). A player who goes back and answers again, reloads the page or
# plays again (다시 하기) stays far below them; a completion counts once per play. Events past a
# cap are rejected (``session_cap``), never counted.
SESSION_CAPS: dict[EventType, int] = {VIEW: 20, START: 20, ANSWER: 20, COMPLETE: 1, SHARE: 20}
assert set(SESSION_CAPS) == set(EVENT_TYPES)


def event_schema(kind: EventType) -> dict[str, Any]:
    """The JSON Schema of one event of type ``kind`` (made from the table above)."""
    properties = {f.name: {"const": kind} if f.name == TYPE else f.schema() for f in EVENT_FIELDS}
    properties |= {f.name: f.schema() for f in TYPE_FIELDS[kind]}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def events_schema() -> dict[str, Any]:
    """The JSON Schema of a request body ``{"events": [...]}``: what ``parse_events`` takes."""
    return {
        "type": "object",
        "properties": {
            "events": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_EVENTS_PER_REQUEST,
                "items": {"oneOf": [event_schema(kind) for kind in EVENT_TYPES]},
            }
        },
        "required": ["events"],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class PlayEvent:
    """One validated event (wire names in camelCase; ``at`` = the client's ms since the epoch)."""

    id: str
    type: EventType
    test_id: str
    session: str
    at: int
    rev: str
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
            "rev": self.rev,
        }
        for name, value in (
            ("questionId", self.question_id),
            ("optionId", self.option_id),
            ("resultId", self.result_id),
        ):
            if value is not None:
                out[name] = value
        return out


def _problem(
    loc: list[Any],
    msg: str,
    kind: Code | str,
    ctx: dict[str, Any] | None = None,
    code: Code = Code.INVALID,
) -> Invalid:
    where = ".".join(str(p) for p in loc)
    details = [field_error(loc, msg, kind, ctx)]
    return Invalid(f"{where}: {msg}", code=code, details=details)


def _one(raw: Any, i: int) -> PlayEvent:
    """One event checked against the table; ``Invalid`` naming the first field that is wrong."""
    loc: list[Any] = ["events", i]
    if not isinstance(raw, dict):
        raise _problem(loc, "an event is an object", "dict_type")
    for name in raw:
        if name not in _KNOWN:
            raise _problem([*loc, name], "unknown field", "extra_forbidden")
    for field in EVENT_FIELDS:
        if field.name not in raw:
            raise _problem([*loc, field.name], "field required", "missing")
    values: dict[str, Any] = {}
    for field in EVENT_FIELDS:
        values[field.name] = field.value(raw[field.name])
        if values[field.name] is _BAD:
            raise _problem([*loc, field.name], *field.problem())
    kind: EventType = values[TYPE]
    for field in _TYPED:
        if field in TYPE_FIELDS[kind]:
            values[field.name] = field.value(raw.get(field.name, _BAD))
            if values[field.name] is _BAD:
                raise _problem([*loc, field.name], f"{kind} events need a {field.name}", "missing")
        elif field.name in raw:
            msg = f"{kind} events have no {field.name}"
            raise _problem([*loc, field.name], msg, "extra_forbidden")
    return PlayEvent(
        id=values["id"],
        type=kind,
        test_id=values["testId"],
        session=values["session"],
        at=values["at"],
        rev=values["rev"],
        question_id=values.get("questionId"),
        option_id=values.get("optionId"),
        result_id=values.get("resultId"),
    )


def parse_events(payload: Any) -> list[PlayEvent]:
    """``{"events": [...]}`` → 1..MAX_EVENTS_PER_REQUEST events; ``Invalid`` naming the field.
    It takes exactly what ``events_schema()`` describes."""
    if not isinstance(payload, dict):
        raise _problem(["body"], 'send {"events": [...]}', "dict_type")
    extra = [name for name in payload if name != "events"]
    if extra:
        raise _problem([extra[0]], "unknown field", "extra_forbidden")
    events = payload.get("events")
    if not isinstance(events, list):
        raise _problem(["events"], "field required (a list)", "missing")
    if not 1 <= len(events) <= MAX_EVENTS_PER_REQUEST:
        msg = f"send 1 to {MAX_EVENTS_PER_REQUEST} events per request"
        if events:
            ctx = {"max_length": MAX_EVENTS_PER_REQUEST, "actual_length": len(events)}
            raise _problem(["events"], msg, "too_long", ctx)
        raise _problem(["events"], msg, "too_short", {"min_length": 1, "actual_length": 0})
    return [_one(raw, i) for i, raw in enumerate(events)]


def one_play(events: list[PlayEvent]) -> list[PlayEvent]:
    """``events`` when they are all of one play: the first event's test and session (a page
    plays one test, and its tab has one session). ``Invalid`` naming the first that is not:
    so a request can add at most one completion to the counts, whatever it holds."""
    first = events[0]
    for i, e in enumerate(events):
        for name, value, wanted in (
            ("testId", e.test_id, first.test_id),
            ("session", e.session, first.session),
        ):
            if value != wanted:
                msg = f"the events of a request are of one play: {name} must be {wanted!r}"
                raise _problem(["events", i, name], msg, Code.ONE_PLAY, code=Code.MIXED_PLAYS)
    return events


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
        raise Invalid("not a play-events message", code=Code.INVALID_EVENTS_MESSAGE)
    received = body.get("receivedAt")
    if isinstance(received, bool) or not isinstance(received, int) or received < 0:
        message = "play-events message without receivedAt"
        raise Invalid(message, code=Code.INVALID_EVENTS_MESSAGE)
    return received, one_play(parse_events({"events": body.get("events")}))
