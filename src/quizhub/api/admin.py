"""Admin API (bearer token): save/delete as jobs, read-your-writes document reads, versions
(list, read, restore) and previews, images, jobs.

Each handler parses (path, query, body models), calls one use case — reads in
``quizhub.reads``, writes in ``quizhub.pipeline`` — and maps its result to HTTP.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response

from quizhub.api.bodies import Answers, RestoreBody, RetryBody
from quizhub.api.cursors import (
    jobs_cursor,
    read_jobs_cursor,
    read_versions_cursor,
    versions_cursor,
)
from quizhub.api.deps import ADMIN_SECURITY, Editor, TestId, bindings, require_admin
from quizhub.api.edges import StrictJSONRoute
from quizhub.api.errors import error_responses
from quizhub.api.images import UPLOAD_BODY, extract_upload
from quizhub.api.responses import NO_STORE, json_response
from quizhub.domain.document import IMAGE_KEY_PATTERN, TEST_ID_PATTERN, SaveRequest
from quizhub.domain.jobs import JOB_STATUSES, JobStatus
from quizhub.domain.revisions import REV_PATTERN
from quizhub.domain.samples import minimal_document
from quizhub.edge.cdn import image_path
from quizhub.edge.ratelimits import ADMIN_PREFIX
from quizhub.pipeline import use_cases
from quizhub.pipeline.accept import (
    Accepted,
    accept_image,
    accept_reindex,
    accept_reprocess_images,
)
from quizhub.pipeline.retry import retry_job
from quizhub.reads.images import image_state
from quizhub.reads.jobs import job_view, jobs_page
from quizhub.reads.listing import admin_tests
from quizhub.reads.versions import current_document, list_versions, preview_compute, read_version

__all__ = ["router"]

router = APIRouter(
    route_class=StrictJSONRoute,
    prefix=ADMIN_PREFIX,
    tags=["admin"],
    dependencies=[*ADMIN_SECURITY, Depends(require_admin)],
    responses=error_responses(401, 422, 500, 503),
)
JobId = Annotated[str, Path(max_length=64, description="job id")]
Rev = Annotated[str, Path(pattern=REV_PATTERN, description="a rev of the test")]
_HEADERS = {"Cache-Control": NO_STORE}
# Writes: bodies are size-limited and rate-limited per editor. Jobs answer 202, or 200 with the
# finished job in sync mode.
_WRITE = error_responses(413, 429)
_JOB = {200: {"description": "sync mode: the finished job"}, **_WRITE}
# What a client does next with an accepted save (OpenAPI links): follow the job, retry it,
# read or restore the version it wrote.
_TEST = "$request.path.test_id"
_SAVE_LINKS = {
    "job": {"operationId": "getJob", "parameters": {"job_id": "$response.body#/jobId"}},
    "retry": {"operationId": "retryJob", "parameters": {"job_id": "$response.body#/jobId"}},
    "version": {
        "operationId": "getVersion",
        "parameters": {"test_id": _TEST, "rev": "$response.body#/rev"},
    },
    "restore": {
        "operationId": "restoreVersion",
        "parameters": {"test_id": _TEST, "rev": "$response.body#/rev"},
    },
}
_SAVED = {
    202: {"description": "accepted: {jobId, rev, statusUrl}; poll the job", "links": _SAVE_LINKS},
    **_JOB,
}
_NOT_FOUND = error_responses(404)
# POSTs that store nothing (quizhub.edge.ratelimits): size-limited, not rate-limited.
_UNLIMITED = error_responses(404, 413)


def _accepted(accepted: Accepted, extra: dict[str, Any] | None = None) -> Response:
    """202 ``{jobId, rev, statusUrl, **extra}`` with ``Location`` (the job to follow), or 200
    with the finished job (and ``extra``) in sync mode."""
    more = extra or {}
    if accepted.job is not None:  # sync mode: the job already finished
        return json_response({**accepted.job.to_json(), **more}, status=200, headers=_HEADERS)
    status_url = f"{router.prefix}/jobs/{accepted.job_id}"  # get_job below
    body = {"jobId": accepted.job_id, "rev": accepted.rev, "statusUrl": status_url, **more}
    return json_response(body, status=202, headers={**_HEADERS, "Location": status_url})


@router.put("/tests/{test_id}", status_code=202, responses=_SAVED)
async def save_test(
    test_id: TestId,
    doc: Annotated[SaveRequest, Body(examples=[minimal_document()])],
    request: Request,
    editor: Editor,
) -> Response:
    """Validate and accept a save; 202 with the job to poll (200 with the finished job in sync
    mode). ``baseRev``: a rev (conflict if the test moved), null (create only) or omitted
    (unconditional); a document sent back as GET returned it uses its ``rev`` as ``baseRev``."""
    return _accepted(await use_cases.save_test(bindings(request), test_id, doc, author=editor))


@router.delete("/tests/{test_id}", status_code=202, responses={**_JOB, **_NOT_FOUND})
async def delete_test(
    test_id: TestId,
    request: Request,
    editor: Editor,
    base_rev: Annotated[
        str | None,
        Query(
            alias="baseRev",
            pattern=REV_PATTERN,
            description="the rev the editor saw (default: the current one): conflict if the"
            " test moved since",
        ),
    ] = None,
) -> Response:
    """Unpublish and delete a test (as a job); 404 when it does not exist. The delete applies
    only to the rev the editor saw (``baseRev``, default the current one): a save that
    committed in between makes it a conflict, never a silent deletion of that save."""
    b = bindings(request)
    return _accepted(await use_cases.delete_test(b, test_id, base_rev, author=editor))


@router.get("/tests/{test_id}", responses=_NOT_FOUND)
async def get_test(test_id: TestId, request: Request) -> Response:
    """The current document (drafts included) straight from D1+R2: read-your-writes."""
    b = bindings(request)
    doc = await current_document(b.db, b.bucket, test_id)
    return json_response(doc, headers={**_HEADERS, "ETag": f'"{doc["rev"]}"'})


@router.get("/tests")
async def list_tests(request: Request) -> Response:
    """All tests with status, current rev and the state of their latest job."""
    return json_response({"items": await admin_tests(bindings(request).db)}, headers=_HEADERS)


@router.post("/tests/{test_id}/ws-ticket", responses=_UNLIMITED)
async def live_ticket(test_id: TestId, request: Request) -> Response:
    """A ticket for the test's live-status WebSocket: ``{ticket, url, expiresIn}`` — valid
    ``expiresIn`` seconds, for this test and one socket only; the socket URL carries it instead
    of the admin token. 404 where live status is not bound (the editor then polls)."""
    return json_response(use_cases.live_ticket(bindings(request), test_id), headers=_HEADERS)


@router.get("/tests/{test_id}/versions", responses=_NOT_FOUND)
async def versions(
    test_id: TestId,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Every committed version of the test, newest first, with cursor pagination:
    ``{"items": [{rev, savedAt, jobId, title, author, status, current}], "nextCursor"}``."""
    before = read_versions_cursor(cursor) if cursor else None
    b = bindings(request)
    page = await list_versions(b.db, b.bucket, test_id, limit=limit, before=before)
    more = versions_cursor(page.next_before) if page.next_before else None
    return json_response({"items": page.items, "nextCursor": more}, headers=_HEADERS)


