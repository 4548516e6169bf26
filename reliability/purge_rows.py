"""Scorecard row 17: a purge outage. With a zone purge configured, edge copies of a test live for a
day unless purged; here every purge fails (the zone's purge budget is used up: 429 for tags and
URLs alike) while editors save in bursts, on the simulated clock.

The Cache API is per data centre: two caches (two locations) are filled before the outage and
read from throughout, and the zone purge reaches both once it works again. Every read goes
through the edge-facing read path (``quizhub.reads.detail.published_detail``) and is checked
against D1 at that moment: it must never serve a rev older than the newest committed one whose
job is live or has ended with a warning (for a delete: never a rev older than it). When the
outage ends, the cron sweep (every simulated minute) must pay every purge debt, after which
reads are served from the cache again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from quizhub.bindings import Bindings
from quizhub.edge.cdn import ZonePurger, detail_url
from quizhub.errors import NotFound
from quizhub.local.cache import LocalCache, LocalCachePurger
from quizhub.local.platform import SWEEP_EVERY_MS
from quizhub.pipeline.purges import PURGE_RETRY_MAX_SECONDS
from quizhub.reads.detail import published_detail
from quizhub.store.purges import PurgeDebtRepo
from reliability.rig import Rig
from reliability.rows import Row, Sizes, _tmp

__all__ = ["row17_purge_outage"]

# A zone purge is configured: a detail's edge lifetime is a day (quizhub.edge.cdn).
ZONE = {"cf_api_token": "reliability-token", "cf_zone_id": "reliability-zone"}


class _Zone:
    """Cloudflare's purge_cache endpoint over two locations' caches, behind the real
    ``ZonePurger`` (by tag, then by URL): while ``down`` it answers every purge request with 429
    (the account's purge budget is used up, tags and URLs alike) and purges nothing."""

    def __init__(self) -> None:
        self.down = False
        self.refused = 0  # purge requests answered 429
        self.elsewhere: LocalCache | None = None
        self._caches: LocalCachePurger | None = None

    def __call__(self, b: Bindings) -> Bindings:
        self.elsewhere = LocalCache(b.clock_ms)  # a second data centre's Cache API
        self._caches = LocalCachePurger(b.cache, self.elsewhere)
        return replace(b, purger=ZonePurger(self.api, ZONE["cf_api_token"], ZONE["cf_zone_id"]))

    async def api(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        assert self._caches is not None
        if self.down:
            self.refused += 1
            return 429, b'{"success": false, "errors": [{"message": "rate limited"}]}'
        request = json.loads(body)
        await self._caches.purge(tags=request.get("tags", []), urls=request.get("files", []))
        return 200, b'{"success": true}'


@dataclass
class _Reads:
    total: int = 0
    older: int = 0  # served a rev older than the newest live-or-warned one
    cached: int = 0
    examples: list[str] = field(default_factory=list)


async def _required(rig: Rig, test_id: str) -> str | None:
    """The rev of the newest committed job (save or delete) of ``test_id`` that is live or
    ended (with a warning): no read may serve an older one."""
    rev = await (
        rig.clean.db.prepare(
            "SELECT MAX(rev) AS rev FROM jobs WHERE test_id = ? AND committed = 1"
            " AND (live_at IS NOT NULL OR status = 'succeeded')"
        )
        .bind(test_id)
        .first("rev")
    )
    return None if rev is None else str(rev)


async def _read(rig: Rig, readers: list[Bindings], test_ids: list[str], out: _Reads) -> None:
    """Every test from every location, each read checked against D1 just before it. A 404
    serves the rev of the delete it comes from (the tombstone's)."""
    for test_id in test_ids:
        for where, reader in enumerate(readers):
            required = await _required(rig, test_id)
            try:
                response, source = await published_detail(reader, test_id)
                served: str | None = response.headers["etag"].strip('"')
            except NotFound:
                source = "d1"
                served = await (
                    rig.clean.db.prepare("SELECT rev FROM tests WHERE id = ? AND deleted = 1")
                    .bind(test_id)
                    .first("rev")
                )
            out.total += 1
            out.cached += source == "cache"
            if required is not None and (served is None or served < required):
                out.older += 1
                out.examples.append(f"{test_id}@dc{where + 1}: served {served} < {required}")


async def _stale_copies(rig: Rig, caches: list[Any], test_ids: list[str]) -> int:
    """Cached detail copies (in any location) older than the test's pointer."""
    origin = rig.clean.settings.public_origin
    pointers = {
        t: await rig.clean.db.prepare("SELECT rev FROM tests WHERE id = ?").bind(t).first("rev")
        for t in test_ids
    }
    stale = 0
    for cache in caches:
        for test_id in test_ids:
            hit = await cache.match(detail_url(origin, test_id))
            stale += hit is not None and hit.headers.get("etag", "").strip('"') != pointers[test_id]
    return stale


async def row17_purge_outage(mode: str, sizes: Sizes) -> Row:
    zone = _Zone()
    rig = Rig(_tmp(), mode, settings=ZONE, outage=zone)
    assert zone.elsewhere is not None
    readers = [rig.clean, replace(rig.clean, cache=zone.elsewhere)]
    caches = [rig.clean.cache, zone.elsewhere]
    test_ids = [f"p{i}" for i in range(sizes.purge_tests)]
    reads = _Reads()
    debts = PurgeDebtRepo(rig.clean.db)
    try:
        for test_id in test_ids:
            await rig.save(test_id, f"{test_id} v0")
        await rig.settle()
        for _ in range(2):  # both locations cache every test
            await _read(rig, readers, test_ids, reads)

        async def reader() -> None:
            await _read(rig, readers, test_ids, reads)

        zone.down = True
        outage_started = len(rig.accepted)
        for burst in range(2):  # a burst of saves, then another while the first still retries
            for n in range(sizes.purge_saves):
                for test_id in test_ids:
                    await rig.save(test_id, f"{test_id} b{burst}.{n}")
                rig.clock.ms += 1000
            if burst == 1:
                await rig.delete(test_ids[-1])
            if burst == 0:
                await rig.settle(reader=reader, max_sim_ms=SWEEP_EVERY_MS)
        await rig.settle(reader=reader)
        open_jobs = len(await rig.open_jobs())
        outage_saves = len(rig.accepted) - outage_started
        owed = len(await debts.all())
        stale = await _stale_copies(rig, caches, test_ids)
        await reader()

        zone.down = False  # the zone answers again: the cron pays what is owed
        resumed = rig.clock.ms
        deadline = resumed + (PURGE_RETRY_MAX_SECONDS * 1000 + SWEEP_EVERY_MS) * 2
        while await debts.all() and rig.clock.ms < deadline:
            rig.clock.ms += SWEEP_EVERY_MS
            await rig.platform.sweep()
            await reader()
        left = len(await debts.all())
        paid_after_s = (rig.clock.ms - resumed) // 1000
        stale_after = await _stale_copies(rig, caches, test_ids)
        final = _Reads()  # the reads since the last debt was paid filled both locations
        await _read(rig, readers, test_ids[:-1], final)
        reads.total += final.total
        reads.older += final.older
        reads.examples += final.examples
    finally:
        rig.close()
    cached_again = final.total > 0 and final.cached == final.total
    passed = (
        reads.older == 0
        and open_jobs == 0
        and owed == len(test_ids)
        and stale > 0
        and left == 0
        and stale_after == 0
        and cached_again
    )
    result = (
        f"{outage_saves} saves and deletes of {len(test_ids)} tests during the outage"
        f" ({zone.refused} purge requests answered 429), {open_jobs} open; {reads.total} reads"
        f" from 2 locations: {reads.older} older than the newest live-or-warned rev ({stale} stale"
        f" edge copies left cached, skipped); {owed} purge debts, {left} left"
        f" {paid_after_s} s after purges resumed (sweep every minute); then"
        f" {final.cached}/{final.total} reads from the cache"
    )
    if reads.examples:
        result += "; " + "; ".join(reads.examples[:3])
    return Row(
        "17",
        "purge outage: every purge fails while editors save in bursts (day-long edge TTL)",
        result,
        "0 reads older than the newest live-or-warned rev; every debt paid; cache used again",
        passed,
    )
