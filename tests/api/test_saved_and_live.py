"""Saved vs live on every job (``committedAt``, ``liveAt``), the staleness bound after liveAt
under the KV lag model, and when claim-check bodies are dropped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.bindings import SaveMode
from quizhub.domain.wire import ms_of_iso
from quizhub.edge.cdn import detail_url
from quizhub.errors import Code, Permanent
from quizhub.store.keys import staging_key
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock, FlakyWrap, run

MODES: list[SaveMode] = ["queue", "workflow"]


def _big_doc(title: str, **overrides: Any) -> dict[str, Any]:
    """A document too large for a queue message: it travels by claim check."""
    doc = sample_doc(title, **overrides)
    doc["questions"] = [dict(doc["questions"][0], id=f"q{i}", text="질" * 500) for i in range(90)]
    return doc


def _accept(api: Api, doc: dict[str, Any], test_id: str = "travel") -> dict[str, Any]:
    r = api.client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def _settle(api: Api, steps: int = 20) -> None:
    """Deliver everything, moving the clock to each next retry until nothing is left."""
    for _ in range(steps):
        api.process()
        due = api.platform.next_due_ms()
        if due is None:
            return
        api.clock.ms = max(api.clock.ms, due)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> SaveMode:
    mode: SaveMode = request.param
    return mode


def test_a_succeeded_job_reports_saved_then_live(api: Api) -> None:
    """committedAt is the D1 commit, liveAt the invalidation after it: both set, in order."""
    job = api.save("travel", sample_doc("저장과 반영"))
    assert job["status"] == "succeeded"
    assert job["committedAt"] is not None and job["liveAt"] is not None
    assert job["acceptedAt"] <= job["committedAt"] <= job["liveAt"]


def test_jobs_that_never_commit_have_neither_time(api: Api) -> None:
    """A conflict or a superseded save was neither saved nor made live."""
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    assert lost["status"] == "conflict"
    assert (lost["committedAt"], lost["liveAt"]) == (None, None)


def test_live_waits_for_the_purge_after_the_commit(
    tmp_path: Path, clock: FakeClock, mode: SaveMode
) -> None:
    """While the purge fails the job is saved (committedAt) but not live; the retry that purges
    sets liveAt."""
    failing_purge = FlakyWrap("purger", "purge", failures=1)
    api = make_api(tmp_path, clock, mode=mode, wrap=failing_purge)
    try:
        accepted = _accept(api, sample_doc("퍼지 실패 후 반영"))
        api.process()
        job = api.job(accepted["jobId"])
        assert job["status"] == "running" and job["committedAt"] is not None
        assert job["liveAt"] is None
        _settle(api)
        job = api.job(accepted["jobId"])
        assert job["status"] == "succeeded" and job["liveAt"] is not None
        assert job["committedAt"] < job["liveAt"]
    finally:
        api.platform.close()


def test_a_job_that_ends_without_purging_is_saved_but_never_live(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A purge the zone rejects ends the job succeeded with a warning and liveAt null."""
    error = Permanent("zone purge rejected (403)", code=Code.PURGE_REJECTED, params={"status": 403})
    rejected_purge = FlakyWrap("purger", "purge", failures=99, error=error)
    api = make_api(tmp_path, clock, wrap=rejected_purge)
    try:
        job = api.save("travel", sample_doc("반영 안 됨"))
        assert job["status"] == "succeeded" and job["error"].startswith("saved and live")
        assert job["committedAt"] is not None and job["liveAt"] is None
    finally:
        api.platform.close()


# The lag Cloudflare documents for a KV change to reach other locations (docs/pipeline.md).
KV_LAG_MS = 60_000


@pytest.fixture
def lagged(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    api = make_api(tmp_path, clock, kv_lag_ms=KV_LAG_MS)
    yield api
    api.platform.close()


def test_public_reads_serve_the_live_rev_within_the_kv_lag_after_live_at(
    lagged: Api, clock: FakeClock
) -> None:
    """With KV lagging 60 s, a read just before liveAt + lag may still get the old rev (never
    cached); from liveAt + lag on every read gets the new one."""
    api = lagged
    old = api.save("travel", sample_doc("이전 제목"))
    clock.advance(KV_LAG_MS)
    api.client.get("/api/tests/travel")  # fills the cache and KV with the old rev
    clock.advance(KV_LAG_MS)
    new = api.save("travel", sample_doc("새 제목", baseRev=old["rev"]))
    live_ms = ms_of_iso(new["liveAt"])
    origin = api.b.settings.public_origin
    assert run(api.b.cache.match(detail_url(origin, "travel"))) is None  # purged
    clock.ms = live_ms + KV_LAG_MS - 1
    stale = api.client.get("/api/tests/travel")
    assert stale.json()["rev"] == old["rev"] and stale.headers["x-quizhub-source"] == "kv"
    assert run(api.b.cache.match(detail_url(origin, "travel"))) is None  # not kept
    clock.ms = live_ms + KV_LAG_MS
    for _ in range(3):
        assert api.client.get("/api/tests/travel").json()["rev"] == new["rev"]
        clock.advance(1_000)


def _staged(api: Api, job_id: str) -> bool:
    return run(api.b.bucket.head(staging_key(job_id))) is not None


def test_claim_check_is_dropped_when_superseded_and_kept_on_conflict(api: Api) -> None:
    """Succeeded and superseded jobs drop their staged body; a conflicted one keeps it, so
    다시 시도 still works."""
    base = api.save("travel", sample_doc("기준"))
    older = _accept(api, _big_doc("밀려날 저장"))
    api.clock.advance(1_000)
    newer = _accept(api, _big_doc("이길 저장"))
    stale = _accept(api, _big_doc("충돌할 저장", baseRev=base["rev"]))
    assert all(_staged(api, j["jobId"]) for j in (older, newer, stale))
    # Deliver the newer save first, so the older one is superseded when it arrives.
    _process_in_order(api, [newer["jobId"], older["jobId"], stale["jobId"]])
    statuses = [api.job(j["jobId"])["status"] for j in (newer, older, stale)]
    assert statuses == ["succeeded", "superseded", "conflict"]
    assert [_staged(api, j["jobId"]) for j in (newer, older, stale)] == [False, False, True]
    current = api.client.get("/api/admin/tests/travel", headers=AUTH).json()["rev"]
    retried = api.client.post(
        f"/api/admin/jobs/{stale['jobId']}/retry", json={"baseRev": current}, headers=AUTH
    )
    assert retried.status_code == 202
    api.process()
    assert api.job(retried.json()["jobId"])["status"] == "succeeded"


def _process_in_order(api: Api, job_ids: list[str]) -> None:
    """Deliver the queued messages of ``job_ids`` one by one in this order."""
    from quizhub.pipeline.consumer import handle_batch
    from tests.fakes import FakeBatch, FakeMessage

    by_id = {m["jobId"]: m for m in api.sent}
    for job_id in job_ids:
        run(handle_batch(FakeBatch([FakeMessage(by_id[job_id])]), api.b))
        if api.platform.engine is not None:
            run(api.platform.run_workflows())
    api.process()  # the broker's own copies now find every job terminal
