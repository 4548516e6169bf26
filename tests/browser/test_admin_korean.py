"""No English sentence reaches an editor's screen: every admin view, in the states an editor
meets (sign-in refused, the list, the editor with errors as you type and from the server, a
conflict, a rejected upload, a rate limit, the network gone, a server error, 작업 상태 with a
failed job, 버전 기록, 통계), is scanned for Latin-script sentences (``tests/admin/_wording``).

What is scanned is the interface: the visible text, the accessible names and hints (``title``,
``aria-label``, ``placeholder``, ``alt``), the page title and every dialog. The editor's own
content (the tests' texts, ids, authors) is not the interface and is left out; the API docs are
not visited. States that a browser cannot cause on the dev server are answered with the API's
real answers, made by the API in-process (a rate limit reached, a queue that fails)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from quizhub.edge.ratelimits import ADMIN_WRITES
from tests.admin._wording import latin_sentences
from tests.api.conftest import AUTH, make_api
from tests.browser._pages import open_test, save_status, sign_in, title_input
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, http, quiz_doc
from tests.conftest import sample_doc
from tests.fakes import FakeClock, FlakyWrap
from tests.imagefiles import png_bomb

# Every piece of interface text on the page now: visible text (text nodes of visible elements,
# SVG labels included, and the rendered text of the body), the names and hints of visible
# elements, and the title.
_INTERFACE_TEXT = """() => {
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: false });
  const texts = [document.title, document.body.innerText];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && !el.closest("script, style, noscript, template") && shown(el)) texts.push(n.data);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el)) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt", "aria-description"]) {
      const value = el.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class Scanner:
    """Scans pages for English sentences, leaving out the tests' own content (every string of
    every stored document and the job authors: an editor may write in any language)."""

    def __init__(self, api: AdminApi) -> None:
        self.api = api
        self.dialogs: list[str] = []

    def watch(self, page: Page) -> Page:
        """Record (and accept) every dialog ``page`` opens: its text is interface too."""

        def answer(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", answer)
        return page

    def content(self) -> list[str]:
        """The content strings that would read as sentences, longest first."""
        _, listing = http("GET", f"{self.api.base}/api/admin/tests", token=ADMIN_TOKEN)
        found: set[str] = set()
        for item in listing["items"]:
            found |= set(_strings(self.api.get(item["id"])))
            found |= set(_strings(item))
        return sorted((s for s in found if latin_sentences(s)), key=len, reverse=True)

    def assert_korean(self, page: Page, view: str) -> None:
        """No Latin-script sentence in ``page``'s interface (nor in the dialogs so far)."""
        content = self.content()
        english = []
        for text in [*page.evaluate(_INTERFACE_TEXT), *self.dialogs]:
            for piece in content:
                text = text.replace(piece, " ")
            english += latin_sentences(text)
        assert english == [], f"{view}: {english}"


@pytest.fixture
def scan(admin_api: AdminApi) -> Scanner:
    return Scanner(admin_api)


def _editor(new_page: Any, scan: Scanner, test_id: str) -> Page:
    page = scan.watch(new_page())
    sign_in(page)
    open_test(page, test_id)
    return page


def _answered_in_process(tmp_path: Path, **options: Any) -> Any:
    """The API's own answer to a save in a state the dev server cannot be put in: a rate limit
    reached (``limited``) or a queue that fails (``wrap``)."""
    limited = options.pop("limited", False)
    api = make_api(tmp_path, FakeClock(), **options)
    try:
        doc = sample_doc()
        for i in range(ADMIN_WRITES.limit if limited else 0):
            api.client.put(f"/api/admin/tests/fill-{i}", json=doc, headers=AUTH)
        return api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    finally:
        api.platform.close()


def _answer_saves_with(page: Page, test_id: str, response: Any) -> None:
    """Every PUT of ``test_id`` answered with ``response`` (the API's, made in-process)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}

    def answer(route: Route) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        route.fulfill(status=response.status_code, headers=headers, body=response.content)

    page.route(f"**/api/admin/tests/{test_id}", answer)


def test_sign_in_refused_and_the_list_are_korean(page: Page, scan: Scanner, make_test: Any) -> None:
    """A wrong token, then the list of tests with their last jobs."""
    make_test()
    scan.watch(page)
    page.goto("/admin/")
    page.get_by_label("관리자 토큰").fill("wrong-token")
    page.get_by_role("button", name="로그인").click()
    expect(page.locator("#sign-in-message")).to_contain_text("올바르지 않습니다")
    scan.assert_korean(page, "sign-in refused")
    sign_in(page)
    expect(page.locator("a.test-item").first).to_be_visible()
    scan.assert_korean(page, "list")


def test_the_editor_says_as_you_type_and_on_save_what_to_fix_in_korean(
    new_page: Any, scan: Scanner, make_test: Any
) -> None:
    """Fields are checked as they are typed in, with the API's limits; saving with errors lists
    them (each a link to its field) without sending anything; required fields are marked."""
    test_id, _ = make_test()
    page = _editor(new_page, scan, test_id)
    expect(title_input(page)).to_have_attribute("aria-required", "true")
    expect(page.locator(".required-hint")).to_be_visible()
    title_input(page).fill("")
    title_field = page.locator(".field", has=page.locator('[data-path="title"]'))
    expect(title_field.locator(".field-error")).to_have_text(
        "비워 둘 수 없습니다. 내용을 입력해 주세요."
    )
    expect(title_input(page)).to_have_attribute("aria-invalid", "true")
    option = page.locator('[data-path="questions.0.options.1.text"]')
    option.fill("가" * 501)
    option_field = page.locator(".field", has=option)
    expect(option_field.locator(".field-error")).to_contain_text(
        "최대 500자까지 입력할 수 있습니다"
    )
    score = page.locator('[data-path="questions.0.options.0.scores.planner"]')
    score.fill("150")
    expect(page.locator(".score-cell", has=score).locator(".field-error")).to_have_text(
        "100 이하여야 합니다."
    )
    scan.assert_korean(page, "editor, as you type")

    puts: list[str] = []
    page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("입력값 오류 3건")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("제목: 비워 둘 수 없습니다")
    assert puts == [], "a document the rules refuse was sent"
    summary.get_by_role("button", name="질문 1 › 선택지 2 › 내용: 최대 500자까지").click()
    expect(option).to_be_focused()
    scan.assert_korean(page, "editor, errors on save")


def test_the_servers_own_field_errors_are_korean(
    new_page: Any, scan: Scanner, make_test: Any
) -> None:
    """A rule only the server checks (ids unique in the test): its 422 is worded from its code,
    next to the field, with the id concerned."""
    test_id, _ = make_test(status="draft")  # never published: its ids may still change
    page = _editor(new_page, scan, test_id)
    page.locator('.block.question[data-path="questions.1"] .advanced > summary').click()
    page.locator('[data-path="questions.1.id"]').fill("q1")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("입력값 오류")
    second = page.locator(".field", has=page.locator('[data-path="questions.1.id"]'))
    expect(second.locator(".field-error")).to_have_text(
        "질문 ID “q1”가 겹칩니다. 다른 ID를 입력해 주세요."
    )
    scan.assert_korean(page, "editor, server 422")


def test_a_conflict_says_in_korean_what_happened_and_what_to_do(
    new_page: Any, scan: Scanner, make_test: Any, admin_api: AdminApi
) -> None:
    """Another editor saved a different title first: the save's merge overlaps, and the banner
    says so with the field both changed, the list's last job too; the view choosing between the
    two titles, its error when nothing is chosen, and the 덮어쓰기 confirmation are Korean."""
    test_id, doc = make_test()
    page = _editor(new_page, scan, test_id)
    other = {k: v for k, v in doc.items() if k not in ("id", "rev", "createdAt", "updatedAt")}
    page.locator('[data-path="title"]').fill("내 제목")  # before the other's save: it overlaps
    admin_api.save(test_id, {**other, "title": "다른 편집자의 제목"}, base_rev=doc["rev"])
    page.get_by_role("button", name="저장하기").click()
    banner = page.locator("#conflict-banner")
    expect(banner).to_contain_text("같은 곳을 서로 다르게 고쳐 합치지 못했습니다: 제목.")
    expect(banner).to_have_attribute("data-code", "merge_conflict")
    resolution = page.locator("#conflict-resolution")
    expect(resolution.locator(".resolution-item")).to_have_count(1)
    scan.assert_korean(page, "conflict")
    resolution.get_by_role("button", name="선택한 내용으로 저장").click()
    expect(resolution.locator(".resolution-error")).to_contain_text("고르지 않은 항목이 1곳")
    scan.assert_korean(page, "conflict, nothing chosen")
    banner.get_by_role("button", name="덮어쓰기").click()
    dialog = page.get_by_role("dialog", name="덮어쓰면 되돌아가는 변경")
    expect(dialog.locator(".overwrite-losses li")).to_have_count(1)
    scan.assert_korean(page, "overwrite confirmation")
    dialog.get_by_role("button", name="취소").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f'a.test-item[data-test-id="{test_id}"]')).to_contain_text("충돌")
    scan.assert_korean(page, "list after a conflict")


def test_a_test_deleted_while_edited_says_in_korean_what_can_be_done(
    new_page: Any, scan: Scanner, make_test: Any, admin_api: AdminApi
) -> None:
    """Another editor deleted the test: the save says so and offers to make it again or to drop
    the changes; dropping them closes the editor with a Korean line."""
    test_id, _ = make_test()
    page = _editor(new_page, scan, test_id)
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    title_input(page).fill("삭제된 뒤의 제목")
    status, job = http("DELETE", f"{admin_api.base}/api/admin/tests/{test_id}", token=ADMIN_TOKEN)
    assert status in (200, 202), job
    expect(page.locator("#live-notice")).to_contain_text("삭제했습니다")
    page.get_by_role("button", name="저장하기").click()
    view = page.locator("#conflict-resolution")
    expect(view.get_by_role("heading", name="이 테스트는 삭제되었습니다")).to_be_visible()
    scan.assert_korean(page, "deleted since loaded")
    view.get_by_role("button", name="내 변경 버리고 목록으로").click()
    expect(page.locator("#editor-empty")).to_contain_text("삭제된 테스트의 편집을 닫았습니다.")
    scan.assert_korean(page, "deleted since loaded, closed")


def test_a_rejected_upload_says_which_images_are_accepted(
    new_page: Any, scan: Scanner, make_test: Any, tmp_path: Path
) -> None:
    """A text file chosen as an image: the API refuses it by content; the field says, in
    Korean, which formats it takes."""
    test_id, _ = make_test()
    page = _editor(new_page, scan, test_id)
    path = tmp_path / "notes.png"
    path.write_text("이미지가 아닌 메모", encoding="utf-8")
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(path))
    field = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]'))
    expect(field.locator(".upload-status")).to_contain_text(
        "올리지 못했습니다: 지원하지 않는 이미지입니다. PNG, JPEG, GIF, WebP 이미지만"
    )
    scan.assert_korean(page, "upload rejected")


def test_a_rate_limit_says_how_long_to_wait(
    new_page: Any, scan: Scanner, make_test: Any, tmp_path: Path
) -> None:
    """The front door's 429 (reached in-process: the dev server here runs without limits)."""
    answer = _answered_in_process(tmp_path, limited=True)
    assert answer.status_code == 429, answer.text
    test_id, _ = make_test()
    page = _editor(new_page, scan, test_id)
    _answer_saves_with(page, test_id, answer)
    title_input(page).fill("너무 자주 저장한 제목")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("요청이 너무 많습니다 (1분에 60번까지). 1분 뒤에")
    scan.assert_korean(page, "rate limited")


def test_network_failures_and_server_errors_are_korean(
    new_page: Any, scan: Scanner, make_test: Any, tmp_path: Path
) -> None:
    """No answer at all, no network, a 503 of the API (its queue failing), a 403 from something
    in front of it: each says what happened and what to do."""
    failing_queue = _answered_in_process(tmp_path, wrap=FlakyWrap("queue", "send", failures=1))
    assert failing_queue.status_code == 503, failing_queue.text
    test_id, _ = make_test()
    page = _editor(new_page, scan, test_id)
    title_input(page).fill("저장되지 않을 제목")
    save = page.get_by_role("button", name="저장하기")

    page.route(f"**/api/admin/tests/{test_id}", _abort_puts)
    save.click()
    expect(save_status(page)).to_contain_text("서버에 연결하지 못했습니다")
    scan.assert_korean(page, "network failure")
    page.unroute(f"**/api/admin/tests/{test_id}")

    page.context.set_offline(True)
    save.click()
    expect(save_status(page)).to_contain_text("인터넷에 연결되어 있지 않습니다")
    scan.assert_korean(page, "offline")
    page.context.set_offline(False)

    _answer_saves_with(page, test_id, failing_queue)
    save.click()
    expect(save_status(page)).to_contain_text("작업을 접수하지 못했습니다")
    scan.assert_korean(page, "503")
    page.unroute(f"**/api/admin/tests/{test_id}")

    page.route(f"**/api/admin/tests/{test_id}", _forbid_puts)
    save.click()
    expect(save_status(page)).to_contain_text("권한이 없습니다")
    scan.assert_korean(page, "403")


def _abort_puts(route: Route) -> None:
    """A PUT that never reaches a server."""
    if route.request.method == "PUT":
        route.abort()
    else:
        route.continue_()


def _forbid_puts(route: Route) -> None:
    """A PUT refused by something in front of the API (an HTML page, no error JSON)."""
    if route.request.method == "PUT":
        route.fulfill(status=403, content_type="text/html", body="<h1>Forbidden</h1>")
    else:
        route.continue_()


def test_an_expired_session_goes_back_to_sign_in_in_korean(
    new_page: Any, scan: Scanner, make_test: Any
) -> None:
    """A 401 in the middle of editing (the token was changed): the sign-in view says why."""
    test_id, _ = make_test()
    page = _editor(new_page, scan, test_id)
    title_input(page).fill("토큰이 바뀐 뒤의 제목")
    page.evaluate("sessionStorage.setItem('quizhub.adminToken', 'revoked-token')")
    page.get_by_role("button", name="저장하기").click()
    expect(page.locator("#sign-in-message")).to_contain_text("다시 로그인해 주세요")
    scan.assert_korean(page, "401")


def test_jobs_history_and_stats_are_korean(
    new_page: Any, scan: Scanner, make_test: Any, admin_api: AdminApi, tmp_path: Path
) -> None:
    """작업 상태 with a failed image job (a decompression bomb), 버전 기록 of a test saved twice,
    and 통계 (the overview and one test)."""
    test_id = f"bt-ko-{uuid.uuid4().hex[:8]}"
    admin_api.save(test_id, quiz_doc("한국어 화면 점검"))
    admin_api.save(test_id, quiz_doc("한국어 화면 점검 (두 번째)"), admin_api.get(test_id)["rev"])
    page = _editor(new_page, scan, test_id)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(bomb))
    field = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]'))
    expect(field.locator(".upload-status")).to_contain_text(
        "처리하지 못했습니다: 이미지가 너무 큽니다"
    )
    scan.assert_korean(page, "image job failed")

    page.get_by_role("button", name="버전 기록").click()
    expect(page.locator("#version-list li")).to_have_count(2)
    scan.assert_korean(page, "history")

    page.get_by_role("link", name="작업 상태").click()
    expect(page.locator("li.job-card").first).to_be_visible()
    expect(page.locator("li.job-card", has=page.get_by_text("이미지 처리")).first).to_contain_text(
        "이미지가 너무 큽니다"
    )
    scan.assert_korean(page, "jobs")

    page.get_by_role("link", name="통계").first.click()
    expect(page.get_by_role("heading", name="전체 통계")).to_be_visible()
    scan.assert_korean(page, "stats overview")
    page.goto(f"/admin/#/stats/{test_id}")
    expect(page.locator("#stats-totals")).to_be_visible()
    scan.assert_korean(page, "stats of a test")


