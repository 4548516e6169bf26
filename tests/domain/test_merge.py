"""The three-way merge (``quizhub.domain.merge``): every shared case in tests/fixtures/merge/
(the editor's ``public/admin/merge.js`` runs the very same files: tests/js/merge.test.mjs), and
what the job row keeps of a merge."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from quizhub.domain.integrity import document_errors
from quizhub.domain.merge import (
    ABSENT,
    FIELD_ORDERS,
    Conflict,
    merge_documents,
    rule_conflicts,
    same,
)
from quizhub.domain.merge_bounds import (
    MAX_CONFLICTS,
    MAX_VALUE_CHARS,
    bounded_conflicts,
    bounded_paths,
)
from quizhub.domain.samples import minimal_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "merge"
CASES = sorted(FIXTURES.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_shared_cases_are_there_and_well_formed() -> None:
    """At least the cases the docs promise, each named like its file, each expecting either a
    merged document or conflicts."""
    assert len(CASES) >= 25
    for path in CASES:
        case = _load(path)
        assert path.stem.endswith(case["name"]), path
        assert {"base", "live", "incoming", "expected", "about"} <= case.keys(), path
        assert ("merged" in case["expected"]) != ("conflicts" in case["expected"]), path


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_shared_merge_case(path: Path) -> None:
    """The merge gives exactly the case's expected document and paths, or its conflicts (each a
    path, or a path with the three values)."""
    case = _load(path)
    before = copy.deepcopy(case)
    result = merge_documents(case["base"], case["live"], case["incoming"])
    expected = case["expected"]
    if "conflicts" in expected:
        assert result.merged is None
        got = [c.to_json() for c in result.conflicts]
        assert [c["path"] for c in got] == [
            e if isinstance(e, str) else e["path"] for e in expected["conflicts"]
        ]
        for row, want in zip(got, expected["conflicts"], strict=True):
            if isinstance(want, dict):
                assert row == want
    else:
        assert result.conflicts == [] and result.merged is not None
        assert result.merged.document == expected["merged"]
        assert json.dumps(result.merged.document) == json.dumps(expected["merged"])  # key order
        assert result.merged.from_live == expected["fromLive"]
        assert result.merged.from_incoming == expected["fromIncoming"]
        broken = rule_conflicts(
            document_errors(result.merged.document),
            result.merged.document,
            case["base"],
            case["live"],
            case["incoming"],
        )
        assert [c.path for c in broken] == expected.get("brokenRules", [])
    assert case == before  # the inputs are never changed


def test_either_side_alone_comes_through_unchanged() -> None:
    """merge(base, base, x) and merge(base, x, base) are x, for every side of every case."""
    for path in CASES:
        case = _load(path)
        for doc in (case["live"], case["incoming"]):
            for result in (
                merge_documents(case["base"], case["base"], doc),
                merge_documents(case["base"], doc, case["base"]),
            ):
                assert result.merged is not None, path
                assert json.dumps(result.merged.document) == json.dumps(doc), path


def test_json_equality_is_strict_about_types_not_about_key_order() -> None:
    """true is not 1, 2 is 2.0, {"a","b"} is {"b","a"}, null is not missing."""
    assert not same(True, 1) and not same(0, False) and same(2, 2.0)
    assert same({"a": 1, "b": [1, "x"]}, {"b": [1, "x"], "a": 1})
    assert not same(None, ABSENT) and same(ABSENT, ABSENT) and not same([1], [1, 1])


def test_a_job_row_keeps_bounded_conflicts_and_says_so() -> None:
    """At most MAX_CONFLICTS rows with the total; a value longer than MAX_VALUE_CHARS is cut
    (objects as their JSON text) and its row is marked truncated; missing values are null."""
    long = "가" * (MAX_VALUE_CHARS + 50)
    conflicts = [Conflict(f"questions[q{n}].text", "a", "b", "c") for n in range(30)]
    conflicts[0] = Conflict("description", long, "짧다", ABSENT)
    conflicts[1] = Conflict("questions[q1]", {"id": "q1", "text": long}, ABSENT, "x")
    kept = bounded_conflicts(conflicts)
    assert kept["total"] == 30 and len(kept["items"]) == MAX_CONFLICTS
    first, second, third = kept["items"][:3]
    assert first == {
        "path": "description",
        "base": long[:MAX_VALUE_CHARS] + "…",
        "live": "짧다",
        "incoming": None,
        "truncated": True,
    }
    assert second["truncated"] and second["base"].startswith('{"id":"q1"')
    assert len(second["base"]) == MAX_VALUE_CHARS + 1 and second["live"] is None
    assert third == {"path": "questions[q2].text", "base": "a", "live": "b", "incoming": "c"}
    assert bounded_paths(["a", "b", "c"], 2) == (["a", "b"], True)
    assert bounded_paths(["a"], 2) == (["a"], False)


def test_a_broken_rule_is_reported_at_its_id_path_with_each_sides_value() -> None:
    """An integrity error's index path (questions.0.options.1.scores.x) names the items by id,
    and each side's value at that path is given (null where it has none)."""
    base = minimal_document()
    live = copy.deepcopy(base)
    incoming = copy.deepcopy(base)
    merged = copy.deepcopy(base)
    merged["questions"][0]["options"][1]["scores"] = {"ghost": 1}
    incoming["questions"][0]["options"][1]["scores"] = {"ghost": 1}
    errors = document_errors(merged)
    found = rule_conflicts(errors, merged, base, live, incoming)
    assert [c.to_json() for c in found] == [
        {
            "path": "questions[q1].options[b].scores[ghost]",
            "base": None,
            "live": None,
            "incoming": 1,
        },
        {
            "path": "results[free]",
            "base": base["results"][1],
            "live": live["results"][1],
            "incoming": incoming["results"][1],
        },
    ]


def test_lists_that_cannot_merge_by_id_merge_as_whole_values() -> None:
    """Duplicate or missing ids (never stored, but the merge takes any JSON): the list is one
    value, so changes on both sides conflict at the list's path."""
    base = minimal_document()
    live = copy.deepcopy(base)
    incoming = copy.deepcopy(base)
    live["results"] = [*base["results"], base["results"][0]]
    incoming["results"] = base["results"][:1]
    result = merge_documents(base, live, incoming)
    assert [c.path for c in result.conflicts] == ["results"]


def test_the_merge_walks_the_fields_in_the_models_order() -> None:
    """The merge's field orders (which order paths are listed in, on both implementations) are
    the document models' fields, by their wire names, and the editor's copy says the same."""
    from pydantic import BaseModel

    from quizhub.domain.document import Option, Question, Result, TestDocument

    def wire(model: type[BaseModel]) -> tuple[str, ...]:
        return tuple(f.alias or name for name, f in model.model_fields.items())

    models = {"document": TestDocument, "question": Question, "option": Option, "result": Result}
    assert {name: wire(model) for name, model in models.items()} == FIELD_ORDERS
    script = (FIXTURES.parents[2] / "public" / "admin" / "merge.js").read_text(encoding="utf-8")
    for order in FIELD_ORDERS.values():
        assert f"order: {json.dumps(list(order))}" in script, order
