"""The codes of the API's own answers: each wire name's area, HTTP status, parameters and when it
happens (``quizhub.errors.codes`` names them in ``Code``)."""

from __future__ import annotations

from quizhub.errors.code_facts import NO_PARAMS, Facts

__all__ = ["FACTS"]

FACTS: dict[str, Facts] = {
    "invalid": Facts(
        "api",
        422,
        NO_PARAMS,
        "invalid input: `details` lists each field error as `{loc, msg, type, ctx}`",
    ),
    "mixed_plays": Facts(
        "api",
        422,
        NO_PARAMS,
        (
            "play events of more than one play (test or session) in one request: send one play "
            "per request (`details` name the first event of another)"
        ),
    ),
    "no_such_endpoint": Facts(
        "api",
        404,
        {"method": "string", "path": "string"},
        "no route at `path`",
    ),
    "method_not_allowed": Facts(
        "api",
        405,
        {"allowed": "string[]"},
        "the path takes only the `allowed` methods (also in `Allow`)",
    ),
    "http_error": Facts(
        "api",
        None,
        {"status": "integer"},
        "any other refusal of the HTTP framework, with its `status`",
    ),
    "internal": Facts(
        "api",
        500,
        NO_PARAMS,
        "an unexpected error; it has been logged",
    ),
    "test_not_found": Facts(
        "api",
        404,
        {"testId": "string"},
        "no such test (public reads: no such published test)",
    ),
    "version_not_found": Facts(
        "api",
        404,
        {"testId": "string", "rev": "string"},
        "the test has no committed version `rev`",
    ),
    "job_not_found": Facts(
        "api",
        404,
        {"jobId": "string"},
        "no such job (or, for a retry, not started yet)",
    ),
    "image_not_found": Facts(
        "api",
        404,
        {"key": "string"},
        "no such image",
    ),
    "result_not_found": Facts(
        "api",
        404,
        {"testId": "string", "resultId": "string"},
        "the published test has no result `resultId` (a result page's address)",
    ),
    "page_not_found": Facts(
        "api",
        404,
        {"path": "string"},
        "no page at `path`",
    ),
    "card_not_found": Facts(
        "api",
        404,
        {"path": "string"},
        "no preview card at `path` (not drawn yet, or a draft)",
    ),
    "image_variant_lost": Facts(
        "api",
        404,
        {"key": "string", "width": "integer"},
        "the image's `width` px variant is gone from storage",
    ),
    "live_status_unavailable": Facts(
        "api",
        404,
        NO_PARAMS,
        "no live status here (a ws-ticket where it is not bound): poll the job instead",
    ),
    "not_retryable": Facts(
        "api",
        409,
        {"status": "string"},
        "only failed, conflicted or expired jobs can be retried; this one is `status`",
    ),
    "body_unavailable": Facts(
        "api",
        409,
        NO_PARAMS,
        "the job's document was never stored, so it cannot be retried: save it again",
    ),
    "original_unavailable": Facts(
        "api",
        409,
        {"imageKey": "string"},
        "the image's original is no longer stored, so its job cannot be retried: upload again",
    ),
    "document_too_large": Facts(
        "api",
        413,
        {"limit": "integer", "size": "integer"},
        "the document is `size` bytes as stored, over the `limit`",
    ),
    "image_too_large": Facts(
        "api",
        413,
        {"limit": "integer"},
        "the image is over `limit` bytes",
    ),
    "no_file": Facts(
        "api",
        422,
        {"field": "string"},
        "a multipart upload without a file part named `field`",
    ),
    "empty_upload": Facts(
        "api",
        422,
        NO_PARAMS,
        "an upload of zero bytes",
    ),
    "unsupported_image": Facts(
        "api",
        422,
        {"formats": "string[]"},
        "the bytes are none of the accepted `formats` (checked by content, not name)",
    ),
    "unsupported_media_type": Facts(
        "api",
        415,
        {"accepted": "string[]"},
        "a body in a content type the route does not take",
    ),
    "invalid_cursor": Facts(
        "api",
        422,
        NO_PARAMS,
        "a `cursor` this API did not return (details name it)",
    ),
    "queue_unavailable": Facts(
        "api",
        503,
        NO_PARAMS,
        "the job or the events could not be queued; try again",
    ),
    "analytics_unavailable": Facts(
        "api",
        503,
        NO_PARAMS,
        "play analytics are not bound here",
    ),
    "analytics_db_unavailable": Facts(
        "api",
        503,
        NO_PARAMS,
        "the analytics database does not answer; try again",
    ),
}
