"""Public reads: list/search/pagination, detail with ETag/304 and cache layers, compute, images."""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace
from pathlib import Path

from quizhub.bindings import Bindings
from quizhub.ports import CachedResponse
from quizhub.store.keys import kv_test_key
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, run


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_detail_has_etag_cache_headers_and_304(api: Api) -> None:
    """ETag = "rev", Cache-Control and Cache-Tag are set; If-None-Match gives 304."""
    job = api.save("travel", sample_doc())
    r = api.client.get("/api/tests/travel")
    assert r.status_code == 200 and r.headers["etag"] == f'"{job["rev"]}"'
    assert "s-maxage" in r.headers["cache-control"] and "test:travel" in r.headers["cache-tag"]
    body = r.json()
    assert (
        body["rev"] == job["rev"]
        and body["title"] == "나의 여행 성향 테스트"
        and body["id"] == "travel"
    )
    again = api.client.get("/api/tests/travel", headers={"If-None-Match": r.headers["etag"]})
    assert (
        again.status_code == 304
        and again.headers["etag"] == r.headers["etag"]
        and again.content == b""
    )


def test_read_path_goes_cache_then_kv_then_d1(api: Api) -> None:
    """First read fills KV and cache from D1+R2; the next is a cache hit; a save purges both."""
    api.save("travel", sample_doc("첫 판"))
    assert api.client.get("/api/tests/travel").headers["x-quizhub-source"] == "d1"
    assert api.client.get("/api/tests/travel").headers["x-quizhub-source"] == "cache"
    run_cache_clear(api)
    assert api.client.get("/api/tests/travel").headers["x-quizhub-source"] == "kv"
    job = api.save("travel", sample_doc("둘째 판"))
    r = api.client.get("/api/tests/travel")
    assert (r.json()["title"], r.headers["etag"]) == ("둘째 판", f'"{job["rev"]}"')
    assert r.headers["x-quizhub-source"] == "d1"


def run_cache_clear(api: Api) -> None:
    from tests.fakes import run

    run(api.b.cache.delete("http://127.0.0.1:8787/api/tests/travel"))


def test_list_is_published_newest_first_with_search_and_tags(api: Api) -> None:
    """Drafts are hidden; 2-syllable Korean words match inside words and before particles;
    tags filter."""
    api.save("travel", sample_doc("나의 여행 성향 테스트", tags=["여행"]))
    api.save("food", sample_doc("음식 취향 테스트", tags=["음식"], description="여행지 맛집"))
    api.save("secret", sample_doc("비밀 여행 초안", status="draft"))
    items = api.client.get("/api/tests").json()["items"]
    assert [i["id"] for i in items] == ["food", "travel"]
    assert {
        "id",
        "title",
        "description",
        "tags",
        "thumbnail",
        "questionCount",
        "updatedAt",
        "rev",
    } <= set(items[0])
    found = api.client.get("/api/tests", params={"q": "여행"}).json()["items"]
    assert {i["id"] for i in found} == {"travel", "food"}
    with_particle = api.client.get("/api/tests", params={"q": "여행을"}).json()["items"]
    assert {i["id"] for i in with_particle} == {"travel", "food"}
    assert [
        i["id"] for i in api.client.get("/api/tests", params={"tag": "음식"}).json()["items"]
    ] == ["food"]


