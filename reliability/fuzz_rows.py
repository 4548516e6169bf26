"""Scorecard row 11: schemathesis against ``/api/openapi.json`` over the real app.

Every operation of the app's OpenAPI document, in process (ASGI, behind the same guard as
production, local platform, admin token), through all of schemathesis' phases (examples,
coverage, fuzzing, stateful over the spec's links) with all of its checks. Derandomized with a
fixed seed, so a run is reproducible. The spec's example test (``EXAMPLE_TEST_ID``) is saved
first, and the consumer runs after every 202, so reads, previews and links find real tests,
versions and jobs. Pass: at least the asked number of cases, every operation, 0 failures of any
check, no errors.

Some rules of the API are beyond JSON Schema. Positive cases (the ones the API must accept) are
made to follow them before they are sent, so that "schema-valid ⇒ accepted" is checked on
requests the API promises to accept instead of failing on rules the spec cannot state: the
cross-field rules of a document (``quizhub.domain.document.integrity_errors``: unique ids,
scores naming existing results, every result reachable, unique tags; server-owned fields echoed
only as ``GET`` returned them), answers that fit the test they are sent to (taken from the test,
as a test taker would), cursors (opaque: only the API's own encoding of a position, of the
order asked for), play events (one play per request: one test, one session) and image bytes
(PNG/JPEG/GIF/WebP by magic bytes). Negative cases are sent as generated. One kind of
failure is set aside, and counted: a "negative" image upload that went out carrying one of
schemathesis' own sample images (see ``filter_failure``).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.file_samples import FILE_SAMPLES
from schemathesis.engine import events, from_schema
from schemathesis.generation import GenerationMode
from tests.fakes import AUTH, TOKEN, FakeClock, run

from quizhub.analytics.pg import PgParams
from quizhub.api.cursors import (
    jobs_cursor,
    list_cursor,
    popular_cursor,
    search_cursor,
    versions_cursor,
)
from quizhub.bindings import Settings
from quizhub.domain.images import FORMATS
from quizhub.domain.jobs import make_job_id
from quizhub.domain.revisions import rev_timestamp
from quizhub.domain.samples import EXAMPLE_TEST_ID, minimal_document
from quizhub.local.platform import LocalPlatform, build_platform
from quizhub.search.service import DEPTH
from reliability.rows import Row, _tmp

__all__ = ["row11_fuzz", "fuzz"]

SEED = 11
PHASES = ("examples", "coverage", "fuzzing", "stateful")
CHECK = "schemathesis, all checks and phases, against /api/openapi.json (every operation)"
_MAGIC = {f.media_type: f.magic for f in FORMATS}


def _pick(seed: Any, n: int) -> int:
    """A stable choice in ``range(n)`` from a generated value (keeps the run reproducible)."""
    return int(hashlib.sha256(repr(seed).encode()).hexdigest()[:8], 16) % n


def _rev(seed: Any) -> str:
    digest = hashlib.sha256(repr(seed).encode()).digest()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "0" + "".join(alphabet[b % 32] for b in digest[:25])


def valid_cursor(path: str, seed: Any, *, search: bool = False, popular: bool = False) -> str:
    """A cursor the API could have returned for the list at ``path`` (``search``: the list
    was asked with a ``q``; ``popular``: in the 인기순 order): every field of its position is
    one the API writes."""
    rev = _rev(seed)
    if path.endswith("/versions"):
        return versions_cursor(rev)
    if path.endswith("/jobs"):
        return jobs_cursor(rev, make_job_id(rev, repr(seed).encode()))
    if search:
        return search_cursor(1 + _pick(seed, DEPTH))
    test_id = hashlib.sha256(repr(seed).encode()).hexdigest()[: 1 + _pick(seed, 40)]
    if popular:
        return popular_cursor(_pick(seed, 1000), rev_timestamp(rev), test_id)
    return list_cursor(rev_timestamp(rev), test_id)


def one_play(body: Any) -> Any:
    """Events made to be of one play: every event takes the first one's test and session."""
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events or not isinstance(events[0], dict):
        return body
    first = events[0]
    play = {k: first[k] for k in ("testId", "session") if k in first}
    return {**body, "events": [{**e, **play} if isinstance(e, dict) else e for e in events]}


