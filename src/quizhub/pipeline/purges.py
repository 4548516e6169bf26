"""Purge debt (docs/pipeline.md#live-and-its-staleness-bound): owed when the purge after a
commit fails, paid by the cron sweep.

The invalidate step (``quizhub.pipeline.steps.invalidate``) owes a purge whenever its purge
attempt fails (so public reads skip the caches while its retries are pending), and pays the
test's debts up to its rev when its purge succeeds; a job that gives up owes one in the same
transaction as its warning (``quizhub.store.jobs``). The sweep retries what is owed, with a
longer backoff than a job's, until the purge succeeds: purges are rate-limited per account, so
it asks the zone once per run for every due debt together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from quizhub.bindings import Bindings
from quizhub.domain.backoff import backoff_seconds
from quizhub.domain.wire import iso_ms
from quizhub.edge.cdn import tags_for_test, urls_for_test
from quizhub.store.keys import kv_test_key
from quizhub.store.purges import PurgeDebt, PurgeDebtRepo

__all__ = [
    "DEBTS_PER_SWEEP",
    "PURGE_RETRY_BASE_SECONDS",
    "PURGE_RETRY_MAX_SECONDS",
    "DebtSweep",
    "purge_reason",
    "pay_purge_debts",
    "purge_retry_seconds",
]

log = logging.getLogger("quizhub.pipeline.purges")

# The sweep's backoff between attempts to pay one debt: the cron's own period (5 min on
# Cloudflare), doubling, at most half an hour. A job retries its purge within minutes; a purge
# still failing after that is a rate limit or an outage, which asking more often only prolongs.
PURGE_RETRY_BASE_SECONDS = 300
PURGE_RETRY_MAX_SECONDS = 1800
# Debts paid by one sweep: one purge request for all of them (a tag or URL per test, well under
# a request's limit) and one KV delete each, inside the cron's subrequest budget.
DEBTS_PER_SWEEP = 25


def purge_retry_seconds(attempts: int) -> int:
    """The wait after the sweep's ``attempts``-th failed attempt to pay a debt."""
    return backoff_seconds(PURGE_RETRY_BASE_SECONDS, PURGE_RETRY_MAX_SECONDS, attempts)


@dataclass(frozen=True)
class DebtSweep:
    """What one sweep did with the purge debts: paid (deleted), postponed (the purge failed)."""

    paid: int = 0
    postponed: int = 0


async def pay_purge_debts(b: Bindings) -> DebtSweep:
    """The cron sweep's part: one attempt at every debt that is due. Drops the KV copies and
    purges the tests' tags (or URLs) in one request; on success deletes each debt whose rev is
    still the one purged for, else counts the attempt and backs off."""
    now_ms = b.clock_ms()
    debts = PurgeDebtRepo(b.db)
    due = await debts.due(iso_ms(now_ms), DEBTS_PER_SWEEP)
    if not due:
        return DebtSweep()
    try:
        await _purge(b, due)
    except Exception as exc:  # noqa: BLE001 - still failing: back off and try again later
        reason = purge_reason(exc)
        retries = [(d, iso_ms(now_ms + purge_retry_seconds(d.attempts + 1) * 1000)) for d in due]
        await debts.postpone(retries, reason)
        log.warning("sweep: %d purge(s) still owed (%s)", len(due), reason)
        return DebtSweep(postponed=len(due))
    paid = await debts.paid(due)
    log.info("sweep: %d owed purge(s) paid", paid)
    return DebtSweep(paid=paid)


async def _purge(b: Bindings, due: list[PurgeDebt]) -> None:
    tags: list[str] = []
    urls: list[str] = []
    for debt in due:
        # A job that gave up may never have dropped its KV copy.
        await b.kv.delete(kv_test_key(debt.test_id))
        # Each test's tag and URL; the lists' tag and URL (shared by every test) once.
        tags += [t for t in tags_for_test(debt.test_id) if t not in tags]
        urls += [u for u in urls_for_test(b.settings.public_origin, debt.test_id) if u not in urls]
    await b.purger.purge(tags=tags, urls=urls)


def purge_reason(exc: BaseException) -> str:
    """How a failed purge is kept on its debt."""
    return f"{type(exc).__name__}: {str(exc)[:300]}"
