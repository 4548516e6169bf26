"""Scorecard rows 18 and 19: concurrent editors of one test, each loading the live rev and
saving with it as ``baseRev`` (docs/merge.md).

- Row 18: in each round 2–4 editors change disjoint parts of the same rev (the title, a
  question's text, a score, the tags, the order of the questions, a new question, …); the round's
  saves reach the consumer together, in one batch run concurrently, then all again. Every save
  must succeed, every edit must be live after the round, and none may be superseded. (Saves of
  one test that commit out of rev order still supersede the older one:
  docs/merge.md#what-is-not-merged.)
- Row 19: in each round three editors change 1–2 fields each from a small set, so they often
  overlap. The second editor's merge races the third's save: the third (accepted before it) is
  delivered between the second's merge and its compare-and-set. Each save must end as the
  overlap with the saves committed before it says: a conflict listing exactly the overlapping
  paths, or merged with all of its edits live, and no merge applied over a rev that moved.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tests.fakes import FakeBatch, FakeMessage

from quizhub.bindings import Bindings
from quizhub.pipeline.consumer import handle_batch
from quizhub.pipeline.messages import JobMessage
from quizhub.pipeline.runner import run_job
from quizhub.store.documents import read_current
from quizhub.store.tests import TestsRepo
from reliability.rig import Accepted, Rig
from reliability.rows import Row, Sizes, _captured, _tmp, with_examples

__all__ = ["row18_disjoint_edits", "row19_overlapping_edits"]

# An edit: (what it changes, as a merge path; apply it to a copy of the loaded document; whether
# a document still shows it).
Edit = tuple[str, Callable[[dict[str, Any]], None], Callable[[dict[str, Any]], bool]]


def _document(title: str) -> dict[str, Any]:
    """Three questions with two options each, three results, each reached."""
    results = ["r1", "r2", "r3"]
    return {
        "title": title,
        "description": "병합 시험",
        "locale": "ko",
        "tags": ["병합", "시험"],
        "status": "published",
        "thumbnail": None,
        "questions": [
            {
                "id": f"q{n}",
                "text": f"질문 {n}",
                "image": None,
                "options": [
                    {"id": "a", "text": f"선택 {n}a", "scores": {results[n - 1]: 2}},
                    {"id": "b", "text": f"선택 {n}b", "scores": {results[n % 3]: 1}},
                ],
            }
            for n in (1, 2, 3)
        ],
        "results": [
            {"id": r, "title": f"결과 {r}", "description": "…", "image": None} for r in results
        ],
    }


def _item(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(i for i in items if i["id"] == item_id)


def _text_edit(path: str, locate: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Any:
    def make(token: str) -> Edit:
        def apply(doc: dict[str, Any]) -> None:
            locate(doc)[key] = token

        return path, apply, lambda doc: locate(doc)[key] == token

    return make


def _question(n: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda doc: _item(doc["questions"], f"q{n}")


def _option(n: int, oid: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda doc: _item(_item(doc["questions"], f"q{n}")["options"], oid)


def _result(rid: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda doc: _item(doc["results"], rid)


def _tag_edit(token: str) -> Edit:
    """Add a tag (keeping at most one other added tag: the list stays short)."""
    tag = "태그-" + "-".join(token.split("-")[1:3])  # round and editor: unique in its test

    def apply(doc: dict[str, Any]) -> None:
        doc["tags"] = [*doc["tags"][:3], tag]

    return "tags", apply, lambda doc: tag in doc["tags"]


def _reorder_edit(token: str) -> Edit:
    """Move the first question to the end (the order of the others kept)."""
    wanted: list[str] = []

    def apply(doc: dict[str, Any]) -> None:
        doc["questions"] = [*doc["questions"][1:], doc["questions"][0]]
        wanted[:] = [q["id"] for q in doc["questions"]]

    def shown(doc: dict[str, Any]) -> bool:
        return [q["id"] for q in doc["questions"] if q["id"] in wanted] == wanted

    return "questions", apply, shown


def _new_question_edit(token: str) -> Edit:
    """Add a question (a new id) after the second one."""
    qid = f"n{token[-8:]}"

    def apply(doc: dict[str, Any]) -> None:
        scores = [{"r1": 1}, {"r2": 1}]
        options = [
            {"id": o, "text": f"{token} {o}", "scores": s}
            for o, s in zip("ab", scores, strict=True)
        ]
        doc["questions"].insert(2, {"id": qid, "text": token, "image": None, "options": options})

    return f"questions[{qid}]", apply, lambda doc: any(q["id"] == qid for q in doc["questions"])


def _score_edit(token: str) -> Edit:
    points = 2 + sum(map(ord, token)) % 5  # positive: r1 stays reached

    def apply(doc: dict[str, Any]) -> None:
        _option(3, "b")(doc)["scores"]["r1"] = points

    return (
        "questions[q3].options[b].scores[r1]",
        apply,
        lambda doc: _option(3, "b")(doc)["scores"].get("r1") == points,
    )


# Row 18: kinds of edit that never overlap one another (each round takes distinct kinds).
_DISJOINT: dict[str, Callable[[str], Edit]] = {
    "title": _text_edit("title", lambda doc: doc, "title"),
    "description": _text_edit("description", lambda doc: doc, "description"),
    "q1": _text_edit("questions[q1].text", _question(1), "text"),
    "q2": _text_edit("questions[q2].text", _question(2), "text"),
    "q1a": _text_edit("questions[q1].options[a].text", _option(1, "a"), "text"),
    "q2b": _text_edit("questions[q2].options[b].text", _option(2, "b"), "text"),
    "r2": _text_edit("results[r2].title", _result("r2"), "title"),
    "r3": _text_edit("results[r3].description", _result("r3"), "description"),
    "score": _score_edit,
    "tags": _tag_edit,
    "order": _reorder_edit,
    "new": _new_question_edit,
}
# Row 19: a few fields, so that editors choosing 1–2 of them often overlap.
_OVERLAPPING: dict[str, Callable[[str], Edit]] = {
    k: _DISJOINT[k] for k in ("title", "description", "q1", "q1a", "r2")
}


@dataclass
class _Save:
    acc: Accepted
    edits: list[Edit]


async def _load(rig: Rig, test_id: str) -> tuple[dict[str, Any], str]:
    doc = await read_current(
        TestsRepo(rig.clean.db), rig.clean.bucket, test_id, published_only=False
    )
    rev = doc.pop("rev")
    for server_field in ("id", "createdAt", "updatedAt"):
        doc.pop(server_field)
    return doc, rev


async def _edit_and_save(
    rig: Rig, test_id: str, loaded: tuple[dict[str, Any], str], edits: list[Edit]
) -> _Save:
    doc, rev = copy.deepcopy(loaded[0]), loaded[1]
    for _, apply, _ in edits:
        apply(doc)
    title = doc.pop("title")
    acc = await rig.save(test_id, title, rev, **doc)
    assert acc is not None  # no faults in these rows
    rig.clock.ms += 1
    return _Save(acc, edits)


async def _start(rig: Rig, tests: int) -> list[str]:
    ids = [f"m{t}" for t in range(tests)]
    for test_id in ids:
        doc = _document(f"{test_id} 시작")
        title = doc.pop("title")
        await rig.save(test_id, title, None, **doc)
    await rig.settle()
    return ids


async def _deliver_together(rig: Rig, bodies: list[Any]) -> None:
    """One batch of these messages, as the queue hands them over, run concurrently (the local
    queue's own copies come later, in ``rig.settle``, as duplicates)."""
    await handle_batch(FakeBatch([FakeMessage(b) for b in bodies]), rig.faulty)
    await rig.platform.run_workflows()


async def row18_disjoint_edits(mode: str, sizes: Sizes, seed: int = 18) -> Row:
    """Disjoint edits from one rev, delivered together (and again): all succeed, all are
    live."""
    rng = random.Random(seed)
    rig = Rig(_tmp(), mode)
    ids = await _start(rig, sizes.merge_tests)
    saves = lost = superseded = conflicts = merged = 0
    examples: list[str] = []
    for rnd in range(sizes.merge_rounds):
        start = len(rig.sent)
        round_saves: list[tuple[str, _Save]] = []
        for test_id in ids:
            loaded = await _load(rig, test_id)
            kinds = rng.sample(sorted(_DISJOINT), rng.randint(2, 4))
            for e, kind in enumerate(kinds):
                edit = _DISJOINT[kind](f"{test_id}-{rnd}-{e}-{kind}")
                round_saves.append((test_id, await _edit_and_save(rig, test_id, loaded, [edit])))
        bodies = _captured(rig, start)
        await _deliver_together(rig, bodies)  # one batch, run concurrently
        await _deliver_together(rig, rng.sample(bodies, len(bodies)))  # delivered again
        await rig.settle()
        for test_id, save in round_saves:
            saves += 1
            row = await rig.job(save.acc.job_id)
            status = row.status if row else "lost"
            superseded += status == "superseded"
            conflicts += status == "conflict"
            merged += bool(row and row.merge_facts)
            live, _ = await _load(rig, test_id)
            for path, _, shown in save.edits:
                if status != "succeeded" or not shown(live):
                    lost += 1
                    examples.append(f"{test_id} round {rnd}: {path} ({status})")
    rig.close()
    ok = lost == superseded == conflicts == 0 and merged > 0
    return Row(
        "18",
        f"{sizes.merge_tests} tests × {sizes.merge_rounds} rounds of 2–4 editors, disjoint edits",
        with_examples(
            f"{saves} saves ({merged} merged): {lost} edits lost, {superseded} superseded,"
            f" {conflicts} conflicts",
            examples,
        ),
        "all edits live after merging; 0 lost on either side; no save superseded",
        ok,
    )


class _Race:
    """The bucket, except that ``before_merge`` runs (once) just before a merged object is
    written: between a merge and its compare-and-set."""

    def __init__(self) -> None:
        self.before_merge: Callable[[], Any] | None = None

    def __call__(self, b: Bindings) -> Bindings:
        return replace(b, bucket=_RaceBucket(b.bucket, self))


class _RaceBucket:
    def __init__(self, inner: Any, race: _Race) -> None:
        self._inner, self._race = inner, race

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def put(self, key: str, *args: Any, **kwargs: Any) -> Any:
        hook = self._race.before_merge
        if ".merged-" in key and hook is not None:
            self._race.before_merge = None
            await hook()
        return await self._inner.put(key, *args, **kwargs)


async def row19_overlapping_edits(mode: str, sizes: Sizes, seed: int = 19) -> Row:
    """Overlapping edits from one rev, one merge racing a third save: each save is a conflict
    listing exactly its overlap with the saves committed before it, or merged with every edit
    live; no merge is applied over a live rev that moved."""
    rng = random.Random(seed)
    race = _Race()
    rig = Rig(_tmp(), mode, outage=race)
    ids = await _start(rig, sizes.merge_tests)
    saves = conflicts = merged = wrong = races = 0
    examples: list[str] = []
    for rnd in range(sizes.merge_rounds):
        for test_id in ids:
            loaded = await _load(rig, test_id)
            editors = []
            for e in range(3):
                kinds = rng.sample(sorted(_OVERLAPPING), rng.randint(1, 2))
                token = f"{test_id}-{rnd}-{e}"
                editors.append([_OVERLAPPING[k](f"{token}-{k}") for k in kinds])
            start = len(rig.sent)
            # Accepted as first, third, second: the third save's rev is older than the second's.
            first = await _edit_and_save(rig, test_id, loaded, editors[0])
            third = await _edit_and_save(rig, test_id, loaded, editors[2])
            second = await _edit_and_save(rig, test_id, loaded, editors[1])
            bodies = {b["jobId"]: b for b in _captured(rig, start)}
            await _deliver_together(rig, [bodies[first.acc.job_id]])

            async def third_commits(body: Any = bodies[third.acc.job_id]) -> None:
                # its job run at once, whatever the mode
                await run_job(
                    rig.faulty, JobMessage.from_wire(body, rig.clean.settings.signing_key)
                )

            race.before_merge = third_commits
            await _deliver_together(rig, [bodies[second.acc.job_id]])
            raced = race.before_merge is None
            race.before_merge = None
            races += raced
            order = [first, third, second] if raced else [first, second, third]
            if not raced:
                await _deliver_together(rig, [bodies[third.acc.job_id]])
            await rig.settle()
            live, _ = await _load(rig, test_id)
            changed: set[str] = set()  # paths the saves committed so far this round changed
            committed: set[str] = set()
            for save in order:
                saves += 1
                paths = {path for path, _, _ in save.edits}
                expected = paths & changed
                row = await rig.job(save.acc.job_id)
                got = {c["path"] for c in (row.conflicts or {}).get("items", [])} if row else None
                if row is not None and row.status == "conflict":
                    conflicts += 1
                if row is not None and row.merge_facts:
                    merged += 1
                if expected:
                    ok = row is not None and row.status == "conflict" and got == expected
                else:
                    ok = row is not None and row.status == "succeeded"
                    ok = ok and all(shown(live) for _, _, shown in save.edits)
                    if save is second and raced and "third" in committed:
                        # merged against the third save's rev: computed again, not applied over it
                        ok = ok and row is not None and row.merge_facts is not None
                        ok = ok and row.merge_facts["liveRev"] == third.acc.rev
                    changed |= paths
                    committed.add("third" if save is third else "other")
                if not ok:
                    wrong += 1
                    status = row.status if row else "lost"
                    examples.append(
                        f"{test_id} r{rnd}: {status} {sorted(got or [])} ≠ {sorted(expected)}"
                    )
    rig.close()
    ok = wrong == 0 and conflicts > 0 and merged > 0 and races > 0
    return Row(
        "19",
        f"{sizes.merge_tests} tests × {sizes.merge_rounds} rounds of 3 editors, overlapping edits",
        with_examples(
            f"{saves} saves: {conflicts} conflicts, {merged} merged ({races} merges raced a"
            f" save); {wrong} not as their overlap says",
            examples,
        ),
        "conflict listing exactly the overlapping paths; nothing applied over a moved live rev",
        ok,
    )
