"""The codes of field errors (the ``type`` of an item of a 422's ``details``): each wire name's
area, HTTP status, parameters and when it happens (``quizhub.errors.codes`` names them in
``Code``)."""

from __future__ import annotations

from quizhub.errors.code_facts import NO_PARAMS, Facts

__all__ = ["FACTS"]

FACTS: dict[str, Facts] = {
    "body_decode": Facts(
        "field",
        None,
        NO_PARAMS,
        "the body is not UTF-8 JSON at all",
    ),
    "duplicate_id": Facts(
        "field",
        None,
        {"id": "string", "scope": "string"},
        "an id used twice in its `scope`: `result`, `question` or `option` (of one question)",
    ),
    "unknown_result": Facts(
        "field",
        None,
        {"resultId": "string"},
        "an option's scores name a result that does not exist",
    ),
    "unreachable_result": Facts(
        "field",
        None,
        {"resultId": "string"},
        "no option gives the result a positive score",
    ),
    "duplicate_tag": Facts(
        "field",
        None,
        {"tag": "string"},
        "a tag listed twice (compared case-insensitively)",
    ),
    "not_a_rev": Facts(
        "field",
        None,
        NO_PARAMS,
        "`baseRev` or `rev` is not a rev this API made",
    ),
    "null_rev": Facts(
        "field",
        None,
        NO_PARAMS,
        "a restore's `baseRev` is null (it needs a rev)",
    ),
    "id_mismatch": Facts(
        "field",
        None,
        {"expected": "string"},
        "an echoed `id` that is not the id in the URL",
    ),
    "rev_required": Facts(
        "field",
        None,
        {"field": "string"},
        "`createdAt` or `updatedAt` echoed without its `rev`",
    ),
    "time_mismatch": Facts(
        "field",
        None,
        {"rev": "string", "expected": "string"},
        "an echoed `updatedAt` (or a `createdAt` later than it) that does not belong to `rev`",
    ),
    "rev_disagrees": Facts(
        "field",
        None,
        {"rev": "string"},
        "`baseRev` and the echoed `rev` disagree",
    ),
    "invalid_option": Facts(
        "field",
        None,
        {"questionId": "string", "options": "string[]"},
        "an answer that is not one of the question's `options`",
    ),
    "unknown_question": Facts(
        "field",
        None,
        {"count": "integer"},
        "answers to `count` questions the test does not have",
    ),
    "malformed_cursor": Facts(
        "field",
        None,
        NO_PARAMS,
        "the `cursor` does not decode",
    ),
    "sort_with_search": Facts(
        "field",
        None,
        NO_PARAMS,
        "`sort` with a search (`q`): a search is ordered by relevance, send one of them",
    ),
    "one_play": Facts(
        "field",
        None,
        NO_PARAMS,
        "an event of another test or session than the request's first: a request holds one play",
    ),
    "out_of_range": Facts(
        "field",
        None,
        {"ge": "integer", "le": "integer"},
        "a play event's number that is not an integer from `ge` to `le`",
    ),
}
