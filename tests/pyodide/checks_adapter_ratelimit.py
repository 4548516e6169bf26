"""``adapter.ratelimit``: ``RateLimitAdapter`` over a JS stand-in shaped like the Workers Rate
Limiting binding (``limit({key})`` → ``{success}``), and the guard answering 429 through it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.pyodide._entries import TOKEN, js, js_json, with_token

_BINDING = """(() => {
  const calls = [];
  const counts = new Map();
  return { calls, binding: { async limit(options) {
    calls.push(JSON.parse(JSON.stringify(options)));
    const n = (counts.get(options.key) ?? 0) + 1;
    counts.set(options.key, n);
    return { success: n <= 2 };
  } } };
})()"""


async def check_limit_sends_the_key_and_reads_success(h: Any) -> None:
    from quizhub.cloudflare.ratelimit import RateLimitAdapter

    fixture = js(_BINDING)
    limiter = RateLimitAdapter(fixture.binding)
    assert [await limiter.limit("ip:1") for _ in range(3)] == [True, True, False]
    assert js_json(fixture.calls) == [{"key": "ip:1"}] * 3


async def check_the_guard_answers_429_with_retry_after(h: Any) -> None:
    from quizhub.cloudflare.ratelimit import RateLimitAdapter
    from quizhub.edge.guard import admit

    limiter = RateLimitAdapter(js(_BINDING).binding)
    b = replace(with_token(h.bindings), rate_limits={"ADMIN_WRITES": limiter})
    headers = {"authorization": f"Bearer {TOKEN}"}
    answers = [
        (await admit("PUT", "/api/admin/tests/t", headers, None, b)).rejection for _ in range(3)
    ]
    assert answers[0] is None and answers[1] is None
    assert answers[2] is not None and answers[2].status == 429
    assert answers[2].headers == {"Retry-After": "60"}
