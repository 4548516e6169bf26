"""Workflows on the local platform: a durable SQLite engine with Cloudflare Workflows semantics.

The pieces live in ``workflow_engine`` (instances, replays, ``tick``/``serve``),
``workflow_binding`` (``LocalWorkflowBinding``/``LocalWorkflowInstance``),
``workflow_step`` (the ``step.do`` decorator API of the Python Workflows SDK),
``workflow_context`` (memoised steps, retries, sleeps), ``workflow_rules`` (config, backoff,
errors) and ``workflow_store``/``workflow_memo`` (SQLite). Usage::

    engine = LocalWorkflowEngine(data_dir / "workflows.sqlite", clock_ms=clock)
    engine.register("save-test", run)          # run(event, step) -> JSON-able result
    binding = engine.binding("save-test")      # WorkflowBinding: create(id=, params=), get(id)
    await binding.create(id=job_id, params={...})
    await engine.tick()                        # or: await engine.serve(stop_event)

Differences from Cloudflare: custom exception types of a failed step come back as
``WorkflowStepError`` (``TypeError``/``ValueError``/``NonRetryableError`` keep their type),
``wait_for_event``/pause/restart are not implemented, and there is no retention limit.
"""

from __future__ import annotations

from quizhub.local.workflow_binding import LocalWorkflowBinding, LocalWorkflowInstance
from quizhub.local.workflow_engine import DEFAULT_LEASE_MS, LocalWorkflowEngine, RunFn
from quizhub.local.workflow_rules import DEFAULT_STEP_CONFIG, WorkflowStepError
from quizhub.local.workflow_step import LocalWorkflowStep, StepFunction
from quizhub.workflow_api import (
    NonRetryableError,
    WorkflowAlreadyExists,
    WorkflowNotFound,
    parse_duration,
)

__all__ = [
    "DEFAULT_LEASE_MS",
    "DEFAULT_STEP_CONFIG",
    "LocalWorkflowBinding",
    "LocalWorkflowEngine",
    "LocalWorkflowInstance",
    "LocalWorkflowStep",
    "NonRetryableError",
    "RunFn",
    "StepFunction",
    "WorkflowAlreadyExists",
    "WorkflowNotFound",
    "WorkflowStepError",
    "parse_duration",
]
