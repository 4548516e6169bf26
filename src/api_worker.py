"""API Worker entry (thin): every request -> the quizhub ASGI app, ``scope["env"]`` = Bindings."""

from workers import WorkerEntrypoint, asgi

from quizhub.api.app import create_app
from quizhub.cloudflare.env import bindings_from_env

_app = None


def _get_app():
    # Built on the first request, once per isolate (imports above land in the deploy snapshot).
    global _app
    if _app is None:
        _app = create_app()
    return _app


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        # asgi.fetch puts its `env` argument into scope["env"] untouched (workers/asgi.py).
        return await asgi.fetch(_get_app(), request, bindings_from_env(self.env), self.ctx)
