"""``env.SAVE_WF`` (a Workflow binding) as the ``WorkflowBinding`` port."""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import from_js, to_js, unwrap

__all__ = ["WorkflowAdapter", "WorkflowInstanceAdapter"]


class WorkflowInstanceAdapter:
    """One instance: ``id`` and ``status()`` → ``{"status", "output", "error"}``."""

    def __init__(self, instance: Any) -> None:
        self._instance = instance
        self.id = str(instance.id)

    async def status(self) -> dict[str, Any]:
        """The engine's view of the instance (retained for days only: jobs live in D1)."""
        value = from_js(await self._instance.status())
        return dict(value) if isinstance(value, dict) else {"status": "unknown"}


class WorkflowAdapter:
    """``create({id, params})`` throws when the id exists; ``get(id)`` finds an instance."""

    def __init__(self, binding: Any) -> None:
        self._binding = unwrap(binding)

    async def create(self, *, id: str, params: dict[str, Any]) -> WorkflowInstanceAdapter:
        """Start an instance with a caller-chosen id (the jobId)."""
        return WorkflowInstanceAdapter(
            await self._binding.create(to_js({"id": id, "params": params}))
        )

    async def get(self, id: str) -> WorkflowInstanceAdapter:
        """An existing instance by id."""
        return WorkflowInstanceAdapter(await self._binding.get(id))
