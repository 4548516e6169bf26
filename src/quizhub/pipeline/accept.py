"""The admin write path: assign a rev, sign a job id, enqueue (or run inline in sync mode).

Nothing here touches D1, KV or the cache: the only storage write is the claim check for bodies
too large for a queue message (docs/architecture.md#accept, #the-claim-check).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Protocol

from quizhub.bindings import Bindings
from quizhub.domain.images import image_key_for, sniff_image
from quizhub.domain.jobs import JobRow, make_job_id, rev_from_job_id
from quizhub.domain.preconditions import Precondition
from quizhub.domain.wire import DOCUMENT_LIMIT, iso_ms, json_bytes
from quizhub.errors import Code, TooLarge, Transient
from quizhub.pipeline.messages import MESSAGE_LIMIT, BodyRef, JobMessage, sign_body
from quizhub.pipeline.names import (
    DELETE_TEST,
    IMAGE_QUEUE,
    PROCESS_IMAGE,
    REINDEX_SEARCH,
    REPROCESS_IMAGES,
    SAVE_QUEUE,
    SAVE_TEST,
    MessageType,
    queue_of,
)
from quizhub.ports import QueueProducer
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import image_staging_key, staging_key

__all__ = [
    "Accepted",
    "Claim",
    "accepted_job",
    "AcceptedImage",
    "accept_save",
    "accept_delete",
    "accept_reindex",
    "accept_image",
    "accept_image_job",
    "accept_reprocess_images",
]


@dataclass(frozen=True)
class Accepted:
    """An accepted job (the API answers 202 with where to follow it), or in sync mode the
    finished job itself."""

    job_id: str
    rev: str
    job: JobRow | None = None  # the finished job in sync mode


def _new_message(
    b: Bindings,
    kind: MessageType,
    test_id: str,
    precondition: Precondition,
    author: str | None,
) -> JobMessage:
    now = b.clock_ms()
    rev = b.revs.new(now)
    return JobMessage(
        type=kind,
        job_id=make_job_id(rev, b.settings.signing_key),
        test_id=test_id,
        rev=rev,
        accepted_at=iso_ms(now),
        precondition=precondition,
        author=author,  # who accepted it (the request's editor), shown on the job
    )


async def accept_save(
    b: Bindings,
    test_id: str,
    content: dict[str, Any],
    precondition: Precondition,
    *,
    author: str | None = None,
    claim: Claim | None = None,
) -> Accepted:
    """Accept a validated save: 202 material in queue/workflow mode, a finished job in sync
    mode. ``precondition`` is what the commit requires of the stored test (``baseRev``);
    ``author`` is the request's editor (None: the bearer token)."""
    canonical = json_bytes(content, sort_keys=True)  # serialised once: signed and measured
    if len(canonical) > DOCUMENT_LIMIT:  # as stored (and as GET returns it), defaults included
        raise TooLarge(
            f"the test document is {len(canonical):,} bytes as stored; the limit is"
            f" {DOCUMENT_LIMIT:,}: shorten texts or split the test",
            code=Code.DOCUMENT_TOO_LARGE,
            params={"limit": DOCUMENT_LIMIT, "size": len(canonical)},
            details={"limit": DOCUMENT_LIMIT, "size": len(canonical)},
        )
    message = _new_message(b, SAVE_TEST, test_id, precondition, author)
    digest = hashlib.sha256(canonical).hexdigest()  # = body_digest(content)
    signed = replace(
        message, body_sig=sign_body(b.settings.signing_key, message.job_id, test_id, digest)
    )
    # The message with the body inline: its JSON is the same length in any key order.
    if signed.size() - len(b"null") + len(canonical) <= MESSAGE_LIMIT:
        return await _dispatch(b, replace(signed, body=content), claim)
    raw = json_bytes(content)  # stored in the order it came (the claim check's bytes)
    digest = hashlib.sha256(raw).hexdigest()
    key = staging_key(message.job_id)
    await b.bucket.put(
        key,
        raw,
        http_metadata={"contentType": "application/json"},
        custom_metadata={"sha256": digest},
    )
    return await _dispatch(b, replace(signed, body_ref=BodyRef(key, digest, len(raw))), claim)


async def accept_delete(
    b: Bindings,
    test_id: str,
    precondition: Precondition,
    *,
    author: str | None = None,
    claim: Claim | None = None,
) -> Accepted:
    """Accept an unpublish-and-delete of ``test_id``, as ``precondition`` requires of the stored
    test (a ``baseRev``: a save that committed since makes it a conflict)."""
    message = _new_message(b, DELETE_TEST, test_id, precondition, author)
    return await _dispatch(b, message, claim)


