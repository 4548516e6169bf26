"""Opaque pagination cursors: a JSON position, base64url without padding.

Every paginated endpoint has its cursor kind here, written once: how its position is encoded
and how it is read back. Reading is strict: a cursor is accepted only when it is exactly the
text this API writes for its position and every field of that position is one the API itself
can write (the id pattern of a test, the timestamp format the store writes, the rev and job
id patterns, a search offset within the search's depth, a count a JSON number holds exactly);
anything else, a cursor of another kind included, is a 422 ``invalid_cursor``. There is no
signature: positions are not secret, and a position of the right shape names a place in the
listing like any other.

==========  ==============================  ==============================================
kind        position                        endpoint
==========  ==============================  ==============================================
list        ``[publishedAt, id]``           ``GET /api/tests`` (no ``q``; ``sort=newest``)
popular     ``[n, publishedAt, id]``        ``GET /api/tests?sort=popular`` (n: completed
                                            plays of the 인기순 window, 0 ≤ n < 2⁵³)
search      ``{"offset": n}``               ``GET /api/tests?q=`` (1 ≤ n ≤ search depth)
versions    ``[rev]``                       ``GET /api/admin/tests/{id}/versions``
jobs        ``[rev, jobId]``                ``GET /api/admin/jobs`` (the job id of rev)
==========  ==============================  ==============================================
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from quizhub.domain.ids import TEST_ID_PATTERN
from quizhub.domain.jobs import JOB_ID_PATTERN
from quizhub.domain.revisions import REV_PATTERN
from quizhub.domain.wire import iso_ms
from quizhub.errors import Code, Invalid
from quizhub.errors.fields import field_error
from quizhub.search.service import DEPTH

__all__ = [
    "encode_cursor",
    "decode_cursor",
    "bad_cursor",
    "list_cursor",
    "read_list_cursor",
    "popular_cursor",
    "read_popular_cursor",
    "search_cursor",
    "read_search_cursor",
    "versions_cursor",
    "read_versions_cursor",
    "jobs_cursor",
    "read_jobs_cursor",
]


def encode_cursor(position: Any) -> str:
    raw = json.dumps(position).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The position inside ``cursor`` (``None`` when it does not decode, or is not the exact
    text ``encode_cursor`` makes of that position)."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None
    return position if encode_cursor(position) == cursor else None


def bad_cursor() -> Invalid:
    return Invalid(
        "cursor is not one this API returned",
        code=Code.INVALID_CURSOR,
        details=[field_error(["query", "cursor"], "malformed cursor", Code.MALFORMED_CURSOR)],
    )


# ---------------------------------------------------------------- fields
def _matches(pattern: str, value: object) -> bool:
    """``value`` is a string wholly matching ``pattern`` (not even a trailing newline more)."""
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)


def _is_timestamp(value: object) -> bool:
    """``value`` is a time exactly as ``iso_ms`` writes it (a test's ``publishedAt``)."""
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return False
        return iso_ms((moment - _EPOCH) // _ONE_MS) == value
    except (ValueError, OverflowError, OSError):
        return False


_MAX_COUNT = 2**53 - 1  # the largest count a JSON number (a browser's) holds exactly


def _is_count(value: object) -> bool:
    """``value`` is a count the store can hold (``True`` and ``1.0`` are not counts)."""
    return type(value) is int and 0 <= value <= _MAX_COUNT


def _is_offset(value: object) -> bool:
    """``value`` is an offset a search page can start at (``True`` is not the number 1)."""
    return type(value) is int and 1 <= value <= DEPTH


def _strings(cursor: str, size: int) -> list[str]:
    """A position made of ``size`` strings (else 422 invalid_cursor)."""
    position = decode_cursor(cursor)
    if not isinstance(position, list) or len(position) != size:
        raise bad_cursor()
    if not all(isinstance(p, str) for p in position):
        raise bad_cursor()
    return position


# ---------------------------------------------------------------- kinds
def list_cursor(published_at: str, test_id: str) -> str:
    """The cursor after the published test ``test_id`` first published at ``published_at``."""
    return encode_cursor([published_at, test_id])


def read_list_cursor(cursor: str) -> tuple[str, str]:
    """``(publishedAt, id)`` of a list cursor (else 422 invalid_cursor)."""
    published_at, test_id = _strings(cursor, 2)
    if not _is_timestamp(published_at) or not _matches(TEST_ID_PATTERN, test_id):
        raise bad_cursor()
    return published_at, test_id


def popular_cursor(recent: int, published_at: str, test_id: str) -> str:
    """The cursor after the test ``test_id`` in the 인기순 order: ``recent`` completed plays in
    the window, first published at ``published_at``."""
    return encode_cursor([recent, published_at, test_id])


def read_popular_cursor(cursor: str) -> tuple[int, str, str]:
    """``(n, publishedAt, id)`` of a popular cursor (else 422 invalid_cursor)."""
    position = decode_cursor(cursor)
    if not isinstance(position, list) or len(position) != 3:
        raise bad_cursor()
    recent, published_at, test_id = position
    if not _is_count(recent) or not _is_timestamp(published_at):
        raise bad_cursor()
    if not _matches(TEST_ID_PATTERN, test_id):
        raise bad_cursor()
    return recent, published_at, test_id


def search_cursor(offset: int) -> str:
    """The cursor of the search page starting at result ``offset``."""
    return encode_cursor({"offset": offset})


def read_search_cursor(cursor: str) -> int:
    """The offset of a search cursor (else 422 invalid_cursor)."""
    position = decode_cursor(cursor)
    if not isinstance(position, dict) or set(position) != {"offset"}:
        raise bad_cursor()
    offset = position["offset"]
    if not _is_offset(offset):
        raise bad_cursor()
    return int(offset)


def versions_cursor(rev: str) -> str:
    """The cursor of the versions older than ``rev``."""
    return encode_cursor([rev])


def read_versions_cursor(cursor: str) -> str:
    """The rev of a versions cursor (else 422 invalid_cursor)."""
    (rev,) = _strings(cursor, 1)
    if not _matches(REV_PATTERN, rev):
        raise bad_cursor()
    return rev


def jobs_cursor(rev: str, job_id: str) -> str:
    """The cursor after the job ``job_id`` (accepted as ``rev``)."""
    return encode_cursor([rev, job_id])


def read_jobs_cursor(cursor: str) -> tuple[str, str]:
    """``(rev, jobId)`` of a jobs cursor (else 422 invalid_cursor): the job id is the one of
    that rev (a job id starts with its rev)."""
    rev, job_id = _strings(cursor, 2)
    if not _matches(REV_PATTERN, rev) or not _matches(JOB_ID_PATTERN, job_id):
        raise bad_cursor()
    if job_id.partition("-")[0] != rev:
        raise bad_cursor()
    return rev, job_id
