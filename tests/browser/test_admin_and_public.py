"""The admin UI and the public site, driven in headless Chromium against the real dev server."""

from __future__ import annotations

import re
import struct
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ADMIN_TOKEN, ROOT, AdminApi, http, quiz_doc, shot

pytest.importorskip(
    "playwright", reason="playwright is not installed (add it to the dev dependency group)"
)
from playwright.sync_api import Page, Route, expect  # noqa: E402

PUBLIC = ROOT / "public"


# ---------- helpers ----------


def sign_in(page: Page, token: str = ADMIN_TOKEN) -> None:
    page.goto("/admin/")
    page.get_by_label("관리자 토큰").fill(token)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="테스트 목록")).to_be_visible()


def open_test(page: Page, test_id: str) -> None:
    page.locator(f'a.test-item[data-test-id="{test_id}"]').click()
    expect(page.locator('[data-path="title"]')).to_be_visible()


def title_input(page: Page) -> Any:
    return page.get_by_label("제목", exact=True)


def save_status(page: Page) -> Any:
    return page.locator("#save-status")


def tiny_png(rgb: tuple[int, int, int] = (98, 70, 234), size: int = 8) -> bytes:
    """A valid solid-colour PNG, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


class PollGate:
    """Lets the first job poll through, then holds the following ones until released."""

    PATTERN = "**/api/admin/jobs/**"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen = 0
        self.held: list[Route] = []
        self.open = False
        page.route(self.PATTERN, self._gate)

    def _gate(self, route: Route) -> None:
        self.seen += 1
        if self.open or self.seen == 1:
            route.continue_()
        else:
            self.held.append(route)

    def wait_for_held(self, done: Any, timeout_s: float = 15) -> bool:
        """True once a poll is held; False if `done()` turned true first (no polling needed)."""
        deadline = time.monotonic() + timeout_s
        while not self.held:
            if done():
                self.release()
                return False
            assert time.monotonic() < deadline, "no job poll arrived"
            self.page.wait_for_timeout(50)
        return True

    def release(self) -> None:
        self.open = True
        for route in self.held:
            route.continue_()
        self.held.clear()
        self.page.unroute(self.PATTERN)


# ---------- admin ----------


def test_sign_in_keeps_token_in_session_storage_only(page: Page) -> None:
    """A wrong token is refused; the right one is kept in sessionStorage, never in the URL or localStorage."""
    page.goto("/admin/")
    page.get_by_label("관리자 토큰").fill("wrong-token")
    page.get_by_role("button", name="로그인").click()
    expect(page.locator("#sign-in-message")).to_contain_text("올바르지 않습니다")
    sign_in(page)
    assert ADMIN_TOKEN not in page.url
    assert page.evaluate("sessionStorage.getItem('quizhub.adminToken')") == ADMIN_TOKEN
    assert page.evaluate("localStorage.length") == 0
    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_label("관리자 토큰")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('quizhub.adminToken')") is None


def test_save_shows_progress_then_done_and_public_page_shows_new_title(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """저장하기 → "저장 중…" → "저장 완료"; the rev advances and the public site shows the new title."""
    test_id, before = make_test()
    page = new_page(width=800, height=640)
    sign_in(page)
    open_test(page, test_id)
    new_title = f"새 제목 {test_id}"
    title_input(page).fill(new_title)
    expect(page.locator(".editor-meta")).to_contain_text("저장하지 않은 변경 사항")

    # Hold the PUT so the in-progress state can be observed deterministically (queue and sync modes).
    held: list[Route] = []
    page.route(
        f"**/api/admin/tests/{test_id}",
        lambda route: held.append(route) if route.request.method == "PUT" else route.continue_(),
    )
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 중")
    expect(page.get_by_role("button", name="저장하기")).to_be_disabled()
    shot(page, "admin-saving-request")

    # Queue mode: let the first job poll through and hold the next, so the job's own reported
    # state ("저장 중… 대기 중" or a step) stays on screen. Sync mode answers with the finished job.
    polls = PollGate(page)
    assert len(held) == 1
    held[0].continue_()
    page.unroute(f"**/api/admin/tests/{test_id}")
    if polls.wait_for_held(lambda: save_status(page).get_attribute("data-state") == "saved"):
        expect(save_status(page)).to_contain_text(re.compile(r"저장 중… (대기 중|\d/\d)"))
        shot(page, "admin-saving")
        polls.release()

    expect(save_status(page)).to_contain_text("저장 완료")
    expect(save_status(page)).to_have_attribute("data-state", "saved")
    shot(page, "admin-saved")
    after = admin_api.get(test_id)
    assert after["title"] == new_title
    assert after["rev"] > before["rev"]
    expect(page.locator(".editor-meta")).to_contain_text(after["rev"])
    expect(page.locator(".editor-meta")).not_to_contain_text("저장하지 않은 변경 사항")

    public = new_page()
    public.goto(f"/test/?id={test_id}")
    expect(public.get_by_role("heading", level=1)).to_have_text(new_title)
    public.goto("/")
    expect(public.get_by_role("heading", name=new_title)).to_be_visible()


def test_validation_errors_are_shown_next_to_their_fields(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A 422 names fields by path; each error appears beside its input and in the summary; no typing is lost."""
    test_id, before = make_test()
    sign_in(page)
    open_test(page, test_id)
    title_input(page).fill("")
    option = page.locator('[data-path="questions.0.options.1.text"]')
    option.fill("")
    desc = page.locator('[data-path="description"]')
    desc.fill("아직 저장되지 않은 설명 — 실패해도 남아 있어야 한다")
    page.get_by_role("button", name="저장하기").click()

    expect(save_status(page)).to_have_attribute("data-state", "failed")
    expect(save_status(page)).to_contain_text("입력값 오류")
    expect(title_input(page)).to_have_attribute("aria-invalid", "true")
    title_field = page.locator(".field", has=page.locator('[data-path="title"]'))
    expect(title_field.locator(".field-error")).to_be_visible()
    option_field = page.locator(".field", has=option)
    expect(option_field.locator(".field-error")).to_be_visible()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("제목")
    expect(summary).to_contain_text("질문 1 › 선택지 2 › 내용")
    shot(page, "admin-validation-error")
    expect(desc).to_have_value("아직 저장되지 않은 설명 — 실패해도 남아 있어야 한다")
    assert admin_api.get(test_id)["rev"] == before["rev"]  # nothing was saved

    # Fixing a field clears its error; saving again succeeds.
    title_input(page).fill("고친 제목")
    expect(title_field.locator(".field-error")).to_have_count(0)
    option.fill("고친 선택지")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    assert admin_api.get(test_id)["title"] == "고친 제목"


