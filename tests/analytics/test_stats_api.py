"""Admin stats: totals, completion rate, result distribution, per-question drop-off in the
test's order, a daily series over Korean days, and the overview, most played first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quizhub.analytics.events import KST_OFFSET_MS
from tests.analytics.conftest import AnalyticsApi, event, play
from tests.api.conftest import AUTH, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock

DAY_MS = 24 * 3600 * 1000


def test_one_test_reports_totals_rate_results_drop_off_and_days(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """Yesterday: two complete plays and one that stopped after two questions; today: one view.
    The drop-off follows the question order; the series has one entry per day, oldest first."""
    rev = aapi.publish("travel", travel_doc)
    aapi.send(play(travel_doc, "travel", "session-a1", rev))
    aapi.send(play(travel_doc, "travel", "session-b2", rev))
    aapi.send(play(travel_doc, "travel", "session-c3", rev, answered=2))
    aapi.settle()
    aapi.clock.advance(DAY_MS)
    aapi.send([event("view", session="session-d4", rev=rev)])
    aapi.send([event("share", session="session-a1", rev=rev)])
    aapi.settle()

    stats = aapi.stats("travel", days=7)
    assert stats["title"] == travel_doc["title"] and stats["days"] == 7
    assert stats["totals"] == {
        "views": 4,
        "starts": 3,
        "answers": 2 * 4 + 2,
        "completions": 2,
        "shares": 1,
    }
    assert stats["completionRate"] == round(2 / 3, 4)
    first_result = travel_doc["results"][0]["id"]
    assert stats["results"][0] == {
        "resultId": first_result,
        "title": travel_doc["results"][0]["title"],
        "completions": 2,
        "share": 1.0,
    }
    assert {r["resultId"] for r in stats["results"]} == {r["id"] for r in travel_doc["results"]}
    questions = [(q["questionId"], q["answers"], q["dropOff"]) for q in stats["questions"]]
    assert questions == [("q1", 3, 0), ("q2", 3, 0), ("q3", 2, 1), ("q4", 2, 0)]
    assert stats["questions"][2]["dropOffRate"] == round(1 / 3, 4)
    daily = stats["daily"]
    assert (
        len(daily) == 7 and daily[-1]["date"] == stats["to"] and daily[0]["date"] == stats["from"]
    )
    assert [d["starts"] for d in daily[-2:]] == [3, 0] and daily[-1]["views"] == 1


def test_days_are_korean_days(aapi: AnalyticsApi, travel_doc: dict[str, Any]) -> None:
    """An event received at 23:30 UTC counts on the next Korean day (KST = UTC+9)."""
    rev = aapi.publish("travel", travel_doc)
    midnight_utc = (aapi.clock.ms // DAY_MS + 1) * DAY_MS
    aapi.clock.ms = midnight_utc - 30 * 60 * 1000  # 23:30 UTC = 08:30 KST the next day
    aapi.send([event("view", rev=rev)])
    aapi.settle()
    kst_date = aapi.stats("travel", days=1)["to"]
    from datetime import UTC, datetime

    expected = datetime.fromtimestamp((aapi.clock.ms + KST_OFFSET_MS) / 1000, tz=UTC)
    assert kst_date == expected.date().isoformat()
    assert aapi.stats("travel", days=1)["totals"]["views"] == 1


def test_the_overview_lists_tests_most_played_first(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """Starts decide the order; titles come from D1; tests without plays are not listed."""
    rev = aapi.publish("travel", travel_doc)
    quiet = aapi.publish("quiet", sample_doc("조용한 테스트"))
    aapi.save("unplayed", sample_doc("아무도 안 한 테스트"))
    aapi.send(
        [event("view", test_id="quiet", rev=quiet), event("start", test_id="quiet", rev=quiet)]
    )
    aapi.send(play(travel_doc, "travel", "session-a1", rev))
    aapi.send(play(travel_doc, "travel", "session-b2", rev))
    aapi.settle()
    r = aapi.client.get("/api/admin/stats/overview?days=30", headers=AUTH)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    items = r.json()["items"]
    assert [(i["testId"], i["totals"]["starts"]) for i in items] == [("travel", 2), ("quiet", 1)]
    assert items[1]["title"] == "조용한 테스트" and items[0]["completionRate"] == 1.0


def test_stats_are_behind_the_admin_auth(aapi: AnalyticsApi) -> None:
    """No token, no stats."""
    assert aapi.client.get("/api/admin/stats/overview").status_code == 401
    assert aapi.client.get("/api/admin/stats/tests/travel").status_code == 401


def test_days_outside_1_to_365_are_422(aapi: AnalyticsApi) -> None:
    """The window is named in the error."""
    for days in (0, 366):
        r = aapi.client.get(f"/api/admin/stats/overview?days={days}", headers=AUTH)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["query", "days"]


def test_a_test_with_no_plays_has_zero_stats(
    aapi: AnalyticsApi, travel_doc: dict[str, Any]
) -> None:
    """A saved test nobody played: zeros, no completion rate, every question listed."""
    aapi.save("travel", travel_doc)
    stats = aapi.stats("travel")
    assert stats["totals"]["views"] == 0 and stats["completionRate"] is None
    assert [q["answers"] for q in stats["questions"]] == [0, 0, 0, 0]


def test_without_an_analytics_database_stats_are_503(tmp_path: Path, clock: FakeClock) -> None:
    """A platform without Postgres answers a clear 503, never a 500."""
    api = make_api(tmp_path, clock)
    try:
        r = api.client.get("/api/admin/stats/overview", headers=AUTH)
        assert r.status_code == 503 and r.json()["error"]["code"] == "analytics_unavailable"
    finally:
        api.platform.close()
