"""The public pages outside /api/: a test's and a result's address with their meta tags, the
cards they point at, the 404 page, the old address's 301, robots.txt and the sitemaps, and how
they are cached and purged."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image

from quizhub.api.page_html import BASE_CSP, KAKAO_CSP, KAKAO_SDK, SIMILAR_SLOTS, page_csp
from quizhub.bindings import ConfigError, settings_from_vars
from quizhub.edge.cdn import MAX_PURGE_ITEMS, page_url, urls_for_test
from quizhub.local.host import parse_headers_file
from quizhub.ports import CachedResponse
from tests.api.conftest import Api, make_api
from tests.conftest import ROOT, sample_doc
from tests.fakes import FakeClock, run

ORIGIN = "http://127.0.0.1:8787"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Head(HTMLParser):
    """The ``<meta>``/``<link>``/``<title>`` of a page and its page-data JSON, from raw HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.title = ""
        self.scripts: list[dict[str, str]] = []
        self.data: Any = None
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a["content"]
        elif tag == "link":
            self.links[a["rel"]] = a["href"]
        elif tag == "script":
            self.scripts.append(a)
            self._in = "data" if a.get("id") == "page-data" else None
        elif tag == "title":
            self._in = "title"

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "data":
            self.data = json.loads(data)


def _page(api: Api, path: str) -> Head:
    r = api.client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    return Head(r.text)


def _png_size(api: Api, url: str) -> tuple[int, int]:
    r = api.client.get(url.removeprefix(ORIGIN))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    return Image.open(io.BytesIO(r.content)).size


def test_a_test_page_carries_its_meta_tags_and_an_absolute_card(api: Api) -> None:
    """Title, description, canonical, Open Graph (absolute image, its size, the document's
    locale) and the Twitter card, all in the HTML the server sends."""
    api.save("travel", sample_doc("나의 여행 성향 테스트", locale="ja"))
    head = _page(api, "/t/travel")
    assert head.title == "나의 여행 성향 테스트 · quizhub"
    assert head.meta["description"] == "몇 가지 질문으로 알아보는 여행 스타일"
    assert head.links["canonical"] == f"{ORIGIN}/t/travel"
    assert head.meta["og:url"] == f"{ORIGIN}/t/travel"
    assert head.meta["og:title"] == "나의 여행 성향 테스트"
    assert head.meta["og:type"] == "website" and head.meta["og:locale"] == "ja_JP"
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["og:image"].startswith(f"{ORIGIN}/cards/")
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == ("1200", "630")
    assert _png_size(api, head.meta["og:image"]) == (1200, 630)


def test_each_result_page_shows_its_own_card(api: Api) -> None:
    """A result's address has the result in its title and its own card; two results' cards
    differ, and the page data lists every result's card for the player."""
    api.save("travel", sample_doc())
    planner, free = _page(api, "/t/travel/r/planner"), _page(api, "/t/travel/r/free")
    assert planner.title == "계획형 여행자 · 나의 여행 성향 테스트 · quizhub"
    assert planner.links["canonical"] == f"{ORIGIN}/t/travel/r/planner"
    assert planner.meta["og:image"] != free.meta["og:image"]
    assert planner.data["resultId"] == "planner"
    assert planner.data["cards"]["results"]["planner"] == planner.meta["og:image"]
    first = api.client.get(planner.meta["og:image"].removeprefix(ORIGIN)).content
    second = api.client.get(free.meta["og:image"].removeprefix(ORIGIN)).content
    assert first != second
    assert (
        "immutable"
        in api.client.get(planner.meta["og:image"].removeprefix(ORIGIN)).headers["cache-control"]
    )


def test_text_from_the_document_is_escaped_everywhere(api: Api) -> None:
    """A title made to break out of an attribute, an element and the page-data script stays
    text: no tag it contains reaches the markup, and the JSON still parses to it."""
    hostile = '"><script>alert(1)</script></script><img src=x onerror=alert(2)>'
    api.save("travel", sample_doc(hostile, description="<b>굵게</b> & 'quote'"))
    r = api.client.get("/t/travel")
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "</script><img" not in r.text
    head = Head(r.text)
    assert head.meta["og:title"] == hostile and head.title == f"{hostile} · quizhub"
    assert head.meta["description"] == "<b>굵게</b> & 'quote'"
    assert head.data["testId"] == "travel"
    assert [s.get("src") for s in head.scripts if s.get("src")] == ["/assets/test.js"]


@pytest.mark.parametrize(
    "path",
    ["/t/nothing-here", "/t/draft", "/t/travel/r/nobody", "/t/Bad_Id", "/t/travel/x/y", "/t/"],
)
def test_unknown_or_unpublished_pages_are_a_real_404(api: Api, path: str) -> None:
    """No such test, a draft, no such result, a malformed id or address: the HTML 404 page
    with status 404, not indexed and not cached."""
    api.save("travel", sample_doc())
    api.save("draft", sample_doc("초안", status="draft"))
    r = api.client.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<meta name="robots" content="noindex">' in r.text and "찾을 수 없어요" in r.text
    assert r.headers["cache-control"] == "no-store"


