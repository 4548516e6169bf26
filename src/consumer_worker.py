"""Consumer Worker entry (thin): queue batches, dead letters and the stuck-job sweep."""

from workers import WorkerEntrypoint

from quizhub.cloudflare.env import bindings_from_env
from quizhub.cloudflare.queue import wrap_batch
from quizhub.pipeline import consumer

# The Workflow class this Worker defines (wrangler.consumer.toml [[workflows]]).
from workflow import SaveTestWorkflow  # noqa: F401


class Default(WorkerEntrypoint):
    # The runtime may also pass env/ctx positionally (None for class entrypoints): use self.env.
    async def queue(self, batch, env=None, ctx=None):
        await consumer.handle_queue(wrap_batch(batch), bindings_from_env(self.env))

    async def scheduled(self, controller, env=None, ctx=None):
        await consumer.sweep_stuck_jobs(bindings_from_env(self.env))
