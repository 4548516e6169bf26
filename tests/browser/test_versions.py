"""버전 기록, 복원, 미리보기 and "저장 완료" → "공개 반영 완료" in headless Chromium against the
real dev server."""

from __future__ import annotations

import json
import uuid
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser._pages import (
    open_test,
    polling_only,
    save_status,
    sign_in,
    title_input,
)
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, http, quiz_doc, shot


def _three_saves(admin_api: AdminApi) -> tuple[str, list[dict[str, Any]]]:
    """A test saved three times: each save changes its title and one more part."""
    test_id = f"bt-ver-{uuid.uuid4().hex[:8]}"
    first = quiz_doc("첫 번째 제목")
    second = {**quiz_doc("두 번째 제목"), "description": "두 번째 저장의 설명"}
    third = {**second, "title": "세 번째 제목"}
    third["questions"] = [dict(q) for q in second["questions"]]
    third["questions"][0]["text"] = "세 번째 저장의 질문"
    jobs = [admin_api.save(test_id, first)]
    for doc in (second, third):
        jobs.append(admin_api.save(test_id, doc, base_rev=jobs[-1]["rev"]))
    return test_id, jobs


def _versions(page: Page) -> Any:
    return page.locator("#version-list > li.version-item")


def _changes(item: Any) -> list[str]:
    return [str(t) for t in item.locator(".change").all_inner_texts()]


def test_history_shows_three_saves_newest_first_with_their_changes(
    page: Page, admin_api: AdminApi
) -> None:
    """버전 기록 lists the three saves newest first; each older one names the fields in which
    it differs from the current version."""
    test_id, jobs = _three_saves(admin_api)
    sign_in(page)
    open_test(page, test_id)
    page.locator("#history-button").click()
    items = _versions(page)
    expect(items).to_have_count(3)
    expect(items.locator(".version-title")).to_have_text(
        ["세 번째 제목", "두 번째 제목", "첫 번째 제목"]
    )
    assert [items.nth(i).get_attribute("data-rev") for i in range(3)] == [
        j["rev"] for j in reversed(jobs)
    ]
    expect(items.nth(0)).to_contain_text("현재 버전")
    expect(items.nth(1).locator(".change")).to_have_count(2)
    assert _changes(items.nth(1)) == ["제목", "질문"]
    expect(items.nth(2).locator(".change")).to_have_count(3)
    assert _changes(items.nth(2)) == ["제목", "설명", "질문"]
    shot(page, "admin-history", full_page=True)


def test_restore_of_the_oldest_brings_its_title_back_as_a_new_rev(
    page: Page, new_page: Any, admin_api: AdminApi
) -> None:
    """복원 of the oldest version saves it as a new rev: the editor, the history and the public
    page show its title again."""
    test_id, jobs = _three_saves(admin_api)
    sign_in(page)
    open_test(page, test_id)
    page.locator("#history-button").click()
    oldest = _versions(page).nth(2)
    expect(oldest).to_contain_text("첫 번째 제목")
    page.once("dialog", lambda dialog: dialog.accept())
    oldest.get_by_role("button", name="첫 번째 제목 복원").click()
    expect(save_status(page)).to_contain_text("복원 완료")
    expect(save_status(page)).to_contain_text("공개 반영 완료")
    expect(title_input(page)).to_have_value("첫 번째 제목")
    restored = admin_api.get(test_id)
    assert restored["title"] == "첫 번째 제목" and restored["rev"] > jobs[-1]["rev"]
    items = _versions(page)
    expect(items).to_have_count(4)
    expect(items.nth(0)).to_have_attribute("data-rev", restored["rev"])
    expect(items.nth(0)).to_contain_text("현재 버전")
    expect(items.nth(3).locator(".version-changes")).to_have_text("현재 버전과 내용이 같습니다.")

    public = new_page()
    public.goto(f"/t/{test_id}")
    expect(public.get_by_role("heading", level=1)).to_have_text("첫 번째 제목")


