"""Admin API (bearer token): save/delete as jobs, read-your-writes document reads, images, jobs."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from quizhub.api.deps import bindings, require_admin
from quizhub.api.images import extract_upload, image_key_for, sniff_image
from quizhub.api.responses import NO_STORE, json_response
from quizhub.domain.document import TEST_ID_PATTERN, TestDocument, integrity_errors, parse_document
from quizhub.domain.jobs import JobRecord, rev_from_job_id
from quizhub.domain.revisions import is_rev, rev_time_ms
from quizhub.errors import Conflict, Invalid, NotFound
from quizhub.pipeline.accept import Accepted, accept_delete, accept_save
from quizhub.store.documents import load_job_body, read_current
from quizhub.store.jobs import JobsRepo
from quizhub.store.keys import image_object_key
from quizhub.store.tests import TestsRepo
from quizhub.store.timefmt import iso_ms

__all__ = ["router"]

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])
TestId = Annotated[str, Path(pattern=TEST_ID_PATTERN, description="test id")]
_HEADERS = {"Cache-Control": NO_STORE}


def _accepted(accepted: Accepted) -> Response:
    if accepted.job is not None:  # sync mode: the job already finished
        return json_response(_job_json(accepted.job), status=200, headers=_HEADERS)
    headers = {**_HEADERS, "Location": accepted.status_url}
    return json_response(accepted.to_json(), status=202, headers=headers)


def _job_json(row: dict[str, Any]) -> dict[str, Any]:
    return JobRecord(
        job_id=row["job_id"],
        test_id=row["test_id"],
        rev=row["rev"],
        kind=row["kind"],
        status=row["status"],
        step=row["step"],
        attempts=row["attempts"],
        error=row["error"],
        accepted_at=row["accepted_at"],
        updated_at=row["updated_at"],
    ).to_json()


@router.put("/tests/{test_id}", status_code=202)
async def save_test(test_id: TestId, doc: TestDocument, request: Request) -> Response:
    """Validate and accept a save; 202 with the job to poll (200 with the finished job in sync mode)."""
    content = doc.content()
    if errors := integrity_errors(content):
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(f"{where}: {first['msg']}", details=errors)
    # "baseRev": null (sent explicitly) means "create": it conflicts if the test exists.
    create_only = "base_rev" in doc.model_fields_set and doc.base_rev is None
    return _accepted(
        await accept_save(
            bindings(request), test_id, content, doc.base_rev, create_only=create_only
        )
    )


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
        item["lastJob"] = (
            {
                "jobId": job["job_id"],
                "rev": job["rev"],
                "status": job["status"],
                "step": job["step"],
                "error": job["error"],
            }
            if job
            else None
        )
    return json_response({"items": items}, headers=_HEADERS)


@router.get("/jobs/{job_id}")
async def get_job(job_id: Annotated[str, Path(max_length=64)], request: Request) -> Response:
    """A job's status: queued until a consumer touches it, then running → a terminal status."""
    b = bindings(request)
    row = await JobsRepo(b.db).get(job_id)
    if row is not None:
        return json_response(_job_json(row), headers=_HEADERS)
    rev = rev_from_job_id(job_id, b.settings.signing_key)
    if rev is None:
        raise NotFound(f"job '{job_id}' does not exist")
    accepted = iso_ms(rev_time_ms(rev))
    queued = JobRecord(
        job_id, None, rev, "unknown", "queued", "queued", 0, None, accepted, accepted
    )
    return json_response(queued.to_json(), headers=_HEADERS)


@router.post("/jobs/{job_id}/retry", status_code=202)
async def retry_job(job_id: Annotated[str, Path(max_length=64)], request: Request) -> Response:
    """Re-submit a failed or conflicted job's body as a new job (optional ``{"baseRev"}``)."""
    b = bindings(request)
    row = await JobsRepo(b.db).get(job_id)
    if row is None:
        raise NotFound(f"job '{job_id}' does not exist or has not started yet")
    if row["status"] not in ("failed", "conflict"):
        raise Conflict(
            f"only failed or conflicted jobs can be retried; this one is {row['status']}",
            code="not_retryable",
        )
    raw = await request.body()
    base_rev = _retry_base_rev(raw, row["base_rev"])
    # Unless told a base, a retried create is a create again (never a silent overwrite).
    create_only = bool(row["create_only"]) and base_rev is None and not raw.strip()
    if row["kind"] == "delete":
        return _accepted(await accept_delete(b, row["test_id"]))
    content = await load_job_body(b.bucket, row)
    if content is None:
        raise Conflict(
            "this job's document was never stored (it failed before its first write); save it again from the editor",
            code="body_unavailable",
        )
    doc = parse_document(content)
    return _accepted(
        await accept_save(b, row["test_id"], doc.content(), base_rev, create_only=create_only)
    )


def _retry_base_rev(raw: bytes, original: str | None) -> str | None:
    """The optional ``{"baseRev": rev | null}`` body of a retry; the job's own base by default."""
    usage = 'body must be empty or {"baseRev": "<rev>" | null}'
    try:
        options = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise Invalid(f"malformed JSON: {usage}") from None
    if not isinstance(options, dict) or set(options) - {"baseRev"}:
        raise Invalid(usage, details=[{"loc": ["baseRev"], "msg": usage, "type": "retry_body"}])
    base_rev = options.get("baseRev", original)
    if base_rev is not None and not is_rev(base_rev):
        raise Invalid(
            "baseRev must be a rev returned by this API",
            details=[{"loc": ["baseRev"], "msg": "not a rev", "type": "rev"}],
        )
    return base_rev


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
