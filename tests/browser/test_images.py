"""Images end to end: the admin upload goes 업로드 중 → 처리 중 → 완료 (or says why it
failed), and a phone-sized browser taking the quiz downloads the small WebP variant, never the
original."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from PIL import Image
from playwright.sync_api import Page, Route, expect

from tests.browser._pages import (
    open_test,
    polling_only,
    record_job_polls,
    save_status,
    sign_in,
    socket_frames,
)
from tests.browser.conftest import AdminApi, quiz_doc
from tests.imagefiles import phone_photo, png_bomb

PREVIEW_SRC = re.compile(r"^/api/images/[0-9a-f]{32}\.jpg\?w=320$")


class Held:
    """Holds every request matching ``pattern`` until ``release()`` (then lets them all by)."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.page, self.pattern = page, pattern
        self.held: list[Route] = []
        self.open = False
        page.route(pattern, self._hold)

    def _hold(self, route: Route) -> None:
        if self.open:
            route.continue_()
        else:
            self.held.append(route)

    def wait(self, timeout_ms: int = 30_000) -> None:
        for _ in range(timeout_ms // 50):
            if self.held:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"no request to {self.pattern} within {timeout_ms} ms")

    def release(self) -> None:
        self.open = True
        for route in self.held:
            route.continue_()
        self.held.clear()


def _thumbnail_status(page: Page) -> Any:
    field = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]'))
    return field.locator(".upload-status")


def test_upload_shows_uploading_processing_done_and_the_quiz_on_a_phone_gets_small_webp(
    page: Page, new_page: Any, make_test: Any, admin_api: AdminApi, tmp_path: Path
) -> None:
    """The editor shows each stage of the upload (followed by polling here, so each can be
    held); after saving, a 390 px wide phone taking the quiz is served WebP variants no wider
    than 640 px, far smaller than the photo uploaded."""
    test_id, _ = make_test(f"이미지 테스트 {uuid.uuid4().hex[:6]}")
    polling_only(page)
    sign_in(page)
    open_test(page, test_id)
    photo = phone_photo(2400, 1800, orientation=1)
    path = tmp_path / "photo.jpg"
    path.write_bytes(photo)

    upload = Held(page, "**/api/admin/images?*")
    polls = Held(page, "**/api/admin/jobs/**")
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(path))
    status = _thumbnail_status(page)
    expect(status).to_have_text("업로드 중…")
    upload.wait()
    upload.release()
    expect(status).to_contain_text("처리 중")
    polls.wait()
    polls.release()
    expect(status).to_have_text("완료 — 저장하면 반영됩니다.")
    preview = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]'))
    expect(preview.locator(".image-preview img")).to_have_attribute("src", PREVIEW_SRC)

    page.get_by_role("button", name="저장하기").click()
    expect(save_status(page)).to_contain_text("저장 완료")
    key = admin_api.get(test_id)["thumbnail"]
    assert key and key.endswith(".jpg")

    phone = new_page(width=390, height=844)
    images: list[Any] = []
    phone.on("response", lambda r: images.append(r) if "/api/images/" in r.url else None)
    phone.goto(f"/t/{test_id}")
    cover = phone.locator("img.cover")
    expect(cover).to_be_visible()
    expect(cover).to_have_attribute("srcset", f"/api/images/{key}?w=320 320w, " + _rest(key))
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=cover.element_handle()
    )
    served = [r for r in images if r.ok]
    assert served, "the phone downloaded no image"
    for response in served:
        assert response.headers["content-type"] == "image/webp", response.url
        width = int(parse_qs(urlparse(response.url).query)["w"][0])
        with Image.open(io.BytesIO(response.body())) as img:
            assert img.width <= 640 and width <= 640, response.url
        assert len(response.body()) * 4 < len(photo)  # a fraction of the original's bytes


def _rest(key: str) -> str:
    return f"/api/images/{key}?w=640 640w, /api/images/{key}?w=1280 1280w"


def test_a_failed_image_job_says_why_and_keeps_the_previous_image(
    page: Page, admin_api: AdminApi, tmp_path: Path
) -> None:
    """A decompression bomb is accepted as an upload but its job fails: the editor says why
    and the field keeps what it had (no key of an image that will never exist)."""
    test_id = f"bt-img-{uuid.uuid4().hex[:8]}"
    admin_api.save(test_id, quiz_doc("실패하는 이미지"))
    sign_in(page)
    open_test(page, test_id)
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bomb())
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(path))
    status = _thumbnail_status(page)
    expect(status).to_contain_text("처리하지 못했습니다: 이미지가 너무 큽니다")
    preview = page.locator(".image-field", has=page.locator('[data-path="thumbnail"]'))
    expect(preview.locator(".image-empty")).to_have_text("이미지 없음")

    page.get_by_role("link", name="작업 상태").click()
    card = page.locator("li.job-card", has=page.get_by_text("이미지 처리")).first
    expect(card).to_contain_text("이미지가 너무 큽니다")
    expect(card).to_contain_text(".png")
    expect(card.get_by_role("button", name="다시 시도")).to_be_visible()


def test_an_upload_is_followed_over_the_tests_live_socket_without_polling(
    page: Page, make_test: Any, tmp_path: Path
) -> None:
    """With the test's live socket open, the image job's progress is pushed there: the field
    reaches 완료 with not one job poll, and the socket carried the job to succeeded."""
    test_id, _ = make_test(f"이미지 실시간 {uuid.uuid4().hex[:6]}")
    frames = socket_frames(page)
    polls = record_job_polls(page)
    sign_in(page)
    open_test(page, test_id)
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    path = tmp_path / "photo.jpg"
    path.write_bytes(phone_photo(800, 600))
    page.locator('input[type=file][data-path="thumbnail"]').set_input_files(str(path))
    expect(_thumbnail_status(page)).to_have_text("완료 — 저장하면 반영됩니다.")
    image_jobs = [f for f in frames if f.get("type") == "job" and f["job"]["kind"] == "image"]
    assert image_jobs and image_jobs[-1]["job"]["status"] == "succeeded", frames
    assert polls == []
    expect(page.locator("#live-notice")).to_be_hidden()  # an upload is not another's save
