"""How a job's sequence of named steps is run, and the books it keeps: the one seam between the
job definitions (``quizhub.pipeline.jobs``) and the modes that run them.

- ``InlineSteps`` (queue and sync mode): each step runs once, in order; the unit of retry is the
  queue message (a redelivery runs the sequence again; every step is idempotent).
- ``DurableSteps`` (workflow mode): each step is a Workflow ``step.do`` — memoised by name,
  retried by its config; code between steps runs again on every replay, so everything with an
  effect (progress records and live notices included) happens inside a step.

``JobBook`` is the orchestrator's record keeping: the job row's progress in D1 and the notices
to the job's live channel. Steps themselves are plain functions that do their work and return
what they found.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Generic, Protocol, TypeVar

from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobError, JobRow
from quizhub.domain.wire import iso_ms
from quizhub.errors import Permanent
from quizhub.pipeline.messages import JobMessage
from quizhub.ports import WorkflowStep
from quizhub.push.notify import Notices
from quizhub.store.commit import CommitOutcome
from quizhub.store.jobs import JobsRepo

__all__ = ["Steps", "InlineSteps", "DurableSteps", "Once", "JobBook", "StepResult"]

# What a step returns: a small JSON object (a Workflow memoises it; image bytes never).
StepResult = dict[str, Any]
StepBody = Callable[[], Awaitable[StepResult]]
T = TypeVar("T")


class Steps(Protocol):
    """Runs one named step of a job's sequence and returns its result."""

    async def do(self, name: str, body: StepBody) -> StepResult:
        """Run ``body`` as the step ``name`` (or return its recorded result)."""
        ...


class InlineSteps:
    """Queue and sync mode: every step runs once, now; a failure propagates to the caller
    (the consumer retries the whole message, with backoff; sync mode fails the job)."""

    async def do(self, name: str, body: StepBody) -> StepResult:
        """Run ``body`` once, after letting whatever else is ready on the event loop run: a
        job's steps interleave with the requests a server answers meanwhile."""
        await asyncio.sleep(0)
        return await body()


class DurableSteps:
    """Workflow mode: ``step.do(name)`` with ``config``; a Permanent error stops the retries
    (``non_retryable``), anything else is retried by the engine. A step ends only once the
    notices it sent are out (``notices.flush``, bounded): between steps the engine may suspend
    the instance (a retry's delay, hibernation), and what was still pending would be lost.

    The engine hands a step's error back as its text only (so does Cloudflare's): ``failure``
    keeps the last error a step body raised in this run, with its code, for the job row."""

    def __init__(
        self,
        step: WorkflowStep,
        config: dict[str, Any],
        non_retryable: type[Exception],
        notices: Notices,
    ) -> None:
        self._step = step
        self._config = config
        self._non_retryable = non_retryable
        self._notices = notices
        self.failure: BaseException | None = None

    async def do(self, name: str, body: StepBody) -> StepResult:
        """``body`` as a durable step: memoised by ``name``, retried by the config."""

        @self._step.do(name, config=self._config)
        async def durable() -> StepResult:
            try:
                result = await body()
            except Permanent as exc:
                self.failure = exc
                raise self._non_retryable(exc.message) from None
            except Exception as exc:
                self.failure = exc
                raise
            finally:
                await self._notices.flush()
            self.failure = None
            return result

        return dict(await durable())


class Once(Generic[T]):
    """A value loaded at most once per run (a document or an original several steps read):
    inline, once per delivery; in a Workflow, once per replay that needs it."""

    def __init__(self, load: Callable[[], Awaitable[T]]) -> None:
        self._load = load
        self._value: list[T] = []

    async def get(self) -> T:
        """The value, loaded on first use."""
        if not self._value:
            self._value.append(await self._load())
        return self._value[0]


class JobBook:
    """The job row's progress (running step, committed, live, succeeded) and the notices of
    each transition to the job's live channel, kept by the orchestrator for every mode."""

    def __init__(self, b: Bindings, msg: JobMessage, notices: Notices) -> None:
        self.b = b
        self.msg = msg
        self.notices = notices
        self.jobs = JobsRepo(b.db)

    def now(self) -> str:
        return iso_ms(self.b.clock_ms())

    async def begin(self) -> JobRow:
        """This delivery on the job row (created on the first one)."""
        msg = self.msg
        body_ref = msg.body_ref.key if msg.body_ref else None
        row = await self.jobs.start_attempt(msg.job(), "validate", self.now(), body_ref)
        self.notices.send(row)
        return row

    async def step(self, name: str) -> None:
        """The job is now on step ``name`` (what the admin shows as 저장 중 / 처리 중)."""
        self.notices.send(await self.jobs.set_step(self.msg.job_id, name, self.now()))

    def committed(self, outcome: CommitOutcome) -> None:
        """The commit's decision (저장 완료, or how the job ended)."""
        self.notices.send(outcome.job)

    async def live(self, step: str) -> str | None:
        """The invalidation after the commit succeeded: ``liveAt`` (the first one counts)."""
        row = await self.jobs.mark_live(self.msg.job_id, self.now())
        if row is not None:
            self.notices.send(replace(row, step=step))
        return None if row is None else row.live_at

    async def succeed(self, warning: JobError | None = None) -> None:
        """The job succeeded (``warning`` kept, e.g. the search index was not updated)."""
        await self.jobs.succeed(self.msg.job_id, self.now(), warning)
