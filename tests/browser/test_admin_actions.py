"""How few actions the editor asks for: building the minimal test (3 questions of 2 options,
2 results) from 새 테스트 to its save being live, each click, fill and key press counted; and
the editor's tools that keep a test short to build (duplicate, drag, fold, the score table,
ids kept out of the way and fixed once published)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from playwright.sync_api import Locator, Page, expect

from quizhub.domain.ids import ITEM_ID_PATTERN, TEST_ID_PATTERN
from tests.browser._pages import open_test, save_status, sign_in
from tests.browser.conftest import AdminApi, shot

# The most actions building the minimal test may take (docs/admin.md#how-many-actions).
MOST_ACTIONS = 15


class Actions:
    """Clicks, fills and key presses, each done through here and counted."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def click(self, target: Locator) -> None:
        self.counts["click"] += 1
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        self.counts["fill"] += 1
        target.fill(text)

    def press(self, target: Locator, key: str) -> None:
        self.counts["press"] += 1
        target.press(key)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def test_the_minimal_test_takes_at_most_15_actions(page: Page, admin_api: AdminApi) -> None:
    """새 테스트 → 만들기 (the offered id) → the texts → 저장하기: the template's three questions,
    two results and score pattern need nothing but typing; the save goes live as typed."""
    sign_in(page)
    acts = Actions()
    acts.click(page.get_by_role("button", name="새 테스트"))
    test_id = page.get_by_label("테스트 ID").input_value()
    assert re.match(TEST_ID_PATTERN, test_id), test_id
    acts.click(page.get_by_role("button", name="만들기"))

    results = ["계획형 여행자", "즉흥형 여행자"]
    questions = {
        "휴가 첫날 아침에는?": ("일정표를 확인한다", "늦잠을 잔다"),
        "길을 잃었다면?": ("지도 앱을 켠다", "골목을 걸어본다"),
        "숙소를 고르는 기준은?": ("동선과 교통", "그날 기분"),
    }
    acts.fill(page.get_by_label("제목", exact=True), "나의 여행 스타일")
    for i, title in enumerate(results, 1):
        acts.fill(page.get_by_label(f"결과 {i} 이름"), title)
    for i, (text, options) in enumerate(questions.items(), 1):
        acts.fill(page.get_by_label(f"질문 {i} 내용", exact=True), text)
        for j, option in enumerate(options, 1):
            acts.fill(page.get_by_label(f"질문 {i} 선택지 {j} 내용"), option)
    # The ids are made by the editor and kept out of sight (고급, closed).
    expect(page.locator('[data-path="questions.0.id"]')).to_be_hidden()
    expect(page.locator('[data-path="results.0.id"]')).to_be_hidden()
    shot(page, "admin-minimal-test", full_page=True)
    acts.click(page.get_by_role("button", name="저장하기"))
    expect(save_status(page)).to_contain_text("공개 반영 완료", timeout=30_000)

    doc = admin_api.get(test_id)
    assert doc["title"] == "나의 여행 스타일"
    assert [r["title"] for r in doc["results"]] == results
    assert [q["text"] for q in doc["questions"]] == list(questions)
    assert [tuple(o["text"] for o in q["options"]) for q in doc["questions"]] == list(
        questions.values()
    )
    first, second = (r["id"] for r in doc["results"])
    for q in doc["questions"]:  # the template's pattern: option 1 → result 1, option 2 → result 2
        assert [o["scores"] for o in q["options"]] == [{first: 1}, {second: 1}]
    ids = [r["id"] for r in doc["results"]] + [q["id"] for q in doc["questions"]]
    ids += [o["id"] for q in doc["questions"] for o in q["options"]]
    assert all(re.match(ITEM_ID_PATTERN, i) for i in ids), ids
    assert len(set(ids[:5])) == 5
    print(f"actions: {dict(acts.counts)} total {acts.total}")
    assert acts.total <= MOST_ACTIONS, dict(acts.counts)


def _question_texts(page: Page) -> list[str]:
    return [
        page.locator(f'[data-path="questions.{i}.text"]').input_value()
        for i in range(page.locator(".block.question").count())
    ]


