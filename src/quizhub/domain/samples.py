"""The smallest valid test document, for demos, tests and the harness
(docs/architecture.md#the-smallest-document).

Plain data (no pydantic, no platform): the Pyodide harness uses it as the API would have
accepted it, the local tests and the reliability rig as the body of a save.
"""

from __future__ import annotations

from typing import Any

__all__ = ["minimal_document", "EXAMPLE_TEST_ID"]

# The id the OpenAPI examples use for the minimal document (the docs' "Try it out").
EXAMPLE_TEST_ID = "travel"


def minimal_document(title: str = "나의 여행 성향 테스트", **overrides: Any) -> dict[str, Any]:
    """The smallest valid document: one question, two results."""
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
    }
    doc.update(overrides)
    return doc
