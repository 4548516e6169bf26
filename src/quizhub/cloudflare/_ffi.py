"""Explicit Python <-> JS conversion at the binding boundary (Pyodide only, imported lazily).

The adapters talk to the RAW JS bindings: SDK wrappers (``_EnvWrapper``, ``_BindingWrapper``)
are unwrapped first, so the same code runs under workerd (where ``self.env`` is wrapped) and
against Miniflare's ``getPlatformProxy`` bindings (which the SDK passes through raw).

``js`` and ``pyodide`` are imported inside the functions: importing this module on host CPython
works; calling its functions there does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quizhub.edge.guard import Rejection

__all__ = [
    "unwrap",
    "to_js",
    "js_bytes",
    "from_js",
    "is_null",
    "iso_utc",
    "call_options",
    "js_response",
]

# Attribute under which each SDK wrapper keeps the JS object it wraps (workers-runtime-sdk 1.9.x,
# workers/rpc.py): _BindingWrapper._binding (bindings, queue batches/messages), _EnvWrapper._env.
_WRAPPED_ATTRS = ("_binding", "_env")


def unwrap(obj: Any) -> Any:
    """The raw JsProxy behind an SDK wrapper, or ``obj`` itself when it is not wrapped."""
    from pyodide.ffi import JsProxy

    if obj is None or isinstance(obj, JsProxy):
        return obj
    attrs = getattr(obj, "__dict__", {})
    for name in _WRAPPED_ATTRS:
        if name in attrs:
            return unwrap(attrs[name])
    return obj


def _nulls(value: Any) -> Any:
    """Deep copy with None -> JS null (``to_js`` alone makes it ``undefined``), tuples -> lists."""
    from pyodide.ffi import jsnull

    if value is None:
        return jsnull
    if isinstance(value, dict):
        return {str(k): _nulls(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nulls(v) for v in value]
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def to_js(value: Any) -> Any:
    """Python value (dict/list/str/int/float/bool/bytes/None) -> JS value; dicts become Objects."""
    import js
    from pyodide.ffi import to_js as _to_js

    return _to_js(_nulls(value), dict_converter=js.Object.fromEntries)


def js_bytes(data: bytes) -> Any:
    """``bytes`` -> a fresh ``Uint8Array`` (a copy the JS side may keep)."""
    from pyodide.ffi import to_js as _to_js

    return _to_js(bytes(data))


def call_options(**options: Any) -> Any:
    """A JS options object from the keyword arguments that are not None (absent = JS default)."""
    return to_js({k: v for k, v in options.items() if v is not None})


def _convert_leaf(value: Any, convert: Any, cache: Any) -> Any:
    """``to_py`` fallback for JS objects it does not convert by itself."""
    name = getattr(getattr(value, "constructor", None), "name", None)
    if name == "Date":
        return iso_utc(value)
    if hasattr(value, "to_bytes"):  # ArrayBuffer / typed array
        return value.to_bytes()
    return value


def _clean(value: Any) -> Any:
    from pyodide.ffi import JsProxy, jsnull

    if value is None or value is jsnull:
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, JsProxy):
        if getattr(value, "typeof", None) == "undefined":
            return None
        return _convert_leaf(value, None, None)
    return value


def from_js(value: Any) -> Any:
    """JS value -> plain Python (dict/list/str/int/float/bool/bytes/None); null/undefined ->
    None."""
    from pyodide.ffi import JsProxy

    if isinstance(value, JsProxy) and hasattr(value, "to_py"):
        value = value.to_py(default_converter=_convert_leaf)
    return _clean(value)


def is_null(value: Any) -> bool:
    """True for None, JS null (``jsnull``) and JS undefined."""
    from pyodide.ffi import JsProxy, jsnull

    if value is None or value is jsnull:
        return True
    return isinstance(value, JsProxy) and getattr(value, "typeof", None) == "undefined"


def iso_utc(date: Any) -> str:
    """A JS ``Date`` -> ``2026-11-26T02:30:00.123Z`` (the project's timestamp format)."""
    if isinstance(date, str):
        return date
    return str(date.toISOString())


def js_response(rejection: Rejection) -> Any:
    """A JS ``Response`` for a rejection (the guard's and the live upgrade's refusals)."""
    import js

    init = to_js({"status": rejection.status, "headers": rejection.all_headers()})
    return js.Response.new(rejection.body().decode("utf-8"), init)
