"""Shared fixtures: sample documents and a fake clock."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads((ROOT / "src/quizhub/local/demo_tests.json").read_text(encoding="utf-8"))


class FakeClock:
    """Milliseconds that only move when a test says so."""

    def __init__(self, start_ms: int = 1_795_000_000_000) -> None:
        self.ms = start_ms

    def __call__(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def travel_doc() -> dict[str, Any]:
    """The travel-style demo test (published, 4 questions, 3 results)."""
    return copy.deepcopy(DEMO["travel-style"])


def sample_doc(title: str = "나의 여행 성향 테스트", **overrides: Any) -> dict[str, Any]:
    """A small valid document (DESIGN §3 example)."""
    doc: dict[str, Any] = {
        "title": title,
        "description": "몇 가지 질문으로 알아보는 여행 스타일",
        "locale": "ko",
        "tags": ["여행", "성격"],
        "status": "published",
        "thumbnail": None,
        "questions": [
            {
                "id": "q1",
                "text": "여행 전날 밤 나는?",
                "image": None,
                "options": [
                    {"id": "a", "text": "일정표를 다시 확인한다", "scores": {"planner": 2}},
                    {"id": "b", "text": "일단 잔다", "scores": {"free": 2}},
                ],
            }
        ],
        "results": [
            {"id": "planner", "title": "계획형 여행자", "description": "…", "image": None},
            {"id": "free", "title": "자유형 여행자", "description": "…", "image": None},
        ],
        "baseRev": None,
    }
    doc.update(overrides)
    return doc