def valid_document(body: dict[str, Any], test_id: str) -> dict[str, Any]:
    """``body`` with its cross-field rules made to hold (the schema already holds)."""
    doc = dict(body)
    for echoed in ("rev", "createdAt", "updatedAt"):  # must be the stored rev's own values
        doc.pop(echoed, None)
    if _pick(doc, 2):  # half unconditional: a random baseRev ends the job in conflict
        doc.pop("baseRev", None)
    if "id" in doc:
        doc["id"] = test_id
    results = [dict(r, id=f"r{i}") for i, r in enumerate(doc["results"])]
    result_ids = [r["id"] for r in results]
    questions = []
    for qi, question in enumerate(doc["questions"]):
        options = []
        for oi, option in enumerate(question["options"]):
            scores = {
                result_ids[(qi + oi + k) % len(result_ids)]: v
                for k, v in enumerate(option.get("scores", {}).values())
            }
            options.append(dict(option, id=f"o{oi}", scores=scores))
        questions.append(dict(question, id=f"q{qi}", options=options))
    # Every result reachable: the first option of the first question gives each one a point.
    first = questions[0]["options"][0]
    first["scores"] = {**first["scores"], **{rid: 1 for rid in result_ids}}
    seen: set[str] = set()
    tags = []
    for tag in doc.get("tags", []):
        if tag.strip().casefold() not in seen:
            seen.add(tag.strip().casefold())
            tags.append(tag)
    doc.update(results=results, questions=questions, tags=tags)
    return doc


def _answers(client: TestClient, path: str, rev: str | None) -> dict[str, str] | None:
    """The first option of every question of the test at ``path``, as a test taker answers."""
    url = f"{path}/versions/{rev}" if rev else path
    got = client.get(url, headers=AUTH)
    if got.status_code != 200:
        return None
    return {q["id"]: q["options"][0]["id"] for q in got.json()["questions"]}


def _seed(client: TestClient, platform: LocalPlatform, clock: FakeClock) -> None:
    """The spec's example test (``EXAMPLE_TEST_ID``), published, so the examples phase reads,
    computes and lists versions of a test that exists."""
    saved = client.put(f"/api/admin/tests/{EXAMPLE_TEST_ID}", json=minimal_document(), headers=AUTH)
    assert saved.status_code == 202, saved.text
    clock.advance(1000)
    run(platform.drain())


def _teach(schema: Any, client: TestClient) -> None:
    @schema.hook  # type: ignore[untyped-decorator]
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        """Kept, except one false alarm: a "negative" image upload that went out carrying one
        of schemathesis' own sample images (it puts one on the wire when it cannot send the
        broken binary it generated), so the request held no violation for the API to refuse.
        The dropped ones are counted in the row."""
        return not (
            isinstance(failure, AcceptedNegativeData)
            and case.operation.path == "/api/admin/images"
            and _sample_image(case.body)
        )

    @schema.hook  # type: ignore[untyped-decorator]
    def map_case(context: Any, case: Any) -> Any:
        meta = case.meta
        if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
            return case
        path, method = case.operation.path, case.method.upper()
        if isinstance(case.query, dict):
            q = case.query.get("q")
            search = isinstance(q, str) and bool(q.strip())
            if search:  # a search is ordered by relevance: sort is for the list only
                case.query.pop("sort", None)
            if isinstance(case.query.get("cursor"), str):
                popular = case.query.get("sort") == "popular"
                cursor = case.query["cursor"]
                case.query["cursor"] = valid_cursor(path, cursor, search=search, popular=popular)
        test_id = (case.path_parameters or {}).get("test_id")
        if method == "PUT" and path == "/api/admin/tests/{test_id}" and isinstance(case.body, dict):
            case.body = valid_document(case.body, str(test_id))
        elif path.endswith("/compute") and isinstance(case.body, dict):
            base = "/api/admin/tests" if path.startswith("/api/admin") else "/api/tests"
            rev = (case.query or {}).get("rev") if base.startswith("/api/admin") else None
            answers = _answers(client, f"{base}/{test_id}", rev)
            if answers is not None:
                case.body = {"answers": answers}
        elif path == "/api/admin/images":
            case.body = _image(case.body, case.media_type or "")
        elif path == "/api/events":
            case.body = one_play(case.body)
        return case


def _sample_image(body: Any) -> bool:
    part = body.get("file") if isinstance(body, dict) else body
    return getattr(part, "data", part) in FILE_SAMPLES.values()


def _image(body: Any, media_type: str) -> Any:
    """Upload bytes that start like the image type they are sent as."""
    if isinstance(body, dict) and isinstance(body.get("file"), bytes):
        return {**body, "file": _MAGIC["image/png"] + body["file"]}
    if isinstance(body, bytes):
        return _MAGIC.get(media_type, _MAGIC["image/png"]) + body
    return body


