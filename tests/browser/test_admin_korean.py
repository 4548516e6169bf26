"""No English sentence reaches an editor's screen (1): sign-in refused, the list, the editor
with errors as you type and from the server, a conflict, a test deleted while edited and a
rejected upload are scanned for Latin-script sentences (``tests/browser/_korean.py``); and the
scanner itself finds English in the interface but not in the editor's content.

What is scanned is the interface: the visible text, the accessible names and hints (``title``,
``aria-label``, ``placeholder``, ``alt``), the page title and every dialog. The editor's own
content (the tests' texts, ids, authors) is not the interface and is left out; the API docs are
not visited. The other views and the failure states are ``test_admin_korean_failures.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser._korean import Scanner, open_editor
from tests.browser._pages import save_status, sign_in, title_input
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, http


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
    page = open_editor(new_page, scan, test_id)
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
    page = open_editor(new_page, scan, test_id)
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
    page = open_editor(new_page, scan, test_id)
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
    page = open_editor(new_page, scan, test_id)
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
    page = open_editor(new_page, scan, test_id)
    path = tmp_path / "notes.png"
    path.write_text("이미지가 아닌 메모", encoding="utf-8")
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(path))
    field = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]'))
    expect(field.locator(".upload-status")).to_contain_text(
        "올리지 못했습니다: 지원하지 않는 이미지입니다. PNG, JPEG, GIF, WebP 이미지만"
    )
    scan.assert_korean(page, "upload rejected")


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
