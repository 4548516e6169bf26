"""Two editors change the same fields of a test: the second one's save conflicts, and the editor
resolves it in the page — each field both changed shown side by side with a 내 것 / 상대 것
choice, the rest merged on its own — or overwrites after being shown what that undoes."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect  # noqa: I001

from tests.browser._pages import open_test, save_status, sign_in, title_input
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, http, shot


def _editors(new_page: Any, test_id: str) -> tuple[Page, Page]:
    """A and B, each in their own browser context, with the test open and live."""
    a, b = new_page(), new_page()
    for p in (a, b):
        sign_in(p)
        open_test(p, test_id)
        expect(p.locator("#live-state")).to_have_attribute("data-state", "live")
    return a, b


def _field(page: Page, path: str) -> Any:
    return page.locator(f'[data-path="{path}"]').first


def _save(page: Page) -> None:
    page.get_by_role("button", name="저장하기").click()


def _choice(page: Page, path: str) -> Any:
    return page.locator(f'#conflict-resolution .resolution-item[data-path="{path}"]')


def _overlap(new_page: Any, test_id: str) -> tuple[Page, Page]:
    """B types first (the title and the description); A then changes the title, question 1's
    text and question 3's text and saves; B saves and runs into the conflict."""
    a, b = _editors(new_page, test_id)
    title_input(b).fill("B의 제목")
    _field(b, "questions.0.text").fill("B가 고친 첫 질문")
    _field(b, "description").fill("B가 고친 설명")
    title_input(a).fill("A의 제목")
    _field(a, "questions.0.text").fill("A가 고친 첫 질문")
    _field(a, "questions.2.text").fill("A가 고친 셋째 질문")
    _save(a)
    expect(save_status(a)).to_contain_text("저장 완료")
    expect(b.locator("#live-notice")).to_contain_text("자동으로 합치지 못했습니다")
    _save(b)
    expect(b.locator("#conflict-banner")).to_have_attribute("data-code", "merge_conflict")
    return a, b


