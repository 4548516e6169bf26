"""The API Worker's front door: ``quizhub.edge.guard`` before the SDK's ASGI bridge.

The bridge (``workers.asgi``) reads the whole request body into memory before the app runs, so
checks inside the app cannot protect a 128 MB isolate from a 100 MB anonymous PUT. Here the
admin credentials and the declared length are checked on the headers alone (401/413 without
touching the body stream); a body without a declared length is read up to the route's limit
and handed on as a fresh request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from quizhub.bindings import Bindings
from quizhub.cloudflare._ffi import from_js, is_null, js_bytes, js_response, to_js
from quizhub.cloudflare.push import live_upgrade
from quizhub.edge.guard import Rejection, admit, read_bounded, refusal_limit, with_editor

__all__ = ["api_fetch", "guarded_fetch", "js_response", "Forward", "with_editor"]

# (raw JS Request, bindings, the request's editor) -> JS Response: the ASGI bridge in
# production, which runs the app wrapped by ``with_editor`` (the editor is request-scoped).
Forward = Callable[[Any, Bindings, str | None], Awaitable[Any]]


async def _chunks(stream: Any) -> AsyncIterator[bytes]:
    reader = stream.getReader()
    try:
        while True:
            chunk = await reader.read()
            if chunk.done:
                return
            yield bytes(chunk.value.to_bytes())
    finally:
        reader.releaseLock()


async def api_fetch(request: Any, bindings: Bindings, forward: Forward) -> Any:
    """The API Worker's ``fetch``: a live-status WebSocket upgrade (ticket and Origin checked)
    goes to the test's Durable Object; every other request through ``guarded_fetch``."""
    upgraded = await live_upgrade(request, bindings)
    if upgraded is not None:
        return upgraded
    return await guarded_fetch(request, bindings, forward)


async def guarded_fetch(request: Any, bindings: Bindings, forward: Forward) -> Any:
    """Reject before reading when the guard says so; otherwise forward (body bounded)."""
    import js

    raw = getattr(request, "js_object", request)  # workers.Request or a raw JS Request
    method = str(raw.method)
    path = unquote(str(js.URL.new(raw.url).pathname))
    headers = {
        str(k).lower(): str(v)
        for k, v in (from_js(js.Object.fromEntries(raw.headers)) or {}).items()
    }
    # Cloudflare's edge sets CF-Connecting-IP and overwrites a value a client sent.
    admission = await admit(method, path, headers, headers.get("cf-connecting-ip"), bindings)
    rejection = admission.rejection
    # Bodies without a declared length are read up to the limit here, so the SDK's bridge never
    # copies more into memory (on GET, HEAD, DELETE and OPTIONS too: STRAY_BODY_LIMIT).
    limit = refusal_limit(method, path)
    if rejection is None and "content-length" not in headers and not is_null(raw.body):
        body = await read_bounded(_chunks(raw.body), limit)
        if isinstance(body, Rejection):
            rejection = body
        else:
            init = {"method": method, "headers": dict(headers), "body": js_bytes(body)}
            raw = js.Request.new(raw.url, to_js(init))
    if rejection is not None:
        return js_response(rejection)
    return await forward(raw, bindings, admission.editor)
