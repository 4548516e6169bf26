"""The public pages outside ``/api/``: a test's address ``/t/{id}``, a result's address
``/t/{id}/r/{resultId}``, the cards, ``robots.txt`` and the sitemaps, and the old player
address ``/test/?id=`` (301 to the new one). Routes only map HTTP to ``quizhub.reads.pages``;
a missing test, result or card is ``NotFound``, which ``quizhub.api.errors`` answers with the
HTML 404 page on these paths. Not part of the OpenAPI document (they are pages, not the API).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from quizhub.api.crawlers import robots_txt, sitemap_index, test_sitemap
from quizhub.api.deps import bindings
from quizhub.api.page_html import page_csp, render_page
from quizhub.api.responses import etag_matches
from quizhub.bindings import Bindings
from quizhub.domain.cards import CARD_HASH_PATTERN
from quizhub.domain.ids import is_test_id
from quizhub.edge.cdn import (
    CARD_CACHE_CONTROL,
    LIST_TAG,
    card_path,
    page_cache_control,
    tags_for_test,
    test_page_path,
)
from quizhub.errors import Code, NotFound
from quizhub.reads.pages import Page, current_card, page_bundle, public_page, sitemap_entries
from quizhub.store.keys import card_key

__all__ = ["router", "PREVIEW_PATH", "PAGE_HEADERS"]

router = APIRouter(include_in_schema=False)
# The admin's preview of a document (drafts too): the player's static shell under /admin/.
PREVIEW_PATH = "/admin/preview/"
# What every page answer carries besides its CSP (public/_headers gives static files the same).
PAGE_HEADERS = {
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
_CARD = re.compile(CARD_HASH_PATTERN)
_HTML = "text/html; charset=utf-8"


@router.get("/t/{test_id}.xml")
async def test_sitemap_xml(test_id: str, request: Request) -> Response:
    """One published test's sitemap: its page and its results' pages."""
    b = bindings(request)
    if not is_test_id(test_id):
        raise _no_page(request.url.path)
    bundle = await page_bundle(b, test_id)
    headers = _cached(b, tags_for_test(test_id), complete=True)
    return Response(test_sitemap(b.settings.public_origin, bundle), 200, headers, "application/xml")


@router.get("/t/{test_id}/card.png")
async def test_card(test_id: str, request: Request) -> Response:
    """The published test's current card (the public list's thumbnail fallback)."""
    b = bindings(request)
    png = await current_card(b, test_id)
    if png is None:
        message = f"test '{test_id}' has no card yet"
        raise NotFound(message, code=Code.CARD_NOT_FOUND, params={"path": request.url.path})
    headers = _cached(b, tags_for_test(test_id), complete=True)
    return Response(png, 200, headers, "image/png")


@router.get("/t/{test_id}")
async def test_address(test_id: str, request: Request) -> Response:
    """A published test's page: meta tags and its first view, then the player."""
    return await _page(request, await public_page(bindings(request), test_id))


@router.get("/t/{test_id}/r/{result_id}")
async def result_address(test_id: str, result_id: str, request: Request) -> Response:
    """One result's page (the address players share): its card, then the result, 나도 해보기."""
    return await _page(request, await public_page(bindings(request), test_id, result_id))


@router.get("/t/{rest:path}")
async def no_such_page(rest: str, request: Request) -> Response:
    """Any other address under /t/: the 404 page."""
    raise _no_page(request.url.path)


async def _page(request: Request, page: Page) -> Response:
    b = bindings(request)
    kakao = bool(b.settings.kakao_js_key)
    etag = f'"{page.bundle.rev}-{"c" if page.card else "n"}{"k" if kakao else "n"}"'
    headers = {
        **_cached(b, tags_for_test(page.bundle.test_id), complete=page.bundle.cards is not None),
        **PAGE_HEADERS,
        "Content-Security-Policy": page_csp(kakao=kakao),
        "ETag": etag,
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(render_page(page, b.settings), 200, headers, _HTML)


@router.get("/cards/{name}")
async def card(name: str, request: Request) -> Response:
    """A preview card by its hash (immutable: cached for a year everywhere)."""
    card_hash = name.removesuffix(".png")
    if name == card_hash or not _CARD.fullmatch(card_hash):
        message = f"no card at {request.url.path}"
        raise NotFound(message, code=Code.CARD_NOT_FOUND, params={"path": request.url.path})
    obj = await bindings(request).bucket.get(card_key(card_hash))
    if obj is None:
        path = card_path(card_hash)
        raise NotFound(f"no card at {path}", code=Code.CARD_NOT_FOUND, params={"path": path})
    headers = {"Cache-Control": CARD_CACHE_CONTROL, "ETag": f'"{card_hash}"'}
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(obj.body, 200, headers, "image/png")


@router.get("/robots.txt")
async def robots(request: Request) -> Response:
    """Crawlers: everything but the admin and the API; where the sitemap is."""
    b = bindings(request)
    headers = _cached(b, [LIST_TAG], complete=True)
    return Response(robots_txt(b.settings.public_origin), 200, headers, "text/plain; charset=utf-8")


@router.get("/sitemap.xml")
async def sitemap(request: Request) -> Response:
    """The sitemap index: one sitemap per published test, with its last modification."""
    b = bindings(request)
    entries = await sitemap_entries(b)
    headers = _cached(b, [LIST_TAG], complete=True)
    return Response(
        sitemap_index(b.settings.public_origin, entries), 200, headers, "application/xml"
    )


@router.get("/test/{rest:path}")
async def old_player_address(rest: str, request: Request) -> Response:
    """The player's old address: ``/test/?id=X`` moved to ``/t/X`` for good (301); a preview
    (``&preview=1``) to the admin's preview page."""
    query = request.query_params
    test_id = query.get("id", "")
    if rest not in ("", "index.html") or not is_test_id(test_id):
        raise _no_page(request.url.path)
    if query.get("preview") == "1":
        return RedirectResponse(f"{PREVIEW_PATH}?{urlencode(list(query.multi_items()))}", 301)
    return RedirectResponse(
        test_page_path(test_id), 301, {"Cache-Control": "public, max-age=86400"}
    )


def _cached(b: Bindings, tags: list[str], *, complete: bool) -> dict[str, str]:
    return {
        "Cache-Control": page_cache_control(b.settings, complete=complete),
        "Cache-Tag": ",".join(tags),
    }


def _no_page(path: str) -> NotFound:
    """The 404 of an address under the site's pages that names nothing."""
    return NotFound(f"no page at {path}", code=Code.PAGE_NOT_FOUND, params={"path": path})
