"""Local R2: keys confined to the bucket root, atomic blobs, validation, shared roots."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quizhub.domain.wire import iso_ms
from quizhub.local.r2 import LocalR2
from tests.fakes import START_MS, FakeClock

HOSTILE_KEYS = [
    "../x",
    "../../outside.txt",
    "/etc/passwd",
    "a/../../b",
    "./.",
    "..",
    ".",
    "a\x00b",
    "\x00",
    "C:\\Windows\\win.ini",
    "~/.ssh/id_rsa",
    "//server/share",
    "blobs/../r2.sqlite3",
    "r2.sqlite3",
    "a" * 1024,
]


def test_keys_never_escape_the_bucket_root(tmp_path: Path) -> None:
    """Any key reads and writes only inside the root; everything beside it stays unchanged."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do not touch")
    (tmp_path / "secret.txt").write_text("do not touch")
    root = outside / "bucket"
    bucket = LocalR2(root)

    def neighbours() -> set[str]:
        found = set()
        for dirpath, dirnames, filenames in os.walk(tmp_path):
            if Path(dirpath) == outside:
                dirnames.remove("bucket")  # the bucket's own files may change
            found |= {os.path.join(dirpath, n) for n in dirnames + filenames}
        return found

    before = neighbours()

    async def roundtrip(key: str) -> None:
        try:
            await bucket.put(key, b"payload")
        except (ValueError, TypeError):
            return  # refusing a key is fine; escaping the root is not
        got = await bucket.get(key)
        assert got is not None and got.body == b"payload"
        assert (await bucket.list(prefix=key)).objects[0].key == key
        await bucket.delete(key)
        assert await bucket.get(key) is None

    @settings(max_examples=200, deadline=None, database=None)
    @given(key=st.one_of(st.sampled_from(HOSTILE_KEYS), st.text(min_size=1, max_size=60)))
    @example(key="../secret.txt")
    def check(key: str) -> None:
        asyncio.run(roundtrip(key))
        assert neighbours() == before

    try:
        check()
    finally:
        bucket.close()
    assert (tmp_path / "secret.txt").read_text() == "do not touch"
    assert (outside / "secret.txt").read_text() == "do not touch"


def test_traversal_key_cannot_read_a_file_outside_the_root(tmp_path: Path) -> None:
    """``../secret`` names an object, not the file next to the bucket."""
    (tmp_path / "secret").write_text("private")
    bucket = LocalR2(tmp_path / "bucket")
    try:
        assert asyncio.run(bucket.get("../secret")) is None
        assert asyncio.run(bucket.head("/etc/passwd")) is None
    finally:
        bucket.close()


@pytest.mark.parametrize("key", ["", "a" * 1025, "가" * 342, "\ud800"])
def test_keys_outside_1_to_1024_utf8_bytes_are_refused(r2: LocalR2, key: str) -> None:
    """Empty, over-long and non-UTF-8 keys are refused before anything is written."""
    with pytest.raises(ValueError):
        asyncio.run(r2.put(key, "v"))


def test_non_string_key_is_refused(r2: LocalR2) -> None:
    """Keys must be str."""
    with pytest.raises(TypeError):
        asyncio.run(r2.put(b"bytes-key", "v"))  # type: ignore[arg-type]