def test_the_scan_finds_english_in_the_interface_but_not_in_the_content(
    page: Page, scan: Scanner, make_test: Any
) -> None:
    """The scan is no formality: an English test title (content) passes, an English sentence
    in the interface — as text, as a hint, in a dialog — is found."""
    make_test(title="My Weekend Travel Style")
    scan.watch(page)
    sign_in(page)
    expect(page.get_by_text("My Weekend Travel Style")).to_be_visible()
    scan.assert_korean(page, "an English title")
    page.evaluate(
        """() => {
        const note = document.createElement("p");
        note.textContent = "저장 실패: the test document is invalid";
        document.querySelector("#list-message").append(note);
    }"""
    )
    with pytest.raises(AssertionError, match="the test document is invalid"):
        scan.assert_korean(page, "English text")
    page.evaluate("document.querySelector('#list-message').replaceChildren()")
    page.evaluate("document.querySelector('#refresh-list').title = 'reload the list of tests'")
    with pytest.raises(AssertionError, match="reload the list of tests"):
        scan.assert_korean(page, "an English hint")
    page.evaluate("document.querySelector('#refresh-list').removeAttribute('title')")
    page.evaluate("window.confirm('Discard your unsaved changes?')")
    with pytest.raises(AssertionError, match="Discard your unsaved changes"):
        scan.assert_korean(page, "an English dialog")
