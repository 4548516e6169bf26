"""An API client over the real app and local bindings, plus a way to run the consumer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quizhub.api.app import create_app
from quizhub.bindings import Bindings
from quizhub.local.gateway import with_env
from quizhub.pipeline.consumer import handle_batch
from tests.conftest import FakeClock
from tests.fakes import TOKEN, FakeBatch, FakeMessage, local_bindings, run

AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Api:
    """A TestClient plus the bindings behind it."""

    def __init__(self, b: Bindings, clock: FakeClock) -> None:
        self.b = b
        self.clock = clock
        self.client = TestClient(with_env(create_app(), b), raise_server_exceptions=False)
        self.delivered = 0

    def process(self) -> list[FakeMessage]:
        """Deliver every message sent since the last call to the consumer, once."""
        sent = self.b.queue.sent[self.delivered :]  # type: ignore[attr-defined]
        self.delivered += len(sent)
        messages = [FakeMessage(body, id=f"m{i}") for i, body in enumerate(sent)]
        if messages:
            run(handle_batch(FakeBatch(messages), self.b))
        return messages

    def save(self, test_id: str, doc: dict[str, Any]) -> dict[str, Any]:
        """PUT, process, and return the job status."""
        r = self.client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
        assert r.status_code == 202, r.text
        self.clock.advance(1)
        self.process()
        return self.client.get(r.json()["statusUrl"], headers=AUTH).json()


def make_api(tmp_path: Path, clock: FakeClock, **settings: Any) -> Api:
    return Api(local_bindings(tmp_path, clock, **settings), clock)


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    yield make_api(tmp_path, clock)
