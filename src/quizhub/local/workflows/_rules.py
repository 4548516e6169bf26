"""The rules of Workflows steps: config defaults and validation, backoff, names and errors.

Values and messages follow Cloudflare's engine (workers-sdk ``workflows-shared``: ``context.ts``,
``lib/retries.ts``, ``lib/validators.ts``) and the Python SDK's error translation
(workers-runtime-sdk ``utils._from_js_error``). The default retry delay is the documented
10 seconds (docs/architecture.md#workflows-rules), not Miniflare's 1 second.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from quizhub.errors import NonRetryableError

__all__ = [
    "MAX_STEP_RESULT_BYTES",
    "MAX_STEP_NAME_LENGTH",
    "WorkflowStepError",
    "describe_error",
    "is_non_retryable",
    "exception_from",
    "check_instance_id",
    "MAX_INSTANCE_ID_LENGTH",
    "check_step_name",
    "epoch_ms",
]

MAX_STEP_RESULT_BYTES = 1024 * 1024
MAX_STEP_NAME_LENGTH = 256
_NON_RETRYABLE = "NonRetryableError"
_CONTROL_CHARS = re.compile(r"[\x00-\x1f]")


class WorkflowStepError(Exception):
    """A step error re-raised into ``run``: custom exception types do not survive the engine."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}" if message else name)
        self.name = name
        self.message = message


def describe_error(exc: BaseException) -> dict[str, str]:
    """``{"name", "message"}`` as the engine records an error (NonRetryableError by name too)."""
    if isinstance(exc, WorkflowStepError):
        return {"name": exc.name, "message": exc.message}
    name, message = type(exc).__name__, str(exc)
    # The engine's rule: the error's name, or a message starting with it (workflows-shared).
    if isinstance(exc, NonRetryableError) or name == _NON_RETRYABLE:
        name = _NON_RETRYABLE
    return {"name": name, "message": message}


def is_non_retryable(error: dict[str, str]) -> bool:
    """True for errors the engine never retries (by name, or a message starting with it)."""
    return error["name"] == _NON_RETRYABLE or error["message"].startswith(_NON_RETRYABLE)


def exception_from(error: dict[str, str]) -> Exception:
    """The exception ``run`` sees for a stored step error (mirrors the SDK's ``_from_js_error``)."""
    name, message = error["name"], error["message"]
    if name == _NON_RETRYABLE:
        return NonRetryableError(message)
    if message == _NON_RETRYABLE:
        return NonRetryableError()
    if message.startswith(_NON_RETRYABLE + ": "):
        return NonRetryableError(message[len(_NON_RETRYABLE) + 2 :])
    if name == "TypeError":
        return TypeError(message)
    if name == "ValueError":
        return ValueError(message)
    return WorkflowStepError(name, message)


def check_step_name(name: Any) -> str:
    """``name`` if it is a valid step name (≤ 256 chars, no control characters)."""
    if not isinstance(name, str):
        raise TypeError("a step name must be a str")
    if len(name) > MAX_STEP_NAME_LENGTH or _CONTROL_CHARS.search(name):
        raise ValueError(
            f'Step name "{name}" exceeds max length ({MAX_STEP_NAME_LENGTH} chars)'
            " or invalid characters found"
        )
    return name


def epoch_ms(when: datetime | int | float) -> int:
    """Epoch milliseconds of a datetime (naive = UTC) or of a number of ms."""
    if isinstance(when, datetime):
        # Naive datetimes are read as UTC (the Workers runtime's local time zone).
        aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        return round(aware.timestamp() * 1000)
    if isinstance(when, bool) or not isinstance(when, int | float):
        raise TypeError("sleep_until takes a datetime or epoch milliseconds")
    return round(when)


MAX_INSTANCE_ID_LENGTH = 64
_ID = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_-]*")


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