def test_conflict_between_two_editors_then_overwrite(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """Two editors load the same rev; the second save ends in conflict with a banner; 덮어쓰기 then wins."""
    test_id, _ = make_test()
    first, second = new_page(), new_page()
    for p in (first, second):
        sign_in(p)
        open_test(p, test_id)

    title_input(first).fill("첫 번째 편집자의 제목")
    first.get_by_role("button", name="저장하기").click()
    expect(save_status(first)).to_contain_text("저장 완료")

    title_input(second).fill("두 번째 편집자의 제목")
    second.get_by_role("button", name="저장하기").click()
    banner = second.locator("#conflict-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("다른 편집자")
    expect(save_status(second)).to_have_attribute("data-state", "conflict")
    shot(second, "admin-conflict")
    assert admin_api.get(test_id)["title"] == "첫 번째 편집자의 제목"
    expect(title_input(second)).to_have_value("두 번째 편집자의 제목")  # nothing typed was lost

    banner.get_by_role("button", name="덮어쓰기").click()
    expect(save_status(second)).to_contain_text("저장 완료")
    expect(banner).to_be_hidden()
    assert admin_api.get(test_id)["title"] == "두 번째 편집자의 제목"


def test_conflict_reload_shows_the_other_editors_version(new_page: Any, make_test: Any) -> None:
    """After a conflict, "다시 불러오기" replaces the local edits with the latest saved document."""
    test_id, _ = make_test()
    first, second = new_page(), new_page()
    for p in (first, second):
        sign_in(p)
        open_test(p, test_id)
    title_input(first).fill("먼저 저장한 제목")
    first.get_by_role("button", name="저장하기").click()
    expect(save_status(first)).to_contain_text("저장 완료")
    title_input(second).fill("늦게 저장한 제목")
    second.get_by_role("button", name="저장하기").click()
    second.locator("#conflict-banner").get_by_role("button", name="다시 불러오기").click()
    expect(title_input(second)).to_have_value("먼저 저장한 제목")
    expect(second.locator("#conflict-banner")).to_be_hidden()


def test_failed_save_offers_retry_with_the_same_document(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A server error keeps the editor's text and offers "다시 시도", which re-sends the document."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    title_input(page).fill("재시도로 저장된 제목")
    page.route(
        f"**/api/admin/tests/{test_id}",
        lambda route: (
            route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error":{"code":"unavailable","message":"try again","details":null}}',
            )
            if route.request.method == "PUT"
            else route.continue_()
        ),
    )
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_have_attribute("data-state", "failed")
    expect(save_status(page)).to_contain_text("저장 실패")
    shot(page, "admin-save-failed")
    page.unroute(f"**/api/admin/tests/{test_id}")
    page.get_by_role("button", name="다시 시도").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    assert admin_api.get(test_id)["title"] == "재시도로 저장된 제목"


def test_switching_tests_with_unsaved_changes_asks_first(page: Page, make_test: Any) -> None:
    """Leaving an edited test asks for confirmation; declining keeps the typed text."""
    first_id, _ = make_test()
    second_id, second = make_test()
    sign_in(page)
    open_test(page, first_id)
    title_input(page).fill("저장 안 한 제목")
    messages: list[str] = []

    def decline(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.locator(f'a.test-item[data-test-id="{second_id}"]').click()
    expect(title_input(page)).to_have_value("저장 안 한 제목")
    assert messages and "저장하지 않은" in messages[0]

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'a.test-item[data-test-id="{second_id}"]').click()
    expect(title_input(page)).to_have_value(second["title"])


def test_new_test_with_uploaded_thumbnail_appears_on_public_site(
    page: Page, new_page: Any, admin_api: AdminApi, tmp_path: Path
) -> None:
    """새 테스트: id prompt, blank template, image upload with preview, save, then it is public."""
    sign_in(page)
    page.get_by_role("button", name="새 테스트").click()
    page.get_by_label("테스트 ID").fill("Bad ID!")
    page.get_by_role("button", name="만들기").click()
    expect(page.locator("#new-id-error")).not_to_be_empty()
    test_id = f"bt-new-{uuid.uuid4().hex[:8]}"
    page.get_by_label("테스트 ID").fill(test_id)
    page.get_by_role("button", name="만들기").click()

    title_input(page).fill("새로 만든 브라우저 테스트")
    page.locator('[data-path="status"]').select_option("published")
    page.locator('[data-path="results.0.title"]').fill("첫 번째 결과")
    page.locator('[data-path="results.1.title"]').fill("두 번째 결과")
    page.locator('[data-path="questions.0.text"]').fill("어느 쪽이 좋아요?")
    page.locator('[data-path="questions.0.options.0.text"]').fill("왼쪽")
    page.locator('[data-path="questions.0.options.1.text"]').fill("오른쪽")
    image = tmp_path / "thumb.png"
    image.write_bytes(tiny_png())
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(image))
    preview = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]')).locator(
        ".image-preview img"
    )
    expect(preview).to_have_attribute("src", re.compile(r"^/api/images/"))

    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    expect(page.locator(f'a.test-item[data-test-id="{test_id}"]')).to_be_visible()
    assert page.url.endswith(f"#/tests/{test_id}")
    saved = admin_api.get(test_id)
    assert saved["thumbnail"] and saved["status"] == "published"

    public = new_page()
    public.goto("/")
    card = public.locator(
        ".card", has=public.get_by_role("heading", name="새로 만든 브라우저 테스트")
    )
    expect(card.locator("img.thumb")).to_have_attribute("src", f"/api/images/{saved['thumbnail']}")
    assert (
        public.evaluate(
            "(src) => fetch(src).then(r => r.headers.get('content-type'))",
            f"/api/images/{saved['thumbnail']}",
        )
        == "image/png"
    )


