"""Admin API (bearer token): save/delete as jobs, read-your-writes document reads, images, jobs.

Handlers only map HTTP to the use cases in ``quizhub.pipeline`` and ``quizhub.store``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from quizhub.api.deps import bindings, require_admin
from quizhub.api.images import extract_upload, image_key_for, sniff_image
from quizhub.api.responses import NO_STORE, json_response
from quizhub.domain.document import TEST_ID_PATTERN, SaveRequest, check_integrity
from quizhub.domain.jobs import JOB_STATUSES, JobRow, JobStatus
from quizhub.domain.preconditions import Precondition, save_precondition
from quizhub.errors import Invalid, NotFound
from quizhub.pipeline.accept import Accepted, accept_delete, accept_reindex, accept_save
from quizhub.pipeline.policy import untouched_job
from quizhub.pipeline.retry import retry_job
from quizhub.store.documents import read_current
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import image_object_key
from quizhub.store.tests import TestsRepo

__all__ = ["router"]

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])
TestId = Annotated[str, Path(pattern=TEST_ID_PATTERN, description="test id")]
JobId = Annotated[str, Path(max_length=64, description="job id")]
_HEADERS = {"Cache-Control": NO_STORE}


def _accepted(accepted: Accepted) -> Response:
    if accepted.job is not None:  # sync mode: the job already finished
        return json_response(accepted.job.to_json(), status=200, headers=_HEADERS)
    headers = {**_HEADERS, "Location": accepted.status_url}
    return json_response(accepted.to_json(), status=202, headers=headers)


@router.put("/tests/{test_id}", status_code=202)
async def save_test(test_id: TestId, doc: SaveRequest, request: Request) -> Response:
    """Validate and accept a save; 202 with the job to poll (200 with the finished job in sync
    mode). ``baseRev``: a rev (conflict if the test moved), null (create only) or omitted
    (unconditional); a document sent back as GET returned it uses its ``rev`` as ``baseRev``."""
    precondition = save_precondition(test_id, doc.echoed())
    content = doc.content()
    check_integrity(content)
    return _accepted(await accept_save(bindings(request), test_id, content, precondition))


@router.delete("/tests/{test_id}", status_code=202)
async def delete_test(test_id: TestId, request: Request) -> Response:
    """Unpublish and delete a test (as a job); 404 when it does not exist."""
    b = bindings(request)
    row = await TestsRepo(b.db).pointer(test_id)
    if row is None or row.deleted:
        raise NotFound(f"test '{test_id}' does not exist")
    return _accepted(await accept_delete(b, test_id))


@router.get("/tests/{test_id}")
async def get_test(test_id: TestId, request: Request) -> Response:
    """The current document (drafts included) straight from D1+R2: read-your-writes."""
    b = bindings(request)
    doc = await read_current(TestsRepo(b.db), b.bucket, test_id, published_only=False)
    return json_response(doc, headers={**_HEADERS, "ETag": f'"{doc["rev"]}"'})


@router.get("/tests")
async def list_tests(request: Request) -> Response:
    """All tests with status, current rev and the state of their latest job."""
    b = bindings(request)
    items = await TestsRepo(b.db).list_all()
    latest = await JobsRepo(b.db).latest_for_tests()
    for item in items:
        job = latest.get(item["id"])
        item["lastJob"] = _last_job(job) if job else None
    return json_response({"items": items}, headers=_HEADERS)


def _last_job(job: JobRow) -> dict[str, Any]:
    wire = job.to_json()
    return {k: wire[k] for k in ("jobId", "rev", "status", "step", "error")}


# What the admin's jobs view asks for: everything that needs a person to look at it.
ATTENTION: tuple[JobStatus, ...] = ("failed", "delayed", "expired")


@router.get("/jobs")
async def list_jobs(
    request: Request,
    status: Annotated[
        str, Query(max_length=200, description="comma-separated job statuses")
    ] = ",".join(ATTENTION),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """Jobs in the given statuses (default: failed, delayed, expired), newest accepted first,
    with cursor pagination: ``{"items": [job, …], "nextCursor": …}``."""
    wanted = _statuses(status)
    before = _decode_job_cursor(cursor) if cursor else None
    rows = await JobsRepo(bindings(request).db).list_by_status(
        wanted, limit=limit + 1, before=before
    )
    page = rows[:limit]
    next_cursor = _encode_job_cursor(page[-1]) if len(rows) > limit else None
    return json_response(
        {"items": [r.to_json() for r in page], "nextCursor": next_cursor}, headers=_HEADERS
    )


def _statuses(raw: str) -> list[JobStatus]:
    names = [s.strip() for s in raw.split(",") if s.strip()]
    unknown = [s for s in names if s not in JOB_STATUSES]
    if unknown or not names:
        msg = f"status must be a comma-separated list of {', '.join(JOB_STATUSES)}"
        raise Invalid(
            f"{msg} (unknown: {', '.join(unknown) or 'none given'})",
            details=[{"loc": ["query", "status"], "msg": msg, "type": "job_status"}],
        )
    return [cast(JobStatus, s) for s in names]


def _encode_job_cursor(row: JobRow) -> str:
    raw = json.dumps([row.rev, row.job_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_job_cursor(cursor: str) -> tuple[str, str]:
    try:
        rev, job_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return str(rev), str(job_id)
    except (ValueError, TypeError, binascii.Error):
        raise Invalid(
            "cursor is not one this API returned",
            code="invalid_cursor",
            details=[{"loc": ["query", "cursor"], "msg": "malformed cursor", "type": "cursor"}],
        ) from None


@router.get("/jobs/{job_id}")
async def get_job(job_id: JobId, request: Request) -> Response:
    """A job's status: queued until a consumer touches it, then running → a terminal status;
    ``delayed`` past its retry budget, ``expired`` past the queue's retention (with or without
    a row: an untouched job's status follows from its signed id and its age)."""
    b = bindings(request)
    row = await JobsRepo(b.db).get(job_id) or untouched_job(b.settings, job_id, b.clock_ms())
    if row is None:
        raise NotFound(f"job '{job_id}' does not exist")
    return json_response(row.to_json(), headers=_HEADERS)


