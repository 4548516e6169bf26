"""One job definition, three modes: the same saves under the same faults end the same in queue,
workflow and sync mode, as far as an editor can see — each job's final status, the steps its
notices went through (first appearance, in order), whether it committed and went live, whether
it carries a warning, the versions, and the live notices' phases. Attempts, timestamps and
error wording may differ (a queue retries the message, a Workflow the step)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings, SaveMode
from quizhub.local.push import LocalSocket
from tests.api.conftest import Api
from tests.conftest import sample_doc
from tests.fakes import AUTH, FakeClock, make_platform
from tests.imagefiles import phone_photo


class ScriptedFaults:
    """Fails chosen calls, counted per ``binding.method`` (``{"bucket.put": {1}}``: the first
    R2 put fails, before it reaches the bucket), whatever else the mode calls in between."""

    def __init__(self, fail: dict[str, set[int] | None]) -> None:
        self.fail = fail  # None: every call of that method fails
        self.counts: dict[str, int] = {}

    def wrap(self, b: Bindings) -> Bindings:
        fields = {name.split(".")[0] for name in self.fail}
        return replace(b, **{f: _Scripted(getattr(b, f), f, self) for f in fields})

    def should_fail(self, name: str) -> bool:
        if name not in self.fail:
            return False
        self.counts[name] = n = self.counts.get(name, 0) + 1
        which = self.fail[name]
        return which is None or n in which


# Preview cards (their failures are a warning of their own: tests/pipeline/test_cards.py) are
# neither failed nor counted, so the numbers keep naming the saves' objects and the uploads.
_UNCOUNTED = "cards/"


class _Scripted:
    def __init__(self, inner: Any, label: str, faults: ScriptedFaults) -> None:
        self._inner, self._label, self._faults = inner, label, faults

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name.startswith("_") or not callable(attr) or name in ("prepare", "bind"):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            if args and str(args[0]).startswith(_UNCOUNTED):
                return await attr(*args, **kwargs)
            if self._faults.should_fail(f"{self._label}.{name}"):
                raise ConnectionError(f"scripted fault in {self._label}.{name}")
            return await attr(*args, **kwargs)

        return call


@dataclass
class Seen:
    """What an editor can see of a run."""

    jobs: list[dict[str, Any]]
    versions: list[str]
    phases: list[list[str]]


def _settle(api: Api) -> None:
    api.settle()


def _notices(socket: LocalSocket) -> list[dict[str, Any]]:
    out = []
    while not socket.outbox.empty():
        text = socket.outbox.get_nowait()
        if text is not None and (message := json.loads(text))["type"] == "job":
            out.append(message)
    return out


def _first_seen(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(items))


def _run(
    tmp: Path, mode: SaveMode, faults: ScriptedFaults, script: Callable[[Api], list[str]]
) -> Seen:
    clock = FakeClock()
    api = Api(make_platform(tmp / mode, clock, mode=mode, wrap=faults.wrap), clock)
    socket = LocalSocket()
    api.platform.live.hub("travel").connect(socket, "travel", 0)
    try:
        job_ids = script(api)
        _settle(api)
        notices = _notices(socket)
        jobs = []
        for job_id in job_ids:
            row = api.job(job_id)
            mine = [n for n in notices if n["job"]["jobId"] == job_id]
            steps = _first_seen([(n["phase"], n["job"]["step"]) for n in mine])
            jobs.append(
                {
                    "status": row["status"],
                    "kind": row["kind"],
                    "committed": row["committedAt"] is not None,
                    "live": row["liveAt"] is not None,
                    "warning": row["status"] == "succeeded" and row["error"] is not None,
                    "merged": row["merged"],
                    "merge": None
                    if row["merge"] is None
                    else (row["merge"]["fromLive"], row["merge"]["fromIncoming"]),
                    "conflicts": [c["path"] for c in row["conflicts"] or []],
                    "steps": steps,
                    "last": mine[-1]["phase"] if mine else None,
                }
            )
        versions = api.client.get("/api/admin/tests/travel/versions", headers=AUTH).json()
        titles = [v.get("title", "") for v in versions.get("items", [])]
        phases = [[n["phase"] for n in notices if n["job"]["jobId"] == j] for j in job_ids]
        return Seen(jobs, titles, [_first_seen_phases(p) for p in phases])
    finally:
        api.platform.close()


def _first_seen_phases(phases: list[str]) -> list[str]:
    return list(dict.fromkeys(phases))


def _put(api: Api, doc: dict[str, Any]) -> str:
    r = api.client.put("/api/admin/tests/travel", json=doc, headers=AUTH)
    assert r.status_code in (200, 202), r.text
    return str(r.json()["jobId"])


def _editors(api: Api) -> list[str]:
    """A save, a save based on it, a stale save (conflict), an upload, then a delete."""
    first = _put(api, sample_doc("첫 저장"))
    _settle(api)
    base = api.job(first)["rev"]
    second = _put(api, {**sample_doc("두 번째 저장"), "baseRev": base})
    _settle(api)
    stale = _put(api, {**sample_doc("오래된 편집"), "baseRev": base})
    _settle(api)
    upload = api.client.post(
        "/api/admin/images?testId=travel",
        files={"file": ("photo.jpg", phone_photo(800, 600, orientation=1), "image/jpeg")},
        headers=AUTH,
    )
    assert upload.status_code in (200, 202), upload.text
    _settle(api)
    gone = api.client.delete("/api/admin/tests/travel", headers=AUTH)
    assert gone.status_code in (200, 202), gone.text
    return [first, second, stale, str(upload.json()["jobId"]), str(gone.json()["jobId"])]


def _three_results(title: str = "첫 저장", **overrides: Any) -> dict[str, Any]:
    """The sample document with a third result (relax) and an option that reaches it."""
    doc = sample_doc(title, **overrides)
    doc["questions"][0]["options"].append({"id": "c", "text": "쉰다", "scores": {"relax": 2}})
    doc["results"].append({"id": "relax", "title": "휴식형", "description": "…", "image": None})
    return doc


def _merging_editors(api: Api) -> list[str]:
    """From one rev: A changes the title and removes the result relax; B the description
    (merged); C the title too (conflict); D adds a question scoring relax (merged, it would break
    a rule: conflict); then a delete based on that first rev (conflict: the test moved since)."""
    first = _put(api, {**_three_results(), "baseRev": None})
    _settle(api)
    base = api.job(first)["rev"]
    trimmed = sample_doc("제목 변경")  # two results: relax and its option gone
    title = _put(api, {**trimmed, "baseRev": base})
    _settle(api)
    described = _put(api, {**_three_results(description="설명 변경"), "baseRev": base})
    _settle(api)
    overlap = _put(api, {**_three_results("다른 제목"), "baseRev": base})
    _settle(api)
    grown = _three_results()
    grown["questions"].append(
        {**grown["questions"][0], "id": "q2", "options": grown["questions"][0]["options"][1:]}
    )
    unreachable = _put(api, {**grown, "baseRev": base})
    _settle(api)
    gone = api.client.delete(f"/api/admin/tests/travel?baseRev={base}", headers=AUTH)
    assert gone.status_code in (200, 202), gone.text
    return [first, title, described, overlap, unreachable, str(gone.json()["jobId"])]


MODES: tuple[SaveMode, ...] = ("queue", "workflow", "sync")


def test_without_faults_every_mode_shows_the_editor_the_same(tmp_path: Path) -> None:
    """Saves, a conflict, an upload and a delete: identical in all three modes."""
    seen = {mode: _run(tmp_path, mode, ScriptedFaults({}), _editors) for mode in MODES}
    assert seen["queue"] == seen["workflow"] == seen["sync"], seen
    statuses = [j["status"] for j in seen["queue"].jobs]
    assert statuses == ["succeeded", "succeeded", "conflict", "succeeded", "succeeded"]
    assert seen["queue"].jobs[0]["steps"] == [
        ("running", "validate"),
        ("running", "put-r2"),
        ("committed", "invalidate"),
        ("live", "invalidate"),
        ("succeeded", "done"),
    ]


def test_merges_and_their_conflicts_are_the_same_in_every_mode(tmp_path: Path) -> None:
    """A merge, an overlap, a merge breaking a rule and a delete of a moved rev: every mode
    shows the editor the same statuses, merge paths and conflict paths."""
    seen = {mode: _run(tmp_path, mode, ScriptedFaults({}), _merging_editors) for mode in MODES}
    assert seen["queue"] == seen["workflow"] == seen["sync"], seen
    jobs = seen["queue"].jobs
    assert [j["status"] for j in jobs] == [
        "succeeded",
        "succeeded",
        "succeeded",
        "conflict",
        "conflict",
        "conflict",
    ]
    assert [j["merged"] for j in jobs] == [False, False, True, False, False, False]
    assert jobs[2]["merge"] == (
        ["title", "questions[q1].options[c]", "results[relax]"],
        ["description"],
    )
    assert [j["conflicts"] for j in jobs[3:]] == [
        ["title"],
        ["questions[q2].options[c].scores[relax]"],
        [],
    ]


@pytest.mark.parametrize(
    "fail",
    [{"db.batch": {3, 4}}, {"bucket.put": {4}}],  # the merging save's first batches; its put
    ids=["d1-commit", "merged-put"],
)
def test_a_merge_under_transient_faults_ends_the_same_in_queue_and_workflow_mode(
    tmp_path: Path, fail: dict[str, set[int] | None]
) -> None:
    """The merging save's batches or its merged object's put fail: a queue retries the message,
    a Workflow the commit step, and the editor sees the same merge."""
    faults = {mode: ScriptedFaults(dict(fail)) for mode in MODES[:2]}
    seen = {mode: _run(tmp_path, mode, faults[mode], _merging_editors) for mode in MODES[:2]}
    for mode, plan in faults.items():  # every scripted fault was really hit
        hit = all(plan.counts.get(n, 0) >= max(c or {1}) for n, c in fail.items())
        assert hit, (mode, plan.counts)
    assert seen["queue"] == seen["workflow"], seen
    assert seen["queue"].jobs[2]["merged"] is True


def test_a_search_outage_touches_no_save_in_any_mode(tmp_path: Path) -> None:
    """Vectorize down for the whole run: indexing is off the save path (the index queue
    retries it), so every save ends as it would without the outage, in every mode."""
    faults = ScriptedFaults({"vectorize.upsert": None})
    seen = {mode: _run(tmp_path, mode, faults, _editors) for mode in MODES}
    assert seen["queue"] == seen["workflow"] == seen["sync"], seen
    assert faults.counts["vectorize.upsert"] > 0
    assert [j["warning"] for j in seen["queue"].jobs] == [False] * 5


def test_an_index_request_that_cannot_be_sent_is_the_same_warning_in_every_mode(
    tmp_path: Path,
) -> None:
    """The index queue refusing every message: each save is live with the index warning."""
    faults = ScriptedFaults({"index_queue.send": None})
    seen = {mode: _run(tmp_path, mode, faults, _editors) for mode in MODES}
    assert seen["queue"] == seen["workflow"] == seen["sync"], seen
    assert [j["warning"] for j in seen["queue"].jobs] == [True, True, False, False, True]


@pytest.mark.parametrize(
    "fail",
    [
        {"bucket.put": {1, 3}},  # the first save's object, then the image's original
        {"db.batch": {1, 2}},  # the first commit, twice
        {"purger.purge": {1}, "kv.delete": {2}},  # invalidation after the commit
        {"images.transform": {2}},  # one variant of the upload
    ],
    ids=["r2-put", "d1-commit", "invalidate", "image-variant"],
)
def test_transient_faults_end_the_same_in_queue_and_workflow_mode(
    tmp_path: Path, fail: dict[str, set[int] | None]
) -> None:
    """A queue retries the message, a Workflow the step: the editor sees the same outcome.
    (Sync mode has no retries by design: a fault there fails the save visibly.)"""
    faults = {mode: ScriptedFaults(dict(fail)) for mode in MODES[:2]}
    seen = {mode: _run(tmp_path, mode, faults[mode], _editors) for mode in MODES[:2]}
    for mode, plan in faults.items():  # every scripted fault was really hit
        hit = {name: plan.counts.get(name, 0) >= max(calls or {1}) for name, calls in fail.items()}
        assert all(hit.values()), (mode, plan.counts)
    assert seen["queue"] == seen["workflow"], seen
    assert [j["status"] for j in seen["queue"].jobs] == [
        "succeeded",
        "succeeded",
        "conflict",
        "succeeded",
        "succeeded",
    ]
