"""Shared fixtures: sample documents and the fake clock."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from quizhub.domain.samples import minimal_document
from quizhub.local.host import DEMO_FILE
from tests.fakes import FakeClock

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def clock() -> FakeClock:
    """Milliseconds that move only when the test says so."""
    return FakeClock()


@pytest.fixture
def travel_doc() -> dict[str, Any]:
    """The travel-style demo test (published, 4 questions, 3 results)."""
    return copy.deepcopy(DEMO["travel-style"])


def sample_doc(title: str = "나의 여행 성향 테스트", **overrides: Any) -> dict[str, Any]:
    """A small valid document (DESIGN §3 example) with no ``baseRev``: an unconditional save."""
    return minimal_document(title, **overrides)