@router.post("/jobs/{job_id}/retry", status_code=202)
async def retry(job_id: JobId, request: Request) -> Response:
    """Re-submit a failed or conflicted job's document as a new job. No body: the job's own
    ``baseRev``; a body ``{"baseRev": …}`` states it as a save does (omitted = unconditional)."""
    precondition = _retry_precondition(await request.body())
    return _accepted(await retry_job(bindings(request), job_id, precondition))


def _retry_precondition(raw: bytes) -> Precondition | None:
    usage = 'the body must be empty or {"baseRev": "<rev>" | null}'
    if not raw.strip():
        return None
    try:
        options = json.loads(raw)
    except ValueError:
        raise Invalid(f"malformed JSON: {usage}") from None
    if not isinstance(options, dict) or set(options) - {"baseRev"}:
        raise Invalid(usage, details=[{"loc": ["baseRev"], "msg": usage, "type": "retry_body"}])
    return Precondition.from_wire(options)


@router.post("/search/reindex", status_code=202)
async def reindex_search(request: Request) -> Response:
    """Rebuild the keyword and vector indexes from D1 + R2, as a job (202 + the job to poll)."""
    return _accepted(await accept_reindex(bindings(request)))


@router.post("/images", status_code=201)
async def upload_image(request: Request) -> Response:
    """Upload an image (raw body or multipart field 'file', ≤ 5 MB); returns its key."""
    b = bindings(request)
    data = extract_upload(request.headers.get("content-type", ""), await request.body())
    ext, media = sniff_image(data)
    key = image_key_for(data, ext)
    await b.bucket.put(
        image_object_key(key),
        data,
        http_metadata={"contentType": media, "cacheControl": "public, max-age=31536000, immutable"},
    )
    return json_response(
        {"key": key, "url": f"/api/images/{key}", "contentType": media, "size": len(data)},
        status=201,
    )
