"""The queue message, written once: ``JobMessage.to_wire`` is the only place a message's JSON is
built (the accept path, sync mode) and ``JobMessage.from_wire`` the only place it is read (the
queue consumer, the dead-letter consumer and the Workflow).

Plain Python (no pydantic), so the consumer Worker runs it in Pyodide as is. The API validated the
document with pydantic before accepting it; instead of validating it a second time (the same rules
written twice), the accept path signs the body's digest with the job secret and the consumer
verifies that signature: a body that does not match it is a permanent failure.

Wire shape (``v`` 1)::

    {"v": 1, "type": "save-test" | "delete-test" | "reindex-search" | "process-image"
     | "reprocess-images", "jobId", "testId" ("" for a job that is not about one test), "rev",
     "baseRev", "acceptedAt", "createOnly"?, "body" | "bodyRef": {"key", "sha256", "size"},
     "bodySig"?, "imageKey"? and "source"? (process-image: the image and its private original),
     "forTest"? (process-image: the test whose editor uploaded it; its live channel hears the job)}
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import asdict, dataclass
from typing import Any

from quizhub.domain.ids import is_image_key, is_test_id
from quizhub.domain.jobs import JobKind, rev_from_job_id
from quizhub.domain.preconditions import Precondition
from quizhub.domain.revisions import is_rev, rev_timestamp
from quizhub.domain.wire import json_bytes
from quizhub.errors import Code, Permanent
from quizhub.pipeline.names import (
    DELETE_TEST,
    MESSAGE_TYPES,
    PROCESS_IMAGE,
    REINDEX_SEARCH,
    REPROCESS_IMAGES,
    SAVE_TEST,
    MessageType,
)
from quizhub.store.jobs import JobRef
from quizhub.store.keys import original_keys

__all__ = [
    "MESSAGE_LIMIT",
    "WIRE_VERSION",
    "BodyRef",
    "JobMessage",
    "signed_job_of",
    "body_digest",
    "sign_body",
    "verify_body",
]

MESSAGE_LIMIT = 120_000  # bytes; Cloudflare's limit is 128 KB including ~100 B of metadata
# The wire format's version. Messages already queued must still parse after a deploy: a change
# that old consumers could not read is a new version, and from_wire keeps reading the old one.
WIRE_VERSION = 1
# Every field a message may carry (what to_wire writes; from_wire refuses anything else).
_KEYS = frozenset(
    {"v", "type", "jobId", "testId", "rev", "baseRev", "acceptedAt", "createOnly"}
    | {"body", "bodyRef", "bodySig", "author", "imageKey", "source", "forTest"}
)
_SHA256 = re.compile(r"[0-9a-f]{64}")
KIND_OF: dict[MessageType, JobKind] = {
    SAVE_TEST: "save",
    DELETE_TEST: "delete",
    REINDEX_SEARCH: "reindex",
    PROCESS_IMAGE: "image",
    REPROCESS_IMAGES: "image",
}
# Message types whose test id is "" (not about one test).
_NO_TEST = frozenset({REINDEX_SEARCH, PROCESS_IMAGE, REPROCESS_IMAGES})


@dataclass(frozen=True)
class BodyRef:
    """Where a claim-checked body is (``staging/{jobId}.json``) and the sha256 of its bytes."""

    key: str
    sha256: str
    size: int


@dataclass(frozen=True)
class JobMessage:
    """A parsed, authenticated job message."""

    type: MessageType
    job_id: str
    test_id: str
    rev: str
    accepted_at: str
    precondition: Precondition
    body: dict[str, Any] | None = None
    body_ref: BodyRef | None = None
    body_sig: str | None = None
    author: str | None = None
    image_key: str | None = None
    source: str | None = None  # the private R2 key of the original (process-image)
    for_test: str | None = None  # the test an image was uploaded for (process-image)

    def to_wire(self) -> dict[str, Any]:
        """The message's JSON (what the queue carries and the Workflow gets as its payload)."""
        wire: dict[str, Any] = {
            "v": WIRE_VERSION,
            "type": self.type,
            "jobId": self.job_id,
            "testId": self.test_id,
            "rev": self.rev,
            "baseRev": self.precondition.base_rev,
            "acceptedAt": self.accepted_at,
        }
        if self.precondition.create_only:
            wire["createOnly"] = True
        if self.author is not None:
            wire["author"] = self.author  # who accepted it (Cloudflare Access), shown on the job
        if self.type == SAVE_TEST:
            wire["bodySig"] = self.body_sig
            wire["body"] = self.body
            if self.body_ref is not None:
                wire["bodyRef"] = asdict(self.body_ref)
        if self.image_key is not None:
            wire |= {"imageKey": self.image_key, "source": self.source}
        if self.for_test is not None:
            wire["forTest"] = self.for_test
        assert set(wire) <= _KEYS
        return wire

    @classmethod
    def from_wire(cls, body: Any, signing_key: bytes) -> JobMessage:
        """Check a delivered body; raise Permanent for anything that can never be processed."""
        return _from_wire(body, signing_key)

    def size(self) -> int:
        """Bytes of the message as JSON (what counts against the queue's size limit)."""
        return len(json_bytes(self.to_wire()))

    @property
    def channel(self) -> str:
        """The test whose live channel hears this job's transitions ("" for none)."""
        return self.test_id or self.for_test or ""

    def job(self) -> JobRef:
        """The job reference the store works with."""
        kind = KIND_OF[self.type]
        return JobRef(
            self.job_id,
            self.test_id,
            self.rev,
            kind,
            self.accepted_at,
            self.precondition,
            self.author,
            self.image_key,
        )


