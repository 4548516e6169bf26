"""Shared pieces of the workflow-engine tests: helpers, constants and the citation legend.

"Rule" is a rule of Cloudflare Workflows (docs/architecture.md#workflows-rules), "Engine" the
local engine's own design (docs/architecture.md#the-local-workflows-engine). "engine.test" /
"context.ts" name the workers-sdk ``workflows-shared`` engine tests and sources a behaviour
mirrors; "SDK" is workers-runtime-sdk 1.9.5 ``entrypoints._WorkflowStepWrapper`` /
``utils._from_js_error``. Time only moves through the fake clock.
"""

from __future__ import annotations

from typing import Any

from quizhub.local.workflows import LocalWorkflowBinding, LocalWorkflowEngine

WF = "save-test"
NO_WAIT = {"retries": {"limit": 0, "delay": 0}}


async def start(
    engine: LocalWorkflowEngine, run_fn: Any, params: Any = None, id: str = "i1"
) -> Any:
    """Register ``run_fn`` as the test workflow and create one instance of it."""
    engine.register(WF, run_fn)
    return await LocalWorkflowBinding(engine, WF).create(id=id, params=params or {})
