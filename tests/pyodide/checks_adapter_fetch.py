"""``adapter.fetch``: ``js_fetch`` (the zone purge's transport) against a local HTTP server."""

from __future__ import annotations

import json
from typing import Any


async def check_a_post_sends_method_headers_and_body(h: Any) -> None:
    from quizhub.cloudflare.fetch import js_fetch

    url = f"{h.bridge.echo_url}/client/v4/zones/z/purge_cache"
    body = json.dumps({"tags": ["test:가"]}, ensure_ascii=False).encode()
    headers = {"Authorization": "Bearer tok", "X-Answer-Status": "201"}
    status, raw = await js_fetch("POST", url, headers, body)
    echoed = json.loads(raw)
    assert status == 201 and echoed["method"] == "POST"
    assert echoed["url"] == "/client/v4/zones/z/purge_cache"
    assert echoed["headers"]["authorization"] == "Bearer tok"
    assert json.loads(echoed["body"]) == {"tags": ["test:가"]}


async def check_a_network_failure_is_transient(h: Any) -> None:
    from quizhub.cloudflare.fetch import js_fetch
    from quizhub.errors import Transient

    try:
        await js_fetch("POST", "http://127.0.0.1:9/unreachable", {}, b"{}")
    except Transient as exc:
        assert "unreachable" in exc.message
    else:
        raise AssertionError("a refused connection must raise Transient")
