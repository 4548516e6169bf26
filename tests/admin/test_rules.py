"""The editor checks a field as you type with the API's own rules (``public/admin/rules.js``
reads them from the OpenAPI document the server writes): where the browser can check a rule,
it names the same field and the same kind of error as the server, and it marks as required
exactly what the server requires. Its limits are never a second copy."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.admin._node import needs_node, run_driver
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock

pytestmark = needs_node

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = doc
        for part in parents:
            target = target[part]
        target[last] = value

    return edit


def _more(path: str, count: int) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        items = doc
        for part in path.split("."):
            items = items[int(part) if part.isdigit() else part]
        assert isinstance(items, list)
        items.extend(copy.deepcopy(items[-1]) for _ in range(count))

    return edit


# Each a rule a browser can check: the document broken one way, and the field it breaks.
BROKEN: dict[str, tuple[Edit, str]] = {
    "empty title": (_set("title", ""), "title"),
    "long title": (_set("title", "가" * 121), "title"),
    "long description": (_set("description", "설" * 2001), "description"),
    "long tag": (_set("tags", ["태" * 31]), "tags.0"),
    "too many tags": (_set("tags", [f"t{i}" for i in range(11)]), "tags"),
    "empty option": (_set("questions.0.options.1.text", ""), "questions.0.options.1.text"),
    "long question": (_set("questions.0.text", "질" * 501), "questions.0.text"),
    "bad option id": (_set("questions.0.options.0.id", "a b"), "questions.0.options.0.id"),
    "empty result title": (_set("results.1.title", ""), "results.1.title"),
    "score over": (
        _set("questions.0.options.0.scores.planner", 101),
        "questions.0.options.0.scores.planner",
    ),
    "score under": (
        _set("questions.0.options.0.scores.planner", -101),
        "questions.0.options.0.scores.planner",
    ),
    "score not whole": (
        _set("questions.0.options.0.scores.planner", 2.5),
        "questions.0.options.0.scores.planner",
    ),
    "score as text": (
        _set("questions.0.options.0.scores.planner", "3"),
        "questions.0.options.0.scores.planner",
    ),
    "no questions": (_set("questions", []), "questions"),
    "eleven options": (_more("questions.0.options", 9), "questions.0.options"),
    "one result": (_set("results", sample_doc()["results"][:1]), "results"),
}
# What a browser's error type is called on the server, when pydantic names it otherwise (it
# checks a text's length after its own NFC step, and says "too_short" of that value).
SAME = {"string_too_short": "too_short", "string_too_long": "too_long"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    api = make_api(tmp_path_factory.mktemp("rules"), FakeClock())
    yield api
    api.platform.close()


def _server_errors(api: Api, doc: dict[str, Any]) -> list[dict[str, Any]]:
    r = api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    assert r.status_code == 422, r.text
    return list(r.json()["error"]["details"])


def _loc(detail: dict[str, Any]) -> str:
    return ".".join(str(p) for p in detail["loc"])


def test_each_rule_a_browser_can_check_is_found_where_and_as_the_server_finds_it(
    server: Api,
) -> None:
    """For every broken document, the editor's check and the server's 422 name the same
    field with the same error type (and nothing else)."""
    docs = []
    for edit, _ in BROKEN.values():
        doc = sample_doc()
        edit(doc)
        docs.append(doc)
    openapi = server.client.get("/api/openapi.json").json()
    out = run_driver("rules.mjs", {"openapi": openapi, "docs": docs, "paths": [], "lists": []})
    assert out["used"] is True
    for (name, (_, field)), doc, found in zip(BROKEN.items(), docs, out["problems"], strict=True):
        theirs = {(_loc(d), d["type"]) for d in _server_errors(server, doc)}
        ours = {(_loc(p), SAME.get(p["type"], p["type"])) for p in found}
        assert ours == theirs, name
        assert field in {loc for loc, _ in ours}, name


def test_a_valid_document_has_no_problems_and_the_rules_say_what_is_required(
    server: Api,
) -> None:
    """No false alarms on a valid document; required = what the server requires and cannot
    be empty; the list limits are the server's."""
    openapi = server.client.get("/api/openapi.json").json()
    paths = [
        *("title", "description", "tags.0", "status", "thumbnail"),
        *("questions.0.id", "questions.0.text", "questions.0.image"),
        *("questions.0.options.0.id", "questions.0.options.0.text"),
        *("results.0.id", "results.0.title", "results.0.description", "results.0.image"),
    ]
    lists = ["questions", "questions.3.options", "results", "tags"]
    out = run_driver(
        "rules.mjs", {"openapi": openapi, "docs": [sample_doc()], "paths": paths, "lists": lists}
    )
    assert out["problems"] == [[]]
    required = {path for path, yes in zip(paths, out["required"], strict=True) if yes}
    assert required == {
        *("title", "questions.0.id", "questions.0.text", "questions.0.options.0.id"),
        *("questions.0.options.0.text", "results.0.id", "results.0.title"),
    }
    assert out["limits"] == [[1, 100], [2, 10], [2, 50], [0, 10]]


def test_without_the_schema_nothing_is_checked_or_assumed() -> None:
    """An OpenAPI document without the save route leaves every check to the server."""
    out = run_driver(
        "rules.mjs",
        {"openapi": {}, "docs": [{"title": ""}], "paths": ["title"], "lists": ["questions"]},
    )
    assert out == {"used": False, "problems": [[]], "required": [False], "limits": [[0, None]]}
