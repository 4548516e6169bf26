"""Addresses people share: a result's own address, the player's history, the meta tags a chat
app reads, the preview cards, and the 404 page (docs/sharing.md)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from html.parser import HTMLParser
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot

ANSWER_PLANNER = 0  # option a of every question scores planner (tests.browser.conftest.quiz_doc)


class _Meta(HTMLParser):
    """The ``<meta>`` tags and the canonical link of raw HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a["content"]
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    """A plain GET (no browser, no JavaScript): what a chat app's link preview fetches."""
    try:
        with urllib.request.urlopen(url, timeout=10) as res:
            return res.status, res.read(), {k.lower(): v for k, v in res.headers.items()}
    except urllib.error.HTTPError as exc:
        body = exc.read()
        exc.close()
        return exc.code, body, {k.lower(): v for k, v in exc.headers.items()}


def _play(page: Page, doc: dict[str, Any], option: int = ANSWER_PLANNER) -> None:
    page.get_by_role("button", name="테스트 시작하기").click()
    for question in doc["questions"]:
        expect(page.get_by_role("heading", level=1)).to_have_text(question["text"])
        page.get_by_role("button", name=question["options"][option]["text"]).click()


def test_a_shared_link_opens_the_same_result_in_a_fresh_browser(
    new_page: Any, make_test: Any, server: str
) -> None:
    """Play → 공유하기 (no Web Share: the link is copied) → the copied link, opened in a browser
    that never played, shows that result with 나도 해보기."""
    test_id, doc = make_test(title="공유 테스트")
    player = new_page(width=420, height=860)
    player.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    player.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    player.goto(f"/t/{test_id}")
    _play(player, doc)
    expect(player.locator("#result-title")).to_have_text("계획형 여행자")
    assert player.url == f"{server}/t/{test_id}/r/planner"
    player.get_by_role("button", name="공유하기").click()
    expect(player.locator("#share-note")).to_have_text("링크를 복사했어요.")
    link = player.evaluate("navigator.clipboard.readText()")
    assert link == f"{server}/t/{test_id}/r/planner"

    friend = new_page(width=420, height=860)
    friend.goto(link)
    expect(friend.locator("#result-title")).to_have_text("계획형 여행자")
    expect(friend.get_by_role("button", name="나도 해보기")).to_be_visible()
    shot(friend, "shared-result")
    friend.get_by_role("button", name="나도 해보기").click()
    expect(friend.locator(".progress-count")).to_have_text(f"1 / {len(doc['questions'])}")
    assert friend.url == f"{server}/t/{test_id}#q1"


def test_web_share_gets_the_result_address(page: Page, make_test: Any, server: str) -> None:
    """Where the browser has the Web Share API, 공유하기 hands it the result's address."""
    test_id, doc = make_test()
    page.add_init_script(
        "window.__shared = [];"
        "navigator.share = (data) => { window.__shared.push(data); return Promise.resolve(); };"
    )
    page.goto(f"/t/{test_id}")
    _play(page, doc)
    page.get_by_role("button", name="공유하기").click()
    page.wait_for_function("window.__shared.length === 1")
    shared = page.evaluate("window.__shared[0]")
    assert shared["url"] == f"{server}/t/{test_id}/r/planner"
    assert shared["title"] == doc["title"] and "계획형 여행자" in shared["text"]


