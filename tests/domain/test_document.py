"""The test document: limits, unknown fields and integrity rules, each error naming its field."""

from __future__ import annotations

import pytest

from quizhub.domain.document import parse_document
from quizhub.errors import Invalid
from tests.conftest import sample_doc


def _locs(exc: Invalid) -> list[list[object]]:
    return [d["loc"] for d in exc.details]


def test_valid_document_round_trips_in_camel_case() -> None:
    """A valid document parses and its content keeps the wire shape without baseRev."""
    content = parse_document(sample_doc()).content()
    assert content["title"] == "나의 여행 성향 테스트"
    assert "baseRev" not in content and "base_rev" not in content
    assert content["questions"][0]["options"][0]["scores"] == {"planner": 2}


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"title": ""}, ["title"]),
        ({"title": "가" * 121}, ["title"]),
        ({"description": "x" * 2001}, ["description"]),
        ({"tags": [f"t{i}" for i in range(11)]}, ["tags"]),
        ({"status": "archived"}, ["status"]),
        ({"questions": []}, ["questions"]),
        ({"unknownField": 1}, ["unknownField"]),
        ({"thumbnail": "../../etc/passwd"}, ["thumbnail"]),
        ({"baseRev": "not-a-rev"}, ["baseRev"]),
    ],
)
def test_limit_violations_name_the_field(change: dict[str, object], loc: list[object]) -> None:
    """Each limit (docs/architecture.md#limits) is enforced with the offending field's path."""
    with pytest.raises(Invalid) as info:
        parse_document(sample_doc(**change))
    assert loc in _locs(info.value)


def test_option_text_too_long_names_nested_path() -> None:
    """Errors deep in the document carry the full path (question, option, field)."""
    doc = sample_doc()
    doc["questions"][0]["options"][1]["text"] = "x" * 501
    with pytest.raises(Invalid) as info:
        parse_document(doc)
    assert ["questions", 0, "options", 1, "text"] in _locs(info.value)


def test_scores_outside_range_and_non_integer_are_rejected() -> None:
    """Scores are integers in −100..100."""
    doc = sample_doc()
    doc["questions"][0]["options"][0]["scores"] = {"planner": 101}
    doc["questions"][0]["options"][1]["scores"] = {"free": 1.5}
    with pytest.raises(Invalid) as info:
        parse_document(doc)
    locs = _locs(info.value)
    assert ["questions", 0, "options", 0, "scores", "planner"] in locs
    assert ["questions", 0, "options", 1, "scores", "free"] in locs


def test_scores_naming_missing_result_is_an_integrity_error() -> None:
    """Every scores key must name an existing result."""
    doc = sample_doc()
    doc["questions"][0]["options"][0]["scores"] = {"ghost": 1, "planner": 1}
    with pytest.raises(Invalid) as info:
        parse_document(doc)
    assert ["questions", 0, "options", 0, "scores", "ghost"] in _locs(info.value)


def test_unreachable_result_is_rejected() -> None:
    """A result no option scores positively can never be the outcome."""
    doc = sample_doc()
    doc["results"].append({"id": "lonely", "title": "외톨이", "description": "", "image": None})
    with pytest.raises(Invalid) as info:
        parse_document(doc)
    assert ["results", 2] in _locs(info.value)


def test_duplicate_ids_are_rejected_in_their_scope() -> None:
    """Question, option and result ids are unique where they live."""
    doc = sample_doc()
    doc["questions"][0]["options"][1]["id"] = "a"
    doc["questions"].append(dict(doc["questions"][0], id="q1"))
    with pytest.raises(Invalid) as info:
        parse_document(doc)
    locs = _locs(info.value)
    assert ["questions", 0, "options", 1, "id"] in locs
    assert ["questions", 1, "id"] in locs


def test_bad_item_id_pattern_is_rejected() -> None:
    """Ids outside ^[A-Za-z0-9_-]{1,32}$ are rejected (they end up in keys and URLs)."""
    doc = sample_doc()
    doc["questions"][0]["id"] = "q 1/.."
    with pytest.raises(Invalid) as info:
        parse_document(doc)
    assert ["questions", 0, "id"] in _locs(info.value)
