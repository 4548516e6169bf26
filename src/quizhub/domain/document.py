"""The test document as pydantic models: camelCase on the wire, unknown fields rejected.

Its fields, limits and rules: docs/architecture.md#the-test-document.

Field limits are declared on the models (the list bounds come from
``quizhub.domain.integrity``); cross-field integrity rules live in ``integrity_errors`` (in that
pydantic-free module too) so that each error can name the exact field path it is about.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from quizhub.domain.ids import IMAGE_KEY_PATTERN, ITEM_ID_PATTERN, TEST_ID_PATTERN
from quizhub.domain.integrity import MAX_TAGS, OPTIONS, QUESTIONS, RESULTS, integrity_errors
from quizhub.domain.revisions import REV_PATTERN
from quizhub.errors import Code, Invalid
from quizhub.errors.fields import field_error

__all__ = [
    "TEST_ID_PATTERN",
    "ITEM_ID_PATTERN",
    "IMAGE_KEY_PATTERN",
    "TestDocument",
    "SaveRequest",
    "Question",
    "Option",
    "Result",
    "parse_document",
    "integrity_errors",
    "check_integrity",
    "pydantic_details",
]


ItemId = Annotated[str, StringConstraints(pattern=ITEM_ID_PATTERN)]
ImageKey = Annotated[str, StringConstraints(pattern=IMAGE_KEY_PATTERN)]
# Text is stored in NFC (composed Hangul): 한 typed as jamo and as a syllable is one string, so
# limits, duplicate tags (after casefold) and search terms agree however the text was typed.
NFC = BeforeValidator(lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v)
Text = Annotated[str, NFC, StringConstraints(min_length=1, max_length=500)]
LongText = Annotated[str, NFC, StringConstraints(max_length=2000)]
Tag = Annotated[str, NFC, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
Title = Annotated[str, NFC, StringConstraints(min_length=1, max_length=120)]
# JSON has one number type: 2.0 is the integer 2 (as JSON Schema's "integer" says), stored as 2;
# 2.5, "2" and true stay invalid.
_WHOLE = BeforeValidator(lambda v: int(v) if type(v) is float and v.is_integer() else v)
Score = Annotated[int, Field(ge=-100, le=100, strict=True), _WHOLE]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, str_strip_whitespace=False
    )


class Option(_Model):
    id: ItemId
    text: Text
    scores: dict[ItemId, Score] = Field(
        default_factory=dict,
        # pydantic states the key pattern as patternProperties only; other keys are invalid too.
        json_schema_extra={"propertyNames": {"pattern": ITEM_ID_PATTERN}},
    )


class Question(_Model):
    id: ItemId
    text: Text
    image: ImageKey | None = None
    options: list[Option] = Field(min_length=OPTIONS[0], max_length=OPTIONS[1])


class Result(_Model):
    id: ItemId
    title: Title
    description: LongText = ""
    image: ImageKey | None = None


class TestDocument(_Model):
    """A quiz's content: what is stored as ``tests/{id}/{rev}.json`` and validated again by the
    consumer."""

    __test__ = False  # not a pytest test class

    title: Title
    description: LongText = ""
    locale: Literal["ko", "en", "ja"] = "ko"
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    status: Literal["draft", "published"] = "draft"
    thumbnail: ImageKey | None = None
    questions: list[Question] = Field(min_length=QUESTIONS[0], max_length=QUESTIONS[1])
    results: list[Result] = Field(min_length=RESULTS[0], max_length=RESULTS[1])

    def content(self) -> dict[str, Any]:
        """The stored document in its wire (camelCase) shape."""
        return self.model_dump(by_alias=True, include=set(TestDocument.model_fields))


Rev = Annotated[str, StringConstraints(pattern=REV_PATTERN)]


class SaveRequest(TestDocument):
    """The body of ``PUT /api/admin/tests/{id}``: the content plus what the save requires of the
    stored test (``baseRev``, see ``quizhub.domain.preconditions``). A document exactly as
    ``GET`` returned it is accepted too: its server-owned fields are checked, never stored."""

    base_rev: Rev | None = None
    id: str | None = Field(default=None, max_length=63)
    rev: Rev | None = None
    created_at: str | None = Field(default=None, max_length=40)
    updated_at: str | None = Field(default=None, max_length=40)

    def echoed(self) -> dict[str, Any]:
        """The ``baseRev`` and server-owned fields the client actually sent (wire names)."""
        sent = self.model_fields_set - set(TestDocument.model_fields)
        return {to_camel(name): getattr(self, name) for name in sent}


def pydantic_details(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic errors as ``{"loc", "msg", "type", "ctx"}``: the rule's parameters kept (JSON
    values), no input echoes or URLs."""
    return [field_error(e["loc"], e["msg"], e["type"], e.get("ctx")) for e in exc.errors()]


def check_integrity(content: dict[str, Any]) -> None:
    """Raise Invalid naming the first broken cross-field rule (all of them in ``details``)."""
    if errors := integrity_errors(content):
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(f"{where}: {first['msg']}", code=Code.INVALID, details=errors)


def parse_document(data: Any) -> TestDocument:
    """Validate limits and integrity; raise Invalid with field paths on any violation."""
    try:
        doc = TestDocument.model_validate(data)
    except ValidationError as exc:
        details = pydantic_details(exc)
        raise Invalid("the test document is invalid", code=Code.INVALID, details=details) from None
    check_integrity(doc.content())
    return doc
