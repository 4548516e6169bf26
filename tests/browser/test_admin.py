"""The admin UI in headless Chromium against the real dev server: sign-in, 저장하기, errors,
conflicts."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser._pages import PollGate, open_test, save_status, sign_in, tiny_png, title_input
from tests.browser.conftest import ADMIN_TOKEN, ROOT, AdminApi, shot

PUBLIC = ROOT / "public"


# ---------- admin ----------


def test_sign_in_keeps_token_in_session_storage_only(page: Page) -> None:
    """A wrong token is refused; the right one is kept in sessionStorage, never in the URL or
    localStorage."""
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
    """저장하기 → "저장 중…" → "저장 완료"; the rev advances and the public site shows the new
    title."""
    test_id, before = make_test()
    page = new_page(width=800, height=640)
    sign_in(page)
    open_test(page, test_id)
    new_title = f"새 제목 {test_id}"
    title_input(page).fill(new_title)
    expect(page.locator(".editor-meta")).to_contain_text("저장하지 않은 변경 사항")

    # Hold the PUT so the in-progress state can be observed deterministically (queue and sync
    # modes).
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
        # A poll that lands between the commit and the purge shows the first of the two states.
        pending = re.compile(r"저장 중… (대기 중|\d/\d)|저장 완료 · 공개 반영 중")
        expect(save_status(page)).to_contain_text(pending)
        shot(page, "admin-saving")
        polls.release()

    expect(save_status(page)).to_contain_text("저장 완료")
    expect(save_status(page)).to_have_attribute("data-state", "saved")
    shot(page, "admin-saved")
    after = admin_api.get(test_id)
    assert after["title"] == new_title
    assert after["rev"] > before["rev"]
    expect(page.locator(".editor-meta .rev-copy")).to_have_attribute("data-rev", after["rev"])
    expect(page.locator(".editor-meta")).not_to_contain_text("저장하지 않은 변경 사항")

    public = new_page()
    public.goto(f"/t/{test_id}")
    expect(public.get_by_role("heading", level=1)).to_have_text(new_title)
    public.goto("/")
    expect(public.get_by_role("heading", name=new_title)).to_be_visible()


def test_validation_errors_are_shown_next_to_their_fields(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A 422 names fields by path; each error appears beside its input and in the summary; no typing
    is lost."""
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
    """Two editors load the same rev and change the same field; the second save ends in conflict
    with a banner (the change overlaps, so neither the form's rebase nor the pipeline's merge can
    take it); 덮어쓰기, once confirmed in the dialog that names the title it reverts, wins."""
    test_id, _ = make_test()
    first, second = new_page(), new_page()
    for p in (first, second):
        sign_in(p)
        open_test(p, test_id)

    title_input(second).fill("두 번째 편집자의 제목")
    title_input(first).fill("첫 번째 편집자의 제목")
    first.get_by_role("button", name="저장하기").click()
    expect(save_status(first)).to_contain_text("저장 완료")

    second.get_by_role("button", name="저장하기").click()
    banner = second.locator("#conflict-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("다른 편집자")
    expect(save_status(second)).to_have_attribute("data-state", "conflict")
    shot(second, "admin-conflict")
    assert admin_api.get(test_id)["title"] == "첫 번째 편집자의 제목"
    expect(title_input(second)).to_have_value("두 번째 편집자의 제목")  # nothing typed was lost

    banner.get_by_role("button", name="덮어쓰기").click()
    dialog = second.get_by_role("dialog", name="덮어쓰면 되돌아가는 변경")
    loss = dialog.locator(".overwrite-losses li")
    expect(loss).to_have_count(1)
    expect(loss.locator("strong")).to_have_text("제목")
    expect(loss.locator(".side-value")).to_have_text(
        ["첫 번째 편집자의 제목", "두 번째 편집자의 제목"]
    )
    dialog.get_by_role("button", name="덮어쓰기").click()
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
    title_input(second).fill("늦게 저장한 제목")  # typed before the other's save: it overlaps
    title_input(first).fill("먼저 저장한 제목")
    first.get_by_role("button", name="저장하기").click()
    expect(save_status(first)).to_contain_text("저장 완료")
    second.get_by_role("button", name="저장하기").click()
    second.locator("#conflict-banner").get_by_role("button", name="다시 불러오기").click()
    expect(title_input(second)).to_have_value("먼저 저장한 제목")
    expect(second.locator("#conflict-banner")).to_be_hidden()


def test_failed_save_offers_retry_with_the_same_document(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A server error keeps the editor's text and offers "다시 시도", which re-sends the
    document."""
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
    """새 테스트: id prompt (a bad id refused), the template, image upload with preview, save, then
    it is public."""
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
    for i in range(3):  # the template's three questions of two options
        page.locator(f'[data-path="questions.{i}.text"]').fill(f"어느 쪽이 좋아요? {i + 1}")
        page.locator(f'[data-path="questions.{i}.options.0.text"]').fill("왼쪽")
        page.locator(f'[data-path="questions.{i}.options.1.text"]').fill("오른쪽")
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
    src = f"/api/images/{saved['thumbnail']}?w=640"
    expect(card.locator("img.thumb")).to_have_attribute("src", src)
    # A fetch that does not ask for WebP gets the fallback variant, in the upload's format.
    assert public.evaluate("(src) => fetch(src).then(r => r.headers.get('content-type'))", src) == (
        "image/png"
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


def test_tags_are_chips_and_a_comma_stays_inside_its_tag(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A tag containing a comma survives a save without edits; Enter adds a whole tag (commas
    included), × removes one."""
    test_id, _ = make_test(tags=["서울, 부산", "여행"])
    sign_in(page)
    open_test(page, test_id)
    chips = page.locator(".tags-field .chip-text")
    expect(chips).to_have_text(["서울, 부산", "여행"])
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_have_attribute("data-state", "saved")
    assert admin_api.get(test_id)["tags"] == ["서울, 부산", "여행"]

    tag_input = page.locator('input[data-path="tags"]')
    tag_input.fill("맛집, 카페")
    tag_input.press("Enter")
    page.get_by_role("button", name="태그 '여행' 삭제").click()
    expect(chips).to_have_text(["서울, 부산", "맛집, 카페"])
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_have_attribute("data-state", "saved")
    assert admin_api.get(test_id)["tags"] == ["서울, 부산", "맛집, 카페"]
