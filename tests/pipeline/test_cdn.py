"""Cache invalidation: the Cloudflare zone purge client and the data-centre cache purger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizhub.cdn import (
    CachePurger,
    CompositePurger,
    ZonePurger,
    detail_url,
    tags_for_test,
    urls_for_test,
)
from quizhub.domain.preconditions import Precondition
from quizhub.errors import Permanent, Transient
from quizhub.local.cache import LocalCache
from quizhub.pipeline.accept import accept_save
from quizhub.ports import CachedResponse
from quizhub.reads import published_detail
from tests.conftest import sample_doc
from tests.fakes import FakeClock, make_platform, run


class RecordingFetch:
    """An HttpFetch that answers with a fixed status and keeps every request."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []

    async def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        self.requests.append((method, url, headers, body))
        return self.status, b'{"success": %s}' % (b"true" if self.status == 200 else b"false")


def test_zone_purge_posts_cache_tags_with_the_token() -> None:
    """One POST to the zone's purge_cache endpoint with the test's tags and a bearer token."""
    fetch = RecordingFetch()
    run(
        ZonePurger(fetch, "tok", "zone123").purge(
            tags=tags_for_test("travel"), urls=urls_for_test("https://q.example", "travel")
        )
    )
    ((method, url, headers, body),) = fetch.requests
    assert (
        method == "POST" and url == "https://api.cloudflare.com/client/v4/zones/zone123/purge_cache"
    )
    assert headers["Authorization"] == "Bearer tok"
    assert json.loads(body) == {"tags": ["test:travel", "tests:list"]}


@pytest.mark.parametrize(
    ("status", "error"), [(429, Transient), (503, Transient), (403, Permanent)]
)
def test_zone_purge_failures_are_classified(status: int, error: type[Exception]) -> None:
    """Rate limits and outages retry; a rejected token fails the job with the API's answer."""
    with pytest.raises(error):
        run(ZonePurger(RecordingFetch(status), "tok", "zone").purge(tags=["test:x"], urls=[]))


def test_cache_purger_drops_cached_urls_and_composite_runs_all(clock: FakeClock) -> None:
    """The data-centre purge deletes exact URLs; the composite then calls the global purge."""
    cache = LocalCache(clock)
    url = "https://q.example/api/tests/travel"
    run(cache.put(url, CachedResponse(200, {"Cache-Control": "s-maxage=60"}, b"{}")))
    fetch = RecordingFetch()
    purger = CompositePurger([CachePurger(cache), ZonePurger(fetch, "t", "z")])
    run(purger.purge(tags=["test:travel"], urls=[url]))
    assert run(cache.match(url)) is None and len(fetch.requests) == 1


@pytest.mark.parametrize("origin", ["https://quiz.example", "https://quiz.example/"])
def test_the_purge_names_exactly_the_key_the_read_path_caches(
    tmp_path: Path, clock: FakeClock, origin: str
) -> None:
    """One function builds the detail cache key and the purged URL: a save's purge empties it."""
    platform = make_platform(tmp_path, clock, public_origin=origin)
    b = platform.bindings

    async def scenario() -> None:
        await accept_save(b, "travel", sample_doc(), Precondition())
        await platform.drain()
        await published_detail(b, "travel")
        assert await b.cache.match(detail_url(origin, "travel")) is not None
        await accept_save(b, "travel", sample_doc("새 제목"), Precondition())
        await platform.drain()
        assert await b.cache.match(detail_url(origin, "travel")) is None
        response, source = await published_detail(b, "travel")
        assert source == "d1" and "새 제목".encode() in response.body

    try:
        run(scenario())
    finally:
        platform.close()
