"""Three-way merge of test documents: base (what the editor loaded), live (what is stored now)
and incoming (the save), field by field (docs/merge.md).

Pure: no pydantic, no I/O. ``public/admin/merge.js`` is the same algorithm for the editor's
rebase; both run every case in ``tests/fixtures/merge/``, so they cannot drift.

- A scalar field (title, description, locale, status, thumbnail, a question's text, …) takes
  the side that changed it; both changed it differently: a conflict at its path.
- ``tags`` is a set: each side's additions and removals both apply.
- Questions, options and results merge by ``id``; an option's ``scores`` key by key. An item
  added on one side is kept, one deleted on one side and untouched on the other is deleted, and
  one deleted on one side and edited on the other is a conflict.
- Order: when one side reordered a list, its order wins, and the items the other side inserted
  keep their place after their predecessor; when both reordered it differently, that list's
  order is a conflict.

Paths name what changed: ``title``, ``tags``, ``questions`` (the list's order),
``questions[q1]`` (the item: added, deleted), ``questions[q1].options[a].scores[planner]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "ABSENT",
    "Conflict",
    "Merged",
    "MergeResult",
    "merge_documents",
    "same",
    "as_json",
    "rule_conflicts",
    "FIELD_ORDERS",
]


class _Absent:
    """A key one side does not have: not the same as a JSON null."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


@dataclass(frozen=True)
class _Fields:
    """An object's known fields in their order, and how each merges (not named: a scalar).
    Fields it does not know come after them, sorted: both implementations walk the same order
    (a JavaScript object puts integer-like keys first, whatever order they came in)."""

    order: tuple[str, ...]
    rules: Mapping[str, _Rule]

    def keys(self, *objects: Any) -> list[str]:
        present = _union(*(_keys(o) for o in objects))
        return [k for k in self.order if k in present] + sorted(set(present) - set(self.order))


@dataclass(frozen=True)
class _Items:
    """A list of objects with unique string ids, merged item by item, and its order."""

    item: _Fields


_SET, _MAP = "set", "map"
_Rule = str | _Items
# The document's fields in the order the models declare them (tests/domain/test_merge.py
# checks that against quizhub.domain.document); maps (scores) are walked in key order.
_OPTION = _Fields(("id", "text", "scores"), {"scores": _MAP})
_QUESTION = _Fields(("id", "text", "image", "options"), {"options": _Items(_OPTION)})
_RESULT = _Fields(("id", "title", "description", "image"), {})
_DOCUMENT = _Fields(
    ("title", "description", "locale", "tags", "status", "thumbnail", "questions", "results"),
    {"tags": _SET, "questions": _Items(_QUESTION), "results": _Items(_RESULT)},
)
FIELD_ORDERS = {
    "document": _DOCUMENT.order,
    "question": _QUESTION.order,
    "option": _OPTION.order,
    "result": _RESULT.order,
}


@dataclass(frozen=True)
class Conflict:
    """Both sides changed ``path`` differently (values: ``ABSENT`` where a side has none)."""

    path: str
    base: Any
    live: Any
    incoming: Any

    def to_json(self) -> dict[str, Any]:
        """``{path, base, live, incoming}`` (a missing value is null)."""
        values = {"base": self.base, "live": self.live, "incoming": self.incoming}
        return {"path": self.path, **{k: as_json(v) for k, v in values.items()}}


@dataclass(frozen=True)
class Merged:
    """The merged document and the paths whose value came from each side."""

    document: dict[str, Any]
    from_live: list[str]
    from_incoming: list[str]


@dataclass(frozen=True)
class MergeResult:
    """A merged document, or (``merged`` None) the conflicts that prevent one."""

    merged: Merged | None
    conflicts: list[Conflict] = field(default_factory=list)


