"""The codes of failures (why a step failed, while it runs and on the job row): each wire name's
area, HTTP status, parameters and when it happens (``quizhub.errors.codes`` names them in
``Code``)."""

from __future__ import annotations

from quizhub.errors.code_facts import NO_PARAMS, Facts

__all__ = ["FACTS"]

FACTS: dict[str, Facts] = {
    "malformed_message": Facts(
        "failure",
        500,
        NO_PARAMS,
        "a job message this API never sent (the message says what is wrong)",
    ),
    "signature_mismatch": Facts(
        "failure",
        500,
        NO_PARAMS,
        "the job's id or document does not match the signature it was accepted with",
    ),
    "claim_check_missing": Facts(
        "failure",
        500,
        {"key": "string"},
        "the job's stored document is gone",
    ),
    "claim_check_corrupt": Facts(
        "failure",
        500,
        {"key": "string"},
        "the job's stored document does not match its sha256",
    ),
    "document_not_object": Facts(
        "failure",
        500,
        NO_PARAMS,
        "the job's document is not a JSON object",
    ),
    "storage_damaged": Facts(
        "failure",
        500,
        {"key": "string"},
        "a stored object is missing or unreadable where the records say it must be",
    ),
    "object_vanished": Facts(
        "failure",
        500,
        {"key": "string"},
        "an R2 object was deleted while it was being read",
    ),
    "binding_error": Facts(
        "failure",
        503,
        {"error": "string"},
        "a binding (D1, R2, KV, a queue…) failed with `error`; retried",
    ),
    "merge_kept_moving": Facts(
        "failure",
        503,
        {"rounds": "integer"},
        "the test kept changing while a save was merged with it (`rounds` merges); retried",
    ),
    "fetch_failed": Facts(
        "failure",
        503,
        NO_PARAMS,
        "an outgoing HTTP request failed; retried",
    ),
    "access_keys_unavailable": Facts(
        "failure",
        503,
        {"status": "integer"},
        "Cloudflare Access's key endpoint answered `status`",
    ),
    "purge_failed": Facts(
        "failure",
        503,
        {"status": "integer"},
        "the zone purge answered `status` (a server error); retried",
    ),
    "purge_rate_limited": Facts(
        "failure",
        503,
        NO_PARAMS,
        "the zone purge is out of its rate-limit budget; retried",
    ),
    "purge_rejected": Facts(
        "failure",
        500,
        {"status": "integer"},
        "the zone refused the purge (`status`): the API token or zone id is wrong",
    ),
    "live_publish_failed": Facts(
        "failure",
        503,
        {"status": "integer"},
        "the test's live-status object answered `status`",
    ),
    "images_unbound": Facts(
        "failure",
        500,
        NO_PARAMS,
        "image processing is not available here (the `IMAGES` binding is unbound)",
    ),
    "image_job_without_image": Facts(
        "failure",
        500,
        NO_PARAMS,
        "an image job that names no image",
    ),
    "original_missing": Facts(
        "failure",
        500,
        {"imageKey": "string"},
        "the uploaded original of the image is missing",
    ),
    "image_format_mismatch": Facts(
        "failure",
        500,
        {"format": "string|null", "expected": "string"},
        "the original is another format than its key names",
    ),
    "image_empty": Facts(
        "failure",
        500,
        NO_PARAMS,
        "the image has no pixels",
    ),
    "image_too_many_pixels": Facts(
        "failure",
        500,
        {"width": "integer", "height": "integer", "limit": "integer"},
        "the image would decode to more than `limit` pixels (a decompression bomb?)",
    ),
    "image_undecodable": Facts(
        "failure",
        500,
        NO_PARAMS,
        "the image could not be decoded",
    ),
    "variant_keeps_metadata": Facts(
        "failure",
        500,
        {"width": "integer", "format": "string"},
        "a variant still carries EXIF or other metadata: not stored",
    ),
    "cards_unavailable": Facts(
        "failure",
        500,
        {"reason": "string"},
        "this runtime cannot draw preview cards at all (no Pillow, no font)",
    ),
    "invalid_events_message": Facts(
        "failure",
        422,
        NO_PARAMS,
        "a play-events queue message this API never sent",
    ),
}
