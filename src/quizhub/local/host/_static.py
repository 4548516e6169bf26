"""Serving ``public/`` locally the way Workers static assets do, including ``public/_headers``."""

from __future__ import annotations

import fnmatch
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from starlette.staticfiles import StaticFiles

__all__ = ["parse_headers_file", "StaticSite"]

_CONFIG_FILES = frozenset({"/_headers", "/_redirects"})


def parse_headers_file(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Rules of a Cloudflare ``_headers`` file: a URL pattern line, then ``Name: value`` lines."""
    rules: list[tuple[str, dict[str, str]]] = []
    if not path.exists():
        return rules
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
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
        out: dict[str, str] = {}
        for pattern, headers in self.rules:
            if fnmatch.fnmatchcase(path, pattern.replace(":splat", "*")):
                out.update(headers)
        return out

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] in _CONFIG_FILES:  # Workers static assets never serve these
            scope = {**scope, "path": "/__not_found__"}
        extra = [
            (k.lower().encode(), v.encode()) for k, v in self.headers_for(scope["path"]).items()
        ]

        async def send_with_headers(event: MutableMapping[str, Any]) -> None:
            if event["type"] == "http.response.start" and extra:
                event = {**event, "headers": [*event.get("headers", []), *extra]}
            await send(event)

        await self.files(scope, receive, send_with_headers)
