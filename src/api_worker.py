"""API Worker entry (thin): quizhub.cloudflare.front.api_fetch (the live-status WebSocket
upgrade, else the guard), then the quizhub ASGI app with ``scope["env"]`` = Bindings.

What the runtime passes (requests, ``env``, ``ctx``) are JS objects behind Pyodide's FFI: typed
``Any``, as in quizhub.cloudflare."""

from __future__ import annotations

from typing import Any

from workers import WorkerEntrypoint, asgi

from quizhub.api.app import create_app
from quizhub.bindings import Bindings
from quizhub.cloudflare.env import bindings_from_env
from quizhub.cloudflare.front import api_fetch, with_editor

# Built at module level so the deploy snapshot holds it (no rebuild in each cold isolate).
APP = create_app()


class Default(WorkerEntrypoint):
    async def fetch(self, request: Any) -> Any:
        async def forward(raw_request: Any, bindings: Bindings, editor: str | None) -> Any:
            # asgi.fetch puts its `env` argument into scope["env"] untouched (workers/asgi.py);
            # the request's editor travels in the scope too (with_editor).
            return await asgi.fetch(with_editor(APP, editor), raw_request, bindings, self.ctx)

        return await api_fetch(request, bindings_from_env(self.env), forward)
