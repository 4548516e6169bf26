"""The public site in headless Chromium, and static safety checks on public/."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from quizhub.api.docs import ASSETS as DOCS_ASSETS
from tests.browser._pages import open_test, sign_in
from tests.browser.conftest import ROOT, http, shot

PUBLIC = ROOT / "public"


# ---------- public ----------

INDEXED_S = 15  # the index queue's consumer works in real time here


def _indexed(server: str, test_id: str, other_id: str) -> None:
    """Wait until the search index, which its own queue updates after a save, relates the two
    tests (the page asks for similar tests once, when it loads)."""
    deadline = time.monotonic() + INDEXED_S
    while True:
        _, similar = http("GET", f"{server}/api/tests/{test_id}/similar?limit=4")
        if other_id in [item["id"] for item in similar["items"]]:
            return
        assert time.monotonic() < deadline, f"not indexed in {INDEXED_S} s: {similar}"
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [(["a", "a", "b"], "계획형 여행자"), (["b", "b", "a"], "자유형 여행자")],
)
def test_taking_a_test_gives_the_expected_result(
    new_page: Any, make_test: Any, answers: list[str], expected: str
) -> None:
    """One question at a time with "n / N" progress, then the computed result and "다시 하기"."""
    test_id, doc = make_test(title="나의 여행 스타일 테스트")
    page = new_page(width=800, height=640)
    page.goto(f"/t/{test_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(doc["title"])
    page.get_by_role("button", name="테스트 시작하기").click()
    total = len(doc["questions"])
    for i, (question, answer) in enumerate(zip(doc["questions"], answers, strict=True)):
        expect(page.locator(".progress-count")).to_have_text(f"{i + 1} / {total}")
        expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", str(i + 1))
        expect(page.get_by_role("heading", level=1)).to_have_text(question["text"])
        if i == 1:
            shot(page, "public-question")
        text = next(o["text"] for o in question["options"] if o["id"] == answer)
        page.get_by_role("button", name=text).click()
    expect(page.locator("#result-title")).to_have_text(expected)
    shot(page, f"public-result-{answers[0]}")
    page.get_by_role("button", name="다시 하기").click()
    expect(page.locator(".progress-count")).to_have_text(f"1 / {total}")


def test_home_lists_published_tests_with_search_tag_and_more(page: Page, make_test: Any) -> None:
    """The home page lists published tests, filters by ?q= and ?tag=, and pages with 더 보기."""
    _, doc = make_test(title="검색어유니크 브라우저 테스트")
    _, draft = make_test(title="비공개 초안 테스트", status="draft")
    page.goto("/")
    expect(page.locator(".card").first).to_be_visible()
    shot(page, "public-home", full_page=True)
    expect(page.get_by_role("heading", name=draft["title"])).to_have_count(0)

    page.get_by_label("테스트 검색").fill("검색어유니크")
    page.get_by_role("button", name="검색").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    # The test holding the word comes first (tests the vector side finds near it may follow).
    expect(page.locator(".card").first.get_by_role("heading")).to_have_text(doc["title"])

    page.goto("/?tag=브라우저")
    expect(page.locator(".card").first).to_be_visible()
    for tags in page.locator(".card .card-tags").all_inner_texts():
        assert "#브라우저" in tags

    # "더 보기": shrink the page size to 2 so the real cursor pagination is exercised.
    def small_pages(route: Route) -> None:
        route.continue_(url=re.sub(r"limit=\d+", "limit=2", route.request.url))

    page.route("**/api/tests?*", small_pages)
    page.goto("/")
    expect(page.locator(".card")).to_have_count(2)
    page.get_by_role("button", name="더 보기").click()
    expect(page.locator(".card")).to_have_count(4)
    links = page.locator(".card-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(set(links)) == 4


def test_home_orders_by_popularity_or_newest_and_keeps_the_choice_in_the_url(
    page: Page, make_test: Any, server: str
) -> None:
    """인기순 is the default, 최신순 is ?sort=newest; tag chips are categories (?tag=) that keep
    the order; every choice is a link, so Back and a shared URL return to it."""
    make_test(title="카테고리 브라우저 테스트", tags=["카테고리칩"])
    page.goto("/")
    sort = page.get_by_role("navigation", name="정렬 순서")
    expect(sort.get_by_role("link", name="인기순")).to_have_attribute("aria-current", "page")
    sort.get_by_role("link", name="최신순").click()
    expect(page).to_have_url(f"{server}/?sort=newest")
    expect(sort.get_by_role("link", name="최신순")).to_have_attribute("aria-current", "page")
    expect(page.locator(".card").first).to_be_visible()
    categories = page.get_by_label("카테고리")
    categories.get_by_role("link", name="#카테고리칩").click()
    expect(page).to_have_url(re.compile(r"\?tag=%EC%B9%B4.*&sort=newest$"))
    expect(categories.get_by_role("link", name="#카테고리칩")).to_have_attribute(
        "aria-current", "page"
    )
    for tags in page.locator(".card .card-tags").all_inner_texts():
        assert "#카테고리칩" in tags
    shot(page, "public-home-category", full_page=True)
    page.go_back()
    expect(page).to_have_url(f"{server}/?sort=newest")


def test_a_search_without_results_offers_the_popular_tests(page: Page, make_test: Any) -> None:
    """No dead end: the search says it found nothing and the popular tests follow. The query is
    on a topic no test covers (the eval set's no-answer kind), so neither side answers it."""
    make_test(title="인기 대체 브라우저 테스트")
    page.goto("/?q=" + "자동차 엔진오일 교체")
    expect(page.locator(".empty")).to_contain_text("맞는 테스트가 없어요")
    expect(page.get_by_role("heading", name="인기 테스트")).to_be_visible()
    expect(page.locator(".card").first).to_be_visible()
    expect(page.get_by_role("navigation", name="정렬 순서")).to_be_hidden()
    shot(page, "public-search-none", full_page=True)


@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_pages_fit_a_375px_screen(new_page: Any, make_test: Any, path: str) -> None:
    """No horizontal scrolling at phone width."""
    test_id, _ = make_test()
    page = new_page(width=375, height=740)
    if path == "/admin/":
        sign_in(page)
        open_test(page, test_id)
    else:
        page.goto(path)
        expect(page.locator(".card").first).to_be_visible()
    shot(page, f"mobile-{'admin' if 'admin' in path else 'home'}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    if path == "/":
        page.goto(f"/t/{test_id}")
        page.get_by_role("button", name="테스트 시작하기").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "mobile-question")


# ---------- safety (static checks on public/) ----------

SINKS = re.compile(r"\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write(ln)?)\b")


def test_no_html_string_sinks_in_public() -> None:
    """User content is rendered with textContent/DOM APIs only (in our code: the vendored
    Swagger UI bundle of /api/docs renders no user content)."""
    vendor = PUBLIC / DOCS_ASSETS.lstrip("/") / "vendor"
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in PUBLIC.rglob("*")
        if path.is_file() and path.suffix in {".js", ".html", ".mjs"} and vendor not in path.parents
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SINKS.search(line)
    ]
    assert offenders == []