def same(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, ``2`` is ``2.0``, key order does not count."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a is b  # null, ABSENT


def merge_documents(base: Any, live: Any, incoming: Any) -> MergeResult:
    """Merge ``incoming`` into ``live``, both changed from ``base`` (docs/merge.md)."""
    merger = _Merger()
    document = merger.object("", _DOCUMENT, base, live, incoming)
    if merger.conflicts:
        return MergeResult(None, merger.conflicts)
    return MergeResult(Merged(document, merger.from_live, merger.from_incoming))


def as_json(value: Any) -> Any:
    """A merge value as JSON: ``ABSENT`` is null."""
    return None if value is ABSENT else value


def _get(obj: Any, key: str) -> Any:
    return obj[key] if isinstance(obj, dict) and key in obj else ABSENT


def _field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _member(path: str, key: str) -> str:
    return f"{path}[{key}]"


def _union(*orders: list[str]) -> list[str]:
    """Every key once: the first order's, then each next one's new ones."""
    return list(dict.fromkeys(k for order in orders for k in order))


def _keys(value: Any) -> list[str]:
    return list(value) if isinstance(value, dict) else []


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def _is_items(value: Any) -> bool:
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in value
    ):
        return False
    return len({item["id"] for item in value}) == len(value)


def _all(check: Callable[[Any], bool], *values: Any) -> bool:
    return all(v is not ABSENT and check(v) for v in values)


class _Merger:
    """One merge's walk: what it took from each side and where the sides collide."""

    def __init__(self) -> None:
        self.conflicts: list[Conflict] = []
        self.from_live: list[str] = []
        self.from_incoming: list[str] = []

    def object(self, path: str, fields: _Fields, base: Any, live: Any, inc: Any) -> Any:
        out: dict[str, Any] = {}
        for key in fields.keys(live, inc, base):
            rule = fields.rules.get(key)
            value = self.value(
                _field(path, key), rule, _get(base, key), _get(live, key), _get(inc, key)
            )
            if value is not ABSENT:
                out[key] = value
        return out

    def value(self, path: str, rule: _Rule | None, base: Any, live: Any, inc: Any) -> Any:
        if isinstance(rule, _Items) and _all(_is_items, base, live, inc):
            return self.items(path, rule, base, live, inc)
        if rule == _SET and _all(lambda v: isinstance(v, list), base, live, inc):
            return self.set(path, base, live, inc)
        if rule == _MAP and _all(lambda v: isinstance(v, dict), base, live, inc):
            keys = _union(_keys(live), _keys(inc), _keys(base))
            values = {
                key: self.scalar(
                    _member(path, key), _get(base, key), _get(live, key), _get(inc, key)
                )
                for key in sorted(keys)
            }
            return {key: values[key] for key in keys if values[key] is not ABSENT}
        return self.scalar(path, base, live, inc)

    def scalar(self, path: str, base: Any, live: Any, inc: Any) -> Any:
        if same(live, inc):
            return live
        if same(base, live):
            self.from_incoming.append(path)
            return inc
        if same(base, inc):
            self.from_live.append(path)
            return live
        self.conflicts.append(Conflict(path, base, live, inc))
        return live

    def set(self, path: str, base: list[Any], live: list[Any], inc: list[Any]) -> Any:
        if same(live, inc) or same(base, live) or same(base, inc):
            return self.scalar(path, base, live, inc)  # one side changed it (or both alike)
        self.from_live.append(path)
        self.from_incoming.append(path)

        def has(values: list[Any], v: Any) -> bool:
            return any(same(x, v) for x in values)

        kept = [t for t in live if has(inc, t) or not has(base, t)]  # minus what incoming removed
        return kept + [t for t in inc if not has(base, t) and not has(kept, t)]

    def items(
        self, path: str, rule: _Items, base: list[Any], live: list[Any], inc: list[Any]
    ) -> Any:
        by_id = [{item["id"]: item for item in side} for side in (base, live, inc)]
        kept: dict[str, Any] = {}
        for key in _union(_ids(live), _ids(inc), _ids(base)):
            here = _member(path, key)
            bv, lv, iv = (side.get(key, ABSENT) for side in by_id)
            if bv is ABSENT and lv is not ABSENT and iv is not ABSENT:  # added on both sides
                if same(lv, iv):
                    kept[key] = lv
                else:
                    self.conflicts.append(Conflict(here, bv, lv, iv))
            elif bv is ABSENT:  # added on one side
                (self.from_live if lv is not ABSENT else self.from_incoming).append(here)
                kept[key] = lv if lv is not ABSENT else iv
            elif lv is ABSENT and iv is ABSENT:
                pass  # deleted on both sides
            elif lv is ABSENT or iv is ABSENT:  # deleted on one side: untouched on the other?
                other = iv if lv is ABSENT else lv
                if not same(bv, other):
                    self.conflicts.append(Conflict(here, bv, lv, iv))
                else:
                    (self.from_live if lv is ABSENT else self.from_incoming).append(here)
            else:
                kept[key] = self.object(here, rule.item, bv, lv, iv)
        order = self.order(path, _ids(base), _ids(live), _ids(inc), kept)
        return [kept[key] for key in order]

    def order(
        self, path: str, base: list[str], live: list[str], inc: list[str], kept: Mapping[str, Any]
    ) -> list[str]:
        moved_l, moved_i = _reordered(base, live), _reordered(base, inc)
        common = set(base) & set(live) & set(inc)
        if (
            moved_l
            and moved_i
            and [x for x in live if x in common] != [x for x in inc if x in common]
        ):
            self.conflicts.append(Conflict(path, base, live, inc))
            return [x for x in live if x in kept]
        if moved_i and not moved_l:
            winner, other = inc, live
            self.from_incoming.append(path)
        else:
            winner, other = live, inc
            if moved_l and not moved_i:
                self.from_live.append(path)
        out = [x for x in winner if x in kept]
        for n, x in enumerate(other):  # the other side's insertions, after their predecessor
            if x in kept and x not in out:
                before = next((other[j] for j in range(n - 1, -1, -1) if other[j] in out), None)
                out.insert(0 if before is None else out.index(before) + 1, x)
        return out


