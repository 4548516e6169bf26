"""The admin UI in headless Chromium: sync mode, expired tokens, size and score errors, polling,
delete."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, Route, expect

from quizhub.edge.guard import too_large
from tests.browser._pages import (
    open_test,
    polling_only,
    save_status,
    sign_in,
    title_input,
)
from tests.browser.conftest import ADMIN_TOKEN, ROOT, AdminApi, http, quiz_doc

PUBLIC = ROOT / "public"


# ---------- more admin behaviour ----------


def test_save_in_sync_mode_handles_the_finished_job(new_page: Any, sync_server: str) -> None:
    """With SAVE_MODE=sync the PUT answers 200 with the finished job; the UI shows 저장 완료
    directly."""
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
    expect(page.locator(".editor-meta .rev-copy")).to_have_attribute("data-rev", saved["rev"])


def test_rejected_token_goes_back_to_sign_in_and_keeps_the_edits(
    page: Page, make_test: Any, admin_api: AdminApi
) -> None:
    """A 401 while saving shows the sign-in form with a message; after signing in again nothing
    typed is lost."""
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
    """A 413 answer (the front door's, as it sends it) is reported as too large, with the
    limit, in Korean."""
    test_id, _ = make_test()
    sign_in(page)
    open_test(page, test_id)
    refusal = too_large(1024 * 1024)
    page.route(
        f"**/api/admin/tests/{test_id}",
        lambda route: (
            route.fulfill(status=refusal.status, headers=refusal.all_headers(), body=refusal.body())
            if route.request.method == "PUT"
            else route.continue_()
        ),
    )
    title_input(page).fill("아주 긴 문서")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("보내는 내용이 너무 큽니다 (최대 1 MB)")
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
    """A job that stays running past the polling budget gets a clear message and
    "상태 다시 확인"."""
    test_id, _ = make_test()
    page.clock.install()
    polling_only(page)  # this test replays job states through routed polls
    sign_in(page)
    open_test(page, test_id)

    def stuck(route: Route) -> None:
        response = route.fetch()
        job = {**response.json(), "status": "running", "step": "commit"}
        job.update(committedAt=None, liveAt=None)  # still before the commit
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
    response = public.goto(f"/t/{test_id}")
    assert response is not None and response.status == 404  # the page is gone, for real
    expect(public.get_by_role("heading", level=1)).to_contain_text("찾을 수 없어요")


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
