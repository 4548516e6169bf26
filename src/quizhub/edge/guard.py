"""The front door's first checks, before anything reads a request body: admin credentials
(a Cloudflare Access token or the bearer token), then the route's size limit, then its rate
limit. Written once; run by the API Worker's ``Default.fetch`` before the SDK's
ASGI bridge (which buffers the whole body) and by the local server as ASGI middleware.

Pure Python (no pydantic, no platform imports), so the Pyodide harness can run it as is.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.images import IMAGE_LIMIT
from quizhub.domain.wire import DOCUMENT_LIMIT, ENVELOPE_LIMIT
from quizhub.edge.access import HEADER as ACCESS_HEADER
from quizhub.edge.ratelimits import ADMIN_PREFIX, EVENTS_PATH, bearer_token, limit_key, rule_for
from quizhub.errors import Code, Unauthorized, error_body

__all__ = [
    "ADMIN_PREFIX",
    "DOCUMENT_LIMIT",
    "EVENTS_BODY_LIMIT",
    "IMAGE_LIMIT",
    "Rejection",
    "CHALLENGE",
    "body_limit",
    "refusal_limit",
    "STRAY_BODY_LIMIT",
    "too_large",
    "check_admin_token",
    "check_bearer",
    "check_size",
    "is_admin",
    "authenticate",
    "admit",
    "Admission",
    "read_bounded",
    "GuardMiddleware",
    "EDITOR_KEY",
    "with_editor",
    "editor_of",
]

log = logging.getLogger("quizhub.edge.guard")

_MULTIPART_SLACK = 64 * 1024  # the multipart framing around an image
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
# A method that carries no body may still arrive with a small one (the app answers it, e.g. 405
# on a route that takes another method); beyond this it is refused before anything reads it.
STRAY_BODY_LIMIT = 16 * 1024
# Play events (EVENTS_PATH): quizhub.analytics.events.MAX_EVENTS_PER_REQUEST events of at most
# ~400 bytes each, with room for the JSON around them.
EVENTS_BODY_LIMIT = 16 * 1024
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="quizhub-admin"'}


@dataclass(frozen=True)
class Rejection:
    """An answer given before the app runs, in the API's error shape."""

    status: int
    code: Code
    message: str
    details: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def body(self) -> bytes:
        error = error_body(self.code, self.message, self.details, self.params)
        return json.dumps(error, ensure_ascii=False).encode("utf-8")

    def all_headers(self) -> dict[str, str]:
        """Response headers, content type and no-store included."""
        return {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            **self.headers,
        }


def body_limit(method: str, path: str) -> int:
    """The largest body the route takes (0 for methods that carry none)."""
    if method.upper() in _NO_BODY:
        return 0
    if path.startswith(f"{ADMIN_PREFIX}/images"):
        return IMAGE_LIMIT + _MULTIPART_SLACK
    if path == EVENTS_PATH:
        return EVENTS_BODY_LIMIT
    return DOCUMENT_LIMIT + ENVELOPE_LIMIT


def refusal_limit(method: str, path: str) -> int:
    """The body size past which the front door answers 413 without reading further: the
    route's limit, or ``STRAY_BODY_LIMIT`` for methods that carry none."""
    return body_limit(method, path) or STRAY_BODY_LIMIT


def too_large(limit: int) -> Rejection:
    """413 for a body over ``limit`` bytes."""
    message = f"request body exceeds {limit} bytes"
    limits = {"limit": limit}
    return Rejection(413, Code.TOO_LARGE, message, details=limits, params=limits)


def check_admin_token(expected: str, authorization: str) -> Rejection | None:
    """Bearer-token check with a constant-time compare; a 401 Rejection when it fails."""
    if not authorization:
        msg = "missing Authorization header: send 'Authorization: Bearer <admin token>'"
        return Rejection(401, Code.TOKEN_MISSING, msg, headers=CHALLENGE)
    token = bearer_token(authorization)
    good = (
        token is not None
        and bool(expected)
        and hmac.compare_digest(token.encode(), expected.encode())
    )
    bad = Rejection(401, Code.TOKEN_INVALID, "invalid admin token", headers=CHALLENGE)
    return None if good else bad


def is_admin(path: str) -> bool:
    """Whether ``path`` is an admin route (credentials required)."""
    return path == ADMIN_PREFIX or path.startswith(f"{ADMIN_PREFIX}/")


