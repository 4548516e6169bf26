"""``quizhub.ports.HttpFetch`` over the JS global ``fetch`` (used by the zone purge client)."""

from __future__ import annotations

from quizhub.cloudflare._ffi import js_bytes, to_js
from quizhub.errors import Code, Transient

__all__ = ["js_fetch"]


async def js_fetch(
    method: str, url: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    """One HTTP request -> (status, response body). Network failures raise ``Transient``."""
    import js
    from pyodide.ffi import JsException

    init = to_js({"method": method, "headers": dict(headers)})
    if body:
        init.body = js_bytes(body)
    try:
        response = await js.fetch(url, init)
        data = (await response.arrayBuffer()).to_bytes()
    except JsException as exc:
        raise Transient(f"{method} {url} failed: {exc}", code=Code.FETCH_FAILED) from exc
    return int(response.status), data
