"""Every machine code the project answers with, written once: what the API's errors, the field
errors of a 422, and the job rows' outcomes, failures and warnings say, with the names and types
of their parameters.

A code is stable: clients key their own wording on it (the admin UI's Korean sentences,
``public/admin/messages.js``), so a code, once released, keeps its meaning and its parameters;
a new situation gets a new code. The English ``message`` next to a code is for tools and logs.

Where each kind of code travels:

- ``front door`` and ``api``: ``{"error": {"code", "message", "params", "details"}}`` of an HTTP
  answer, with ``status`` the HTTP status it is answered with;
- ``field``: the ``type`` of one item of a 422's ``details`` (``{"loc", "msg", "type", "ctx"}``;
  ``ctx`` holds the parameters). pydantic's own types (``string_too_long``, ``too_short``…) are
  pydantic's, not listed here;
- ``job``: ``errorCode`` and ``errorParams`` of a job (a conflict, a supersession, a delay, a
  warning on a job that succeeded);
- ``failure``: why a step failed, as an error while it runs (``status``: the HTTP status when the
  API runs into it) and on the job row when the job gives up.

A parameter of type ``cause`` is another code with its own parameters, ``{"code", "params"}``:
what a delayed job last ran into, for instance.

No imports beyond the standard library: the Workers' consumer path reads this too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

__all__ = ["Code", "Area", "AREAS", "ParamType", "PARAM_TYPES", "code_named"]

Area = Literal["front door", "api", "field", "job", "failure"]
AREAS: tuple[Area, ...] = ("front door", "api", "field", "job", "failure")
# The parameter types; a trailing "|null" means the value may be null.
ParamType = Literal[
    "string", "string|null", "integer", "boolean", "string[]", "cause", "cause|null"
]
PARAM_TYPES: tuple[ParamType, ...] = (
    "string",
    "string|null",
    "integer",
    "boolean",
    "string[]",
    "cause",
    "cause|null",
)
Params = dict[str, ParamType]

_NONE: Params = {}
_FD: Area = "front door"
_API: Area = "api"
_FIELD: Area = "field"
_JOB: Area = "job"
_FAIL: Area = "failure"


class Code(StrEnum):
    """A machine code: its wire name (the member's value), where it travels (``area``), the
    HTTP status it is answered with (None where it is no HTTP answer of its own), its
    parameters (name → type) and when it happens (``doc``, for docs/api.md)."""

    area: Area
    status: int | None
    params: Params
    doc: str

    def __new__(cls, value: str, area: Area, status: int | None, params: Params, doc: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.area = area
        member.status = status
        member.params = params
        member.doc = doc
        return member

    # ---------------------------------------------------------------- the front door
    TOKEN_MISSING = "token_missing", _FD, 401, _NONE, "no `Authorization` header on an admin route"
    TOKEN_INVALID = "token_invalid", _FD, 401, _NONE, "the bearer token is not the admin token"
    TOKEN_DISABLED = (
        "token_disabled",
        _FD,
        401,
        _NONE,
        "the bearer token is switched off (`ADMIN_TOKEN_DISABLED`): sign in through Access",
    )
    ACCESS_DENIED = (
        "access_denied",
        _FD,
        401,
        {"reason": "string"},
        "the Cloudflare Access token was refused; `reason`: `not_jwt`, `malformed`, `algorithm`,"
        " `unknown_key`, `signature`, `audience`, `issuer`, `expired`, `not_yet_valid`,"
        " `no_email`",
    )
    ACCESS_UNAVAILABLE = (
        "access_unavailable",
        _FD,
        503,
        _NONE,
        "Cloudflare Access's signing keys could not be fetched; try again (`Retry-After`)",
    )
    BAD_CONTENT_LENGTH = (
        "bad_content_length",
        _FD,
        400,
        _NONE,
        "a `Content-Length` that is not a number of bytes",
    )
    TOO_LARGE = (
        "too_large",
        _FD,
        413,
        {"limit": "integer"},
        "the body is over the route's limit of `limit` bytes",
    )
    RATE_LIMITED = (
        "rate_limited",
        _FD,
        429,
        {"limit": "integer", "period": "integer"},
        "more than `limit` requests of this kind in `period` seconds; `Retry-After` says when",
    )
    TIMEOUT = "timeout", _FD, 408, _NONE, "the request's headers or body arrived too slowly"
    UPGRADE_REQUIRED = (
        "upgrade_required",
        _FD,
        426,
        _NONE,
        "a plain request to a live-status path, which only takes WebSocket upgrades",
    )
    TICKET_INVALID = (
        "ticket_invalid",
        _FD,
        401,
        _NONE,
        "a live-status upgrade without a valid ticket for that test",
    )
    TICKET_SPENT = "ticket_spent", _FD, 401, _NONE, "a live-status ticket that was already used"
    ORIGIN_FORBIDDEN = (
        "origin_forbidden",
        _FD,
        403,
        _NONE,
        "a live-status upgrade from another origin than the site's",
    )
    LIVE_NOT_BOUND = (
        "live_not_bound",
        _FD,
        503,
        _NONE,
        "a live-status upgrade where live status is not bound (`LIVE_STATUS`)",
    )
    NOT_A_LIVE_PATH = "not_a_live_path", _FD, 404, _NONE, "not a live-status path or request"
    BAD_NOTICE = (
        "bad_notice",
        _FD,
        400,
        _NONE,
        "a job notice to a test's live-status object that is not one (internal)",
    )

    # ---------------------------------------------------------------- the API
    INVALID = (
        "invalid",
        _API,
        422,
        _NONE,
        "invalid input: `details` lists each field error as `{loc, msg, type, ctx}`",
    )
    MIXED_PLAYS = (
        "mixed_plays",
        _API,
        422,
        _NONE,
        "play events of more than one play (test or session) in one request: send one play per"
        " request (`details` name the first event of another)",
    )
    NO_SUCH_ENDPOINT = (
        "no_such_endpoint",
        _API,
        404,
        {"method": "string", "path": "string"},
        "no route at `path`",
    )
    METHOD_NOT_ALLOWED = (
        "method_not_allowed",
        _API,
        405,
        {"allowed": "string[]"},
        "the path takes only the `allowed` methods (also in `Allow`)",
    )
    HTTP_ERROR = (
        "http_error",
        _API,
        None,
        {"status": "integer"},
        "any other refusal of the HTTP framework, with its `status`",
    )
    INTERNAL = "internal", _API, 500, _NONE, "an unexpected error; it has been logged"
    TEST_NOT_FOUND = (
        "test_not_found",
        _API,
        404,
        {"testId": "string"},
        "no such test (public reads: no such published test)",
    )
    VERSION_NOT_FOUND = (
        "version_not_found",
        _API,
        404,
        {"testId": "string", "rev": "string"},
        "the test has no committed version `rev`",
    )
    JOB_NOT_FOUND = (
        "job_not_found",
        _API,
        404,
        {"jobId": "string"},
        "no such job (or, for a retry, not started yet)",
    )
    IMAGE_NOT_FOUND = "image_not_found", _API, 404, {"key": "string"}, "no such image"
    RESULT_NOT_FOUND = (
        "result_not_found",
        _API,
        404,
        {"testId": "string", "resultId": "string"},
        "the published test has no result `resultId` (a result page's address)",
    )
    PAGE_NOT_FOUND = "page_not_found", _API, 404, {"path": "string"}, "no page at `path`"
    CARD_NOT_FOUND = (
        "card_not_found",
        _API,
        404,
        {"path": "string"},
        "no preview card at `path` (not drawn yet, or a draft)",
    )
    IMAGE_VARIANT_LOST = (
        "image_variant_lost",
        _API,
        404,
        {"key": "string", "width": "integer"},
        "the image's `width` px variant is gone from storage",
    )
    LIVE_STATUS_UNAVAILABLE = (
        "live_status_unavailable",
        _API,
        404,
        _NONE,
        "no live status here (a ws-ticket where it is not bound): poll the job instead",
    )
    NOT_RETRYABLE = (
        "not_retryable",
        _API,
        409,
        {"status": "string"},
        "only failed, conflicted or expired jobs can be retried; this one is `status`",
    )
    BODY_UNAVAILABLE = (
        "body_unavailable",
        _API,
        409,
        _NONE,
        "the job's document was never stored, so it cannot be retried: save it again",
    )
    ORIGINAL_UNAVAILABLE = (
        "original_unavailable",
        _API,
        409,
        {"imageKey": "string"},
        "the image's original is no longer stored, so its job cannot be retried: upload again",
    )
    DOCUMENT_TOO_LARGE = (
        "document_too_large",
        _API,
        413,
        {"limit": "integer", "size": "integer"},
        "the document is `size` bytes as stored, over the `limit`",
    )
    IMAGE_TOO_LARGE = (
        "image_too_large",
        _API,
        413,
        {"limit": "integer"},
        "the image is over `limit` bytes",
    )
    NO_FILE = (
        "no_file",
        _API,
        422,
        {"field": "string"},
        "a multipart upload without a file part named `field`",
    )
    EMPTY_UPLOAD = "empty_upload", _API, 422, _NONE, "an upload of zero bytes"
    UNSUPPORTED_IMAGE = (
        "unsupported_image",
        _API,
        422,
        {"formats": "string[]"},
        "the bytes are none of the accepted `formats` (checked by content, not name)",
    )
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        _API,
        415,
        {"accepted": "string[]"},
        "a body in a content type the route does not take",
    )
    INVALID_CURSOR = (
        "invalid_cursor",
        _API,
        422,
        _NONE,
        "a `cursor` this API did not return (details name it)",
    )
    QUEUE_UNAVAILABLE = (
        "queue_unavailable",
        _API,
        503,
        _NONE,
        "the job or the events could not be queued; try again",
    )
    ANALYTICS_UNAVAILABLE = (
        "analytics_unavailable",
        _API,
        503,
        _NONE,
        "play analytics are not bound here",
    )
    ANALYTICS_DB_UNAVAILABLE = (
        "analytics_db_unavailable",
        _API,
        503,
        _NONE,
        "the analytics database does not answer; try again",
    )

    # ---------------------------------------------------------------- field errors (422)
    BODY_DECODE = "body_decode", _FIELD, None, _NONE, "the body is not UTF-8 JSON at all"
    DUPLICATE_ID = (
        "duplicate_id",
        _FIELD,
        None,
        {"id": "string", "scope": "string"},
        "an id used twice in its `scope`: `result`, `question` or `option` (of one question)",
    )
    UNKNOWN_RESULT = (
        "unknown_result",
        _FIELD,
        None,
        {"resultId": "string"},
        "an option's scores name a result that does not exist",
    )
    UNREACHABLE_RESULT = (
        "unreachable_result",
        _FIELD,
        None,
        {"resultId": "string"},
        "no option gives the result a positive score",
    )
    DUPLICATE_TAG = (
        "duplicate_tag",
        _FIELD,
        None,
        {"tag": "string"},
        "a tag listed twice (compared case-insensitively)",
    )
    NOT_A_REV = "not_a_rev", _FIELD, None, _NONE, "`baseRev` or `rev` is not a rev this API made"
    NULL_REV = "null_rev", _FIELD, None, _NONE, "a restore's `baseRev` is null (it needs a rev)"
    ID_MISMATCH = (
        "id_mismatch",
        _FIELD,
        None,
        {"expected": "string"},
        "an echoed `id` that is not the id in the URL",
    )
    REV_REQUIRED = (
        "rev_required",
        _FIELD,
        None,
        {"field": "string"},
        "`createdAt` or `updatedAt` echoed without its `rev`",
    )
    TIME_MISMATCH = (
        "time_mismatch",
        _FIELD,
        None,
        {"rev": "string", "expected": "string"},
        "an echoed `updatedAt` (or a `createdAt` later than it) that does not belong to `rev`",
    )
    REV_DISAGREES = (
        "rev_disagrees",
        _FIELD,
        None,
        {"rev": "string"},
        "`baseRev` and the echoed `rev` disagree",
    )
    INVALID_OPTION = (
        "invalid_option",
        _FIELD,
        None,
        {"questionId": "string", "options": "string[]"},
        "an answer that is not one of the question's `options`",
    )
    UNKNOWN_QUESTION = (
        "unknown_question",
        _FIELD,
        None,
        {"count": "integer"},
        "answers to `count` questions the test does not have",
    )
    MALFORMED_CURSOR = "malformed_cursor", _FIELD, None, _NONE, "the `cursor` does not decode"
    SORT_WITH_SEARCH = (
        "sort_with_search",
        _FIELD,
        None,
        _NONE,
        "`sort` with a search (`q`): a search is ordered by relevance, send one of them",
    )
    ONE_PLAY = (
        "one_play",
        _FIELD,
        None,
        _NONE,
        "an event of another test or session than the request's first: a request holds one play",
    )
    OUT_OF_RANGE = (
        "out_of_range",
        _FIELD,
        None,
        {"ge": "integer", "le": "integer"},
        "a play event's number that is not an integer from `ge` to `le`",
    )

    # ---------------------------------------------------------------- job outcomes and warnings
    SUPERSEDED = (
        "superseded",
        _JOB,
        None,
        {"liveRev": "string"},
        "a newer revision (`liveRev`) was already live: this save changed nothing",
    )
    TEST_EXISTS = (
        "test_exists",
        _JOB,
        None,
        {"liveRev": "string"},
        "a create (`baseRev: null`) of an id a live test already has (at `liveRev`)",
    )
    CHANGED_SINCE_LOADED = (
        "changed_since_loaded",
        _JOB,
        None,
        {"baseRev": "string", "liveRev": "string|null"},
        "the test moved from `baseRev` (the rev the editor loaded) to `liveRev`",
    )
    DELETED_SINCE_LOADED = (
        "deleted_since_loaded",
        _JOB,
        None,
        {"baseRev": "string", "liveRev": "string"},
        "the test was deleted (as `liveRev`) since the editor loaded `baseRev`",
    )
    MERGE_CONFLICT = (
        "merge_conflict",
        _JOB,
        None,
        {"baseRev": "string", "liveRev": "string", "paths": "string[]", "count": "integer"},
        "this save and the live version (`liveRev`) both changed what `baseRev` had: `count`"
        " paths (the first `paths`; the job's `conflicts` list them with their values)",
    )
    MERGE_BROKE_RULES = (
        "merge_broke_rules",
        _JOB,
        None,
        {"liveRev": "string", "path": "string", "rule": "string", "count": "integer"},
        "merged with the live version (`liveRev`), the test would break `count` document rules;"
        " the first: `rule` (a field error's type) at `path` (empty: the whole document)",
    )
    ATTEMPT_FAILED = (
        "attempt_failed",
        _JOB,
        None,
        {"attempt": "integer", "cause": "cause"},
        "attempt number `attempt` failed on `cause`; the job is retried",
    )
    DELAYED = (
        "delayed",
        _JOB,
        None,
        {"budgetSeconds": "integer", "cause": "cause|null"},
        "not finished within its retry budget; it still applies if its message arrives",
    )
    EXPIRED = (
        "expired",
        _JOB,
        None,
        {"retentionSeconds": "integer", "cause": "cause|null"},
        "its message was not delivered within the queue's retention: the save never applied",
    )
    GAVE_UP = (
        "gave_up",
        _JOB,
        None,
        {"attempts": "integer", "cause": "cause|null"},
        "the job exhausted its retries (the dead-letter queue ended it)",
    )
    OVER_BUDGET = (
        "over_budget",
        _JOB,
        None,
        {"budgetSeconds": "integer", "cause": "cause|null"},
        "a committed job did not finish within its retry budget (the cause of a"
        " `purge_incomplete`)",
    )
    PURGE_INCOMPLETE = (
        "purge_incomplete",
        _JOB,
        None,
        {"owed": "boolean", "cause": "cause|null"},
        "saved and live, but invalidating the caches did not complete; `owed`: public reads"
        " skip cached copies until the sweep's purge succeeds (else they expire on their own)",
    )
    UNPROCESSABLE_MESSAGE = (
        "unprocessable_message",
        _JOB,
        None,
        {"cause": "cause"},
        "the job's queue message can never be processed",
    )
    UNCODED = (
        "uncoded",
        _JOB,
        None,
        _NONE,
        "an error or warning known only by its text, the job's `error` (a workflow step that"
        " gave up on an error that lost its code, a step result of an older version)",
    )
    INDEX_NOT_UPDATED = (
        "index_not_updated",
        _JOB,
        None,
        {"error": "string"},
        "saved and live; the search index was not updated (the next save or a reindex repairs)",
    )
    CARDS_NOT_DRAWN = (
        "cards_not_drawn",
        _JOB,
        None,
        {"error": "string", "also": "cause|null"},
        "saved and live; preview cards were not all drawn (pages show the test's card or none;"
        " the next save draws the missing ones); `also`: the index warning of the same save",
    )
    NOTHING_TO_INDEX = "nothing_to_index", _JOB, None, _NONE, "a reindex found no tests"
    NOTHING_TO_REPROCESS = (
        "nothing_to_reprocess",
        _JOB,
        None,
        _NONE,
        "no images stored before variants existed",
    )
    IMAGES_NOT_PROCESSED = (
        "images_not_processed",
        _JOB,
        None,
        {"failed": "integer", "total": "integer", "keys": "string[]"},
        "`failed` of `total` stored images could not be processed (the first `keys`)",
    )

    # ---------------------------------------------------------------- failures
    MALFORMED_MESSAGE = (
        "malformed_message",
        _FAIL,
        500,
        _NONE,
        "a job message this API never sent (the message says what is wrong)",
    )
    SIGNATURE_MISMATCH = (
        "signature_mismatch",
        _FAIL,
        500,
        _NONE,
        "the job's id or document does not match the signature it was accepted with",
    )
    CLAIM_CHECK_MISSING = (
        "claim_check_missing",
        _FAIL,
        500,
        {"key": "string"},
        "the job's stored document is gone",
    )
    CLAIM_CHECK_CORRUPT = (
        "claim_check_corrupt",
        _FAIL,
        500,
        {"key": "string"},
        "the job's stored document does not match its sha256",
    )
    DOCUMENT_NOT_OBJECT = (
        "document_not_object",
        _FAIL,
        500,
        _NONE,
        "the job's document is not a JSON object",
    )
    STORAGE_DAMAGED = (
        "storage_damaged",
        _FAIL,
        500,
        {"key": "string"},
        "a stored object is missing or unreadable where the records say it must be",
    )
    OBJECT_VANISHED = (
        "object_vanished",
        _FAIL,
        500,
        {"key": "string"},
        "an R2 object was deleted while it was being read",
    )
    BINDING_ERROR = (
        "binding_error",
        _FAIL,
        503,
        {"error": "string"},
        "a binding (D1, R2, KV, a queue…) failed with `error`; retried",
    )
    MERGE_KEPT_MOVING = (
        "merge_kept_moving",
        _FAIL,
        503,
        {"rounds": "integer"},
        "the test kept changing while a save was merged with it (`rounds` merges); retried",
    )
    FETCH_FAILED = "fetch_failed", _FAIL, 503, _NONE, "an outgoing HTTP request failed; retried"
    ACCESS_KEYS_UNAVAILABLE = (
        "access_keys_unavailable",
        _FAIL,
        503,
        {"status": "integer"},
        "Cloudflare Access's key endpoint answered `status`",
    )
    PURGE_FAILED = (
        "purge_failed",
        _FAIL,
        503,
        {"status": "integer"},
        "the zone purge answered `status` (a server error); retried",
    )
    PURGE_RATE_LIMITED = (
        "purge_rate_limited",
        _FAIL,
        503,
        _NONE,
        "the zone purge is out of its rate-limit budget; retried",
    )
    PURGE_REJECTED = (
        "purge_rejected",
        _FAIL,
        500,
        {"status": "integer"},
        "the zone refused the purge (`status`): the API token or zone id is wrong",
    )
    LIVE_PUBLISH_FAILED = (
        "live_publish_failed",
        _FAIL,
        503,
        {"status": "integer"},
        "the test's live-status object answered `status`",
    )
    IMAGES_UNBOUND = (
        "images_unbound",
        _FAIL,
        500,
        _NONE,
        "image processing is not available here (the `IMAGES` binding is unbound)",
    )
    IMAGE_JOB_WITHOUT_IMAGE = (
        "image_job_without_image",
        _FAIL,
        500,
        _NONE,
        "an image job that names no image",
    )
    ORIGINAL_MISSING = (
        "original_missing",
        _FAIL,
        500,
        {"imageKey": "string"},
        "the uploaded original of the image is missing",
    )
    IMAGE_FORMAT_MISMATCH = (
        "image_format_mismatch",
        _FAIL,
        500,
        {"format": "string|null", "expected": "string"},
        "the original is another format than its key names",
    )
    IMAGE_EMPTY = "image_empty", _FAIL, 500, _NONE, "the image has no pixels"
    IMAGE_TOO_MANY_PIXELS = (
        "image_too_many_pixels",
        _FAIL,
        500,
        {"width": "integer", "height": "integer", "limit": "integer"},
        "the image would decode to more than `limit` pixels (a decompression bomb?)",
    )
    IMAGE_UNDECODABLE = "image_undecodable", _FAIL, 500, _NONE, "the image could not be decoded"
    VARIANT_KEEPS_METADATA = (
        "variant_keeps_metadata",
        _FAIL,
        500,
        {"width": "integer", "format": "string"},
        "a variant still carries EXIF or other metadata: not stored",
    )
    CARDS_UNAVAILABLE = (
        "cards_unavailable",
        _FAIL,
        500,
        {"reason": "string"},
        "this runtime cannot draw preview cards at all (no Pillow, no font)",
    )
    INVALID_EVENTS_MESSAGE = (
        "invalid_events_message",
        _FAIL,
        422,
        _NONE,
        "a play-events queue message this API never sent",
    )


def code_named(name: str) -> Code | None:
    """The code whose wire name is ``name`` (None for any other string)."""
    member = Code._value2member_map_.get(name)
    return member if isinstance(member, Code) else None
