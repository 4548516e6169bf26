"""The local static site serves ``public/`` as Workers static assets do: config files and dot
files are never served, however the path is spelled, and ``_headers`` rules apply."""

from __future__ import annotations

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
