"""The codes of the front door (before a route runs): each wire name's area, HTTP status,
parameters and when it happens (``quizhub.errors.codes`` names them in ``Code``)."""

from __future__ import annotations

from quizhub.errors.code_facts import NO_PARAMS, Facts

__all__ = ["FACTS"]

FACTS: dict[str, Facts] = {
    "token_missing": Facts(
        "front door",
        401,
        NO_PARAMS,
        "no `Authorization` header on an admin route",
    ),
    "token_invalid": Facts(
        "front door",
        401,
        NO_PARAMS,
        "the bearer token is not the admin token",
    ),
    "token_disabled": Facts(
        "front door",
        401,
        NO_PARAMS,
        "the bearer token is switched off (`ADMIN_TOKEN_DISABLED`): sign in through Access",
    ),
    "access_denied": Facts(
        "front door",
        401,
        {"reason": "string"},
        (
            "the Cloudflare Access token was refused; `reason`: `not_jwt`, `malformed`, "
            "`algorithm`, `unknown_key`, `signature`, `audience`, `issuer`, `expired`, "
            "`not_yet_valid`, `no_email`"
        ),
    ),
    "access_unavailable": Facts(
        "front door",
        503,
        NO_PARAMS,
        "Cloudflare Access's signing keys could not be fetched; try again (`Retry-After`)",
    ),
    "bad_content_length": Facts(
        "front door",
        400,
        NO_PARAMS,
        "a `Content-Length` that is not a number of bytes",
    ),
    "too_large": Facts(
        "front door",
        413,
        {"limit": "integer"},
        "the body is over the route's limit of `limit` bytes",
    ),
    "rate_limited": Facts(
        "front door",
        429,
        {"limit": "integer", "period": "integer"},
        "more than `limit` requests of this kind in `period` seconds; `Retry-After` says when",
    ),
    "timeout": Facts(
        "front door",
        408,
        NO_PARAMS,
        "the request's headers or body arrived too slowly",
    ),
    "upgrade_required": Facts(
        "front door",
        426,
        NO_PARAMS,
        "a plain request to a live-status path, which only takes WebSocket upgrades",
    ),
    "ticket_invalid": Facts(
        "front door",
        401,
        NO_PARAMS,
        "a live-status upgrade without a valid ticket for that test",
    ),
    "ticket_spent": Facts(
        "front door",
        401,
        NO_PARAMS,
        "a live-status ticket that was already used",
    ),
    "origin_forbidden": Facts(
        "front door",
        403,
        NO_PARAMS,
        "a live-status upgrade from another origin than the site's",
    ),
    "live_not_bound": Facts(
        "front door",
        503,
        NO_PARAMS,
        "a live-status upgrade where live status is not bound (`LIVE_STATUS`)",
    ),
    "not_a_live_path": Facts(
        "front door",
        404,
        NO_PARAMS,
        "not a live-status path or request",
    ),
    "bad_notice": Facts(
        "front door",
        400,
        NO_PARAMS,
        "a job notice to a test's live-status object that is not one (internal)",
    ),
}
