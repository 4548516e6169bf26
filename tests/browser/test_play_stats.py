"""Play analytics end to end on the dev server: taking a test on the public site shows up in
the admin's 통계 within seconds (events → queue → consumer → PostgreSQL → stats → SVG charts)
and in the public counts (→ D1: "N명 참여", "전체의 N%가 이 결과"), and a player who leaves
mid-test is still counted (the page-hide beacon)."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from playwright.sync_api import Page, expect

from quizhub.analytics.consumer import RETRY_BASE_SECONDS
from tests.browser._pages import sign_in
from tests.browser.conftest import ADMIN_TOKEN, http, shot

# The consumer's batch timeout (2 s) plus the page's own flush delay, with room for a slow CI.
ARRIVAL_S = 20 + RETRY_BASE_SECONDS


def _stats_when(server: str, test_id: str, ready: Any) -> dict[str, Any]:
    """Poll the stats API until ``ready(stats)`` holds (the consumer works in real time here)."""
    deadline = time.monotonic() + ARRIVAL_S
    while True:
        status, stats = http("GET", f"{server}/api/admin/stats/tests/{test_id}", token=ADMIN_TOKEN)
        assert status == 200, stats
        if ready(stats):
            return dict(stats)
        assert time.monotonic() < deadline, f"play events did not arrive: {stats['totals']}"
        time.sleep(0.25)


def _play(page: Page, test_id: str, doc: dict[str, Any], answered: int) -> None:
    page.goto(f"/t/{test_id}")
    page.get_by_role("button", name="테스트 시작하기").click()
    for question in doc["questions"][:answered]:
        expect(page.get_by_role("heading", level=1)).to_have_text(question["text"])
        page.get_by_role("button", name=question["options"][0]["text"]).click()


def test_a_played_test_shows_up_in_the_admin_stats_within_seconds(
    new_page: Any, make_test: Any, server: str
) -> None:
    """One full play: view, start, every answer, complete and a share; the admin's 통계 for
    the test shows them with its charts, and the overview lists the test."""
    test_id, doc = make_test(title="통계용 브라우저 테스트")
    player = new_page(width=800, height=700)
    player.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _play(player, test_id, doc, len(doc["questions"]))
    expect(player.locator("#result-title")).to_be_visible()
    player.evaluate("delete navigator.share")  # headless: copy the link instead
    player.get_by_role("button", name="공유하기").click()
    expect(player.locator("#share-note")).to_have_text("링크를 복사했어요.")
    stats = _stats_when(server, test_id, lambda s: s["totals"]["shares"] == 1)
    total = len(doc["questions"])
    assert stats["totals"] == {
        "views": 1,
        "starts": 1,
        "answers": total,
        "completions": 1,
        "shares": 1,
    }

    admin = new_page()
    sign_in(admin)
    admin.goto(f"/admin/#/stats/{test_id}")
    expect(admin.get_by_role("heading", name=f"통계 · {doc['title']}")).to_be_visible()
    totals = admin.locator("#stats-totals")
    expect(totals.locator('[data-key="starts"] dd')).to_have_text("1")
    expect(totals.locator('[data-key="completions"] dd')).to_have_text("1")
    expect(totals.locator('[data-key="rate"] dd')).to_have_text("100.0%")
    expect(admin.locator("svg.chart-daily polyline")).to_have_count(3)
    expect(admin.locator("#stats-results svg")).to_have_attribute(
        "aria-label",
        f"결과 분포: {stats['results'][0]['title']} 1, {stats['results'][1]['title']} 0",
    )
    expect(admin.locator("#stats-questions rect")).to_have_count(total)
    expect(admin.locator("#stats-rejected")).to_have_text("집계에서 제외된 이벤트가 없습니다.")
    shot(admin, "admin-stats-test", full_page=True)

    admin.get_by_role("link", name="전체 통계").click()
    row = admin.locator(f'#stats-overview tr[data-test-id="{test_id}"]')
    expect(row.locator("th")).to_have_text(doc["title"])
    row.get_by_role("link").click()
    expect(admin).to_have_url(f"{server}/admin/#/stats/{test_id}")


def _public_when(server: str, test_id: str, participants: int) -> dict[str, Any]:
    """Poll the public counts until they reach ``participants``."""
    deadline = time.monotonic() + ARRIVAL_S
    while True:
        status, counts = http("GET", f"{server}/api/tests/{test_id}/stats")
        assert status == 200, counts
        if counts["participants"] >= participants:
            return dict(counts)
        assert time.monotonic() < deadline, f"the play was not counted: {counts}"
        time.sleep(0.25)


def test_a_completed_play_shows_in_the_public_counts(
    new_page: Any, make_test: Any, server: str
) -> None:
    """After one full play the test page says "1명 참여", the card on the home page too, and
    the next player who reaches the same result reads "전체의 100%가 이 결과"."""
    test_id, doc = make_test(title="참여 수 브라우저 테스트")
    first = new_page(width=800, height=700)
    _play(first, test_id, doc, len(doc["questions"]))
    expect(first.locator("#result-title")).to_be_visible()
    first.goto("/")  # page hide: whatever waits goes out now
    counts = _public_when(server, test_id, 1)
    assert counts["participants"] == 1 and len(counts["results"]) == 1

    second = new_page(width=800, height=700)
    second.goto(f"/test/?id={test_id}")
    expect(second.locator("#participants")).to_have_text(" · 1명 참여")
    shot(second, "public-test-participants")
    _play(second, test_id, doc, len(doc["questions"]))
    expect(second.locator("#result-share")).to_have_text("전체의 100%가 이 결과")
    shot(second, "public-result-share")
    second.goto("/?sort=newest")
    card = second.locator(".card", has=second.get_by_role("heading", name=doc["title"]))
    expect(card.locator(".participants")).to_have_text("1명 참여")


def test_a_player_who_leaves_mid_test_is_counted_by_the_beacon(
    new_page: Any, make_test: Any, server: str
) -> None:
    """Leaving after one answer sends what was waiting (sendBeacon on page hide): the start and
    the answer arrive, no completion, and the drop-off shows at question 2."""
    test_id, doc = make_test(title="중간에 그만둔 테스트")
    player = new_page()
    _play(player, test_id, doc, answered=1)
    player.goto("/")  # page hide → beacon
    stats = _stats_when(server, test_id, lambda s: s["totals"]["answers"] == 1)
    assert stats["totals"]["starts"] == 1 and stats["totals"]["completions"] == 0
    assert [q["dropOff"] for q in stats["questions"][:2]] == [0, 1]


def test_previews_send_no_play_events(new_page: Any, make_test: Any, server: str) -> None:
    """An editor's 미리보기 is not a play: after it, a player's view arrives alone (no start,
    no answer from the preview before it)."""
    test_id, doc = make_test(title="미리보기 통계 테스트")
    page = new_page()
    sign_in(page)
    page.goto(f"/admin/preview/?id={test_id}&preview=1")
    page.get_by_role("button", name="테스트 시작하기").click()
    page.get_by_role("button", name=doc["questions"][0]["options"][0]["text"]).click()
    page.goto("/")
    player = new_page()
    player.goto(f"/t/{test_id}")
    expect(player.get_by_role("button", name="테스트 시작하기")).to_be_visible()
    player.goto("/")  # page hide → the view goes out now
    stats = _stats_when(server, test_id, lambda s: s["totals"]["views"] >= 1)
    assert stats["totals"] == {"views": 1, "starts": 0, "answers": 0, "completions": 0, "shares": 0}


def test_a_search_that_found_nothing_shows_in_the_admin_stats(new_page: Any, server: str) -> None:
    """A player's search with no result is listed under 찾지 못한 검색어 in 통계, with how many
    times it was typed (its spacing and case folded), and nothing about who typed it."""
    query = "세탁기 배수 필터 청소"
    for typed in (query, f"  {query}  "):
        status, found = http("GET", f"{server}/api/tests?q={urllib.parse.quote(typed)}")
        assert status == 200 and found["items"] == [], found
    admin = new_page()
    sign_in(admin)
    admin.goto("/admin/#/stats")
    missed = admin.locator("#stats-missed")
    expect(missed.get_by_role("heading", name="찾지 못한 검색어")).to_be_visible()
    row = missed.locator("tbody tr", has_text=query)
    expect(row.locator("td")).to_have_text("2")
    shot(admin, "admin-stats-missed-searches", full_page=True)
