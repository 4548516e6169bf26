"""The tests table: the revision compare-and-set commit and the read queries.

The commit is ONE D1 batch (one transaction). Its first statement decides the outcome from the
stored rev and writes it into the job row; every later statement is guarded by that decision,
so the pointer flip, the derived rows and the job transition are all-or-nothing and race-free
on any number of concurrent consumers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from quizhub.domain.jobs import JobRow
from quizhub.domain.revisions import rev_timestamp
from quizhub.ports import D1Database, D1PreparedStatement
from quizhub.store.jobs import WORKABLE, JobRef, JobsRepo

__all__ = ["CommitOutcome", "TestRow", "TestsRepo", "DocumentFacts"]

# The job still holds the right to commit: it decided 'apply' in this very batch. A delayed job
# is workable too (a late delivery applies it under the same compare-and-set).
_GUARD = f"EXISTS (SELECT 1 FROM jobs WHERE job_id = ?1 AND status IN {WORKABLE} AND committed = 0)"

# ?16 = 1 for a create (explicit "baseRev": null): a live test with this id is a conflict.
_EXISTS = "EXISTS (SELECT 1 FROM tests WHERE id = ?2 AND deleted = 0)"
_DECIDE = f"""UPDATE jobs SET
  status = CASE
    WHEN (SELECT rev FROM tests WHERE id = ?2) >= ?3 THEN 'superseded'
    WHEN ?16 = 1 AND {_EXISTS} THEN 'conflict'
    WHEN ?4 IS NOT NULL AND (SELECT rev FROM tests WHERE id = ?2) IS NOT ?4 THEN 'conflict'
    ELSE 'running' END,
  step = CASE
    WHEN (SELECT rev FROM tests WHERE id = ?2) >= ?3 THEN 'done'
    WHEN ?16 = 1 AND {_EXISTS} THEN 'done'
    WHEN ?4 IS NOT NULL AND (SELECT rev FROM tests WHERE id = ?2) IS NOT ?4 THEN 'done'
    ELSE 'commit' END,
  error = CASE
    WHEN (SELECT rev FROM tests WHERE id = ?2) >= ?3
      THEN 'superseded: a newer revision (' || (SELECT rev FROM tests WHERE id = ?2)
        || ') is already live'
    WHEN ?16 = 1 AND {_EXISTS}
      THEN 'conflict: a test with this id already exists (rev '
        || (SELECT rev FROM tests WHERE id = ?2) || '); load it to edit it, or choose another id'
    WHEN ?4 IS NOT NULL AND (SELECT rev FROM tests WHERE id = ?2) IS NOT ?4
      THEN 'conflict: the test changed since it was loaded (loaded ' || ?4 || ', now '
        || COALESCE((SELECT rev FROM tests WHERE id = ?2), 'none') || ')'
    ELSE NULL END,
  updated_at = ?5
WHERE job_id = ?1 AND status IN {WORKABLE} AND committed = 0"""

_UPSERT = f"""INSERT INTO tests (id, rev, status, deleted, title, description, tags, thumbnail,
  question_count, object_key, search_text, created_at, updated_at)
SELECT ?2, ?3, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14 WHERE {_GUARD}
ON CONFLICT(id) DO UPDATE SET rev = excluded.rev, status = excluded.status, deleted = 0,
  title = excluded.title, description = excluded.description, tags = excluded.tags,
  thumbnail = excluded.thumbnail, question_count = excluded.question_count,
  object_key = excluded.object_key, search_text = excluded.search_text,
  created_at = CASE WHEN tests.deleted = 1 THEN excluded.created_at ELSE tests.created_at END,
  updated_at = excluded.updated_at"""

# A delete leaves a tombstone holding its rev, also where no pointer exists yet (a delete that
# commits before older saves of the same test): those saves are then superseded, never applied.
_TOMBSTONE = f"""INSERT INTO tests (id, rev, status, deleted, title, object_key, created_at,
  updated_at)