def test_editor_reorders_and_removes_questions(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """Moving a question down and removing an option are saved in that order."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    page.get_by_role("button", name="질문 1 아래로 이동").click()
    expect(page.locator('[data-path="questions.1.id"]')).to_have_value("q1")
    expect(page.locator('[data-path="questions.0.id"]')).to_have_value("q2")
    options = page.locator('[data-path="questions.0.options"]')
    expect(
        options.get_by_role("button", name="질문 1 선택지 2 삭제")
    ).to_be_disabled()  # 2 is the minimum
    options.get_by_role("button", name="+ 선택지 추가").click()
    page.locator('[data-path="questions.0.options.2.text"]').fill("새 선택지")
    page.locator('[data-path="questions.0.options.2.scores.free"]').fill("3")
    page.get_by_role("button", name="질문 1 선택지 2 삭제").click()
    expect(page.locator('[data-path="questions.0.options.2.id"]')).to_have_count(0)
    expect(page.locator('[data-path="questions.0.options.1.text"]')).to_have_value("새 선택지")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    doc = admin_api.get(test_id)
    assert [q["id"] for q in doc["questions"]] == ["q2", "q1", "q3"]
    assert doc["questions"][0]["options"][1]["text"] == "새 선택지"
    assert doc["questions"][0]["options"][1]["scores"] == {"free": 3}


# ---------- public ----------


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
    page.goto(f"/test/?id={test_id}")
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
    expect(page.locator(".card")).to_have_count(1)
    expect(page.get_by_role("heading", name=doc["title"])).to_be_visible()

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
        page.goto(f"/test/?id={test_id}")
        page.get_by_role("button", name="테스트 시작하기").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, "mobile-question")


# ---------- safety (static checks on public/) ----------

SINKS = re.compile(r"\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write(ln)?)\b")


def test_no_html_string_sinks_in_public() -> None:
    """User content is rendered with textContent/DOM APIs only."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in PUBLIC.rglob("*")
        if path.is_file() and path.suffix in {".js", ".html", ".mjs"}
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


# ---------- more admin behaviour ----------


def test_save_in_sync_mode_handles_the_finished_job(new_page: Any, sync_server: str) -> None:
    """With SAVE_MODE=sync the PUT answers 200 with the finished job; the UI shows 저장 완료 directly."""
    api = AdminApi(sync_server, ADMIN_TOKEN)
    test_id = f"bt-sync-{uuid.uuid4().hex[:8]}"
    api.save(test_id, quiz_doc("동기 모드 테스트"))
    page = new_page(base=sync_server)
    sign_in(page)
    open_test(page, test_id)
    title_input(page).fill("동기 모드에서 바꾼 제목")
    with page.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith(f"/api/admin/tests/{test_id}")
    ) as put:
        page.get_by_role("button", name="저장하기").click()
    assert put.value.status == 200
    expect(save_status(page)).to_contain_text("저장 완료")
    saved = api.get(test_id)
    assert saved["title"] == "동기 모드에서 바꾼 제목"
    expect(page.locator(".editor-meta")).to_contain_text(saved["rev"])


