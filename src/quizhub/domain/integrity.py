"""The document rules a save must keep that are not a single field's type: how many tags,
questions, options and results it holds (the models in ``quizhub.domain.document`` declare
their fields with these bounds) and the cross-field integrity rules
(docs/architecture.md#integrity-rules).

Pydantic-free: the consumer checks a merged document (``quizhub.domain.merge``) with the same
rules the API checked each side with, inside a Worker that never loads pydantic.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_TAGS",
    "QUESTIONS",
    "OPTIONS",
    "RESULTS",
    "integrity_errors",
    "count_errors",
    "document_errors",
]

MAX_TAGS = 10
# (fewest, most) items of each list.
QUESTIONS = (1, 100)
OPTIONS = (2, 10)
RESULTS = (2, 50)


def _dupes(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    return {i for i in ids if i in seen or seen.add(i)}  # type: ignore[func-returns-value]


def integrity_errors(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Cross-field rules (docs/architecture.md#integrity-rules) on a content dict; each error names
    its field path."""
    errors: list[dict[str, Any]] = []

    def err(loc: list[Any], msg: str, kind: str) -> None:
        errors.append({"loc": loc, "msg": msg, "type": kind})

    results = [r["id"] for r in doc["results"]]
    for i, rid in enumerate(results):
        if rid in _dupes(results[: i + 1]):
            err(["results", i, "id"], f"duplicate result id '{rid}'", "duplicate_id")
    qids = [q["id"] for q in doc["questions"]]
    reached: set[str] = set()
    for qi, question in enumerate(doc["questions"]):
        if question["id"] in _dupes(qids[: qi + 1]):
            err(
                ["questions", qi, "id"], f"duplicate question id '{question['id']}'", "duplicate_id"
            )
        oids = [o["id"] for o in question["options"]]
        for oi, option in enumerate(question["options"]):
            if option["id"] in _dupes(oids[: oi + 1]):
                err(
                    ["questions", qi, "options", oi, "id"],
                    f"duplicate option id '{option['id']}'",
                    "duplicate_id",
                )
            for rid, points in option["scores"].items():
                if rid not in results:
                    err(
                        ["questions", qi, "options", oi, "scores", rid],
                        f"scores names result '{rid}', which does not exist",
                        "unknown_result",
                    )
                elif points > 0:
                    reached.add(rid)
    for i, rid in enumerate(results):
        if rid not in reached:
            err(
                ["results", i],
                f"result '{rid}' cannot be reached: no option gives it a positive score",
                "unreachable_result",
            )
    if len(tags := [t.casefold() for t in doc["tags"]]) != len(set(tags)):
        err(["tags"], "tags must be unique", "duplicate_tag")
    return errors


def _count(loc: list[Any], items: list[Any], bounds: tuple[int, int]) -> list[dict[str, Any]]:
    fewest, most = bounds
    if len(items) < fewest:
        msg = f"needs at least {fewest} item{'s' if fewest > 1 else ''}, has {len(items)}"
        return [{"loc": loc, "msg": msg, "type": "too_short"}]
    if len(items) > most:
        return [
            {"loc": loc, "msg": f"holds at most {most} items, has {len(items)}", "type": "too_long"}
        ]
    return []


def count_errors(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """How many tags, questions, options and results ``doc`` holds against the bounds above."""
    errors = _count(["tags"], doc["tags"], (0, MAX_TAGS))
    errors += _count(["questions"], doc["questions"], QUESTIONS)
    for qi, question in enumerate(doc["questions"]):
        errors += _count(["questions", qi, "options"], question["options"], OPTIONS)
    return errors + _count(["results"], doc["results"], RESULTS)


def document_errors(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every list bound and integrity rule ``doc`` breaks (each field's own type and limits are
    the models'; a merge only combines values each side already had accepted)."""
    return count_errors(doc) + integrity_errors(doc)
