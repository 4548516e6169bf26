"""``env.SAVE_WF`` (a Workflow binding) as the ``WorkflowBinding`` port."""

from __future__ import annotations

from typing import Any

from quizhub.cloudflare._ffi import from_js, to_js, unwrap
from quizhub.errors import WorkflowAlreadyExists, WorkflowNotFound

__all__ = ["WorkflowAdapter", "WorkflowInstanceAdapter", "is_already_exists", "is_not_found"]


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__} {exc}".lower().replace("_", " ")


def is_already_exists(exc: BaseException) -> bool:
    """The JS error ``create`` throws for a taken id (workerd: "instance.already_exists")."""
    text = _error_text(exc)
    return "already exists" in text or "alreadyexists" in text


def is_not_found(exc: BaseException) -> bool:
    """The JS error ``get`` throws for an unknown id (workerd: "instance.not_found")."""
    text = _error_text(exc)
    return "not found" in text or "notfound" in text


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
    """``env.SAVE_WF`` with the port's typed errors for taken and unknown ids."""

    def __init__(self, binding: Any) -> None:
        self._binding = unwrap(binding)

    async def create(self, *, id: str, params: dict[str, Any]) -> WorkflowInstanceAdapter:
        """Start an instance with a caller-chosen id (the jobId); WorkflowAlreadyExists if taken."""
        try:
            instance = await self._binding.create(to_js({"id": id, "params": params}))
        except Exception as exc:
            if is_already_exists(exc):
                raise WorkflowAlreadyExists(str(exc)) from exc
            raise
        return WorkflowInstanceAdapter(instance)

    async def get(self, id: str) -> WorkflowInstanceAdapter:
        """An existing instance by id; WorkflowNotFound when there is none."""
        try:
            instance = await self._binding.get(id)
        except Exception as exc:
            if is_not_found(exc):
                raise WorkflowNotFound(str(exc)) from exc
            raise
        return WorkflowInstanceAdapter(instance)
