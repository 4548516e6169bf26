"""One field error of a 422, written once for every producer (pydantic, the integrity rules,
the preconditions, compute, the play events, cursors): ``{"loc", "msg", "type", "ctx"}``.

``type`` is pydantic's error type (``string_too_long``, ``too_short``…) or one of the project's
field codes (``quizhub.errors.codes``, area ``field``); ``ctx`` holds the parameters a client
needs to say what to do (``max_length``, ``ge``, the duplicate id…), always as JSON values.
``msg`` is English, for tools.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from quizhub.errors.codes import Code

__all__ = ["field_error", "json_safe"]


def json_safe(value: Any) -> Any:
    """``value`` as JSON can carry it: containers item by item, anything that is not a JSON
    value (an exception in pydantic's ``ctx``, a Decimal, an infinite float) as its text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    return str(value)


def field_error(
    loc: Sequence[Any], msg: str, kind: Code | str, ctx: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One item of a 422's ``details``. A project field code's ``ctx`` must hold exactly the
    parameters the code declares; pydantic's ``ctx`` is passed through, made JSON-safe."""
    if isinstance(kind, Code):
        if kind.area != "field":
            raise TypeError(f"{kind.value!r} is not a field code")
        if set(ctx or {}) != set(kind.params):
            names = sorted(ctx or {})
            raise TypeError(f"field code {kind.value!r} takes {sorted(kind.params)}, not {names}")
    return {
        "loc": list(loc),
        "msg": msg,
        "type": kind.value if isinstance(kind, Code) else kind,
        "ctx": json_safe(dict(ctx or {})),
    }
