"""Scorecard row 14: a damaged local data dir. Every data file is filled with garbage, truncated
or removed while the rest exists, and a stored document's body file is removed or garbled. Each
case must end one of three ways: the platform refuses to open with a message naming the file; or
it opens, serves the whole site (not an empty one) and commits a new save; or the damaged
document is reported with its key and cause (``storage_damaged``). Never an empty site answering
as healthy, never a 202 for a save that cannot commit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.fakes import AUTH, TOKEN, FakeClock, run

from quizhub.bindings import Settings
from quizhub.domain.samples import minimal_document
from quizhub.local.datadir import DERIVED, RECORDS, WORKFLOWS_FILE, DataDirError
from quizhub.local.platform import LocalPlatform, build_platform
from quizhub.store.keys import document_key
from reliability.rows import Row, _tmp, with_examples

__all__ = ["row14_data_dir"]

SEEDED = 3

Damage = Callable[[Path], None]
DAMAGES: dict[str, Damage] = {
    "garbage": lambda path: path.write_bytes(b"\x00not a database\xff" * 512),
    "truncated": lambda path: path.write_bytes(path.read_bytes()[:1024]),
    "missing": lambda path: path.unlink(),
}


def _open(data_dir: Path, clock: FakeClock) -> LocalPlatform:
    settings = Settings(admin_token=TOKEN)
    return build_platform(data_dir, settings, clock_ms=clock, rate_limits=False)


def _save(client: TestClient, platform: LocalPlatform, clock: FakeClock, test_id: str) -> str:
    """PUT, deliver, and the job's final status (or the PUT's status when not accepted)."""
    r = client.put(f"/api/admin/tests/{test_id}", json=minimal_document(), headers=AUTH)
    if r.status_code != 202:
        return f"PUT {r.status_code}"
    clock.advance(1000)
    run(platform.drain())
    return str(client.get(f"/api/admin/jobs/{r.json()['jobId']}", headers=AUTH).json()["status"])


def _seed(data_dir: Path, clock: FakeClock) -> None:
    platform = _open(data_dir, clock)
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        for i in range(SEEDED):
            assert _save(client, platform, clock, f"seed{i}") == "succeeded"
    finally:
        platform.close()


def _served_whole(data_dir: Path, clock: FakeClock) -> str | None:
    """None when the platform serves every seeded test and commits a new save; else why not."""
    platform = _open(data_dir, clock)
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        health = client.get("/api/health").status_code
        listed = len(client.get("/api/tests").json().get("items", []))
        saved = _save(client, platform, clock, "after")
        if health == 200 and (listed < SEEDED or saved != "succeeded"):
            return f"healthy but listed {listed}/{SEEDED}, new save {saved}"
        return None if health == 200 else f"health {health}"
    finally:
        platform.close()


def _case(seeded: Path, name: str, damage: Damage, clock: FakeClock) -> str | None:
    data_dir = _tmp() / "data"
    shutil.copytree(seeded, data_dir)
    damage(data_dir / name)
    try:
        return _served_whole(data_dir, clock)
    except DataDirError as exc:
        return None if name in str(exc) else f"refused without naming {name}: {exc}"


def _object_case(seeded: Path, how: str, clock: FakeClock) -> str | None:
    """Damage seed0's document body; its detail must be a storage_damaged 500 naming the key."""
    data_dir = _tmp() / "data"
    shutil.copytree(seeded, data_dir)
    platform = _open(data_dir, clock)
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        rev = client.get("/api/admin/tests/seed0", headers=AUTH).json()["rev"]
        key = document_key("seed0", rev)
        blob = _blob_of(platform, key)
        DAMAGES[how](blob)
        r = client.get("/api/admin/tests/seed0", headers=AUTH)
        error: dict[str, Any] = r.json().get("error") or {}
        if r.status_code == 500 and error.get("code") == "storage_damaged":
            return None if key in error.get("message", "") else f"no key in {error}"
        return f"detail answered {r.status_code} {r.text[:120]}"
    finally:
        platform.close()


def _blob_of(platform: LocalPlatform, key: str) -> Path:
    bucket: Any = platform.raw.bucket  # a LocalR2
    path: Path = bucket.body_file(key)
    return path


def row14_data_dir() -> Row:
    clock = FakeClock()
    seeded = _tmp() / "seeded"
    _seed(seeded, clock)
    files = [name for name in (*RECORDS, *DERIVED) if (seeded / name).exists()]
    # Queue mode opens every file but the workflow engine's; a file not created is not tested.
    untested = sorted({*RECORDS, *DERIVED} - set(files) - {WORKFLOWS_FILE})
    wrong, total = [], 0
    for name in files:
        for how, damage in DAMAGES.items():
            total += 1
            if (why := _case(seeded, name, damage, clock)) is not None:
                wrong.append(f"{name} {how}: {why}")
    for how in ("garbage", "missing"):
        total += 1
        if (why := _object_case(seeded, how, clock)) is not None:
            wrong.append(f"document body {how}: {why}")
    result = f"{len(files)} files × {len(DAMAGES)} damages + 2 document bodies:"
    result += f" {total - len(wrong)}/{total} refused by name, served whole or reported by key"
    wrong += [f"{name}: not created, so not damaged" for name in untested]
    result = with_examples(result, wrong)
    return Row(
        "14",
        "data files garbage, truncated or missing; document bodies missing or garbled",
        result,
        "never an empty site answering healthy, never 202 for a save that cannot commit",
        not wrong,
    )
