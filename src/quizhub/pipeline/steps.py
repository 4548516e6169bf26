"""The save job's steps as plain functions: each does its work and returns what it found; the
order, the progress records and the notices are ``quizhub.pipeline.sequences``'. Each is
idempotent, so any of them may run again after a crash or redelivery.

The write order (docs/architecture.md#step-order): put the immutable R2 object → flip the D1
pointer in one batch → invalidate KV and caches. A binding error surfaces as is (transient); a
body that can never be applied as ``Permanent``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from quizhub.domain.jobs import JobError
from quizhub.edge.cdn import tags_for_test, urls_for_test
from quizhub.errors import Code, Permanent
from quizhub.pipeline.merging import commit_merging, document_facts
from quizhub.pipeline.messages import JobMessage, verify_body
from quizhub.pipeline.purges import purge_reason
from quizhub.ports import D1Database, KVNamespace, Purger, R2Bucket
from quizhub.store.commit import CommitOutcome, Commits
from quizhub.store.documents import put_immutable
from quizhub.store.jobs import JobRef
from quizhub.store.keys import document_key, kv_test_key, staging_key
from quizhub.store.purges import PurgeDebtRepo

__all__ = [
    "load_document",
    "put_document",
    "commit",
    "invalidate",
    "release_claim_check",
    "CLAIM_CHECK_DONE",
    "index_warning",
]

log = logging.getLogger("quizhub.pipeline")


async def load_document(bucket: R2Bucket, signing_key: bytes, msg: JobMessage) -> dict[str, Any]:
    """The save's content from the message or its claim check, checked against the signature
    the accept path gave it (a forged or altered body → Permanent)."""
    if msg.body_ref is not None:
        obj = await bucket.get(msg.body_ref.key)
        if obj is None:
            where = {"key": msg.body_ref.key}
            message = f"claim-check object {msg.body_ref.key} is missing"
            raise Permanent(message, code=Code.CLAIM_CHECK_MISSING, params=where)
        if hashlib.sha256(obj.body).hexdigest() != msg.body_ref.sha256:
            where = {"key": msg.body_ref.key}
            message = f"claim-check object {msg.body_ref.key} does not match its sha256"
            raise Permanent(message, code=Code.CLAIM_CHECK_CORRUPT, params=where)
        content: Any = json.loads(obj.body)
    else:
        content = msg.body
    verify_body(msg, content, signing_key)
    if not isinstance(content, dict):
        raise Permanent("the job's document is not an object", code=Code.DOCUMENT_NOT_OBJECT)
    return content


async def put_document(bucket: R2Bucket, job: JobRef, doc: dict[str, Any]) -> str:
    """Write ``tests/{id}/{rev}.json`` once (create-only, so a repeat never rewrites it)."""
    key = document_key(job.test_id, job.rev)
    await put_immutable(bucket, key, doc, {"rev": job.rev, "jobId": job.job_id})
    return key


async def commit(
    db: D1Database,
    bucket: R2Bucket,
    job: JobRef,
    doc: dict[str, Any] | None,
    object_key: str | None,
    now: str,
) -> CommitOutcome:
    """The D1 batch: compare-and-set the pointer (save when ``doc`` is given, else delete). A
    save based on a rev that is no longer live is merged with the live version first
    (``quizhub.pipeline.merging``, docs/merge.md)."""
    if doc is None or job.precondition.base_rev is None:
        facts = None if doc is None else document_facts(doc)
        return await Commits(db).commit(job, now, facts, object_key)
    return await commit_merging(db, bucket, job, doc, object_key, now)


async def invalidate(
    kv: KVNamespace, purger: Purger, debts: PurgeDebtRepo, origin: str, job: JobRef, now: str
) -> None:
    """After commit only: drop the KV copy and purge cached detail/list responses; once both
    succeeded the job is live (``liveAt``, docs/pipeline.md#live-and-its-staleness-bound).

    A purge that fails is owed before its error goes on (the job retries it; meanwhile public
    reads of the test skip the caches); one that succeeds pays the test's debts up to
    ``job.rev``: it started after that rev, and every older one, committed."""
    test_id = job.test_id
    await kv.delete(kv_test_key(test_id))
    urls = urls_for_test(origin.rstrip("/"), test_id)
    try:
        await purger.purge(tags=tags_for_test(test_id), urls=urls)
    except Exception as exc:
        try:
            await debts.owe(test_id, job.rev, now, purge_reason(exc))
        except Exception:  # noqa: BLE001 - the purge's error is the one the job retries on
            log.exception("could not record the purge owed for %s at %s", test_id, job.rev)
        raise
    await debts.paid_up_to(test_id, job.rev)


# A claim-check body is dropped once its job can no longer need it: succeeded (applied) or
# superseded (a newer rev won; a retry would be superseded too). A failed or conflicted job keeps
# it so that 다시 시도 can re-submit it; the R2 lifecycle rule of `make cf-setup` removes leftovers.
CLAIM_CHECK_DONE = ("succeeded", "superseded")


async def release_claim_check(bucket: R2Bucket, msg: JobMessage, status: str) -> None:
    """Delete the job's ``staging/{jobId}.json`` when its job ended in ``CLAIM_CHECK_DONE``."""
    if msg.body_ref is not None and status in CLAIM_CHECK_DONE:
        await bucket.delete(staging_key(msg.job_id))


def index_warning(exc: BaseException) -> JobError:
    """The warning a succeeded job keeps when its search index could not be updated."""
    kind = type(exc).__name__
    return JobError(
        Code.INDEX_NOT_UPDATED,
        f"saved and live; the search index was not updated ({kind}: {str(exc)[:200]});"
        " the next save or a reindex repairs it",
        {"error": kind},
    )
