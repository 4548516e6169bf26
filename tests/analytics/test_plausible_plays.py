"""The event intake counts only plausible plays: each refusal reason, end to end (``POST
/api/events`` → the queue → the analytics consumer → Postgres and D1), with the refused events
counted by reason in the admin stats and the public counts (``GET /api/tests/{id}/stats``,
``participants`` on the list) moved by plausible plays only."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from quizhub.analytics.consumer import handle_analytics_batch
from quizhub.analytics.events import (
    ANALYTICS_QUEUE,
    SESSION_CAPS,
    events_of_message,
    one_play,
    parse_events,
)
from quizhub.analytics.plausible import REJECT_REASONS
from quizhub.errors import Invalid
from tests.analytics.conftest import AnalyticsApi, event, play
from tests.api.conftest import AUTH
from tests.conftest import sample_doc
from tests.fakes import NO_SUCH_REV, FakeBatch, FakeMessage, run


def _rejected(api: AnalyticsApi, test_id: str | None = None) -> dict[str, int]:
    """The events not counted, by reason, of one test (or of every test: the overview)."""
    if test_id is not None:
        return dict(api.stats(test_id)["rejected"])
    r = api.client.get("/api/admin/stats/overview", headers=AUTH)
    assert r.status_code == 200, r.text
    return dict(r.json()["rejected"])


def _only(**counts: int) -> dict[str, int]:
    """Every reason at 0 but the ones named."""
    return {reason: counts.get(reason, 0) for reason in REJECT_REASONS}


def _participants(api: AnalyticsApi, test_id: str) -> int:
    items = api.client.get("/api/tests").json()["items"]
    listed = {i["id"]: i["participants"] for i in items}
    count = int(api.counts(test_id)["participants"])
    assert listed.get(test_id, count) == count  # the list says what the stats say
    return count


def test_an_honest_play_counts_everywhere(aapi: AnalyticsApi, travel_doc: dict[str, Any]) -> None:
    """One full play: the admin's totals, the public participants (stats and list) and the
    result's share; nothing refused."""
    rev = aapi.publish("travel", travel_doc)
    assert aapi.send(play(travel_doc, "travel", "session-a1", rev)).status_code == 204
    aapi.settle()
    assert aapi.stats("travel")["totals"]["completions"] == 1
    assert _participants(aapi, "travel") == 1
    assert aapi.counts("travel")["results"] == [{"resultId": "planner", "share": 1.0}]
    assert _rejected(aapi, "travel") == _only()


