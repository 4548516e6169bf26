"""POST /api/events: validated, one queue message, 204; bad events are 422 naming the field;
beacons (text/plain) work; size and rate limits hold; Postgres is not on this path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.analytics.events import ANALYTICS_QUEUE, MAX_EVENTS_PER_REQUEST
from quizhub.bindings import Bindings
from quizhub.edge.guard import EVENTS_BODY_LIMIT
from quizhub.edge.ratelimits import PLAY_EVENTS
from tests.analytics.conftest import event
from tests.api.conftest import Api, make_api
from tests.fakes import FakeClock, RecordingQueue


def _recording(b: Bindings) -> Bindings:
    return replace(b, analytics_queue=RecordingQueue(b.analytics_queue))


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    """The API with NO analytics database bound (the events path must not need one); its
    analytics queue records what it durably sent."""
    api = make_api(tmp_path, clock, wrap=_recording)
    yield api
    api.platform.close()


def _queued(api: Api) -> list[dict[str, Any]]:
    queue = api.b.analytics_queue
    assert isinstance(queue, RecordingQueue)
    assert api.platform.broker.stats(ANALYTICS_QUEUE)["ready"] == len(queue.sent)
    return queue.sent


def test_valid_events_become_one_queue_message_and_204(api: Api, clock: FakeClock) -> None:
    """Three events → 204 with no body, and exactly one message carrying them and the server's
    receive time (no Postgres is bound here at all)."""
    events = [event("view"), event("start"), event("answer", questionId="q1", optionId="a")]
    r = api.client.post("/api/events", json={"events": events})
    assert r.status_code == 204 and r.content == b""
    [message] = _queued(api)
    assert message == {"type": "play-events", "receivedAt": clock.ms, "events": events}


def test_a_beacon_sends_text_plain_and_is_accepted(api: Api) -> None:
    """navigator.sendBeacon with a string body arrives as text/plain;charset=UTF-8."""
    body = json.dumps({"events": [event("share")]})
    headers = {"Content-Type": "text/plain;charset=UTF-8"}
    assert api.client.post("/api/events", content=body, headers=headers).status_code == 204
    assert len(_queued(api)) == 1


def test_other_content_types_are_415(api: Api) -> None:
    """A form post is not an events beacon."""
    r = api.client.post(
        "/api/events",
        content="events=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    assert _queued(api) == []


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"type": "click"}, ["events", 0, "type"]),
        ({"testId": "Not An Id"}, ["events", 0, "testId"]),
        ({"id": "short"}, ["events", 0, "id"]),
        ({"session": None}, ["events", 0, "session"]),
        ({"at": "yesterday"}, ["events", 0, "at"]),
        ({"at": True}, ["events", 0, "at"]),
        ({"ip": "203.0.113.7"}, ["events", 0, "ip"]),
        ({"type": "answer"}, ["events", 0, "questionId"]),
        ({"type": "complete"}, ["events", 0, "resultId"]),
        ({"questionId": "q1"}, ["events", 0, "questionId"]),
        ({"rev": "latest"}, ["events", 0, "rev"]),
        ({"rev": None}, ["events", 0, "rev"]),
    ],
)
def test_a_bad_event_is_422_naming_the_field(api: Api, change: dict, loc: list) -> None:
    """Each broken field is named in the message and in details[0].loc; nothing is queued."""
    bad = {**event("view"), **change}
    r = api.client.post("/api/events", json={"events": [bad]})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid" and error["details"][0]["loc"] == loc
    assert ".".join(map(str, loc)) in error["message"]
    assert _queued(api) == []


def test_a_missing_field_is_named(api: Api) -> None:
    """An event without testId: 422 at events.0.testId."""
    bad = event("view")
    del bad["testId"]
    r = api.client.post("/api/events", json={"events": [bad]})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == [
        "events",
        0,
        "testId",
    ]


def test_an_event_names_the_revision_being_played(api: Api) -> None:
    """Without ``rev`` the consumer could not check the event's ids: 422 at events.0.rev."""
    bad = event("view")
    del bad["rev"]
    r = api.client.post("/api/events", json={"events": [bad]})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["events", 0, "rev"]
    assert _queued(api) == []


@pytest.mark.parametrize(
    ("other", "field"),
    [({"test_id": "other-test"}, "testId"), ({"session": "session-2"}, "session")],
)
def test_a_request_with_events_of_two_plays_is_422_mixed_plays(
    api: Api, other: dict[str, str], field: str
) -> None:
    """A page plays one test in one tab: a request mixing tests or sessions is refused, so a
    request can add at most one completed play to the public counts."""
    r = api.client.post("/api/events", json={"events": [event("start"), event("view", **other)]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "mixed_plays" and error["details"][0]["loc"] == ["events", 1, field]
    assert _queued(api) == []


@pytest.mark.parametrize("count", [0, MAX_EVENTS_PER_REQUEST + 1])
def test_zero_or_too_many_events_are_422(api: Api, count: int) -> None:
    """1 to MAX_EVENTS_PER_REQUEST events per request."""
    r = api.client.post("/api/events", json={"events": [event("view") for _ in range(count)]})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["events"]


def test_the_most_events_a_request_may_carry_are_accepted(api: Api) -> None:
    """Exactly MAX_EVENTS_PER_REQUEST long events fit under the size limit."""
    long_id = "x" * 64
    events = [
        event("answer", session=long_id, questionId="q" * 32, optionId="o" * 32, id=long_id[:-2])
        for _ in range(MAX_EVENTS_PER_REQUEST)
    ]
    for i, e in enumerate(events):
        e["id"] = f"{i:02d}{long_id[:62]}"
    body = json.dumps({"events": events})
    assert len(body) <= EVENTS_BODY_LIMIT
    assert (
        api.client.post(
            "/api/events", content=body, headers={"Content-Type": "application/json"}
        ).status_code
        == 204
    )


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    """The guard refuses it before the app reads it."""
    body = json.dumps({"events": [event("view")], "pad": "x" * EVENTS_BODY_LIMIT})
    r = api.client.post("/api/events", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["details"] == {"limit": EVENTS_BODY_LIMIT}


def test_not_json_is_422_naming_the_body(api: Api) -> None:
    """A beacon whose text is not JSON."""
    r = api.client.post("/api/events", content="{", headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["body"]


def test_events_are_rate_limited_per_client_and_the_window_resets(
    api: Api, clock: FakeClock
) -> None:
    """PLAY_EVENTS requests per period per client IP, then 429 with Retry-After; another client
    is not affected, and the next window accepts again."""
    busy, other = api.from_address("203.0.113.7"), api.from_address("198.51.100.2")
    view = {"events": [event("view")]}
    for _ in range(PLAY_EVENTS.limit):
        assert busy.post("/api/events", json=view).status_code == 204
    refused = busy.post("/api/events", json=view)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(PLAY_EVENTS.period)
    assert other.post("/api/events", json=view).status_code == 204
    clock.advance(PLAY_EVENTS.period * 1000)
    assert busy.post("/api/events", json=view).status_code == 204


def test_a_whole_number_written_as_a_float_is_an_integer_time(api: Api) -> None:
    """JSON has one number type: ``"at": 12.0`` is the integer 12 (2.5 is not)."""
    assert (
        api.client.post("/api/events", json={"events": [event("view", at=12.0)]}).status_code == 204
    )
    assert _queued(api)[0]["events"][0]["at"] == 12
    r = api.client.post("/api/events", json={"events": [event("view", at=2.5)]})
    assert r.status_code == 422
