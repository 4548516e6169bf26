"""Helpers of the project-SQL checks (``checks_store``, ``checks_jobs``, ``checks_listing``,
``checks_purges``).

Each check is ``async def check_*(db) -> None`` over a ``D1Database`` port and exercises the
repositories in ``quizhub.store`` on whatever engine ``db`` is: the local platform's SQLite and
Miniflare's D1 (inside the Pyodide harness). The schema must already exist, created by the
migrations (``wrangler d1 migrations apply`` / ``LocalD1.apply_migrations``). Each check starts
by emptying the project tables. Stdlib, ``quizhub.domain`` (pydantic-free parts) and
``quizhub.store`` only: no pytest, no pydantic.
"""

from __future__ import annotations

from typing import Any

from quizhub.domain.jobs import JobError, JobKind
from quizhub.domain.preconditions import Precondition
from quizhub.domain.revisions import RevGenerator, rev_time_ms
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code
from quizhub.search.terms import document_terms
from quizhub.store.commit import Against, CommitOutcome, Commits, DocumentFacts
from quizhub.store.jobs import JobRef, JobsRepo
from quizhub.store.keys import document_key
from quizhub.store.tests import TestsRepo

_BASE_MS = 1_795_000_000_000  # 2026-11-18T…Z


def _error(message: str) -> JobError:
    """A job error as a binding failure leaves it (``binding_error``), with ``message``."""
    return JobError(Code.BINDING_ERROR, message, {"error": "ConnectionError"})


# ``_error(…)`` as the cause a later code (a delay, a give-up) carries.
_CAUSE = {"code": "binding_error", "params": {"error": "ConnectionError"}}


def _ts(seconds: int) -> str:
    """A timestamp ``seconds`` after a fixed base (ISO 8601 UTC, sortable as text)."""
    return iso_ms(_BASE_MS + seconds * 1000)


def _rev(n: int) -> str:
    """The rev accepted at ``_ts(n)`` (a larger ``n`` is a newer rev)."""
    return RevGenerator(random_bytes=bytes).new(_BASE_MS + n * 1000)


def _doc(
    title: str = "나의 여행 성향 테스트",
    *,
    status: str = "published",
    tags: list[str] | None = None,
    description: str = "몇 가지 질문으로 알아보는 여행 스타일",
    images: bool = False,
) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "status": status,
        "tags": ["여행", "성격"] if tags is None else tags,
        "thumbnail": "thumb-1.png" if images else None,
        "questions": [
            {"id": "q1", "image": "q1.png" if images else None},
            {"id": "q2", "image": None},
        ],
        "results": [{"id": "planner", "image": "r1.png" if images else None}, {"id": "free"}],
    }


def _job(test_id: str, n: int, *, base: int | None = None, kind: JobKind = "save") -> JobRef:
    return JobRef(
        job_id=f"job-{test_id}-{n}",
        test_id=test_id,
        rev=_rev(n),
        kind=kind,
        accepted_at=_ts(n),
        precondition=Precondition(base_rev=None if base is None else _rev(base)),
    )


def _job_n(job: JobRef) -> int:
    """The ``n`` a ``_job`` was made from (its rev counter)."""
    return (rev_time_ms(job.rev) - _BASE_MS) // 1000


async def _fresh(db: Any) -> None:
    tables = (
        "tests",
        "test_tags",
        "test_images",
        "jobs",
        "purge_debt",
        "test_versions",
        "participation",
        "participation_results",
        "participation_days",
    )
    await db.batch([db.prepare(f"DELETE FROM {table}") for table in tables])


async def _commit(
    db: Any,
    job: JobRef,
    doc: dict[str, Any] | None,
    *,
    at: int | None = None,
    start: bool = True,
    against: Against | None = None,
    key: str | None = None,
) -> CommitOutcome:
    """Start the job's attempt (as the pipeline does) and commit it at ``_ts(at)`` (``against``
    a live rev, as a merging save does; ``key``: its object, by default its own)."""
    now = _ts(_job_n(job) if at is None else at)
    if start:
        await JobsRepo(db).start_attempt(job, "validate", now, None)
    facts = None if doc is None else DocumentFacts.of(doc, search_terms=document_terms(doc))
    if key is None and doc is not None:
        key = document_key(job.test_id, job.rev)
    return await Commits(db).commit(job, now, facts, key, against)


async def _rows(db: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    return list((await db.prepare(sql).bind(*args).all())["results"])


async def _tags(db: Any, test_id: str) -> list[str]:
    rows = await _rows(db, "SELECT tag FROM test_tags WHERE test_id = ? ORDER BY tag", test_id)
    return [r["tag"] for r in rows]


async def _publish(db: Any, test_id: str, n: int, **doc: Any) -> None:
    outcome = await _commit(db, _job(test_id, n), _doc(**doc))
    assert outcome.status == "committed", outcome


async def _public_ids(db: Any, **query: Any) -> list[str]:
    args = {"tag": None, "limit": 50, "after": None, **query}
    return [s["id"] for s in await TestsRepo(db).list_public(**args)]
