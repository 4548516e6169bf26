"""Which checks the harness runs, by group. Imported on CPython (pytest) and inside Pyodide.

A check id is ``<group>:<function name>``, e.g. ``contract:d1:check_null_roundtrips``. The
pytest driver derives the expected ids from here, so a check the harness silently skipped
shows up as a failure, not as a smaller count.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["GROUPS", "checks_of", "all_check_ids"]

# group -> module of ``async def check_*(…)`` functions
GROUPS = {
    "contract:d1": "tests.contract.checks_d1",
    "contract:r2": "tests.contract.checks_r2",
    "contract:kv": "tests.contract.checks_kv",
    "contract:queue_producer": "tests.contract.checks_queue_producer",
    "store": "tests.contract.checks_store",
    "store:jobs": "tests.contract.checks_jobs",
    "store:list": "tests.contract.checks_listing",
    "store:purges": "tests.contract.checks_purges",
    "cloudflare": "tests.pyodide.checks_cloudflare",
    "entry.guard": "tests.pyodide.checks_entry_guard",
    "entry.consumer": "tests.pyodide.checks_entry_consumer",
    "entry.workflow": "tests.pyodide.checks_entry_workflow",
    "entry.push": "tests.pyodide.checks_entry_push",
    "adapter.cache": "tests.pyodide.checks_adapter_cache",
    "adapter.workflow": "tests.pyodide.checks_adapter_workflow",
    "adapter.fetch": "tests.pyodide.checks_adapter_fetch",
    "adapter.vectorize": "tests.pyodide.checks_adapter_vectorize",
    "adapter.ratelimit": "tests.pyodide.checks_adapter_ratelimit",
    "adapter.access": "tests.pyodide.checks_adapter_access",
    "adapter.hyperdrive": "tests.pyodide.checks_adapter_hyperdrive",
    "adapter.images": "tests.pyodide.checks_adapter_images",
}


def checks_of(group: str) -> list[tuple[str, Callable[[Any], Any]]]:
    """(check id, function) of every ``check_*`` coroutine function defined in the group's
    module."""
    module = importlib.import_module(GROUPS[group])
    return [
        (f"{group}:{name}", fn)
        for name, fn in inspect.getmembers(module, inspect.iscoroutinefunction)
        if name.startswith("check_") and fn.__module__ == module.__name__
    ]


def all_check_ids(only: list[str] | None = None) -> list[str]:
    """Every check id, or those starting with one of the ``only`` prefixes."""
    ids = [check_id for group in GROUPS for check_id, _ in checks_of(group)]
    return [i for i in ids if not only or any(i.startswith(p) for p in only)]