@router.get("/tests/{test_id}/versions/{rev}", responses=_NOT_FOUND, operation_id="getVersion")
async def version(test_id: TestId, rev: Rev, request: Request) -> Response:
    """The document of one committed version (drafts too; never cached)."""
    b = bindings(request)
    doc = await read_version(b.db, b.bucket, test_id, rev)
    return json_response(doc, headers={**_HEADERS, "ETag": f'"{rev}"'})


@router.post(
    "/tests/{test_id}/versions/{rev}/restore",
    status_code=202,
    operation_id="restoreVersion",
    responses={**_JOB, **_NOT_FOUND},
)
async def restore(
    test_id: TestId,
    rev: Rev,
    request: Request,
    editor: Editor,
    body: Annotated[RestoreBody | None, Body()] = None,
) -> Response:
    """Save that version's content as a new rev (202 + the job to poll). ``baseRev`` is the
    current rev, or the one a body ``{"baseRev": "<rev>"}`` names (the rev the editor saw):
    conflict if the test moved since."""
    seen = None if body is None else body.seen_rev()
    b = bindings(request)
    return _accepted(await use_cases.restore_version(b, test_id, rev, seen, author=editor))


@router.post("/tests/{test_id}/compute", responses=_UNLIMITED)
async def compute_preview(
    test_id: TestId,
    request: Request,
    payload: Answers,
    rev: Annotated[str | None, Query(pattern=REV_PATTERN)] = None,
) -> Response:
    """Preview: the result for ``answers`` on the current document (drafts included) or on
    version ``rev``, for the public test page in preview mode. Never cached."""
    b = bindings(request)
    result = await preview_compute(b.db, b.bucket, test_id, rev, payload.answers)
    return json_response(result, headers=_HEADERS)


