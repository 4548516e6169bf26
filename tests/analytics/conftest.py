"""The analytics suites' API (queue mode, fake clock, the session's Postgres) and a player
that makes the events the public site sends.

Every test here that uses the database runs twice: on the embedded PostgreSQL 18 (the session's
``analytics_server``, as everywhere else) and on Debian's packaged server (15 on bookworm), a
major Hyperdrive supports (docs/hyperdrive.md). Both are migrated once per session. The embedded
server never skips; Debian's never skips on CI (``CI=true``) either: a machine where it is
missing or cannot start fails the suite. Elsewhere a missing package skips the ``[debian]``
half, saying how to install it; a server that is installed but does not start fails.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.analytics.pg import PgParams
from quizhub.local.postgres import AnalyticsServer
from tests.analytics.debian_postgres import DebianPostgres, debian_bindir
from tests.api.conftest import AUTH, Api, make_api
from tests.fakes import NO_SUCH_REV, FakeClock, play_event, reset_analytics

# The servers each database test runs on: pytest ids and the session fixture that provides it.
SERVERS = {"embedded": "analytics_server", "debian": "debian_postgres"}

_IDS = itertools.count(1)


def event_id() -> str:
    """A fresh client-style event id."""
    return f"ev{next(_IDS):010d}"


def event(
    kind: str,
    test_id: str = "travel",
    session: str = "session-1",
    rev: str = NO_SUCH_REV,
    **extra: Any,
) -> dict:
    """One event as the public site sends it (a fresh id, at ``START_MS``)."""
    return play_event(event_id(), kind, test_id, session=session, rev=rev, **extra)


def play(
    doc: dict[str, Any], test_id: str, session: str, rev: str, *, answered: int | None = None
) -> list:
    """The events of one play of revision ``rev``: view, start, an answer per question (the
    first option) up to ``answered`` questions, and — when every question was answered —
    complete with the first result."""
    questions = doc["questions"][: answered if answered is not None else None]
    out = [event("view", test_id, session, rev), event("start", test_id, session, rev)]
    out += [
        event("answer", test_id, session, rev, questionId=q["id"], optionId=q["options"][0]["id"])
        for q in questions
    ]
    if len(questions) == len(doc["questions"]):
        out.append(event("complete", test_id, session, rev, resultId=doc["results"][0]["id"]))
    return out


class AnalyticsApi(Api):
    """``Api`` plus the verbs of play analytics."""

    def send(self, events: list[dict[str, Any]], **kwargs: Any) -> Any:
        """``POST /api/events``."""
        return self.client.post("/api/events", json={"events": events}, **kwargs)

    def publish(self, test_id: str, doc: dict[str, Any]) -> str:
        """Save ``doc`` (published) and return its rev: the revision players play."""
        job = self.save(test_id, doc)
        assert job["status"] == "succeeded", job
        return str(job["rev"])

    def settle(self) -> None:
        """Let the analytics batch timeout pass and deliver everything due."""
        self.clock.advance(10_000)
        self.process()

    def stats(self, test_id: str, days: int = 30) -> dict[str, Any]:
        """The admin's stats of one test."""
        r = self.client.get(f"/api/admin/stats/tests/{test_id}?days={days}", headers=AUTH)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def counts(self, test_id: str) -> dict[str, Any]:
        """The public counts of one test (``GET /api/tests/{id}/stats``, D1 only)."""
        r = self.client.get(f"/api/tests/{test_id}/stats")
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


@pytest.fixture(scope="session")
def debian_postgres() -> Iterator[DebianPostgres]:
    """ONE server from Debian's binaries for the session, migrated (debian_postgres.py)."""
    bindir = debian_bindir()
    if bindir is None:
        reason = (
            "Debian's PostgreSQL server (a major <= 17) is not installed:"
            " `make postgres` (scripts/ensure-postgres.sh) installs it"
        )
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"required on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    server = DebianPostgres.start(bindir)
    yield server
    server.close()


@pytest.fixture(params=list(SERVERS))
def analytics(request: pytest.FixtureRequest) -> PgParams:
    """The session's analytics database on each server in turn, emptied for this test."""
    server = request.getfixturevalue(SERVERS[request.param])
    found: AnalyticsServer = server if isinstance(server, AnalyticsServer) else server.analytics
    return reset_analytics(found.params)
