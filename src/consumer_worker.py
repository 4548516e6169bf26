"""Consumer Worker entry (thin): queue batches, dead letters and the stuck-job sweep; hosts the
SaveTestWorkflow and the LiveStatus Durable Object.

What the runtime passes (batches, requests, sockets, messages, ``env``, ``ctx``) are JS objects
behind Pyodide's FFI: typed ``Any``, as in quizhub.cloudflare."""

from __future__ import annotations

from typing import Any

from workers import DurableObject, WorkerEntrypoint

from quizhub.cloudflare.env import bindings_from_env
from quizhub.cloudflare.push import answer_pings_asleep, object_close, object_fetch, object_message
from quizhub.cloudflare.queue import wrap_batch
from quizhub.pipeline import consumer

# The Workflow class this Worker defines (wrangler.consumer.toml [[workflows]]).
from workflow import SaveTestWorkflow  # noqa: F401


class Default(WorkerEntrypoint):
    # The runtime may also pass env/ctx positionally (None for class entrypoints): use self.env.
    async def queue(self, batch: Any, env: Any = None, ctx: Any = None) -> None:
        await consumer.handle_queue(wrap_batch(batch), bindings_from_env(self.env))

    async def scheduled(self, controller: Any, env: Any = None, ctx: Any = None) -> None:
        await consumer.sweep_stuck_jobs(bindings_from_env(self.env))


class LiveStatus(DurableObject):
    """One per test (wrangler.consumer.toml [[durable_objects.bindings]] LIVE_STATUS; the API
    Worker binds it by script_name, so this Worker deploys first): the editors' WebSockets,
    kept by the hibernation API, and the job transitions the pipeline posts to them."""

    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        answer_pings_asleep(self.ctx)

    async def fetch(self, request: Any) -> Any:
        return await object_fetch(self.ctx, request)

    async def webSocketMessage(self, ws: Any, message: Any) -> None:
        object_message(ws, message)

    async def webSocketClose(self, ws: Any, code: int, reason: str, was_clean: bool) -> None:
        object_close(self.ctx, ws, code, reason)