def test_list_pagination_walks_every_item_once(api: Api) -> None:
    """Cursor pagination returns each published test exactly once, newest first."""
    for i in range(5):
        api.save(f"t{i}", sample_doc(f"테스트 {i}"))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/tests", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ["t4", "t3", "t2", "t1", "t0"]
    bad = api.client.get("/api/tests", params={"cursor": "!!!"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cursor"


def test_compute_returns_the_result_type(api: Api) -> None:
    """POST compute answers with the winning result and all scores."""
    api.save("travel", sample_doc())
    r = api.client.post("/api/tests/travel/compute", json={"answers": {"q1": "b"}})
    assert r.status_code == 200
    assert r.json()["result"]["id"] == "free" and r.json()["scores"] == {"planner": 0, "free": 2}
    bad = api.client.post("/api/tests/travel/compute", json={"answers": {"q1": "zz"}})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["loc"] == ["answers", "q1"]
    assert api.client.post("/api/tests/nope/compute", json={"answers": {}}).status_code == 404


def test_documents_can_reference_uploaded_images(api: Api) -> None:
    """A thumbnail key from the upload endpoint is accepted and listed."""
    key = api.client.post("/api/admin/images", content=tiny_png(), headers=AUTH).json()["key"]
    api.save("travel", sample_doc(thumbnail=key))
    assert api.client.get("/api/tests").json()["items"][0]["thumbnail"] == key


def test_openapi_and_health_are_served(api: Api) -> None:
    """The OpenAPI document lists the routes; health reports the save mode."""
    spec = api.client.get("/api/openapi.json").json()
    assert "/api/admin/tests/{test_id}" in spec["paths"] and "/api/tests" in spec["paths"]
    assert api.client.get("/api/health").json() == {
        "ok": True,
        "saveMode": api.b.settings.save_mode,
    }
    r = api.client.get("/api/nowhere")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_such_endpoint"
    assert r.json()["error"]["params"] == {"method": "GET", "path": "/api/nowhere"}


class _SaveDuringRead:
    """An R2 bucket that lets a newer save commit while a reader fetches the old document."""

    def __init__(self, inner: object) -> None:
        self._inner, self.armed = inner, False
        self.api: Api | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def get(self, key: str, **kwargs: object) -> object:
        obj = await self._inner.get(key, **kwargs)  # type: ignore[attr-defined]
        if self.armed and key.startswith("tests/") and self.api is not None:
            self.armed = False
            r = self.api.client.put(
                "/api/admin/tests/travel", json=sample_doc("새 판"), headers=AUTH
            )
            assert r.status_code == 202
            await self.api.platform.drain()  # the consumer commits and purges mid-read
        return obj


def test_reader_racing_a_save_leaves_no_stale_copy(tmp_path: Path, clock: FakeClock) -> None:
    """A read that fetched the old rev while a save committed and purged must not re-fill KV/cache
    with it."""
    racers: list[_SaveDuringRead] = []

    def racing(b: Bindings) -> Bindings:
        racers.append(_SaveDuringRead(b.bucket))
        return replace(b, bucket=racers[-1])

    api = make_api(tmp_path, clock, wrap=racing)
    api.save("travel", sample_doc("옛 판"))
    racers[0].api, racers[0].armed = api, True
    first = api.client.get("/api/tests/travel")
    assert first.json()["title"] == "옛 판"  # this response was correct when it was read
    assert run(api.b.kv.get(kv_test_key("travel"))) is None
    assert run(api.b.cache.match(f"{api.b.settings.public_origin}/api/tests/travel")) is None
    assert api.client.get("/api/tests/travel").json()["title"] == "새 판"


class _LowercasingCache:
    """A cache that hands headers back lower-cased, as the Cloudflare Cache API (JS Headers)
    does."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def match(self, url: str) -> CachedResponse | None:
        hit = await self._inner.match(url)  # type: ignore[attr-defined]
        if hit is None:
            return None
        return CachedResponse(hit.status, {k.lower(): v for k, v in hit.headers.items()}, hit.body)


def test_cache_hits_work_with_lowercased_header_names(tmp_path: Path, clock: FakeClock) -> None:
    """A Cache API hit (lower-case header names) still serves 200 with its ETag and answers 304."""
    api = make_api(tmp_path, clock, wrap=lambda b: replace(b, cache=_LowercasingCache(b.cache)))
    job = api.save("travel", sample_doc())
    api.client.get("/api/tests/travel")
    hit = api.client.get("/api/tests/travel")
    assert hit.status_code == 200 and hit.headers["x-quizhub-source"] == "cache"
    assert hit.headers["etag"] == f'"{job["rev"]}"'
    again = api.client.get("/api/tests/travel", headers={"If-None-Match": hit.headers["etag"]})
    assert again.status_code == 304 and "content-type" not in again.headers
