"""The ``step`` object ``run(event, step)`` receives locally: the Python Workflows SDK's API.

A line-by-line twin of ``_WorkflowStepWrapper`` in workers-runtime-sdk 1.9.5 in implicit
dependency mode (``python_workflows_implicit_dependencies``, the default after 2026-02-25):

- ``@step.do(name=None, *, concurrent=False, config=None)`` decorates a function and returns an
  awaitable callable; the step name defaults to the function's ``__name__``.
- When it is awaited, each parameter must be named like an earlier decorated step (it receives
  that step's result, running it first if needed) or ``ctx`` (it receives
  ``{"attempt", "step": {"name", "count"}, "config"}``); any other name raises TypeError.
- Dependencies resolve one by one, or together with ``concurrent=True``; a dependency already
  resolved in this replay is reused, one in flight is awaited rather than started twice.
- Calling a decorated step again runs it again under the same name (count 2, 3, ...).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any

from quizhub.local.workflows._context import ReplayContext

__all__ = ["LocalWorkflowStep", "StepFunction"]

_CTX = object()  # placeholder for the ``ctx`` parameter until the engine supplies it


class StepFunction:
    """What ``@step.do(...)`` returns: ``await fn()`` runs (or replays) the step."""

    def __init__(
        self,
        step: LocalWorkflowStep,
        name: str,
        func: Callable[..., Any],
        concurrent: bool,
        config: dict[str, Any] | None,
    ) -> None:
        self._step = step
        self._step_name = name
        self._func = func
        self._concurrent = concurrent
        self._config = config

    async def __call__(self) -> Any:
        """Resolve the dependencies, then run the step through the engine."""
        deps = self._step._build_dependency_list(self._func)
        results = await self._step._gather_results(deps, self._concurrent)
        return await self._step._do_call(self._step_name, self, self._config, self._func, results)

    def __repr__(self) -> str:
        return f"<workflow step {self._step_name!r}>"


class LocalWorkflowStep:
    """``step`` for one replay; ``do`` is the decorator, ``sleep``/``sleep_until`` suspend."""

    def __init__(self, context: ReplayContext) -> None:
        self._context = context
        self._memoized_dependencies: dict[StepFunction, Any] = {}
        self._in_flight: dict[StepFunction, asyncio.Future[Any]] = {}
        self.step_closures: dict[str, StepFunction] = {}

    def do(
        self,
        name: str | None = None,
        *,
        concurrent: bool = False,
        config: dict[str, Any] | None = None,
    ) -> Callable[[Callable[..., Any]], StepFunction]:
        """Decorator: declare a step (implicit dependencies by parameter name)."""

        def decorator(func: Callable[..., Any]) -> StepFunction:
            step_name = func.__name__ if name is None else name
            wrapper = StepFunction(self, step_name, func, concurrent, config)
            self.step_closures[step_name] = wrapper
            return wrapper

        return decorator

    async def sleep(self, name: str, duration: str | int | float) -> None:
        """Suspend for ``duration`` (``"10 seconds"``, ``"1 hour"``, ms); memoised by name."""
        await self._context.sleep(name, duration)

    async def sleep_until(self, name: str, timestamp: datetime | int | float) -> None:
        """Suspend until ``timestamp`` (datetime, or epoch ms); memoised by name."""
        await self._context.sleep_until(name, timestamp)

    async def wait_for_event(
        self,
        name: str,
        event_type: str,
        /,
        timeout: Any = "24 hours",  # noqa: ASYNC109 - the SDK's own signature
    ) -> Any:
        """Not supported by the local engine (the pipeline does not use events)."""
        raise NotImplementedError("step.wait_for_event is not supported by the local engine")

    # ------------------------------------------------------------ SDK internals, same shape
    def _build_dependency_list(self, func: Callable[..., Any]) -> list[Any]:
        out: list[Any] = []
        for p in inspect.signature(func).parameters.values():
            if p.name in self.step_closures:
                out.append(self.step_closures[p.name])
            elif p.name == "ctx":
                out.append(_CTX)
            else:
                raise TypeError(f"Received unexpected parameter {p.name}")
        return out

    async def _gather_results(self, deps: list[Any], concurrent: bool) -> list[Any]:
        if concurrent:
            return list(await asyncio.gather(*[self._resolve_dependency(d) for d in deps]))
        return [await self._resolve_dependency(d) for d in deps]

    async def _resolve_dependency(self, dep: Any) -> Any:
        if dep is _CTX:
            return dep
        if dep in self._memoized_dependencies:
            return self._memoized_dependencies[dep]
        if dep in self._in_flight:
            return await self._in_flight[dep]
        return await dep()

    async def _do_call(
        self,
        name: str,
        key: StepFunction,
        config: dict[str, Any] | None,
        func: Callable[..., Any],
        results: list[Any],
    ) -> Any:
        async def callback(ctx: dict[str, Any]) -> Any:
            result = func(*[ctx if r is _CTX else r for r in results])
            if inspect.isawaitable(result):
                result = await result
            return result

        task = asyncio.ensure_future(self._context.do(name, config, callback))
        self._in_flight[key] = task
        try:
            result = await task
            self._memoized_dependencies[key] = result
        finally:
            self._in_flight.pop(key, None)
        return result