def test_overwrite_leaves_one_blob_and_no_temp_files(r2: LocalR2) -> None:
    """Each put swaps in a complete blob and removes the previous one."""
    for i in range(5):
        asyncio.run(r2.put("tests/t1/doc.json", f"version {i}"))
    files = [p for p in (r2.root / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert files[0].read_text() == "version 4"
    asyncio.run(r2.delete("tests/t1/doc.json"))
    assert [p for p in (r2.root / "blobs").rglob("*") if p.is_file()] == []


def test_failed_precondition_writes_nothing(r2: LocalR2) -> None:
    """A put refused by ``only_if`` leaves neither a row nor a blob."""
    asyncio.run(r2.put("k", "first"))
    assert asyncio.run(r2.put("k", "second", only_if={"etag_does_not_match": "*"})) is None
    files = [p for p in (r2.root / "blobs").rglob("*") if p.is_file()]
    assert [f.read_text() for f in files] == ["first"]


def test_unknown_only_if_condition_is_refused(r2: LocalR2) -> None:
    """Misspelt conditions fail loudly instead of being ignored."""
    with pytest.raises(ValueError):
        asyncio.run(r2.put("k", "v", only_if={"etagMatches": "*"}))


def test_unknown_http_metadata_field_is_refused(r2: LocalR2) -> None:
    """http_metadata takes R2's camelCase fields only (``contentType``, not ``content_type``)."""
    with pytest.raises(ValueError):
        asyncio.run(r2.put("k", "v", http_metadata={"content_type": "text/plain"}))


def test_custom_metadata_limit_counts_utf8_bytes(r2: LocalR2) -> None:
    """8192 bytes of keys+values pass; one more byte does not."""
    asyncio.run(r2.put("ok", "v", custom_metadata={"k": "x" * 8191}))
    with pytest.raises(ValueError):
        asyncio.run(r2.put("big", "v", custom_metadata={"k": "가" * 2731}))


def test_uploaded_comes_from_the_injected_clock(r2: LocalR2, clock: FakeClock) -> None:
    """``uploaded`` is the clock's time in ISO 8601 UTC."""
    clock.ms = START_MS + 1234
    obj = asyncio.run(r2.put("k", "v"))
    assert obj is not None and obj.uploaded == iso_ms(START_MS + 1234)


def test_list_does_not_include_metadata(r2: LocalR2) -> None:
    """Like R2 without ``include``, list entries carry no http/custom metadata."""
    asyncio.run(r2.put("k", "v", custom_metadata={"a": "b"}, http_metadata={"contentType": "x/y"}))
    [obj] = asyncio.run(r2.list()).objects
    assert obj.custom_metadata == {} and obj.http_metadata == {}


def test_list_limit_must_be_1_to_1000(r2: LocalR2) -> None:
    """R2 lists at most 1000 entries per page."""
    for bad in (0, 1001):
        with pytest.raises(ValueError):
            asyncio.run(r2.list(limit=bad))


def test_delimited_prefixes_count_toward_the_limit_and_paginate(r2: LocalR2) -> None:
    """Pages mix objects and prefixes; a prefix is reported once across pages."""
    for key in ("a/1", "a/2", "b", "c/1", "c/2", "d"):
        asyncio.run(r2.put(key, "v"))
    entries: list[str] = []
    cursor = None
    for _ in range(10):
        page = asyncio.run(r2.list(delimiter="/", limit=2, cursor=cursor))
        entries += page.delimited_prefixes + [o.key for o in page.objects]
        if not page.truncated:
            break
        cursor = page.cursor
    assert sorted(entries) == ["a/", "b", "c/", "d"]


def test_invalid_cursor_is_refused(r2: LocalR2) -> None:
    """A cursor that we did not issue is an error, not an empty page."""
    with pytest.raises(ValueError):
        asyncio.run(r2.list(cursor="not-a-cursor"))


def test_two_handles_on_one_root_share_objects(tmp_path: Path) -> None:
    """A second process's bucket on the same root sees puts and deletes at once."""
    a, b = LocalR2(tmp_path / "bucket"), LocalR2(tmp_path / "bucket")
    try:
        asyncio.run(a.put("shared", "from a"))
        got = asyncio.run(b.get("shared"))
        assert got is not None and got.text() == "from a"
        asyncio.run(b.delete("shared"))
        assert asyncio.run(a.head("shared")) is None
    finally:
        a.close()
        b.close()


def test_blob_files_are_named_by_version_not_key(r2: LocalR2) -> None:
    """Stored file names are 32-hex version ids; the key appears nowhere on disk."""
    obj = asyncio.run(r2.put("../../evil", "v"))
    assert obj is not None
    names = [p.name for p in (r2.root / "blobs").rglob("*") if p.is_file()]
    assert names == [obj.version]
    assert all(not name.startswith(".") and os.sep not in name for name in names)