def test_html_pages_have_csp_and_no_inline_script() -> None:
    """Every page carries a CSP with script-src 'self' and has no inline scripts or handlers."""
    pages = sorted(PUBLIC.rglob("*.html"))
    assert pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        assert csp and "script-src 'self'" in csp.group(1), path
        assert "unsafe-inline" not in csp.group(1), path
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script in {path}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {path}"
        assert 'style="' not in html, f"inline style in {path}"


def test_headers_file_sets_csp_and_nosniff() -> None:
    """public/_headers gives static assets the same CSP plus nosniff."""
    text = (PUBLIC / "_headers").read_text(encoding="utf-8")
    assert re.search(r"^/\*$", text, re.M)
    assert "X-Content-Type-Options: nosniff" in text
    csp = re.search(r"Content-Security-Policy: (.+)", text)
    assert csp and "script-src 'self'" in csp.group(1)
    meta = re.search(
        r'http-equiv="Content-Security-Policy" content="([^"]+)"',
        (PUBLIC / "index.html").read_text(encoding="utf-8"),
    )
    assert meta and csp.group(1).startswith(meta.group(1))  # the header adds only frame-ancestors


def test_served_pages_carry_the_security_headers(page: Page, server: str) -> None:
    """The dev server applies public/_headers like Workers static assets do."""
    response = page.request.get(f"{server}/admin/")
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    assert response.headers.get("x-content-type-options") == "nosniff"


def test_a_test_page_shows_similar_tests_but_never_itself(
    page: Page, make_test: Any, server: str
) -> None:
    """비슷한 테스트 under the intro: related published tests as links, never the test itself.
    The two sea-travel tests share their tags; every other browser test has other tags (and
    the same description and results as these)."""
    test_id, doc = make_test(title="바다 여행 계획 테스트", tags=["바다", "해외여행"])
    other_id, other = make_test(title="해외여행 계획 스타일", tags=["바다", "해외여행"])
    _indexed(server, test_id, other_id)
    page.goto(f"/t/{test_id}")
    similar = page.get_by_role("region", name="비슷한 테스트")
    expect(similar).to_be_visible()
    expect(similar.get_by_role("link", name=re.compile(other["title"]))).to_have_attribute(
        "href", f"/t/{other_id}"
    )
    expect(similar.get_by_role("link", name=re.compile(doc["title"]))).to_have_count(0)
