"""What a save requires of the stored test when it commits: the three forms of ``baseRev``.

One rule for every way a save arrives (PUT, retry, restore):

- ``"baseRev": "<rev>"``: the rev the editor loaded; the save conflicts if the test moved since.
- ``"baseRev": null``: a create; it conflicts if a live test already has this id.
- ``baseRev`` omitted: unconditional (tools, imports, "save anyway").

A read-modify-write client may also send back the document exactly as ``GET`` returned it: its
``rev`` then counts as the ``baseRev`` (a stale copy conflicts, never silently overwrites), and
the other server-owned fields are checked against it (see ``save_precondition``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quizhub.domain.revisions import is_rev, rev_timestamp
from quizhub.errors import Code, Invalid
from quizhub.errors.fields import field_error

__all__ = ["Precondition", "save_precondition"]

BASE_REV = "baseRev"


@dataclass(frozen=True)
class Precondition:
    """``base_rev``: the stored rev must still be this one; ``create_only``: no live test may
    have this id; neither: unconditional."""

    base_rev: str | None = None
    create_only: bool = False

    def __post_init__(self) -> None:
        if self.base_rev is not None and (self.create_only or not is_rev(self.base_rev)):
            raise ValueError(f"invalid precondition {self!r}")

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> Precondition:
        """The precondition a JSON object states with its ``baseRev`` key (or its absence)."""
        if BASE_REV not in body:
            return cls()
        value = body[BASE_REV]
        if value is None:
            return cls(create_only=True)
        if not is_rev(value):
            msg = "baseRev must be a rev returned by this API, or null"
            raise _invalid(BASE_REV, msg, Code.NOT_A_REV)
        return cls(base_rev=value)


def _invalid(where: str, msg: str, kind: Code, **ctx: str) -> Invalid:
    details = [field_error([where], msg, kind, ctx)]
    return Invalid(f"{where}: {msg}", code=Code.INVALID, details=details)


def save_precondition(test_id: str, body: Mapping[str, Any]) -> Precondition:
    """The precondition of a PUT body, after checking any echoed server-owned fields.

    ``body`` holds the keys the client sent among ``baseRev`` and the server-owned ``id``,
    ``rev``, ``createdAt`` and ``updatedAt``. ``id`` must
    name the test in the path; ``rev`` stands for ``baseRev`` when that is absent (and must agree
    with it when present); ``updatedAt`` must be the time of ``rev``; ``createdAt`` must not be
    later than it. Anything else is a 422 naming the field. The server keeps its own values.
    """
    if "id" in body and body["id"] != test_id:
        msg = f"the document's id must be '{test_id}', the id in the URL"
        raise _invalid("id", msg, Code.ID_MISMATCH, expected=test_id)
    rev = body.get("rev")
    if "rev" in body and not is_rev(rev):
        raise _invalid("rev", "rev must be a rev returned by this API", Code.NOT_A_REV)
    for field in ("createdAt", "updatedAt"):
        if field in body and rev is None:
            msg = f"{field} can only be sent back together with its rev"
            raise _invalid(field, msg, Code.REV_REQUIRED, field=field)
    if rev is not None:
        stamp = rev_timestamp(rev)
        if "updatedAt" in body and body["updatedAt"] != stamp:
            msg = f"updatedAt does not belong to rev {rev} (it would be {stamp})"
            raise _invalid("updatedAt", msg, Code.TIME_MISMATCH, rev=rev, expected=stamp)
        created = body.get("createdAt", stamp)
        if not isinstance(created, str) or not created or created > stamp:
            msg = f"createdAt must be a timestamp no later than rev {rev} ({stamp})"
            raise _invalid("createdAt", msg, Code.TIME_MISMATCH, rev=rev, expected=stamp)
        if BASE_REV not in body:
            return Precondition(base_rev=rev)
        if body[BASE_REV] != rev:
            msg = f"baseRev ({body[BASE_REV]}) and the echoed rev ({rev}) disagree; send one"
            raise _invalid(BASE_REV, msg, Code.REV_DISAGREES, rev=rev)
    return Precondition.from_wire(body)
