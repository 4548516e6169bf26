"""``make bench-push``: click 저장하기 → "저장 완료" on screen, pushed over the live-status
WebSocket vs polled, in a real browser against the real dev server.

The dev server runs with ``QUIZHUB_LATENCY_MS`` (default 10): every binding call — D1, R2, KV,
the queue, the purge and the live channel's publish — takes that long, roughly a Worker's round
trip on Cloudflare. Chromium (Playwright) edits one test and saves it N times per mode; the time
is measured inside the page from the click to the first mutation of the status line that says
저장 완료. The polling mode is the same page with its WebSocket switched off (the UI's fallback).
Next to them: the server's own accept → commit time of those jobs (``committedAt`` −
``acceptedAt``: the queue hand-over plus the consumer's steps up to the D1 commit).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import uuid
from pathlib import Path
from typing import Any

from tests.browser._pages import NO_WEBSOCKET
from tests.browser.conftest import (
    ADMIN_TOKEN,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    AdminApi,
    dev_server,
    http,
    quiz_doc,
)

from benchmarks.report import add_out_option, markdown_table, write_report
from benchmarks.save_path import pct
from quizhub.domain.wire import ms_of_iso

# The editor's first polling interval, read from the UI itself (jobs.js), never restated.
POLL_MS = int(re.search(r"let delay = (\d+);", (ROOT / "public/admin/jobs.js").read_text())[1])

_CLICK_TO_SAVED = """async () => {
  const status = document.getElementById("save-status");
  const t0 = performance.now();
  const saved = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      if (status.textContent.includes("저장 완료")) {
        seen.disconnect();
        resolve(performance.now() - t0);
      }
    });
    seen.observe(status, { childList: true, subtree: true, characterData: true });
  });
  document.getElementById("save-button").click();
  return await saved;
}"""


def _series(browser: Any, base: str, test_id: str, mode: str, n: int) -> dict[str, list[float]]:
    context = browser.new_context(base_url=base, locale="ko-KR")
    page = context.new_page()
    if mode == "polling":
        page.add_init_script(NO_WEBSOCKET)
    jobs: list[str] = []
    page.on(
        "response",
        lambda r: (
            jobs.append(r.json()["jobId"])
            if r.request.method == "PUT" and "/api/admin/tests/" in r.url
            else None
        ),
    )
    page.goto("/admin/")
    page.get_by_label("관리자 토큰").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="로그인").click()
    page.locator(f'a.test-item[data-test-id="{test_id}"]').click()
    want = "live" if mode == "push" else "polling"
    page.wait_for_selector(f'#live-state[data-state="{want}"]')
    shown: list[float] = []
    for i in range(n + 2):  # the first two warm the page and the server up
        page.get_by_label("제목", exact=True).fill(f"{mode} 저장 #{i} {uuid.uuid4().hex[:6]}")
        took = float(page.evaluate(_CLICK_TO_SAVED))
        page.wait_for_selector('#save-status[data-state="saved"]')
        page.wait_for_selector("#save-button:not([disabled])")
        if i >= 2:
            shown.append(took)
    context.close()
    consumer = []
    for job_id in jobs[2:]:
        _, job = http("GET", f"{base}/api/admin/jobs/{job_id}", token=ADMIN_TOKEN)
        consumer.append(ms_of_iso(job["committedAt"]) - ms_of_iso(job["acceptedAt"]))
    return {"shown": shown, "consumer": consumer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=25, help="saves per mode (≥ 20)")
    parser.add_argument("--latency-ms", type=float, default=10.0)
    add_out_option(parser)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    os.environ["QUIZHUB_LATENCY_MS"] = str(args.latency_ms)
    with tempfile.TemporaryDirectory() as tmp, dev_server(Path(tmp) / "data") as base:
        test_id = f"bench-{uuid.uuid4().hex[:8]}"
        AdminApi(base, ADMIN_TOKEN).save(test_id, quiz_doc("실시간 저장 벤치마크"))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            results = {
                m: _series(browser, base, test_id, m, args.saves) for m in ("push", "polling")
            }
            browser.close()
    table = markdown_table(
        [
            '저장하기 → "저장 완료" on screen',
            "p50",
            "p95",
            "server: accepted → committed p50",
            "p95",
        ],
        [
            (
                label,
                f"{pct(results[mode]['shown'], 50):.0f} ms",
                f"{pct(results[mode]['shown'], 95):.0f} ms",
                f"{pct(results[mode]['consumer'], 50):.0f} ms",
                f"{pct(results[mode]['consumer'], 95):.0f} ms",
            )
            for mode, label in (("push", "push (WebSocket)"), ("polling", "polling (no WebSocket)"))
        ],
    )
    gain = pct(results["polling"]["shown"], 50) - pct(results["push"]["shown"], 50)
    verdict = "met" if gain >= POLL_MS / 2 else "NOT met"
    body = (
        f"{args.saves} saves per mode, {args.latency_ms:g} ms per binding call, first polling"
        f" interval {POLL_MS} ms.\n\n{table}\n\n"
        f"Push beats polling's p50 by {gain:.0f} ms (mean push "
        f"{statistics.mean(results['push']['shown']):.0f} ms); criterion ≥ {POLL_MS / 2:.0f} ms "
        f"(half the polling interval): {verdict}."
    )
    print(f"\n{body}\n")
    print(f"wrote {write_report('push', body, out=args.out)}")
    if gain < POLL_MS / 2:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
