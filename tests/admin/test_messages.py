"""The admin UI words every code in Korean: each machine code of the registry
(``quizhub.errors.codes``) and each field-error type the save body's model can answer has a
sentence in ``public/admin/messages.js``, built from its parameters, and none of them is an
English sentence or shows a parameter that is missing."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from quizhub.errors.codes import PARAM_TYPES, Code
from tests.admin._document_errors import document_errors
from tests.admin._node import needs_node, run_driver
from tests.admin._wording import HANGUL, LATIN_SENTENCE
from tests.api.conftest import AUTH, make_api
from tests.fakes import FakeClock

pytestmark = needs_node

LEAKS = ("undefined", "null", "NaN", "[object", "None")

_CAUSE = {
    "code": "attempt_failed",
    "params": {"attempt": 2, "cause": {"code": "binding_error", "params": {"error": "X"}}},
}
# Sample values of each parameter type; a nullable one is rendered both ways.
SAMPLES: dict[str, tuple[Any, ...]] = {
    "string": ("01JABCDEFGHJKMNPQRSTVWXYZ0",),
    "string|null": ("01JABCDEFGHJKMNPQRSTVWXYZ0", None),
    "integer": (3,),
    "boolean": (True, False),
    "string[]": (["PNG", "JPEG"],),
    "cause": (_CAUSE,),
    "cause|null": (_CAUSE, None),
}
# Parameters whose values are a fixed set the wording chooses by.
CHOICES: dict[str, tuple[Any, ...]] = {
    "reason": (
        *("not_jwt", "malformed", "algorithm", "unknown_key", "signature"),
        *("audience", "issuer", "expired", "not_yet_valid", "no_email"),
    ),
    "scope": ("result", "question", "option"),
    "status": ("failed", "running", "succeeded"),
    # merge_broke_rules: a field path (empty: the whole document), and the rules a merged
    # document can break (quizhub.domain.integrity's errors and the size limit).
    "path": ("", "questions.2.options"),
    "rule": (
        *("too_short", "too_long", "duplicate_id", "duplicate_tag"),
        *("unknown_result", "unreachable_result", "document_too_large"),
    ),
}


def _param_sets(code: Code) -> list[dict[str, Any]]:
    """Every combination of sample values of ``code``'s parameters."""
    names = list(code.params)
    values = []
    for name in names:
        kind = code.params[name]
        if name in CHOICES and kind == "string":
            values.append(CHOICES[name])
        elif name == "status" and kind == "integer":
            values.append((503,))
        else:
            values.append(SAMPLES[kind])
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


@pytest.fixture(scope="module")
def rendered() -> dict[str, Any]:
    """The catalogue's keys, and every code and field error rendered with sample parameters
    (``code_cases`` / ``field_cases`` beside their texts ``codes`` / ``fields``)."""
    code_cases = [(c.value, params) for c in Code for params in _param_sets(c)]
    own_fields = [(c.value, p) for c in Code if c.area == "field" for p in _param_sets(c)]
    field_cases = [*document_errors(), *own_fields]
    out = run_driver("catalogue.mjs", {"codes": code_cases, "fields": field_cases})
    return {"code_cases": code_cases, "field_cases": field_cases, **out}


def test_param_samples_cover_every_parameter_type() -> None:
    """The registry's parameter types are the ones this test knows how to fill in."""
    assert set(SAMPLES) == set(PARAM_TYPES)


def test_every_code_of_the_registry_has_a_korean_sentence_and_nothing_else_has(
    rendered: dict[str, Any],
) -> None:
    """CODE_KO's keys are exactly the registry's codes: none untranslated, none stale."""
    assert set(rendered["codeKeys"]) == {c.value for c in Code}


def test_every_field_error_the_document_model_answers_has_a_korean_sentence(
    rendered: dict[str, Any],
) -> None:
    """Each pydantic type the save body's model produces is in FIELD_KO (the project's own
    field codes are in CODE_KO, above)."""
    types = {kind for kind, _ in document_errors()}
    assert types <= set(rendered["fieldKeys"]), types - set(rendered["fieldKeys"])


def test_the_json_body_errors_of_the_api_have_a_korean_sentence(
    rendered: dict[str, Any], tmp_path: Path
) -> None:
    """A save whose body is not JSON gets FastAPI's json_invalid, worded too; the details of a
    422 carry each rule's ctx."""
    api = make_api(tmp_path, FakeClock())
    try:
        bad = api.client.put(
            "/api/admin/tests/travel",
            content=b'{"title": ',
            headers={**AUTH, "Content-Type": "application/json"},
        )
        long = api.client.put("/api/admin/tests/travel", json={"title": "가" * 200}, headers=AUTH)
    finally:
        api.platform.close()
    [detail] = bad.json()["error"]["details"]
    assert detail["type"] in rendered["fieldKeys"] and "error" in detail["ctx"]
    [too_long] = [d for d in long.json()["error"]["details"] if d["loc"] == ["title"]]
    assert (too_long["type"], too_long["ctx"]["max_length"]) == ("too_long", 120)


@pytest.mark.parametrize("kind", ["code", "field"])
def test_every_sentence_is_korean_with_its_parameters_filled_in(
    rendered: dict[str, Any], kind: str
) -> None:
    """Each rendering is Korean, holds no English sentence, and shows no missing value."""
    cases, texts = rendered[f"{kind}_cases"], rendered[f"{kind}s"]
    for (name, params), text in zip(cases, texts, strict=True):
        assert HANGUL.search(text), (name, params, text)
        assert not LATIN_SENTENCE.search(text), (name, params, text)
        assert not any(leak in text for leak in LEAKS), (name, params, text)


def test_the_sentences_say_the_limits_and_ids_they_are_given(rendered: dict[str, Any]) -> None:
    """The parameters make the sentence: "최대 10개까지", "최대 120자까지", the duplicate id."""
    said = {
        (name, json.dumps(params, sort_keys=True)): text
        for (name, params), text in zip(rendered["field_cases"], rendered["fields"], strict=True)
    }
    lists = [t for (n, p), t in said.items() if n == "too_long" and '"List"' in p]
    texts = [t for (n, p), t in said.items() if n == "too_long" and '"Value"' in p]
    assert any("최대 10개까지" in t for t in lists), lists
    assert any("최대 120자까지" in t for t in texts), texts
    dupes = [t for (n, _), t in said.items() if n == "duplicate_id"]
    assert all("01JABCDEFGHJKMNPQRSTVWXYZ0" in t for t in dupes), dupes


def test_a_merge_that_breaks_a_rule_names_the_rule(rendered: dict[str, Any]) -> None:
    """Each rule a merged document can break has its own words, not the general "규칙 위반"."""
    texts = [
        text
        for (name, _), text in zip(rendered["code_cases"], rendered["codes"], strict=True)
        if name == Code.MERGE_BROKE_RULES.value
    ]
    assert len(texts) == len(CHOICES["rule"]) * len(CHOICES["path"])
    assert not [t for t in texts if "규칙 위반" in t], texts
    assert any("질문 3 › 선택지" in t for t in texts) and any("문서 전체" in t for t in texts)