async def accept_reindex(
    b: Bindings, *, author: str | None = None, claim: Claim | None = None
) -> Accepted:
    """Accept a rebuild of both search indexes from D1 + R2 (a job like any other)."""
    message = _new_message(b, REINDEX_SEARCH, "", Precondition(), author)
    return await _dispatch(b, message, claim)


@dataclass(frozen=True)
class AcceptedImage:
    """An accepted upload: its key (usable in documents at once) and the job making it
    servable."""

    key: str
    accepted: Accepted


async def accept_image(
    b: Bindings, data: bytes, for_test: str | None = None, *, author: str | None = None
) -> AcceptedImage:
    """Store an upload (checked by magic bytes) once under its private staging key, the claim
    check, and accept a ``process-image`` job for it. ``for_test``: the test the image is
    uploaded for, whose live channel then hears the job (its editor follows it there)."""
    fmt = sniff_image(data)
    key = image_key_for(data, fmt)
    source = image_staging_key(key)
    await b.bucket.put(
        source,
        data,
        http_metadata={"contentType": fmt.media_type},
        custom_metadata={"sha256": hashlib.sha256(data).hexdigest()},
    )
    return AcceptedImage(key, await accept_image_job(b, key, source, for_test, author=author))


async def accept_image_job(
    b: Bindings,
    image_key: str,
    source: str,
    for_test: str | None = None,
    *,
    author: str | None = None,
    claim: Claim | None = None,
) -> Accepted:
    """A ``process-image`` job for an original already stored at ``source``."""
    message = _new_message(b, PROCESS_IMAGE, "", Precondition(), author)
    image = replace(message, image_key=image_key, source=source, for_test=for_test)
    return await _dispatch(b, image, claim)


async def accept_reprocess_images(
    b: Bindings, *, author: str | None = None, claim: Claim | None = None
) -> Accepted:
    """Accept the reprocessing of every original stored before variants existed (one job)."""
    message = _new_message(b, REPROCESS_IMAGES, "", Precondition(), author)
    return await _dispatch(b, message, claim)


def _producer(b: Bindings, kind: MessageType) -> QueueProducer:
    """The producer of the queue ``kind`` travels on (``quizhub.pipeline.names.queue_of``)."""
    return {SAVE_QUEUE: b.queue, IMAGE_QUEUE: b.image_queue}[queue_of(kind)]


class Claim(Protocol):
    """A job accepted only if it may be (a retry claims its job before its message is sent)."""

    async def take(self, msg: JobMessage) -> str:
        """Claim for ``msg``'s job; the job id that holds the claim (``msg``'s, or another's)."""
        ...

    async def release(self, msg: JobMessage) -> None:
        """Give the claim back: ``msg`` could not be sent."""
        ...


async def _dispatch(b: Bindings, msg: JobMessage, claim: Claim | None = None) -> Accepted:
    if claim is not None:
        holder = await claim.take(msg)
        if holder != msg.job_id:
            return await accepted_job(b, holder)
    accepted = Accepted(msg.job_id, msg.rev)
    if b.settings.save_mode != "sync":
        try:
            await _producer(b, msg.type).send(msg.to_wire(), content_type="json")
        except Exception as exc:  # noqa: BLE001 - the queue is a binding: a retry may succeed
            if claim is not None:
                await claim.release(msg)  # never sent: the next retry may claim again
            message = f"could not queue the job; try again: {exc}"
            raise Transient(message, code=Code.QUEUE_UNAVAILABLE) from exc
        return accepted
    # Only sync mode (the baseline) runs jobs in the API: the runner and its steps load here,
    # not at the API Worker's start.
    from quizhub.pipeline.runner import as_failure, fail_job, run_job

    try:
        await run_job(b, msg)
    except Exception as exc:  # noqa: BLE001 - the baseline has no retries: the job fails visibly
        failure = as_failure(exc)
        await fail_job(b, msg, failure)
        if isinstance(failure, Transient):
            raise
    row = await JobsRepo(b.db).get(msg.job_id)
    return Accepted(accepted.job_id, accepted.rev, job=row)


async def accepted_job(b: Bindings, job_id: str) -> Accepted:
    """An already accepted job answered again (a retry of a job another retry claimed): 202
    material, or in sync mode the job itself once it finished."""
    rev = rev_from_job_id(job_id, b.settings.signing_key)
    if rev is None:
        raise RuntimeError(f"{job_id} is not a job id this server signed")
    row = await JobsRepo(b.db).get(job_id) if b.settings.save_mode == "sync" else None
    return Accepted(job_id, rev, job=row if row is not None and row.terminal else None)
