"""Saves based on a rev that is no longer live merge at field level (docs/merge.md), through
the API, the same in queue, workflow and sync mode: disjoint changes are merged, overlapping ones
are a conflict listing each path, a merge that breaks a document rule is a conflict, a merge
whose live rev moves again is computed again, and a delete never races an edit silently."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import Bindings, SaveMode
from quizhub.domain.preconditions import Precondition
from quizhub.domain.samples import minimal_document
from quizhub.pipeline.accept import accept_save
from quizhub.pipeline.messages import JobMessage
from quizhub.pipeline.runner import run_job
from quizhub.store.keys import document_key, merged_document_key
from tests.api.conftest import Api
from tests.fakes import AUTH, FakeClock, RecordingQueue, make_platform, run

MODES: tuple[SaveMode, ...] = ("queue", "workflow", "sync")
URL = "/api/admin/tests/travel"


def _base() -> dict[str, Any]:
    """Three results, one question with one option for each."""
    doc = minimal_document("여행 성향 테스트", tags=["여행"])
    doc["questions"][0]["options"].append({"id": "c", "text": "짐을 싼다", "scores": {"relax": 2}})
    doc["results"].append({"id": "relax", "title": "휴식형", "description": "…", "image": None})
    return doc


class _RaceBucket:
    """The bucket, except that ``before_merge`` runs (once) just before the first merged object
    is written: between a merge being computed and its compare-and-set."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.before_merge: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def put(self, key: str, *args: Any, **kwargs: Any) -> Any:
        if ".merged-" in key and self.before_merge is not None:
            hook, self.before_merge = self.before_merge, None
            await hook()
        return await self._inner.put(key, *args, **kwargs)


@pytest.fixture(params=MODES)
def api(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    def wrap(b: Bindings) -> Bindings:
        return replace(b, bucket=_RaceBucket(b.bucket))

    platform = make_platform(tmp_path, clock, mode=request.param, wrap=wrap)
    yield Api(platform, clock)
    platform.close()


def _save(api: Api, doc: dict[str, Any], base_rev: str | None) -> dict[str, Any]:
    """PUT with ``baseRev``, then everything delivered: the job as the editor polls it."""
    r = api.client.put(URL, json={**doc, "baseRev": base_rev}, headers=AUTH)
    assert r.status_code in (200, 202), r.text
    api.clock.advance(1000)
    api.settle()
    return api.job(r.json()["jobId"])


def _current(api: Api) -> dict[str, Any]:
    r = api.client.get(URL, headers=AUTH)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("id", "rev", "createdAt", "updatedAt")}


def _created(api: Api) -> str:
    job = _save(api, _base(), None)
    assert job["status"] == "succeeded", job
    return str(job["rev"])


def test_disjoint_edits_from_one_rev_are_both_kept(api: Api) -> None:
    """A changes the title, B (who loaded the same rev) the description: B's save is merged
    under B's own rev, both changes are live, the job names what came from each side, and the
    version points at the merged document."""
    rev0 = _created(api)
    alice = _save(api, {**_base(), "title": "A의 제목"}, rev0)
    bob = _save(api, {**_base(), "description": "B의 설명"}, rev0)
    assert (alice["status"], alice["merged"], alice["merge"]) == ("succeeded", False, None)
    assert (bob["status"], bob["merged"], bob["conflicts"]) == ("succeeded", True, None)
    assert bob["merge"] == {
        "liveRev": alice["rev"],
        "fromLive": ["title"],
        "fromIncoming": ["description"],
        "truncated": False,
    }
    live = _current(api)
    assert live["rev"] == bob["rev"]
    assert (live["title"], live["description"]) == ("A의 제목", "B의 설명")
    version = api.client.get(f"{URL}/versions/{bob['rev']}", headers=AUTH).json()
    assert {k: version[k] for k in _content(live)} == _content(live)  # the merged document
    b = api.b
    merged_key = merged_document_key("travel", bob["rev"], alice["rev"])
    assert run(b.bucket.head(merged_key)) is not None
    assert run(b.bucket.head(document_key("travel", bob["rev"]))) is not None  # B's own


def test_overlapping_edits_are_a_conflict_listing_each_path(api: Api) -> None:
    """Both change the title (and B a tag): B's save is a conflict whose job lists the title
    with its base, live and incoming values; nothing of B's save is applied."""
    rev0 = _created(api)
    alice = _save(api, {**_base(), "title": "A의 제목", "description": "A의 설명"}, rev0)
    bob = _save(api, {**_base(), "title": "B의 제목", "tags": ["여행", "가족"]}, rev0)
    assert (bob["status"], bob["merged"], bob["merge"]) == ("conflict", False, None)
    assert bob["conflicts"] == [
        {"path": "title", "base": "여행 성향 테스트", "live": "A의 제목", "incoming": "B의 제목"}
    ]
    assert bob["conflictCount"] == 1 and "both changed" in bob["error"]
    assert (bob["errorCode"], bob["errorParams"]) == (
        "merge_conflict",
        {"baseRev": rev0, "liveRev": alice["rev"], "paths": ["title"], "count": 1},
    )
    live = _current(api)
    assert (live["rev"], live["title"], live["tags"]) == (alice["rev"], "A의 제목", ["여행"])


