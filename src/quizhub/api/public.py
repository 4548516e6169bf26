"""Public read API: list (최신순/인기순)/search, detail (Cache → KV → D1+R2), participation
counts (D1), compute, images, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from quizhub.api.bodies import Answers
from quizhub.api.cursors import (
    list_cursor,
    popular_cursor,
    read_list_cursor,
    read_popular_cursor,
    read_search_cursor,
    search_cursor,
)
from quizhub.api.deps import TestId, bindings
from quizhub.api.edges import StrictJSONRoute
from quizhub.api.errors import error_responses
from quizhub.api.images import IMAGE_CONTENT, PLACEHOLDER_SVG
from quizhub.api.responses import etag_matches, json_response
from quizhub.domain.document import IMAGE_KEY_PATTERN
from quizhub.edge.cdn import (
    COUNTS_CACHE_CONTROL,
    IMAGE_CACHE_CONTROL,
    LIST_CACHE_CONTROL,
    LIST_TAG,
    image_tags,
)
from quizhub.errors import Code, Invalid
from quizhub.errors.fields import field_error
from quizhub.reads.detail import published_detail, published_result
from quizhub.reads.health import health_report
from quizhub.reads.images import ImageFormatChoice, served_image
from quizhub.reads.listing import categories, published_tests, searched_tests, similar_to
from quizhub.reads.participation import public_stats
from quizhub.search.terms import MAX_QUERY_LENGTH
from quizhub.search.vectors import vector_side
from quizhub.store.tests import ListOrder

__all__ = ["router", "NOT_MODIFIED"]

router = APIRouter(
    route_class=StrictJSONRoute,
    prefix="/api",
    tags=["public"],
    responses=error_responses(422, 500, 503),
)
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "If-None-Match matched"}}
_NO_STORE = {"Cache-Control": "no-store"}
_LISTED = {"Cache-Control": LIST_CACHE_CONTROL, "Cache-Tag": LIST_TAG}


@router.get("/health", responses={503: {"description": "degraded: D1 does not answer"}})
async def health(request: Request) -> Response:
    """Liveness, the save mode in use, and whether D1 (the records) answers: 503 with
    ``degraded`` naming the cause when it does not, so a broken store never looks healthy."""
    body = await health_report(bindings(request))
    return json_response(body, status=200 if body["ok"] else 503, headers=_NO_STORE)


@router.get("/tests")
async def list_tests(
    request: Request,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="search: Korean keywords (bigrams) and meaning (vectors), fused",
        ),
    ] = None,
    tag: Annotated[str | None, Query(max_length=30)] = None,
    sort: Annotated[
        ListOrder | None,
        Query(
            description="the list's order (not with q): newest (최신순, by first publish; the"
            " default) or popular (인기순, by completed plays over the last 7 days)"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Published tests, newest first publish first (or ``sort=popular``); with ``q``, best
    match first (``X-Search-Mode``: hybrid, keyword, or none when nothing was found). Each
    item carries ``participants``, its completed plays."""
    b = bindings(request)
    if q and q.strip():  # a search cursor only: a list cursor here is a 422, and vice versa
        if sort is not None:
            raise _sort_with_search()
        offset = read_search_cursor(cursor) if cursor else 0
        side, q = vector_side(b), q.strip()
        found = await searched_tests(
            b.db, side, q, tag=tag or None, limit=limit, offset=offset, now_ms=b.clock_ms()
        )
        more = None if found.next_offset is None else search_cursor(found.next_offset)
        body = {"items": found.items, "nextCursor": more}
        return json_response(body, headers={**_LISTED, "X-Search-Mode": found.mode})
    order: ListOrder = sort or "newest"
    after: tuple[Any, ...] | None = None
    if cursor:  # each order reads its own kind of cursor only
        after = read_popular_cursor(cursor) if order == "popular" else read_list_cursor(cursor)
    page = await published_tests(
        b.db, sort=order, tag=tag or None, limit=limit, after=after, now_ms=b.clock_ms()
    )
    next_cursor = None
    if page.next_after is not None:
        at = page.next_after
        next_cursor = popular_cursor(*at) if order == "popular" else list_cursor(*at)
    return json_response({"items": page.items, "nextCursor": next_cursor}, headers=_LISTED)


