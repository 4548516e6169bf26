"""Jobs as editors see them: one job by id (an accepted job no consumer has touched yet too),
and the jobs in some statuses, newest accepted first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.jobs import JobStatus
from quizhub.errors import Code, NotFound
from quizhub.pipeline.policy import untouched_job
from quizhub.store.jobs import JobsRepo

__all__ = ["JobsPage", "job_view", "jobs_page"]


@dataclass(frozen=True)
class JobsPage:
    """One page of jobs (wire shape); ``next_before`` is the ``(rev, jobId)`` of the last one
    when more follow."""

    items: list[dict[str, Any]]
    next_before: tuple[str, str] | None


async def job_view(b: Bindings, job_id: str) -> dict[str, Any]:
    """A job's status: its row, or for a job no consumer has touched the status that follows
    from its signed id and its age (queued, delayed, expired). NotFound for any other id."""
    row = await JobsRepo(b.db).get(job_id) or untouched_job(b.settings, job_id, b.clock_ms())
    if row is None:
        message = f"job '{job_id}' does not exist"
        raise NotFound(message, code=Code.JOB_NOT_FOUND, params={"jobId": job_id})
    return row.to_json()


async def jobs_page(
    b: Bindings,
    statuses: Sequence[JobStatus],
    *,
    limit: int,
    before: tuple[str, str] | None = None,
) -> JobsPage:
    """Jobs in ``statuses``, newest accepted first, after the position ``before``."""
    rows = await JobsRepo(b.db).list_by_status(statuses, limit=limit + 1, before=before)
    page = rows[:limit]
    more = (page[-1].rev, page[-1].job_id) if len(rows) > limit else None
    return JobsPage([r.to_json() for r in page], more)
