"""The document rules a save must keep that are not a single field's type: how many tags,
questions, options and results it holds (the models in ``quizhub.domain.document`` declare
their fields with these bounds) and the cross-field integrity rules
(docs/architecture.md#integrity-rules).

Pydantic-free: the consumer checks a merged document (``quizhub.domain.merge``) with the same
rules the API checked each side with, inside a Worker that never loads pydantic.
"""

from __future__ import annotations

from typing import Any

from quizhub.errors.codes import Code
from quizhub.errors.fields import field_error

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
    its field path, its code and the parameters a client words it with (the id concerned)."""
    errors: list[dict[str, Any]] = []

    def err(loc: list[Any], msg: str, kind: Code, **ctx: str) -> None:
        errors.append(field_error(loc, msg, kind, ctx))

    results = [r["id"] for r in doc["results"]]
    for i, rid in enumerate(results):
        if rid in _dupes(results[: i + 1]):
            msg = f"duplicate result id '{rid}'"
            err(["results", i, "id"], msg, Code.DUPLICATE_ID, id=rid, scope="result")
    qids = [q["id"] for q in doc["questions"]]
    reached: set[str] = set()
    for qi, question in enumerate(doc["questions"]):
        qid = question["id"]
        if qid in _dupes(qids[: qi + 1]):
            msg = f"duplicate question id '{qid}'"
            err(["questions", qi, "id"], msg, Code.DUPLICATE_ID, id=qid, scope="question")
        oids = [o["id"] for o in question["options"]]
        for oi, option in enumerate(question["options"]):
            oid = option["id"]
            if oid in _dupes(oids[: oi + 1]):
                loc = ["questions", qi, "options", oi, "id"]
                msg = f"duplicate option id '{oid}'"
                err(loc, msg, Code.DUPLICATE_ID, id=oid, scope="option")
            for rid, points in option["scores"].items():
                if rid not in results:
                    err(
                        ["questions", qi, "options", oi, "scores", rid],
                        f"scores names result '{rid}', which does not exist",
                        Code.UNKNOWN_RESULT,
                        resultId=rid,
                    )
                elif points > 0:
                    reached.add(rid)
    for i, rid in enumerate(results):
        if rid not in reached:
            err(
                ["results", i],
                f"result '{rid}' cannot be reached: no option gives it a positive score",
                Code.UNREACHABLE_RESULT,
                resultId=rid,
            )
    seen: set[str] = set()
    for i, tag in enumerate(doc["tags"]):
        if (folded := tag.casefold()) in seen:
            err(["tags", i], f"tag '{tag}' is listed twice", Code.DUPLICATE_TAG, tag=tag)
        seen.add(folded)
    return errors


def _count(loc: list[Any], items: list[Any], bounds: tuple[int, int]) -> list[dict[str, Any]]:
    # pydantic's list types and context, as the API's 422 words the same bound.
    fewest, most = bounds
    if len(items) < fewest:
        msg = f"needs at least {fewest} item{'s' if fewest > 1 else ''}, has {len(items)}"
        ctx = {"field_type": "List", "min_length": fewest, "actual_length": len(items)}
        return [field_error(loc, msg, "too_short", ctx)]
    if len(items) > most:
        msg = f"holds at most {most} items, has {len(items)}"
        ctx = {"field_type": "List", "max_length": most, "actual_length": len(items)}
        return [field_error(loc, msg, "too_long", ctx)]
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
