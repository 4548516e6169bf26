"""The analytics consumer against a real Postgres: events arrive within the batch timeout,
count once however often they are sent or delivered, and a Postgres outage only delays them.
(Which events count at all: test_plausible_plays.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.analytics.consumer import handle_analytics_batch, retry_delay_seconds
from quizhub.analytics.events import ANALYTICS_QUEUE
from quizhub.analytics.pg import PgParams
from quizhub.analytics.store import AnalyticsStore
from quizhub.bindings import Bindings
from quizhub.local.faults import FaultPlan, with_faults
from quizhub.local.platform import ROOT
from quizhub.local.queues import load_consumer_settings
from quizhub.ports.limits import REQUIRED_PLAN
from tests.analytics.conftest import AnalyticsApi, event, play
from tests.api.conftest import make_api
from tests.conftest import sample_doc
from tests.fakes import (
    FakeBatch,
    FakeClock,
    FakeMessage,
    SwitchableDatabase,
    run,
    with_outage_switch,
)

SETTINGS = load_consumer_settings(ROOT / "wrangler.consumer.toml")[ANALYTICS_QUEUE]


def _stored(api: AnalyticsApi) -> int:
    assert api.b.analytics is not None
    return run(AnalyticsStore(api.b.analytics).event_count())


def test_events_are_written_once_the_batch_timeout_passes(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A lone request waits for the batch timeout (wrangler.consumer.toml), then lands."""
    rev = aapi.publish("travel", travel_doc)
    assert aapi.send(play(travel_doc, "travel", "session-1", rev)).status_code == 204
    aapi.process()
    assert _stored(aapi) == 0
    aapi.clock.advance(int(SETTINGS.max_batch_timeout * 1000))
    aapi.process()
    assert _stored(aapi) == 7
    assert aapi.stats("travel")["totals"]["completions"] == 1


