"""Versions of a test: list, read, preview a result, and restore (a restore is a new save).

Listing and reading go through ``quizhub.store.versions`` (D1 rows, immutable R2 objects). A
restore re-validates the version's content as a save would (rules may have tightened since it
was saved) and accepts it as a new job whose ``baseRev`` is the test's current rev, so a test
that moved in between ends ``conflict`` instead of being overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.bindings import Bindings
from quizhub.domain.compute import compute_result
from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.errors import NotFound
from quizhub.pipeline.accept import Accepted, accept_save
from quizhub.store.documents import read_current
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import (
    VersionRow,
    VersionsRepo,
    load_version_content,
    version_document,
    with_titles,
)

__all__ = ["VersionPage", "list_versions", "read_version", "restore_version", "preview_compute"]


@dataclass(frozen=True)
class VersionPage:
    """One page of versions, newest first; ``next_before`` is the last rev when more follow."""

    items: list[dict[str, Any]]
    next_before: str | None


async def _current_rev(b: Bindings, test_id: str) -> str:
    row = await TestsRepo(b.db).pointer(test_id)
    if row is None:
        raise NotFound(f"test '{test_id}' does not exist")
    return row.rev


async def _version(b: Bindings, test_id: str, rev: str) -> VersionRow:
    version = await VersionsRepo(b.db).get(test_id, rev)
    if version is None:
        raise NotFound(f"test '{test_id}' has no saved version {rev}")
    return version


async def list_versions(
    b: Bindings, test_id: str, *, limit: int, before: str | None = None
) -> VersionPage:
    """Committed versions of ``test_id``, newest first (404 for a test that never existed)."""
    current = await _current_rev(b, test_id)
    rows = await VersionsRepo(b.db).page(test_id, limit=limit + 1, before=before)
    page = await with_titles(b.bucket, rows[:limit])
    more = page[-1].rev if len(rows) > limit else None
    return VersionPage([v.to_json(current) for v in page], more)


async def read_version(b: Bindings, test_id: str, rev: str) -> dict[str, Any]:
    """The document of version ``rev`` (drafts too: admin only)."""
    version = await _version(b, test_id, rev)
    return version_document(test_id, version, await load_version_content(b.bucket, version))


async def restore_version(
    b: Bindings, test_id: str, rev: str, base_rev: str | None = None
) -> Accepted:
    """Accept version ``rev``'s content as a new save. ``base_rev``: the rev the editor saw
    (default: the current one), so a restore never overwrites a save it did not see."""
    version = await _version(b, test_id, rev)
    expected = base_rev or await _current_rev(b, test_id)
    content = parse_document(await load_version_content(b.bucket, version)).content()
    return await accept_save(b, test_id, content, Precondition(base_rev=expected))


async def preview_compute(
    b: Bindings, test_id: str, rev: str | None, answers: Any
) -> dict[str, Any]:
    """The result of ``answers`` on the current document (drafts included) or on version
    ``rev``: what the public test page shows in preview mode."""
    if rev is None:
        doc = await read_current(TestsRepo(b.db), b.bucket, test_id, published_only=False)
    else:
        doc = await read_version(b, test_id, rev)
    return compute_result(doc, answers)
