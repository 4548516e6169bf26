"""Serving ``public/`` locally the way Workers static assets do, including ``public/_headers``."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

__all__ = ["parse_headers_file", "StaticSite"]

_CONFIG_FILES = frozenset({"/_headers", "/_redirects"})


def parse_headers_file(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Rules of a Cloudflare ``_headers`` file: a URL pattern line, then ``Name: value`` lines,
    or ``! Name`` (kept as ``"!Name": ""``): that header detached from the other rules matching
    the path."""
    rules: list[tuple[str, dict[str, str]]] = []
    if not path.exists():
        return rules
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
        elif rules and line.strip().startswith("!"):
            rules[-1][1]["!" + line.strip()[1:].strip()] = ""
        elif rules and ":" in line:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


class StaticSite:
    """ASGI app: static files from ``public/`` with the headers its ``_headers`` file asks for."""

    def __init__(self, directory: Path) -> None:
        self.files = StaticFiles(directory=str(directory), html=True, check_dir=True)
        self.rules = parse_headers_file(directory / "_headers")

    def headers_for(self, path: str) -> dict[str, str]:
        """As Workers do: every matching rule's headers, a name set by several joined with ", ",
        except where one matching rule detaches it (``! Name``) from the others."""
        matching = [
            headers
            for pattern, headers in self.rules
            if fnmatch.fnmatchcase(path, pattern.replace(":splat", "*"))
        ]
        out: dict[str, str] = {}
        for n, headers in enumerate(matching):
            detached = {
                k[1:] for m, other in enumerate(matching) if m != n for k in other if k[0] == "!"
            }
            for name, value in headers.items():
                if name[0] == "!" or name in detached:
                    continue
                out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            await _plain(send, 405, "method not allowed: static files answer GET and HEAD", True)
            return
        raw = scope["path"]
        path = posixpath.normpath("/" + raw.lstrip("/"))
        if raw.endswith("/") and path != "/":
            path += "/"  # /admin/ stays a directory (StaticFiles redirects /admin to /admin/)
        if _hidden(path):  # Workers static assets never serve config or dot files
            path = "/__not_found__"
        scope = {**scope, "path": path}
        extra = [(k.lower().encode(), v.encode()) for k, v in self.headers_for(path).items()]

        async def send_with_headers(event: MutableMapping[str, Any]) -> None:
            if event["type"] == "http.response.start" and extra:
                event = {**event, "headers": [*event.get("headers", []), *extra]}
            await send(event)

        try:
            await self.files(scope, receive, send_with_headers)
        except HTTPException as exc:  # StaticFiles raises; outside FastAPI nothing maps it
            await _plain(send, exc.status_code, str(exc.detail), exc.status_code == 405)


def _hidden(path: str) -> bool:
    """Config files (``_headers``, ``_redirects``) and any dot segment, under every spelling."""
    segments = [s for s in path.split("/") if s]
    bare = "/" + "/".join(segments)  # /_headers/ and //_headers are /_headers too
    return bare in _CONFIG_FILES or any(s.startswith(".") for s in segments)


async def _plain(send: Any, status: int, text: str, allow: bool) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if allow:
        headers.append((b"allow", b"GET, HEAD"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