SELECT ?2, ?3, 'draft', 1, '', NULL, ?14, ?14 WHERE {_GUARD}
ON CONFLICT(id) DO UPDATE SET rev = excluded.rev, deleted = 1, object_key = NULL,
  updated_at = excluded.updated_at"""

_CLEAR_TAGS = f"DELETE FROM test_tags WHERE test_id = ?2 AND {_GUARD}"
_ADD_TAGS = (
    f"INSERT INTO test_tags (test_id, tag) SELECT ?2, value FROM json_each(?9) WHERE {_GUARD}"
)
_CLEAR_IMAGES = f"DELETE FROM test_images WHERE test_id = ?2 AND {_GUARD}"
_ADD_IMAGES = f"""INSERT OR IGNORE INTO test_images (test_id, image_key, role)
SELECT ?2, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?15)
WHERE {_GUARD}"""
# Every committed save is a version (the immutable object it points to stays readable).
_ADD_VERSION = f"""INSERT OR IGNORE INTO test_versions (test_id, rev, job_id, title, status,
  object_key, saved_at, author)
SELECT ?2, ?3, ?1, ?7, ?6, ?12, ?5, ?17 WHERE {_GUARD}"""
_MARK_COMMITTED = f"""UPDATE jobs SET committed = 1, step = 'invalidate', updated_at = ?5,
  committed_at = ?5
