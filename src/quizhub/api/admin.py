"""Admin API (bearer token): save/delete as jobs, read-your-writes document reads, images, jobs.

Handlers only map HTTP to the use cases in ``quizhub.pipeline`` and ``quizhub.store``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from quizhub.api.deps import bindings, require_admin
from quizhub.api.images import extract_upload, image_key_for, sniff_image
from quizhub.api.responses import NO_STORE, json_response
from quizhub.domain.document import TEST_ID_PATTERN, SaveRequest, check_integrity
from quizhub.domain.jobs import JobRow, rev_from_job_id
from quizhub.domain.preconditions import Precondition, save_precondition
from quizhub.errors import Invalid, NotFound
from quizhub.pipeline.accept import Accepted, accept_delete, accept_save
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


@router.get("/jobs/{job_id}")
async def get_job(job_id: JobId, request: Request) -> Response:
    """A job's status: queued until a consumer touches it, then running → a terminal status."""
    b = bindings(request)
    row = await JobsRepo(b.db).get(job_id)
    if row is None:
        rev = rev_from_job_id(job_id, b.settings.signing_key)
        if rev is None:
            raise NotFound(f"job '{job_id}' does not exist")
        row = JobRow.queued(job_id, rev)
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
