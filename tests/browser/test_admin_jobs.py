"""The admin's 작업 상태 view and delayed jobs in the editor, in headless Chromium."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from quizhub.local.postgres import AnalyticsServer
from tests.browser._pages import (
    open_test,
    polling_only,
    save_status,
    sign_in,
    title_input,
)
from tests.browser.conftest import ADMIN_TOKEN, AdminApi, dev_server, http, quiz_doc

REASON = "gave up after 6 attempts (last error: attempt 6: R2 503 Service Unavailable)"
# The same as the dead-letter consumer codes it, and as the admin says it.
CAUSE = {"code": "binding_error", "params": {"error": "ConnectionError"}}
LAST = {"code": "attempt_failed", "params": {"attempt": 6, "cause": CAUSE}}
GAVE_UP = {"attempts": 6, "cause": LAST}
GAVE_UP_KO = (
    "6번 시도했지만 끝내지 못했습니다. 다시 시도해 주세요. 마지막 오류: 6번째 시도 — 저장소나 큐가"
    " 잠시 응답하지 않았습니다."
)


@pytest.fixture(scope="module")
def jobs_server(
    tmp_path_factory: pytest.TempPathFactory, analytics_server: AnalyticsServer
) -> Iterator[tuple[str, Path]]:
    """A dev server of its own, with its data directory (to arrange a failed job in D1). Play
    analytics go to the session's Postgres (no second embedded server)."""
    data_dir = tmp_path_factory.mktemp("quizhub-data-jobs")
    with dev_server(data_dir, "queue", analytics_server.params.url()) as base:
        yield base, data_dir


def _unconditional_save(base: str, test_id: str, title: str) -> dict[str, Any]:
    """PUT without ``baseRev`` (an unconditional save) and wait for its job to succeed."""
    status, job = http("PUT", f"{base}/api/admin/tests/{test_id}", quiz_doc(title), ADMIN_TOKEN)
    assert status == 202, job
    deadline = time.monotonic() + 30
    while job.get("status") != "succeeded":
        assert time.monotonic() < deadline, f"job did not finish: {job}"
        time.sleep(0.1)
        _, job = http("GET", f"{base}/api/admin/jobs/{job['jobId']}", token=ADMIN_TOKEN)
    return dict(job)


def _fail_as_the_dead_letter_queue_would(data_dir: Path, job_id: str) -> None:
    """Leave the job as the dead-letter consumer does when a save exhausts its retries."""
    with sqlite3.connect(data_dir / "d1.sqlite", timeout=10) as db:
        changed = db.execute(
            "UPDATE jobs SET status = 'failed', step = 'failed', error = ?, error_code = 'gave_up',"
            " error_params = ? WHERE job_id = ?",
            (REASON, json.dumps(GAVE_UP), job_id),
        ).rowcount
    assert changed == 1


def test_jobs_view_lists_a_failed_job_with_its_reason_and_retry_resubmits_it(
    new_page: Any, jobs_server: tuple[str, Path]
) -> None:
    """작업 상태 lists the failed job with 실패, its test id and reason; 다시 시도 re-submits its
    stored document as a new job, which applies."""
    base, data_dir = jobs_server
    api = AdminApi(base, ADMIN_TOKEN)
    test_id = f"bt-jobs-{uuid.uuid4().hex[:8]}"
    job = _unconditional_save(base, test_id, "다시 시도할 저장")
    _fail_as_the_dead_letter_queue_would(data_dir, job["jobId"])
    page = new_page(base=base)
    sign_in(page)
    page.get_by_role("link", name="작업 상태").click()
    expect(page.get_by_role("heading", name="확인이 필요한 작업")).to_be_visible()
    card = page.locator(f'li.job-card[data-job-id="{job["jobId"]}"]')
    expect(card).to_contain_text("실패")
    expect(card).to_contain_text(test_id)
    expect(card.locator(".job-reason")).to_have_text(GAVE_UP_KO)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/jobs/{job['jobId']}/retry")
    ) as retried:
        card.get_by_role("button", name="다시 시도").click()
    assert retried.value.status == 202
    new_job = retried.value.json()["jobId"]
    assert new_job != job["jobId"]
    expect(card.locator(".job-note")).to_have_text("다시 시도한 작업이 완료되었습니다.")
    saved = api.get(test_id)
    assert saved["rev"] > job["rev"] and saved["title"] == "다시 시도할 저장"
    with page.expect_response(
        lambda r: r.request.method == "GET" and "/api/admin/jobs?" in r.url
    ) as listed:
        # The jobs view's own 새로고침 (the test list beside it has one too).
        jobs_view = page.get_by_role("region", name="확인이 필요한 작업")
        jobs_view.get_by_role("button", name="새로고침").click()
    assert listed.value.status == 200
    listed_ids = [item["jobId"] for item in listed.value.json()["items"]]
    assert job["jobId"] in listed_ids and new_job not in listed_ids, listed_ids
    # The refreshed list still shows the failed job, as a new card (its note is gone) ...
    expect(card).to_contain_text("실패")
    expect(card.locator(".job-note")).to_have_text("")
    # ... and no card for the retry, which succeeded.
    expect(page.locator(f'li.job-card[data-job-id="{new_job}"]')).to_have_count(0)


def test_editor_shows_a_delayed_job_with_its_reason_while_polling(
    page: Page, make_test: Any
) -> None:
    """While the job being polled is delayed, the status line says 저장 지연 with the server's
    reason (it will still apply); once the job finishes it says 저장 완료."""
    test_id, _ = make_test()
    polling_only(page)  # this test replays job states through routed polls
    sign_in(page)
    open_test(page, test_id)
    reason = "delayed: not finished within its retry budget (482 s); it will still apply"
    params = {"budgetSeconds": 482, "cause": LAST}
    seen: list[str] = []

    def delayed(route: Route) -> None:
        if len(seen) >= 3:
            route.continue_()
            return
        response = route.fetch()
        job = response.json()
        seen.append(job["status"])
        late = {"status": "delayed", "error": reason, "errorCode": "delayed", "errorParams": params}
        route.fulfill(response=response, json={**job, **late})

    page.route("**/api/admin/jobs/**", delayed)
    title_input(page).fill("지연된 뒤에 반영될 제목")
    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 지연")
    expect(save_status(page)).to_contain_text("재시도 예산(8분 2초)을 넘겨 지연되고 있습니다")
    expect(save_status(page)).to_contain_text("마지막 오류: 6번째 시도 — 저장소나 큐가")
    expect(save_status(page)).to_have_attribute("data-state", "delayed")
    expect(save_status(page)).to_contain_text("저장 완료")


def test_the_job_card_shows_the_author_the_list_reports(
    new_page: Any, jobs_server: tuple[str, Path]
) -> None:
    """The card shows the ``author`` the jobs list answers with. Here the list answer is given
    one by a route; that an Access login becomes a job's author is tests/api/test_access.py's."""
    base, data_dir = jobs_server
    job = _unconditional_save(base, f"bt-author-{uuid.uuid4().hex[:8]}", "편집자 표시")
    _fail_as_the_dead_letter_queue_would(data_dir, job["jobId"])

    def with_author(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for item in body["items"]:
            item["author"] = "editor@quizhub.example"
        route.fulfill(response=response, json=body)

    page = new_page(base=base)
    page.route("**/api/admin/jobs?*", with_author)
    sign_in(page)
    page.get_by_role("link", name="작업 상태").click()
    card = page.locator(f'li.job-card[data-job-id="{job["jobId"]}"]')
    expect(card.locator(".job-author")).to_have_text("editor@quizhub.example")
