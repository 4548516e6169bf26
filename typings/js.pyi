# The slice of the JavaScript global scope (Pyodide's ``js`` module) quizhub.cloudflare uses.
# Values crossing the FFI are JsProxy objects whose attributes are only known at run time.
from typing import Any

Object: Any
Array: Any
Request: Any
Response: Any
URL: Any
caches: Any
WebSocketPair: Any
WebSocketRequestResponsePair: Any

async def fetch(resource: Any, init: Any = ...) -> Any: ...
crypto: Any
