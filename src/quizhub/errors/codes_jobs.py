"""The codes of job outcomes and warnings (a job's ``errorCode``, ``errorParams``): each wire
name's area, HTTP status, parameters and when it happens (``quizhub.errors.codes`` names them in
``Code``)."""

from __future__ import annotations

from quizhub.errors.code_facts import NO_PARAMS, Facts

__all__ = ["FACTS"]

FACTS: dict[str, Facts] = {
    "superseded": Facts(
        "job",
        None,
        {"liveRev": "string"},
        "a newer revision (`liveRev`) was already live: this save changed nothing",
    ),
    "test_exists": Facts(
        "job",
        None,
        {"liveRev": "string"},
        "a create (`baseRev: null`) of an id a live test already has (at `liveRev`)",
    ),
    "changed_since_loaded": Facts(
        "job",
        None,
        {"baseRev": "string", "liveRev": "string|null"},
        "the test moved from `baseRev` (the rev the editor loaded) to `liveRev`",
    ),
    "deleted_since_loaded": Facts(
        "job",
        None,
        {"baseRev": "string", "liveRev": "string"},
        "the test was deleted (as `liveRev`) since the editor loaded `baseRev`",
    ),
    "merge_conflict": Facts(
        "job",
        None,
        {"baseRev": "string", "liveRev": "string", "paths": "string[]", "count": "integer"},
        (
            "this save and the live version (`liveRev`) both changed what `baseRev` had: `count`"
            " paths (the first `paths`; the job's `conflicts` list them with their values)"
        ),
    ),
    "merge_broke_rules": Facts(
        "job",
        None,
        {"liveRev": "string", "path": "string", "rule": "string", "count": "integer"},
        (
            "merged with the live version (`liveRev`), the test would break `count` document "
            "rules; the first: `rule` (a field error's type) at `path` (empty: the whole "
            "document)"
        ),
    ),
    "attempt_failed": Facts(
        "job",
        None,
        {"attempt": "integer", "cause": "cause"},
        "attempt number `attempt` failed on `cause`; the job is retried",
    ),
    "delayed": Facts(
        "job",
        None,
        {"budgetSeconds": "integer", "cause": "cause|null"},
        "not finished within its retry budget; it still applies if its message arrives",
    ),
    "expired": Facts(
        "job",
        None,
        {"retentionSeconds": "integer", "cause": "cause|null"},
        "its message was not delivered within the queue's retention: the save never applied",
    ),
    "gave_up": Facts(
        "job",
        None,
        {"attempts": "integer", "cause": "cause|null"},
        "the job exhausted its retries (the dead-letter queue ended it)",
    ),
    "over_budget": Facts(
        "job",
        None,
        {"budgetSeconds": "integer", "cause": "cause|null"},
        (
            "a committed job did not finish within its retry budget (the cause of a "
            "`purge_incomplete`)"
        ),
    ),
    "purge_incomplete": Facts(
        "job",
        None,
        {"owed": "boolean", "cause": "cause|null"},
        (
            "saved and live, but invalidating the caches did not complete; `owed`: public reads "
            "skip cached copies until the sweep's purge succeeds (else they expire on their own)"
        ),
    ),
    "unprocessable_message": Facts(
        "job",
        None,
        {"cause": "cause"},
        "the job's queue message can never be processed",
    ),
    "uncoded": Facts(
        "job",
        None,
        NO_PARAMS,
        (
            "an error or warning known only by its text, the job's `error` (a workflow step that"
            " gave up on an error that lost its code, a step result of an older version)"
        ),
    ),
    "index_not_updated": Facts(
        "job",
        None,
        {"error": "string"},
        "saved and live; the search index was not updated (the next save or a reindex repairs)",
    ),
    "cards_not_drawn": Facts(
        "job",
        None,
        {"error": "string", "also": "cause|null"},
        (
            "saved and live; preview cards were not all drawn (pages show the test's card or "
            "none; the next save draws the missing ones); `also`: the index warning of the same "
            "save"
        ),
    ),
    "nothing_to_index": Facts(
        "job",
        None,
        NO_PARAMS,
        "a reindex found no tests",
    ),
    "nothing_to_reprocess": Facts(
        "job",
        None,
        NO_PARAMS,
        "no images stored before variants existed",
    ),
    "images_not_processed": Facts(
        "job",
        None,
        {"failed": "integer", "total": "integer", "keys": "string[]"},
        "`failed` of `total` stored images could not be processed (the first `keys`)",
    ),
}
