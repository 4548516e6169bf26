"""``POST /api/events``: play events from the public site (``navigator.sendBeacon`` sends
``text/plain``, ``fetch(keepalive)`` JSON). Validated, then ONE queue send and 204: Postgres is
never touched on this path. Anonymous: size-limited and rate-limited by the guard."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from quizhub.analytics.events import (
    MAX_EVENTS_PER_REQUEST,
    event_message,
    events_schema,
    one_play,
    parse_events,
)
from quizhub.api.deps import bindings
from quizhub.api.edges import StrictJSONRoute
from quizhub.api.errors import error_responses
from quizhub.domain.wire import parse_json
from quizhub.edge.ratelimits import EVENTS_PATH
from quizhub.errors import Code, Invalid, Transient, Unsupported
from quizhub.errors.fields import field_error

__all__ = ["router", "EVENTS_BODY"]

router = APIRouter(route_class=StrictJSONRoute, tags=["events"])
_ACCEPTED = ("application/json", "text/plain")
_EXAMPLE = {
    "events": [
        {
            "id": "e1b2c3d4e5",
            "type": "answer",
            "testId": "travel",
            "questionId": "q1",
            "optionId": "a",
            "at": 1795000000000,
            "session": "s1a2b3c4d5",
            "rev": "01KA0000000000000000000000",
        }
    ]
}
# The schema is made from the one definition of an event (quizhub.analytics.events), the same
# one parse_events validates with.
EVENTS_BODY = {
    "required": True,
    "description": (
        f"1 to {MAX_EVENTS_PER_REQUEST} play events of ONE play (the same testId and session:"
        " else 422 mixed_plays); a beacon may send the same JSON as text/plain"
        " (navigator.sendBeacon with a string)"
    ),
    "content": {"application/json": {"schema": {**events_schema(), "examples": [_EXAMPLE]}}},
}


def _payload(request: Request, body: bytes) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in _ACCEPTED:
        raise Unsupported(
            f"send the events as {' or '.join(_ACCEPTED)}, not {media or 'nothing'}",
            code=Code.UNSUPPORTED_MEDIA_TYPE,
            params={"accepted": list(_ACCEPTED)},
        )
    try:
        return parse_json(body)
    except ValueError as exc:
        why = str(getattr(exc, "msg", "not UTF-8 JSON"))
        details = [field_error(["body"], why, "json_invalid", {"error": why})]
        raise Invalid(f"body: {why}", code=Code.INVALID, details=details) from None


@router.post(
    EVENTS_PATH,
    status_code=204,
    response_class=Response,
    openapi_extra={"requestBody": EVENTS_BODY},
    responses={
        204: {
            "description": "queued (recorded within seconds; the consumer counts only plausible"
            " plays and counts the rest by reason)"
        },
        **error_responses(413, 415, 422, 429, 503),
    },
)
async def post_events(request: Request) -> Response:
    """Play events of the public site (one play per request): validated, queued once, 204. No
    cookies, nothing about the person is kept (the client IP only keys the rate limit)."""
    b = bindings(request)
    events = one_play(parse_events(_payload(request, await request.body())))
    if b.analytics_queue is None:
        message = "play analytics are not bound here (ANALYTICS_QUEUE)"
        raise Transient(message, code=Code.ANALYTICS_UNAVAILABLE)
    try:
        await b.analytics_queue.send(event_message(events, b.clock_ms()))
    except Exception as exc:  # noqa: BLE001 - the queue is a binding: a retry may succeed
        message = f"could not queue the events: {exc}"
        raise Transient(message, code=Code.QUEUE_UNAVAILABLE) from exc
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
