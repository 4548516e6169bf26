"""Delivery ports: Queues (producer, messages, batches) and Workflows (instances, steps)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol, get_args

__all__ = [
    "QueueProducer",
    "QueueMessage",
    "MessageBatch",
    "InstanceStatus",
    "INSTANCE_STATUSES",
    "FINITE_STATUSES",
    "WorkflowInstance",
    "WorkflowBinding",
    "WorkflowStep",
    "StepCallable",
]


# ---------------------------------------------------------------- Queues
class QueueProducer(Protocol):
    async def send(self, body: Any, *, content_type: str = "json", delay_seconds: int = 0) -> None:
        """Durably enqueue ``body`` (JSON-serialisable); resolves once it is stored."""
        ...

    async def send_batch(self, messages: list[dict[str, Any]]) -> None:
        """Each item: ``{"body": …, "content_type"?: str, "delay_seconds"?: int}``."""
        ...


class QueueMessage(Protocol):
    """One delivered message (consumer side)."""

    @property
    def id(self) -> str: ...

    @property
    def body(self) -> Any: ...

    @property
    def attempts(self) -> int:
        """1 on first delivery."""
        ...

    def ack(self) -> None: ...

    def retry(self, *, delay_seconds: int | None = None) -> None: ...


class MessageBatch(Protocol):
    @property
    def queue(self) -> str: ...

    @property
    def messages(self) -> Sequence[QueueMessage]: ...

    def ack_all(self) -> None: ...

    def retry_all(self, *, delay_seconds: int | None = None) -> None: ...


# ---------------------------------------------------------------- Workflows
InstanceStatus = Literal[
    "queued",
    "running",
    "paused",
    "errored",
    "terminated",
    "complete",
    "waiting",
    "waitingForPause",
    "unknown",
]
INSTANCE_STATUSES: tuple[str, ...] = get_args(InstanceStatus)
# Statuses an instance never leaves.
FINITE_STATUSES = frozenset({"complete", "errored", "terminated"})


class WorkflowInstance(Protocol):
    """A handle on one instance (``await binding.create(...)`` / ``get(id)``)."""

    @property
    def id(self) -> str: ...

    async def status(self) -> dict[str, Any]:
        """``{"status": InstanceStatus, "output": Any, "error": {"name", "message"} | None}``."""
        ...


class WorkflowBinding(Protocol):
    """A Workflow binding (``env.SAVE_WF``): ``create({"id", "params"})`` / ``get(id)``.

    Instances are retained for days only, so the job row in D1 stays the record of a save.
    """

    async def create(self, *, id: str, params: dict[str, Any]) -> WorkflowInstance:
        """Start an instance; raises ``quizhub.errors.WorkflowAlreadyExists`` for a taken id."""
        ...

    async def get(self, id: str) -> WorkflowInstance:
        """An existing instance; raises ``quizhub.errors.WorkflowNotFound``."""
        ...


# A step body; its parameters name earlier steps (implicit dependencies) or ``ctx``.
StepCallable = Callable[..., Awaitable[Any]]


class WorkflowStep(Protocol):
    """The ``step`` a Workflow's ``run(event, step)`` receives (the implicit-dependency API,
    docs/architecture.md#workflows-rules).

    ``step.do(name, config=…)`` decorates a step body; awaiting the result (with no arguments)
    runs the step once, memoised by ``name``, retried by ``config``.
    """

    def do(
        self, name: str, *, concurrent: bool = False, config: dict[str, Any] | None = None
    ) -> Callable[[StepCallable], Callable[[], Awaitable[Any]]]: ...
