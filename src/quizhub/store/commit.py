"""The revision compare-and-set commit of a save or a delete: ONE D1 batch (one transaction).

Its first statement decides the outcome from the stored rev and writes it into the job row; every
later statement is guarded by that decision, so the pointer flip, the derived rows (tags, images,
the version, the keyword terms) and the job transition are all-or-nothing and race-free on any
number of concurrent consumers. The read queries of the same tables are ``quizhub.store.tests``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from quizhub.domain.jobs import JobError, JobRow
from quizhub.domain.revisions import rev_timestamp
from quizhub.errors import Code
from quizhub.ports import D1Database, D1PreparedStatement
from quizhub.store.jobs import WORKABLE, JobRef, JobsRepo

__all__ = ["Against", "CommitOutcome", "CommitStatus", "Commits", "DocumentFacts"]


# The decision, from the stored rev (?3 the job's rev, ?4 the rev it expects to replace):
# ?16 = 1 for a create (explicit "baseRev": null): a live test with this id is a conflict.
# ?18 = 1 for a save based on a rev (it merges, docs/merge.md): a stored rev other than ?4 is
#   not a conflict but a new merge to compute: the job row stays as it was, nothing applies.
# ?19: the conflicts a merge against ?4 found (JSON), ?20 its error, ?22 that error's code and
#   ?23 its params (JSON); ?21: the merge applied.
_CUR = "(SELECT rev FROM tests WHERE id = ?2)"
_EXISTS = "EXISTS (SELECT 1 FROM tests WHERE id = ?2 AND deleted = 0)"
_SUPERSEDED = f"({_CUR} >= ?3)"
_TAKEN = f"(?16 = 1 AND {_EXISTS})"
_MOVED = f"(?4 IS NOT NULL AND {_CUR} IS NOT ?4)"
_REMERGE = f"({_MOVED} AND ?18 = 1)"
_OVERLAP = "(?19 IS NOT NULL)"

# The job still holds the right to commit: it decided 'apply' in this very batch and, for a
# save that merges (which a moved rev leaves workable), the pointer is still the rev it
# expected or already its own. A delayed job is workable too (a late delivery applies it under
# the same compare-and-set).
_HOLDS = f"job_id = ?1 AND status IN {WORKABLE} AND committed = 0"
_STILL = f"(?18 = 0 OR {_CUR} IS ?4 OR {_CUR} = ?3)"
_GUARD = f"EXISTS (SELECT 1 FROM jobs WHERE {_HOLDS}) AND {_STILL}"

_DECIDE = f"""UPDATE jobs SET
  status = CASE
    WHEN {_SUPERSEDED} THEN 'superseded'
    WHEN {_TAKEN} THEN 'conflict'
    WHEN {_REMERGE} THEN status
    WHEN {_MOVED} OR {_OVERLAP} THEN 'conflict'
    ELSE 'running' END,
  step = CASE
    WHEN {_SUPERSEDED} OR {_TAKEN} THEN 'done'
    WHEN {_REMERGE} THEN step
    WHEN {_MOVED} OR {_OVERLAP} THEN 'done'
    ELSE 'commit' END,
  error = CASE
    WHEN {_SUPERSEDED}
      THEN 'superseded: a newer revision (' || {_CUR} || ') is already live'
    WHEN {_TAKEN}
      THEN 'conflict: a test with this id already exists (rev '
        || {_CUR} || '); load it to edit it, or choose another id'
    WHEN {_REMERGE} THEN error
    WHEN {_MOVED} AND (SELECT deleted FROM tests WHERE id = ?2) = 1
      THEN 'conflict: the test was deleted since it was loaded (loaded ' || ?4 || ', deleted as '
        || {_CUR} || ')'
    WHEN {_MOVED}
      THEN 'conflict: the test changed since it was loaded (loaded ' || ?4 || ', now '
        || COALESCE({_CUR}, 'none') || ')'
    WHEN {_OVERLAP} THEN ?20
    ELSE NULL END,
  error_code = CASE
    WHEN {_SUPERSEDED} THEN '{Code.SUPERSEDED}'
    WHEN {_TAKEN} THEN '{Code.TEST_EXISTS}'
    WHEN {_REMERGE} THEN error_code
    WHEN {_MOVED} AND (SELECT deleted FROM tests WHERE id = ?2) = 1
      THEN '{Code.DELETED_SINCE_LOADED}'
    WHEN {_MOVED} THEN '{Code.CHANGED_SINCE_LOADED}'
    WHEN {_OVERLAP} THEN ?22
    ELSE NULL END,
  error_params = CASE
    WHEN {_SUPERSEDED} OR {_TAKEN} THEN json_object('liveRev', {_CUR})
    WHEN {_REMERGE} THEN error_params
    WHEN {_MOVED} THEN json_object('baseRev', ?4, 'liveRev', {_CUR})
    WHEN {_OVERLAP} THEN ?23
    ELSE NULL END,
  conflicts = CASE WHEN {_SUPERSEDED} OR {_TAKEN} OR {_MOVED} THEN NULL ELSE ?19 END,
  merge_facts = CASE
    WHEN {_SUPERSEDED} OR {_TAKEN} OR {_MOVED} OR {_OVERLAP} THEN NULL ELSE ?21 END,
  updated_at = CASE WHEN {_REMERGE} THEN updated_at ELSE ?5 END