def test_the_api_keeps_its_json_404(api: Api) -> None:
    """Under /api/ a missing thing is still the JSON error shape."""
    r = api.client.get("/api/tests/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "test_not_found"


def test_the_old_address_moved_for_good(api: Api) -> None:
    """/test/?id=X answers 301 to /t/X; a preview link goes to the admin's preview page; a
    /test/ address without a test id is the 404 page."""
    r = api.client.get("/test/?id=travel", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/t/travel"
    r = api.client.get("/test/?id=travel&preview=1&rev=01ABC", follow_redirects=False)
    assert r.status_code == 301
    assert r.headers["location"] == "/admin/preview/?id=travel&preview=1&rev=01ABC"
    assert api.client.get("/test/", follow_redirects=False).status_code == 404
    assert api.client.get("/test/?id=../x", follow_redirects=False).status_code == 404


def test_robots_keeps_crawlers_out_of_the_admin_and_the_api(api: Api) -> None:
    """robots.txt: both disallowed, the rest allowed, the sitemap named; cacheable, tagged."""
    r = api.client.get("/robots.txt")
    lines = r.text.splitlines()
    assert "Disallow: /admin/" in lines and "Disallow: /api/" in lines
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines
    assert "s-maxage" in r.headers["cache-control"] and "tests:list" in r.headers["cache-tag"]


def test_the_sitemap_lists_published_tests_and_their_results(api: Api, clock: FakeClock) -> None:
    """The index has one sitemap per published test (drafts never), each with lastmod; a test's
    sitemap lists its page and every result's page; a save shows in both at once (purged)."""
    api.save("travel", sample_doc())
    api.save("draft", sample_doc("초안", status="draft"))
    index = ElementTree.fromstring(api.client.get("/sitemap.xml").content)
    entries = {
        e.findtext(f"{_SITEMAP}loc"): e.findtext(f"{_SITEMAP}lastmod")
        for e in index.iter(f"{_SITEMAP}sitemap")
    }
    assert list(entries) == [f"{ORIGIN}/t/travel.xml"]
    travel = api.client.get("/api/tests/travel").json()
    assert entries[f"{ORIGIN}/t/travel.xml"] == travel["updatedAt"]
    urls = ElementTree.fromstring(api.client.get("/t/travel.xml").content)
    locs = [u.findtext(f"{_SITEMAP}loc") for u in urls.iter(f"{_SITEMAP}url")]
    assert locs == [
        f"{ORIGIN}/t/travel",
        f"{ORIGIN}/t/travel/r/planner",
        f"{ORIGIN}/t/travel/r/free",
    ]
    assert {u.findtext(f"{_SITEMAP}lastmod") for u in urls.iter(f"{_SITEMAP}url")} == {
        travel["updatedAt"]
    }
    clock.advance(5_000)
    api.save("second", sample_doc("두 번째"))
    index = ElementTree.fromstring(api.client.get("/sitemap.xml").content)
    assert len(list(index.iter(f"{_SITEMAP}sitemap"))) == 2


def test_pages_are_cached_tagged_and_purged_by_the_save(api: Api) -> None:
    """A page carries the test's Cache-Tag; its second read comes from the cache; the next
    save's purge leaves no page of the test (result pages included) showing the old text."""
    api.save("travel", sample_doc("첫 제목"))
    r = api.client.get("/t/travel/r/planner")
    assert "test:travel" in r.headers["cache-tag"].split(",")
    assert "s-maxage" in r.headers["cache-control"]
    assert run(api.b.cache.match(page_url(ORIGIN, "travel"))) is not None  # one entry per test
    api.save("travel", sample_doc("새 제목"))
    assert run(api.b.cache.match(page_url(ORIGIN, "travel"))) is None
    assert "새 제목" in api.client.get("/t/travel/r/planner").text
    assert "새 제목" in api.client.get("/t/travel").text


def test_a_page_revalidates_with_its_etag(api: Api) -> None:
    """If-None-Match with the page's ETag answers 304 without a body."""
    api.save("travel", sample_doc())
    etag = api.client.get("/t/travel").headers["etag"]
    again = api.client.get("/t/travel", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_the_purge_by_url_names_a_fixed_few_urls_per_test() -> None:
    """However many results a test has, its URL fallback is four URLs (its pages share one
    cached entry), so a sweep's purge of many tests fits the per-request limit in batches."""
    urls = urls_for_test(ORIGIN, "travel")
    assert urls == [
        f"{ORIGIN}/api/tests/travel",
        f"{ORIGIN}/api/tests",
        f"{ORIGIN}/t/travel",
        f"{ORIGIN}/sitemap.xml",
    ]
    assert len(urls) < MAX_PURGE_ITEMS


def test_the_list_thumbnail_falls_back_to_the_tests_card(api: Api) -> None:
    """/t/{id}/card.png answers the test's current card (tagged: the save purges it); a test
    with no card yet, or none published, is a 404."""
    api.save("travel", sample_doc())
    og = _page(api, "/t/travel").meta["og:image"]
    r = api.client.get("/t/travel/card.png")
    assert r.status_code == 200 and "test:travel" in r.headers["cache-tag"]
    assert r.content == api.client.get(og.removeprefix(ORIGIN)).content
    assert api.client.get("/t/nothing-here/card.png").status_code == 404


def test_a_card_address_that_names_no_card_is_a_404(api: Api) -> None:
    """Only 32 hex characters + .png name a card; anything else, or an unknown hash, is 404."""
    for path in ("/cards/abc.png", "/cards/" + "0" * 32 + ".png", "/cards/" + "0" * 32):
        assert api.client.get(path).status_code == 404, path


def test_the_page_policy_is_the_sites_unless_kakao_is_on(tmp_path: Path, clock: FakeClock) -> None:
    """Without KAKAO_JS_KEY the page's CSP is exactly public/_headers' and no Kakao script is
    there; with it, the SDK is loaded with its integrity and the policy gains exactly Kakao's
    script, connect and frame origins."""
    static = dict(parse_headers_file(ROOT / "public" / "_headers"))["/*"]
    assert page_csp(kakao=False) == static["Content-Security-Policy"]
    plain = make_api(tmp_path / "plain", clock)
    plain.save("travel", sample_doc())
    r = plain.client.get("/t/travel/r/planner")
    assert r.headers["content-security-policy"] == page_csp(kakao=False)
    assert "kakaocdn" not in r.text and "카카오톡" not in r.text
    assert Head(r.text).data["kakaoKey"] is None
    plain.platform.close()
    key = "0123456789abcdef0123456789abcdef"
    kakao = make_api(tmp_path / "kakao", clock, kakao_js_key=key)
    kakao.save("travel", sample_doc())
    r = kakao.client.get("/t/travel/r/planner")
    policy = dict(d.split(" ", 1) for d in r.headers["content-security-policy"].split("; "))
    for name, sources in KAKAO_CSP.items():
        assert policy[name].split() == [*BASE_CSP.get(name, ()), *sources]
    assert set(policy) == set(BASE_CSP) | set(KAKAO_CSP)
    head = Head(r.text)
    [sdk] = [s for s in head.scripts if s.get("src") == KAKAO_SDK[0]]
    assert sdk["integrity"] == KAKAO_SDK[1] and sdk["crossorigin"] == "anonymous"
    assert head.data["kakaoKey"] == key
    kakao.platform.close()


@pytest.mark.parametrize("value", ["not a key!", "<script>", "short"])
def test_a_kakao_key_that_cannot_be_one_is_refused_at_start(value: str) -> None:
    """KAKAO_JS_KEY is written into every page: anything but 16-64 letters and digits stops the
    server with a one-line reason."""
    with pytest.raises(ConfigError, match="KAKAO_JS_KEY"):
        settings_from_vars(lambda name: value if name == "KAKAO_JS_KEY" else "")


def test_the_similar_tests_box_has_the_players_number_of_slots() -> None:
    """The server's first view reserves as many slots as the player fills (SIMILAR_COUNT)."""
    player = (ROOT / "public" / "assets" / "test.js").read_text(encoding="utf-8")
    assert f"const SIMILAR_COUNT = {SIMILAR_SLOTS};" in player
    css = (ROOT / "public" / "assets" / "public.css").read_text(encoding="utf-8")
    assert f"min-height: calc({SIMILAR_SLOTS} * var(--similar-item)" in css


def test_a_page_requested_before_its_cards_exist_is_kept_briefly(api: Api) -> None:
    """Read between the save's purge and its card step (no manifest yet), a page shows the
    default card and lives at the edge one minute, so the card appears without another
    purge."""
    api.save("travel", sample_doc())
    run(api.b.bucket.delete(_manifests(api)))  # the state right after the purge
    run(api.b.cache.delete(page_url(ORIGIN, "travel")))
    r = api.client.get("/t/travel")
    assert "s-maxage=60" in r.headers["cache-control"]
    assert Head(r.text).meta["og:image"] == f"{ORIGIN}/assets/og-default.png"


def _manifests(api: Api) -> list[str]:
    listed = run(api.b.bucket.list(prefix="cards/manifests/"))
    return [o.key for o in listed.objects]


def test_a_bundle_cached_by_an_earlier_deploy_in_another_shape_is_replaced(api: Api) -> None:
    """A cached entry whose version is not this code's is read afresh, not trusted."""
    api.save("travel", sample_doc())
    stale = CachedResponse(200, {"content-type": "application/json"}, b'{"v": 0, "old": true}')
    run(api.b.cache.put(page_url(ORIGIN, "travel"), stale))
    r = api.client.get("/t/travel")
    assert r.status_code == 200 and Head(r.text).title == "나의 여행 성향 테스트 · quizhub"
