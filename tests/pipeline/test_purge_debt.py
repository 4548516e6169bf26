"""Purge debt: a purge that fails is owed, the public read path skips every cache of a test that
is owed one, and the cron sweep retries it (backing off) until it succeeds, paying only what the
purge was for (docs/pipeline.md#live-and-its-staleness-bound)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings, SaveMode
from quizhub.edge.cdn import detail_url
from quizhub.errors import Code, Transient
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.purges import PURGE_RETRY_BASE_SECONDS, purge_retry_seconds
from quizhub.ports import CachedResponse
from quizhub.reads.detail import published_detail
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import kv_test_key
from quizhub.store.purges import PurgeDebtRepo
from tests.fakes import FakeClock, FlakyWrap, make_platform, run
from tests.pipeline.conftest import save

# A zone purge is configured: edge copies of a detail live for a day unless purged.
ZONE = {"cf_api_token": "token", "cf_zone_id": "zone"}
KV_LAG_MS = 60_000


class ZoneOutage:
    """A ``build_platform`` wrapper around the platform's purge: while ``down`` every purge fails
    as a zone out of its rate-limit budget does (nothing is purged); ``before_next`` runs inside
    the next purge call, before it answers (a save that lands while that purge is in flight)."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.before_next: Callable[[], Awaitable[None]] | None = None
        self._inner: Any = None

    def __call__(self, b: Bindings) -> Bindings:
        self._inner = b.purger
        return replace(b, purger=self)

    async def purge(self, *, tags: list[str], urls: list[str]) -> None:
        self.calls += 1
        hook, self.before_next = self.before_next, None
        if hook is not None:
            await hook()
        if self.down:
            raise Transient("zone purge answered 429: rate limited", code=Code.PURGE_RATE_LIMITED)
        await self._inner.purge(tags=tags, urls=urls)


@dataclass(frozen=True)
class Saved:
    job_id: str
    rev: str


def _rev(response: CachedResponse | None) -> str | None:
    return None if response is None else str(json.loads(response.body)["rev"])


async def _save(platform: LocalPlatform, title: str) -> Saved:
    """Accept a save of the test ``travel``: its job id and rev."""
    msg = await save(platform.bindings, title)
    return Saved(msg["jobId"], msg["rev"])


async def _settle(platform: LocalPlatform, clock: FakeClock) -> None:
    """Deliver everything, moving the clock to each retry, until nothing is due."""
    await platform.drain()
    while (due := platform.next_due_ms()) is not None:
        clock.ms = max(clock.ms, due)
        await platform.drain()


def _platform(tmp_path: Path, clock: FakeClock, zone: ZoneOutage, **options: Any) -> LocalPlatform:
    return make_platform(tmp_path, clock, wrap=zone, **ZONE, **options)


def _play(platform: LocalPlatform, scenario: Callable[[], Awaitable[None]]) -> None:
    """Run ``scenario`` on ``platform``, then close it."""
    try:
        run(scenario())
    finally:
        platform.close()


async def _given_up_during_an_outage(
    platform: LocalPlatform, clock: FakeClock, zone: ZoneOutage
) -> tuple[Saved, Saved]:
    """An old save served (and cached), then a new one whose every purge fails: its job runs
    out of retries. The two saves."""
    old = await _save(platform, "이전 제목")
    await platform.drain()
    await published_detail(platform.bindings, "travel")  # cached
    zone.down = True
    new = await _save(platform, "새 제목")
    await _settle(platform, clock)
    return old, new