def test_a_batch_holds_up_to_the_configured_number_of_requests(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A full batch (max_batch_size requests) is delivered at once, without waiting."""
    rev = aapi.publish("travel", travel_doc)
    for i in range(SETTINGS.max_batch_size):
        player = aapi.from_address(f"198.51.100.{i}")  # players, each under the rate limit
        events = {"events": [event("view", session=f"session-{i:04d}", rev=rev)]}
        r = player.post("/api/events", json=events)
        assert r.status_code == 204
    aapi.process()
    assert _stored(aapi) == SETTINGS.max_batch_size


def test_an_event_sent_twice_counts_once(aapi: AnalyticsApi, travel_doc: dict[str, Any]) -> None:
    """The same event id twice in one request, and the whole request again (a beacon retried):
    one row, one count."""
    rev = aapi.publish("travel", travel_doc)
    events = play(travel_doc, "travel", "session-1", rev)
    assert aapi.send([*events, events[0]]).status_code == 204
    assert aapi.send(events).status_code == 204
    aapi.settle()
    assert _stored(aapi) == len(events)
    totals = aapi.stats("travel")["totals"]
    assert totals == {"views": 1, "starts": 1, "answers": 4, "completions": 1, "shares": 0}


def test_a_batch_delivered_again_changes_nothing(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """At-least-once delivery: handling the same message twice counts its events once."""
    rev = aapi.publish("travel", travel_doc)
    body = {
        "type": "play-events",
        "receivedAt": aapi.clock.ms,
        "events": play(travel_doc, "travel", "s-123456", rev),
    }
    for attempt in (1, 2):
        message = FakeMessage(body, attempts=attempt)
        run(handle_analytics_batch(FakeBatch([message], ANALYTICS_QUEUE), aapi.b))
        assert message.outcome == "ack"
    assert aapi.stats("travel")["totals"]["views"] == 1


def test_a_message_the_api_never_sent_is_dropped_and_its_neighbours_kept(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A poison message is acked (never retried); the good one in the same batch is written."""
    rev = aapi.publish("travel", travel_doc)
    poison = FakeMessage({"type": "play-events", "events": "nope"}, id="m-1")
    good = FakeMessage(
        {"type": "play-events", "receivedAt": aapi.clock.ms, "events": [event("view", rev=rev)]},
        id="m-2",
    )
    run(handle_analytics_batch(FakeBatch([poison, good], ANALYTICS_QUEUE), aapi.b))
    assert (poison.outcome, good.outcome) == ("ack", "ack")
    assert _stored(aapi) == 1


@pytest.fixture
def flaky(tmp_path: Path, clock: FakeClock, analytics: PgParams) -> Iterator[AnalyticsApi]:
    """The analytics API whose Postgres can be switched off."""
    api = make_api(tmp_path, clock, analytics=analytics, wrap=with_outage_switch)
    api.__class__ = AnalyticsApi
    yield api  # type: ignore[misc]
    api.platform.close()


def test_postgres_down_retries_the_batch_and_nothing_is_lost(
    flaky: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """While Postgres refuses connections every delivery is retried with backoff; once it is
    back the counts are exact."""
    rev = flaky.publish("travel", travel_doc)
    db = flaky.b.analytics
    assert isinstance(db, SwitchableDatabase)
    db.down = True
    for session in ("session-a1", "session-b2", "session-c3"):
        assert flaky.send(play(travel_doc, "travel", session, rev)).status_code == 204
    for attempt in range(1, 5):
        flaky.settle()
        flaky.clock.advance(retry_delay_seconds(attempt) * 1000)
    assert db.refused >= 4
    stats = flaky.platform.broker.stats(ANALYTICS_QUEUE)
    assert stats["delayed"] + stats["ready"] == 3  # all three requests still queued
    db.down = False
    flaky.clock.advance(retry_delay_seconds(5) * 1000)
    flaky.process()
    assert flaky.stats("travel")["totals"] == {
        "views": 3,
        "starts": 3,
        "answers": 12,
        "completions": 3,
        "shares": 0,
    }
    assert flaky.counts("travel")["participants"] == 3


def test_backoff_doubles_and_is_capped() -> None:
    """10 s, 20 s, 40 s … never more than an hour."""
    assert [retry_delay_seconds(n) for n in (1, 2, 3)] == [10, 20, 40]
    assert retry_delay_seconds(100) == 3600


class _CountingDatabase:
    """The analytics database, counting the connections opened (each is a subrequest through
    Hyperdrive on Cloudflare)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.opened = 0

    def describe(self) -> str:
        return str(self.inner.describe())

    def connect(self) -> Any:
        self.opened += 1
        return self.inner.connect()


def test_an_analytics_batch_stays_under_the_required_plans_subrequests(
    tmp_path: Path, clock: FakeClock, analytics: PgParams
) -> None:
    """Counted on the local platform: a batch costs a D1 query for the pointers, one for the
    versions, an R2 read per revision played, two Postgres connections and one D1 batch for the
    counts; its worst case (every message a play of another revision) stays under the plan."""
    plan = FaultPlan(targets=("db", "bucket"))

    def wrap(b: Bindings) -> Bindings:
        return replace(with_faults(b, plan), analytics=_CountingDatabase(b.analytics))

    api = make_api(tmp_path, clock, analytics=analytics, wrap=wrap)
    try:
        api.__class__ = AnalyticsApi
        assert isinstance(api, AnalyticsApi)
        doc = sample_doc("예산 테스트")
        revs = [api.publish(f"budget-{n}", doc) for n in range(3)]
        counting = api.b.analytics
        assert isinstance(counting, _CountingDatabase)
        before, opened = plan.calls, counting.opened
        for n, rev in enumerate(revs):
            api.send(play(doc, f"budget-{n}", f"session-{n:04d}", rev))
        api.settle()
        per_batch = plan.calls - before + counting.opened - opened
    finally:
        api.platform.close()
    revisions = len(revs)
    assert per_batch == 2 + revisions + 2 + 1, per_batch
    worst = 2 + SETTINGS.max_batch_size + 2 + 1  # a message is one play: one revision at most
    assert worst <= REQUIRED_PLAN.subrequests, worst
