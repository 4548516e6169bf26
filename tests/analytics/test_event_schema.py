"""Play events are defined once: the JSON Schema the API publishes and the validator the API and
the analytics consumer run are both made from that definition, and they accept exactly the same
bodies — checked here against a JSON Schema validator on generated and edge-case events."""

from __future__ import annotations

from typing import Any

import jsonschema_rs  # a dependency of schemathesis (the test group)
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quizhub.analytics.events import (
    EVENT_FIELDS,
    EVENT_TYPES,
    MAX_EVENTS_PER_REQUEST,
    MAX_MS,
    TYPE_FIELDS,
    EventField,
    events_schema,
    parse_events,
)
from quizhub.api.app import create_app
from quizhub.edge.ratelimits import EVENTS_PATH
from quizhub.errors import Invalid
from tests.fakes import START_MS, play_event

SCHEMA = jsonschema_rs.Draft202012Validator(events_schema())
TYPED = list(dict.fromkeys(f for kind in EVENT_TYPES for f in TYPE_FIELDS[kind]))

_NOT_STRINGS = st.sampled_from([None, True, False, 0, 1, 1.5, [], {}, ["view"], {"a": 1}])
_EDGE_STRINGS = st.sampled_from(
    [
        "",
        "a",
        "a" * 7,
        "a" * 8,
        "a" * 32,
        "a" * 33,
        "a" * 63,
        "a" * 64,
        "a" * 65,
        "abcdefgh\n",
        "\nabcdefgh",
        "abcd efgh",
        "-travel",
        "travel-2",
        "Travel",
        "q1",
        "q1\n",
        "한글한글한글한글",
        "view",
    ]
)
_EDGE_NUMBERS = st.sampled_from(
    [0, -1, 12, 12.0, 12.5, -0.0, MAX_MS, MAX_MS + 1, float(MAX_MS), 1e300, -1e300, 2**70]
)
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=70)


def _valid(field: EventField) -> st.SearchStrategy[Any]:
    if field.pattern:
        return st.from_regex(field.pattern, fullmatch=True)
    if field.maximum is not None:
        whole = st.one_of(st.sampled_from([0, field.maximum]), st.integers(0, field.maximum))
        return st.one_of(whole, whole.map(float).filter(lambda f: f <= field.maximum))
    return st.sampled_from(field.choices)


def _any(field: EventField) -> st.SearchStrategy[Any]:
    """Mostly values the field takes, otherwise edge cases and values of other types."""
    others = st.one_of(_EDGE_STRINGS, _EDGE_NUMBERS, _NOT_STRINGS, _TEXT, st.integers())
    return st.one_of(_valid(field), _valid(field), _valid(field), others)