def body_digest(content: Any) -> str:
    """sha256 of the document in canonical JSON (sorted keys): what the accept path signs."""
    return hashlib.sha256(json_bytes(content, sort_keys=True)).hexdigest()


def sign_body(key: bytes, job_id: str, test_id: str, digest: str) -> str:
    """The signature that binds a body (by digest) to its job and test."""
    payload = f"{job_id}\n{test_id}\n{digest}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def verify_body(msg: JobMessage, content: Any, key: bytes) -> None:
    """Raise Permanent unless ``content`` is the body the accept path signed for this job."""
    expected = sign_body(key, msg.job_id, msg.test_id, body_digest(content))
    if not msg.body_sig or not hmac.compare_digest(expected, msg.body_sig):
        message = "the job's document does not match the signature it was accepted with"
        raise Permanent(message, code=Code.SIGNATURE_MISMATCH)


def _malformed(reason: str) -> Permanent:
    return Permanent(f"malformed job message: {reason}", code=Code.MALFORMED_MESSAGE)


def _body_ref(raw: Any) -> BodyRef:
    if not isinstance(raw, dict) or set(raw) != {"key", "sha256", "size"}:
        raise _malformed("bodyRef must be {key, sha256, size}")
    key, sha, size = raw["key"], raw["sha256"], raw["size"]
    if not isinstance(key, str) or not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        raise _malformed("bodyRef has a bad key or sha256")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _malformed("bodyRef.size must be a byte count")
    return BodyRef(key, sha, size)


def _from_wire(body: Any, signing_key: bytes) -> JobMessage:
    if not isinstance(body, dict):
        raise _malformed("not an object")
    if unknown := set(body) - _KEYS:
        raise _malformed(f"unknown field(s) {', '.join(sorted(unknown))}")
    if body.get("v") != WIRE_VERSION or body.get("type") not in MESSAGE_TYPES:
        raise _malformed("unsupported version or type")
    job_id, test_id, rev = body.get("jobId"), body.get("testId"), body.get("rev")
    if not isinstance(job_id, str) or not isinstance(test_id, str) or not isinstance(rev, str):
        raise _malformed("jobId, testId and rev must be strings")
    no_test = body["type"] in _NO_TEST and test_id == ""
    if not (is_test_id(test_id) or no_test) or not is_rev(rev):
        raise _malformed("testId or rev is malformed")
    if rev_from_job_id(job_id, signing_key) != rev:
        raise Permanent("job id does not match its rev or signature", code=Code.SIGNATURE_MISMATCH)
    base_rev, create_only = body.get("baseRev"), body.get("createOnly", False)
    if not (base_rev is None or is_rev(base_rev)) or not isinstance(create_only, bool):
        raise _malformed("baseRev must be a rev or null, createOnly a boolean")
    if create_only and base_rev is not None:
        raise _malformed("a message cannot be both create-only and based on a rev")
    accepted_at = body.get("acceptedAt")
    if not isinstance(accepted_at, str):
        raise _malformed("acceptedAt is missing")
    inline, ref = body.get("body"), body.get("bodyRef")
    if inline is not None and not isinstance(inline, dict):
        raise _malformed("body must be an object")
    sig = body.get("bodySig")
    if sig is not None and not isinstance(sig, str):
        raise _malformed("bodySig must be a string")
    author = body.get("author")
    if author is not None and (not isinstance(author, str) or len(author) > 254):
        raise _malformed("author must be an email")
    if body["type"] == SAVE_TEST and (inline is None) == (ref is None):
        raise _malformed("a save message carries exactly one of body and bodyRef")
    image_key, source = _image_fields(body)
    for_test = body.get("forTest")
    if for_test is not None and (body["type"] != PROCESS_IMAGE or not is_test_id(for_test)):
        raise _malformed("forTest is a test id, and only on process-image messages")
    return JobMessage(
        type=body["type"],
        job_id=job_id,
        test_id=test_id,
        rev=rev,
        accepted_at=accepted_at,
        precondition=Precondition(base_rev=base_rev, create_only=create_only),
        body=inline,
        body_ref=None if ref is None else _body_ref(ref),
        body_sig=sig,
        author=author,
        image_key=image_key,
        source=source,
        for_test=for_test,
    )


def _image_fields(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(imageKey, source) of a process-image message: the key well-formed, the source one of
    the two private places an original can be (never any other object of the bucket)."""
    image_key, source = body.get("imageKey"), body.get("source")
    if body["type"] != PROCESS_IMAGE:
        if image_key is not None or source is not None:
            raise _malformed("only process-image messages carry imageKey and source")
        return None, None
    if not is_image_key(image_key) or body.get("testId") != "":
        raise _malformed("process-image needs a well-formed imageKey and an empty testId")
    assert isinstance(image_key, str)
    if source not in original_keys(image_key):
        raise _malformed("source must be the image's staging or legacy key")
    return image_key, source


def signed_job_of(body: Any, signing_key: bytes) -> JobRef | None:
    """For a message that failed parsing: its job if the job id is genuine (to fail it)."""
    if not isinstance(body, dict) or not isinstance(body.get("jobId"), str):
        return None
    rev = rev_from_job_id(body["jobId"], signing_key)
    if rev is None:
        return None
    raw_test_id = body.get("testId")
    test_id = raw_test_id[:64] if isinstance(raw_test_id, str) else "unknown"
    kind: JobKind = next((k for t, k in KIND_OF.items() if t == body.get("type")), "save")
    image_key = body.get("imageKey") if is_image_key(body.get("imageKey")) else None
    return JobRef(body["jobId"], test_id, rev, kind, rev_timestamp(rev), image_key=image_key)
