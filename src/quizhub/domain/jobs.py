"""Jobs: self-authenticating ids, statuses and the job record shape.

A job id is ``{rev}-{tag}`` where ``tag`` is an HMAC of the rev under the server's signing key.
The API can therefore answer ``queued`` for a job no consumer has touched yet without any
storage write on the accept path, while forged or mistyped ids are rejected (404). The id is a
valid Workflow instance id (≤ 64 chars, ``[A-Za-z0-9_-]``) so workflow mode can use it as-is.

A job past its retry budget whose message may still be delivered is ``delayed``: visible, not
terminal, and a late delivery still applies it under the revision compare-and-set. Only the
dead-letter queue (``failed``) or the end of the queue's message retention (``expired``) ends it
without applying. The reasons are written here once: the sweep stores them, and the status of a
job no consumer has touched is derived from the same rule (``JobRow.queued``).

What a job ran into is a ``JobError``: a code (``quizhub.errors.codes``) with its parameters,
for clients to word, and an English line for tools and logs (the row's ``error``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from quizhub.domain.preconditions import Precondition
from quizhub.domain.revisions import REV_PATTERN, is_rev, rev_time_ms, rev_timestamp
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code, QuizhubError, check_params
from quizhub.errors.codes import code_named

__all__ = [
    "JobStatus",
    "JobKind",
    "JOB_STATUSES",
    "JOB_KINDS",
    "TERMINAL",
    "JobError",
    "delayed_error",
    "expired_error",
    "ERROR_LIMIT",
    "JOB_ID_PATTERN",
    "make_job_id",
    "is_job_id",
    "rev_from_job_id",
    "JobRow",
]

JobStatus = Literal[
    "queued", "running", "delayed", "succeeded", "failed", "superseded", "conflict", "expired"
]
JOB_STATUSES: tuple[JobStatus, ...] = get_args(JobStatus)
TERMINAL: frozenset[JobStatus] = frozenset(
    {"succeeded", "failed", "superseded", "conflict", "expired"}
)
JobKind = Literal["save", "delete", "reindex", "image"]
JOB_KINDS: tuple[JobKind, ...] = get_args(JobKind)
_TAG_LEN = 16
# The shape of every id ``make_job_id`` writes: its rev, a dash, the tag (lowercase hex). The
# shape alone says nothing of the tag being genuine: ``rev_from_job_id`` checks that.
JOB_ID_PATTERN = rf"^{REV_PATTERN.removeprefix('^').removesuffix('$')}-[0-9a-f]{{{_TAG_LEN}}}$"
_JOB_ID = re.compile(JOB_ID_PATTERN)


# The longest English ``error`` a job row keeps.
ERROR_LIMIT = 1000


@dataclass(frozen=True)
class JobError:
    """What a job ran into, as its row records it: ``code`` and ``params`` (the names the code
    declares) for clients, ``message`` (English) for tools and logs."""

    code: Code
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", check_params(self.code, self.params))
        object.__setattr__(self, "message", self.message[:ERROR_LIMIT])

    @classmethod
    def of(cls, exc: QuizhubError) -> JobError:
        """The error a job records for a failure of ours."""
        return cls(exc.code, exc.message, exc.params)

    def cause(self) -> dict[str, Any]:
        """This error as another code's ``cause`` parameter: ``{"code", "params"}``."""
        return {"code": self.code.value, "params": self.params}

    def params_json(self) -> str:
        """``params`` as the row stores them (JSON text)."""
        return json.dumps(self.params, ensure_ascii=False, separators=(",", ":"))

    def to_json(self) -> dict[str, Any]:
        """This error as a step result holds it (a Workflow memoises JSON)."""
        return {"code": self.code.value, "message": self.message, "params": self.params}

    @classmethod
    def from_json(cls, raw: Any) -> JobError | None:
        """The inverse of ``to_json``; None for None. A step result of a version before codes
        holds the bare text: that is kept, as ``uncoded``."""
        if raw is None:
            return None
        if isinstance(raw, str):
            return cls(Code.UNCODED, raw)
        code = code_named(str(raw.get("code")))
        if code is None:
            return cls(Code.UNCODED, str(raw.get("message", "")))
        return cls(code, str(raw.get("message", "")), dict(raw.get("params") or {}))


def delayed_error(budget_seconds: int) -> JobError:
    """Why a job is ``delayed`` (the sweep adds the last error as its cause, when there is
    one)."""
    return JobError(
        Code.DELAYED,
        f"delayed: not finished within its retry budget ({budget_seconds} s); "
        "it will still apply if its message is delivered",
        {"budgetSeconds": budget_seconds, "cause": None},
    )


def expired_error(retention_seconds: int) -> JobError:
    """Why a job is ``expired``: its message can no longer be delivered, so it never applied."""
    return JobError(
        Code.EXPIRED,
        f"expired: its message was not delivered within the queue's retention period "
        f"({retention_seconds} s), so the save was not applied",
        {"retentionSeconds": retention_seconds, "cause": None},
    )


def _tag(rev: str, key: bytes) -> str:
    return hmac.new(key, rev.encode("ascii"), hashlib.sha256).hexdigest()[:_TAG_LEN]


def make_job_id(rev: str, key: bytes) -> str:
    """The job id for the save or delete accepted as ``rev``."""
    return f"{rev}-{_tag(rev, key)}"


def is_job_id(value: object) -> bool:
    """True when ``value`` has the shape of a job id (its tag unchecked)."""
    return isinstance(value, str) and _JOB_ID.fullmatch(value) is not None


