"""Project SQL checks: ``async def check_*(db) -> None`` over a ``D1Database`` port.

They exercise the repositories in ``quizhub.store`` (the revision compare-and-set commit, the job
transitions, the public list) on whatever engine ``db`` is: the local platform's SQLite and
Miniflare's D1 (inside the Pyodide harness). The schema must already exist, created by the
migrations (``wrangler d1 migrations apply`` / ``LocalD1.apply_migrations``). Each check starts
by emptying the project tables. Stdlib and ``quizhub.store`` only: no pytest, no pydantic.
"""

from __future__ import annotations

from typing import Any

from quizhub.store.jobs import JobRef, JobsRepo
from quizhub.store.keys import document_key
from quizhub.store.tests import CommitOutcome, DocumentFacts, TestsRepo
from quizhub.store.timefmt import iso_ms

_BASE_MS = 1_795_000_000_000  # 2026-11-18T…Z


def _ts(seconds: int) -> str:
    """A timestamp ``seconds`` after a fixed base (ISO 8601 UTC, sortable as text)."""
    return iso_ms(_BASE_MS + seconds * 1000)


def _rev(n: int) -> str:
    """A well-formed rev; a larger ``n`` is a newer rev."""
    return f"01K{n:023d}"


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


def _job(test_id: str, n: int, *, base: int | None = None, kind: str = "save") -> JobRef:
    return JobRef(
        job_id=f"job-{test_id}-{n}",
        test_id=test_id,
        rev=_rev(n),
        base_rev=None if base is None else _rev(base),
        kind=kind,
        accepted_at=_ts(n),
    )


def _job_n(job: JobRef) -> int:
    """The ``n`` a ``_job`` was made from (its rev counter)."""
    return int(job.rev[3:])


async def _fresh(db: Any) -> None:
    tables = ("tests", "test_tags", "test_images", "jobs")
    await db.batch([db.prepare(f"DELETE FROM {table}") for table in tables])


async def _commit(
    db: Any,
    job: JobRef,
    doc: dict[str, Any] | None,
    *,
    at: int | None = None,
    start: bool = True,
) -> CommitOutcome:
    """Start the job's attempt (as the pipeline does) and commit it at ``_ts(at)``."""
    now = _ts(_job_n(job) if at is None else at)
    if start:
        await JobsRepo(db).start_attempt(job, "validate", now, None)
    facts = None if doc is None else DocumentFacts.of(doc)
    key = None if doc is None else document_key(job.test_id, job.rev)
    return await TestsRepo(db).commit(job, now, now, facts, key)


