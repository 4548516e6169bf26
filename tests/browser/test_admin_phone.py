"""The admin on a phone (390×844, docs/admin.md#on-a-phone): the sticky editor bar keeps to at
most 15 % of the screen before and after a save, its secondary actions are in 더보기, 통계's
chart labels are at least 11 px tall as rendered, and no table header or cell breaks a word
across lines."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser._pages import open_test, save_status, sign_in, title_input
from tests.browser.conftest import shot
from tests.browser.test_play_stats import _play, _stats_when

PHONE = {"width": 390, "height": 844}
BAR_SHARE = 0.15  # of the screen's height
MIN_LABEL_PX = 11

# Words (runs of characters other than spaces and hyphens: a line may end after a hyphen, as in
# "bt-1234") of table cells and stat tiles whose characters do not all sit on one line: each
# word's Range has its client rects on more than one line.
_BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
          .map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(`${m[0]} (${lines.size} lines)`);
      }
    }
  }
  return broken;
}"""

_LABEL_HEIGHTS = """() => [...document.querySelectorAll("svg.chart .chart-label")]
  .map((el) => ({ text: el.textContent, height: el.getBoundingClientRect().height }))"""


def _bar_height(page: Page) -> float:
    box = page.locator(".editor-bar").bounding_box()
    assert box is not None
    return float(box["height"])


def test_the_editor_bar_keeps_to_15_percent_of_a_phone_screen_before_and_after_a_save(
    new_page: Any, make_test: Any
) -> None:
    """The bar (title, 저장하기, 더보기, status) is at most 15 % of 844 px with the test just
    opened and after a save has finished; the secondary actions work from 더보기."""
    test_id, _ = make_test(title="휴대폰에서 편집하는 아주 긴 제목의 브라우저 테스트입니다")
    page = new_page(**PHONE)
    sign_in(page)
    open_test(page, test_id)
    limit = PHONE["height"] * BAR_SHARE
    before = _bar_height(page)
    assert before <= limit, f"editor bar {before:.0f}px > {limit:.0f}px before saving"

    title_input(page).fill("휴대폰에서 고친 아주 긴 제목: 저장하면 상태 줄이 나타납니다")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_have_attribute("data-state", "saved")
    expect(save_status(page)).to_contain_text("공개 반영 완료")
    after = _bar_height(page)
    shot(page, "admin-phone-saved")
    assert after <= limit, f"editor bar {after:.0f}px > {limit:.0f}px after a save"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    history = page.locator("#history-button")
    expect(history).to_be_hidden()  # folded into 더보기
    page.get_by_role("button", name="더보기").click()
    shot(page, "admin-phone-more")
    history.click()
    expect(page.locator("#history-panel")).to_be_visible()
    expect(history).to_be_hidden()  # the menu closed once an item was used
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator(".editor-bar").bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"] * 0.2  # still on screen: sticky


def test_stats_on_a_phone_have_readable_chart_labels_and_tables_that_keep_words_whole(
    new_page: Any, make_test: Any, server: str
) -> None:
    """통계 of one test and the overview at 390 px: every chart label renders at least 11 px
    tall, and no header, cell or tile breaks a word (completion rates stay "100.0%")."""
    test_id, doc = make_test(title="휴대폰 통계 화면에서 보는 조금 긴 이름의 테스트")
    player = new_page(width=800, height=700)
    _play(player, test_id, doc, len(doc["questions"]))
    expect(player.locator("#result-title")).to_be_visible()
    player.goto("/")  # page hide: whatever waits goes out now
    _stats_when(server, test_id, lambda s: s["totals"]["completions"] == 1)

    page = new_page(**PHONE)
    sign_in(page)
    page.goto(f"/admin/#/stats/{test_id}")
    expect(page.locator("#stats-totals")).to_be_visible()
    expect(page.locator("#stats-questions rect")).to_have_count(len(doc["questions"]))
    expect(page.locator("svg.chart-daily polyline")).to_have_count(3)
    labels = page.evaluate(_LABEL_HEIGHTS)
    assert len(labels) >= 3 + 2 * (len(doc["results"]) + len(doc["questions"]))
    small = [lab for lab in labels if lab["height"] < MIN_LABEL_PX]
    assert small == [], small
    assert page.evaluate(_BROKEN_WORDS, ".stats-total dt, .stats-total dd") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "admin-phone-stats-test", full_page=True)

    page.goto("/admin/#/stats")
    row = page.locator(f'#stats-overview tr[data-test-id="{test_id}"]')
    expect(row.locator("td").last).to_have_text("100.0%")
    # The chart is drawn once its width is known, which may be after the table.
    expect(page.locator("#stats-overview-chart .chart-label").first).to_be_attached()
    overview = page.evaluate(_LABEL_HEIGHTS)
    assert overview and [lab for lab in overview if lab["height"] < MIN_LABEL_PX] == []
    assert page.evaluate(_BROKEN_WORDS, ".stats-table th, .stats-table td") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "admin-phone-stats-overview", full_page=True)
