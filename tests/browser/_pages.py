"""Page helpers shared by the browser tests (sign-in, editor fields, job-poll and WebSocket
recorders, a tiny PNG, a poll gate)."""

from __future__ import annotations

import json
import struct
import time
import zlib
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import ADMIN_TOKEN, ROOT

PUBLIC = ROOT / "public"


# ---------- helpers ----------


# Pages that test the polling path itself (states replayed through routed job polls) switch the
# live-status WebSocket off before the admin loads: the editor then polls, as without a socket.
NO_WEBSOCKET = "window.WebSocket = function () { throw new Error('WebSocket blocked'); };"


def polling_only(page: Page) -> None:
    """Make ``page`` follow jobs by polling (its WebSocket cannot open)."""
    page.add_init_script(NO_WEBSOCKET)


JOB_POLLS = "/api/admin/jobs/"


def record_job_polls(page: Page) -> list[str]:
    """The URLs of every job poll (``GET /api/admin/jobs/…``) ``page`` makes from now on."""
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if JOB_POLLS in r.url else None)
    return polls


def socket_frames(page: Page) -> list[dict[str, Any]]:
    """Every JSON message ``page``'s WebSockets receive from now on."""
    frames: list[dict[str, Any]] = []

    def on_socket(ws: Any) -> None:
        def on_frame(payload: Any) -> None:
            if isinstance(payload, str) and payload.startswith("{"):
                frames.append(json.loads(payload))

        ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return frames


def sign_in(page: Page, token: str = ADMIN_TOKEN) -> None:
    page.goto("/admin/")
    page.get_by_label("관리자 토큰").fill(token)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="테스트 목록")).to_be_visible()


def open_test(page: Page, test_id: str) -> None:
    page.locator(f'a.test-item[data-test-id="{test_id}"]').click()
    expect(page.locator('[data-path="title"]')).to_be_visible()


def title_input(page: Page) -> Any:
    return page.get_by_label("제목", exact=True)


def save_status(page: Page) -> Any:
    return page.locator("#save-status")


def tiny_png(rgb: tuple[int, int, int] = (98, 70, 234), size: int = 8) -> bytes:
    """A valid solid-colour PNG, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


class PollGate:
    """Lets the first job poll through, then holds the following ones until released."""

    PATTERN = "**/api/admin/jobs/**"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen = 0
        self.held: list[Route] = []
        self.open = False
        page.route(self.PATTERN, self._gate)

    def _gate(self, route: Route) -> None:
        self.seen += 1
        if self.open or self.seen == 1:
            route.continue_()
        else:
            self.held.append(route)

    def wait_for_held(self, done: Any, timeout_s: float = 15) -> bool:
        """True once a poll is held; False if `done()` turned true first (no polling needed)."""
        deadline = time.monotonic() + timeout_s
        while not self.held:
            if done():
                self.release()
                return False
            assert time.monotonic() < deadline, "no job poll arrived"
            self.page.wait_for_timeout(50)
        return True

    def release(self) -> None:
        self.open = True
        for route in self.held:
            route.continue_()
        self.held.clear()
        self.page.unroute(self.PATTERN)
