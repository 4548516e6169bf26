"""Retrying a job that ended failed, conflicted or expired: its stored body, accepted again as a
new job — once: concurrent retries of one job answer with the one new job the first claimed."""

from __future__ import annotations

from dataclasses import dataclass

from quizhub.bindings import Bindings
from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.errors import Code, Conflict, NotFound
from quizhub.pipeline.accept import (
    Accepted,
    Claim,
    accept_delete,
    accept_image_job,
    accept_reindex,
    accept_reprocess_images,
    accept_save,
    accepted_job,
)
from quizhub.pipeline.messages import JobMessage
from quizhub.pipeline.policy import untouched_job
from quizhub.store.documents import load_job_body
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import original_keys

__all__ = ["RETRYABLE", "retry_job"]

RETRYABLE = ("failed", "conflict", "expired")


@dataclass(frozen=True)
class _RetryClaim:
    """The claim a retry takes on its job in D1 before its message is sent, so concurrent
    retries of one job accept one new job and all answer with it."""

    jobs: JobsRepo
    job_id: str
    replacing: str | None  # an ended or abandoned claim to take over, if any

    async def take(self, msg: JobMessage) -> str:
        return await self.jobs.claim_retry(self.job_id, msg.job_id, replacing=self.replacing)

    async def release(self, msg: JobMessage) -> None:
        await self.jobs.release_retry(self.job_id, msg.job_id)


async def _claim_ended(b: Bindings, holder: str) -> bool:
    """Whether the retry holding the claim no longer stands for the job: it ended (a later
    retry, e.g. with a newer ``baseRev`` after it conflicted, is a new job again), or it was
    abandoned — never reached a consumer within the job budget, because its process died
    between the claim and the send (a send that failed gives its claim back). A message that
    still arrives later has the older rev: the commit supersedes it, so nothing is saved twice."""
    row = await JobsRepo(b.db).get(holder)
    if row is not None:
        return row.terminal
    untouched = untouched_job(b.settings, holder, b.clock_ms())
    return untouched is not None and untouched.status in ("delayed", "expired")


async def retry_job(
    b: Bindings, job_id: str, precondition: Precondition | None, *, author: str | None = None
) -> Accepted:
    """Accept the job's document again as a new job, by ``author`` (the request's editor).

    ``precondition`` is the retry's own ``baseRev`` (same three forms as a save); None keeps
    the original job's, so a retried create stays a create and never silently overwrites.
    """
    jobs = JobsRepo(b.db)
    row = await jobs.get(job_id)
    if row is None or row.test_id is None:
        message = f"job '{job_id}' does not exist or has not started yet"
        raise NotFound(message, code=Code.JOB_NOT_FOUND, params={"jobId": job_id})
    if row.status not in RETRYABLE:
        raise Conflict(
            f"only failed, conflicted or expired jobs can be retried; this one is {row.status}",
            code=Code.NOT_RETRYABLE,
            params={"status": row.status},
        )
    holder = await jobs.retried_by(job_id)
    if holder is not None and not await _claim_ended(b, holder):
        return await accepted_job(b, holder)  # being retried: that retry is the answer
    claim = _RetryClaim(jobs, job_id, replacing=holder)
    if row.kind == "delete":
        precondition = precondition or row.precondition
        return await accept_delete(b, row.test_id, precondition, author=author, claim=claim)
    if row.kind == "reindex":  # no document: a reindex is simply run again
        return await accept_reindex(b, author=author, claim=claim)
    if row.kind == "image":
        return await _retry_image(b, row.image_key, author, claim)
    content = await load_job_body(b.bucket, row)
    if content is None:
        raise Conflict(
            "this job's document was never stored (it failed before its first write); "
            "save it again from the editor",
            code=Code.BODY_UNAVAILABLE,
        )
    document = parse_document(content).content()
    precondition = precondition or row.precondition
    return await accept_save(b, row.test_id, document, precondition, author=author, claim=claim)


async def _retry_image(
    b: Bindings, image_key: str | None, author: str | None, claim: Claim
) -> Accepted:
    """An image job again, from the private original it left (kept when it failed)."""
    if image_key is None:
        return await accept_reprocess_images(b, author=author, claim=claim)
    for source in original_keys(image_key):
        if await b.bucket.head(source) is not None:
            return await accept_image_job(b, image_key, source, author=author, claim=claim)
    raise Conflict(
        "this image's original is no longer stored; upload the image again",
        code=Code.ORIGINAL_UNAVAILABLE,
        params={"imageKey": image_key},
    )