def check_size(method: str, path: str, headers: Mapping[str, str]) -> Rejection | None:
    """413 for a declared length over ``refusal_limit``, 400 for a malformed one."""
    declared = headers.get("content-length")
    if declared is None:
        return None
    if not declared.strip().isdigit():
        return Rejection(400, Code.BAD_CONTENT_LENGTH, "Content-Length must be a number of bytes")
    limit = refusal_limit(method, path)
    return too_large(limit) if int(declared) > limit else None


# Where a request carries its editor (the Access email the guard verified; None for the bearer
# token): request-scoped, in the ASGI scope, never in the platform's bindings.
EDITOR_KEY = "quizhub.editor"


def with_editor(app: App, editor: str | None) -> App:
    """``app`` with ``editor`` in every HTTP scope it sees (the API Worker wraps its ASGI app
    per request with what the guard decided; the local server's middleware sets it itself)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, EDITOR_KEY: editor}
        await app(scope, receive, send)

    return wrapped


def editor_of(scope: Mapping[str, Any]) -> str | None:
    """The editor the front door identified for this request (None: the bearer token)."""
    editor = scope.get(EDITOR_KEY)
    return editor if isinstance(editor, str) else None


@dataclass(frozen=True)
class Admission:
    """What the front door decided: a rejection, or who the editor is (None: the bearer token
    or a public route)."""

    rejection: Rejection | None = None
    editor: str | None = None


async def authenticate(path: str, headers: Mapping[str, str], b: Bindings) -> Admission:
    """Credentials of an admin route: a Cloudflare Access token (when Access is configured and
    the request carries one), else the bearer token (unless switched off)."""
    if not is_admin(path):
        return Admission()
    token = headers.get(ACCESS_HEADER)
    if b.access is not None and token:
        try:
            return Admission(editor=await b.access.identity(token))
        except Unauthorized as exc:
            denied = Rejection(401, exc.code, exc.message, headers=CHALLENGE, params=exc.params)
            return Admission(denied)
        except Exception:  # noqa: BLE001 - the team's keys could not be fetched
            log.exception("Cloudflare Access keys unavailable")
            msg = "Cloudflare Access keys could not be fetched; try again shortly"
            retry = {"Retry-After": "10"}
            return Admission(Rejection(503, Code.ACCESS_UNAVAILABLE, msg, headers=retry))
    return Admission(check_bearer(b, headers.get("authorization", "")))


def check_bearer(b: Bindings, authorization: str) -> Rejection | None:
    """The shared bearer token, unless Access replaced it (``ADMIN_TOKEN_DISABLED``)."""
    if b.settings.admin_token_disabled:
        msg = "sign in through Cloudflare Access (the admin token is switched off)"
        return Rejection(401, Code.TOKEN_DISABLED, msg, headers=CHALLENGE)
    return check_admin_token(b.settings.admin_token, authorization)


async def admit(
    method: str, path: str, headers: Mapping[str, str], client: str | None, b: Bindings
) -> Admission:
    """Credentials (401) before size (413) before the rate limit (429, Retry-After = the rule's
    period: the binding answers only allowed or not). ``headers`` has lower-case names;
    ``client`` is the address the platform vouches for (never a header the client wrote). A
    limiter that fails lets the request through: limits protect, they must not take the API
    down."""
    admission = await authenticate(path, headers, b)
    rejection = admission.rejection or check_size(method, path, headers)
    if rejection is not None:
        return Admission(rejection)
    rule = rule_for(method, path)
    limiter = b.rate_limits.get(rule.binding) if rule is not None else None
    if rule is None or limiter is None:
        return admission
    try:
        credential = admission.editor or bearer_token(headers.get("authorization", ""))
        allowed = await limiter.limit(limit_key(rule, client, credential))
    except Exception:  # noqa: BLE001 - see above
        log.exception("rate limiter %s failed; request let through", rule.binding)
        return admission
    if allowed:
        return admission
    message = (
        f"too many requests: {rule.describe} are limited to {rule.limit} per {rule.period} s;"
        f" try again in {rule.period} s"
    )
    details = {"limit": rule.limit, "period": rule.period}
    retry = {"Retry-After": str(rule.period)}
    return Admission(Rejection(429, Code.RATE_LIMITED, message, details, retry, dict(details)))


async def read_bounded(chunks: AsyncIterator[bytes], limit: int) -> bytes | Rejection:
    """The body of a request without a declared length, read until ``limit`` + 1 bytes at most."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


