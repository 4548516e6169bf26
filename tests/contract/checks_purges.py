"""Project-SQL checks of purge debt (conventions: ``tests/contract/_store_support.py``): the
debt keeps the newest rev, a purge pays only the rev it was for, and a job that gives up after
its commit owes its purge in the same transaction as its warning."""

from __future__ import annotations

from typing import Any

from quizhub.store.jobs import JobsRepo
from quizhub.store.purges import PurgeDebtRepo
from tests.contract._store_support import (
    _BASE_MS,
    _CAUSE,
    _commit,
    _doc,
    _error,
    _fresh,
    _job,
    _rev,
    _ts,
)


async def check_nothing_is_owed_until_a_purge_fails(db: Any) -> None:
    await _fresh(db)
    debts = PurgeDebtRepo(db)
    assert await debts.owed("t-none") is None
    assert await debts.get("t-none") is None
    assert await debts.due(_ts(100), 10) == []


async def check_a_debt_keeps_the_newest_rev_and_its_backoff(db: Any) -> None:
    """Owing again for a newer rev raises the rev; for an older one changes nothing but the
    error; neither resets the sweep's attempts or its next attempt."""
    await _fresh(db)
    debts = PurgeDebtRepo(db)
    await debts.owe("t-owe", _rev(2), _ts(2), "429 " + "x" * 2000)
    debt = await debts.get("t-owe")
    assert debt is not None
    assert (debt.rev, debt.since, debt.attempts, debt.next_at) == (_rev(2), _ts(2), 0, _ts(2))
    assert debt.error is not None and len(debt.error) == 1000
    await debts.postpone([(debt, _ts(300))], "still 429")
    await debts.owe("t-owe", _rev(5), _ts(6), "503")
    await debts.owe("t-owe", _rev(3), _ts(7), "late 429")
    after = await debts.get("t-owe")
    assert after is not None
    assert (after.rev, after.since, after.attempts, after.next_at, after.error) == (
        _rev(5),
        _ts(2),
        1,
        _ts(300),
        "late 429",
    )
    assert await debts.owed("t-owe") == _rev(5)


async def check_due_lists_only_debts_whose_next_attempt_has_come(db: Any) -> None:
    await _fresh(db)
    debts = PurgeDebtRepo(db)
    for n, test_id in enumerate(["t-a", "t-b", "t-c"], start=1):
        await debts.owe(test_id, _rev(n), _ts(n), "429")
    b = await debts.get("t-b")
    assert b is not None
    await debts.postpone([(b, _ts(400))], "429")
    assert [d.test_id for d in await debts.due(_ts(10), 10)] == ["t-a", "t-c"]
    assert [d.test_id for d in await debts.due(_ts(10), 1)] == ["t-a"]
    assert [d.test_id for d in await debts.due(_ts(400), 10)] == ["t-a", "t-c", "t-b"]


async def check_a_purge_pays_only_the_rev_it_was_for(db: Any) -> None:
    """The sweep read the debt at rev 2 and purged; a newer save owed rev 4 meanwhile: the
    success deletes nothing, and the debt at rev 4 is paid by a purge read for rev 4."""
    await _fresh(db)
    debts = PurgeDebtRepo(db)
    await debts.owe("t-pay", _rev(2), _ts(2), "429")
    await debts.owe("t-other", _rev(1), _ts(1), "429")
    read = await debts.due(_ts(3), 10)
    await debts.owe("t-pay", _rev(4), _ts(4), "429")
    assert await debts.paid(read) == 1  # t-other only
    assert await debts.owed("t-pay") == _rev(4) and await debts.owed("t-other") is None
    assert await debts.paid(await debts.due(_ts(5), 10)) == 1
    assert await debts.all() == []
    assert await debts.paid([]) == 0


async def check_a_jobs_own_purge_pays_its_rev_and_older_ones_only(db: Any) -> None:
    await _fresh(db)
    debts = PurgeDebtRepo(db)
    await debts.owe("t-up", _rev(4), _ts(4), "429")
    await debts.paid_up_to("t-up", _rev(3))
    assert await debts.owed("t-up") == _rev(4)
    await debts.paid_up_to("t-up", _rev(4))
    assert await debts.owed("t-up") is None
    await debts.owe("t-up", _rev(5), _ts(5), "429")
    await debts.paid_up_to("t-up", _rev(6))
    assert await debts.owed("t-up") is None


async def check_a_job_that_gives_up_after_its_commit_owes_its_purge(db: Any) -> None:
    """The dead-letter path (``JobsRepo.fail``): a committed save never made live ends warned
    and owes its purge; a live one, an uncommitted one and a finished one owe nothing."""
    await _fresh(db)
    jobs, debts = JobsRepo(db), PurgeDebtRepo(db)
    stale = _job("t-give", 1)
    await _commit(db, stale, _doc())
    await jobs.fail(stale, _error("gave up after 6 attempts (last error: 429)"), _ts(9))
    row = await jobs.get(stale.job_id)
    assert row is not None and row.status == "succeeded" and row.live_at is None
    assert (row.error or "").startswith("saved and live, but invalidating caches")
    assert (row.error_code, row.error_params) == (
        "purge_incomplete",
        {"owed": True, "cause": _CAUSE},
    )
    debt = await debts.get("t-give")
    assert debt is not None
    assert (debt.rev, debt.since, debt.next_at) == (_rev(1), _ts(9), _ts(9))
    assert (debt.error or "").startswith("gave up after 6 attempts")

    live = _job("t-live", 1)
    await _commit(db, live, _doc())
    await jobs.mark_live(live.job_id, _ts(2))
    await jobs.fail(live, _error("gave up after 6 attempts"), _ts(9))
    never = _job("t-never", 1)
    await jobs.start_attempt(never, "validate", _ts(1), None)
    await jobs.fail(never, _error("gave up after 6 attempts"), _ts(9))
    done = _job("t-done", 1)
    await _commit(db, done, _doc())
    await jobs.succeed(done.job_id, _ts(2))
    await jobs.fail(done, _error("a late dead letter"), _ts(9))
    assert [d.test_id for d in await debts.all()] == ["t-give"]


async def check_the_sweep_ending_a_committed_job_owes_its_purge(db: Any) -> None:
    """The sweep ends an overdue committed job warned; one whose purge never succeeded owes it
    (its last error kept), one already live does not."""
    await _fresh(db)
    jobs, debts = JobsRepo(db), PurgeDebtRepo(db)
    stuck, live = _job("t-stuck", 1), _job("t-gone-live", 2)
    for job in (stuck, live):
        await _commit(db, job, _doc())
    await jobs.note_error(stuck.job_id, _error("attempt 3: zone purge answered 429"), _ts(3))
    await jobs.mark_live(live.job_id, _ts(3))
    await jobs.note_error(live.job_id, _error("attempt 2: index queue down"), _ts(3))
    overdue = await jobs.sweep_overdue(
        _BASE_MS + 500_000, budget_seconds=90, retention_seconds=1000, quiet_seconds=60
    )
    assert overdue.live == 2
    for job in (stuck, live):
        row = await jobs.get(job.job_id)
        assert row is not None and row.status == "succeeded"
    debt = await debts.get("t-stuck")
    assert debt is not None and debt.rev == _rev(1)
    assert "zone purge answered 429" in (debt.error or "")
    assert await debts.owed("t-gone-live") is None
