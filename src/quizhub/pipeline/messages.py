"""Queue message shape (the edge of the consumer): validated with pydantic before any step runs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from quizhub.domain.document import TEST_ID_PATTERN
from quizhub.domain.jobs import rev_from_job_id
from quizhub.domain.preconditions import Precondition
from quizhub.domain.revisions import REV_PATTERN, rev_timestamp
from quizhub.errors import Permanent
from quizhub.pipeline.names import DELETE_TEST, SAVE_TEST, MessageType
from quizhub.store.jobs import JobRef

__all__ = ["MESSAGE_LIMIT", "BodyRef", "JobMessage", "parse_message", "signed_job_of"]

MESSAGE_LIMIT = 120_000  # bytes; Cloudflare's limit is 128 KB including ~100 B of metadata


class BodyRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)


class JobMessage(BaseModel):
    """``{"v":1,"type":"save-test"|"delete-test","jobId",…}`` as the API sends it (``names``)."""

    model_config = ConfigDict(extra="forbid")
    v: Literal[1] = 1
    type: MessageType
    jobId: str
    testId: Annotated[str, StringConstraints(pattern=TEST_ID_PATTERN)]
    rev: str
    baseRev: Annotated[str, StringConstraints(pattern=REV_PATTERN)] | None = None
    acceptedAt: str
    createOnly: bool = False
    body: dict[str, Any] | None = None
    bodyRef: BodyRef | None = None

    def job(self) -> JobRef:
        """The job reference the store works with."""
        return JobRef(
            job_id=self.jobId,
            test_id=self.testId,
            rev=self.rev,
            kind="save" if self.type == SAVE_TEST else "delete",
            accepted_at=self.acceptedAt,
            precondition=Precondition(base_rev=self.baseRev, create_only=self.createOnly),
        )


def parse_message(body: Any, signing_key: bytes) -> JobMessage:
    """Validate a delivered body; raise Permanent for anything that can never be processed."""
    try:
        msg = JobMessage.model_validate(body)
    except ValidationError as exc:
        raise Permanent(f"malformed job message: {exc.errors()[0]['msg']}") from None
    if rev_from_job_id(msg.jobId, signing_key) != msg.rev:
        raise Permanent("job id does not match its rev or signature")
    if msg.createOnly and msg.baseRev is not None:
        raise Permanent("a message cannot be both create-only and based on a rev")
    if msg.type == SAVE_TEST and (msg.body is None) == (msg.bodyRef is None):
        raise Permanent("a save message carries exactly one of body and bodyRef")
    return msg


def signed_job_of(body: Any, signing_key: bytes) -> JobRef | None:
    """For a message that failed validation: its job if the job id is genuine (to fail it)."""
    if not isinstance(body, dict) or not isinstance(body.get("jobId"), str):
        return None
    rev = rev_from_job_id(body["jobId"], signing_key)
    if rev is None:
        return None
    raw_test_id = body.get("testId")
    test_id = raw_test_id[:64] if isinstance(raw_test_id, str) else "unknown"
    return JobRef(
        job_id=body["jobId"],
        test_id=test_id,
        rev=rev,
        kind="delete" if body.get("type") == DELETE_TEST else "save",
        accepted_at=rev_timestamp(rev),
    )
