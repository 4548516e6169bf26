"""API Worker entry (thin): the live-status WebSocket upgrade, else guard, then the quizhub ASGI
app with ``scope["env"]`` = Bindings."""

from workers import WorkerEntrypoint, asgi

from quizhub.api.app import create_app
from quizhub.cloudflare.env import bindings_from_env
from quizhub.cloudflare.front import guarded_fetch
from quizhub.cloudflare.push import live_upgrade

# Built at module level so the deploy snapshot holds it (no rebuild in each cold isolate).
APP = create_app()


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        async def forward(raw_request, bindings):
            # asgi.fetch puts its `env` argument into scope["env"] untouched (workers/asgi.py).
            return await asgi.fetch(APP, raw_request, bindings, self.ctx)

        bindings = bindings_from_env(self.env)
        # The live-status WebSocket (ticket + Origin checked), handed to the test's Durable Object.
        upgraded = await live_upgrade(request, bindings)
        if upgraded is not None:
            return upgraded
        return await guarded_fetch(request, bindings, forward)
