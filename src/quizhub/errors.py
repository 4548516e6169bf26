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
    "Conflict",
    "Transient",
    "Permanent",
    "NonRetryableError",
    "WorkflowAlreadyExists",
    "WorkflowNotFound",
]


class QuizhubError(Exception):
    """Base class: a machine-readable ``code``, a human ``message`` and optional ``details``."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(QuizhubError):
    code = "not_found"


class Invalid(QuizhubError):
    """Input that can never succeed as sent (422)."""

    code = "invalid"


class Unauthorized(QuizhubError):
    code = "unauthorized"


class TooLarge(QuizhubError):
    code = "too_large"


class Conflict(QuizhubError):
    code = "conflict"


class Transient(QuizhubError):
    """A failure that may succeed when retried (network, storage hiccup, timeout)."""

    code = "transient"


class Permanent(QuizhubError):
    """A failure that retrying cannot fix (poison message, integrity violation)."""

    code = "permanent"


class NonRetryableError(Exception):
    """A workflow step (or run) error that must not be retried: the twin of the SDK's
    ``workers.workflows.NonRetryableError``. On Cloudflare the SDK recognises a step error by its
    class NAME (``workflows.js`` checks ``PythonError.type == "NonRetryableError"``), so raising
    this class there works as well."""


class WorkflowAlreadyExists(Exception):
    """``create`` with an id that an instance of that workflow already has (every adapter)."""


class WorkflowNotFound(LookupError):
    """``get`` of an id that no instance of that workflow has."""
