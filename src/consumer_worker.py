"""Consumer Worker entry (thin): queue batches, dead letters and the stuck-job sweep."""

from workers import WorkerEntrypoint

from quizhub.cloudflare.env import bindings_from_env
from quizhub.cloudflare.queue import wrap_batch
from quizhub.pipeline import consumer

# The Workflow class this Worker defines (wrangler.consumer.toml [[workflows]]).
from workflow import SaveTestWorkflow  # noqa: F401

SAVE_QUEUE = "quizhub-save"
DEAD_LETTER_QUEUE = "quizhub-save-dlq"


class Default(WorkerEntrypoint):
    # The runtime may also pass env/ctx positionally (None for class entrypoints): use self.env.
    async def queue(self, batch, env=None, ctx=None):
        wrapped = wrap_batch(batch)
        bindings = bindings_from_env(self.env)
        if wrapped.queue == SAVE_QUEUE:
            await consumer.handle_batch(wrapped, bindings)
        elif wrapped.queue == DEAD_LETTER_QUEUE:
            await consumer.handle_dlq_batch(wrapped, bindings)
        else:
            raise RuntimeError(f"no handler for queue {wrapped.queue!r}")

    async def scheduled(self, controller, env=None, ctx=None):
        await consumer.sweep_stuck_jobs(bindings_from_env(self.env))
