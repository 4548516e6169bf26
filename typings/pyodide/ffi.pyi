# The parts of ``pyodide.ffi`` quizhub.cloudflare uses (Pyodide 314).
from collections.abc import Callable
from typing import Any

class JsProxy:
    typeof: str
    def to_py(
        self,
        *,
        depth: int = ...,
        default_converter: Callable[[Any, Any, Any], Any] | None = ...,
    ) -> Any: ...
    def __getattr__(self, name: str) -> Any: ...

class JsException(Exception):
    name: str
    message: str

class _JsNull: ...

jsnull: _JsNull

def to_js(
    obj: Any,
    *,
    depth: int = ...,
    dict_converter: Callable[[Any], Any] | None = ...,
    default_converter: Callable[[Any, Any, Any], Any] | None = ...,
) -> Any: ...
