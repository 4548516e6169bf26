"""The ASGI app (FastAPI): routes and the one place domain errors become HTTP."""
