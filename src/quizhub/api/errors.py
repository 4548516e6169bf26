"""The ONE place errors become HTTP: ``{"error": {"code", "message", "params", "details"}}``.

``code`` and ``params`` are the machine's (``quizhub.errors.codes``); ``message`` is English for
tools and logs; a 422's ``details`` list each field error as ``{"loc", "msg", "type", "ctx"}``,
``ctx`` holding the rule's parameters (``max_length``, ``ge``, the duplicate id…)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.models import Schema
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from quizhub.api.page_html import render_not_found
from quizhub.domain.images import IMAGE_LIMIT
from quizhub.edge.guard import CHALLENGE, DOCUMENT_LIMIT, EVENTS_BODY_LIMIT
from quizhub.errors import (
    Code,
    Conflict,
    Invalid,
    NotFound,
    Permanent,
    QuizhubError,
    TooLarge,
    Transient,
    Unauthorized,
    Unsupported,
    error_body,
)
from quizhub.errors.fields import field_error

__all__ = [
    "install_error_handlers",
    "error_response",
    "error_responses",
    "STATUS_BY_ERROR",
    "ErrorBody",
    "error_schemas",
    "with_error_schemas",
]

log = logging.getLogger("quizhub.api")

STATUS_BY_ERROR: dict[type[QuizhubError], int] = {
    NotFound: 404,
    Invalid: 422,
    Unauthorized: 401,
    TooLarge: 413,
    Unsupported: 415,
    Conflict: 409,
    Transient: 503,
    Permanent: 500,
}
_UNPARSABLE = "There was an error parsing the body"  # fastapi.routing's HTTPException detail


class ErrorDetail(BaseModel):
    code: str = Field(
        description="machine-readable and stable, e.g. test_not_found, invalid, rate_limited"
        " (docs/api.md#error-codes lists every one with its params)"
    )
    message: str = Field(description="one English line for tools and logs")
    params: dict[str, Any] = Field(
        default_factory=dict, description="the code's parameters (limits, ids, revs…)"
    )
    details: Any = Field(
        None,
        description='422: [{"loc": [...field path...], "msg", "type", "ctx"}], ctx holding the'
        " rule's parameters; else extra facts",
    )


class ErrorBody(BaseModel):
    """Every error the API answers: ``{"error": {"code", "message", "params", "details"}}``."""

    error: ErrorDetail


# What each error status means on this API (the OpenAPI ``responses`` of the routes).
_DESCRIPTIONS = {
    400: "malformed request (a Content-Length that is not a number)",
    401: "missing or wrong credentials (bearer token or Cloudflare Access)",
    404: "no such test, job, version or image",
    408: "the request body arrived too slowly",
    409: "conflict",
    413: (
        f"body over the route's limit (documents {DOCUMENT_LIMIT:,} bytes, images "
        f"{IMAGE_LIMIT:,}, play events {EVENTS_BODY_LIMIT:,})"
    ),
    415: "a content type the route does not take",
    422: "invalid input; details name each field",
    429: "rate limited; see Retry-After",
    500: "internal or storage error (logged)",
    503: "a binding (D1, R2, KV, the queue, Access keys) is unavailable; try again",
}
assert set(STATUS_BY_ERROR.values()) <= set(_DESCRIPTIONS)
_COMPONENT_REF = "#/components/schemas/{model}"
_ERROR_REF = _COMPONENT_REF.format(model="ErrorBody")


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all in the one error shape.

    The shape is a reference to the ``ErrorBody`` component, which ``with_error_schemas`` adds
    to the document when it is built. Given ``"model": ErrorBody`` instead, FastAPI would build
    a pydantic serializer for every route and status (over a hundred) when the routes are
    declared, at the Worker's start, only to write this document."""
    return {
        s: {
            "description": _DESCRIPTIONS[s],
            "content": {"application/json": {"schema": {"$ref": _ERROR_REF}}},
        }
        for s in statuses
    }


