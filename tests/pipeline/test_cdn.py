"""Cache invalidation: the zone purge client (tags, then URLs), edge TTLs, cache key = purge URL."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from quizhub.bindings import Settings
from quizhub.domain.preconditions import Precondition
from quizhub.edge.cdn import (
    EDGE_TTL_WITH_PURGE,
    EDGE_TTL_WITHOUT_PURGE,
    NoGlobalPurge,
    ZonePurger,
    detail_cache_control,
    detail_url,
    tags_for_test,
    urls_for_test,
)
from quizhub.errors import Permanent, Transient
from quizhub.pipeline.accept import accept_save
from quizhub.reads.detail import published_detail
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


class RefusingTags(RecordingFetch):
    """A zone that refuses purges by tag (400) and accepts purges by URL."""

    async def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        self.requests.append((method, url, headers, body))
        return (400, b'{"success": false}') if b'"tags"' in body else (200, b'{"success": true}')


def test_zone_purge_falls_back_to_urls_when_tags_are_refused() -> None:
    """A zone that refuses tag purges still gets the detail and list URLs purged."""
    fetch = RefusingTags()
    urls = urls_for_test("https://q.example", "travel")
    run(ZonePurger(fetch, "tok", "z").purge(tags=tags_for_test("travel"), urls=urls))
    assert [json.loads(r[3]) for r in fetch.requests] == [
        {"tags": ["test:travel", "tests:list"]},
        {"files": urls},
    ]


class RateLimitingTags(RecordingFetch):
    """A zone whose purge-by-tag budget is used up (429); purges by URL answer ``files``."""

    def __init__(self, files: int = 200) -> None:
        super().__init__()
        self.files = files

    async def __call__(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        self.requests.append((method, url, headers, body))
        status = 429 if b'"tags"' in body else self.files
        return status, b'{"success": %s}' % (b"true" if status == 200 else b"false")


def test_a_rate_limited_tag_purge_falls_back_to_urls(caplog: pytest.LogCaptureFixture) -> None:
    """Purge by tag has a much smaller rate limit than purge by URL: a 429 on the tags purges
    the detail and list URLs instead, and the purge succeeds."""
    fetch = RateLimitingTags()
    urls = urls_for_test("https://q.example", "travel")
    with caplog.at_level(logging.WARNING):
        run(ZonePurger(fetch, "tok", "z").purge(tags=tags_for_test("travel"), urls=urls))
    assert [json.loads(r[3]) for r in fetch.requests] == [
        {"tags": ["test:travel", "tests:list"]},
        {"files": urls},
    ]
    assert "zone purge by tag rate-limited; purging the URLs instead" in caplog.text


def test_a_purge_rate_limited_for_tags_and_urls_stays_transient() -> None:
    """When the URL budget is used up too, the purge fails as a retryable error (the job retries
    it and owes it meanwhile)."""
    fetch = RateLimitingTags(files=429)
    urls = urls_for_test("https://q.example", "travel")
    with pytest.raises(Transient, match="429"):
        run(ZonePurger(fetch, "tok", "z").purge(tags=tags_for_test("travel"), urls=urls))
    assert len(fetch.requests) == 2


def test_without_a_zone_purge_the_edge_ttl_is_short(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day at the edge only when the zone purge can end it early; a minute otherwise."""
    plain = Settings(admin_token="t")
    purged = replace(plain, cf_api_token="tok", cf_zone_id="zone")
    assert f"s-maxage={EDGE_TTL_WITHOUT_PURGE}" in detail_cache_control(plain)
    assert f"s-maxage={EDGE_TTL_WITH_PURGE}" in detail_cache_control(purged)
    assert EDGE_TTL_WITHOUT_PURGE <= 60 < EDGE_TTL_WITH_PURGE
    monkeypatch.setattr(NoGlobalPurge, "warned", False)  # once per isolate: this one is new
    with caplog.at_level(logging.WARNING):
        for _ in range(2):  # nothing to reach: it only warns, once
            run(NoGlobalPurge().purge(tags=["test:x"], urls=[]))
    warnings = [r.getMessage() for r in caplog.records if "no zone purge" in r.getMessage()]
    assert len(warnings) == 1 and f"within {EDGE_TTL_WITHOUT_PURGE} s" in warnings[0]


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