def test_rejected_token_goes_back_to_sign_in_and_keeps_the_edits(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A 401 while saving shows the sign-in form with a message; after signing in again nothing typed is lost."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    title_input(page).fill("로그인 만료 뒤에도 남는 제목")
    page.evaluate("sessionStorage.setItem('quizhub.adminToken', 'expired-token')")
    page.get_by_role("button", name="저장하기").click()
    expect(page.locator("#sign-in-message")).to_contain_text("다시 로그인")
    expect(page.get_by_label("관리자 토큰")).to_be_visible()
    page.get_by_label("관리자 토큰").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="로그인").click()
    expect(title_input(page)).to_have_value("로그인 만료 뒤에도 남는 제목")
    page.get_by_role("button", name="다시 시도").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    assert admin_api.get(test_id)["title"] == "로그인 만료 뒤에도 남는 제목"


def test_too_large_document_gets_a_clear_message(page: Page, make_test: Any) -> None:
    """A 413 answer is reported as too large, not as a generic failure."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    page.route(
        f"**/api/admin/tests/{test_id}",
        lambda route: (
            route.fulfill(
                status=413,
                json={"error": {"code": "too_large", "message": "body too large", "details": None}},
            )
            if route.request.method == "PUT"
            else route.continue_()
        ),
    )
    title_input(page).fill("아주 긴 문서")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("too large")
    expect(save_status(page)).to_contain_text("너무 큽니다")
    expect(title_input(page)).to_have_value("아주 긴 문서")


def test_score_errors_point_at_the_score_input(page: Page, make_test: Any) -> None:
    """An out-of-range score is reported on that option's score input for that result."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    score = page.locator('[data-path="questions.0.options.0.scores.planner"]')
    score.fill("150")
    page.get_by_role("button", name="저장하기").click()
    expect(score).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".score-cell", has=score).locator(".field-error")).to_be_visible()
    expect(page.locator("#error-summary")).to_contain_text("질문 1 › 선택지 1 › 점수")


