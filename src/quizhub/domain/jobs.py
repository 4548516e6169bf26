"""Jobs: self-authenticating ids, statuses and the job record shape.

A job id is ``{rev}-{tag}`` where ``tag`` is an HMAC of the rev under the server's signing key.
The API can therefore answer ``queued`` for a job no consumer has touched yet without any
storage write on the accept path, while forged or mistyped ids are rejected (404). The id is a
valid Workflow instance id (≤ 64 chars, ``[A-Za-z0-9_-]``) so workflow mode can use it as-is.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal, get_args

from quizhub.domain.revisions import is_rev

__all__ = [
    "JobStatus",
    "TERMINAL",
    "JOB_STATUSES",
    "make_job_id",
    "rev_from_job_id",
    "JobRecord",
]

JobStatus = Literal["queued", "running", "succeeded", "failed", "superseded", "conflict"]
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
TERMINAL = frozenset({"succeeded", "failed", "superseded", "conflict"})
_TAG_LEN = 16


def _tag(rev: str, key: bytes) -> str:
    return hmac.new(key, rev.encode("ascii"), hashlib.sha256).hexdigest()[:_TAG_LEN]


def make_job_id(rev: str, key: bytes) -> str:
    """The job id for the save or delete accepted as ``rev``."""
    return f"{rev}-{_tag(rev, key)}"


def rev_from_job_id(job_id: str, key: bytes) -> str | None:
    """The rev inside ``job_id`` when its tag verifies under ``key``, else None."""
    rev, sep, tag = job_id.partition("-")
    if not sep or not is_rev(rev) or len(tag) != _TAG_LEN:
        return None
    return rev if hmac.compare_digest(tag, _tag(rev, key)) else None


@dataclass(frozen=True)
class JobRecord:
    """What ``GET /api/admin/jobs/{jobId}`` reports."""

    job_id: str
    test_id: str | None
    rev: str
    kind: str
    status: str
    step: str
    attempts: int
    error: str | None
    accepted_at: str
    updated_at: str

    def to_json(self) -> dict[str, object]:
        """camelCase wire shape of DESIGN §4."""
        return {
            "jobId": self.job_id,
            "testId": self.test_id,
            "rev": self.rev,
            "kind": self.kind,
            "status": self.status,
            "step": self.step,
            "attempts": self.attempts,
            "error": self.error,
            "acceptedAt": self.accepted_at,
            "updatedAt": self.updated_at,
        }