def _sort_with_search() -> Invalid:
    msg = "sort orders the list; a search (q) is ordered by relevance: send one of them"
    detail = field_error(["query", "sort"], msg, Code.SORT_WITH_SEARCH)
    return Invalid(msg, code=Code.INVALID, details=[detail])


@router.get("/tests/{test_id}/stats", responses=error_responses(404))
async def participation_of_test(test_id: TestId, request: Request) -> Response:
    """A published test's public counts: ``participants`` (completed plays) and, per result
    reached, its ``share`` of them (most first). Read from D1, refreshed by every analytics
    batch; cacheable for a few seconds only (``Cache-Control``)."""
    data = await public_stats(bindings(request).db, test_id)
    return json_response(data, headers={"Cache-Control": COUNTS_CACHE_CONTROL})


@router.get("/tags")
async def list_tags(request: Request, limit: Annotated[int, Query(ge=1, le=50)] = 12) -> Response:
    """The tags of published tests, most used first: ``{"items": [{"tag", "tests"}]}`` (the
    home's category chips; ``GET /api/tests?tag=`` lists a category)."""
    items = await categories(bindings(request).db, limit)
    return json_response({"items": items}, headers=_LISTED)


@router.get("/tests/{test_id}/similar", responses=error_responses(404))
async def similar_tests(
    test_id: TestId, request: Request, limit: Annotated[int, Query(ge=1, le=20)] = 6
) -> Response:
    """비슷한 테스트: the published tests nearest in meaning (never the test itself)."""
    b = bindings(request)
    found = await similar_to(b.db, vector_side(b), test_id, limit)
    headers = {**_LISTED, "X-Search-Mode": found.mode}
    return json_response({"items": found.items}, headers=headers)


@router.get("/tests/{test_id}", responses={**NOT_MODIFIED, **error_responses(404)})
async def get_test(test_id: TestId, request: Request) -> Response:
    """A published test; ETag = its rev (If-None-Match → 304); edge-cached and tagged."""
    cached, source = await published_detail(bindings(request), test_id)
    headers = {**cached.headers, "x-quizhub-source": source}
    if etag_matches(request.headers.get("if-none-match"), headers.get("etag", "")):
        not_modified = {k: v for k, v in headers.items() if k != "content-type"}
        return Response(status_code=304, headers=not_modified)
    return Response(cached.body, status_code=200, headers=headers, media_type="application/json")


@router.post("/tests/{test_id}/compute", responses=error_responses(404, 413, 429))
async def compute(test_id: TestId, request: Request, payload: Answers) -> Response:
    """The result type for a full set of answers."""
    result = await published_result(bindings(request), test_id, payload.answers)
    return json_response(result, headers=_NO_STORE)


@router.get(
    "/images/{key}",
    response_class=Response,
    responses={200: IMAGE_CONTENT, **NOT_MODIFIED, **error_responses(404)},
)
async def get_image(
    key: Annotated[str, Path(pattern=IMAGE_KEY_PATTERN)],
    request: Request,
    w: Annotated[
        int | None,
        Query(ge=1, le=10_000, description="the width the page needs: the nearest variant"),
    ] = None,
    format: Annotated[
        ImageFormatChoice | None,
        Query(description="webp, or original (the fallback); default: by the Accept header"),
    ] = None,
) -> Response:
    """An image's variant nearest ``w`` pixels wide (the widest without ``w``), in WebP or in
    the original's format (by ``format``, else by the q-values of Accept: ``prefers_webp``); a
    placeholder until its variants exist. Never the original."""
    accept = request.headers.get("accept")
    b = bindings(request)
    image = await served_image(b.db, b.bucket, key, width=w, format=format, accept=accept)
    if image is None:  # uploaded, no variants yet (being processed, or failed: the admin shows)
        headers = {**_NO_STORE, "X-Image-Status": "pending", **_IMAGE_HEADERS}
        return Response(PLACEHOLDER_SVG, media_type="image/svg+xml", headers=headers)
    headers = {
        "ETag": image.etag,
        "Cache-Control": IMAGE_CACHE_CONTROL,
        "Cache-Tag": ",".join(image_tags(key)),
        **_IMAGE_HEADERS,
    }
    if format is None:  # the answer depends on Accept: caches must key on it
        headers["Vary"] = "Accept"
    if etag_matches(request.headers.get("if-none-match"), image.etag):
        return Response(status_code=304, headers=headers)
    return Response(image.body, media_type=image.media_type, headers=headers)


_IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}
