"""The front door (quizhub.edge.guard): auth, then size, before any body is read, on both platforms;
and the API Worker's cold-start shape (app at module level, no thread-bound dependencies)."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
from pathlib import Path
from typing import Any

from quizhub.api.deps import bindings, require_admin
from quizhub.bindings import Bindings
from quizhub.domain.wire import ENVELOPE_LIMIT
from quizhub.edge.guard import (
    BODY_TIMEOUT_S,
    DOCUMENT_LIMIT,
    DRAIN_TIMEOUT_S,
    STRAY_BODY_LIMIT,
    GuardMiddleware,
    admit,
    refusal_limit,
)
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
    limit = DOCUMENT_LIMIT + ENVELOPE_LIMIT  # a document as GET returns it fits
    assert over is not None and (over.status, over.details) == (413, {"limit": limit})
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


def _scope(b: Bindings, path: str, headers: dict[str, str], method: str = "PUT") -> dict[str, Any]:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "method": method, "path": path, "headers": raw, "env": b}


def _call(
    app: Any, scope: dict[str, Any], receive: Any, guard: Any = GuardMiddleware
) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(event: dict[str, Any]) -> None:
        # how much of the body had been read when the answer went out
        sent.append({**event, "reads": getattr(receive, "reads", None)})

    run(guard(app)(scope, receive, send))
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


def _headers(event: dict[str, Any]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in event["headers"]}


def _never_called(scope: Any, receive: Any, send: Any) -> Any:
    raise AssertionError("the app must not run")


def test_a_chunked_get_body_over_the_stray_limit_is_413(tmp_path: Path) -> None:
    """A body without a declared length on a method that carries none (20 MiB here) is read only
    up to ``STRAY_BODY_LIMIT``, then refused; the rest is drained, the app never runs."""
    b = _bindings(tmp_path)
    for method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        chunks = _Chunks(n=80, size=256 * 1024)
        sent = _call(_never_called, _scope(b, "/api/tests/t", {}, method), chunks)
        assert sent[0]["status"] == 413, method
        assert json.loads(sent[1]["body"])["error"]["details"] == {"limit": STRAY_BODY_LIMIT}
        assert refusal_limit(method, "/api/tests/t") == STRAY_BODY_LIMIT
        assert chunks.reads == 80  # drained before the answer, as for a PUT


def test_a_small_chunked_get_body_reaches_the_app_whole(tmp_path: Path) -> None:
    """Under the stray limit the body is read by the guard and replayed (the app may answer it,
    e.g. with a 405), like any bounded body."""
    b = _bindings(tmp_path)
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["body"])

    _call(app, _scope(b, "/api/tests", {}, "GET"), _Chunks(3, 4))
    assert seen == [b"x" * 12]


class _Trickle:
    """An ASGI receive() whose body never ends: ``size`` bytes a call, each ``every_s`` seconds
    after the one before on ``clock`` (a fake clock: no real waiting)."""

    def __init__(self, clock: FakeClock, every_s: float, size: int = 1) -> None:
        self.clock, self.every_ms, self.size, self.reads = clock, int(every_s * 1000), size, 0

    async def __call__(self) -> dict[str, Any]:
        self.reads += 1
        self.clock.advance(self.every_ms)
        return {"type": "http.request", "body": b"x" * self.size, "more_body": True}


def _on(clock: FakeClock) -> Any:
    """``GuardMiddleware`` whose deadlines are seconds on ``clock``."""
    return lambda app: GuardMiddleware(app, clock=lambda: clock.ms / 1000)


def test_a_trickling_body_gets_408_within_the_overall_deadline(tmp_path: Path) -> None:
    """One byte every 5 s never trips the per-chunk timeout; the whole body's deadline does: a
    408 that closes the connection, answered at once (no drain), and the app never runs."""
    b, clock = _bindings(tmp_path), FakeClock()
    start = clock.ms
    trickle = _Trickle(clock, every_s=5)
    auth = {"authorization": f"Bearer {TOKEN}"}
    sent = _call(_never_called, _scope(b, "/api/admin/tests/t", auth), trickle, _on(clock))
    assert sent[0]["status"] == 408 and _headers(sent[0])["connection"] == "close"
    assert json.loads(sent[1]["body"])["error"]["code"] == "timeout"
    assert (clock.ms - start) / 1000 <= BODY_TIMEOUT_S
    assert trickle.reads == BODY_TIMEOUT_S // 5  # nothing read after the deadline


def test_a_silent_client_gets_408_when_the_overall_deadline_passes(tmp_path: Path) -> None:
    """A body that never comes is cut at the whole body's deadline, even when that is shorter
    than the per-chunk timeout (tiny deadline, real clock)."""
    b = _bindings(tmp_path)

    async def silent() -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    def guard(app: Any) -> GuardMiddleware:
        return GuardMiddleware(app, body_timeout_s=0.05, chunk_timeout_s=60)

    auth = {"authorization": f"Bearer {TOKEN}"}
    sent = _call(_never_called, _scope(b, "/api/admin/tests/t", auth), silent, guard)
    assert sent[0]["status"] == 408


def test_a_refused_body_is_drained_only_briefly(tmp_path: Path) -> None:
    """After a refusal (401 here) the rest of the body is drained for ``DRAIN_TIMEOUT_S`` at most,
    not another full timeout; a body still coming then gets its answer and a closed connection."""
    b, clock = _bindings(tmp_path), FakeClock()
    start = clock.ms
    trickle = _Trickle(clock, every_s=1, size=64 * 1024)
    sent = _call(_never_called, _scope(b, "/api/admin/tests/t", {}), trickle, _on(clock))
    assert sent[0]["status"] == 401 and _headers(sent[0])["connection"] == "close"
    assert (clock.ms - start) / 1000 <= DRAIN_TIMEOUT_S
    assert DRAIN_TIMEOUT_S <= 10  # short, next to the whole body's deadline


def test_a_body_whose_last_chunk_passes_the_limit_is_answered_at_once(tmp_path: Path) -> None:
    """Once the body has ended nothing is left to drain: the 413 goes out without another read
    (a server's receive() would wait for the client to disconnect) and the connection stays."""
    b = _bindings(tmp_path)
    reads: list[int] = []

    async def receive() -> dict[str, Any]:
        if reads:
            raise AssertionError("read past the end of the body")
        reads.append(1)
        body = b"x" * (DOCUMENT_LIMIT + ENVELOPE_LIMIT + 1)
        return {"type": "http.request", "body": body, "more_body": False}

    auth = {"authorization": f"Bearer {TOKEN}"}
    sent = _call(_never_called, _scope(b, "/api/admin/tests/t", auth), receive)
    assert sent[0]["status"] == 413 and "connection" not in _headers(sent[0])


def test_a_5_mb_image_on_a_slow_connection_is_within_the_overall_deadline(tmp_path: Path) -> None:
    """The largest image upload (with its multipart framing) at 512 kbit/s reaches the app."""
    b, clock = _bindings(tmp_path), FakeClock()
    path = "/api/admin/images"
    size, rate = refusal_limit("POST", path), 512_000 // 8  # bytes per second
    left = size
    seen: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal left
        chunk = min(left, rate)
        left -= chunk
        clock.advance(1000)
        return {"type": "http.request", "body": b"x" * chunk, "more_body": left > 0}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(len((await receive())["body"]))

    auth = {"authorization": f"Bearer {TOKEN}"}
    _call(app, _scope(b, path, auth, "POST"), receive, _on(clock))
    assert seen == [size]


def test_a_client_gone_mid_body_never_reaches_the_app(tmp_path: Path) -> None:
    """A disconnect before the body ended: the app does not run on a truncated body."""
    b = _bindings(tmp_path)
    events: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, Any]:
        return events.pop(0)

    auth = {"authorization": f"Bearer {TOKEN}"}
    assert _call(_never_called, _scope(b, "/api/admin/tests/t", auth), receive) == []


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
