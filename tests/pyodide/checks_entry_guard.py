"""``entry.guard``: the API Worker's front door (quizhub.cloudflare.front + quizhub.edge.guard)
on JS Requests whose body streams count their reads: a rejection must never touch the body."""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import is_null
from quizhub.edge.guard import body_limit
from tests.pyodide._entries import TOKEN, js, js_json, with_token

# A request-shaped object whose body stream counts pulls (an undici Request would drop a
# declared Content-Length, a forbidden header there; a standalone Headers object keeps it).
_REQUEST = """(method, url, headers, chunks) => {
  const state = { pulls: 0 };
  let i = 0;
  const body = chunks === null || chunks === undefined ? null : new ReadableStream({
    pull(controller) {
      state.pulls += 1;
      if (i < chunks) { controller.enqueue(new Uint8Array(512 * 1024).fill(120)); i += 1; }
      else controller.close();
    },
  }, { highWaterMark: 0 });  // pull only when read: a pull count of 0 means "never read"
  return { state, request: { method, url, headers: new Headers(headers), body } };
}"""


def _request(method: str, path: str, headers: dict[str, str], chunks: int | None) -> Any:
    from quizhub.cloudflare._ffi import to_js

    return js(_REQUEST)(method, f"https://quiz.example.com{path}", to_js(headers), chunks)


class _Forward:
    def __init__(self) -> None:
        self.calls: list[bytes] = []

    async def __call__(self, raw: Any, bindings: Any, editor: str | None) -> Any:
        # A re-created JS Request (bounded read) has arrayBuffer; the stand-ins do not.
        readable = hasattr(raw, "arrayBuffer") and not is_null(raw.body)
        body = (await raw.arrayBuffer()).to_bytes() if readable else b""
        self.calls.append(bytes(body))
        return js("new Response('forwarded', { status: 202 })")


async def _fetch(h: Any, fixture: Any) -> tuple[int, dict[str, Any] | None, _Forward]:
    from quizhub.cloudflare.front import guarded_fetch

    forward = _Forward()
    response = await guarded_fetch(fixture.request, with_token(h.bindings), forward)
    text = str(await response.text())
    body = None if text == "forwarded" else __import__("json").loads(text)
    return int(response.status), body, forward


async def check_anonymous_admin_write_is_401_without_reading_the_body(h: Any) -> None:
    fixture = _request("PUT", "/api/admin/tests/t1", {"content-length": str(10**8)}, 200)
    status, body, forward = await _fetch(h, fixture)
    assert status == 401 and body is not None and body["error"]["code"] == "token_missing"
    assert js_json(fixture.state)["pulls"] == 0 and forward.calls == []


async def check_wrong_token_is_401_before_size(h: Any) -> None:
    headers = {"authorization": "Bearer nope", "content-length": str(10**8)}
    status, _, forward = await _fetch(h, _request("PUT", "/api/admin/tests/t1", headers, 1))
    assert status == 401 and forward.calls == []


async def check_declared_length_over_the_limit_is_413_without_reading(h: Any) -> None:
    headers = {"authorization": f"Bearer {TOKEN}", "content-length": str(2 * 1024 * 1024)}
    fixture = _request("PUT", "/api/admin/tests/t1", headers, 4)
    status, body, forward = await _fetch(h, fixture)
    limit = body_limit("PUT", "/api/admin/tests/t1")
    assert status == 413 and body is not None and body["error"]["details"] == {"limit": limit}
    assert js_json(fixture.state)["pulls"] == 0 and forward.calls == []


async def check_a_body_without_length_is_read_only_up_to_the_limit(h: Any) -> None:
    # 8 chunks of 512 KiB stream in; the guard stops after the third (1.5 MiB > 1 MiB).
    fixture = _request("PUT", "/api/admin/tests/t1", {"authorization": f"Bearer {TOKEN}"}, 8)
    status, _, forward = await _fetch(h, fixture)
    assert status == 413 and forward.calls == []
    assert js_json(fixture.state)["pulls"] <= 4


async def check_a_small_body_without_length_is_forwarded_whole(h: Any) -> None:
    fixture = _request("PUT", "/api/admin/tests/t1", {"authorization": f"Bearer {TOKEN}"}, 1)
    status, _, forward = await _fetch(h, fixture)
    assert status == 202 and forward.calls == [b"x" * 512 * 1024]


async def check_public_reads_pass_without_credentials(h: Any) -> None:
    status, _, forward = await _fetch(h, _request("GET", "/api/tests/t1", {}, None))
    assert status == 202 and forward.calls == [b""]


async def check_a_large_streamed_body_on_a_method_without_one_is_413_at_its_first_chunk(
    h: Any,
) -> None:
    # DELETE carries no body: a streamed one is refused past STRAY_BODY_LIMIT, never copied.
    from quizhub.edge.guard import STRAY_BODY_LIMIT

    fixture = _request("DELETE", "/api/tests/t1", {}, 200)
    status, body, forward = await _fetch(h, fixture)
    assert status == 413 and body is not None
    assert body["error"]["details"] == {"limit": STRAY_BODY_LIMIT}
    assert js_json(fixture.state)["pulls"] <= 2 and forward.calls == []


async def check_per_client_limits_key_on_cf_connecting_ip(h: Any) -> None:
    # The edge sets CF-Connecting-IP (and overwrites a client's); X-Forwarded-For is not it.
    from dataclasses import replace

    from quizhub.cloudflare.front import guarded_fetch
    from quizhub.cloudflare.ratelimit import RateLimitAdapter

    fixture = js(
        "(() => { const keys = []; return { keys, binding: { async limit(o) {"
        " keys.push(o.key); return { success: true }; } } }; })()"
    )
    b = replace(
        with_token(h.bindings), rate_limits={"PLAY_EVENTS": RateLimitAdapter(fixture.binding)}
    )
    for forwarded in ("198.51.100.1", "198.51.100.2"):
        headers = {"cf-connecting-ip": "203.0.113.7", "x-forwarded-for": forwarded}
        request = _request("POST", "/api/events", {**headers, "content-length": "0"}, None)
        await guarded_fetch(request.request, b, _Forward())
    assert js_json(fixture.keys) == ["ip:203.0.113.7", "ip:203.0.113.7"]
