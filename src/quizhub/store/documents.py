"""Reading documents: D1 pointer → immutable R2 object, with KV as a rev-carrying cache in front."""

from __future__ import annotations

import json
from typing import Any

from quizhub.domain.jobs import JobRow
from quizhub.domain.wire import json_bytes, json_text
from quizhub.errors import Code, NotFound, StorageDamaged
from quizhub.ports import KVNamespace, R2Bucket
from quizhub.store.keys import document_key, kv_test_key, staging_key
from quizhub.store.tests import TestRow, TestsRepo

__all__ = [
    "stored_document",
    "put_immutable",
    "read_current",
    "read_published",
    "load_job_body",
    "still_current",
]


async def read_current(
    tests: TestsRepo, bucket: R2Bucket, test_id: str, *, published_only: bool
) -> dict[str, Any]:
    """The current document with server fields (``id``, ``rev``, ``createdAt``, ``updatedAt``)."""
    row = await tests.pointer(test_id)
    if (
        row is None
        or row.deleted
        or row.object_key is None
        or (published_only and row.status != "published")
    ):
        raise NotFound(
            f"test '{test_id}' does not exist" + (" or is not published" if published_only else ""),
            code=Code.TEST_NOT_FOUND,
            params={"testId": test_id},
        )
    return _with_server_fields(await stored_document(bucket, row.object_key, "document"), row)


async def stored_document(bucket: R2Bucket, key: str, what: str) -> dict[str, Any]:
    """The JSON document at ``key``, which D1 says exists (objects are written before the
    pointer that names them, and never rewritten): missing or unreadable is StorageDamaged
    naming the key and the cause, never a 404 or a bare 500."""
    obj = await bucket.get(key)
    if obj is None:
        raise StorageDamaged(
            f"{what} object {key} is missing from R2 although D1 points at it", key=key
        )
    try:
        doc = json.loads(obj.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StorageDamaged(f"{what} object {key} is not readable JSON ({exc})", key=key) from None
    if not isinstance(doc, dict):
        raise StorageDamaged(
            f"{what} object {key} holds {type(doc).__name__}, not a document", key=key
        )
    return doc


async def put_immutable(
    bucket: R2Bucket, key: str, doc: dict[str, Any], metadata: dict[str, str]
) -> None:
    """Write a document object once (create-only: a repeat never rewrites it, so readers of a
    key always get the bytes the first write stored)."""
    await bucket.put(
        key,
        json_bytes(doc),
        http_metadata={"contentType": "application/json; charset=utf-8"},
        custom_metadata=metadata,
        only_if={"etag_does_not_match": "*"},
    )


def _with_server_fields(doc: dict[str, Any], row: TestRow) -> dict[str, Any]:
    return {
        "id": row.id,
        **doc,
        "rev": row.rev,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


async def read_published(
    tests: TestsRepo,
    bucket: R2Bucket,
    kv: KVNamespace,
    test_id: str,
    kv_ttl: int,
    *,
    recheck: bool = True,
) -> tuple[dict[str, Any], str]:
    """A published document via KV, else D1+R2 (refilling KV); returns (doc, source).

    ``recheck=False``: the caller fills another cache next and re-checks the pointer once
    after both fills (dropping both copies), so this one would be a second D1 read."""
    cached = await kv.get(kv_test_key(test_id), "json")
    if isinstance(cached, dict) and isinstance(cached.get("doc"), dict) and cached.get("rev"):
        return cached["doc"], "kv"
    doc = await read_current(tests, bucket, test_id, published_only=True)
    value = json_text({"rev": doc["rev"], "doc": doc})
    await kv.put(kv_test_key(test_id), value, expiration_ttl=max(60, kv_ttl))
    if recheck and not await still_current(tests, test_id, doc["rev"]):
        # A save committed (and invalidated) while we read: our copy is already old. Drop it.
        await kv.delete(kv_test_key(test_id))
    return doc, "d1"


async def still_current(tests: TestsRepo, test_id: str, rev: str) -> bool:
    """Whether ``rev`` is still the published revision (the double-check after filling a cache).

    A reader that fetched the old revision can write it into KV or the Cache API just AFTER the
    consumer's invalidation; re-reading the pointer once after the fill closes that window.
    """
    row = await tests.pointer(test_id)
    return row is not None and row.rev == rev and not row.deleted and row.status == "published"


async def load_job_body(bucket: R2Bucket, job: JobRow) -> dict[str, Any] | None:
    """A save job's document: its versioned object (written before the commit) or claim check."""
    keys = [staging_key(job.job_id)]
    if job.test_id is not None:
        keys.insert(0, document_key(job.test_id, job.rev))
    for key in keys:
        obj = await bucket.get(key)
        if obj is not None:
            doc: dict[str, Any] = json.loads(obj.body)
            return doc
    return None
