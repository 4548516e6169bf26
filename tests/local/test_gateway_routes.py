"""The local front door routes like the API Worker's ``run_worker_first``: the paths of
``quizhub.edge.cdn.WORKER_FIRST`` reach the app, every other path the static site."""

from __future__ import annotations

from typing import Any

import pytest

from quizhub.local.host import Gateway
from tests.fakes import run


def _route(path: str) -> str:
    """Which of the two apps the Gateway hands ``path`` to."""
    seen: list[str] = []

    def app(name: str) -> Any:
        async def call(scope: Any, receive: Any, send: Any) -> None:
            seen.append(name)

        return call

    scope = {"type": "http", "method": "GET", "path": path}
    run(Gateway(app("worker"), app("static"))(scope, None, None))
    [where] = seen
    return where


@pytest.mark.parametrize(
    "path",
    [
        "/api/tests",
        "/t/travel",
        "/t/travel/r/planner",
        "/t/travel.xml",
        "/test/",
        "/cards/" + "0" * 32 + ".png",
        "/robots.txt",
        "/sitemap.xml",
    ],
)
def test_the_workers_paths_reach_the_app(path: str) -> None:
    """The API, the pages, the old address, the cards, robots.txt and the sitemap."""
    assert _route(path) == "worker"


@pytest.mark.parametrize(
    "path", ["/", "/assets/test.js", "/admin/", "/admin/preview/", "/tests", "/robots.txt.bak"]
)
def test_everything_else_is_a_static_file(path: str) -> None:
    """Static pages and assets, and names that only look like the Worker's."""
    assert _route(path) == "static"