def test_duplicate_drag_fold_and_the_score_table(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """복제 copies a question (open, with its scores) right after it; dragging a question onto
    another moves it there; a folded question shows its text; a score typed in the table is
    saved for its option and result."""
    test_id, before = make_test(status="draft")
    page = new_page()
    sign_in(page)
    open_test(page, test_id)
    page.get_by_role("button", name="질문 1 복제").click()
    expect(page.locator(".block.question")).to_have_count(4)
    expect(page.locator('[data-path="questions.1.text"]')).to_be_focused()
    page.locator('[data-path="questions.1.text"]').fill("복제한 질문")

    # Folded, the questions are one line each: all in view to drag (a drag that has to scroll
    # the page may pick up another handle).
    page.get_by_role("button", name="모두 접기").click()
    handle = page.locator('.block.question[data-path="questions.3"] .question-head > .drag-handle')
    handle.drag_to(page.locator('.block.question[data-path="questions.0"] .question-head'))
    expect(page.locator('[data-path="questions.0.text"]')).to_have_value(
        before["questions"][2]["text"]
    )

    folded = page.locator('.block.question[data-path="questions.1"]')
    expect(folded.locator(".question-summary")).to_contain_text(before["questions"][0]["text"])
    expect(folded.locator('[data-path="questions.1.text"]')).to_be_hidden()
    page.get_by_role("button", name="질문 2 펼치기").click()
    expect(page.locator('[data-path="questions.1.text"]')).to_be_visible()

    page.get_by_label("결과 2 이름").fill("자유로운 여행자")  # the table's names follow
    expect(page.locator(".matrix-result").nth(1)).to_have_text("자유로운 여행자")
    score = page.get_by_label("질문 3 선택지 2 → 자유로운 여행자 점수")
    score.fill("3")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    doc = admin_api.get(test_id)
    texts = [q["text"] for q in before["questions"]]
    assert [q["text"] for q in doc["questions"]] == [texts[2], texts[0], "복제한 질문", texts[1]]
    original, copy = doc["questions"][1], doc["questions"][2]
    assert copy["id"] != original["id"]
    assert [o["text"] for o in copy["options"]] == [o["text"] for o in original["options"]]
    assert copy["options"][0]["scores"] == original["options"][0]["scores"]
    assert copy["options"][1]["scores"] == {**original["options"][1]["scores"], "free": 3}


def test_ids_are_read_only_once_the_test_is_published(page: Page, make_test: Any) -> None:
    """A published test's question and result ids are shown in 고급, read-only, with why; the
    rev shows short, and 복사 copies it whole."""
    test_id, doc = make_test()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page)
    open_test(page, test_id)
    result = page.locator('.block.result[data-path="results.0"]')
    result.locator(".advanced > summary").click()
    rid = result.locator('[data-path="results.0.id"]')
    expect(rid).to_have_value(doc["results"][0]["id"])
    expect(rid).not_to_be_editable()
    expect(result.locator(".advanced")).to_contain_text("바꿀 수 없습니다")
    expect(page.locator('[data-path="questions.0.id"]')).not_to_be_editable()
    meta = page.locator(".editor-meta")
    expect(meta).to_contain_text(f"rev …{doc['rev'][-8:]}")
    expect(meta).not_to_contain_text(doc["rev"])
    copy = meta.get_by_role("button", name="전체 rev 복사")
    expect(copy).to_have_attribute("data-rev", doc["rev"])
    copy.click()
    expect(copy).to_have_text("복사했습니다")
    assert page.evaluate("navigator.clipboard.readText()") == doc["rev"]


def test_an_error_in_a_folded_question_unfolds_it(page: Page, make_test: Any) -> None:
    """Saving with a question's text emptied while it is folded: the question opens and its
    field shows the error."""
    test_id, _ = make_test(status="draft")
    sign_in(page)
    open_test(page, test_id)
    text = page.locator('[data-path="questions.2.text"]')
    text.fill("")
    page.get_by_role("button", name="모두 접기").click()
    expect(text).to_be_hidden()
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("입력값 오류")
    expect(text).to_be_visible()
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="질문 3 접기")).to_have_attribute(
        "aria-expanded", "true"
    )


def test_results_and_options_move_by_dragging(
    new_page: Any, make_test: Any, admin_api: AdminApi
) -> None:
    """A result dragged onto the one above takes its place, and so does an option; the scores
    stay with their option and result."""
    test_id, before = make_test(status="draft")
    page = new_page(height=2400)  # both lists in view: a drag that scrolls may pick up another
    sign_in(page)
    open_test(page, test_id)
    page.locator('.block.result[data-path="results.1"] .block-head > .drag-handle').drag_to(
        page.locator('.block.result[data-path="results.0"] .block-head')
    )
    expect(page.locator('[data-path="results.0.title"]')).to_have_value(
        before["results"][1]["title"]
    )
    page.locator('.option-block[data-path="questions.0.options.1"] .drag-handle').drag_to(
        page.locator('.option-block[data-path="questions.0.options.0"] .option-line')
    )
    expect(page.locator('[data-path="questions.0.options.0.text"]')).to_have_value(
        before["questions"][0]["options"][1]["text"]
    )
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    doc = admin_api.get(test_id)
    assert [r["id"] for r in doc["results"]] == [r["id"] for r in before["results"]][::-1]
    assert doc["questions"][0]["options"] == before["questions"][0]["options"][::-1]
