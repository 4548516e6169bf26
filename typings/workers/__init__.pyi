# The parts of the Workers Python SDK (workers-runtime-sdk, pinned in pyproject.toml) that the
# entry files src/*.py use: the base classes of a Worker's entrypoints. What the runtime hands them
# (ctx, env, requests, batches, sockets) are JS objects behind Pyodide's FFI, typed Any as in
# quizhub.cloudflare. tests/test_typings.py checks these names and parameters against the SDK.
from typing import Any

class WorkerEntrypoint:
    ctx: Any
    env: Any
    def __init__(self, ctx: Any, env: Any) -> None: ...

class DurableObject:
    ctx: Any
    env: Any
    def __init__(self, ctx: Any, env: Any) -> None: ...

class WorkflowEntrypoint:
    ctx: Any
    env: Any
    def __init__(self, ctx: Any, env: Any) -> None: ...
