"""``GET /api/docs``: the interactive API docs, working offline.

Swagger UI's assets are ours (``public/docs/``: the pinned ``swagger-ui-dist`` files that
``scripts/docs-assets.py`` fetches, and our ``init.js``), served as static files by both
platforms, so the page loads nothing from a CDN and runs under a CSP that allows only our own
origin. The HTML holds no inline script (the CSP could not allow one without a hash to keep in
step); Swagger UI sets inline ``style`` attributes, hence ``style-src 'unsafe-inline'``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["router", "DOCS_PATH", "ASSETS", "CSP"]

DOCS_PATH = "/api/docs"
ASSETS = "/docs"  # public/docs/: init.js and vendor/ (scripts/docs-assets.py)
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>quizhub API</title>
<link rel="stylesheet" href="{ASSETS}/vendor/swagger-ui.css">
<link rel="icon" href="{ASSETS}/vendor/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/vendor/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/init.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
async def docs() -> HTMLResponse:
    """The docs page (no-store: it is tiny, and a stale copy could point at old assets)."""
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
    return HTMLResponse(_PAGE, headers=headers)