# A slow client cannot hold the server: each body chunk must arrive within BODY_CHUNK_TIMEOUT_S
# seconds and the whole body within BODY_TIMEOUT_S of the guard starting to read it (a 5 MB
# image at 512 kbit/s takes about 83 s); past either the answer is a 408 at once.
BODY_CHUNK_TIMEOUT_S = 30
BODY_TIMEOUT_S = 120
# Locally, a refused body is read and dropped before the answer, up to DRAIN_LIMIT bytes and for
# DRAIN_TIMEOUT_S seconds at most (beyond that the connection closes after the answer). The API
# Worker rejects without reading; Cloudflare's edge copes.
DRAIN_LIMIT = 64 * 1024 * 1024
DRAIN_TIMEOUT_S = 5


class GuardMiddleware:
    """``admit`` and ``read_bounded`` as ASGI middleware (the local server's front door).

    The body is read only after the checks passed, up to ``refusal_limit`` (on GET, HEAD, DELETE
    and OPTIONS too, with or without a declared length) and within the deadlines above, then
    replayed. Deadlines are seconds on ``clock`` (``time.monotonic``; tests pass their own)."""

    def __init__(
        self,
        app: App,
        *,
        body_timeout_s: float = BODY_TIMEOUT_S,
        chunk_timeout_s: float = BODY_CHUNK_TIMEOUT_S,
        drain_timeout_s: float = DRAIN_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s
        self.chunk_timeout_s = chunk_timeout_s
        self.drain_timeout_s = drain_timeout_s
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not isinstance(scope.get("env"), Bindings):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method, path = scope["method"], scope["path"]
        client = scope.get("client")
        env = scope["env"]
        admission = await admit(method, path, headers, client[0] if client else None, env)
        rejection = admission.rejection
        scope = {**scope, EDITOR_KEY: admission.editor}
        body = _Body(receive, self.clock, self.chunk_timeout_s)
        if rejection is None:
            body.allow(self.body_timeout_s)
            try:
                read = await read_bounded(_receive_chunks(body), refusal_limit(method, path))
            except TimeoutError:
                # Too slow already: answered at once, without a drain, and the connection closes.
                slow = "the request body arrived too slowly"
                await _respond(send, Rejection(408, Code.TIMEOUT, slow, headers=_CLOSE))
                return
            if body.disconnected:
                return  # the body is incomplete and nobody is left to answer
            if isinstance(read, Rejection):
                rejection = read
            else:
                receive = _replay(read, receive)
        if rejection is not None:
            # Decided on the headers (or the bounded read) alone; what the client still sends is
            # read and dropped before answering, so a plain HTTP/1.1 client that writes its whole
            # body first reads the answer instead of a connection reset.
            await _drain(body, self.drain_timeout_s)
            if not body.ended:
                rejection = replace(rejection, headers={**rejection.headers, **_CLOSE})
            await _respond(send, rejection)
            return
        await self.app(scope, receive, send)


# An answer sent before the request's body ended: the connection cannot carry another request.
_CLOSE = {"Connection": "close"}


class _Body:
    """A request body as the guard reads it: ASGI events, each within ``chunk_timeout_s`` and all
    before ``deadline`` (seconds on ``clock``), and whether it ended (nothing is left to drain)."""

    def __init__(
        self, receive: Receive, clock: Callable[[], float], chunk_timeout_s: float
    ) -> None:
        self.receive = receive
        self.clock = clock
        self.chunk_timeout_s = chunk_timeout_s
        self.deadline = clock()
        self.ended = self.disconnected = False

    def allow(self, seconds: float) -> None:
        """Give what is left of the body ``seconds`` from now."""
        self.deadline = self.clock() + seconds

    async def event(self) -> MutableMapping[str, Any]:
        """The next event; TimeoutError once the deadline passed or a chunk took too long."""
        left = self.deadline - self.clock()
        if left <= 0:
            raise TimeoutError
        event = await asyncio.wait_for(self.receive(), min(left, self.chunk_timeout_s))
        self.disconnected = event["type"] == "http.disconnect"
        self.ended = self.disconnected or not event.get("more_body", False)
        return event


async def _drain(body: _Body, seconds: float) -> None:
    """Read and drop the rest of a refused body: up to ``DRAIN_LIMIT`` bytes, for ``seconds``."""
    body.allow(seconds)
    drained = 0
    while not body.ended and drained <= DRAIN_LIMIT:
        try:
            event = await body.event()
        except TimeoutError:
            return
        drained += len(event.get("body", b""))


async def _receive_chunks(body: _Body) -> AsyncIterator[bytes]:
    while not body.ended:
        event = await body.event()
        if event["type"] == "http.request":
            yield event.get("body", b"")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _respond(send: Send, rejection: Rejection) -> None:
    body = rejection.body()
    headers = [(k.lower().encode(), v.encode()) for k, v in rejection.all_headers().items()]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": rejection.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
