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

The names live here, one enum, so every raise is checked by mypy (``Code.X``); what the
registry says of each (area, status, parameters, doc) lives with its area, one module each
(``quizhub.errors.code_facts``). Importing this module checks that each code is filed exactly
once. No imports beyond the standard library: the Workers' consumer path reads this too.
"""

from __future__ import annotations

from enum import StrEnum

from quizhub.errors import codes_api, codes_failures, codes_fields, codes_front_door, codes_jobs
from quizhub.errors.code_facts import AREAS, PARAM_TYPES, Area, Facts, Params, ParamType

__all__ = ["Code", "Area", "AREAS", "ParamType", "PARAM_TYPES", "code_named"]


def _filed() -> dict[str, Facts]:
    """Every area's facts by wire name; a name filed in two areas is an error."""
    filed: dict[str, Facts] = {}
    for module in (codes_front_door, codes_api, codes_fields, codes_jobs, codes_failures):
        twice = filed.keys() & module.FACTS.keys()
        if twice:
            raise RuntimeError(f"codes filed in two areas: {sorted(twice)}")
        filed.update(module.FACTS)
    return filed


_FACTS = _filed()


class Code(StrEnum):
    """A machine code: its wire name (the member's value), where it travels (``area``), the
    HTTP status it is answered with (None where it is no HTTP answer of its own), its
    parameters (name → type) and when it happens (``doc``, for docs/api.md)."""

    @property
    def area(self) -> Area:
        return _FACTS[self.value].area

    @property
    def status(self) -> int | None:
        return _FACTS[self.value].status

    @property
    def params(self) -> Params:
        return _FACTS[self.value].params

    @property
    def doc(self) -> str:
        return _FACTS[self.value].doc

    # ---------------------------------------------------------------- the front door
    TOKEN_MISSING = "token_missing"
    TOKEN_INVALID = "token_invalid"
    TOKEN_DISABLED = "token_disabled"
    ACCESS_DENIED = "access_denied"
    ACCESS_UNAVAILABLE = "access_unavailable"
    BAD_CONTENT_LENGTH = "bad_content_length"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    UPGRADE_REQUIRED = "upgrade_required"
    TICKET_INVALID = "ticket_invalid"
    TICKET_SPENT = "ticket_spent"
    ORIGIN_FORBIDDEN = "origin_forbidden"
    LIVE_NOT_BOUND = "live_not_bound"
    NOT_A_LIVE_PATH = "not_a_live_path"
    BAD_NOTICE = "bad_notice"
    # ---------------------------------------------------------------- the API's own answers
    INVALID = "invalid"
    MIXED_PLAYS = "mixed_plays"
    NO_SUCH_ENDPOINT = "no_such_endpoint"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    HTTP_ERROR = "http_error"
    INTERNAL = "internal"
    TEST_NOT_FOUND = "test_not_found"
    VERSION_NOT_FOUND = "version_not_found"
    JOB_NOT_FOUND = "job_not_found"
    IMAGE_NOT_FOUND = "image_not_found"
    RESULT_NOT_FOUND = "result_not_found"
    PAGE_NOT_FOUND = "page_not_found"
    CARD_NOT_FOUND = "card_not_found"
    IMAGE_VARIANT_LOST = "image_variant_lost"
    LIVE_STATUS_UNAVAILABLE = "live_status_unavailable"
    NOT_RETRYABLE = "not_retryable"
    BODY_UNAVAILABLE = "body_unavailable"
    ORIGINAL_UNAVAILABLE = "original_unavailable"
    DOCUMENT_TOO_LARGE = "document_too_large"
    IMAGE_TOO_LARGE = "image_too_large"
    NO_FILE = "no_file"
    EMPTY_UPLOAD = "empty_upload"
    UNSUPPORTED_IMAGE = "unsupported_image"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID_CURSOR = "invalid_cursor"
    QUEUE_UNAVAILABLE = "queue_unavailable"
    ANALYTICS_UNAVAILABLE = "analytics_unavailable"
    ANALYTICS_DB_UNAVAILABLE = "analytics_db_unavailable"
    # ---------------------------------------------------------------- field errors
    BODY_DECODE = "body_decode"
    DUPLICATE_ID = "duplicate_id"
    UNKNOWN_RESULT = "unknown_result"
    UNREACHABLE_RESULT = "unreachable_result"
    DUPLICATE_TAG = "duplicate_tag"
    NOT_A_REV = "not_a_rev"
    NULL_REV = "null_rev"
    ID_MISMATCH = "id_mismatch"
    REV_REQUIRED = "rev_required"
    TIME_MISMATCH = "time_mismatch"
    REV_DISAGREES = "rev_disagrees"
    INVALID_OPTION = "invalid_option"
    UNKNOWN_QUESTION = "unknown_question"
    MALFORMED_CURSOR = "malformed_cursor"
    SORT_WITH_SEARCH = "sort_with_search"
    ONE_PLAY = "one_play"
    OUT_OF_RANGE = "out_of_range"
    # ---------------------------------------------------------------- job outcomes and warnings
    SUPERSEDED = "superseded"
    TEST_EXISTS = "test_exists"
    CHANGED_SINCE_LOADED = "changed_since_loaded"
    DELETED_SINCE_LOADED = "deleted_since_loaded"
    MERGE_CONFLICT = "merge_conflict"
    MERGE_BROKE_RULES = "merge_broke_rules"
    ATTEMPT_FAILED = "attempt_failed"
    DELAYED = "delayed"
    EXPIRED = "expired"
    GAVE_UP = "gave_up"
    OVER_BUDGET = "over_budget"
    PURGE_INCOMPLETE = "purge_incomplete"
    UNPROCESSABLE_MESSAGE = "unprocessable_message"
    UNCODED = "uncoded"
    INDEX_NOT_UPDATED = "index_not_updated"
    CARDS_NOT_DRAWN = "cards_not_drawn"
    NOTHING_TO_INDEX = "nothing_to_index"
    NOTHING_TO_REPROCESS = "nothing_to_reprocess"
    IMAGES_NOT_PROCESSED = "images_not_processed"
    # ---------------------------------------------------------------- failures
    MALFORMED_MESSAGE = "malformed_message"
    SIGNATURE_MISMATCH = "signature_mismatch"
    CLAIM_CHECK_MISSING = "claim_check_missing"
    CLAIM_CHECK_CORRUPT = "claim_check_corrupt"
    DOCUMENT_NOT_OBJECT = "document_not_object"
    STORAGE_DAMAGED = "storage_damaged"
    OBJECT_VANISHED = "object_vanished"
    BINDING_ERROR = "binding_error"
    MERGE_KEPT_MOVING = "merge_kept_moving"
    FETCH_FAILED = "fetch_failed"
    ACCESS_KEYS_UNAVAILABLE = "access_keys_unavailable"
    PURGE_FAILED = "purge_failed"
    PURGE_RATE_LIMITED = "purge_rate_limited"
    PURGE_REJECTED = "purge_rejected"
    LIVE_PUBLISH_FAILED = "live_publish_failed"
    IMAGES_UNBOUND = "images_unbound"
    IMAGE_JOB_WITHOUT_IMAGE = "image_job_without_image"
    ORIGINAL_MISSING = "original_missing"
    IMAGE_FORMAT_MISMATCH = "image_format_mismatch"
    IMAGE_EMPTY = "image_empty"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    IMAGE_UNDECODABLE = "image_undecodable"
    VARIANT_KEEPS_METADATA = "variant_keeps_metadata"
    CARDS_UNAVAILABLE = "cards_unavailable"
    INVALID_EVENTS_MESSAGE = "invalid_events_message"


_unfiled = {c.value for c in Code} ^ _FACTS.keys()
if _unfiled:
    raise RuntimeError(f"codes named without facts, or facts without a name: {sorted(_unfiled)}")


def code_named(name: str) -> Code | None:
    """The code whose wire name is ``name`` (None for any other string)."""
    member = Code._value2member_map_.get(name)
    return member if isinstance(member, Code) else None
