"""compute(): sum scores, highest wins, ties to the first listed result, strict answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quizhub.domain.compute import compute_result
from quizhub.errors import Invalid


def test_highest_total_wins(travel_doc: dict[str, Any]) -> None:
    """The result with the highest summed score is returned with all totals."""
    out = compute_result(travel_doc, {"q1": "c", "q2": "c", "q3": "c", "q4": "c"})
    assert out["result"]["id"] == "foodie"
    assert out["scores"] == {"planner": 0, "free": 1, "foodie": 7}


def test_tie_goes_to_the_first_listed_result(travel_doc: dict[str, Any]) -> None:
    """planner and free tie at 3; planner is listed first."""
    out = compute_result(travel_doc, {"q1": "a", "q2": "a", "q3": "b", "q4": "b"})
    assert out["scores"]["planner"] == out["scores"]["free"] == 3
    assert out["result"]["id"] == "planner"


@pytest.mark.parametrize(
    "answers",
    [{"q1": "a", "q2": "a", "q3": "a"}, {"q1": "a", "q2": "a", "q3": "a", "q4": "z"}, ["a"]],
)
def test_incomplete_or_wrong_answers_are_invalid(travel_doc: dict[str, Any], answers: Any) -> None:
    """Every question must be answered with one of its own option ids."""
    with pytest.raises(Invalid):
        compute_result(travel_doc, answers)


def test_unknown_question_is_invalid(travel_doc: dict[str, Any]) -> None:
    """Answers to questions the test does not have are rejected."""
    answers = {"q1": "a", "q2": "a", "q3": "a", "q4": "a", "q9": "a"}
    with pytest.raises(Invalid) as info:
        compute_result(travel_doc, answers)
    assert ["answers", "q9"] in [d["loc"] for d in info.value.details]


SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "compute" / "cases.json"
_SHARED = json.loads(SHARED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _SHARED["cases"], ids=lambda c: c["about"])
def test_shared_case(case: dict[str, Any]) -> None:
    """The cases the admin's draft preview (public/assets/compute.js) runs too
    (tests/js/compute.test.mjs): both compute the same result, or both refuse the answers."""
    doc = _SHARED["document"]
    expected = case["expected"]
    if expected.get("invalid"):
        with pytest.raises(Invalid):
            compute_result(doc, case["answers"])
        return
    out = compute_result(doc, case["answers"])
    assert out["result"]["id"] == expected["result"]
    assert out["scores"] == expected["scores"]
