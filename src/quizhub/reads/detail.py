"""The public read path, written once: Cache API → KV → D1 pointer + immutable R2 object; and
the result of a set of answers on the published test.

A reader that fetched the old revision can fill KV or the cache just AFTER a consumer's
invalidation; so after filling them on a miss it re-reads the D1 pointer once and drops its
copy if the rev moved (docs/architecture.md#the-read-path).

Before any cache, it asks D1 whether a purge of the test is owed (``quizhub.store.purges``):
then a cached copy anywhere may be older than the pointer, and no short TTL helps a copy that
is already cached, so it serves D1 + R2 and fills nothing until the sweep's purge pays the debt
(docs/pipeline.md#live-and-its-staleness-bound).
"""

from __future__ import annotations

from typing import Any, Literal

from quizhub.bindings import Bindings
from quizhub.domain.compute import compute_result
from quizhub.domain.wire import json_bytes
from quizhub.edge.cdn import detail_cache_control, detail_url, tags_for_test
from quizhub.ports import CachedResponse
from quizhub.store.documents import read_current, read_published, still_current
from quizhub.store.keys import kv_test_key
from quizhub.store.purges import PurgeDebtRepo
from quizhub.store.tests import TestsRepo

__all__ = ["Source", "published_detail", "published_result"]

Source = Literal["cache", "kv", "d1"]


async def published_detail(b: Bindings, test_id: str) -> tuple[CachedResponse, Source]:
    """The public detail response of ``test_id`` and where it came from (NotFound if unpublished).

    Header names of a cache hit are lower-case (the Cache API hands them back that way)."""
    url = detail_url(b.settings.public_origin, test_id)
    tests = TestsRepo(b.db)
    if await PurgeDebtRepo(b.db).owed(test_id) is not None:
        # A purge after a commit failed: the cache here, other data centres' and KV may all hold
        # an older rev. Serve the pointer's and fill nothing until the sweep pays the debt.
        doc = await read_current(tests, b.bucket, test_id, published_only=True)
        return _response(b, test_id, doc), "d1"
    cached = await b.cache.match(url)
    if cached is not None:
        return _lowercase(cached), "cache"
    doc, source = await read_published(
        tests, b.bucket, b.kv, test_id, b.settings.kv_ttl_seconds, recheck=False
    )
    response = _response(b, test_id, doc)
    await b.cache.put(url, response)
    if not await still_current(tests, test_id, doc["rev"]):
        # A save landed while we read: never leave the older copy behind (in KV either: this
        # one check after both fills covers the KV fill too).
        await b.cache.delete(url)
        await b.kv.delete(kv_test_key(test_id))
    return response, "kv" if source == "kv" else "d1"


def _response(b: Bindings, test_id: str, doc: dict[str, Any]) -> CachedResponse:
    headers = {
        "content-type": "application/json",
        "etag": f'"{doc["rev"]}"',
        "cache-control": detail_cache_control(b.settings),
        "cache-tag": ",".join(tags_for_test(test_id)),
    }
    return CachedResponse(200, headers, json_bytes(doc))


def _lowercase(response: CachedResponse) -> CachedResponse:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() != "content-length"}
    return CachedResponse(response.status, headers, response.body)


async def published_result(b: Bindings, test_id: str, answers: dict[str, str]) -> dict[str, Any]:
    """The result type of ``answers`` on the published test (NotFound if unpublished)."""
    doc, _ = await read_published(
        TestsRepo(b.db), b.bucket, b.kv, test_id, b.settings.kv_ttl_seconds
    )
    return compute_result(doc, answers)
