"""Local Cache API and purge: freshness from headers, per-URL delete, purge by tag/URL."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import pytest

from quizhub.local.cache import LocalCache, LocalCachePurger, freshness_ms
from quizhub.ports import CachedResponse
from tests.fakes import FakeClock

URL = "https://quiz.example/api/tests/t1"


def _response(headers: dict[str, str], body: bytes = b"{}", status: int = 200) -> CachedResponse:
    return CachedResponse(status=status, headers=headers, body=body)


def test_match_returns_the_stored_response(clock: FakeClock) -> None:
    """A stored response is matched by its exact URL only."""
    cache = LocalCache(clock)
    stored = _response({"Cache-Control": "max-age=60"}, '{"title":"여행"}'.encode())
    asyncio.run(cache.put(URL, stored))
    assert asyncio.run(cache.match(URL)) == stored
    assert asyncio.run(cache.match(URL + "?page=2")) is None


def test_entry_expires_after_max_age(clock: FakeClock) -> None:
    """``max-age`` bounds how long the entry is served."""
    cache = LocalCache(clock)
    asyncio.run(cache.put(URL, _response({"cache-control": "public, max-age=30"})))
    clock.advance(29_999)
    assert asyncio.run(cache.match(URL)) is not None
    clock.advance(1)
    assert asyncio.run(cache.match(URL)) is None


def test_s_maxage_wins_over_max_age(clock: FakeClock) -> None:
    """The shared-cache lifetime ``s-maxage`` overrides ``max-age``."""
    cache = LocalCache(clock)
    asyncio.run(cache.put(URL, _response({"Cache-Control": "max-age=5, s-maxage=300"})))
    clock.advance(200_000)
    assert asyncio.run(cache.match(URL)) is not None
    clock.advance(100_000)
    assert asyncio.run(cache.match(URL)) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "no-store"},
        {"Cache-Control": "private, max-age=60"},
        {"Cache-Control": "max-age=0"},
        {"Cache-Control": "max-age=60", "Set-Cookie": "a=b"},
        {"Expires": "not a date"},
    ],
)
def test_uncacheable_responses_are_not_stored(clock: FakeClock, headers: dict[str, str]) -> None:
    """no-store, private, max-age=0, Set-Cookie and invalid Expires are not cached."""
    cache = LocalCache(clock)
    asyncio.run(cache.put(URL, _response(headers)))
    assert asyncio.run(cache.match(URL)) is None


def test_response_without_freshness_headers_is_kept(clock: FakeClock) -> None:
    """With no lifetime stated the entry stays until deleted or purged."""
    cache = LocalCache(clock)
    asyncio.run(cache.put(URL, _response({})))
    clock.advance(10**9)
    assert asyncio.run(cache.match(URL)) is not None


def test_expires_header_sets_the_lifetime(clock: FakeClock) -> None:
    """An HTTP date in ``Expires`` is honoured when no max-age is given."""
    expires = formatdate((clock.ms + 60_000) / 1000, usegmt=True)
    assert freshness_ms({"Expires": expires}, clock.ms) == 60_000


def test_delete_reports_whether_an_entry_existed(clock: FakeClock) -> None:
    """``delete`` returns True once, then False."""
    cache = LocalCache(clock)
    asyncio.run(cache.put(URL, _response({"Cache-Control": "max-age=60"})))
    assert asyncio.run(cache.delete(URL)) is True
    assert asyncio.run(cache.delete(URL)) is False


def test_partial_and_vary_star_responses_are_refused(clock: FakeClock) -> None:
    """Cache.put throws for 206 responses and ``Vary: *``, as on Cloudflare."""
    cache = LocalCache(clock)
    with pytest.raises(TypeError):
        asyncio.run(cache.put(URL, _response({}, status=206)))
    with pytest.raises(TypeError):
        asyncio.run(cache.put(URL, _response({"Vary": "*"})))


def test_purge_by_tag_drops_only_tagged_entries(clock: FakeClock) -> None:
    """Tag purges match the comma-separated Cache-Tag header, case-insensitively."""
    cache = LocalCache(clock)
    purger = LocalCachePurger(cache)
    asyncio.run(cache.put(URL, _response({"Cache-Tag": "test:t1, list"})))
    asyncio.run(cache.put(URL + "/other", _response({"Cache-Tag": "test:t2"})))
    asyncio.run(cache.put(URL + "/untagged", _response({})))
    asyncio.run(purger.purge(tags=["TEST:T1"], urls=[]))
    assert cache.urls() == [URL + "/other", URL + "/untagged"]


def test_purge_by_url_and_history(clock: FakeClock) -> None:
    """URL purges delete exact entries; every request is recorded in order."""
    cache = LocalCache(clock)
    purger = LocalCachePurger(cache)
    asyncio.run(cache.put(URL, _response({})))
    asyncio.run(purger.purge(tags=[], urls=[URL, URL + "/missing"]))
    assert asyncio.run(cache.match(URL)) is None
    assert purger.history == [((), (URL, URL + "/missing"))]


def test_purger_reaches_every_data_centre(clock: FakeClock) -> None:
    """A purger over several caches (data centres) purges them all, like a zone purge."""
    seoul, tokyo = LocalCache(clock), LocalCache(clock)
    for cache in (seoul, tokyo):
        asyncio.run(cache.put(URL, _response({"Cache-Tag": "test:t1"})))
    asyncio.run(LocalCachePurger(seoul, tokyo).purge(tags=["test:t1"], urls=[]))
    assert seoul.urls() == [] and tokyo.urls() == []


def test_oldest_entries_are_evicted_beyond_capacity(clock: FakeClock) -> None:
    """The cache holds at most ``max_entries``; the least recently used go first."""
    cache = LocalCache(clock, max_entries=2)
    for i in range(3):
        asyncio.run(cache.put(f"{URL}/{i}", _response({})))
    assert cache.urls() == [f"{URL}/1", f"{URL}/2"]