def test_a_failed_purge_is_owed_and_reads_skip_the_caches_until_it_is_paid(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The purge after a commit fails: the debt is recorded at once, while the job still
    retries, and reads of the test come from D1 + R2 — not from the cached copy here or the
    lagging KV copy — without filling either. The retry that purges pays it; reads then fill
    and hit the cache again."""
    zone = ZoneOutage()
    platform = _platform(tmp_path, clock, zone, kv_lag_ms=KV_LAG_MS)
    b = platform.bindings
    url = detail_url(b.settings.public_origin, "travel")
    debts = PurgeDebtRepo(b.db)

    async def scenario() -> None:
        old = await _save(platform, "이전 제목")
        await platform.drain()
        clock.advance(KV_LAG_MS)
        await published_detail(b, "travel")  # fills KV and the cache with the old rev
        assert (await published_detail(b, "travel"))[1] == "cache"
        zone.down = True
        new = await _save(platform, "새 제목")
        await platform.drain()  # commit, KV delete, purge refused → owed; a retry is pending
        job = await JobsRepo(b.db).get(new.job_id)
        assert job is not None and job.committed and job.live_at is None
        assert job.status == "running"
        assert await debts.owed("travel") == new.rev
        # What the failed purge left: the old copy in this cache and in KV (a delete lags).
        assert _rev(await b.cache.match(url)) == old.rev
        assert (await b.kv.get(kv_test_key("travel"), "json"))["rev"] == old.rev
        for _ in range(2):
            response, source = await published_detail(b, "travel")
            assert (source, _rev(response)) == ("d1", new.rev)
        assert _rev(await b.cache.match(url)) == old.rev  # skipped, and nothing filled
        zone.down = False
        await _settle(platform, clock)  # the job's retry purges and pays the debt
        job = await JobsRepo(b.db).get(new.job_id)
        assert job is not None and job.status == "succeeded" and job.live_at is not None
        assert await debts.owed("travel") is None
        assert await b.cache.match(url) is None  # purged
        clock.advance(KV_LAG_MS)
        first, source = await published_detail(b, "travel")
        assert source != "cache" and _rev(first) == new.rev
        again, source = await published_detail(b, "travel")
        assert (source, _rev(again)) == ("cache", new.rev)

    _play(platform, scenario)


@pytest.mark.parametrize("mode", ["queue", "workflow"])
def test_a_job_that_gives_up_on_its_purge_ends_warned_and_owes_it(
    tmp_path: Path, clock: FakeClock, mode: SaveMode
) -> None:
    """Every purge failing: the job runs out of retries and ends succeeded with a warning
    (never live), and the purge is owed for its rev, so reads skip the cached copy."""
    zone = ZoneOutage()
    platform = _platform(tmp_path, clock, zone, mode=mode)
    b = platform.bindings

    async def scenario() -> None:
        _, new = await _given_up_during_an_outage(platform, clock, zone)
        job = await JobsRepo(b.db).get(new.job_id)
        assert job is not None and (job.status, job.live_at) == ("succeeded", None)
        assert (job.error or "").startswith("saved and live, but invalidating caches")
        assert "public reads skip cached copies until the sweep's purge succeeds" in (
            job.error or ""
        )
        assert zone.calls > 1  # the job did retry its purge
        assert await PurgeDebtRepo(b.db).owed("travel") == new.rev
        response, source = await published_detail(b, "travel")
        assert (source, _rev(response)) == ("d1", new.rev)

    _play(platform, scenario)


def test_a_job_that_gives_up_before_purging_owes_the_purge_too(
    tmp_path: Path, clock: FakeClock
) -> None:
    """KV failing for good, the purge is never even tried: the dead-letter queue ends the job
    warned, and the same transaction records what it owes; the sweep then drops the KV copy and
    purges (once KV answers again)."""
    failing_kv = FlakyWrap("kv", "delete", failures=10**6)
    platform = make_platform(tmp_path, clock, wrap=failing_kv, **ZONE)
    b = platform.bindings

    async def scenario() -> None:
        new = await _save(platform, "KV 장애")
        await _settle(platform, clock)
        job = await JobsRepo(b.db).get(new.job_id)
        assert job is not None and (job.status, job.live_at) == ("succeeded", None)
        debt = await PurgeDebtRepo(b.db).get("travel")
        assert debt is not None and debt.rev == new.rev and "gave up after" in (debt.error or "")
        failing_kv.flaky.failures = 0
        await platform.sweep()
        assert await PurgeDebtRepo(b.db).owed("travel") is None

    _play(platform, scenario)


def test_the_sweep_retries_an_owed_purge_with_backoff_until_it_succeeds(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The sweep tries a due debt once per run and, while the zone still refuses, backs off
    (5 min, doubling); once a purge succeeds it pays the debt, the stale copy is gone and
    reads hit the cache again."""
    zone = ZoneOutage()
    platform = _platform(tmp_path, clock, zone)
    b = platform.bindings
    url = detail_url(b.settings.public_origin, "travel")
    debts = PurgeDebtRepo(b.db)

    async def scenario() -> None:
        old, new = await _given_up_during_an_outage(platform, clock, zone)  # owed
        calls = zone.calls
        await platform.sweep()  # due: one attempt, refused
        debt = await debts.get("travel")
        assert debt is not None and debt.attempts == 1 and zone.calls == calls + 1
        assert "429" in (debt.error or "")
        clock.advance(PURGE_RETRY_BASE_SECONDS * 1000 - 1)
        await platform.sweep()  # not due yet: the zone is not asked
        assert zone.calls == calls + 1
        clock.advance(1)
        await platform.sweep()  # due again: refused again, the wait doubles
        debt = await debts.get("travel")
        assert debt is not None and debt.attempts == 2
        assert purge_retry_seconds(2) == 2 * PURGE_RETRY_BASE_SECONDS
        assert _rev(await b.cache.match(url)) == old.rev  # still cached, still skipped
        zone.down = False
        clock.advance(purge_retry_seconds(2) * 1000)
        await platform.sweep()
        assert await debts.owed("travel") is None
        assert await b.cache.match(url) is None
        assert (await published_detail(b, "travel"))[1] != "cache"
        response, source = await published_detail(b, "travel")
        assert (source, _rev(response)) == ("cache", new.rev)

    _play(platform, scenario)


def test_a_newer_saves_debt_survives_an_older_purges_success(
    tmp_path: Path, clock: FakeClock
) -> None:
    """The sweep reads a debt for rev A and purges; while that purge is in flight a newer save B
    commits and its own purge fails. The sweep's success pays A only: B's debt stays (the purge
    may have started before B committed), reads keep skipping the caches, and the next sweep
    pays B."""
    zone = ZoneOutage()
    platform = _platform(tmp_path, clock, zone)
    b = platform.bindings
    debts = PurgeDebtRepo(b.db)
    newer: list[Saved] = []

    async def save_b_while_purging() -> None:
        zone.down = True
        newer.append(await _save(platform, "B"))
        await platform.drain()  # B commits; its purge (a nested call) is refused: owed at B
        zone.down = False

    async def scenario() -> None:
        zone.down = True
        a = await _save(platform, "A")
        await _settle(platform, clock)
        assert await debts.owed("travel") == a.rev
        zone.down = False
        zone.before_next = save_b_while_purging
        await platform.sweep()  # its purge (for A) succeeds after B's debt was recorded
        (b_save,) = newer
        assert b_save.rev > a.rev
        assert await debts.owed("travel") == b_save.rev
        response, source = await published_detail(b, "travel")
        assert (source, _rev(response)) == ("d1", b_save.rev)
        await platform.sweep()  # the next run purges for B
        assert await debts.owed("travel") is None

    _play(platform, scenario)


def test_an_older_jobs_purge_pays_its_own_rev_and_never_a_newer_debt(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Two saves of one test: B (newer) fails to purge and owes it; then A's retry purges
    successfully. A's purge may have started before B committed, so B's debt stays; B's own
    successful retry pays it."""
    zone = ZoneOutage()
    platform = _platform(tmp_path, clock, zone)
    b = platform.bindings
    debts = PurgeDebtRepo(b.db)

    async def scenario() -> None:
        zone.down = True
        a = await _save(platform, "A")
        await platform.drain()  # A committed, purge refused: owed at A, retry pending
        clock.advance(1)
        b_save = await _save(platform, "B")
        clock.advance(1)
        await platform.drain()  # B committed, purge refused: owed at B
        assert await debts.owed("travel") == b_save.rev
        zone.down = False
        due = platform.next_due_ms()
        assert due is not None
        clock.ms = due  # A's retry alone (it was scheduled first)
        await platform.drain()
        a_job = await JobsRepo(b.db).get(a.job_id)
        b_job = await JobsRepo(b.db).get(b_save.job_id)
        assert a_job is not None and a_job.live_at is not None
        assert b_job is not None and b_job.live_at is None
        assert await debts.owed("travel") == b_save.rev  # A's success paid nothing newer
        await _settle(platform, clock)  # B's retry purges and pays its own debt
        b_job = await JobsRepo(b.db).get(b_save.job_id)
        assert b_job is not None and b_job.live_at is not None
        assert await debts.owed("travel") is None

    _play(platform, scenario)


def test_without_a_debt_a_detail_read_is_served_from_the_cache(
    tmp_path: Path, clock: FakeClock
) -> None:
    """No purge owed: the first read fills the cache and every later read hits it."""
    zone = ZoneOutage()
    platform = _platform(tmp_path, clock, zone)
    b = platform.bindings

    async def scenario() -> None:
        saved = await _save(platform, "캐시")
        await platform.drain()
        assert await PurgeDebtRepo(b.db).owed("travel") is None
        assert (await published_detail(b, "travel"))[1] == "d1"
        for _ in range(3):
            response, source = await published_detail(b, "travel")
            assert (source, _rev(response)) == ("cache", saved.rev)

    _play(platform, scenario)
