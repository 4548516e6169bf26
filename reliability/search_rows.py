"""Scorecard row 15: under row-3 faults, then edits, unpublishes and deletes, both search
indexes converge to D1 — the keyword terms in the commit batch, the vectors through the index
step and, where a step only left a warning, the reindex job run once the faults stop (the
documented repair)."""

from __future__ import annotations

import json
import random

from quizhub.local.faults import FaultPlan
from quizhub.pipeline.accept import accept_reindex
from quizhub.search.service import keyword_ranked
from quizhub.search.terms import document_terms
from quizhub.search.vectors import field_texts, vector_id, vector_ids_of
from quizhub.store.tests import TestsRepo
from reliability.rig import Rig
from reliability.rows import Row, Sizes, _tmp

__all__ = ["row15_search"]

TITLES = ["여행", "연애", "커피", "반려견", "고양이", "음악", "영화", "요리", "운동", "독서"]


async def _reindex(rig: Rig) -> str:
    """Accept a reindex through the faulty bindings (retrying the accept, as an editor would)."""
    for _ in range(50):
        try:
            return (await accept_reindex(rig.faulty)).job_id
        except Exception:  # noqa: BLE001 - the accept itself hit a fault: try again
            continue
    raise RuntimeError("could not accept a reindex in 50 tries")


async def _converged(rig: Rig) -> dict[str, int]:
    """stale / missing / drafts of both indexes against D1 + R2, checked on clean bindings."""
    b, tests = rig.clean, TestsRepo(rig.clean.db)
    assert b.vectorize is not None and b.ai is not None
    out = {"stale": 0, "missing": 0, "drafts": 0, "published": 0}
    for row in await tests.all_pointers():
        stored = await b.vectorize.get_by_ids(vector_ids_of(row.id))
        if row.deleted or row.status != "published":
            out["drafts"] += bool(stored)
            continue
        out["published"] += 1
        obj = await b.bucket.get(row.object_key or "")
        doc = json.loads(obj.body) if obj else {}
        terms = (
            await b.db.prepare("SELECT search_text FROM tests WHERE id = ?")
            .bind(row.id)
            .first("search_text")
        )
        found = row.id in await keyword_ranked(b.db, doc["title"], depth=100)
        if not stored or not found:
            out["missing"] += 1
            continue
        fields = field_texts(doc)  # one vector per field, each of the field's current text
        fresh = (await b.ai.run("x", {"text": list(fields.values())}))["data"]
        by_id = {v["id"]: v["values"] for v in stored}
        same = set(by_id) == {vector_id(row.id, f) for f in fields} and all(
            max(abs(a - c) for a, c in zip(values, by_id[vector_id(row.id, f)], strict=True)) < 1e-4
            for f, values in zip(fields, fresh, strict=True)
        )
        out["stale"] += terms != document_terms(doc) or not same
    return out


async def row15_search(mode: str, sizes: Sizes, p: float = 0.2, seed: int = 15) -> Row:
    rng = random.Random(seed)
    rig = Rig(_tmp(), mode, plan=FaultPlan(seed=seed, p=p))
    n = sizes.search_tests
    try:
        for i in range(n):
            await rig.save(f"s{i}", f"{TITLES[i % len(TITLES)]} 테스트 {i}")
            rig.clock.ms += rng.randint(0, 100)
        await rig.settle()
        for i in range(n):
            action = rng.choice(["edit", "edit", "unpublish", "delete", "keep"])
            topic = TITLES[(i + 3) % len(TITLES)]
            if action == "edit":
                await rig.save(f"s{i}", f"{topic} 바뀐 제목 {i}")
            elif action == "unpublish":
                await rig.save(f"s{i}", f"{topic} 초안 {i}", status="draft")
            elif action == "delete":
                await rig.delete(f"s{i}")
            rig.clock.ms += rng.randint(0, 100)
        await rig.settle()
        warned = 0
        for acc in rig.accepted:
            job = await rig.job(acc.job_id)
            warned += bool(job and (job.error or "").startswith("saved and live; the search"))
        before = await _converged(rig)
        assert rig.plan is not None
        rig.plan.p = 0.0  # the outage is over: now the documented repair runs
        reindex = await _reindex(rig)
        await rig.settle()
        job = await rig.job(reindex)
        after = await _converged(rig)
    finally:
        rig.close()
    ok = job is not None and job.status == "succeeded" and after["stale"] + after["missing"] == 0
    ok = ok and after["drafts"] == 0
    detail = (
        f"{after['published']} published of {n}: stale {after['stale']}, missing "
        f"{after['missing']}, drafts {after['drafts']} after the reindex job "
        f"(before it: stale {before['stale']}, missing {before['missing']}, drafts "
        f"{before['drafts']}; {warned} save(s) left an index warning)"
    )
    return Row(
        "15",
        f"search indexes under faults (p = {p}), then edits, unpublishes, deletes",
        detail,
        "keyword and vector indexes converge to D1: 0 stale, 0 missing, 0 drafts",
        ok,
    )