def test_back_mid_test_returns_to_the_previous_question_and_reload_resumes(
    page: Page, make_test: Any, server: str
) -> None:
    """Each question is a history entry: Back shows the previous one (with its answer marked),
    Forward the next, and a reload stays on the question it was at."""
    test_id, doc = make_test()
    q1, q2, q3 = doc["questions"]
    page.goto(f"/t/{test_id}")
    page.get_by_role("button", name="테스트 시작하기").click()
    page.get_by_role("button", name=q1["options"][1]["text"]).click()
    page.get_by_role("button", name=q2["options"][0]["text"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(q3["text"])
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(q2["text"])
    chosen = page.get_by_role("button", name=q2["options"][0]["text"])
    expect(chosen).to_have_attribute("aria-pressed", "true")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(q1["text"])
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text(q2["text"])
    assert page.url == f"{server}/t/{test_id}#q2"
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(q2["text"])
    page.get_by_role("button", name="← 이전 문항").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(q1["text"])


def test_a_result_page_has_its_meta_tags_without_javascript(make_test: Any, server: str) -> None:
    """The raw HTML of a result's address (what KakaoTalk or Slack reads) has its title,
    description, canonical link, Open Graph with an absolute 1200 × 630 card, and the Twitter
    card; two results' cards are different images."""
    test_id, doc = make_test(title="미리보기 카드 테스트")
    status, body, headers = _get(f"{server}/t/{test_id}/r/planner")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "test:" + test_id in headers["cache-tag"].split(",")
    page = _Meta(body.decode())
    assert page.meta["og:title"] == f"계획형 여행자 · {doc['title']}"
    assert page.meta["description"] == page.meta["og:description"] == "알찬 여행의 달인"
    assert page.canonical == page.meta["og:url"] == f"{server}/t/{test_id}/r/planner"
    assert page.meta["og:locale"] == "ko_KR" and page.meta["twitter:card"] == "summary_large_image"
    assert (page.meta["og:image:width"], page.meta["og:image:height"]) == ("1200", "630")
    cards = []
    for result in ("planner", "free"):
        _, html, _ = _get(f"{server}/t/{test_id}/r/{result}")
        image = _Meta(html.decode()).meta["og:image"]
        assert image.startswith(f"{server}/cards/")
        status, png, headers = _get(image)
        assert status == 200 and headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(png)).size == (1200, 630)
        cards.append(png)
    assert cards[0] != cards[1]


def test_the_result_image_downloads_the_results_card(page: Page, make_test: Any) -> None:
    """결과 이미지 저장 downloads the result's card: a 1200 × 630 PNG named after the result."""
    test_id, doc = make_test()
    page.goto(f"/t/{test_id}")
    _play(page, doc)
    with page.expect_download() as download:
        page.get_by_role("link", name="결과 이미지 저장").click()
    saved = download.value
    assert saved.suggested_filename == f"{test_id}-planner.png"
    with open(saved.path(), "rb") as f:
        assert Image.open(f).size == (1200, 630)


def test_an_unknown_test_is_a_real_404(page: Page, server: str) -> None:
    """An id nobody published: status 404, the 404 page, and nothing the player could start."""
    response = page.goto("/t/no-such-test")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("테스트를 찾을 수 없어요")
    status, _, _ = _get(f"{server}/t/no-such-test/r/anything")
    assert status == 404


def test_similar_tests_arrive_without_moving_anything(page: Page, make_test: Any) -> None:
    """비슷한 테스트 has its room from the first paint: the page's layout shift stays 0."""
    test_id, _ = make_test(title="레이아웃 테스트")
    make_test(title="레이아웃 테스트와 비슷한 테스트")
    page.goto(f"/t/{test_id}")
    similar = page.get_by_role("region", name="비슷한 테스트")
    expect(similar.locator(".similar-link, .similar-empty").first).to_be_visible()
    assert page.evaluate(_LAYOUT_SHIFT) == 0


# Every layout shift of the page so far (buffered), summed as CLS counts them; a page with none
# never calls the observer back, so two animation frames later the answer is 0.
_LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({ type: "layout-shift", buffered: true });
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(total)));
})"""


def test_the_sitemap_and_robots_are_served(make_test: Any, server: str) -> None:
    """robots.txt keeps crawlers out of /admin/ and /api/; the sitemap index names the test's
    sitemap, which lists its result pages."""
    test_id, _ = make_test()
    status, robots, _ = _get(f"{server}/robots.txt")
    assert status == 200 and b"Disallow: /api/" in robots and b"Disallow: /admin/" in robots
    _, index, _ = _get(f"{server}/sitemap.xml")
    assert f"{server}/t/{test_id}.xml".encode() in index
    _, sitemap, _ = _get(f"{server}/t/{test_id}.xml")
    assert f"{server}/t/{test_id}/r/free".encode() in sitemap
