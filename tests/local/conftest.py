"""Fixtures for the local-platform tests: fresh bindings in tmp_path and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quizhub.local.d1 import LocalD1
from quizhub.local.kv import LocalKV
from quizhub.local.queues import LocalQueueBroker
from quizhub.local.r2 import LocalR2
from quizhub.local.workflows import LocalWorkflowEngine
from tests.fakes import FakeClock

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def d1(tmp_path: Path) -> Iterator[LocalD1]:
    db = LocalD1(tmp_path / "d1.sqlite", migrations_dir=REPO / "migrations")
    yield db
    db.close()


@pytest.fixture
def r2(tmp_path: Path, clock: FakeClock) -> Iterator[LocalR2]:
    bucket = LocalR2(tmp_path / "bucket", clock_ms=clock)
    yield bucket
    bucket.close()


@pytest.fixture
def kv(tmp_path: Path, clock: FakeClock) -> Iterator[LocalKV]:
    store = LocalKV(tmp_path / "kv.sqlite", clock)
    yield store
    store.close()


@pytest.fixture
def broker(tmp_path: Path, clock: FakeClock) -> Iterator[LocalQueueBroker]:
    b = LocalQueueBroker(tmp_path / "queue.sqlite", clock_ms=clock)
    yield b
    b.close()


@pytest.fixture
def engine(tmp_path: Path, clock: FakeClock) -> Iterator[LocalWorkflowEngine]:
    """A fresh workflow engine on a temporary file, driven by the fake clock."""
    eng = LocalWorkflowEngine(tmp_path / "workflows.sqlite", clock_ms=clock)
    yield eng
    eng.close()
