"""Request bodies as models, besides the document (``quizhub.domain.document``): FastAPI parses
them and OpenAPI publishes their schemas, so the schema is the parser.

``baseRev`` keeps its three forms (``quizhub.domain.preconditions``): a rev, ``null`` (create
only) or absent (unconditional). Absent and ``null`` differ by whether the client sent the
field (``model_fields_set``), as in ``SaveRequest``; the schema therefore states no default.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from quizhub.domain.document import Rev
from quizhub.domain.preconditions import Precondition
from quizhub.domain.revisions import REV_PATTERN
from quizhub.errors import Code

__all__ = ["Answers", "RetryBody", "RestoreBody"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _absent_is_not_null(schema: dict[str, Any]) -> None:
    """An absent ``baseRev`` is not ``null``: the schema names no default."""
    schema.pop("default", None)


class Answers(_Body):
    """``{"answers": {questionId: optionId}}``: one option per question of the test."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"answers": {"q1": "a"}}]})
    answers: dict[str, str] = Field(description="question id → the chosen option id")


class RetryBody(_Body):
    """The optional body of a retry: ``baseRev`` as a save states it. Without a body the retry
    keeps the job's own ``baseRev``; ``{}`` is unconditional."""

    base_rev: Rev | None = Field(
        None,
        alias="baseRev",
        description="a rev (conflict if the test moved), null (create only) or absent"
        " (unconditional)",
        json_schema_extra=_absent_is_not_null,
    )

    def precondition(self) -> Precondition:
        """What the retried save requires of the stored test."""
        return Precondition.from_wire(self.model_dump(by_alias=True, exclude_unset=True))


def _not_null(rev: str | None) -> str | None:
    if rev is None:  # only when sent: a default is not validated
        msg = "a restore needs the rev the editor saw, not null"
        raise PydanticCustomError(Code.NULL_REV.value, msg)
    return rev


_SEEN_REV = {"type": "string", "pattern": REV_PATTERN}


class RestoreBody(_Body):
    """The optional body of a restore: the rev the editor saw (never null: a restore is not a
    create). Without it, the test's current rev."""

    base_rev: Annotated[Rev | None, AfterValidator(_not_null), WithJsonSchema(_SEEN_REV)] = Field(
        None,
        alias="baseRev",
        description="the rev the editor saw; conflict if the test moved since",
        json_schema_extra=_absent_is_not_null,
    )

    def seen_rev(self) -> str | None:
        """The rev the editor saw, if the body names one."""
        return self.base_rev
