"""/api/docs works offline: Swagger UI renders our OpenAPI document from our own assets, under
the page's CSP, with every request to another origin blocked (no CDN to fall back on)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def test_the_api_docs_render_with_no_other_origin_reachable(page: Any, server: str) -> None:
    ours = urlsplit(server).netloc
    elsewhere: list[str] = []

    def only_ours(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_ours)
    response = page.goto("/api/docs")
    assert (
        response.status == 200
        and "default-src 'none'" in response.headers["content-security-policy"]
    )
    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "quizhub API" in title.inner_text()
    page.locator(".opblock-summary-path", has_text="/api/admin/tests/{test_id}").first.wait_for()
    assert elsewhere == []
