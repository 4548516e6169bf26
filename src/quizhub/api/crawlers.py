"""What crawlers read: ``robots.txt`` (the admin and the API are off limits) and the sitemaps
(an index of one sitemap per published test, each listing the test's page and its results'
pages with their last modification)."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from quizhub.edge.cdn import SITEMAP_PATH, result_page_path, test_page_path
from quizhub.reads.pages import PageBundle

__all__ = ["robots_txt", "sitemap_index", "test_sitemap", "test_sitemap_path", "DISALLOWED"]

# Paths crawlers must not fetch: the admin UI (its pages answer nothing useful without a token)
# and the whole JSON API (pages and cards are outside it).
DISALLOWED = ("/admin/", "/api/")
_XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def robots_txt(origin: str) -> bytes:
    """robots.txt: everything but ``DISALLOWED``, and where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in DISALLOWED), "Allow: /", ""]
    lines.append(f"Sitemap: {origin.rstrip('/')}{SITEMAP_PATH}")
    return ("\n".join(lines) + "\n").encode()


def test_sitemap_path(test_id: str) -> str:
    """One test's sitemap: beside its page (``/t/``), so every URL it lists is under its
    directory, as the sitemap protocol requires of the URLs a sitemap lists."""
    return f"/t/{test_id}.xml"


def sitemap_index(origin: str, entries: Iterable[tuple[str, str]]) -> bytes:
    """``/sitemap.xml``: one ``<sitemap>`` per published test, with its last modification."""
    base = origin.rstrip("/")
    items = "".join(
        f"<sitemap><loc>{escape(base + test_sitemap_path(test_id))}</loc>"
        f"<lastmod>{escape(updated_at)}</lastmod></sitemap>"
        for test_id, updated_at in entries
    )
    return _xml(f'<sitemapindex xmlns="{_XMLNS}">{items}</sitemapindex>')


def test_sitemap(origin: str, bundle: PageBundle) -> bytes:
    """A test's sitemap: its page and each result's page, modified when the test last was."""
    base = origin.rstrip("/")
    paths = [test_page_path(bundle.test_id)]
    paths += [result_page_path(bundle.test_id, r.id) for r in bundle.results]
    items = "".join(
        f"<url><loc>{escape(base + p)}</loc><lastmod>{escape(bundle.updated_at)}</lastmod></url>"
        for p in paths
    )
    return _xml(f'<urlset xmlns="{_XMLNS}">{items}</urlset>')


def _xml(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()
