"""A damaged data dir is refused by name, derived files are rebuilt, damaged documents are
reported by key, and /api/health is not 200 when D1 does not answer (the full sweep is
scorecard row 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quizhub.local.datadir import (
    D1_FILE,
    KV_FILE,
    QUEUE_FILE,
    VECTORS_FILE,
    DataDirError,
    check_data_dir,
)
from quizhub.local.embedder import DIMENSIONS
from quizhub.local.host._cli import main
from quizhub.local.vectors import LocalVectorize
from quizhub.store.keys import document_key
from tests.conftest import sample_doc
from tests.fakes import TOKEN, FakeClock, make_platform, run


def _seeded(tmp_path: Path, clock: FakeClock) -> Path:
    data = tmp_path / "data"
    platform = make_platform(data, clock)
    platform.close()
    return data


def test_a_missing_d1_beside_other_records_is_refused_not_recreated_empty(
    tmp_path: Path, clock: FakeClock
) -> None:
    data = _seeded(tmp_path, clock)
    (data / D1_FILE).unlink()
    with pytest.raises(DataDirError, match=r"incomplete: d1\.sqlite .* missing"):
        check_data_dir(data)
    assert not (data / D1_FILE).exists()


def test_a_garbled_queue_is_refused_naming_the_file(tmp_path: Path, clock: FakeClock) -> None:
    data = _seeded(tmp_path, clock)
    (data / QUEUE_FILE).write_bytes(b"garbage" * 300)
    with pytest.raises(DataDirError, match=r"queue\.sqlite \(the save queue.*\) is damaged"):
        make_platform(data, clock)


def test_a_garbled_kv_cache_is_moved_aside_and_rebuilt(tmp_path: Path, clock: FakeClock) -> None:
    data = _seeded(tmp_path, clock)
    (data / KV_FILE).write_bytes(b"garbage" * 300)
    assert check_data_dir(data) == [KV_FILE]
    assert (data / f"{KV_FILE}.damaged").exists() and not (data / KV_FILE).exists()


def test_a_vector_index_of_another_model_is_moved_aside_and_rebuilt(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A vector index built for another embedding model (other dimensions: the one-vector USE
    index of earlier versions) is moved aside; the platform says so, and the reindex refills
    the new one."""
    data = _seeded(tmp_path, clock)
    (data / VECTORS_FILE).unlink()
    LocalVectorize(data / VECTORS_FILE, 512).close()
    platform = make_platform(data, clock)
    try:
        assert platform.vectors_rebuilt
        assert (data / f"{VECTORS_FILE}.512d").exists()
        assert platform.bindings.vectorize is not None
        assert run(platform.bindings.vectorize.describe())["dimensions"] == DIMENSIONS
    finally:
        platform.close()
    again = make_platform(data, clock)
    assert not again.vectors_rebuilt  # nothing to rebuild the second time
    again.close()


@pytest.mark.usefixtures("cli_settings")
def test_the_cli_says_which_file_in_one_line(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _seeded(tmp_path, clock)
    (data / D1_FILE).write_bytes(b"garbage" * 300)
    assert main(["migrate", "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [x for x in err.splitlines() if x.startswith("python -m quizhub.local:")]
    assert "d1.sqlite" in line and "moving" in line


def test_a_document_whose_body_file_is_gone_is_reported_by_key(
    tmp_path: Path, clock: FakeClock
) -> None:
    platform = make_platform(tmp_path / "data", clock)
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        r = client.put("/api/admin/tests/travel", json=sample_doc(), headers=auth)
        clock.advance(1000)
        run(platform.drain())
        rev = client.get("/api/admin/tests/travel", headers=auth).json()["rev"]
        bucket = platform.raw.bucket
        key = document_key("travel", rev)
        bucket.body_file(key).unlink()  # type: ignore[attr-defined]
        detail = client.get("/api/tests/travel")
        assert detail.status_code == 500 and r.status_code == 202
        error = detail.json()["error"]
        assert error["code"] == "storage_damaged" and key in error["message"], error
    finally:
        platform.close()


def test_health_is_503_when_d1_does_not_answer(tmp_path: Path, clock: FakeClock) -> None:
    platform = make_platform(tmp_path / "data", clock)
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        assert client.get("/api/health").json()["ok"] is True
        platform.raw.db.close()  # type: ignore[attr-defined]
        r = client.get("/api/health")
        assert r.status_code == 503 and r.json()["ok"] is False
        assert r.json()["degraded"][0].startswith("D1: ")
    finally:
        platform.close()
