"""Local KV: expiry on the injected clock, Cloudflare's limits, and the lag model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from quizhub.local.kv import LocalKV
from tests.fakes import FakeClock


def test_value_expires_after_its_ttl(kv: LocalKV, clock: FakeClock) -> None:
    """A value put with a 60 s TTL is readable until then and gone afterwards."""
    asyncio.run(kv.put("k", "v", expiration_ttl=60))
    clock.advance(59_000)
    assert asyncio.run(kv.get("k")) == "v"
    clock.advance(1_000)
    assert asyncio.run(kv.get("k")) is None


def test_expired_keys_leave_the_listing(kv: LocalKV, clock: FakeClock) -> None:
    """Expired keys are not listed; keys without a TTL stay."""
    asyncio.run(kv.put("a", "1", expiration_ttl=120))
    asyncio.run(kv.put("b", "2"))
    [listed_a, _] = asyncio.run(kv.list())["keys"]
    assert listed_a["expiration"] == clock.ms // 1000 + 120
    clock.advance(121_000)
    assert [k["name"] for k in asyncio.run(kv.list())["keys"]] == ["b"]


@pytest.mark.parametrize("ttl", [0, 1, 59, -60])
def test_ttl_below_60_seconds_is_a_value_error(kv: LocalKV, ttl: int) -> None:
    """Cloudflare refuses expiration_ttl < 60; so do we, with ValueError."""
    with pytest.raises(ValueError, match="at least 60"):
        asyncio.run(kv.put("k", "v", expiration_ttl=ttl))


def test_non_string_values_are_refused(kv: LocalKV) -> None:
    """The port stores str values (serialise JSON yourself)."""
    with pytest.raises(TypeError):
        asyncio.run(kv.put("k", {"a": 1}))  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", ".", "..", "k" * 513])
def test_invalid_keys_are_refused(kv: LocalKV, key: str) -> None:
    """Empty, '.', '..' and keys over 512 bytes are refused as on Cloudflare."""
    with pytest.raises(ValueError):
        asyncio.run(kv.put(key, "v"))


def test_metadata_over_1024_bytes_is_refused(kv: LocalKV) -> None:
    """KV metadata is limited to 1024 bytes of JSON."""
    with pytest.raises(ValueError):
        asyncio.run(kv.put("k", "v", metadata={"x": "가" * 400}))


def test_list_limit_must_be_1_to_1000(kv: LocalKV) -> None:
    """List pages hold 1..1000 keys."""
    with pytest.raises(ValueError):
        asyncio.run(kv.list(limit=0))


def test_lag_is_off_by_default(kv: LocalKV) -> None:
    """Without a lag model reads see the newest write at once."""
    asyncio.run(kv.put("k", "old"))
    asyncio.run(kv.put("k", "new"))
    assert asyncio.run(kv.get("k")) == "new"


def test_lag_model_serves_the_previous_value_until_the_lag_passes(
    tmp_path: Path, clock: FakeClock
) -> None:
    """With lag_ms set, a read right after a put may return the value before it."""
    kv = LocalKV(tmp_path / "kv.sqlite", clock, lag_ms=60_000)
    try:
        asyncio.run(kv.put("k", "v1"))
        clock.advance(61_000)
        asyncio.run(kv.put("k", "v2"))
        assert asyncio.run(kv.get("k")) == "v1"
        clock.advance(59_999)
        assert asyncio.run(kv.get("k")) == "v1"
        clock.advance(1)
        assert asyncio.run(kv.get("k")) == "v2"
    finally:
        kv.close()


def test_lag_model_serves_a_deleted_value_until_the_lag_passes(
    tmp_path: Path, clock: FakeClock
) -> None:
    """With lag_ms set, a delete is not seen until the lag passes (a stale read)."""
    kv = LocalKV(tmp_path / "kv.sqlite", clock, lag_ms=5_000)
    try:
        asyncio.run(kv.put("k", "cached"))
        clock.advance(10_000)
        asyncio.run(kv.delete("k"))
        assert asyncio.run(kv.get("k")) == "cached"
        assert asyncio.run(kv.list())["keys"] == []  # list shows the newest state
        clock.advance(5_000)
        assert asyncio.run(kv.get("k")) is None
    finally:
        kv.close()


def test_lag_model_serves_a_miss_for_a_new_key(tmp_path: Path, clock: FakeClock) -> None:
    """A key written moments ago may still read as missing elsewhere."""
    kv = LocalKV(tmp_path / "kv.sqlite", clock, lag_ms=1_000)
    try:
        asyncio.run(kv.put("fresh", "v"))
        assert asyncio.run(kv.get("fresh")) is None
        clock.advance(1_000)
        assert asyncio.run(kv.get("fresh")) == "v"
    finally:
        kv.close()


def test_values_survive_reopening(tmp_path: Path, clock: FakeClock) -> None:
    """KV is stored on disk: a new process sees earlier writes."""
    first = LocalKV(tmp_path / "kv.sqlite", clock)
    asyncio.run(first.put("k", "persisted", metadata={"rev": "r1"}))
    first.close()
    second = LocalKV(tmp_path / "kv.sqlite", clock)
    try:
        assert asyncio.run(second.get("k")) == "persisted"
        assert asyncio.run(second.list())["keys"] == [{"name": "k", "metadata": {"rev": "r1"}}]
    finally:
        second.close()
