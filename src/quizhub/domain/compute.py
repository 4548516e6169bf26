"""compute(): the result type for a set of answers. Works on plain dicts.

The rule: docs/architecture.md#computing-a-result.
"""

from __future__ import annotations

from typing import Any

from quizhub.errors import Code, Invalid
from quizhub.errors.fields import field_error

__all__ = ["compute_result", "validate_answers", "MAX_REPORTED"]

MAX_REPORTED = 20  # unknown answer keys listed one by one; the rest are counted
_ECHO = 64  # characters of a caller's value echoed back in an error


def validate_answers(doc: dict[str, Any], answers: Any) -> dict[str, str]:
    """Check every question is answered with one of its option ids; raise Invalid otherwise."""
    if not isinstance(answers, dict):
        raise Invalid(
            "answers must be an object of question id → option id",
            code=Code.INVALID,
            details=[field_error(["answers"], "must be an object", "dict_type")],
        )
    errors = []
    questions = {q["id"]: q for q in doc["questions"]}
    for qid, question in questions.items():
        chosen = answers.get(qid)
        options = [o["id"] for o in question["options"]]
        if chosen is None:
            errors.append(field_error(["answers", qid], "question not answered", "missing"))
        elif chosen not in options:
            msg = (
                f"'{str(chosen)[:_ECHO]}' is not an option of {qid}"
                f" (expected one of {', '.join(options)})"
            )
            where = {"questionId": qid, "options": options}
            errors.append(field_error(["answers", qid], msg, Code.INVALID_OPTION, where))
    # An anonymous caller may send thousands of keys: the answer stays small.
    unknown = [str(qid) for qid in answers if qid not in questions]
    one = {"count": 1}
    for qid in unknown[:MAX_REPORTED]:
        loc = ["answers", qid[:_ECHO]]
        errors.append(field_error(loc, "no such question", Code.UNKNOWN_QUESTION, one))
    if len(unknown) > MAX_REPORTED:
        count = len(unknown) - MAX_REPORTED
        more = f"and {count} more unknown question ids"
        errors.append(field_error(["answers"], more, Code.UNKNOWN_QUESTION, {"count": count}))
    if errors:
        message = "answers do not match the test's questions"
        raise Invalid(message, code=Code.INVALID, details=errors)
    return {str(k): str(v) for k, v in answers.items()}


def compute_result(doc: dict[str, Any], answers: Any) -> dict[str, Any]:
    """Sum scores of the chosen options per result; highest wins, ties go to the first listed."""
    chosen = validate_answers(doc, answers)
    scores = {r["id"]: 0 for r in doc["results"]}
    for question in doc["questions"]:
        option = next(o for o in question["options"] if o["id"] == chosen[question["id"]])
        for result_id, points in option.get("scores", {}).items():
            scores[result_id] += int(points)
    best = max(doc["results"], key=lambda r: (scores[r["id"]], -doc["results"].index(r)))
    return {"result": best, "scores": scores}