def error_schemas() -> dict[str, Any]:
    """``ErrorBody`` and the models it holds as OpenAPI components, written as FastAPI writes a
    response model's (named by the model, nulls left out)."""
    schema = ErrorBody.model_json_schema(ref_template=_COMPONENT_REF, mode="serialization")
    components = {"ErrorBody": schema, **schema.pop("$defs", {})}
    return {
        name: jsonable_encoder(Schema(**component), by_alias=True, exclude_none=True)
        for name, component in components.items()
    }


def with_error_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the error components its ``error_responses`` refer to (in
    place; the components stay sorted by name, as FastAPI writes them)."""
    components = document.setdefault("components", {})
    schemas = components.get("schemas", {})
    if "ErrorBody" not in schemas:
        merged = {**schemas, **error_schemas()}
        components["schemas"] = {name: merged[name] for name in sorted(merged)}
    return document


def error_response(
    status: int,
    code: Code,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> JSONResponse:
    """A JSON error in the project's shape."""
    body = error_body(code, message, details, params)
    return JSONResponse(body, status_code=status, headers=headers)


def _status_of(exc: QuizhubError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


# Outside the API (the pages, the cards, the sitemaps: quizhub.api.pages) a 404 is a page for
# people, in the site's language; everything under /api/ answers in the JSON error shape.
_API_ROOT = "/api"
_PAGE_NOT_FOUND = "삭제되었거나 아직 공개되지 않은 테스트일 수 있어요. 주소를 다시 확인해 주세요."


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path == _API_ROOT or path.startswith(f"{_API_ROOT}/"))


def _page_not_found() -> HTMLResponse:
    """The HTML 404 page (never cached: a test published a moment later must show)."""
    headers = {"Cache-Control": "no-store"}
    return HTMLResponse(render_not_found(_PAGE_NOT_FOUND), status_code=404, headers=headers)


async def _on_quizhub_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, QuizhubError)
    status = _status_of(exc)
    if status == 404 and _is_page(request):
        return _page_not_found()
    headers = dict(CHALLENGE) if status == 401 else None
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(status, exc.code, exc.message, exc.details, headers, exc.params)


def _loc(loc: Any) -> list[Any]:
    parts = list(loc)
    return parts[1:] if parts[:1] == ["body"] else parts


def _detail(error: Any) -> dict[str, Any]:
    if error["type"] == "json_invalid":  # FastAPI's: the body did not decode (parse_json says why)
        why = str((error.get("ctx") or {}).get("error") or error["msg"])
        msg = f"not valid JSON: {why}"
        return {"loc": ["body"], "msg": msg, "type": "json_invalid", "ctx": {"error": why}}
    return field_error(_loc(error["loc"]), error["msg"], error["type"], error.get("ctx"))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_detail(e) for e in exc.errors()]
    first = details[0] if details else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"]) or "request"
    return error_response(422, Code.INVALID, f"{where}: {first['msg']}", details)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and _is_page(request):
        return _page_not_found()
    if exc.status_code == 400 and exc.detail == _UNPARSABLE:
        # FastAPI's answer to a body it cannot decode at all (not UTF-8, broken form data):
        # invalid input like malformed JSON, so 422 as everywhere else.
        msg = "body: not decodable (send UTF-8 JSON)"
        details = [field_error(["body"], "not decodable", Code.BODY_DECODE)]
        return error_response(422, Code.INVALID, msg, details)
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    headers = getattr(exc, "headers", None)
    if exc.status_code == 404:
        where = {"method": request.method, "path": request.url.path}
        message = f"no such endpoint: {request.method} {request.url.path}"
        return error_response(404, Code.NO_SUCH_ENDPOINT, message, headers=headers, params=where)
    if exc.status_code == 405:
        allowed = _allowed(request)
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        params = {"allowed": allowed}
        return error_response(405, Code.METHOD_NOT_ALLOWED, message, headers=headers, params=params)
    status = {"status": exc.status_code}
    return error_response(exc.status_code, Code.HTTP_ERROR, message, headers=headers, params=status)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]
    if "GET" in allowed:  # quizhub.api.head answers HEAD wherever GET works
        allowed.insert(1, "HEAD")
    return allowed


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, Code.INTERNAL, "an unexpected error occurred; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(QuizhubError, _on_quizhub_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
