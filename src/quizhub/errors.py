"""Typed errors shared by every room.

The API maps them to HTTP in one place (``quizhub.api.errors``); the queue consumer and the
workflow map the same classes to ack / retry / NonRetryableError.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "QuizhubError",
    "NotFound",
    "Invalid",
    "Unauthorized",
    "TooLarge",
    "Unsupported",
    "Conflict",
    "Transient",
    "Permanent",
    "NonRetryableError",
    "WorkflowAlreadyExists",
    "WorkflowNotFound",
    "error_body",
]


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Every error answer's JSON: ``{"error": {"code", "message", "details"}}`` (the API's
    exception handlers and the front door's refusals both send this)."""
    return {"error": {"code": code, "message": message, "details": details}}


class QuizhubError(Exception):
    """Base class: a machine-readable ``code``, a human ``message`` and optional ``details``.

    Each subclass states its default code once, in its class line: ``class X(QuizhubError,
    code="x")``; a raise may still name a more precise one (``code="not_retryable"``).
    """

    code = "error"

    def __init_subclass__(cls, *, code: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = code

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(QuizhubError, code="not_found"):
    """The named test, job or image does not exist (404)."""


class Invalid(QuizhubError, code="invalid"):
    """Input that can never succeed as sent (422)."""


class Unauthorized(QuizhubError, code="unauthorized"):
    """Missing or wrong admin credentials (401)."""


class Unsupported(QuizhubError, code="unsupported_media_type"):
    """A body in a content type the route does not take (415)."""


class TooLarge(QuizhubError, code="too_large"):
    """A body over its route's limit (413)."""


class Conflict(QuizhubError, code="conflict"):
    """The request clashes with the current state (409)."""


class Transient(QuizhubError, code="transient"):
    """A failure that may succeed when retried (network, storage hiccup, timeout)."""


class Permanent(QuizhubError, code="permanent"):
    """A failure that retrying cannot fix (poison message, integrity violation)."""


class StorageDamaged(Permanent, code="storage_damaged"):
    """Stored data is missing or unreadable where the records say it must be (a damaged R2
    object, a body file gone from the local data dir): the message names the key and the cause.
    Permanent: retrying does not bring it back."""


class NonRetryableError(Exception):
    """A workflow step (or run) error that must not be retried: the twin of the SDK's
    ``workers.workflows.NonRetryableError``. On Cloudflare the SDK recognises a step error by its
    class NAME (``workflows.js`` checks ``PythonError.type == "NonRetryableError"``), so raising
    this class there works as well."""


class WorkflowAlreadyExists(Exception):
    """``create`` with an id that an instance of that workflow already has (every adapter)."""


class WorkflowNotFound(LookupError):
    """``get`` of an id that no instance of that workflow has."""
