"""The live save status in a real browser: progress over the WebSocket with no polling, polling
when the socket cannot open, and a second editor told of the first one's save."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect  # noqa: I001

from tests.browser._pages import (
    open_test,
    polling_only,
    record_job_polls,
    save_status,
    sign_in,
    socket_frames,
    title_input,
)
from tests.browser.conftest import shot


def _live(page: Page) -> None:
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def test_a_save_is_followed_over_the_socket_without_polling(page: Page, make_test: Any) -> None:
    """Steps, 저장 완료 and 공개 반영 완료 arrive pushed; not one job poll is made."""
    test_id, _ = make_test()
    frames = socket_frames(page)
    polls = record_job_polls(page)
    sign_in(page)
    open_test(page, test_id)
    _live(page)
    title_input(page).fill("실시간으로 저장된 제목")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    expect(save_status(page)).to_contain_text("공개 반영 완료")
    shot(page, "admin-live-saved")
    # 공개 반영 완료 shows at the live phase; the job ends after its index and card steps, and
    # the editor leaves 저장 중 (the button is enabled again) once that last frame arrived.
    expect(page.get_by_role("button", name="저장하기")).to_be_enabled()
    phases = [f["phase"] for f in frames if f.get("type") == "job"]
    assert "running" in phases and "committed" in phases and phases[-1] == "succeeded", phases
    assert polls == []


def test_without_a_websocket_polling_completes_the_save(page: Page, make_test: Any) -> None:
    """The socket cannot open: the editor says so, and polling brings the save to 저장 완료."""
    test_id, _ = make_test()
    polling_only(page)
    polls = record_job_polls(page)
    sign_in(page)
    open_test(page, test_id)
    expect(page.locator("#live-state")).to_have_attribute("data-state", "polling")
    title_input(page).fill("폴링으로 저장된 제목")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("공개 반영 완료")
    assert polls, "the save was finished without polling"


def _open_live(new_page: Any, test_id: str) -> tuple[Page, Page]:
    a, b = new_page(), new_page()
    for p in (a, b):
        sign_in(p)
        open_test(p, test_id)
        _live(p)
    return a, b


def _description(page: Page) -> Any:
    return page.locator('[data-path="description"]')


def test_a_second_editor_sees_the_other_open_and_takes_their_save_at_once(
    new_page: Any, make_test: Any
) -> None:
    """Both have the test open: each is told another editor is editing it. A saves; B, with
    nothing unsaved, shows A's version at once (no conflict waiting to happen)."""
    test_id, _ = make_test()
    a, b = _open_live(new_page, test_id)
    for p in (a, b):
        expect(p.locator("#presence")).to_have_text("다른 편집자가 편집 중")
    title_input(a).fill("A가 저장한 새 제목")
    a.get_by_role("button", name="저장하기").click()
    expect(save_status(a)).to_contain_text("저장 완료")
    expect(title_input(b)).to_have_value("A가 저장한 새 제목")
    expect(save_status(b)).to_contain_text("다른 편집자가 저장한 최신 내용을 불러왔습니다")
    expect(a.locator("#live-notice")).to_be_hidden()  # never told of its own save
    b.close()
    expect(a.locator("#presence")).to_be_hidden()


def test_unsaved_changes_rebase_onto_another_editors_save_and_both_are_published(
    new_page: Any, make_test: Any, admin_api: Any
) -> None:
    """A edits the title, B the description. A saves first: B's form takes A's title and keeps
    B's description; B saves; the published test has both."""
    test_id, _ = make_test()
    a, b = _open_live(new_page, test_id)
    _description(b).fill("B가 고친 설명")
    title_input(a).fill("A가 고친 제목")
    a.get_by_role("button", name="저장하기").click()
    expect(save_status(a)).to_contain_text("저장 완료")
    expect(title_input(b)).to_have_value("A가 고친 제목")
    expect(_description(b)).to_have_value("B가 고친 설명")
    expect(save_status(b)).to_contain_text("다른 편집자의 변경을 반영했습니다")
    shot(b, "admin-live-rebased")
    b.get_by_role("button", name="저장하기").click()
    expect(save_status(b)).to_contain_text("저장 완료")
    doc = admin_api.get(test_id)
    assert (doc["title"], doc["description"]) == ("A가 고친 제목", "B가 고친 설명")


def test_a_save_merged_by_the_pipeline_brings_the_other_editors_change_into_the_form(
    new_page: Any, make_test: Any, admin_api: Any
) -> None:
    """B polls (no socket, so no rebase before saving) and saves a description over a stale
    rev: the pipeline merges it with A's title, and B's form then shows A's title, so B's next
    save cannot undo it."""
    test_id, doc = make_test()
    b = new_page()
    polling_only(b)
    sign_in(b)
    open_test(b, test_id)
    admin_api.save(test_id, {**doc, "title": "A가 먼저 저장한 제목"}, base_rev=doc["rev"])
    _description(b).fill("B가 고친 설명")
    b.get_by_role("button", name="저장하기").click()
    expect(save_status(b)).to_contain_text("합쳐 저장했습니다")
    expect(title_input(b)).to_have_value("A가 먼저 저장한 제목")
    _description(b).fill("B가 다시 고친 설명")
    b.get_by_role("button", name="저장하기").click()
    expect(save_status(b)).to_contain_text("저장 완료")
    saved = admin_api.get(test_id)
    assert (saved["title"], saved["description"]) == ("A가 먼저 저장한 제목", "B가 다시 고친 설명")


def test_a_socket_dropped_mid_save_hands_the_save_to_polling(page: Page, make_test: Any) -> None:
    """The live socket closes right after the save's first pushed message: the editor switches
    to polling and the save still reaches 저장 완료 and 공개 반영 완료."""
    test_id, _ = make_test()
    polls = record_job_polls(page)
    dropped: list[str] = []

    def relay(ws: Any) -> None:
        server = ws.connect_to_server()
        ws.on_message(server.send)

        def from_server(message: Any) -> None:
            ws.send(message)
            if not dropped and isinstance(message, str) and message.startswith("{"):
                if json.loads(message).get("type") != "job":
                    return
                dropped.append(message)
                ws.close(code=1011, reason="dropped mid-save")
                server.close()

        server.on_message(from_server)

    page.route_web_socket(f"**/api/live/tests/{test_id}*", relay)
    sign_in(page)
    open_test(page, test_id)
    _live(page)
    title_input(page).fill("소켓이 끊긴 뒤 저장된 제목")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    expect(save_status(page)).to_contain_text("공개 반영 완료")
    assert dropped, "the socket carried the save's first message before it dropped"
    assert polls, "polling took the save over once the socket dropped"
