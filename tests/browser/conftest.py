"""Browser tests: a real dev server (``python -m quizhub.local serve``) and headless Chromium.

Playwright cannot download browsers here, so the Debian ``chromium`` binary is used
(``CHROMIUM_PATH``, default ``/usr/bin/chromium``). When Playwright or Chromium is missing the
suite is skipped with the reason — unless ``QUIZHUB_REQUIRE_BROWSER=1`` (CI), then it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.domain.jobs import TERMINAL
from quizhub.domain.samples import minimal_document
from quizhub.local.postgres import AnalyticsServer

try:
    import playwright.sync_api  # noqa: F401 - decided once, here, for every browser module
except ImportError:
    if os.environ.get("QUIZHUB_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            "browser tests required (QUIZHUB_REQUIRE_BROWSER=1) but playwright is not"
            " installed: run `make install`"
        ) from None
    # Without Playwright the browser modules cannot import: leave them out, saying why.
    collect_ignore_glob = ["test_*.py"]

    def pytest_report_header() -> str:
        return "browser tests: left out, playwright is not installed (make install)"


ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / ".artifacts" / "screenshots"
ADMIN_TOKEN = "browser-test-token-" + "x" * 16
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("QUIZHUB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    """A JSON request with the standard library (no HTTP client dependency)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        exc.close()
        return exc.code, json.loads(raw) if raw else None


