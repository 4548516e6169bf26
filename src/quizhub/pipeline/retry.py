"""Retrying a job that ended failed, conflicted or expired: its stored body, accepted again as a
new job."""

from __future__ import annotations

from quizhub.bindings import Bindings
from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.errors import Conflict, NotFound
from quizhub.pipeline.accept import (
    Accepted,
    accept_delete,
    accept_image_job,
    accept_reindex,
    accept_reprocess_images,
    accept_save,
)
from quizhub.store.documents import load_job_body
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import original_keys

__all__ = ["RETRYABLE", "retry_job"]

RETRYABLE = ("failed", "conflict", "expired")


async def retry_job(
    b: Bindings, job_id: str, precondition: Precondition | None, *, author: str | None = None
) -> Accepted:
    """Accept the job's document again as a new job, by ``author`` (the request's editor).

    ``precondition`` is the retry's own ``baseRev`` (same three forms as a save); None keeps
    the original job's, so a retried create stays a create and never silently overwrites.
    """
    row = await JobsRepo(b.db).get(job_id)
    if row is None or row.test_id is None:
        raise NotFound(f"job '{job_id}' does not exist or has not started yet")
    if row.status not in RETRYABLE:
        raise Conflict(
            f"only failed, conflicted or expired jobs can be retried; this one is {row.status}",
            code="not_retryable",
        )
    if row.kind == "delete":
        return await accept_delete(b, row.test_id, author=author)
    if row.kind == "reindex":  # no document: a reindex is simply run again
        return await accept_reindex(b, author=author)
    if row.kind == "image":
        return await _retry_image(b, row.image_key, author)
    content = await load_job_body(b.bucket, row)
    if content is None:
        raise Conflict(
            "this job's document was never stored (it failed before its first write); "
            "save it again from the editor",
            code="body_unavailable",
        )
    document = parse_document(content).content()
    precondition = precondition or row.precondition
    return await accept_save(b, row.test_id, document, precondition, author=author)


async def _retry_image(b: Bindings, image_key: str | None, author: str | None) -> Accepted:
    """An image job again, from the private original it left (kept when it failed)."""
    if image_key is None:
        return await accept_reprocess_images(b, author=author)
    for source in original_keys(image_key):
        if await b.bucket.head(source) is not None:
            return await accept_image_job(b, image_key, source, author=author)
    raise Conflict(
        "this image's original is no longer stored; upload the image again",
        code="body_unavailable",
    )