def test_preview_of_a_draft_renders_for_the_editor_and_never_for_anonymous_readers(
    page: Page, new_page: Any, make_test: Any
) -> None:
    """미리보기 opens the public test page on the saved draft under a 미리보기 banner and plays
    it to a result; an anonymous reader gets neither the page nor the preview."""
    test_id, draft = make_test("아직 공개 안 된 초안", status="draft")
    sign_in(page)
    open_test(page, test_id)
    with page.expect_popup() as popup_info:
        page.locator("#preview-button").click()
    preview = popup_info.value
    banner = preview.locator("#preview-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("미리보기")
    expect(banner).to_contain_text("초안")
    expect(preview.get_by_role("heading", level=1)).to_have_text("아직 공개 안 된 초안")
    assert preview.title().startswith("[미리보기]")
    preview.get_by_role("button", name="테스트 시작하기").click()
    for _ in draft["questions"]:
        preview.locator("button.option").first.click()
    expect(preview.locator("#result-title")).to_have_text("계획형 여행자")
    shot(preview, "public-preview")

    anonymous = new_page()
    response = anonymous.goto(f"/t/{test_id}")
    assert response is not None and response.status == 404  # a draft has no public page
    expect(anonymous.get_by_role("heading", level=1)).to_contain_text("찾을 수 없어요")
    anonymous.goto(f"/admin/preview/?id={test_id}&preview=1")
    expect(anonymous.get_by_role("alert")).to_contain_text("관리자만")
    expect(anonymous.locator("body")).not_to_contain_text("아직 공개 안 된 초안")
    status, _ = http("GET", f"{anonymous.url.split('/admin/')[0]}/api/admin/tests/{test_id}")
    assert status == 401


def test_saved_then_live_appear_in_order(page: Page, make_test: Any) -> None:
    """The status shows "저장 완료" once the job reports committedAt and "공개 반영 완료" once it
    reports liveAt, in that order, with the job's own times."""
    test_id, _ = make_test()
    polling_only(page)  # this test replays job states through routed polls
    sign_in(page)
    open_test(page, test_id)
    # Replay the state a job is in between its commit and its purge (committed, not yet live):
    # the real answers pass through with liveAt withheld until the test lets them go.
    hold = {"live": True}

    def withhold_live(route: Route) -> None:
        response = route.fetch()
        job = response.json()
        if hold["live"] and isinstance(job, dict) and job.get("committedAt"):
            job = {**job, "status": "running", "step": "invalidate", "liveAt": None}
        route.fulfill(response=response, body=json.dumps(job))

    page.route("**/api/admin/jobs/**", withhold_live)
    page.evaluate(
        """() => {
          window.__states = [];
          const el = document.getElementById("save-status");
          new MutationObserver(() => {
            const text = el.textContent.trim();
            if (text && window.__states.at(-1) !== text) window.__states.push(text);
          }).observe(el, { childList: true, subtree: true, characterData: true });
        }"""
    )
    title_input(page).fill("저장과 공개 반영")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료 · 공개 반영 중")
    expect(save_status(page)).to_have_attribute("data-state", "committed")
    stages = page.locator("#save-stages > li")
    expect(stages.nth(0)).to_have_attribute("data-reached", "true")
    expect(stages.nth(1)).to_have_attribute("data-reached", "false")
    shot(page, "admin-saved-not-live")
    hold["live"] = False
    expect(save_status(page)).to_contain_text("저장 완료 · 공개 반영 완료")
    expect(save_status(page)).to_have_attribute("data-state", "saved")
    page.unroute("**/api/admin/jobs/**")
    states = page.evaluate("window.__states")
    committed = next(i for i, s in enumerate(states) if "공개 반영 중" in s)
    live = next(i for i, s in enumerate(states) if "공개 반영 완료" in s)
    assert committed < live, states

    job_id = page.locator("#save-stages").get_attribute("data-job-id")
    base = page.url.split("/admin/")[0]
    _, job = http("GET", f"{base}/api/admin/jobs/{job_id}", token=ADMIN_TOKEN)
    expect(stages).to_have_count(2)
    expect(stages.nth(0)).to_contain_text("저장 완료")
    expect(stages.nth(1)).to_contain_text("공개 반영 완료")
    expect(stages.nth(0).locator("time")).to_have_attribute("datetime", job["committedAt"])
    expect(stages.nth(1).locator("time")).to_have_attribute("datetime", job["liveAt"])
    assert job["committedAt"] <= job["liveAt"]
    shot(page, "admin-saved-and-live")
