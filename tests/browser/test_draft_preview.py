"""미리보기 of the unsaved draft (docs/admin.md#draft-preview): beside the form on a wide
screen, the public page's player in a phone-sized frame shows what the editor types — title,
question, result — without a save, plays through to a result computed on the draft, keeps its
place when the draft changes mid-play, and on a phone opens from 더보기 → 미리보기."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser._pages import open_test, save_status, sign_in, title_input
from tests.browser.conftest import AdminApi, shot

FRAME = "#draft-frame"


def _field(page: Page, path: str) -> Any:
    return page.locator(f'[data-path="{path}"]')


def test_the_preview_plays_the_unsaved_draft_to_a_result(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A new title, question text and result title appear in the frame as they are typed; the
    player there reaches the result the draft's scores give; nothing is saved meanwhile."""
    test_id, doc = make_test(title="저장 전 미리보기 테스트")
    sign_in(page)
    open_test(page, test_id)
    preview = page.frame_locator(FRAME)
    expect(page.locator(FRAME)).to_be_visible()
    expect(page.locator("#draft-toggle")).to_be_hidden()  # wide screen: always shown
    expect(preview.locator("#test-title")).to_have_text(doc["title"])

    title_input(page).fill("저장하지 않은 새 제목")
    title_input(page).press_sequentially(" 하나")  # typed key by key: the frame follows
    _field(page, "questions.0.text").fill("초안에서 고친 첫 질문")
    _field(page, "results.0.title").fill("초안에서 고친 결과")
    expect(preview.locator("#test-title")).to_have_text("저장하지 않은 새 제목 하나")
    expect(_field(page, "results.0.title")).to_be_focused()  # redraws never take the focus
    shot(page, "admin-draft-preview")

    preview.get_by_role("button", name="테스트 시작하기").click()
    expect(preview.locator("#question-text")).to_have_text("초안에서 고친 첫 질문")
    for question in doc["questions"]:
        expect(preview.locator(".progress-count")).to_contain_text(
            f"{doc['questions'].index(question) + 1} /"
        )
        preview.get_by_role("button", name=question["options"][0]["text"]).click()
    expect(preview.locator("#result-title")).to_have_text("초안에서 고친 결과")
    expect(preview.get_by_role("link", name="다른 테스트 보기")).to_have_count(0)

    expect(save_status(page)).not_to_have_attribute("data-state", "saved")
    assert admin_api.get(test_id)["title"] == doc["title"]  # nothing was saved


def test_a_draft_changed_mid_play_keeps_the_players_place(page: Page, make_test: Any) -> None:
    """On question 2, editing question 2's text redraws that question (not the start); removing
    every result tells the editor what the draft lacks."""
    test_id, doc = make_test(title="미리보기 자리 유지 테스트")
    sign_in(page)
    open_test(page, test_id)
    preview = page.frame_locator(FRAME)
    preview.get_by_role("button", name="테스트 시작하기").click()
    preview.get_by_role("button", name=doc["questions"][0]["options"][1]["text"]).click()
    expect(preview.locator("#question-text")).to_have_text(doc["questions"][1]["text"])

    _field(page, "questions.1.text").fill("두 번째 질문을 바꿨어요")
    expect(preview.locator("#question-text")).to_have_text("두 번째 질문을 바꿨어요")
    expect(preview.locator(".progress-count")).to_have_text("2 / 3")

    _field(page, "questions.0.text").fill("첫 질문도 바꿨어요")
    preview.get_by_role("button", name="← 이전 문항").click()
    expect(preview.locator("#question-text")).to_have_text("첫 질문도 바꿨어요")


def test_on_a_phone_the_preview_opens_from_the_menu(new_page: Any, make_test: Any) -> None:
    """390 px: the frame is out of the way until 더보기 → 미리보기; it fills the screen at the
    size of a phone, plays the draft, and 닫기 or Escape puts it away."""
    test_id, _ = make_test(title="휴대폰 미리보기 테스트")
    page = new_page(width=390, height=844)
    sign_in(page)
    open_test(page, test_id)
    expect(page.locator(FRAME)).to_be_hidden()
    title_input(page).fill("휴대폰에서 고친 제목")
    page.get_by_role("button", name="더보기").click()
    page.get_by_role("button", name="미리보기", exact=True).click()
    expect(page.locator(FRAME)).to_be_visible()
    box = page.locator(FRAME).bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] >= 500
    preview = page.frame_locator(FRAME)
    expect(preview.locator("#test-title")).to_have_text("휴대폰에서 고친 제목")
    shot(page, "admin-phone-draft-preview")
    page.get_by_role("button", name="닫기").click()
    expect(page.locator(FRAME)).to_be_hidden()
    page.get_by_role("button", name="더보기").click()
    page.get_by_role("button", name="미리보기", exact=True).click()
    expect(page.locator(FRAME)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(FRAME)).to_be_hidden()


def test_only_the_draft_page_may_be_framed_and_only_by_the_site(page: Page, server: str) -> None:
    """The draft page lets the site itself frame it; every other page still refuses frames."""
    draft = page.request.get(f"{server}/admin/preview/draft/")
    assert draft.ok
    assert "frame-ancestors 'self'" in draft.headers["content-security-policy"]
    assert draft.headers["x-frame-options"] == "SAMEORIGIN"
    for path in ("/admin/", "/admin/preview/"):
        other = page.request.get(f"{server}{path}")
        assert "frame-ancestors 'none'" in other.headers["content-security-policy"]
        assert other.headers["x-frame-options"] == "DENY"
