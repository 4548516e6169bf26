"""No English sentence reaches an editor's screen (2): a rate limit, the network gone, a
server error (503, 403), an expired session, and 작업 상태 with a failed job, 버전 기록 and 통계
are scanned for Latin-script sentences (``tests/browser/_korean.py``). States that a browser
cannot cause on the dev server are answered with the API's real answers, made by the API
in-process (a rate limit reached, a queue that fails)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Route, expect

from tests.browser._korean import Scanner, answer_saves_with, answered_in_process, open_editor
from tests.browser._pages import save_status, title_input
from tests.browser.conftest import AdminApi, quiz_doc
from tests.fakes import FlakyWrap
from tests.imagefiles import png_bomb


def test_a_rate_limit_says_how_long_to_wait(
    new_page: Any, scan: Scanner, make_test: Any, tmp_path: Path
) -> None:
    """The front door's 429 (reached in-process: the dev server here runs without limits)."""
    answer = answered_in_process(tmp_path, limited=True)
    assert answer.status_code == 429, answer.text
    test_id, _ = make_test()
    page = open_editor(new_page, scan, test_id)
    answer_saves_with(page, test_id, answer)
    title_input(page).fill("너무 자주 저장한 제목")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("요청이 너무 많습니다 (1분에 60번까지). 1분 뒤에")
    scan.assert_korean(page, "rate limited")


def test_network_failures_and_server_errors_are_korean(
    new_page: Any, scan: Scanner, make_test: Any, tmp_path: Path
) -> None:
    """No answer at all, no network, a 503 of the API (its queue failing), a 403 from something
    in front of it: each says what happened and what to do."""
    failing_queue = answered_in_process(tmp_path, wrap=FlakyWrap("queue", "send", failures=1))
    assert failing_queue.status_code == 503, failing_queue.text
    test_id, _ = make_test()
    page = open_editor(new_page, scan, test_id)
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

    answer_saves_with(page, test_id, failing_queue)
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
    page = open_editor(new_page, scan, test_id)
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
    page = open_editor(new_page, scan, test_id)
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
