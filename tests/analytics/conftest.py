"""The analytics suites' API (queue mode, fake clock, the session's Postgres) and a player
that makes the events the public site sends."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.analytics.pg import PgParams
from tests.api.conftest import AUTH, Api, make_api
from tests.fakes import FakeClock, play_event

_IDS = itertools.count(1)


def event_id() -> str:
    """A fresh client-style event id."""
    return f"ev{next(_IDS):010d}"


def event(kind: str, test_id: str = "travel", session: str = "session-1", **extra: Any) -> dict:
    """One event as the public site sends it (a fresh id, at ``START_MS``)."""
    return play_event(event_id(), kind, test_id, session=session, **extra)


def play(doc: dict[str, Any], test_id: str, session: str, *, answered: int | None = None) -> list:
    """The events of one play: view, start, an answer per question (the first option) up to
    ``answered`` questions, and — when every question was answered — complete with the first
    result."""
    questions = doc["questions"][: answered if answered is not None else None]
    out = [event("view", test_id, session), event("start", test_id, session)]
    out += [
        event("answer", test_id, session, questionId=q["id"], optionId=q["options"][0]["id"])
        for q in questions
    ]
    if len(questions) == len(doc["questions"]):
        out.append(event("complete", test_id, session, resultId=doc["results"][0]["id"]))
    return out


class AnalyticsApi(Api):
    """``Api`` plus the verbs of play analytics."""

    def send(self, events: list[dict[str, Any]], **kwargs: Any) -> Any:
        """``POST /api/events``."""
        return self.client.post("/api/events", json={"events": events}, **kwargs)

    def settle(self) -> None:
        """Let the analytics batch timeout pass and deliver everything due."""
        self.clock.advance(10_000)
        self.process()

    def stats(self, test_id: str, days: int = 30) -> dict[str, Any]:
        r = self.client.get(f"/api/admin/stats/tests/{test_id}?days={days}", headers=AUTH)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


@pytest.fixture
def aapi(tmp_path: Path, clock: FakeClock, analytics: PgParams) -> Iterator[AnalyticsApi]:
    """The API with play analytics bound to the session's (emptied) Postgres."""
    api = make_api(tmp_path, clock, analytics=analytics)
    api.__class__ = AnalyticsApi
    yield api  # type: ignore[misc]
    api.platform.close()
