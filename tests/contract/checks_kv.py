"""KV contract checks: ``async def check_*(kv) -> None``, plain asserts, stdlib only.

Keys are prefixed per check so a shared namespace works too. Time-dependent behaviour (expiry,
the lag model) is tested in tests/local with a fake clock.
"""

from __future__ import annotations

from typing import Any


async def check_missing_key_is_none(kv: Any) -> None:
    assert await kv.get("c-missing/nothing-here") is None
    assert await kv.get("c-missing/nothing-here", "json") is None


async def check_text_roundtrips(kv: Any) -> None:
    await kv.put("c-text/ko", "안녕하세요, 퀴즈허브!")
    assert await kv.get("c-text/ko") == "안녕하세요, 퀴즈허브!"


async def check_json_get_parses_the_value(kv: Any) -> None:
    await kv.put("c-json/doc", '{"rev": "01J", "title": "여행", "n": [1, 2]}')
    assert await kv.get("c-json/doc", "json") == {"rev": "01J", "title": "여행", "n": [1, 2]}


async def check_put_overwrites(kv: Any) -> None:
    await kv.put("c-over/k", "one")
    await kv.put("c-over/k", "two")
    assert await kv.get("c-over/k") == "two"


async def check_delete_removes_and_tolerates_missing(kv: Any) -> None:
    await kv.put("c-del/k", "v")
    await kv.delete("c-del/k")
    await kv.delete("c-del/never-existed")
    assert await kv.get("c-del/k") is None


async def check_ttl_below_sixty_seconds_is_refused(kv: Any) -> None:
    try:
        await kv.put("c-ttl/short", "v", expiration_ttl=59)
    except Exception:
        return
    raise AssertionError("expiration_ttl=59 should be refused")


async def check_ttl_value_is_readable_and_listed_with_expiration(kv: Any) -> None:
    await kv.put("c-ttl/ok", "v", expiration_ttl=60)
    assert await kv.get("c-ttl/ok") == "v"
    listed = await kv.list(prefix="c-ttl/")
    [entry] = [k for k in listed["keys"] if k["name"] == "c-ttl/ok"]
    assert isinstance(entry["expiration"], int)
    assert entry["expiration"] > 1_600_000_000  # seconds since the epoch


async def check_list_filters_by_prefix_in_order_with_metadata(kv: Any) -> None:
    await kv.put("c-list/b", "2", metadata={"rev": "r2"})
    await kv.put("c-list/a", "1")
    await kv.put("c-lisz/other", "x")
    listed = await kv.list(prefix="c-list/")
    assert [k["name"] for k in listed["keys"]] == ["c-list/a", "c-list/b"]
    assert "metadata" not in listed["keys"][0]
    assert listed["keys"][1]["metadata"] == {"rev": "r2"}
    assert listed["list_complete"] is True


async def check_list_paginates_with_cursor(kv: Any) -> None:
    names = [f"c-page/{i:02d}" for i in range(5)]
    for name in names:
        await kv.put(name, "v")
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await kv.list(prefix="c-page/", limit=2, cursor=cursor)
        seen += [k["name"] for k in page["keys"]]
        if page["list_complete"]:
            break
        cursor = page["cursor"]
        assert cursor
    assert seen == names
