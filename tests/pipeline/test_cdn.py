"""Cache invalidation: the Cloudflare zone purge client and the data-centre cache purger."""

from __future__ import annotations

import json

import pytest

from quizhub.cdn import CachePurger, CompositePurger, ZonePurger, tags_for_test, urls_for_test
from quizhub.errors import Permanent, Transient
from quizhub.local.cache import LocalCache
from quizhub.ports import CachedResponse
from tests.conftest import FakeClock
from tests.fakes import run


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