# What the admin's jobs view asks for: everything that needs a person to look at it.
ATTENTION: tuple[JobStatus, ...] = ("failed", "delayed", "expired")
_ONE_STATUS = "(?:" + "|".join(JOB_STATUSES) + ")"
# One or more statuses separated by commas (spaces and empty entries around them are ignored).
STATUS_LIST = rf"^[ ,]*{_ONE_STATUS}(?: *,[ ,]*{_ONE_STATUS})*[ ,]*$"


@router.get("/jobs")
async def list_jobs(
    request: Request,
    status: Annotated[
        str,
        Query(max_length=200, pattern=STATUS_LIST, description="comma-separated job statuses"),
    ] = ",".join(ATTENTION),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    """Jobs in the given statuses (default: failed, delayed, expired), newest accepted first,
    with cursor pagination: ``{"items": [job, …], "nextCursor": …}``."""
    before = read_jobs_cursor(cursor) if cursor else None
    page = await jobs_page(bindings(request), _statuses(status), limit=limit, before=before)
    more = jobs_cursor(*page.next_before) if page.next_before else None
    return json_response({"items": page.items, "nextCursor": more}, headers=_HEADERS)


def _statuses(raw: str) -> list[JobStatus]:
    """The statuses of a ``status`` query (STATUS_LIST already refused anything else)."""
    return [cast(JobStatus, s.strip()) for s in raw.split(",") if s.strip()]


@router.get("/jobs/{job_id}", responses=_NOT_FOUND, operation_id="getJob")
async def get_job(job_id: JobId, request: Request) -> Response:
    """A job's status: queued until a consumer touches it, then running → a terminal status;
    ``delayed`` past its retry budget, ``expired`` past the queue's retention (with or without
    a row: an untouched job's status follows from its signed id and its age)."""
    return json_response(await job_view(bindings(request), job_id), headers=_HEADERS)


@router.post(
    "/jobs/{job_id}/retry",
    status_code=202,
    operation_id="retryJob",
    responses={**_JOB, **_NOT_FOUND, **error_responses(409)},
)
async def retry(
    job_id: JobId,
    request: Request,
    editor: Editor,
    body: Annotated[RetryBody | None, Body()] = None,
) -> Response:
    """Re-submit a failed or conflicted job's document as a new job. No body: the job's own
    ``baseRev``; a body ``{"baseRev": …}`` states it as a save does (omitted = unconditional)."""
    precondition = None if body is None else body.precondition()
    return _accepted(await retry_job(bindings(request), job_id, precondition, author=editor))


@router.post("/search/reindex", status_code=202, responses=_JOB)
async def reindex_search(request: Request, editor: Editor) -> Response:
    """Rebuild the keyword and vector indexes from D1 + R2, as a job (202 + the job to poll)."""
    return _accepted(await accept_reindex(bindings(request), author=editor))


_UPLOADED = {
    202: {"description": "accepted: {jobId, key, statusUrl, url}; poll the job until variants"},
    **_JOB,
}


@router.post(
    "/images", status_code=202, responses=_UPLOADED, openapi_extra={"requestBody": UPLOAD_BODY}
)
async def upload_image(
    request: Request,
    editor: Editor,
    test_id: Annotated[
        str | None,
        Query(
            alias="testId",
            pattern=TEST_ID_PATTERN,
            description="the test the image is for: its live status follows the job",
        ),
    ] = None,
) -> Response:
    """Upload an image (raw body or multipart field 'file', ≤ 5 MB): stored privately, then a
    job makes its variants (EXIF stripped). 202 ``{jobId, key, statusUrl, url}``; the key is
    usable in documents at once (the public URL shows a placeholder until the job is done).
    With ``testId``, the job's progress is also pushed to that test's live status."""
    data = extract_upload(request.headers.get("content-type", ""), await request.body())
    upload = await accept_image(bindings(request), data, test_id, author=editor)
    return _accepted(upload.accepted, {"key": upload.key, "url": image_path(upload.key)})


@router.post("/reprocess-images", status_code=202, responses=_JOB)
async def reprocess_images(request: Request, editor: Editor) -> Response:
    """Turn every image stored before variants existed into variants (EXIF stripped) and delete
    its original, as one job (202 + the job to poll)."""
    return _accepted(await accept_reprocess_images(bindings(request), author=editor))


@router.get("/images/{key}", responses=_NOT_FOUND)
async def image_status(
    key: Annotated[str, Path(pattern=IMAGE_KEY_PATTERN)], request: Request
) -> Response:
    """An image's state for editors: ``ready`` (with its variants), or the state of the job
    making them (``processing``, ``failed`` with the reason); 404 for a key never uploaded."""
    return json_response(await image_state(bindings(request).db, key), headers=_HEADERS)
