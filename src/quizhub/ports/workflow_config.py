"""The Workflows binding's step configuration as Cloudflare defines it (the ``config`` of
``WorkflowStep.do``, ``quizhub.ports.delivery``): durations, defaults, validation, backoff.

Platform-neutral (no I/O, no imports from quizhub): the local engine runs steps by these rules
and the pipeline derives its job budget from them, so a retry limit is written in one place only.
Values follow workers-sdk ``workflows-shared`` (``lib/retries.ts``, ``lib/validators.ts``); the
default delay is the documented 10 seconds (docs/architecture.md#workflows-rules), not
Miniflare's 1 second.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = [
    "DEFAULT_STEP_CONFIG",
    "parse_duration",
    "resolve_step_config",
    "retry_delay_ms",
    "worst_case_step_ms",
]

DEFAULT_STEP_CONFIG: dict[str, Any] = {
    "retries": {"limit": 5, "delay": 10_000, "backoff": "exponential"},
    "timeout": "10 minutes",
}
_BACKOFFS = ("constant", "linear", "exponential")

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


def worst_case_step_ms(config: dict[str, Any]) -> int:
    """Longest a step with ``config`` can take: every attempt times out, every backoff waited."""
    resolved = resolve_step_config("budget", config)
    attempts = int(resolved["retries"]["limit"]) + 1
    waits = sum(retry_delay_ms(resolved, a) for a in range(1, attempts))
    return waits + attempts * parse_duration(resolved["timeout"])