def test_the_editor_chooses_field_by_field_and_both_sides_other_changes_are_kept(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """Both changed the title and question 1: each is shown with the original, 내 것 and 상대
    것; B keeps its title and takes A's question (by keyboard), saves, and the published test
    has exactly those plus B's description and A's question 3 — and B's form shows it."""
    test_id, doc = make_test()
    _, b = _overlap(new_page, test_id)
    view = b.locator("#conflict-resolution")
    expect(view.get_by_role("heading", name="겹친 변경 고르기")).to_be_visible()
    expect(view.locator(".resolution-item")).to_have_count(2)
    title = _choice(b, "title")
    expect(title.locator("legend")).to_have_text("제목")
    expect(title.locator(".resolution-base")).to_contain_text(doc["title"])
    expect(title.locator('[data-side="mine"]')).to_contain_text("B의 제목")
    expect(title.locator('[data-side="live"]')).to_contain_text("A의 제목")
    question = _choice(b, "questions[q1].text")
    expect(question.locator("legend")).to_have_text("질문 1 › 내용")
    expect(question.locator('[data-side="live"]')).to_contain_text("A가 고친 첫 질문")
    auto = view.locator(".resolution-auto")
    expect(auto.locator("summary")).to_have_text("자동으로 합쳐진 변경 (2곳)")
    expect(auto.locator('li[data-side="live"]')).to_contain_text("상대 편집자 · 질문 3 › 내용")
    expect(auto.locator('li[data-side="live"]')).to_contain_text("A가 고친 셋째 질문")
    expect(auto.locator('li[data-side="mine"]')).to_contain_text("나 · 설명")
    shot(b, "admin-conflict-resolution", full_page=True)

    save_chosen = view.get_by_role("button", name="선택한 내용으로 저장")
    save_chosen.click()  # nothing chosen yet: it says what is missing, and nothing is sent
    expect(view.locator(".resolution-error")).to_contain_text("고르지 않은 항목이 2곳")
    expect(title.get_by_role("radio", name="내 것")).to_be_focused()
    b.keyboard.press("Space")  # 내 것 for the title
    mine_question = question.get_by_role("radio", name="내 것")
    mine_question.focus()
    b.keyboard.press("ArrowDown")  # the arrow moves the choice to 상대 것
    expect(question.get_by_role("radio", name="상대 것")).to_be_checked()
    expect(title.get_by_role("radio", name="내 것")).to_be_checked()
    assert admin_api.get(test_id)["title"] == "A의 제목"
    save_chosen.click()
    expect(save_status(b)).to_contain_text("저장 완료")
    expect(view).to_be_hidden()

    saved = admin_api.get(test_id)
    assert saved["title"] == "B의 제목"
    assert saved["description"] == "B가 고친 설명"
    assert [q["text"] for q in saved["questions"]] == [
        "A가 고친 첫 질문",
        doc["questions"][1]["text"],
        "A가 고친 셋째 질문",
    ]
    expect(title_input(b)).to_have_value("B의 제목")
    expect(_field(b, "questions.0.text")).to_have_value("A가 고친 첫 질문")
    expect(_field(b, "questions.2.text")).to_have_value("A가 고친 셋째 질문")
    expect(_field(b, "description")).to_have_value("B가 고친 설명")
    expect(b.locator(".editor-meta")).not_to_contain_text("저장하지 않은 변경")


def test_a_resolution_saved_after_live_moved_again_is_resolved_again(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """While B chooses, B also changes question 3 (which A changed too) and a third save changes
    the title again: saving first compares B's form again and asks about question 3 as well;
    the chosen save then conflicts with the third save's title, the same view shows the new
    title as 상대 것, and B's choices are published."""
    test_id, _ = make_test()
    _, b = _overlap(new_page, test_id)
    expect(_choice(b, "title")).to_be_visible()
    live = admin_api.get(test_id)
    third = {k: v for k, v in live.items() if k not in ("id", "rev", "createdAt", "updatedAt")}
    admin_api.save(test_id, {**third, "title": "C의 제목"}, base_rev=live["rev"])
    _choice(b, "title").get_by_role("radio", name="내 것").check()
    _choice(b, "questions[q1].text").get_by_role("radio", name="내 것").check()
    _field(b, "questions.2.text").fill("B도 고친 셋째 질문")
    b.get_by_role("button", name="선택한 내용으로 저장").click()
    view = b.locator("#conflict-resolution")
    expect(view).to_contain_text("다시 비교했습니다")
    expect(view.locator(".resolution-item")).to_have_count(3)
    for path in ("title", "questions[q1].text", "questions[q3].text"):
        _choice(b, path).get_by_role("radio", name="내 것").check()
    b.get_by_role("button", name="선택한 내용으로 저장").click()
    title = _choice(b, "title")
    expect(title.locator('[data-side="live"]')).to_contain_text("C의 제목")
    expect(b.locator("#conflict-resolution .resolution-item")).to_have_count(1)
    title.get_by_role("radio", name="내 것").check()
    b.get_by_role("button", name="선택한 내용으로 저장").click()
    expect(save_status(b)).to_contain_text("저장 완료")
    saved = admin_api.get(test_id)
    assert (saved["title"], saved["questions"][0]["text"]) == ("B의 제목", "B가 고친 첫 질문")
    assert saved["questions"][2]["text"] == "B도 고친 셋째 질문"
    assert saved["description"] == "B가 고친 설명"


def test_overwrite_lists_the_other_editors_changes_it_undoes_and_asks_first(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """덮어쓰기 opens a dialog listing A's changes that overwriting reverts, each with A's value
    and what it becomes; 취소 sends nothing; 덮어쓰기 publishes B's document as it is."""
    test_id, doc = make_test()
    a, b = _editors(new_page, test_id)
    title_input(b).fill("B의 제목")
    title_input(a).fill("A의 제목")
    _field(a, "description").fill("A가 고친 설명")
    _save(a)
    expect(save_status(a)).to_contain_text("저장 완료")
    expect(b.locator("#live-notice")).to_be_visible()
    _save(b)
    banner = b.locator("#conflict-banner")
    expect(banner).to_have_attribute("data-code", "merge_conflict")

    banner.get_by_role("button", name="덮어쓰기").click()
    dialog = b.get_by_role("dialog", name="덮어쓰면 되돌아가는 변경")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("다른 편집자가 저장한 변경 2곳")
    losses = dialog.locator(".overwrite-losses li")
    expect(losses).to_have_count(2)
    expect(losses.nth(0)).to_contain_text("제목")
    expect(losses.nth(0)).to_contain_text("A의 제목")
    expect(losses.nth(0)).to_contain_text("B의 제목")
    expect(losses.nth(1)).to_contain_text("설명")
    expect(losses.nth(1)).to_contain_text("A가 고친 설명")
    expect(losses.nth(1)).to_contain_text(doc["description"])
    expect(dialog.get_by_role("button", name="취소")).to_be_focused()
    shot(b, "admin-conflict-overwrite")
    dialog.get_by_role("button", name="취소").click()
    expect(dialog).to_be_hidden()
    assert admin_api.get(test_id)["title"] == "A의 제목"

    banner.get_by_role("button", name="덮어쓰기").click()
    b.get_by_role("dialog").get_by_role("button", name="덮어쓰기").click()
    expect(save_status(b)).to_contain_text("저장 완료")
    saved = admin_api.get(test_id)
    assert (saved["title"], saved["description"]) == ("B의 제목", doc["description"])


def test_a_test_deleted_since_it_was_loaded_can_be_made_again_from_the_form(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """Another editor deletes the test while B edits it: B's save says so and offers to make
    it again from B's form (or to drop the changes); making it again publishes B's content."""
    test_id, _ = make_test()
    b = new_page()
    sign_in(b)
    open_test(b, test_id)
    expect(b.locator("#live-state")).to_have_attribute("data-state", "live")
    title_input(b).fill("삭제된 뒤 다시 만든 제목")
    status, job = http("DELETE", f"{admin_api.base}/api/admin/tests/{test_id}", token=ADMIN_TOKEN)
    assert status in (200, 202), job
    expect(b.locator("#live-notice")).to_contain_text("삭제했습니다")
    _save(b)
    view = b.locator("#conflict-resolution")
    expect(view.get_by_role("heading", name="이 테스트는 삭제되었습니다")).to_be_visible()
    expect(view.get_by_role("button", name="내 변경 버리고 목록으로")).to_be_visible()
    view.get_by_role("button", name="내 내용으로 다시 만들기").click()
    expect(save_status(b)).to_contain_text("저장 완료")
    assert admin_api.get(test_id)["title"] == "삭제된 뒤 다시 만든 제목"
