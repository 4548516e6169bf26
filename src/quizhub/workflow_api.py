"""Platform-neutral Workflows pieces: the binding ports, their errors, ids and durations.

Importable everywhere (CPython and Pyodide, no pydantic, no platform imports). The shapes follow
Cloudflare Workflows (reference §2): ``await env.SAVE_WF.create({"id", "params"})``,
``await env.SAVE_WF.get(id)``, ``await instance.status()`` → ``{"status", "output", "error"}``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal, Protocol, get_args

__all__ = [
    "NonRetryableError",
    "WorkflowAlreadyExists",
    "WorkflowNotFound",
    "InstanceStatus",
    "INSTANCE_STATUSES",
    "FINITE_STATUSES",
    "MAX_INSTANCE_ID_LENGTH",
    "WorkflowInstance",
    "WorkflowBinding",
    "check_instance_id",
    "parse_duration",
]


class NonRetryableError(Exception):
    """A step (or run) error that must not be retried; the local ``workers.workflows`` twin.

    On Cloudflare the SDK recognises a step error by its class NAME (``workflows.js`` checks
    ``PythonError.type == "NonRetryableError"``), so raising this class there works as well.
    """


class WorkflowAlreadyExists(Exception):
    """``create`` with an id that an instance of that workflow already has."""


class WorkflowNotFound(LookupError):
    """``get`` of an id that no instance of that workflow has."""


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

MAX_INSTANCE_ID_LENGTH = 64
_ID = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]*")


class WorkflowInstance(Protocol):
    """A handle on one instance (``await binding.create(...)`` / ``get(id)``)."""

    @property
    def id(self) -> str: ...

    async def status(self) -> dict[str, Any]:
        """``{"status": InstanceStatus, "output": Any, "error": {"name", "message"} | None}``."""
        ...


class WorkflowBinding(Protocol):
    """A Workflow binding (``env.SAVE_WF``) with Python values."""

    async def create(self, *, id: str, params: dict[str, Any]) -> WorkflowInstance:
        """Start an instance; raises when an instance with ``id`` already exists."""
        ...

    async def get(self, id: str) -> WorkflowInstance:
        """An existing instance by id."""
        ...


def check_instance_id(instance_id: Any) -> str:
    """``instance_id`` if it is a valid instance id (≤ 64 chars of ``[A-Za-z0-9_-]``)."""
    if not isinstance(instance_id, str):
        raise TypeError("a workflow instance id must be a str")
    if len(instance_id) > MAX_INSTANCE_ID_LENGTH or not _ID.fullmatch(instance_id):
        raise ValueError(
            f"invalid workflow instance id {instance_id!r}: at most {MAX_INSTANCE_ID_LENGTH}"
            " characters matching ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$"
        )
    return instance_id


_SECOND = 1000
_DAY = 86_400 * _SECOND
# The units of Cloudflare's WorkflowDurationLabel (itty-time values: month = 30 d, year = 365.25 d).
_UNITS: dict[str, float] = {
    "ms": 1,
    "millisecond": 1,
    "second": _SECOND,
    "minute": 60 * _SECOND,
    "hour": 3600 * _SECOND,
    "day": _DAY,
    "week": 7 * _DAY,
    "month": 30 * _DAY,
    "year": 365.25 * _DAY,
}
_DURATION = re.compile(r"(\d+(?:\.\d+)?|\.\d+) +([a-z]+)")


def parse_duration(value: str | int | float) -> int:
    """Milliseconds of a Workflows duration: ``"2 seconds"``, ``"1 minute"``, ``"10 minutes"``, ms.

    Accepts what Cloudflare documents: a number of milliseconds, or ``"<number> <unit>[s]"``
    with unit second, minute, hour, day, week, month or year (also ``ms``/``millisecond``).
    Unlike Cloudflare's parser, an unknown unit raises instead of silently meaning milliseconds.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"a duration must be a number of ms or a string, not {type(value)!r}")
    if isinstance(value, str):
        text = value.strip()
        match = _DURATION.fullmatch(text)
        if match:
            unit = match.group(2)
            if unit not in _UNITS and unit.endswith("s"):
                unit = unit[:-1]
            if unit not in _UNITS:
                raise ValueError(f"unknown duration unit in {value!r}")
            ms = float(match.group(1)) * _UNITS[unit]
        else:
            try:
                ms = float(text)  # a bare number of milliseconds, as a string
            except ValueError:
                raise ValueError(f"invalid duration {value!r}") from None
    else:
        ms = float(value)
    if not math.isfinite(ms) or ms < 0:
        raise ValueError(f"invalid duration {value!r}")
    return round(ms)
