"""The rules of Workflows steps: config defaults and validation, backoff, names and errors.

Values and messages follow Cloudflare's engine (workers-sdk ``workflows-shared``: ``context.ts``,
``lib/retries.ts``, ``lib/validators.ts``) and the Python SDK's error translation
(workers-runtime-sdk ``utils._from_js_error``). The default retry delay is the documented
10 seconds (reference §2), not Miniflare's 1 second.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from quizhub.workflow_api import NonRetryableError, parse_duration

__all__ = [
    "DEFAULT_STEP_CONFIG",
    "MAX_STEP_RESULT_BYTES",
    "MAX_STEP_NAME_LENGTH",
    "WorkflowStepError",
    "describe_error",
    "is_non_retryable",
    "exception_from",
    "resolve_step_config",
    "retry_delay_ms",
    "check_step_name",
    "epoch_ms",
]

DEFAULT_STEP_CONFIG: dict[str, Any] = {
    "retries": {"limit": 5, "delay": 10_000, "backoff": "exponential"},
    "timeout": "10 minutes",
}
MAX_STEP_RESULT_BYTES = 1024 * 1024
MAX_STEP_NAME_LENGTH = 256
_NON_RETRYABLE = "NonRetryableError"
_CONTROL_CHARS = re.compile(r"[\x00-\x1f]")
_BACKOFFS = ("constant", "linear", "exponential")


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


def _valid_duration(value: Any, *, zero_ok: bool) -> bool:
    try:
        ms = parse_duration(value)
    except (TypeError, ValueError):
        return False
    return zero_ok or ms > 0


def resolve_step_config(name: str, config: Any) -> dict[str, Any]:
    """The step config merged over the defaults; ValueError when Cloudflare would reject it."""
    config = {} if config is None else config
    retries = config.get("retries") if isinstance(config, dict) else None
    ok = (
        isinstance(config, dict)
        and set(config) <= {"retries", "timeout", "sensitive"}
        and ("timeout" not in config or _valid_duration(config["timeout"], zero_ok=False))
        and config.get("sensitive", "output") == "output"
        and (
            retries is None
            or isinstance(retries, dict)
            and set(retries) <= {"limit", "delay", "backoff"}
            and isinstance(retries.get("limit"), int)
            and not isinstance(retries["limit"], bool)
            and retries["limit"] >= 0
            and _valid_duration(retries.get("delay"), zero_ok=True)
            and retries.get("backoff", "exponential") in _BACKOFFS
        )
    )
    if not ok:
        raise ValueError(
            f'Step config for "{name}" is in a invalid format. See '
            "https://developers.cloudflare.com/workflows/build/sleeping-and-retrying/"
        )
    resolved = {**DEFAULT_STEP_CONFIG, **config}
    resolved["retries"] = {**DEFAULT_STEP_CONFIG["retries"], **(retries or {})}
    return resolved


def retry_delay_ms(config: dict[str, Any], attempt: int) -> int:
    """The wait after failed attempt ``attempt`` (1-based), as workflows-shared computes it."""
    retries = config["retries"]
    delay = parse_duration(retries["delay"])
    if retries["backoff"] == "exponential":
        return int(delay * 2 ** (attempt - 1))
    if retries["backoff"] == "linear":
        return delay * attempt
    return delay


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