WHERE job_id = ?1 AND status IN {WORKABLE} AND committed = 0"""

_SUMMARY_COLS = (
    "id, rev, status, title, description, tags, thumbnail, question_count, created_at, updated_at"
)


@dataclass(frozen=True)
class DocumentFacts:
    """The columns D1 derives from a document (so the read path needs no R2 for lists)."""

    status: str
    title: str
    description: str
    tags: list[str]
    thumbnail: str | None
    question_count: int
    images: list[tuple[str, str]]  # (image key, role)
    search_terms: str  # keyword terms for the FTS index (quizhub.search.terms.document_terms)

    @classmethod
    def of(cls, doc: dict[str, Any], *, search_terms: str) -> DocumentFacts:
        """Facts of a validated content dict; ``search_terms`` are its keyword terms, which the
        caller computes (search owns them; the store only writes them)."""
        images = [(doc["thumbnail"], "thumbnail")] if doc.get("thumbnail") else []
        images += [(q["image"], f"question:{q['id']}") for q in doc["questions"] if q.get("image")]
        images += [(r["image"], f"result:{r['id']}") for r in doc["results"] if r.get("image")]
        return cls(
            status=doc["status"],
            title=doc["title"],
            description=doc.get("description", ""),
            tags=list(doc.get("tags", [])),
            thumbnail=doc.get("thumbnail"),
            question_count=len(doc["questions"]),
            images=images,
            search_terms=search_terms,
        )


CommitStatus = Literal["committed", "superseded", "conflict", "already-committed", "terminal"]


@dataclass(frozen=True)
class CommitOutcome:
    """What the commit decided, and the job row after it."""

    status: CommitStatus
    job: JobRow


@dataclass(frozen=True)
class TestRow:
    __test__ = False

    id: str
    rev: str
    status: str
    deleted: bool
    object_key: str | None
    created_at: str
    updated_at: str


class TestsRepo:
    __test__ = False

    def __init__(self, db: D1Database) -> None:
        self.db = db

    def _commit_statements(
        self,
        job: JobRef,
        now: str,
        facts: DocumentFacts | None,
        object_key: str | None,
    ) -> list[D1PreparedStatement]:
        f = facts
        base_rev, create_only = job.precondition_args()
        args = [
            job.job_id,
            job.test_id,
            job.rev,
            base_rev,
            now,
            f.status if f else None,
            f.title if f else None,
            f.description if f else None,
            json.dumps(f.tags if f else [], ensure_ascii=False),
            f.thumbnail if f else None,
            f.question_count if f else 0,
            object_key,
            f.search_terms if f else "",
            rev_timestamp(job.rev),  # a test's updatedAt is the accept time of its rev
            json.dumps([list(i) for i in (f.images if f else [])]),
            create_only,
            job.author,
        ]
        sqls = [_DECIDE, _UPSERT if f else _TOMBSTONE, _CLEAR_TAGS, _CLEAR_IMAGES]
        if f:
            sqls += [_ADD_TAGS, _ADD_IMAGES, _ADD_VERSION]
        sqls.append(_MARK_COMMITTED)
        # Each statement binds the same numbered parameters; SQLite ignores unused trailing ones
        # only when numbered, so bind exactly as many as the highest index a statement uses.
        return [self.db.prepare(sql).bind(*args[: _max_param(sql)]) for sql in sqls]

    async def commit(
        self, job: JobRef, now: str, facts: DocumentFacts | None, object_key: str | None
    ) -> CommitOutcome:
        """Compare-and-set the test pointer to ``job.rev`` (a save when ``facts`` else a delete)."""
        jobs = JobsRepo(self.db)
        before = await jobs.get(job.job_id)
        if before is not None and before.committed:
            status: CommitStatus = "terminal" if before.terminal else "already-committed"
            return CommitOutcome(status, before)
        await self.db.batch(self._commit_statements(job, now, facts, object_key))
        after = await jobs.get(job.job_id)
        assert after is not None  # the first statement of the batch needs the row to exist
        if after.committed:
            return CommitOutcome("committed", after)
        if after.status == "superseded" or after.status == "conflict":
            return CommitOutcome(after.status, after)
        return CommitOutcome("terminal", after)

    async def pointer(self, test_id: str) -> TestRow | None:
        """The current pointer row (including drafts and tombstones)."""
        row = (
            await self.db.prepare(
                "SELECT id, rev, status, deleted, object_key, created_at, updated_at"
                " FROM tests WHERE id = ?"
            )
            .bind(test_id)
            .first()
        )
        return None if row is None else _row(row)

    async def list_public(
        self, *, tag: str | None, limit: int, after: tuple[str, str] | None
    ) -> list[dict[str, Any]]:
        """Published tests, newest first; ``after`` = (updated_at, id) of the last item seen."""
        where = ["deleted = 0", "status = 'published'"]
        args: list[Any] = []
        if tag:
            where.append(
                "EXISTS (SELECT 1 FROM test_tags g WHERE g.test_id = tests.id AND g.tag = ?)"
            )
            args.append(tag)
        if after:
            where.append("(updated_at < ? OR (updated_at = ? AND id < ?))")
            args += [after[0], after[0], after[1]]
        sql = (
            f"SELECT {_SUMMARY_COLS} FROM tests WHERE {' AND '.join(where)} "
            "ORDER BY updated_at DESC, id DESC LIMIT ?"
        )
        rows = await self.db.prepare(sql).bind(*args, limit).all()
        return [_summary(r) for r in rows["results"]]

    async def keyword_ranked(
        self, expression: str, terms: Iterable[str], *, coverage: float, depth: int
    ) -> list[str]:
        """Ids of published tests matching the FTS5 MATCH ``expression``, best bm25 first.

        FTS5 finds tests sharing any term; a test must also hold at least ``coverage`` of the
        query's distinct ``terms``, so a common bigram (에서, 하기) alone is not a match. Search
        (``quizhub.search``) makes the expression and the terms from the query."""
        rows = (
            await self.db.prepare(
                """SELECT tests.id, tests.search_text FROM test_search
            JOIN tests ON tests.rowid = test_search.rowid
            WHERE test_search MATCH ?1 AND tests.deleted = 0 AND tests.status = 'published'
            ORDER BY bm25(test_search), tests.updated_at DESC LIMIT ?2"""
            )
            .bind(expression, depth)
            .all()
        )
        wanted = set(terms)
        return [
            str(r["id"])
            for r in rows["results"]
            if len(wanted & set(str(r["search_text"]).split())) >= coverage * len(wanted)
        ]

    async def summaries(self, ids: list[str], *, tag: str | None = None) -> list[dict[str, Any]]:
        """Summaries of the published tests among ``ids``, in the order of ``ids``."""
        if not ids:
            return []
        where = "deleted = 0 AND status = 'published' AND id IN (SELECT value FROM json_each(?1))"
        args: list[Any] = [json.dumps(ids)]
        if tag:
            where += (
                " AND EXISTS (SELECT 1 FROM test_tags g WHERE g.test_id = tests.id AND g.tag = ?2)"
            )
            args.append(tag)
        rows = (
            await self.db.prepare(f"SELECT {_SUMMARY_COLS} FROM tests WHERE {where}")
            .bind(*args)
            .all()
        )
        by_id = {r["id"]: _summary(r) for r in rows["results"]}
        return [by_id[i] for i in ids if i in by_id]

    async def ping(self) -> None:
        """One cheap read of the tests table: raises when D1 does not answer (health)."""
        await self.db.prepare("SELECT 1 AS ok FROM tests LIMIT 1").first("ok")

    async def titles(self, ids: list[str]) -> dict[str, str]:
        """Titles of the tests among ``ids`` that exist and are not deleted (drafts too)."""
        if not ids:
            return {}
        rows = (
            await self.db.prepare(
                "SELECT id, title FROM tests WHERE deleted = 0"
                " AND id IN (SELECT value FROM json_each(?1))"
            )
            .bind(json.dumps(ids))
            .all()
        )
        return {str(r["id"]): str(r["title"]) for r in rows["results"]}

    async def pointers(self, test_ids: list[str]) -> dict[str, TestRow]:
        """The pointer rows of ``test_ids`` (tombstones and drafts included) in one query."""
        rows = await (
            self.db.prepare(
                "SELECT id, rev, status, deleted, object_key, created_at, updated_at FROM tests"
                " WHERE id IN (SELECT value FROM json_each(?1))"
            )
            .bind(json.dumps(test_ids))
            .all()
        )
        return {str(r["id"]): _row(r) for r in rows["results"]}

    async def all_pointers(self) -> list[TestRow]:
        """Every pointer row, tombstones and drafts included (the reindex walks them all)."""
        rows = await self.db.prepare(
            "SELECT id, rev, status, deleted, object_key, created_at, updated_at FROM tests"
            " ORDER BY id"
        ).all()
        return [_row(r) for r in rows["results"]]

    async def reindex_keywords(self, test_id: str, terms: str) -> None:
        """Rewrite one test's keyword terms (the FTS index follows through its trigger)."""
        await (
            self.db.prepare("UPDATE tests SET search_text = ? WHERE id = ?")
            .bind(terms, test_id)
            .run()
        )

    async def published_stamps(self, limit: int) -> list[tuple[str, str]]:
        """``(id, updated_at)`` of published tests, newest first (the sitemap's entries)."""
        rows = (
            await self.db.prepare(
                "SELECT id, updated_at FROM tests WHERE deleted = 0 AND status = 'published'"
                " ORDER BY updated_at DESC, id DESC LIMIT ?"
            )
            .bind(limit)
            .all()
        )
        return [(str(r["id"]), str(r["updated_at"])) for r in rows["results"]]

    async def list_all(self) -> list[dict[str, Any]]:
        """Every live test (drafts too), newest first, for the admin list."""
        rows = await self.db.prepare(
            f"SELECT {_SUMMARY_COLS} FROM tests WHERE deleted = 0 ORDER BY updated_at DESC, id DESC"
        ).all()
        return [_summary(r) for r in rows["results"]]


def _row(row: dict[str, Any]) -> TestRow:
    return TestRow(
        id=row["id"],
        rev=row["rev"],
        status=row["status"],
        deleted=bool(row["deleted"]),
        object_key=row["object_key"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "rev": row["rev"],
        "status": row["status"],
        "title": row["title"],
        "description": row["description"],
        "tags": json.loads(row["tags"]),
        "thumbnail": row["thumbnail"],
        "questionCount": row["question_count"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _max_param(sql: str) -> int:
    import re

    return max(int(n) for n in re.findall(r"\?(\d+)", sql))