def fuzz(max_examples: int, *phases: str, analytics: PgParams | None = None) -> dict[str, Any]:
    """One derandomized schemathesis run; cases, operations, failures (by check) and errors."""
    tmp = _tmp()
    clock = FakeClock()
    platform = build_platform(
        tmp, Settings(admin_token=TOKEN), clock_ms=clock, rate_limits=False, analytics=analytics
    )
    try:
        app = platform.app()
        config = SchemathesisConfig.from_dict(
            {
                "seed": SEED,
                "cache": {"enabled": False},
                "headers": AUTH,
                "generation": {
                    "max-examples": max_examples,
                    "deterministic": True,
                    "database": "none",
                    # Credentials are sent as configured; the bearer and Access schemes are
                    # alternatives, so an empty or odd Access header next to a valid token is
                    # not a schema violation the API must refuse.
                    "with-security-parameters": False,
                },
                "checks": {"enabled": True},
                "phases": {p: {"enabled": p in phases} for p in PHASES} if phases else {},
                "suppress-health-check": ["all"],
            }
        )
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)
        client = TestClient(app)
        _seed(client, platform, clock)
        _teach(schema, client)

        @schema.hook  # type: ignore[untyped-decorator]
        def after_call(context: Any, case: Any, response: Any) -> None:
            """The consumer keeps up: accepted jobs run before the next request."""
            if response.status_code == 202:
                clock.advance(1000)
                run(platform.drain())

        cases = 0
        operations: set[str] = set()
        failures: Counter[str] = Counter()
        examples: list[str] = []
        errors: list[str] = []
        dropped = 0
        succeeded: Counter[str] = Counter()
        others: Counter[str] = Counter()
        started = time.perf_counter()
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                recorder = event.recorder
                cases += len(recorder.cases)
                dropped += sum(recorder.filtered_failures.values())
                for case_id, node in recorder.cases.items():
                    label = node.value.operation.label
                    operations.add(label)
                    interaction = recorder.interactions.get(case_id)
                    response = interaction.response if interaction is not None else None
                    if response is not None and 200 <= response.status_code < 300:
                        succeeded[label] += 1
                    elif response is not None:
                        others[label] += 1
                for checks in recorder.checks.values():
                    for check in checks:
                        if check.failure_info is None:
                            continue
                        failures[check.name] += 1
                        if len(examples) < 5:
                            message = check.failure_info.failure.title
                            examples.append(f"{recorder.label}: {check.name} ({message})")
            elif isinstance(event, events.NonFatalError | events.FatalError):
                errors.append(str(getattr(event, "info", event))[:200])
        paths: dict[str, dict[str, Any]] = schema.raw_schema["paths"]
        total_ops = sum(len(ops) for ops in paths.values())
        return {
            "cases": cases,
            "operations": len(operations - {""}),
            "declared": total_ops,
            "failures": failures,
            "examples": examples,
            "errors": errors,
            "dropped": dropped,
            "succeeded": succeeded,
            "others": others,
            "seconds": time.perf_counter() - started,
        }
    finally:
        platform.close()


def row11_fuzz(cases: int, analytics: PgParams | None = None) -> Row:
    """Row 11: at least ``cases`` generated cases (``max_examples`` per operation and phase
    follows from it; the coverage phase adds its own), 0 failures of any check."""
    got = fuzz(max(2, cases // 50), analytics=analytics)
    failed = sum(got["failures"].values())
    saves = got["succeeded"]["PUT /api/admin/tests/{test_id}"]
    result = (
        f"{got['cases']:,} cases over {got['operations']} operations:"
        f" {failed} failures, {len(got['errors'])} errors; 2xx on"
        f" {len(got['succeeded'])} of {got['declared']} operations ({saves} saves accepted)"
    )
    if got["dropped"]:
        result += f"; {got['dropped']} sample-image false alarms set aside"
    if got["failures"]:
        result += " (" + ", ".join(f"{k} {v}" for k, v in got["failures"].most_common()) + ")"
    if got["examples"]:
        result += "; " + "; ".join(got["examples"][:3])
    if got["errors"]:
        result += "; " + "; ".join(got["errors"][:2])
    return Row(
        "11",
        CHECK,
        result,
        f"≥ {cases:,} cases, every operation; 0 failures of any check, 0 errors",
        failed == 0
        and not got["errors"]
        and got["cases"] >= cases
        and got["operations"] == got["declared"],
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m reliability.fuzz_rows [CASES]``: row 11 alone (default 1,000 cases)."""
    import logging
    import sys

    args = sys.argv[1:] if argv is None else argv
    logging.disable(logging.CRITICAL)  # the fuzzer's 4xx/5xx are the point, not log noise
    from reliability.analytics_rows import scratch_analytics

    with scratch_analytics() as analytics:  # the stats routes answer from a real Postgres
        row = row11_fuzz(int(args[0]) if args else 1000, analytics)
    print(f"row {row.number}: {'ok' if row.passed else 'FAIL'}: {row.result}")
    return 0 if row.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
