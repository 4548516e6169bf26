"""Hosting the app locally: the dev server (API + consumers + static site on one port), the
Workers-like front door, static assets with ``_headers``, demo content and ``.dev.vars``.

Modules are private; this package's names are the interface.
"""

from quizhub.local.host._devvars import ensure_admin_token, read_dev_vars
from quizhub.local.host._gateway import Gateway
from quizhub.local.host._seed import DEMO_FILE, seed_demo_tests
from quizhub.local.host._static import StaticSite, parse_headers_file

__all__ = [
    "DEMO_FILE",
    "Gateway",
    "StaticSite",
    "ensure_admin_token",
    "parse_headers_file",
    "read_dev_vars",
    "seed_demo_tests",
]