def test_a_merge_that_breaks_a_rule_is_a_conflict(api: Api) -> None:
    """A deletes the result relax (and its option); B adds a question scoring relax. No field
    overlaps, but the merged test would score a result that no longer exists: a conflict at that
    score, with each side's value, and nothing applied."""
    rev0 = _created(api)
    trimmed = _base()
    trimmed["results"] = trimmed["results"][:2]
    trimmed["questions"][0]["options"] = trimmed["questions"][0]["options"][:2]
    alice = _save(api, trimmed, rev0)
    grown = _base()
    grown["questions"].append(
        {
            "id": "q2",
            "text": "쉬는 날에는?",
            "image": None,
            "options": [
                {"id": "x", "text": "푹 쉰다", "scores": {"relax": 2}},
                {"id": "y", "text": "계획을 세운다", "scores": {"planner": 1}},
            ],
        }
    )
    bob = _save(api, grown, rev0)
    assert (alice["status"], bob["status"], bob["merged"]) == ("succeeded", "conflict", False)
    assert bob["conflicts"] == [
        {
            "path": "questions[q2].options[x].scores[relax]",
            "base": None,
            "live": None,
            "incoming": 2,
        }
    ]
    assert "would break a rule" in bob["error"]
    assert (bob["errorCode"], bob["errorParams"]) == (
        "merge_broke_rules",
        {
            "liveRev": alice["rev"],
            "path": "questions.1.options.0.scores.relax",
            "rule": "unknown_result",
            "count": 1,
        },
    )
    live = _current(api)
    assert live["rev"] == alice["rev"] and [q["id"] for q in live["questions"]] == ["q1"]


def test_a_merge_whose_live_rev_moves_is_computed_again(api: Api) -> None:
    """X's save merges against the live rev L1; before its compare-and-set, a third save T
    (accepted earlier, based on L1) commits. X's commit finds the live rev moved, merges again
    against T and applies: X's title, L1's description and T's tags are all live."""
    rev0 = _created(api)
    l1 = _save(api, {**_base(), "description": "L1의 설명"}, rev0)
    third = _held_save(
        api, {**_base(), "description": "L1의 설명", "tags": ["여행", "휴가"]}, l1["rev"]
    )

    async def third_commits() -> None:
        await run_job(api.b, third)

    api.b.bucket.before_merge = third_commits  # type: ignore[attr-defined]
    x = _save(api, {**_base(), "title": "X의 제목"}, rev0)
    assert api.b.bucket.before_merge is None  # type: ignore[attr-defined]  # the race happened
    t = api.job(third.job_id)
    assert (t["status"], x["status"], x["merged"]) == ("succeeded", "succeeded", True)
    assert x["merge"]["liveRev"] == third.rev  # not L1: computed again, not applied over T
    assert x["merge"]["fromLive"] == ["description", "tags"]
    assert x["merge"]["fromIncoming"] == ["title"]
    live = _current(api)
    assert (live["rev"], live["title"], live["description"], live["tags"]) == (
        x["rev"],
        "X의 제목",
        "L1의 설명",
        ["여행", "휴가"],
    )


def _held_save(api: Api, doc: dict[str, Any], base_rev: str) -> JobMessage:
    """A save accepted now whose message is held back (run later by the test)."""
    held = RecordingQueue()
    b = replace(api.b, queue=held, settings=replace(api.b.settings, save_mode="queue"))
    run(accept_save(b, "travel", copy.deepcopy(doc), Precondition(base_rev=base_rev)))
    return JobMessage.from_wire(held.sent[-1], api.b.settings.signing_key)


def test_an_edit_after_a_delete_is_a_conflict_not_a_resurrection(api: Api) -> None:
    """The test is deleted; a save based on the rev its editor loaded before is a conflict
    (there is nothing to merge with), and the test stays deleted."""
    rev0 = _created(api)
    gone = api.client.delete(URL, headers=AUTH)
    assert gone.status_code in (200, 202), gone.text
    api.settle()
    edit = _save(api, {**_base(), "title": "되살리기"}, rev0)
    assert edit["status"] == "conflict" and "deleted" in edit["error"]
    assert api.client.get(URL, headers=AUTH).status_code == 404


def test_a_delete_of_a_rev_that_moved_is_a_conflict(api: Api) -> None:
    """A delete based on the rev its editor saw, after another editor's save committed, is a
    conflict: the save stays live."""
    rev0 = _created(api)
    edit = _save(api, {**_base(), "title": "새 제목"}, rev0)
    r = api.client.delete(f"{URL}?baseRev={rev0}", headers=AUTH)
    assert r.status_code in (200, 202), r.text
    api.settle()
    gone = api.job(r.json()["jobId"])
    assert (edit["status"], gone["status"]) == ("succeeded", "conflict")
    assert _current(api)["title"] == "새 제목"