class AdminApi:
    """Just enough of the admin API to arrange test data (the UI is what the tests exercise)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def get(self, test_id: str) -> dict[str, Any]:
        status, body = http("GET", f"{self.base}/api/admin/tests/{test_id}", token=self.token)
        assert status == 200, body
        return dict(body)

    def save(
        self, test_id: str, doc: dict[str, Any], base_rev: str | None = None
    ) -> dict[str, Any]:
        """PUT the document and wait for its job to finish; returns the finished job."""
        status, job = http(
            "PUT",
            f"{self.base}/api/admin/tests/{test_id}",
            {**doc, "baseRev": base_rev},
            self.token,
        )
        assert status in (200, 202), job
        deadline = time.monotonic() + 30
        while job.get("status") not in TERMINAL:
            assert time.monotonic() < deadline, f"job did not finish: {job}"
            time.sleep(0.1)
            _, job = http("GET", f"{self.base}/api/admin/jobs/{job['jobId']}", token=self.token)
        assert job["status"] == "succeeded", job
        return dict(job)


def quiz_doc(
    title: str, *, status: str = "published", tags: list[str] | None = None
) -> dict[str, Any]:
    """A three-question test with two results; answers a,a,* → planner, b,b,* → free."""
    doc = minimal_document(
        title,
        status=status,
        description="브라우저 테스트가 만든 테스트",
        tags=["브라우저", "여행"] if tags is None else tags,
    )
    doc["questions"] += [
        _question("q2", "길을 잃었다면?", ("지도 앱을 켠다", "골목을 걸어본다")),
        _question("q3", "숙소를 고르는 기준은?", ("동선과 교통", "그날 기분")),
    ]
    doc["results"][0]["description"] = "알찬 여행의 달인"
    doc["results"][1]["description"] = "발길 닿는 대로"
    return doc


def _question(qid: str, text: str, answers: tuple[str, str]) -> dict[str, Any]:
    """Option a scores planner +1, option b scores free +1."""
    return {
        "id": qid,
        "text": text,
        "image": None,
        "options": [
            {"id": "a", "text": answers[0], "scores": {"planner": 1}},
            {"id": "b", "text": answers[1], "scores": {"free": 1}},
        ],
    }


@contextlib.contextmanager
def dev_server(data_dir: Path, mode: str = "queue", analytics_url: str = "") -> Iterator[str]:
    """Run ``python -m quizhub.local serve`` on a free port; yield its base URL. With
    ``analytics_url`` it uses that Postgres (the session's) instead of starting its own."""
    if not (ROOT / "src" / "quizhub" / "local" / "__main__.py").exists():
        _unavailable("the dev server (quizhub.local) does not exist yet")
    port = _free_port()
    log_path = data_dir.parent / f"dev-server-{mode}.log"
    env = {
        **os.environ,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "SAVE_MODE": mode,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
        "PYTHONUNBUFFERED": "1",
        "QUIZHUB_RATE_LIMITS": "off",  # the suite saves faster than any editor would
        "ANALYTICS_DATABASE_URL": analytics_url,
    }
    cmd = [sys.executable, "-m", "quizhub.local", "serve", "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), "--mode", mode]
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    output = log_path.read_text(errors="replace")
                    pytest.fail(f"dev server exited with {proc.returncode}:\n{output}")
                with contextlib.suppress(OSError):
                    if http("GET", f"{base}/api/health")[0] == 200:
                        break
                if time.monotonic() > deadline:
                    output = log_path.read_text(errors="replace")
                    pytest.fail(f"dev server did not answer /api/health:\n{output}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture(scope="package")
def server(
    tmp_path_factory: pytest.TempPathFactory, analytics_server: AnalyticsServer
) -> Iterator[str]:
    """The dev server in queue mode (the default), in a fresh data dir; seeds the demo tests.
    Play analytics go to the session's Postgres."""
    url = analytics_server.params.url()
    with dev_server(tmp_path_factory.mktemp("quizhub-data"), "queue", url) as base:
        yield base


@pytest.fixture(scope="package")
def sync_server(
    tmp_path_factory: pytest.TempPathFactory, analytics_server: AnalyticsServer
) -> Iterator[str]:
    """A second dev server in SAVE_MODE=sync (PUT answers 200 with the finished job)."""
    url = analytics_server.params.url()
    with dev_server(tmp_path_factory.mktemp("quizhub-data-sync"), "sync", url) as base:
        yield base


@pytest.fixture(scope="package")
def admin_api(server: str) -> AdminApi:
    return AdminApi(server, ADMIN_TOKEN)


@pytest.fixture
def scan(admin_api: AdminApi) -> Any:
    """A scanner of admin pages for English sentences (``tests/browser/_korean.py``)."""
    from tests.browser._korean import Scanner  # it imports this module

    return Scanner(admin_api)


@pytest.fixture
def make_test(admin_api: AdminApi) -> Any:
    """Create a fresh published test through the API; returns (id, document with rev)."""

    def make(title: str | None = None, **kw: Any) -> tuple[str, dict[str, Any]]:
        test_id = f"bt-{uuid.uuid4().hex[:10]}"
        admin_api.save(test_id, quiz_doc(title or f"브라우저 테스트 {test_id}", **kw))
        return test_id, admin_api.get(test_id)

    return make


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (add it to the dev dependency group)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    expect.set_options(timeout=15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProblems:
    """Uncaught page errors and CSP violations seen by a page; asserted empty at teardown."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Any) -> Any:
        page.on("pageerror", lambda exc: self.items.append(f"pageerror: {exc}"))
        page.on("console", self._console)
        return page

    def _console(self, msg: Any) -> None:
        text = msg.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.items.append(f"csp: {text}")


@pytest.fixture
def new_page(browser: Any, server: str) -> Iterator[Any]:
    """Factory for pages in fresh browser contexts (separate sessionStorage = separate editors)."""
    contexts: list[Any] = []
    problems = PageProblems()

    def make(width: int = 1280, height: int = 900, base: str | None = None) -> Any:
        ctx = browser.new_context(
            base_url=base or server, viewport={"width": width, "height": height}, locale="ko-KR"
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return problems.watch(ctx.new_page())

    yield make
    for ctx in contexts:
        ctx.close()
    assert problems.items == [], problems.items


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


def shot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot of a key state under tests/.artifacts/screenshots/."""
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