WHERE {_HOLDS}"""

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
  published_at = NULL, updated_at = excluded.updated_at"""
# 최신순 orders by first publish: the save that first publishes a test (of this incarnation: a
# delete clears it) stamps the accept time of its rev; later saves keep it.
_FIRST_PUBLISH = f"""UPDATE tests SET published_at = ?14
WHERE id = ?2 AND status = 'published' AND published_at IS NULL AND {_GUARD}"""

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
WHERE {_HOLDS} AND {_STILL}"""


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


CommitStatus = Literal[
    "committed", "superseded", "conflict", "already-committed", "terminal", "moved"
]


@dataclass(frozen=True)
class Against:
    """How the commit of a save based on a rev compares (docs/merge.md): against ``rev``, the
    live rev its document was computed from (its ``baseRev``, or the live rev a merge used). A
    stored rev other than ``rev`` is not a conflict: the commit ends ``moved`` and changes
    nothing, and the caller merges again. ``conflicts`` (with ``error``): the merge against
    ``rev`` overlapped or broke a document rule, so the job ends ``conflict`` (with ``error``'s
    code and params) if ``rev`` is still live. ``merge``: the facts of the merge the document
    is."""

    rev: str
    merge: dict[str, Any] | None = None
    conflicts: dict[str, Any] | None = None
    error: JobError | None = None


@dataclass(frozen=True)
class CommitOutcome:
    """What the commit decided, and the job row after it."""

    status: CommitStatus
    job: JobRow


class Commits:
    """The commit batch over one D1 database."""

    def __init__(self, db: D1Database) -> None:
        self.db = db

    def _statements(
        self,
        job: JobRef,
        now: str,
        facts: DocumentFacts | None,
        object_key: str | None,
        against: Against | None,
    ) -> list[D1PreparedStatement]:
        f = facts
        error = None if against is None else against.error
        base_rev, create_only = job.precondition_args()
        args = [
            job.job_id,
            job.test_id,
            job.rev,
            base_rev if against is None else against.rev,
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
            int(against is not None),
            None if against is None else _json_or_null(against.conflicts),
            None if error is None else error.message,
            None if against is None else _json_or_null(against.merge),
            None if error is None else error.code.value,
            None if error is None else error.params_json(),
        ]
        sqls = [_DECIDE, _UPSERT if f else _TOMBSTONE, _CLEAR_TAGS, _CLEAR_IMAGES]
        if f:
            sqls += [_FIRST_PUBLISH, _ADD_TAGS, _ADD_IMAGES, _ADD_VERSION]
        sqls.append(_MARK_COMMITTED)
        # Each statement binds the same numbered parameters; SQLite ignores unused trailing ones
        # only when numbered, so bind exactly as many as the highest index a statement uses.
        return [self.db.prepare(sql).bind(*args[: _max_param(sql)]) for sql in sqls]

    async def commit(
        self,
        job: JobRef,
        now: str,
        facts: DocumentFacts | None,
        object_key: str | None,
        against: Against | None = None,
    ) -> CommitOutcome:
        """Compare-and-set the test pointer to ``job.rev`` (a save when ``facts`` else a delete),
        as its precondition says, or ``against`` a live rev (a save that merges)."""
        jobs = JobsRepo(self.db)
        before = await jobs.get(job.job_id)
        if before is not None and before.committed:
            status: CommitStatus = "terminal" if before.terminal else "already-committed"
            return CommitOutcome(status, before)
        await self.db.batch(self._statements(job, now, facts, object_key, against))
        after = await jobs.get(job.job_id)
        assert after is not None  # the first statement of the batch needs the row to exist
        if after.committed:
            return CommitOutcome("committed", after)
        if after.status == "superseded" or after.status == "conflict":
            return CommitOutcome(after.status, after)
        if not after.terminal:  # only a save that merges is left workable: its rev moved
            return CommitOutcome("moved", after)
        return CommitOutcome("terminal", after)


def _json_or_null(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _max_param(sql: str) -> int:
    return max(int(n) for n in re.findall(r"\?(\d+)", sql))
