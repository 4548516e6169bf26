"""A test's documents for editors: the current one (drafts included, read-your-writes), every
committed version, and previews of a result on either.

Listing and reading go through ``quizhub.store.versions`` (D1 rows, immutable R2 objects).
Restoring a version is a save: ``quizhub.pipeline.use_cases.restore_version``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.domain.compute import compute_result
from quizhub.ports import D1Database, R2Bucket
from quizhub.store.documents import read_current
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import (
    VersionsRepo,
    current_rev,
    load_version_content,
    saved_version,
    version_document,
    with_titles,
)

__all__ = [
    "VersionPage",
    "current_document",
    "list_versions",
    "read_version",
    "preview_compute",
]


@dataclass(frozen=True)
class VersionPage:
    """One page of versions, newest first; ``next_before`` is the last rev when more follow."""

    items: list[dict[str, Any]]
    next_before: str | None


async def current_document(db: D1Database, bucket: R2Bucket, test_id: str) -> dict[str, Any]:
    """The current document (drafts included) straight from D1 + R2, with its server fields."""
    return await read_current(TestsRepo(db), bucket, test_id, published_only=False)


async def list_versions(
    db: D1Database, bucket: R2Bucket, test_id: str, *, limit: int, before: str | None = None
) -> VersionPage:
    """Committed versions of ``test_id``, newest first (404 for a test that never existed)."""
    current = await current_rev(db, test_id)
    rows = await VersionsRepo(db).page(test_id, limit=limit + 1, before=before)
    page = await with_titles(bucket, rows[:limit])
    more = page[-1].rev if len(rows) > limit else None
    return VersionPage([v.to_json(current) for v in page], more)


async def read_version(db: D1Database, bucket: R2Bucket, test_id: str, rev: str) -> dict[str, Any]:
    """The document of version ``rev`` (drafts too: admin only)."""
    version = await saved_version(db, test_id, rev)
    return version_document(test_id, version, await load_version_content(bucket, version))


async def preview_compute(
    db: D1Database, bucket: R2Bucket, test_id: str, rev: str | None, answers: Any
) -> dict[str, Any]:
    """The result of ``answers`` on the current document (drafts included) or on version
    ``rev``: what the public test page shows in preview mode."""
    if rev is None:
        doc = await current_document(db, bucket, test_id)
    else:
        doc = await read_version(db, bucket, test_id, rev)
    return compute_result(doc, answers)
