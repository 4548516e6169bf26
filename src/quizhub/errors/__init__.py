"""Typed errors shared by every room.

The API maps them to HTTP in one place (``quizhub.api.errors``); the queue consumer and the
workflow map the same classes to ack / retry / NonRetryableError. The class says how an error
is handled (its HTTP status, whether a retry can help); its ``code`` (``quizhub.errors.codes``,
named at every raise) says what happened, with ``params`` for a client's own wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizhub.errors.codes import Code

__all__ = [
    "Code",
    "QuizhubError",
    "ObjectVanished",
    "NotFound",
    "Invalid",
    "Unauthorized",
    "TooLarge",
    "Unsupported",
    "Conflict",
    "Transient",
    "Permanent",
    "StorageDamaged",
    "NonRetryableError",
    "WorkflowAlreadyExists",
    "WorkflowNotFound",
    "error_body",
    "check_params",
]


def check_params(code: Code, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as a dict, once its names are exactly the ones ``code`` declares (a
    mismatch is a programming error: TypeError)."""
    if set(params) != set(code.params):
        raise TypeError(
            f"code {code.value!r} takes the params {sorted(code.params)}, not {sorted(params)}"
        )
    return dict(params)


def error_body(
    code: Code, message: str, details: Any = None, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every error answer's JSON: ``{"error": {"code", "message", "params", "details"}}`` (the
    API's exception handlers and the front door's refusals both send this)."""
    return {
        "error": {
            "code": code.value,
            "message": message,
            "params": check_params(code, params or {}),
            "details": details,
        }
    }


class QuizhubError(Exception):
    """Base class: a machine-readable ``code`` with its ``params``, a human ``message`` (English,
    for tools and logs) and optional ``details`` (a 422's field errors)."""

    def __init__(
        self,
        message: str,
        *,
        code: Code,
        params: Mapping[str, Any] | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = check_params(code, params or {})
        self.details = details


class NotFound(QuizhubError):
    """The named test, job or image does not exist (404)."""


class Invalid(QuizhubError):
    """Input that can never succeed as sent (422)."""


class Unauthorized(QuizhubError):
    """Missing or wrong admin credentials (401)."""


class Unsupported(QuizhubError):
    """A body in a content type the route does not take (415)."""


class TooLarge(QuizhubError):
    """A body over its route's limit (413)."""


class Conflict(QuizhubError):
    """The request clashes with the current state (409)."""


class Transient(QuizhubError):
    """A failure that may succeed when retried (network, storage hiccup, timeout)."""


class Permanent(QuizhubError):
    """A failure that retrying cannot fix (poison message, integrity violation)."""


class ObjectVanished(Permanent):
    """An R2 object deleted between being found and being read (an ``R2Source`` read afresh):
    Permanent, the object is gone."""

    def __init__(self, key: str) -> None:
        message = f"R2 object {key!r} was deleted while it was being read"
        super().__init__(message, code=Code.OBJECT_VANISHED, params={"key": key})


class StorageDamaged(Permanent):
    """Stored data is missing or unreadable where the records say it must be (a damaged R2
    object, a body file gone from the local data dir): the message names the key and the cause.
    Permanent: retrying does not bring it back."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message, code=Code.STORAGE_DAMAGED, params={"key": key})


class NonRetryableError(Exception):
    """A workflow step (or run) error that must not be retried: the twin of the SDK's
    ``workers.workflows.NonRetryableError``. On Cloudflare the SDK recognises a step error by its
    class NAME (``workflows.js`` checks ``PythonError.type == "NonRetryableError"``), so raising
    this class there works as well."""


class WorkflowAlreadyExists(Exception):
    """``create`` with an id that an instance of that workflow already has (every adapter)."""


class WorkflowNotFound(LookupError):
    """``get`` of an id that no instance of that workflow has."""
