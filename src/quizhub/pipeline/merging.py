"""The commit of a save based on a rev (docs/merge.md): when the test moved since that rev, the
save is merged with the live version at field level before anything is decided.

Every round is one D1 batch whose compare-and-set tests the live rev the document was computed
against: the save's ``baseRev`` first, then the live rev of the merge. A rev that moved again in
between ends the batch ``moved`` (nothing applied) and the merge is computed again, never applied
over it. The outcome:

- the changes do not overlap: the merged document is stored under its own immutable key
  (``merged_document_key``: the same on every redelivery against the same live rev) and
  committed under the job's own rev, with the paths that came from each side on the job row;
- they overlap, or the merged document breaks a document rule: ``conflict``, with each
  conflicting path and its base, live and incoming values (bounded) on the job row;
- the test was deleted, its base version is unknown, or a newer rev is live: as without a
  merge (``conflict``, ``superseded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quizhub.domain.integrity import document_errors
from quizhub.domain.jobs import JobError
from quizhub.domain.merge import Conflict, merge_documents, rule_conflicts
from quizhub.domain.merge_bounds import bounded_conflicts, bounded_paths
from quizhub.domain.wire import DOCUMENT_LIMIT, json_bytes
from quizhub.errors import Code, Transient
from quizhub.errors.fields import field_error
from quizhub.ports import D1Database, R2Bucket
from quizhub.search.terms import document_terms
from quizhub.store.commit import Against, CommitOutcome, Commits, DocumentFacts
from quizhub.store.documents import put_immutable, stored_document
from quizhub.store.jobs import JobRef
from quizhub.store.keys import merged_document_key
from quizhub.store.tests import TestsRepo
from quizhub.store.versions import VersionsRepo

__all__ = ["commit_merging", "document_facts", "MERGE_ROUNDS"]

# Merges (each followed by its compare-and-set) one attempt makes while the live rev keeps
# moving; then the attempt fails as transient and the job's retry (message or step) merges again.
MERGE_ROUNDS = 5
# How many conflicting paths the job's error names (the job row lists them all, bounded).
_NAMED = 5


def document_facts(doc: dict[str, Any]) -> DocumentFacts:
    """The D1 columns of a document, its keyword terms included."""
    return DocumentFacts.of(doc, search_terms=document_terms(doc))


@dataclass(frozen=True)
class _Round:
    """What one commit round writes: the document's facts and object, compared against."""

    facts: DocumentFacts
    key: str | None
    against: Against


async def commit_merging(
    db: D1Database, bucket: R2Bucket, job: JobRef, doc: dict[str, Any], key: str | None, now: str
) -> CommitOutcome:
    """Commit the save ``doc`` (stored at ``key``) of a job based on a rev, merging it with the
    live version while that rev is behind (at most ``MERGE_ROUNDS`` merges per attempt)."""
    base_rev = job.precondition.base_rev
    assert base_rev is not None
    commits = Commits(db)
    own = document_facts(doc)
    outcome = await commits.commit(job, now, own, key, Against(base_rev))
    for _ in range(MERGE_ROUNDS):
        if outcome.status != "moved":
            return outcome
        plan = await _merge(db, bucket, job, base_rev, doc, own, key)
        if plan is None:  # nothing to merge with: decided as the precondition says
            return await commits.commit(job, now, own, key)
        outcome = await commits.commit(job, now, plan.facts, plan.key, plan.against)
    if outcome.status != "moved":
        return outcome
    raise Transient(
        f"the test kept changing while this save was merged ({MERGE_ROUNDS} merges); retrying",
        code=Code.MERGE_KEPT_MOVING,
        params={"rounds": MERGE_ROUNDS},
    )


async def _merge(
    db: D1Database,
    bucket: R2Bucket,
    job: JobRef,
    base_rev: str,
    doc: dict[str, Any],
    own: DocumentFacts,
    key: str | None,
) -> _Round | None:
    """The next round against the live version as it is now; None when there is nothing to
    merge with (deleted, never stored, newer than the job, or its base version unknown)."""
    live_row = await TestsRepo(db).pointer(job.test_id)
    if live_row is None or live_row.deleted or live_row.object_key is None:
        return None
    live_rev = live_row.rev
    if live_rev == base_rev:
        return _Round(own, key, Against(base_rev))
    version = await VersionsRepo(db).get(job.test_id, base_rev)
    if live_rev >= job.rev or version is None:
        return None
    base = await stored_document(bucket, version.object_key, "version")
    live = await stored_document(bucket, live_row.object_key, "document")
    result = merge_documents(base, live, doc)
    if result.merged is None:
        error = _overlap_error(result.conflicts, base_rev, live_rev)
        return _conflict(own, key, live_rev, result.conflicts, error)
    merged = result.merged.document
    problems = document_errors(merged)
    size = len(json_bytes(merged, sort_keys=True))
    if size > DOCUMENT_LIMIT:
        msg = f"the document would be {size:,} bytes; the limit is {DOCUMENT_LIMIT:,}"
        limits = {"limit": DOCUMENT_LIMIT, "size": size}
        problems.append(field_error([], msg, Code.DOCUMENT_TOO_LARGE.value, limits))
    if problems:
        conflicts = rule_conflicts(problems, merged, base, live, doc)
        return _conflict(own, key, live_rev, conflicts, _rules_error(problems, live_rev))
    merged_key = merged_document_key(job.test_id, job.rev, live_rev)
    metadata = {"rev": job.rev, "jobId": job.job_id, "liveRev": live_rev}
    await put_immutable(bucket, merged_key, merged, metadata)
    from_live, cut_live = bounded_paths(result.merged.from_live)
    from_incoming, cut_incoming = bounded_paths(result.merged.from_incoming)
    facts = {
        "liveRev": live_rev,
        "fromLive": from_live,
        "fromIncoming": from_incoming,
        "truncated": cut_live or cut_incoming,
    }
    return _Round(document_facts(merged), merged_key, Against(live_rev, merge=facts))


def _conflict(
    own: DocumentFacts, key: str | None, live_rev: str, conflicts: list[Conflict], error: JobError
) -> _Round:
    """A round that ends the job ``conflict`` if ``live_rev`` is still live (nothing applied)."""
    against = Against(live_rev, conflicts=bounded_conflicts(conflicts), error=error)
    return _Round(own, key, against)


def _overlap_error(conflicts: list[Conflict], base_rev: str, live_rev: str) -> JobError:
    """``merge_conflict``: the paths both sides changed (the first ``_NAMED``, and how many)."""
    paths = [c.path for c in conflicts]
    named = ", ".join(paths[:_NAMED]) + (
        f" and {len(paths) - _NAMED} more" if len(paths) > _NAMED else ""
    )
    return JobError(
        Code.MERGE_CONFLICT,
        f"conflict: this save and the live version (rev {live_rev}) both changed what rev"
        f" {base_rev} had: {named}",
        {"baseRev": base_rev, "liveRev": live_rev, "paths": paths[:_NAMED], "count": len(paths)},
    )


def _rules_error(problems: list[dict[str, Any]], live_rev: str) -> JobError:
    """``merge_broke_rules``: the first document rule the merged document breaks, and how many
    it breaks."""
    first = problems[0]
    path = ".".join(str(p) for p in first["loc"])
    return JobError(
        Code.MERGE_BROKE_RULES,
        f"conflict: merged with the live version (rev {live_rev}), the test would break a"
        f" rule: {path or 'the document'}: {first['msg']}",
        {"liveRev": live_rev, "path": path, "rule": str(first["type"]), "count": len(problems)},
    )
