"""The ONE place errors become HTTP: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from quizhub.errors import (
    Conflict,
    Invalid,
    NotFound,
    Permanent,
    QuizhubError,
    TooLarge,
    Transient,
    Unauthorized,
)

__all__ = ["install_error_handlers", "error_response", "STATUS_BY_ERROR"]

log = logging.getLogger("quizhub.api")

STATUS_BY_ERROR: dict[type[QuizhubError], int] = {
    NotFound: 404,
    Invalid: 422,
    Unauthorized: 401,
    TooLarge: 413,
    Conflict: 409,
    Transient: 503,
    Permanent: 500,
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error in the project's shape."""
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _status_of(exc: QuizhubError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


async def _on_quizhub_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QuizhubError)
    status = _status_of(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="quizhub-admin"'} if status == 401 else None
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(status, exc.code, exc.message, exc.details, headers)


def _loc(loc: Any) -> list[Any]:
    parts = list(loc)
    return parts[1:] if parts[:1] == ["body"] else parts


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [{"loc": _loc(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    first = details[0] if details else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"]) or "request"
    return error_response(422, "invalid", f"{where}: {first['msg']}", details)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.method} {request.url.path}"
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "an unexpected error occurred; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(QuizhubError, _on_quizhub_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
