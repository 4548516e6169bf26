"""Input edges: text normalised to NFC, duplicates judged after NFC, bounded error answers."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from quizhub.domain.compute import MAX_REPORTED, validate_answers
from quizhub.domain.document import parse_document
from quizhub.errors import Invalid
from tests.conftest import sample_doc

DECOMPOSED = unicodedata.normalize("NFD", "여행")  # the same word typed as jamo


def test_text_is_stored_in_nfc_however_it_was_typed() -> None:
    """A title, description, option text and tag typed as jamo are stored composed."""
    doc = sample_doc(f"{DECOMPOSED} 테스트", description=DECOMPOSED, tags=[DECOMPOSED])
    doc["questions"][0]["options"][0]["text"] = DECOMPOSED
    content = parse_document(doc).content()
    assert content["title"] == "여행 테스트" and content["description"] == "여행"
    assert content["tags"] == ["여행"] and content["questions"][0]["options"][0]["text"] == "여행"


def test_tags_that_differ_only_in_normal_form_or_case_are_duplicates() -> None:
    """여행 (composed) and 여행 (jamo) are the same tag; so are MBTI and mbti."""
    for tags in ([DECOMPOSED, "여행"], ["MBTI", "mbti"]):
        with pytest.raises(Invalid) as err:
            parse_document(sample_doc(tags=tags))
        assert err.value.details[0]["loc"] == ["tags", 1]
        assert err.value.details[0]["ctx"] == {"tag": tags[1]}


def test_thousands_of_unknown_answers_get_a_small_422() -> None:
    """Unknown answer keys are listed up to a limit, then counted: the error stays small."""
    doc: dict[str, Any] = parse_document(sample_doc()).content()
    answers = {f"q-{i}-" + "x" * 500: "a" for i in range(5000)} | {"q1": "a"}
    with pytest.raises(Invalid) as err:
        validate_answers(doc, answers)
    details = err.value.details
    assert len(details) == MAX_REPORTED + 1
    assert details[-1]["msg"] == f"and {5000 - MAX_REPORTED} more unknown question ids"
    assert len(json.dumps(details)) < 10_000
