"""The local static site serves ``public/`` as Workers static assets do: config files and dot
files are never served, however the path is spelled, and ``_headers`` rules apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from quizhub.local.host._static import StaticSite
from quizhub.local.platform import ROOT


@pytest.fixture(scope="module")
def site() -> TestClient:
    return TestClient(StaticSite(ROOT / "public"))


@pytest.mark.parametrize(
    "path",
    [
        "/_headers",
        "/_headers/",
        "/_redirects/",
        "/admin/../_headers/",
        "/.well-known/",
        "/admin/.hidden/",
    ],
)
def test_config_and_dot_files_are_404_with_or_without_a_trailing_slash(
    site: TestClient, path: str
) -> None:
    """``GET /_headers/`` once served the headers file itself."""
    r = site.get(path)
    assert r.status_code == 404, (path, r.text[:200])
    assert "static-assets/headers" not in r.text  # the headers file's own first line


def test_pages_are_served_with_the_headers_file_rules(site: TestClient) -> None:
    """The rules of ``_headers`` reach the pages they match."""
    r = site.get("/")
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_the_draft_preview_page_may_be_framed_by_the_site_alone(site: TestClient) -> None:
    """Its rule detaches the site-wide frame refusal and sets its own: one policy, not two."""
    r = site.get("/admin/preview/draft/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert csp.endswith("frame-ancestors 'self'") and "frame-ancestors 'none'" not in csp
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    assert r.headers["cache-control"] == "no-store"  # /admin/*'s still apply
    other = site.get("/admin/preview/")
    assert other.headers["content-security-policy"].endswith("frame-ancestors 'none'")
    assert other.headers["x-frame-options"] == "DENY"


def test_headers_of_several_rules_are_joined_unless_one_detaches_them(tmp_path: Path) -> None:
    """As on Workers: a header two matching rules set is sent once with both values; a
    ``! Name`` line drops the other rules' values of that header, keeping its own rule's."""
    (tmp_path / "_headers").write_text(
        "/*\n  X-One: a\n  X-Two: a\n  X-Three: a\n"
        "/page/*\n  X-One: b\n  ! X-Two\n  ! X-Three\n  X-Three: b\n",
        encoding="utf-8",
    )
    rules = StaticSite(tmp_path)
    assert rules.headers_for("/page/") == {"X-One": "a, b", "X-Three": "b"}
    assert rules.headers_for("/other") == {"X-One": "a", "X-Two": "a", "X-Three": "a"}