def test_polling_gives_up_with_a_message_and_can_resume(page: Page, make_test: Any) -> None:
    """A job that stays running past the polling budget gets a clear message and "상태 다시 확인"."""
    test_id, _ = make_test()
    page.clock.install()
    sign_in(page)
    open_test(page, test_id)

    def stuck(route: Route) -> None:
        response = route.fetch()
        job = {**response.json(), "status": "running", "step": "commit"}
        route.fulfill(response=response, json=job)

    page.route("**/api/admin/jobs/**", stuck)
    title_input(page).fill("오래 걸리는 저장")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("반영 (commit)")
    page.clock.fast_forward("02:00")
    expect(save_status(page)).to_contain_text("확인하지 못했습니다")
    expect(save_status(page)).to_have_attribute("data-state", "unknown")
    page.unroute("**/api/admin/jobs/**")
    page.get_by_role("button", name="상태 다시 확인").click()
    expect(save_status(page)).to_contain_text("저장 완료")


def test_delete_removes_the_test_everywhere(page: Page, new_page: Any, make_test: Any) -> None:
    """삭제 asks first, runs as a job, and the test leaves the admin list and the public site."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="삭제", exact=True).click()
    expect(page.locator("#editor-empty")).to_contain_text("삭제했습니다")
    expect(page.locator(f'a.test-item[data-test-id="{test_id}"]')).to_have_count(0)
    public = new_page()
    public.goto(f"/test/?id={test_id}")
    expect(public.get_by_role("alert")).to_contain_text("찾을 수 없어요")


def test_leaving_with_unsaved_changes_warns(page: Page, make_test: Any) -> None:
    """beforeunload fires only while there are unsaved changes."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    title_input(page).click()
    title_input(page).fill("떠나기 전에 경고")
    kinds: list[str] = []

    def stay(dialog: Any) -> None:
        kinds.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert kinds == ["beforeunload"]
    assert not page.is_closed()


def test_editor_round_trips_every_demo_document(page: Page, admin_api: AdminApi) -> None:
    """Loading a document into the editor model and back yields the same document (+ baseRev)."""
    status, listing = http("GET", f"{admin_api.base}/api/admin/tests", token=admin_api.token)
    assert status == 200
    page.goto("/admin/")
    fields = [
        "title",
        "description",
        "locale",
        "tags",
        "status",
        "thumbnail",
        "questions",
        "results",
    ]
    for item in listing["items"]:
        doc = admin_api.get(item["id"])
        back = page.evaluate(
            """async (doc) => {
                const m = await import('/admin/model.js');
                return m.toDocument(m.fromDocument(doc), doc.rev);
            }""",
            doc,
        )
        assert back == {**{k: doc[k] for k in fields}, "baseRev": doc["rev"]}, item["id"]