def rev_from_job_id(job_id: str, key: bytes) -> str | None:
    """The rev inside ``job_id`` when its tag verifies under ``key``, else None."""
    rev, sep, tag = job_id.partition("-")
    if not sep or not is_rev(rev) or len(tag) != _TAG_LEN:
        return None
    return rev if hmac.compare_digest(tag, _tag(rev, key)) else None


def _json_column(text: Any) -> dict[str, Any] | None:
    """A JSON object column (NULL: None)."""
    if text is None:
        return None
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"a job's JSON column holds {type(value).__name__}, not an object")
    return value


def _one_of(value: Any, allowed: tuple[str, ...], what: str) -> Any:
    if value not in allowed:
        raise ValueError(f"unknown job {what} {value!r} (expected one of {', '.join(allowed)})")
    return value


@dataclass(frozen=True)
class JobRow:
    """A job as the jobs table records it (``None`` kind: accepted, not yet seen by a consumer)."""

    job_id: str
    test_id: str | None
    rev: str
    kind: JobKind | None
    status: JobStatus
    step: str
    attempts: int
    error: str | None
    accepted_at: str
    updated_at: str
    base_rev: str | None = None
    create_only: bool = False
    committed: bool = False
    body_ref: str | None = None
    committed_at: str | None = None  # the D1 commit: "saved"
    live_at: str | None = None  # the invalidation after it succeeded: "live" (docs/pipeline.md)
    author: str | None = None  # the Cloudflare Access editor who accepted it
    image_key: str | None = None  # the image an image job processes (None: every stored one)
    error_code: str | None = None  # what ``error`` says, as a code (quizhub.errors.codes)
    error_params: dict[str, Any] | None = None  # that code's parameters
    # The merge its commit applied ({liveRev, fromLive, fromIncoming, truncated}), or the
    # overlapping changes that made it a conflict ({items, total}): docs/merge.md.
    merge_facts: dict[str, Any] | None = None
    conflicts: dict[str, Any] | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> JobRow:
        """A row of the jobs table (D1 values: ints for booleans)."""
        return cls(
            job_id=str(row["job_id"]),
            test_id=row["test_id"],
            rev=str(row["rev"]),
            kind=cast(JobKind, _one_of(row["kind"], JOB_KINDS, "kind")),
            status=cast(JobStatus, _one_of(row["status"], JOB_STATUSES, "status")),
            step=str(row["step"]),
            attempts=int(row["attempts"]),
            error=row["error"],
            accepted_at=str(row["accepted_at"]),
            updated_at=str(row["updated_at"]),
            base_rev=row["base_rev"],
            create_only=bool(row["create_only"]),
            committed=bool(row["committed"]),
            body_ref=row["body_ref"],
            committed_at=row.get("committed_at"),
            live_at=row.get("live_at"),
            author=row.get("author"),
            image_key=row.get("image_key"),
            error_code=row.get("error_code"),
            error_params=_params(row.get("error_params")),
            merge_facts=_json_column(row.get("merge_facts")),
            conflicts=_json_column(row.get("conflicts")),
        )

    @classmethod
    def queued(
        cls,
        job_id: str,
        rev: str,
        *,
        now_ms: int | None = None,
        budget_seconds: int | None = None,
        retention_seconds: int | None = None,
    ) -> JobRow:
        """A job no consumer has touched yet (its id proves it was accepted as ``rev``).

        Given the time and the limits, its status follows its age as the sweep's would:
        ``queued``, then ``delayed`` past the retry budget, ``expired`` past the retention.
        """
        accepted_ms = rev_time_ms(rev)
        accepted = rev_timestamp(rev)
        age_ms = -1 if now_ms is None else now_ms - accepted_ms
        if retention_seconds is not None and age_ms > retention_seconds * 1000:
            since = iso_ms(accepted_ms + retention_seconds * 1000)
            why = expired_error(retention_seconds)
            return cls(
                job_id,
                None,
                rev,
                None,
                "expired",
                "expired",
                0,
                why.message,
                accepted,
                since,
                error_code=why.code.value,
                error_params=why.params,
            )
        if budget_seconds is not None and age_ms > budget_seconds * 1000:
            since = iso_ms(accepted_ms + budget_seconds * 1000)
            why = delayed_error(budget_seconds)
            return cls(
                job_id,
                None,
                rev,
                None,
                "delayed",
                "queued",
                0,
                why.message,
                accepted,
                since,
                error_code=why.code.value,
                error_params=why.params,
            )
        return cls(job_id, None, rev, None, "queued", "queued", 0, None, accepted, accepted)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def precondition(self) -> Precondition:
        """What this job required of the stored test (the same on a retry unless told else)."""
        if self.create_only:
            return Precondition(create_only=True)
        return Precondition(base_rev=self.base_rev)

    def to_json(self) -> dict[str, object]:
        """The camelCase wire shape (docs/architecture.md#the-job-record)."""
        return {
            "jobId": self.job_id,
            "testId": self.test_id,
            "rev": self.rev,
            "kind": self.kind or "unknown",
            "status": self.status,
            "step": self.step,
            "attempts": self.attempts,
            "error": self.error,
            "errorCode": self.error_code,
            "errorParams": self.error_params,
            "acceptedAt": self.accepted_at,
            "updatedAt": self.updated_at,
            "committedAt": self.committed_at,
            "liveAt": self.live_at,
            "author": self.author,
            "imageKey": self.image_key,
            "merged": self.merge_facts is not None,
            "merge": self.merge_facts,
            "conflicts": None if self.conflicts is None else self.conflicts["items"],
            "conflictCount": None if self.conflicts is None else self.conflicts["total"],
        }


def _params(raw: Any) -> dict[str, Any] | None:
    """A row's stored ``error_params`` (JSON text; D1 hands back text)."""
    if raw is None:
        return None
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else None
