"""Project-SQL checks of the revision compare-and-set commit (conventions:
``tests/contract/_store_support.py``)."""

from __future__ import annotations

from typing import Any

from quizhub.domain.jobs import JobError
from quizhub.domain.preconditions import Precondition
from quizhub.errors import Code
from quizhub.store.commit import Against
from quizhub.store.jobs import JobRef, JobsRepo
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import VersionsRepo
from tests.contract._store_support import (
    _commit,
    _doc,
    _error,
    _fresh,
    _job,
    _rev,
    _rows,
    _tags,
    _ts,
)


# ---------------------------------------------------------------- Commits.commit
async def check_create_only_conflicts_when_the_test_exists(db: Any) -> None:
    """An explicit "baseRev": null is a create: it applies to a new id, conflicts on a live one,
    and applies again once the test was deleted."""
    await _fresh(db)
    first = JobRef("job-c1", "t-create", _rev(1), "save", _ts(1), Precondition(create_only=True))
    assert (await _commit(db, first, _doc("처음"))).status == "committed"
    again = JobRef("job-c2", "t-create", _rev(2), "save", _ts(2), Precondition(create_only=True))
    outcome = await _commit(db, again, _doc("다시 만들기"))
    assert outcome.status == "conflict", outcome
    assert "already exists" in outcome.job.error
    coded = (outcome.job.error_code, outcome.job.error_params)
    assert coded == ("test_exists", {"liveRev": _rev(1)})
    row = await TestsRepo(db).pointer("t-create")
    assert row is not None and row.rev == _rev(1)
    assert (await _commit(db, _job("t-create", 3, kind="delete"), None)).status == "committed"
    reborn = JobRef("job-c4", "t-create", _rev(4), "save", _ts(4), Precondition(create_only=True))
    assert (await _commit(db, reborn, _doc("새로 태어남"))).status == "committed"


async def check_a_delete_that_commits_first_supersedes_older_saves(db: Any) -> None:
    """Jobs of one test may commit in any order (concurrent Workflow instances): a delete with
    the newest rev that commits before the test's older saves leaves a tombstone, so those
    saves are superseded and the test stays deleted."""
    await _fresh(db)
    assert (await _commit(db, _job("t-gone", 3, kind="delete"), None)).status == "committed"
    older = await _commit(db, _job("t-gone", 2), _doc("늦게 온 저장"))
    assert older.status == "superseded", older
    row = await TestsRepo(db).pointer("t-gone")
    assert row is not None and (row.rev, row.deleted, row.object_key) == (_rev(3), True, None)


