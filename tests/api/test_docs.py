"""/api/docs is served by us: no CDN URL in the page, a CSP that allows only our origin, and
every asset it references exists in public/ (fetched by scripts/docs-assets.py)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.conftest import Api

PUBLIC = Path(__file__).resolve().parents[2] / "public"


def test_the_docs_page_loads_only_our_own_assets(api: Api) -> None:
    r = api.client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "<script>" not in r.text  # no inline script for the CSP to allow
    missing = [u for u in urls if not (PUBLIC / u.lstrip("/")).is_file()]
    assert missing == [], f"run `python3 scripts/docs-assets.py` (make install does): {missing}"
