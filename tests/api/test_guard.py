"""The front door (quizhub.guard): auth, then size, before any body is read, on both platforms;
and the API Worker's cold-start shape (app at module level, no thread-bound dependencies)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

from quizhub.api.deps import bindings, require_admin
from quizhub.bindings import Bindings
from quizhub.guard import DOCUMENT_LIMIT, STRAY_BODY_LIMIT, GuardMiddleware, admit
from tests.fakes import TOKEN, FakeClock, make_platform, run

ROOT = Path(__file__).resolve().parents[2]


def _bindings(tmp_path: Path) -> Bindings:
    return make_platform(tmp_path, FakeClock()).bindings


def test_auth_is_checked_before_size_and_lengths_must_be_numbers(tmp_path: Path) -> None:
    """401 beats 413 on admin routes; 413 on a declared length over the limit; 400 on junk."""
    b = _bindings(tmp_path)

    def status(method: str, path: str, headers: dict[str, str]) -> int | None:
        rejection = run(admit(method, path, headers, None, b)).rejection
        return None if rejection is None else rejection.status

    huge = {"content-length": str(10**9)}
    assert status("PUT", "/api/admin/tests/t", huge) == 401
    auth = {"authorization": f"Bearer {TOKEN}"}
    over = run(admit("PUT", "/api/admin/tests/t", {**auth, **huge}, None, b)).rejection
    assert over is not None and (over.status, over.details) == (413, {"limit": DOCUMENT_LIMIT})
    assert status("PUT", "/api/admin/tests/t", {**auth, "content-length": "12abc"}) == 400
    assert status("GET", "/api/tests", {}) is None
    # methods that carry no body take at most a small stray one: more is refused unread
    for method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        assert status(method, "/api/tests/t", huge) == 413
        stray = {"content-length": str(STRAY_BODY_LIMIT)}
        assert status(method, "/api/tests/t", stray) is None


class _Chunks:
    """An ASGI receive() that streams ``n`` chunks without a declared length, counting reads."""

    def __init__(self, n: int, size: int) -> None:
        self.n, self.size, self.reads = n, size, 0

    async def __call__(self) -> dict[str, Any]:
        self.reads += 1
        more = self.reads < self.n
        return {"type": "http.request", "body": b"x" * self.size, "more_body": more}


def _scope(b: Bindings, path: str, headers: dict[str, str]) -> dict[str, Any]:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "method": "PUT", "path": path, "headers": raw, "env": b}


def _call(app: Any, scope: dict[str, Any], receive: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(event: dict[str, Any]) -> None:
        # how much of the body had been read when the answer went out
        sent.append({**event, "reads": getattr(receive, "reads", None)})

    run(GuardMiddleware(app)(scope, receive, send))
    return sent


def test_a_body_without_length_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    """Chunks stream in until the limit is passed: 413 and the app never runs; the rest of the
    body is read and dropped first, so a client that sends it all still gets the answer."""
    b = _bindings(tmp_path)
    called: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(b"called")

    chunks = _Chunks(n=100, size=256 * 1024)
    auth = {"authorization": f"Bearer {TOKEN}"}
    sent = _call(app, _scope(b, "/api/admin/tests/t", auth), chunks)
    assert sent[0]["status"] == 413 and called == []
    assert chunks.reads == 100  # the rest was read and dropped before the answer


def test_an_anonymous_admin_request_never_reads_its_body(tmp_path: Path) -> None:
    """401 from the headers alone: the app never runs and the body is only drained."""
    b = _bindings(tmp_path)
    chunks = _Chunks(n=1, size=10)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not run")

    sent = _call(app, _scope(b, "/api/admin/tests/t", {}), chunks)
    assert sent[0]["status"] == 401 and chunks.reads == 1


def test_a_body_under_the_limit_reaches_the_app_whole(tmp_path: Path) -> None:
    """The bounded read is replayed to the app as one body."""
    b = _bindings(tmp_path)
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["body"])

    _call(app, _scope(b, "/api/admin/tests/t", {"authorization": f"Bearer {TOKEN}"}), _Chunks(3, 4))
    assert seen == [b"x" * 12]


def test_the_worker_builds_its_app_at_module_level_and_deps_are_async() -> None:
    """The deploy snapshot holds the app (no per-isolate rebuild); dependencies need no thread."""
    tree = ast.parse((ROOT / "src/api_worker.py").read_text(encoding="utf-8"))
    assigned = {
        t.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    app = assigned.get("APP")
    assert isinstance(app, ast.Call) and getattr(app.func, "id", "") == "create_app"
    assert inspect.iscoroutinefunction(require_admin)
    assert not inspect.iscoroutinefunction(bindings)  # a plain function, not a dependency
