"""The machine codes (``quizhub.errors.codes``) are the one registry every answer is made from:
each raise and refusal names a code of it, with the HTTP status the registry says; each code of
it is used; docs/api.md lists exactly the registry; and a code's parameters are checked
wherever an error is made."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from quizhub.api.errors import STATUS_BY_ERROR
from quizhub.errors import Code, Invalid, NotFound, QuizhubError, check_params, error_body
from quizhub.errors.codes import AREAS, PARAM_TYPES, code_named
from quizhub.errors.fields import field_error
from tests.deploy._scripts import run_script

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "quizhub"
REGISTRY = SRC / "errors" / "codes.py"


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for path in sorted(SRC.rglob("*.py"))
        if path != REGISTRY
    ]


def _code_of(node: ast.expr) -> Code | None:
    """``Code.NAME`` as the member it names (None for any other expression)."""
    if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
        return None
    return Code[node.attr] if node.value.id == "Code" else None


def _error_statuses(sources: list[tuple[Path, ast.Module]]) -> dict[str, int]:
    """The HTTP status of every error class by name: the API's mapping, and the classes the
    code derives from them (``class _RateLimited(Transient)``)."""
    statuses = {cls.__name__: status for cls, status in STATUS_BY_ERROR.items()}
    grew = True
    while grew:
        grew = False
        for _, tree in sources:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in statuses:
                    bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
                    known = [statuses[b] for b in bases if b in statuses]
                    if known:
                        statuses[node.name] = known[0]
                        grew = True
    return statuses


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def test_every_error_and_refusal_names_a_code_with_the_status_it_is_answered_with() -> None:
    """``raise NotFound(…, code=Code.X)``: X's status is NotFound's (404); ``Rejection(429,
    Code.Y, …)``, ``error_response(…)`` and refusal tuples ``(401, Code.Z, …)``: their status
    is Y's and Z's. Every QuizhubError made with a literal code is checked."""
    sources = _sources()
    statuses = _error_statuses(sources)
    checked = 0
    wrong = []
    for path, tree in sources:
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            pairs: list[tuple[int, ast.expr]] = []
            if isinstance(node, ast.Call) and _call_name(node) in statuses:
                pairs += [
                    (statuses[_call_name(node)], k.value) for k in node.keywords if k.arg == "code"
                ]
            items = node.args if isinstance(node, ast.Call) else getattr(node, "elts", [])
            if isinstance(node, ast.Call | ast.Tuple) and len(items) >= 2:
                first = items[0]
                if isinstance(first, ast.Constant) and type(first.value) is int:
                    pairs.append((first.value, items[1]))
            for status, expr in pairs:
                code = _code_of(expr)
                if code is None or code.status is None:
                    continue
                checked += 1
                if code.status != status:
                    wrong.append(
                        f"{where}:{node.lineno}: {code.value} is {code.status}, not {status}"
                    )
    assert wrong == []
    assert checked > 60  # the scan found the raise sites (it would pass on nothing otherwise)


def test_every_code_is_used_by_the_code() -> None:
    """No code of the registry is dead: each is named (``Code.NAME``) outside the registry."""
    text = "\n".join(path.read_text(encoding="utf-8") for path, _ in _sources())
    named = set(re.findall(r"\bCode\.([A-Z_]+)\b", text))
    assert {c.name for c in Code} - named == set()


def test_codes_are_unique_stable_names_with_typed_parameters() -> None:
    """snake_case names, each once; known areas and parameter types; a status for every code
    the API answers on its own, none for field and job codes."""
    assert len({c.value for c in Code}) == len(Code)
    for code in Code:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code.value), code
        assert code.area in AREAS and code.doc, code
        assert set(code.params.values()) <= set(PARAM_TYPES), code
        if code.area in ("field", "job"):
            assert code.status is None, code
        elif code is not Code.HTTP_ERROR:
            assert code.status is not None, code
        assert code_named(code.value) is code
    assert code_named("no_such_code") is None


def test_an_error_is_made_only_with_the_parameters_its_code_declares() -> None:
    """A missing or extra parameter is a programming error, caught where the error is made."""
    assert NotFound("x", code=Code.TEST_NOT_FOUND, params={"testId": "t"}).params == {"testId": "t"}
    with pytest.raises(TypeError):
        NotFound("x", code=Code.TEST_NOT_FOUND)
    with pytest.raises(TypeError):
        Invalid("x", code=Code.EMPTY_UPLOAD, params={"size": 0})
    with pytest.raises(TypeError):
        error_body(Code.RATE_LIMITED, "x", params={"limit": 1})
    with pytest.raises(TypeError):
        field_error(["tags"], "x", Code.DUPLICATE_TAG, {})
    with pytest.raises(TypeError):
        field_error(["x"], "x", Code.TEST_NOT_FOUND, {"testId": "t"})  # not a field code
    assert check_params(Code.TIMEOUT, {}) == {}
    assert issubclass(NotFound, QuizhubError)


def test_a_field_errors_ctx_is_json() -> None:
    """pydantic's ctx may hold an exception or a Decimal: the detail carries their text."""
    detail = field_error(["x"], "bad", "value_error", {"error": ValueError("no"), "n": 1.5})
    assert detail == {
        "loc": ["x"],
        "msg": "bad",
        "type": "value_error",
        "ctx": {"error": "no", "n": 1.5},
    }


def test_the_docs_list_every_code_as_the_registry_defines_it() -> None:
    """docs/api.md's list of codes is the one scripts/error_codes.py writes from the registry."""
    done = run_script("error_codes.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_0-9]+)` \|", page, flags=re.MULTILINE)
    assert listed == [c.value for a in AREAS for c in Code if c.area == a]
