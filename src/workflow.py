"""Workflow entry (thin): SaveTestWorkflow.run → quizhub.pipeline.workflow.run_save_workflow."""

from workers import WorkflowEntrypoint
from workers.workflows import NonRetryableError

from quizhub.cloudflare.env import bindings_from_env
from quizhub.pipeline.workflow import run_save_workflow


class SaveTestWorkflow(WorkflowEntrypoint):
    async def run(self, event, step):
        return await run_save_workflow(event, step, bindings_from_env(self.env), NonRetryableError)