def test_events_of_unknown_and_deleted_tests_are_refused(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A test D1 does not know, or that was deleted: ``unknown_test``, stored once however often
    it is sent, counted nowhere."""
    aapi.publish("gone", sample_doc("지울 테스트"))
    assert aapi.client.delete("/api/admin/tests/gone", headers=AUTH).status_code == 202
    aapi.clock.advance(1000)
    aapi.process()
    forged = play(travel_doc, "no-such-test", "session-a1", NO_SUCH_REV)
    assert aapi.send(forged).status_code == 204
    assert aapi.send(forged).status_code == 204  # a replay counts once
    deleted = play(sample_doc(), "gone", "session-b2", NO_SUCH_REV)
    assert aapi.send(deleted).status_code == 204
    aapi.settle()
    assert _rejected(aapi) == _only(unknown_test=len(forged) + len(deleted))


def test_drafts_are_refused_whether_the_test_or_the_revision_is_one(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """Events of a draft test, and events naming a draft revision of a test published since
    (previews send nothing, so nobody played it): ``draft``."""
    draft_rev = aapi.publish("secret", {**travel_doc, "status": "draft"})
    assert aapi.send(play(travel_doc, "secret", "session-a1", draft_rev)).status_code == 204
    aapi.settle()
    assert _rejected(aapi) == _only(draft=7)
    aapi.publish("secret", travel_doc)
    assert aapi.send(play(travel_doc, "secret", "session-b2", draft_rev)).status_code == 204
    aapi.settle()
    assert _rejected(aapi, "secret") == _only(draft=14)
    assert _participants(aapi, "secret") == 0


def test_a_revision_the_test_never_had_is_refused(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A well-formed rev that never committed for this test (or is another test's):
    ``unknown_rev``."""
    aapi.publish("travel", travel_doc)
    other = aapi.publish("other", sample_doc("다른 테스트"))
    aapi.send(play(travel_doc, "travel", "session-a1", NO_SUCH_REV))
    aapi.send(play(travel_doc, "travel", "session-b2", other))
    aapi.settle()
    assert _rejected(aapi, "travel") == _only(unknown_rev=14)
    assert _participants(aapi, "travel") == 0


def test_ids_the_played_revision_does_not_have_are_refused(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A question, an option (another question's is not enough) or a result the revision does
    not have: ``unknown_question``, ``unknown_option``, ``unknown_result``; the play's start
    counts, its forged completion does not."""
    rev = aapi.publish("travel", travel_doc)
    one = {"test_id": "travel", "session": "session-a1", "rev": rev}
    sent = [
        event("start", **one),
        event("answer", questionId="q9", optionId="a", **one),
        event("answer", questionId="q1", optionId="z", **one),
        event("complete", resultId="millionaire", **one),
    ]
    assert aapi.send(sent).status_code == 204
    other = copy.deepcopy(travel_doc)
    other["questions"][1]["options"][0]["id"] = "only-q2"
    rev2 = aapi.publish("travel", other)
    q1_with_q2s_option = event(
        "answer", "travel", "session-b2", rev2, questionId="q1", optionId="only-q2"
    )
    assert aapi.send([q1_with_q2s_option]).status_code == 204
    aapi.settle()
    assert _rejected(aapi, "travel") == _only(
        unknown_question=1, unknown_option=2, unknown_result=1
    )
    totals = aapi.stats("travel")["totals"]
    assert (totals["starts"], totals["answers"], totals["completions"]) == (1, 0, 0)
    assert _participants(aapi, "travel") == 0


def test_an_edit_mid_play_does_not_reject_the_player(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A player started on one revision; the editor renames a result and removes a question
    before the player finishes: the events name the revision played, so the play counts."""
    rev = aapi.publish("travel", travel_doc)
    events = play(travel_doc, "travel", "session-a1", rev)
    assert aapi.send(events[:3]).status_code == 204
    edited = copy.deepcopy(travel_doc)
    edited["questions"].pop()
    for option in (o for q in edited["questions"] for o in q["options"]):
        option["scores"] = {
            ("rover" if k == "planner" else k): v for k, v in option["scores"].items()
        }
    edited["results"][0]["id"] = "rover"
    aapi.publish("travel", edited)
    assert aapi.send(events[3:]).status_code == 204
    aapi.settle()
    assert _rejected(aapi, "travel") == _only()
    assert _participants(aapi, "travel") == 1
    assert aapi.counts("travel")["results"] == [{"resultId": "planner", "share": 1.0}]


def test_a_completion_counts_once_its_start_arrives_in_any_order(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A completion with no start waits (the admin sees it as ``no_start``) and counts once its
    start arrives, in a later batch; a start that never comes leaves it uncounted."""
    rev = aapi.publish("travel", travel_doc)
    events = play(travel_doc, "travel", "session-late", rev)
    start, complete = events[1], events[-1]
    assert aapi.send([complete]).status_code == 204
    aapi.send([event("complete", "travel", "session-never", rev, resultId="free")])
    aapi.settle()
    assert _participants(aapi, "travel") == 0
    assert _rejected(aapi, "travel") == _only(no_start=2)
    assert aapi.send([start]).status_code == 204
    aapi.settle()
    assert _participants(aapi, "travel") == 1
    assert _rejected(aapi, "travel") == _only(no_start=1)
    assert aapi.stats("travel")["totals"]["completions"] == 1


def test_a_play_completes_once_and_its_caps_hold(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """Replays in one tab (다시 하기) or forged repeats: a session completes a test once; past
    its cap, each type's events are refused (``session_cap``), answers per question."""
    rev = aapi.publish("travel", travel_doc)
    one = ("travel", "session-a1", rev)
    aapi.send([event("start", *one), event("complete", *one, resultId="planner")])
    aapi.send([event("start", *one), event("complete", *one, resultId="free")])
    cap = SESSION_CAPS["view"]
    for _ in range(2):
        aapi.send([event("view", *one) for _ in range(cap)])
    answers = SESSION_CAPS["answer"]
    for n in (answers, 1):  # one past the cap on q1, up to it on q2
        q1 = [event("answer", *one, questionId="q1", optionId="a") for _ in range(n)]
        assert aapi.send(q1).status_code == 204
    q2 = [event("answer", *one, questionId="q2", optionId="b") for _ in range(answers)]
    assert aapi.send(q2).status_code == 204
    aapi.settle()
    totals = aapi.stats("travel")["totals"]
    assert totals == {
        "views": cap,
        "starts": 2,
        "answers": 2 * answers,
        "completions": 1,
        "shares": 0,
    }
    assert _rejected(aapi, "travel") == _only(session_cap=1 + cap + 1)
    assert aapi.counts("travel") == {
        "participants": 1,
        "results": [{"resultId": "planner", "share": 1.0}],
    }


@pytest.mark.parametrize("field", ["testId", "session"])
def test_a_request_carries_one_play(field: str) -> None:
    """Events of two tests or two sessions in one request are refused (``mixed_plays``, naming
    the first event that differs), by the API and by the consumer alike (one function): a
    request can add at most one completion to the counts."""
    second = event("view", **{"test_id" if field == "testId" else "session": "other-one"})
    with pytest.raises(Invalid) as refused:
        one_play(parse_events({"events": [event("view"), second]}))
    assert refused.value.code == "mixed_plays"
    assert refused.value.details[0]["loc"] == ["events", 1, field]
    message = {"type": "play-events", "receivedAt": 1, "events": [event("view"), second]}
    with pytest.raises(Invalid):
        events_of_message(message)


def test_concurrent_batches_of_one_play_count_its_completion_once(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """Starts and completions of the same plays in batches handled at the same time (two
    consumer invocations): each play's completion counts exactly once, whichever commits
    first."""
    rev = aapi.publish("travel", travel_doc)
    plays = 30

    def batch(kind: str) -> FakeBatch:
        messages = [
            FakeMessage(
                {
                    "type": "play-events",
                    "receivedAt": aapi.clock.ms,
                    "events": [
                        event(kind, "travel", f"session-{n:04d}", rev, resultId="foodie")
                        if kind == "complete"
                        else event(kind, "travel", f"session-{n:04d}", rev)
                    ],
                },
                id=f"{kind}-{n}",
            )
            for n in range(plays)
        ]
        return FakeBatch(messages, ANALYTICS_QUEUE)

    starts, completes = batch("start"), batch("complete")

    async def both() -> None:
        await asyncio.gather(
            handle_analytics_batch(starts, aapi.b), handle_analytics_batch(completes, aapi.b)
        )

    run(both())
    assert {m.outcome for m in starts.messages + completes.messages} == {"ack"}
    assert _participants(aapi, "travel") == plays
    assert aapi.stats("travel")["totals"]["completions"] == plays
    assert _rejected(aapi, "travel") == _only()


def test_the_public_counts_follow_within_the_batch_timeout(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """Locally a completed play shows in the public counts once the analytics batch timeout
    (2 s, wrangler.consumer.toml) has passed: within the 5 s the docs promise."""
    rev = aapi.publish("travel", travel_doc)
    aapi.send(play(travel_doc, "travel", "session-a1", rev))
    aapi.process()
    assert _participants(aapi, "travel") == 0
    aapi.clock.advance(5_000)
    aapi.process()
    assert _participants(aapi, "travel") == 1
