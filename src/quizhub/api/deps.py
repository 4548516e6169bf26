"""Request dependencies: the bindings from ``scope["env"]`` and admin authentication.

Both are ``async def``: a plain ``def`` dependency runs in a thread, which on Workers only works
through the SDK's patch. The admin check itself lives in ``quizhub.edge.guard`` (one copy), which
also runs before the body is read (``Default.fetch`` on Workers, ``GuardMiddleware`` locally).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request, Security
from fastapi.security import APIKeyHeader, HTTPBearer

from quizhub.bindings import Bindings
from quizhub.domain.ids import TEST_ID_PATTERN
from quizhub.domain.samples import EXAMPLE_TEST_ID
from quizhub.edge.access import HEADER as ACCESS_HEADER
from quizhub.edge.guard import check_bearer, editor_of
from quizhub.errors import Unauthorized

__all__ = ["bindings", "editor", "Editor", "require_admin", "ADMIN_SECURITY", "TestId"]

# A test id in a path, as every router declares it (the pattern and example written once).
TestId = Annotated[
    str, Path(pattern=TEST_ID_PATTERN, description="test id", examples=[EXAMPLE_TEST_ID])
]

# The two ways in, declared for OpenAPI (the docs' "Authorize" and "Try it out"); either one
# will do. They never refuse anything themselves: the guard and ``require_admin`` do.
_BEARER = HTTPBearer(
    scheme_name="bearerAuth", description="the admin token (ADMIN_TOKEN)", auto_error=False
)
_ACCESS = APIKeyHeader(
    name=ACCESS_HEADER,
    scheme_name="cloudflareAccess",
    description="a Cloudflare Access token (set by Access in front of the site)",
    auto_error=False,
)
ADMIN_SECURITY: list[Any] = [Security(_BEARER), Security(_ACCESS)]


def bindings(request: Request) -> Bindings:
    """The platform's bindings, placed in the ASGI scope by the entry point / dev server."""
    env = request.scope.get("env")
    if not isinstance(env, Bindings):
        raise RuntimeError("scope['env'] must hold quizhub Bindings (see src/api_worker.py)")
    return env


async def editor(request: Request) -> str | None:
    """The request's editor: the Access email the front door verified (None: the bearer
    token). Request-scoped: it travels in the ASGI scope, never in the bindings."""
    return editor_of(request.scope)


# A route parameter: the request's editor (an Access email, or None for the bearer token).
Editor = Annotated[str | None, Depends(editor)]


async def require_admin(request: Request) -> None:
    """Route dependency: defence in depth behind the guard that already ran (which verified an
    Access token into the request's editor, or the bearer token)."""
    b = bindings(request)
    if editor_of(request.scope) is not None:
        return
    denied = check_bearer(b, request.headers.get("authorization", ""))
    if denied is not None:
        raise Unauthorized(denied.message, code=denied.code, params=denied.params)
