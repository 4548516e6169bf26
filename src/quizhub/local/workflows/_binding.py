"""Workflow bindings of the local platform: ``env.SAVE_WF`` and its instance handles."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quizhub.local.workflows._engine import LocalWorkflowEngine

__all__ = ["LocalWorkflowBinding", "LocalWorkflowInstance"]


class LocalWorkflowInstance:
    """A handle on one instance (``WorkflowInstance`` port)."""

    def __init__(self, engine: LocalWorkflowEngine, workflow: str, instance_id: str) -> None:
        self._engine = engine
        self._workflow = workflow
        self.id = instance_id

    async def status(self) -> dict[str, Any]:
        """``{"status", "output", "error"}`` as the engine last recorded it."""
        return self._engine.status(self._workflow, self.id)

    async def terminate(self) -> None:
        """Terminate the instance (RuntimeError when it already finished)."""
        self._engine.terminate(self._workflow, self.id)


class LocalWorkflowBinding:
    """``env.SAVE_WF`` locally: create/get instances of one workflow (``WorkflowBinding``)."""

    def __init__(self, engine: LocalWorkflowEngine, name: str) -> None:
        self.engine = engine
        self.name = name

    async def create(
        self, *, id: str | None = None, params: dict[str, Any] | None = None
    ) -> LocalWorkflowInstance:
        """Start an instance (random id when none is given); raises WorkflowAlreadyExists."""
        instance_id = uuid.uuid4().hex if id is None else id
        self.engine.create(self.name, instance_id, params)
        return LocalWorkflowInstance(self.engine, self.name, instance_id)

    async def get(self, id: str) -> LocalWorkflowInstance:
        """An existing instance; raises WorkflowNotFound."""
        self.engine.status(self.name, id)
        return LocalWorkflowInstance(self.engine, self.name, id)