@st.composite
def _event(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(st.one_of(_NOT_STRINGS, _EDGE_STRINGS))
    kind = draw(st.one_of(st.sampled_from(EVENT_TYPES), _any(EVENT_FIELDS[1])))
    event: dict[str, Any] = {}
    for field in EVENT_FIELDS:
        if draw(st.integers(0, 15)):  # mostly present
            event[field.name] = kind if field.name == "type" else draw(_any(field))
    for field in TYPED:
        own = isinstance(kind, str) and field in TYPE_FIELDS.get(kind, ())
        # A field of the event's type: mostly there; a field of another type: now and then.
        if draw(st.integers(0, 15)) > 0 if own else draw(st.integers(0, 8)) == 0:
            event[field.name] = draw(_any(field))
    if draw(st.integers(0, 20)) == 0:
        event[draw(st.sampled_from(["ip", "userAgent", "Type", ""]))] = draw(_EDGE_STRINGS)
    return event


@st.composite
def _body(draw: st.DrawFn) -> Any:
    shape = draw(st.integers(0, 40))
    if shape == 0:
        return draw(st.one_of(_NOT_STRINGS, _EDGE_STRINGS))
    events = draw(st.lists(_event(), min_size=1, max_size=3))
    if shape == 1:
        events = []
    elif shape == 2:
        events = (events * MAX_EVENTS_PER_REQUEST)[: draw(st.sampled_from([20, 21]))]
    body: dict[str, Any] = {"events": events}
    if shape == 3:
        body["extra"] = 1
    if shape == 4:
        body["events"] = draw(_any(EVENT_FIELDS[0]))
    return body


def _parsed(body: Any) -> list[dict[str, Any]] | None:
    try:
        return [e.wire() for e in parse_events(body)]
    except Invalid:
        return None


def _answer(**extra: Any) -> dict[str, Any]:
    return play_event("e1b2c3d4e5", "answer", "travel", session="s1a2b3c4d5", **extra)


@settings(max_examples=400, deadline=None)
@given(_body())
@example({"events": [_answer(questionId="q1", optionId="a")]})
@example({"events": [_answer(questionId="q1", optionId="a\n")]})
@example({"events": [{**_answer(questionId="q1", optionId="a"), "id": "abcdefgh\n"}]})
@example({"events": [{**_answer(questionId="q1", optionId="a"), "at": float(START_MS)}]})
@example({"events": [{**_answer(questionId="q1", optionId="a"), "at": START_MS + 0.5}]})
@example({"events": [{**_answer(questionId="q1", optionId="a"), "at": True}]})
@example({"events": [{**_answer(questionId="q1", optionId="a"), "at": MAX_MS}]})
@example({"events": [{**_answer(questionId="q" * 32, optionId="a"), "id": "i" * 64}]})
@example({"events": [{**_answer(questionId="q" * 33, optionId="a"), "testId": "t" * 63}]})
@example({"events": [{**_answer(questionId="q1"), "type": "view"}]})
@example({"events": [{**_answer(), "type": "view", "questionId": None}]})
@example({"events": [{**_answer(), "type": "complete", "resultId": "r1"}]})
def test_the_validator_accepts_exactly_what_the_published_schema_describes(body: Any) -> None:
    """Whatever the body, parse_events accepts it iff the JSON Schema does; an accepted event
    goes on exactly as sent (a whole-number ``at`` as that integer)."""
    parsed = _parsed(body)
    assert (parsed is not None) == SCHEMA.is_valid(body), body
    if parsed is not None:
        sent = [{**e, "at": int(e["at"])} for e in body["events"]]
        assert parsed == sent


def test_every_type_and_field_of_the_definition_is_in_the_schema() -> None:
    """One branch per type, each naming the common fields and exactly its own."""
    branches = events_schema()["properties"]["events"]["items"]["oneOf"]
    assert [b["properties"]["type"] for b in branches] == [{"const": k} for k in EVENT_TYPES]
    for kind, branch in zip(EVENT_TYPES, branches, strict=True):
        names = [f.name for f in EVENT_FIELDS + TYPE_FIELDS[kind]]
        assert branch["required"] == names and list(branch["properties"]) == names
        assert branch["additionalProperties"] is False


def test_the_api_publishes_the_generated_schema_and_its_example_is_accepted() -> None:
    """The OpenAPI request body of POST /api/events is events_schema() plus an example that
    both the schema and the validator accept."""
    spec = create_app().openapi()
    body = spec["paths"][EVENTS_PATH]["post"]["requestBody"]["content"]["application/json"]
    published = dict(body["schema"])
    [example_body] = published.pop("examples")
    assert published == events_schema()
    assert SCHEMA.is_valid(example_body) and _parsed(example_body) is not None


def _view(**extra: Any) -> dict[str, Any]:
    return play_event("e1b2c3d4e5", "view", "travel", session="s1a2b3c4d5", **extra)


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_view(questionId=None), "questionId"),
        (_answer(questionId="q1", optionId="a", id="abcdefgh\n"), "id"),
        (_answer(questionId="q1", optionId="a", at=MAX_MS + 1), "at"),
        (_answer(questionId="q1", optionId="a\n"), "optionId"),
    ],
)
def test_edge_events_the_schema_refuses_are_refused_naming_the_field(
    event: dict[str, Any], field: str
) -> None:
    """A null field the type does not have, an id with a trailing newline, ``at`` past the
    largest exact JSON integer: refused by the schema, and by the validator naming the field."""
    body = {"events": [event]}
    assert not SCHEMA.is_valid(body)
    with pytest.raises(Invalid) as caught:
        parse_events(body)
    assert caught.value.details[0]["loc"] == ["events", 0, field]
