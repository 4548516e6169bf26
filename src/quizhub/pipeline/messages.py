"""Queue message shape (the edge of the consumer): validated with pydantic before any step runs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from quizhub.domain.document import TEST_ID_PATTERN
from quizhub.domain.jobs import rev_from_job_id
from quizhub.errors import Permanent
from quizhub.store.jobs import JobRef

__all__ = ["MESSAGE_LIMIT", "BodyRef", "JobMessage", "parse_message"]

MESSAGE_LIMIT = 120_000  # bytes; Cloudflare's limit is 128 KB including ~100 B of metadata


class BodyRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)


class JobMessage(BaseModel):
    """``{"v":1,"type":"save-test"|"delete-test","jobId",…}`` as the API sends it."""

    model_config = ConfigDict(extra="forbid")
    v: Literal[1] = 1
    type: Literal["save-test", "delete-test"]
    jobId: str
    testId: Annotated[str, StringConstraints(pattern=TEST_ID_PATTERN)]
    rev: str
    baseRev: str | None = None
    acceptedAt: str
    body: dict[str, Any] | None = None
    bodyRef: BodyRef | None = None

    def job(self) -> JobRef:
        """The job reference the store works with."""
        return JobRef(
            job_id=self.jobId, test_id=self.testId, rev=self.rev, base_rev=self.baseRev,
            kind="save" if self.type == "save-test" else "delete", accepted_at=self.acceptedAt,
        )


def parse_message(body: Any, signing_key: bytes) -> JobMessage:
    """Validate a delivered body; raise Permanent for anything that can never be processed."""
    try:
        msg = JobMessage.model_validate(body)
    except ValidationError as exc:
        raise Permanent(f"malformed job message: {exc.errors()[0]['msg']}") from None
    if rev_from_job_id(msg.jobId, signing_key) != msg.rev:
        raise Permanent("job id does not match its rev or signature")
    if msg.type == "save-test" and (msg.body is None) == (msg.bodyRef is None):
        raise Permanent("a save message carries exactly one of body and bodyRef")
    return msg
