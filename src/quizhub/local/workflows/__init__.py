"""Workflows on the local platform: a durable SQLite engine with Cloudflare Workflows semantics.

Private modules, one concern each: ``_engine`` (instances, replays, ``tick``/``serve``),
``_binding`` (``LocalWorkflowBinding``/``LocalWorkflowInstance``), ``_step`` (the ``step.do``
decorator API of the Python Workflows SDK), ``_context`` (memoised steps, retries, sleeps),
``_rules`` (ids, names, errors; step configs follow ``quizhub.ports.workflow_config``) and
``_store``/``_memo`` (SQLite). Usage::

    engine = LocalWorkflowEngine(data_dir / "workflows.sqlite", clock_ms=clock)
    engine.register("save-test", run)          # run(event, step) -> JSON-able result
    binding = LocalWorkflowBinding(engine, "save-test")  # create(id=, params=), get(id)
    await binding.create(id=job_id, params={...})
    await engine.tick()                        # or: await engine.serve(stop_event)

Differences from Cloudflare: custom exception types of a failed step come back as
``WorkflowStepError`` (``TypeError``/``ValueError``/``NonRetryableError`` keep their type),
``wait_for_event``/pause/restart are not implemented, and there is no retention limit.
"""

from __future__ import annotations

from quizhub.errors import NonRetryableError, WorkflowAlreadyExists, WorkflowNotFound
from quizhub.local.workflows._binding import LocalWorkflowBinding, LocalWorkflowInstance
from quizhub.local.workflows._engine import DEFAULT_LEASE_MS, LocalWorkflowEngine, RunFn
from quizhub.local.workflows._rules import WorkflowStepError
from quizhub.local.workflows._step import LocalWorkflowStep, StepFunction
from quizhub.ports.workflow_config import DEFAULT_STEP_CONFIG, parse_duration

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
