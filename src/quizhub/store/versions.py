"""Versions of a test: every committed revision, listed from D1, read from its immutable R2 object.

The ``test_versions`` rows are written by the commit batch (``quizhub.store.commit``), so a version
exists exactly when its save committed; the documents themselves are ``tests/{id}/{rev}.json``,
never rewritten. Rows from before the table existed may lack a title or status; those are read
from the object when listed.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from typing import Any

from quizhub.domain.revisions import rev_timestamp
from quizhub.errors import Code, NotFound
from quizhub.ports import D1Database, R2Bucket
from quizhub.store.documents import stored_document

__all__ = [
    "VersionRow",
    "VersionsRepo",
    "saved_version",
    "current_rev",
    "load_version_content",
    "with_titles",
    "version_document",
]

_COLUMNS = "test_id, rev, job_id, title, status, object_key, saved_at, author"


@dataclass(frozen=True)
class VersionRow:
    """One committed revision of a test."""

    test_id: str
    rev: str
    job_id: str | None
    title: str | None
    status: str | None
    object_key: str
    saved_at: str
    author: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> VersionRow:
        return cls(
            test_id=str(row["test_id"]),
            rev=str(row["rev"]),
            job_id=row["job_id"],
            title=row["title"],
            status=row["status"],
            object_key=str(row["object_key"]),
            saved_at=str(row["saved_at"]),
            author=row["author"],
        )

    def to_json(self, current_rev: str | None = None) -> dict[str, Any]:
        """The list item of ``GET /api/admin/tests/{id}/versions`` (camelCase)."""
        return {
            "rev": self.rev,
            "savedAt": self.saved_at,
            "jobId": self.job_id,
            "title": self.title,
            "author": self.author,
            "status": self.status,
            "current": self.rev == current_rev,
        }


class VersionsRepo:
    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def page(self, test_id: str, *, limit: int, before: str | None) -> list[VersionRow]:
        """Versions of ``test_id``, newest rev first; ``before`` = the last rev already seen."""
        where = "test_id = ?1" + (" AND rev < ?3" if before is not None else "")
        args: list[Any] = [test_id, limit] + ([before] if before is not None else [])
        rows = (
            await self.db.prepare(
                f"SELECT {_COLUMNS} FROM test_versions WHERE {where} ORDER BY rev DESC LIMIT ?2"
            )
            .bind(*args)
            .all()
        )
        return [VersionRow.from_row(r) for r in rows["results"]]

    async def many(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], VersionRow]:
        """The versions among ``pairs`` of (test id, rev) that committed, in one query."""
        if not pairs:
            return {}
        rows = (
            await self.db.prepare(
                f"SELECT {_COLUMNS} FROM test_versions WHERE (test_id, rev) IN"
                " (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
                " FROM json_each(?1))"
            )
            .bind(json.dumps([list(p) for p in pairs]))
            .all()
        )
        found = [VersionRow.from_row(r) for r in rows["results"]]
        return {(v.test_id, v.rev): v for v in found}

    async def get(self, test_id: str, rev: str) -> VersionRow | None:
        """The version ``rev`` of ``test_id``, or None when no save of it committed."""
        row = (
            await self.db.prepare(
                f"SELECT {_COLUMNS} FROM test_versions WHERE test_id = ? AND rev = ?"
            )
            .bind(test_id, rev)
            .first()
        )
        return None if row is None else VersionRow.from_row(row)


async def saved_version(db: D1Database, test_id: str, rev: str) -> VersionRow:
    """The committed version ``rev`` of ``test_id`` (NotFound if no save of it committed)."""
    version = await VersionsRepo(db).get(test_id, rev)
    if version is None:
        raise NotFound(
            f"test '{test_id}' has no saved version {rev}",
            code=Code.VERSION_NOT_FOUND,
            params={"testId": test_id, "rev": rev},
        )
    return version


async def current_rev(db: D1Database, test_id: str) -> str:
    """The test's current rev (NotFound for a test that never existed)."""
    row = await db.prepare("SELECT rev FROM tests WHERE id = ?").bind(test_id).first()
    if row is None:
        message = f"test '{test_id}' does not exist"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id})
    return str(row["rev"])


async def load_version_content(bucket: R2Bucket, version: VersionRow) -> dict[str, Any]:
    """The stored content of a version (its immutable object)."""
    # Objects are written before their commit and never deleted: missing is a storage fault.
    return await stored_document(bucket, version.object_key, "version")


async def with_titles(bucket: R2Bucket, versions: list[VersionRow]) -> list[VersionRow]:
    """Fill in the title and status of rows recorded before versions were (from their objects)."""

    async def filled(v: VersionRow) -> VersionRow:
        if v.title is not None and v.status is not None:
            return v
        content = await load_version_content(bucket, v)
        return replace(v, title=content.get("title"), status=content.get("status"))

    return list(await asyncio.gather(*(filled(v) for v in versions)))


def version_document(test_id: str, version: VersionRow, content: dict[str, Any]) -> dict[str, Any]:
    """A version as ``GET …/versions/{rev}`` answers it: the content with its server fields."""
    return {
        "id": test_id,
        **content,
        "rev": version.rev,
        "updatedAt": rev_timestamp(version.rev),
        "savedAt": version.saved_at,
        "jobId": version.job_id,
        "author": version.author,
    }