def _reordered(base: list[str], side: list[str]) -> bool:
    """Whether ``side`` changed the relative order of the items it shares with ``base``."""
    shared = set(base) & set(side)
    return [x for x in side if x in shared] != [x for x in base if x in shared]


def rule_conflicts(
    errors: list[dict[str, Any]], merged: dict[str, Any], base: Any, live: Any, incoming: Any
) -> list[Conflict]:
    """The broken rules of a merged document (``quizhub.domain.integrity`` errors, their ``loc``
    indexing ``merged``) as conflicts at the paths they name, with each side's value there."""
    out: dict[str, Conflict] = {}
    for error in errors:
        path, steps = _locate(error["loc"], merged)
        if path and path not in out:
            out[path] = Conflict(path, *(_at(doc, steps) for doc in (base, live, incoming)))
    return list(out.values())


def _locate(loc: list[Any], doc: Any) -> tuple[str, list[tuple[bool, str]]]:
    """The id path of an index path in ``doc``, and its steps: (by id?, key)."""
    fields: _Fields = _DOCUMENT
    rule: _Rule | None = None
    path, steps, node = "", [], doc
    for part in loc:
        if isinstance(rule, _Items) and isinstance(part, int) and isinstance(node, list):
            node = node[part] if 0 <= part < len(node) else {}
            key = str(node.get("id", part)) if isinstance(node, dict) else str(part)
            path, fields, rule = _member(path, key), rule.item, None
            steps.append((True, key))
        else:
            key = str(part)
            path = _member(path, key) if rule == _MAP else _field(path, key)
            rule = None if rule == _MAP else fields.rules.get(key)
            node = _get(node, key)
            steps.append((False, key))
    return path, steps


def _at(doc: Any, steps: list[tuple[bool, str]]) -> Any:
    for by_id, key in steps:
        if by_id:
            found = [x for x in doc if isinstance(x, dict) and x.get("id") == key]
            doc = found[0] if isinstance(doc, list) and found else ABSENT
        else:
            doc = _get(doc, key)
        if doc is ABSENT:
            break
    return doc
