"""R2 contract checks: ``async def check_*(bucket) -> None``, plain asserts, the stdlib and
quizhub's typed errors only.

Keys live under a per-check prefix so a shared bucket works too.
"""

from __future__ import annotations

import hashlib
from typing import Any

from quizhub.errors import Permanent


async def check_put_returns_object_with_md5_etag(bucket: Any) -> None:
    body = "퀴즈 본문".encode()
    obj = await bucket.put("c-put/a.json", body)
    assert obj is not None
    assert obj.key == "c-put/a.json"
    assert obj.size == len(body)
    assert obj.etag == hashlib.md5(body).hexdigest()
    assert obj.http_etag == f'"{obj.etag}"'
    assert obj.version
    assert obj.uploaded.endswith("Z") or "+00:00" in obj.uploaded


async def check_get_returns_body_and_metadata(bucket: Any) -> None:
    await bucket.put(
        "c-get/doc.json",
        '{"title": "여행"}',
        http_metadata={"contentType": "application/json; charset=utf-8"},
        custom_metadata={"rev": "01JREV", "title": "여행"},
    )
    obj = await bucket.get("c-get/doc.json")
    assert obj is not None
    assert obj.json() == {"title": "여행"}
    assert obj.text() == '{"title": "여행"}'
    assert obj.http_metadata["contentType"] == "application/json; charset=utf-8"
    assert obj.custom_metadata == {"rev": "01JREV", "title": "여행"}


async def check_missing_object_is_none(bucket: Any) -> None:
    assert await bucket.get("c-missing/nope") is None
    assert await bucket.head("c-missing/nope") is None


async def check_head_returns_metadata(bucket: Any) -> None:
    put = await bucket.put("c-head/x", b"12345", custom_metadata={"k": "v"})
    head = await bucket.head("c-head/x")
    assert head is not None
    assert (head.size, head.etag, head.version) == (5, put.etag, put.version)
    assert head.custom_metadata == {"k": "v"}


async def check_source_is_the_object_with_its_body_unread(bucket: Any) -> None:
    """``source`` answers key and size without the body; each ``read`` reads it afresh; a
    missing key is None, and a read after the object was deleted is a permanent error."""
    body = bytes(range(256)) * 40
    await bucket.put("c-source/original.png", body)
    source = await bucket.source("c-source/original.png")
    assert source is not None
    assert (source.key, source.size) == ("c-source/original.png", len(body))
    assert await source.read() == body
    assert await source.read() == body  # a body is read once: each read is a fresh get
    assert await bucket.source("c-source/missing.png") is None
    await bucket.delete("c-source/original.png")
    try:
        await source.read()
    except Permanent as exc:
        assert "c-source/original.png" in exc.message, exc.message
    else:
        raise AssertionError("reading a deleted source must fail permanently")


async def check_put_accepts_str_bytes_and_none(bucket: Any) -> None:
    await bucket.put("c-values/s", "text")
    await bucket.put("c-values/b", b"\x00\x01\xff")
    await bucket.put("c-values/n", None)
    assert (await bucket.get("c-values/s")).body == b"text"
    assert (await bucket.get("c-values/b")).body == b"\x00\x01\xff"
    assert (await bucket.get("c-values/n")).size == 0


async def check_overwrite_replaces_body_and_version(bucket: Any) -> None:
    first = await bucket.put("c-over/k", "one")
    second = await bucket.put("c-over/k", "two")
    assert first.version != second.version
    assert (await bucket.get("c-over/k")).text() == "two"


async def check_delete_one_or_many_ignores_missing(bucket: Any) -> None:
    for key in ("c-del/a", "c-del/b", "c-del/c"):
        await bucket.put(key, "v")
    await bucket.delete("c-del/a")
    await bucket.delete(["c-del/b", "c-del/never"])
    assert await bucket.get("c-del/a") is None
    assert await bucket.get("c-del/b") is None
    assert await bucket.get("c-del/c") is not None


async def check_put_if_absent_is_create_only(bucket: Any) -> None:
    await bucket.delete("c-create/k")
    created = await bucket.put("c-create/k", "first", only_if={"etag_does_not_match": "*"})
    assert created is not None
    again = await bucket.put("c-create/k", "second", only_if={"etag_does_not_match": "*"})
    assert again is None
    assert (await bucket.get("c-create/k")).text() == "first"


async def check_put_if_etag_matches_is_compare_and_swap(bucket: Any) -> None:
    await bucket.delete("c-cas/k")
    assert await bucket.put("c-cas/k", "x", only_if={"etag_matches": "*"}) is None
    first = await bucket.put("c-cas/k", "one")
    assert await bucket.put("c-cas/k", "lost", only_if={"etag_matches": "0" * 32}) is None
    swapped = await bucket.put("c-cas/k", "two", only_if={"etag_matches": first.etag})
    assert swapped is not None
    assert (await bucket.get("c-cas/k")).text() == "two"


async def check_get_only_if_honours_the_etag(bucket: Any) -> None:
    obj = await bucket.put("c-getif/k", "body")
    hit = await bucket.get("c-getif/k", only_if={"etag_matches": obj.etag})
    assert hit is not None and hit.text() == "body"
    assert await bucket.get("c-getif/k", only_if={"etag_does_not_match": obj.etag}) is None


async def check_list_filters_by_prefix_in_lexicographic_order(bucket: Any) -> None:
    for key in ("c-list/b", "c-list/a/2", "c-list/a/1", "c-list/가", "c-lisz"):
        await bucket.put(key, "v")
    listed = await bucket.list(prefix="c-list/")
    assert [o.key for o in listed.objects] == ["c-list/a/1", "c-list/a/2", "c-list/b", "c-list/가"]
    assert listed.truncated is False


async def check_list_paginates_with_cursor(bucket: Any) -> None:
    keys = [f"c-page/{i:02d}" for i in range(7)]
    for key in keys:
        await bucket.put(key, "v")
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await bucket.list(prefix="c-page/", limit=3, cursor=cursor)
        seen += [o.key for o in page.objects]
        if not page.truncated:
            break
        cursor = page.cursor
        assert cursor
    assert seen == keys


async def check_list_with_delimiter_groups_prefixes(bucket: Any) -> None:
    for key in (
        "c-dir/tests/1/a.json",
        "c-dir/tests/1/b.json",
        "c-dir/tests/2/a.json",
        "c-dir/top",
    ):
        await bucket.put(key, "v")
    listed = await bucket.list(prefix="c-dir/tests/", delimiter="/")
    assert listed.objects == []
    assert listed.delimited_prefixes == ["c-dir/tests/1/", "c-dir/tests/2/"]
    top = await bucket.list(prefix="c-dir/", delimiter="/")
    assert [o.key for o in top.objects] == ["c-dir/top"]
    assert top.delimited_prefixes == ["c-dir/tests/"]


async def check_custom_metadata_over_8192_bytes_is_refused(bucket: Any) -> None:
    try:
        await bucket.put("c-meta/big", "v", custom_metadata={"k": "x" * 8200})
    except Exception:
        assert await bucket.head("c-meta/big") is None
        return
    raise AssertionError("custom metadata over 8192 bytes should be refused")


async def check_korean_keys_roundtrip(bucket: Any) -> None:
    await bucket.put("c-ko/테스트/여행.json", "{}")
    assert (await bucket.get("c-ko/테스트/여행.json")).text() == "{}"
    listed = await bucket.list(prefix="c-ko/테스트/")
    assert [o.key for o in listed.objects] == ["c-ko/테스트/여행.json"]
