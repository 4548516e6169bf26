"""Workflow entry (thin): SaveTestWorkflow.run → quizhub.pipeline.workflow.run_save_workflow.

The event and the step come from the runtime (the SDK converts the event and wraps the step):
typed ``Any``, as in quizhub.cloudflare."""

from __future__ import annotations

from typing import Any

from workers import WorkflowEntrypoint
from workers.workflows import NonRetryableError

from quizhub.cloudflare.env import bindings_from_env
from quizhub.pipeline.workflow import run_save_workflow


class SaveTestWorkflow(WorkflowEntrypoint):
    async def run(self, event: Any, step: Any) -> dict[str, Any]:
        return await run_save_workflow(event, step, bindings_from_env(self.env), NonRetryableError)
