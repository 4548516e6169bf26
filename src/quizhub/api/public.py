"""Public read API: list/search, detail (Cache → KV → D1+R2), compute, images, health."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from quizhub.api.cursors import (
    list_cursor,
    read_list_cursor,
    read_search_cursor,
    search_cursor,
)
from quizhub.api.deps import TestId, bindings
from quizhub.api.edges import StrictJSONRoute
from quizhub.api.errors import error_responses
from quizhub.api.images import IMAGE_CONTENT, PLACEHOLDER_SVG
from quizhub.api.responses import etag_matches, json_response
from quizhub.bindings import Bindings
from quizhub.domain.compute import compute_result
from quizhub.domain.document import IMAGE_KEY_PATTERN
from quizhub.domain.images import format_of_ext, pick_variant, prefers_webp
from quizhub.edge.cdn import IMAGE_CACHE_CONTROL, LIST_CACHE_CONTROL, LIST_TAG, image_tags
from quizhub.errors import NotFound
from quizhub.reads import published_detail
from quizhub.search.service import search_page, similar
from quizhub.search.terms import MAX_QUERY_LENGTH
from quizhub.store.documents import read_published
from quizhub.store.images import ImagesRepo
from quizhub.store.keys import original_keys
from quizhub.store.tests import TestsRepo

__all__ = ["router", "Answers", "NOT_MODIFIED"]

router = APIRouter(
    route_class=StrictJSONRoute,
    prefix="/api",
    tags=["public"],
    responses=error_responses(422, 500, 503),
)
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "If-None-Match matched"}}


class Answers(BaseModel):
    """``{"answers": {questionId: optionId}}``: one option per question of the test."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"answers": {"q1": "a"}}]}
    )
    answers: dict[str, str] = Field(description="question id → the chosen option id")


@router.get("/health", responses={503: {"description": "degraded: D1 does not answer"}})
async def health(request: Request) -> Response:
    """Liveness, the save mode in use, and whether D1 (the records) answers: 503 with
    ``degraded`` naming the cause when it does not, so a broken store never looks healthy."""
    b = bindings(request)
    body: dict[str, Any] = {"ok": True, "saveMode": b.settings.save_mode}
    try:
        await TestsRepo(b.db).ping()
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health answer
        body |= {"ok": False, "degraded": [f"D1: {exc}"[:300]]}
        return json_response(body, status=503, headers={"Cache-Control": "no-store"})
    return json_response(body, headers={"Cache-Control": "no-store"})


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
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Published tests, newest first; with ``q``, best match first (``X-Search-Mode``)."""
    b = bindings(request)
    headers = {"Cache-Control": LIST_CACHE_CONTROL, "Cache-Tag": LIST_TAG}
    if q and q.strip():  # a search cursor only: a list cursor here is a 422, and vice versa
        offset = read_search_cursor(cursor) if cursor else 0
        found = await search_page(b, q.strip(), tag=tag or None, limit=limit, offset=offset)
        more = None if found.next_offset is None else search_cursor(found.next_offset)
        body = {"items": [_public(i) for i in found.items], "nextCursor": more}
        return json_response(body, headers={**headers, "X-Search-Mode": found.mode})
    after = read_list_cursor(cursor) if cursor else None
    items = await TestsRepo(b.db).list_public(tag=tag or None, limit=limit + 1, after=after)
    page = [_public(i) for i in items[:limit]]
    more = list_cursor(page[-1]["updatedAt"], page[-1]["id"]) if len(items) > limit else None
    return json_response({"items": page, "nextCursor": more}, headers=headers)


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "status"}


@router.get("/tests/{test_id}/similar", responses=error_responses(404))
async def similar_tests(
    test_id: TestId, request: Request, limit: Annotated[int, Query(ge=1, le=20)] = 6
) -> Response:
    """비슷한 테스트: the published tests nearest in meaning (never the test itself)."""
    found = await similar(bindings(request), test_id, limit)
    headers = {
        "Cache-Control": LIST_CACHE_CONTROL,
        "Cache-Tag": LIST_TAG,
        "X-Search-Mode": found.mode,
    }
    return json_response({"items": [_public(i) for i in found.items]}, headers=headers)


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
    b = bindings(request)
    doc, _ = await read_published(
        TestsRepo(b.db), b.bucket, b.kv, test_id, b.settings.kv_ttl_seconds
    )
    return json_response(
        compute_result(doc, payload.answers), headers={"Cache-Control": "no-store"}
    )


ImageFormatChoice = Literal["webp", "original"]


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
    b = bindings(request)
    variants = await ImagesRepo(b.db).variants(key)
    if not variants:
        return await _placeholder(b, key)
    original = format_of_ext(key.rpartition(".")[2])
    webp = format == "webp" if format else prefers_webp(request.headers.get("accept"), original)
    variant = pick_variant(variants, width=w, webp=webp)
    obj = await b.bucket.get(variant.object_key)
    if obj is None:
        raise NotFound(f"image '{key}' has lost its {variant.width} px variant")
    headers = {
        "ETag": obj.http_etag,
        "Cache-Control": IMAGE_CACHE_CONTROL,
        "Cache-Tag": ",".join(image_tags(key)),
        **_IMAGE_HEADERS,
    }
    if format is None:  # the answer depends on Accept: caches must key on it
        headers["Vary"] = "Accept"
    if etag_matches(request.headers.get("if-none-match"), obj.http_etag):
        return Response(status_code=304, headers=headers)
    return Response(obj.body, media_type=variant.media_type, headers=headers)


_IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}


async def _placeholder(b: Bindings, key: str) -> Response:
    """The placeholder for an image that was uploaded but has no variants (being processed, or
    failed: the admin shows why); 404 for a key that was never uploaded."""
    staged, legacy = original_keys(key)
    known = await b.bucket.head(staged) or await b.bucket.head(legacy)
    if known is None:
        raise NotFound(f"image '{key}' does not exist")
    headers = {"Cache-Control": "no-store", "X-Image-Status": "pending", **_IMAGE_HEADERS}
    return Response(PLACEHOLDER_SVG, media_type="image/svg+xml", headers=headers)