async def check_commit_applies_a_new_test(db: Any) -> None:
    await _fresh(db)
    outcome = await _commit(db, _job("t-new", 1), _doc(images=True))
    assert outcome.status == "committed", outcome
    assert outcome.job.committed == 1
    assert (outcome.job.status, outcome.job.step) == ("running", "invalidate")
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
    assert (row.status, row.step, row.error, row.updated_at) == (
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
    assert outcome.job.committed == 0
    assert outcome.job.step == "done"
    assert _rev(2) in outcome.job.error and outcome.job.error.startswith("superseded")
    coded = (outcome.job.error_code, outcome.job.error_params)
    assert coded == ("superseded", {"liveRev": _rev(2)})
    row = await TestsRepo(db).pointer("t-sup")
    assert row is not None and row.rev == _rev(2)
    assert await _tags(db, "t-sup") == ["새것"]


async def check_same_rev_twice_is_superseded(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-same", 4), _doc())
    again = JobRef("job-other", "t-same", _rev(4), "save", _ts(4))
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
    assert outcome.job.error == (
        f"conflict: the test changed since it was loaded (loaded {_rev(1)}, now {_rev(2)})"
    )
    changed = {"baseRev": _rev(1), "liveRev": _rev(2)}
    assert (outcome.job.error_code, outcome.job.error_params) == ("changed_since_loaded", changed)
    row = await TestsRepo(db).pointer("t-conf")
    assert row is not None and row.rev == _rev(2)


async def check_matching_base_rev_commits(db: Any) -> None:
    await _fresh(db)
    await _commit(db, _job("t-base", 1), _doc())
    outcome = await _commit(db, _job("t-base", 2, base=1), _doc(title="고친 제목"))
    assert outcome.status == "committed", outcome
    assert (outcome.job.error_code, outcome.job.error_params) == (None, None)
    [summary] = await TestsRepo(db).list_all()
    assert (summary["rev"], summary["title"]) == (_rev(2), "고친 제목")


async def check_base_rev_of_a_missing_test_is_a_conflict(db: Any) -> None:
    await _fresh(db)
    outcome = await _commit(db, _job("t-gone", 2, base=1), _doc())
    assert outcome.status == "conflict", outcome
    assert outcome.job.error.endswith(f"(loaded {_rev(1)}, now none)")
    assert outcome.job.error_params == {"baseRev": _rev(1), "liveRev": None}
    assert await TestsRepo(db).pointer("t-gone") is None


async def check_a_commit_against_a_moved_live_rev_applies_nothing(db: Any) -> None:
    """A merging save compares against the live rev its merge used: when another rev is live
    it ends ``moved`` (its job row as it was, nothing applied) and the next round, against the
    rev that is live, applies with its merge facts and merged object."""
    await _fresh(db)
    await _commit(db, _job("t-mv", 1), _doc())
    await _commit(db, _job("t-mv", 2), _doc(title="두 번째"))
    job = _job("t-mv", 3, base=1)
    await JobsRepo(db).start_attempt(job, "validate", _ts(3), None)
    before = await JobsRepo(db).get(job.job_id)
    moved = await _commit(db, job, _doc(title="세 번째"), start=False, against=Against(_rev(1)))
    assert moved.status == "moved", moved
    assert moved.job == before
    pointer = await TestsRepo(db).pointer("t-mv")
    assert pointer is not None and pointer.rev == _rev(2)
    assert await VersionsRepo(db).get("t-mv", _rev(3)) is None
    facts = {"liveRev": _rev(2), "fromLive": ["title"], "fromIncoming": [], "truncated": False}
    key = f"tests/t-mv/{_rev(3)}.merged-{_rev(2)}.json"
    applied = await _commit(
        db, job, _doc(title="두 번째"), start=False, against=Against(_rev(2), merge=facts), key=key
    )
    assert applied.status == "committed", applied
    assert (applied.job.merge_facts, applied.job.conflicts) == (facts, None)
    pointer = await TestsRepo(db).pointer("t-mv")
    assert pointer is not None and (pointer.rev, pointer.object_key) == (_rev(3), key)
    version = await VersionsRepo(db).get("t-mv", _rev(3))
    assert version is not None and version.object_key == key


async def check_an_overlapping_merge_is_a_conflict_while_its_live_rev_is_live(db: Any) -> None:
    """Conflicts found against the live rev end the job ``conflict`` with them and their error;
    found against a rev that is no longer live, they are dropped and the job merges again."""
    await _fresh(db)
    await _commit(db, _job("t-ov", 1), _doc())
    await _commit(db, _job("t-ov", 2), _doc(title="두 번째"))
    found = {"items": [{"path": "title", "base": "a", "live": "b", "incoming": "c"}], "total": 1}
    params = {"baseRev": _rev(1), "liveRev": _rev(2), "paths": ["title"], "count": 1}
    error = JobError(Code.MERGE_CONFLICT, "conflict: title", params)
    stale = Against(_rev(1), conflicts=found, error=error)
    moved = await _commit(db, _job("t-ov", 3, base=1), _doc(title="셋"), against=stale)
    assert (moved.status, moved.job.conflicts, moved.job.error) == ("moved", None, None)
    assert (moved.job.error_code, moved.job.error_params) == (None, None)
    live = Against(_rev(2), conflicts=found, error=error)
    outcome = await _commit(db, _job("t-ov", 4, base=1), _doc(title="넷"), against=live)
    assert outcome.status == "conflict", outcome
    assert (outcome.job.conflicts, outcome.job.error) == (found, "conflict: title")
    assert (outcome.job.error_code, outcome.job.error_params) == ("merge_conflict", params)
    assert (outcome.job.step, outcome.job.merge_facts) == ("done", None)
    pointer = await TestsRepo(db).pointer("t-ov")
    assert pointer is not None and pointer.rev == _rev(2)


async def check_a_merge_never_moves_the_pointer_back(db: Any) -> None:
    """A save older than the live rev is superseded, merge or not; a save based on a rev of a
    test deleted since is a conflict saying so."""
    await _fresh(db)
    await _commit(db, _job("t-old", 1), _doc())
    await _commit(db, _job("t-old", 3), _doc(title="셋"))
    older = await _commit(db, _job("t-old", 2, base=1), _doc(), against=Against(_rev(3)))
    assert older.status == "superseded", older
    await _commit(db, _job("t-old", 4, kind="delete"), None)
    late = await _commit(db, _job("t-old", 5, base=3), _doc(title="다섯"))
    assert late.status == "conflict" and "was deleted since it was loaded" in str(late.job.error)
    assert late.job.error_code == "deleted_since_loaded"
    assert late.job.error_params == {"baseRev": _rev(3), "liveRev": _rev(4)}


async def check_recommitting_a_committed_job_is_already_committed(db: Any) -> None:
    await _fresh(db)
    job = _job("t-again", 1)
    assert (await _commit(db, job, _doc())).status == "committed"
    again = await _commit(db, job, _doc(), at=2)
    assert again.status == "already-committed", again
    assert again.job.attempts == 2
    await JobsRepo(db).succeed(job.job_id, _ts(3))
    after = await _commit(db, job, _doc(), at=4)
    assert after.status == "terminal", after
    assert after.job.status == "succeeded"


async def check_commit_of_a_failed_job_changes_nothing(db: Any) -> None:
    await _fresh(db)
    job = _job("t-failed", 1)
    await JobsRepo(db).start_attempt(job, "validate", _ts(1), None)
    await JobsRepo(db).fail(job, _error("invalid: no questions"), _ts(2))
    outcome = await _commit(db, job, _doc(), at=3, start=False)
    assert outcome.status == "terminal", outcome
    assert (outcome.job.status, outcome.job.committed) == ("failed", 0)
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
    assert await TestsRepo(db).list_public(tag=None, limit=10, after=None) == []
    late_job = JobRef("job-late", "t-del", _rev(1), "save", _ts(1))
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


# ---------------------------------------------------------------- versions, saved and live
async def check_every_committed_save_is_a_version_written_by_the_commit_batch(db: Any) -> None:
    """The commit batch adds one version row per committed save (newest first when listed);
    conflicts, superseded saves and deletes add none."""
    await _fresh(db)
    await db.prepare("DELETE FROM test_versions").run()
    await _commit(db, _job("t-ver", 1), _doc("첫 번째"))
    await _commit(db, _job("t-ver", 3, base=1), _doc("두 번째", status="draft"))
    assert (await _commit(db, _job("t-ver", 2), _doc("늦은 저장"))).status == "superseded"
    assert (await _commit(db, _job("t-ver", 4, base=1), _doc("충돌"))).status == "conflict"
    await _commit(db, _job("t-ver", 5, kind="delete"), None)
    rows = await VersionsRepo(db).page("t-ver", limit=10, before=None)
    assert [(v.rev, v.title, v.status, v.job_id) for v in rows] == [
        (_rev(3), "두 번째", "draft", "job-t-ver-3"),
        (_rev(1), "첫 번째", "published", "job-t-ver-1"),
    ]
    assert [v.saved_at for v in rows] == [_ts(3), _ts(1)]
    assert rows[0].object_key == f"tests/t-ver/{_rev(3)}.json" and rows[0].author is None
    older = await VersionsRepo(db).page("t-ver", limit=10, before=_rev(3))
    assert [v.rev for v in older] == [_rev(1)]
    assert await VersionsRepo(db).get("t-ver", _rev(2)) is None


async def check_a_commit_records_committed_at_and_the_purge_live_at(db: Any) -> None:
    """committed_at is set by the commit batch; live_at once, and only for a committed job."""
    await _fresh(db)
    job = _job("t-live", 1)
    await JobsRepo(db).start_attempt(job, "validate", _ts(1), None)
    await JobsRepo(db).mark_live(job.job_id, _ts(1))  # not committed: no live_at
    row = await JobsRepo(db).get(job.job_id)
    assert row is not None and (row.committed_at, row.live_at) == (None, None)
    await _commit(db, job, _doc(), at=2, start=False)
    await JobsRepo(db).mark_live(job.job_id, _ts(3))
    await JobsRepo(db).mark_live(job.job_id, _ts(4))  # a repeat keeps the first
    row = await JobsRepo(db).get(job.job_id)
    assert row is not None and (row.committed_at, row.live_at) == (_ts(2), _ts(3))
    assert (row.to_json()["committedAt"], row.to_json()["liveAt"]) == (_ts(2), _ts(3))
