"""Request dependencies: the bindings from ``scope["env"]`` and admin authentication."""

from __future__ import annotations

import hmac

from fastapi import Request

from quizhub.bindings import Bindings
from quizhub.errors import Unauthorized

__all__ = ["bindings", "require_admin"]


def bindings(request: Request) -> Bindings:
    """The platform's bindings, placed in the ASGI scope by the entry point / dev server."""
    env = request.scope.get("env")
    if not isinstance(env, Bindings):
        raise RuntimeError("scope['env'] must hold quizhub Bindings (see src/api_worker.py)")
    return env


def require_admin(request: Request) -> None:
    """Bearer-token check with a constant-time compare."""
    expected = bindings(request).settings.admin_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized("missing Authorization header: send 'Authorization: Bearer <admin token>'")
    if scheme.lower() != "bearer" or not expected or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise Unauthorized("invalid admin token")
