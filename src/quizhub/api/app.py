"""The ASGI application. Bindings come from ``scope["env"]`` on both platforms."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from quizhub.api import admin, docs, events, pages, public, stats
from quizhub.api.edges import NoSniff
from quizhub.api.errors import install_error_handlers, with_error_schemas
from quizhub.api.head import HeadAsGet

__all__ = ["create_app"]


class QuizhubAPI(FastAPI):
    """FastAPI with the error components in its OpenAPI document (``error_responses`` refers to
    them; they are written when the document is first asked for, not at start-up)."""

    def openapi(self) -> dict[str, Any]:
        return with_error_schemas(super().openapi())


def create_app() -> FastAPI:
    """Build the app (no I/O; the API Worker builds it once at module level, so the deploy
    snapshot holds it). Auth and size limits run before it, in ``quizhub.edge.guard``."""
    app = QuizhubAPI(
        title="quizhub API",
        version="0.1.0",
        summary="Korean quiz site: public reads and asynchronous, durable admin saves",
        openapi_url="/api/openapi.json",
        docs_url=None,  # quizhub.api.docs serves it from our own assets
        redoc_url=None,
    )
    install_error_handlers(app)
    app.include_router(public.router)
    app.include_router(events.router)
    app.include_router(admin.router)
    app.include_router(stats.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    app.add_middleware(HeadAsGet)
    app.add_middleware(NoSniff)
    return app
