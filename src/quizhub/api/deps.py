"""Request dependencies: the bindings from ``scope["env"]`` and admin authentication."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request

from quizhub.api.errors import error_response
from quizhub.bindings import Bindings
from quizhub.errors import Unauthorized

__all__ = ["bindings", "require_admin", "check_admin_token", "AdminGate"]


def bindings(request: Request) -> Bindings:
    """The platform's bindings, placed in the ASGI scope by the entry point / dev server."""
    env = request.scope.get("env")
    if not isinstance(env, Bindings):
        raise RuntimeError("scope['env'] must hold quizhub Bindings (see src/api_worker.py)")
    return env


def check_admin_token(expected: str, header: str) -> None:
    """Bearer-token check with a constant-time compare; raises Unauthorized."""
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized(
            "missing Authorization header: send 'Authorization: Bearer <admin token>'"
        )
    if (
        scheme.lower() != "bearer"
        or not expected
        or not hmac.compare_digest(token.strip().encode(), expected.encode())
    ):
        raise Unauthorized("invalid admin token")


def require_admin(request: Request) -> None:
    """Route dependency (defence in depth; ``AdminGate`` already ran before the body was read)."""
    check_admin_token(
        bindings(request).settings.admin_token, request.headers.get("authorization", "")
    )


class AdminGate:
    """ASGI middleware: authenticate ``/api/admin/*`` before anything reads or parses the body,
    so an anonymous request gets 401 — not 413 or 422 — and costs no buffering."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/admin"):
            env = scope.get("env")
            expected = env.settings.admin_token if isinstance(env, Bindings) else ""
            header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
            try:
                check_admin_token(expected, header)
            except Unauthorized as exc:
                response = error_response(
                    401,
                    exc.code,
                    exc.message,
                    headers={"WWW-Authenticate": 'Bearer realm="quizhub-admin"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
