"""The field errors the API can answer a save with, found by breaking a valid save body in every
place: at each field and list item, each value of another shape (null, a boolean, numbers in
and out of range, empty, short and over-long text, a malformed id, lists and objects), an
unknown field in each object, each field left out. What the save body's model (``SaveRequest``)
answers is what a client must be able to word; the project's own field codes come on top
(``quizhub.errors.codes``, area ``field``)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import ValidationError

from quizhub.domain.document import SaveRequest, pydantic_details
from tests.conftest import sample_doc

Path = tuple[str | int, ...]

_OTHER_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    2.5,
    1000,
    -1000,
    "",
    "x",
    "가" * 3000,
    "bad id!",
    [],
    ["x"] * 120,
    {},
    {"x": 1},
)


def valid_body() -> dict[str, Any]:
    """A save body that passes, with every field the model knows (the echoed ones too)."""
    body = sample_doc()
    body["questions"][0]["image"] = None
    rev = "01JABCDEFGHJKMNPQRSTVWXYZ0"
    return {**body, "baseRev": rev, "id": "travel", "rev": rev, "updatedAt": "x", "createdAt": "x"}


def _places(value: Any, path: Path = ()) -> Iterator[Path]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _places(item, (*path, i))


def _set(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(body)
    target: Any = broken
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return broken


def _broken_bodies(body: dict[str, Any]) -> Iterator[Any]:
    for path in _places(body):
        if not path:
            yield from _OTHER_VALUES
            continue
        for value in _OTHER_VALUES:
            yield _set(body, path, value)
        parent: Any = body
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            without = copy.deepcopy(body)
            target: Any = without
            for part in path[:-1]:
                target = target[part]
            del target[path[-1]]
            yield without
        if isinstance(body_at(body, path), dict):
            yield _set(body, path, {**body_at(body, path), "unexpected": 1})


def body_at(body: Any, path: Path) -> Any:
    for part in path:
        body = body[part]
    return body


@cache
def _errors() -> tuple[tuple[str, str], ...]:
    seen: dict[tuple[str, str], None] = {}
    for broken in _broken_bodies(valid_body()):
        try:
            SaveRequest.model_validate(broken)
        except ValidationError as exc:
            for detail in pydantic_details(exc):
                seen[(detail["type"], json.dumps(detail["ctx"], sort_keys=True))] = None
    return tuple(seen)


def document_errors() -> list[tuple[str, dict[str, Any]]]:
    """Every (type, ctx) the model answers the broken bodies with, each once."""
    return [(kind, json.loads(ctx)) for kind, ctx in _errors()]