async def _rows(db: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    return list((await db.prepare(sql).bind(*args).all())["results"])


async def _tags(db: Any, test_id: str) -> list[str]:
    rows = await _rows(db, "SELECT tag FROM test_tags WHERE test_id = ? ORDER BY tag", test_id)
    return [r["tag"] for r in rows]


# ---------------------------------------------------------------- TestsRepo.commit
async def check_create_only_conflicts_when_the_test_exists(db: Any) -> None:
    """An explicit "baseRev": null is a create: it applies to a new id, conflicts on a live one,
    and applies again once the test was deleted."""
    await _fresh(db)
    first = JobRef("job-c1", "t-create", _rev(1), None, "save", _ts(1), create_only=True)
    assert (await _commit(db, first, _doc("처음"))).status == "committed"
    again = JobRef("job-c2", "t-create", _rev(2), None, "save", _ts(2), create_only=True)
    outcome = await _commit(db, again, _doc("다시 만들기"))
    assert outcome.status == "conflict", outcome
    assert "already exists" in outcome.job["error"]
    row = await TestsRepo(db).pointer("t-create")
    assert row is not None and row.rev == _rev(1)
    assert (await _commit(db, _job("t-create", 3, kind="delete"), None)).status == "committed"
    reborn = JobRef("job-c4", "t-create", _rev(4), None, "save", _ts(4), create_only=True)
    assert (await _commit(db, reborn, _doc("새로 태어남"))).status == "committed"


async def check_commit_applies_a_new_test(db: Any) -> None:
    await _fresh(db)
    outcome = await _commit(db, _job("t-new", 1), _doc(images=True))
    assert outcome.status == "committed", outcome
    assert outcome.job["committed"] == 1
    assert (outcome.job["status"], outcome.job["step"]) == ("running", "invalidate")
    row = await TestsRepo(db).pointer("t-new")
    assert row is not None
    assert (row.rev, row.status, row.deleted) == (_rev(1), "published", False)
    assert row.object_key == f"tests/t-new/{_rev(1)}.json"
    assert row.created_at == row.updated_at == _ts(1)
    assert await _tags(db, "t-new") == sorted(["여행", "성격"])
    images = await _rows(
        db, "SELECT image_key, role FROM test_images WHERE test_id = ? ORDER BY role", "t-new"
    )
    assert images == [
        {"image_key": "q1.png", "role": "question:q1"},
        {"image_key": "r1.png", "role": "result:planner"},
        {"image_key": "thumb-1.png", "role": "thumbnail"},
    ]


async def check_committed_job_can_succeed(db: Any) -> None:
    await _fresh(db)
    job = _job("t-ok", 1)
    await _commit(db, job, _doc())
    await JobsRepo(db).succeed(job.job_id, _ts(5))
    row = await JobsRepo(db).get(job.job_id)
    assert row is not None
    assert (row["status"], row["step"], row["error"], row["updated_at"]) == (
        "succeeded",
        "done",
        None,
        _ts(5),
    )


async def check_older_rev_is_superseded(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-sup", 2), _doc(tags=["새것"]))
    outcome = await _commit(db, _job("t-sup", 1), _doc(tags=["옛것"]), at=3)
    assert outcome.status == "superseded", outcome
    assert outcome.job["committed"] == 0
    assert outcome.job["step"] == "done"
    assert _rev(2) in outcome.job["error"] and outcome.job["error"].startswith("superseded")
    row = await TestsRepo(db).pointer("t-sup")
    assert row is not None and row.rev == _rev(2)
    assert await _tags(db, "t-sup") == ["새것"]


async def check_same_rev_twice_is_superseded(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-same", 4), _doc())
    again = JobRef("job-other", "t-same", _rev(4), None, "save", _ts(4))
    outcome = await _commit(db, again, _doc(title="다른 제목"), at=6)
    assert outcome.status == "superseded", outcome
    summaries = await TestsRepo(db).list_all()
    assert [s["title"] for s in summaries] == ["나의 여행 성향 테스트"]


async def check_stale_base_rev_is_a_conflict(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-conf", 1), _doc())
    await _commit(db, _job("t-conf", 2), _doc(title="두 번째"))  # no base rev: no check
    outcome = await _commit(db, _job("t-conf", 3, base=1), _doc(title="세 번째"))
    assert outcome.status == "conflict", outcome
    assert outcome.job["error"] == (
        f"conflict: the test changed since it was loaded (loaded {_rev(1)}, now {_rev(2)})"
    )
    row = await TestsRepo(db).pointer("t-conf")
    assert row is not None and row.rev == _rev(2)


async def check_matching_base_rev_commits(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-base", 1), _doc())
    outcome = await _commit(db, _job("t-base", 2, base=1), _doc(title="고친 제목"))
    assert outcome.status == "committed", outcome
    [summary] = await TestsRepo(db).list_all()
    assert (summary["rev"], summary["title"]) == (_rev(2), "고친 제목")


async def check_base_rev_of_a_missing_test_is_a_conflict(db: Any) -> None:
    await _fresh(db)
    outcome = await _commit(db, _job("t-gone", 2, base=1), _doc())
    assert outcome.status == "conflict", outcome
    assert outcome.job["error"].endswith(f"(loaded {_rev(1)}, now none)")
    assert await TestsRepo(db).pointer("t-gone") is None


async def check_recommitting_a_committed_job_is_already_committed(db: Any) -> None:
    await _fresh(db)
    job = _job("t-again", 1)
    assert (await _commit(db, job, _doc())).status == "committed"
    again = await _commit(db, job, _doc(), at=2)
    assert again.status == "already-committed", again
    assert again.job["attempts"] == 2
    await JobsRepo(db).succeed(job.job_id, _ts(3))
    after = await _commit(db, job, _doc(), at=4)
    assert after.status == "terminal", after
    assert after.job["status"] == "succeeded"


async def check_commit_of_a_failed_job_changes_nothing(db: Any) -> None:
    await _fresh(db)
    job = _job("t-failed", 1)
    await JobsRepo(db).start_attempt(job, "validate", _ts(1), None)
    await JobsRepo(db).fail(job, "invalid: no questions", _ts(2))
    outcome = await _commit(db, job, _doc(), at=3, start=False)
    assert outcome.status == "terminal", outcome
    assert (outcome.job["status"], outcome.job["committed"]) == ("failed", 0)
    assert await TestsRepo(db).pointer("t-failed") is None
    assert await _tags(db, "t-failed") == []


async def check_delete_tombstones_the_pointer(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-del", 1), _doc(images=True))
    outcome = await _commit(db, _job("t-del", 2, kind="delete"), None)
    assert outcome.status == "committed", outcome
    row = await TestsRepo(db).pointer("t-del")
    assert row is not None
    assert (row.rev, row.deleted, row.object_key) == (_rev(2), True, None)
    assert await _tags(db, "t-del") == []
    assert await _rows(db, "SELECT * FROM test_images WHERE test_id = ?", "t-del") == []
    assert await TestsRepo(db).list_all() == []
    assert await TestsRepo(db).list_public(q=None, tag=None, limit=10, after=None) == []
    late_job = JobRef("job-late", "t-del", _rev(1), None, "save", _ts(1))
    late = await _commit(db, late_job, _doc(), at=5)  # a late, older save
    assert late.status == "superseded", late


async def check_resave_keeps_created_at_and_replaces_tags(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-re", 1), _doc(tags=["가", "나"]))
    await _commit(db, _job("t-re", 2), _doc(tags=["나", "다"]))
    row = await TestsRepo(db).pointer("t-re")
    assert row is not None
    assert (row.created_at, row.updated_at) == (_ts(1), _ts(2))
    assert await _tags(db, "t-re") == ["나", "다"]


async def check_resave_after_delete_starts_a_new_life(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-life", 1), _doc())
    await _commit(db, _job("t-life", 2, kind="delete"), None)
    outcome = await _commit(db, _job("t-life", 3), _doc(title="부활"))
    assert outcome.status == "committed", outcome
    row = await TestsRepo(db).pointer("t-life")
    assert row is not None
    assert (row.deleted, row.created_at, row.object_key) == (
        False,
        _ts(3),
        f"tests/t-life/{_rev(3)}.json",
    )


# ---------------------------------------------------------------- JobsRepo
async def check_unknown_job_is_none(db: Any) -> None:
    await _fresh(db)
    assert await JobsRepo(db).get("job-never") is None


async def check_start_attempt_creates_then_counts(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-att", 1, base=0)
    first = await jobs.start_attempt(job, "validate", _ts(10), "staging/job-t-att-1.json")
    assert first["status"] == "running" and first["attempts"] == 1
    assert (first["rev"], first["base_rev"], first["kind"]) == (_rev(1), _rev(0), "save")
    assert (first["body_ref"], first["accepted_at"], first["updated_at"]) == (
        "staging/job-t-att-1.json",
        _ts(1),
        _ts(10),
    )
    assert (first["committed"], first["error"]) == (0, None)
    second = await jobs.start_attempt(job, "validate", _ts(11), None)
    assert (second["attempts"], second["updated_at"]) == (2, _ts(11))
    assert second["body_ref"] == "staging/job-t-att-1.json"  # the first delivery's stays


async def check_start_attempt_keeps_a_terminal_job_terminal(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-term", 1)
    await _commit(db, job, _doc())
    await jobs.succeed(job.job_id, _ts(2))
    again = await jobs.start_attempt(job, "validate", _ts(9), None)
    assert (again["status"], again["attempts"], again["updated_at"]) == ("succeeded", 2, _ts(2))


async def check_set_step_and_note_error_touch_only_running_jobs(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    running, failed = _job("t-run", 1), _job("t-run", 2)
    await jobs.start_attempt(running, "validate", _ts(1), None)
    await jobs.fail(failed, "permanent", _ts(2))
    for job in (running, failed):
        await jobs.set_step(job.job_id, "put-r2", _ts(3))
        await jobs.note_error(job.job_id, "transient: " + "x" * 2000, _ts(4))
    row = await jobs.get(running.job_id)
    assert row is not None
    assert (row["step"], row["updated_at"], len(row["error"])) == ("put-r2", _ts(4), 1000)
    dead = await jobs.get(failed.job_id)
    assert dead is not None
    assert (dead["status"], dead["step"], dead["error"]) == ("failed", "failed", "permanent")


async def check_succeed_requires_a_committed_job(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    job = _job("t-unc", 1)
    await jobs.start_attempt(job, "validate", _ts(1), None)
    await jobs.succeed(job.job_id, _ts(2))
    row = await jobs.get(job.job_id)
    assert row is not None and row["status"] == "running"


async def check_fail_creates_the_row_and_never_overrides_terminal(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    lost = _job("t-fail", 1)
    await jobs.fail(lost, "invalid: " + "가" * 1500, _ts(5))
    row = await jobs.get(lost.job_id)
    assert row is not None
    assert (row["status"], row["step"], row["attempts"]) == ("failed", "failed", 1)
    assert len(row["error"]) == 1000 and row["error"].endswith("가")
    done = _job("t-fail", 2)
    await _commit(db, done, _doc())
    await jobs.succeed(done.job_id, _ts(6))
    await jobs.fail(done, "dead-lettered", _ts(7))
    after = await jobs.get(done.job_id)
    assert after is not None
    assert (after["status"], after["error"], after["updated_at"]) == ("succeeded", None, _ts(6))


async def check_fail_stuck_fails_only_old_open_jobs(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    old, old_err, new, old_done = (
        _job("t-s1", 1),
        _job("t-s2", 2),
        _job("t-s3", 50),
        _job("t-s4", 3),
    )
    for job in (old, old_err, new):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error(old_err.job_id, "transient: R2 503", _ts(4))
    await _commit(db, old_done, _doc())
    await jobs.succeed(old_done.job_id, _ts(4))
    swept = await jobs.fail_stuck(_ts(10), _ts(100))
    assert swept == 2
    rows = {r["job_id"]: r for r in await _rows(db, "SELECT * FROM jobs")}
    timeout = "timeout: the job did not finish within its retry budget"
    assert (rows[old.job_id]["status"], rows[old.job_id]["error"]) == ("failed", timeout)
    assert rows[old_err.job_id]["error"] == f"{timeout} (last error: transient: R2 503)"
    assert rows[old_err.job_id]["updated_at"] == _ts(100)
    assert rows[new.job_id]["status"] == "running"
    assert rows[old_done.job_id]["status"] == "succeeded"
    assert await jobs.fail_stuck(_ts(10), _ts(101)) == 0


async def check_latest_for_tests_returns_the_newest_rev_of_each_test(db: Any) -> None:
    await _fresh(db)
    jobs = JobsRepo(db)
    for job in (_job("t-a", 1), _job("t-a", 3), _job("t-a", 2), _job("t-b", 5)):
        await jobs.start_attempt(job, "validate", _ts(_job_n(job)), None)
    await jobs.note_error("job-t-a-3", "transient: D1 busy", _ts(6))
    latest = await jobs.latest_for_tests()
    assert set(latest) == {"t-a", "t-b"}
    assert latest["t-a"] == {
        "test_id": "t-a",
        "job_id": "job-t-a-3",
        "rev": _rev(3),
        "status": "running",
        "step": "validate",
        "error": "transient: D1 busy",
    }
    assert latest["t-b"]["job_id"] == "job-t-b-5"


# ---------------------------------------------------------------- TestsRepo.list_public
async def _publish(db: Any, test_id: str, n: int, **doc: Any) -> None:
    outcome = await _commit(db, _job(test_id, n), _doc(**doc))
    assert outcome.status == "committed", outcome


async def _public_ids(db: Any, **query: Any) -> list[str]:
    args = {"q": None, "tag": None, "limit": 50, "after": None, **query}
    return [s["id"] for s in await TestsRepo(db).list_public(**args)]


async def check_list_public_is_newest_first_without_drafts_or_deleted(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-old", 1)
    await _publish(db, "p-draft", 2, status="draft")
    await _publish(db, "p-new", 3)
    await _publish(db, "p-del", 4)
    await _commit(db, _job("p-del", 5, kind="delete"), None)
    assert await _public_ids(db) == ["p-new", "p-old"]
    assert [s["id"] for s in await TestsRepo(db).list_all()] == ["p-new", "p-draft", "p-old"]


async def check_list_public_summary_shape(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-shape", 7, tags=["여행", "MBTI"], images=True)
    [summary] = await TestsRepo(db).list_public(q=None, tag=None, limit=5, after=None)
    assert summary == {
        "id": "p-shape",
        "rev": _rev(7),
        "status": "published",
        "title": "나의 여행 성향 테스트",
        "description": "몇 가지 질문으로 알아보는 여행 스타일",
        "tags": ["여행", "MBTI"],
        "thumbnail": "thumb-1.png",
        "questionCount": 2,
        "createdAt": _ts(7),
        "updatedAt": _ts(7),
    }


async def check_list_public_paginates_with_the_after_cursor(db: Any) -> None:
    await _fresh(db)
    # p-c and p-b share updated_at: the id breaks the tie (descending).
    await _publish(db, "p-a", 1)
    await _publish(db, "p-b", 2)
    await _commit(db, _job("p-c", 3), _doc(), at=2)
    await _publish(db, "p-d", 4)
    await _publish(db, "p-e", 5)
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await TestsRepo(db).list_public(q=None, tag=None, limit=2, after=after)
        seen += [s["id"] for s in page]
        if len(page) < 2:
            break
        after = (page[-1]["updatedAt"], page[-1]["id"])
    assert seen == ["p-e", "p-d", "p-c", "p-b", "p-a"]


async def check_list_public_search_matches_korean_and_case_folded_substrings(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-trip", 1, title="나와 어울리는 여행지는?", tags=["여행"])
    await _publish(db, "p-mbti", 2, title="MBTI 연애 유형", description="연애할 때 나는", tags=[])
    await _publish(db, "p-food", 3, title="음식 취향", description="맛집", tags=["먹방"])
    assert await _public_ids(db, q="여행") == ["p-trip"]
    assert await _public_ids(db, q="mbti") == ["p-mbti"]
    assert await _public_ids(db, q="연애할") == ["p-mbti"]  # the description counts
    assert await _public_ids(db, q="먹방") == ["p-food"]  # and so do the tags
    assert await _public_ids(db, q="없는말") == []
    assert await _public_ids(db, q="%") == []  # no LIKE wildcards


async def check_list_public_filters_by_tag(db: Any) -> None:
    await _fresh(db)
    await _publish(db, "p-t1", 1, tags=["여행", "성격"])
    await _publish(db, "p-t2", 2, tags=["성격"])
    await _publish(db, "p-t3", 3, tags=["여행성격"])
    assert await _public_ids(db, tag="성격") == ["p-t2", "p-t1"]
    assert await _public_ids(db, tag="여행") == ["p-t1"]
    assert await _public_ids(db, tag="없음") == []


async def check_list_public_combines_search_tag_and_limit(db: Any) -> None:
    await _fresh(db)
    for n in range(1, 6):
        await _publish(db, f"p-m{n}", n, title=f"여행 테스트 {n}", tags=["여행"] if n % 2 else [])
    assert await _public_ids(db, q="여행", tag="여행") == ["p-m5", "p-m3", "p-m1"]
    assert await _public_ids(db, q="여행", tag="여행", limit=2) == ["p-m5", "p-m3"]
    assert await _public_ids(db, q="테스트 4") == ["p-m4"]
