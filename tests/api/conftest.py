"""An API client over the real app and local bindings, plus a way to run the consumer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quizhub.api.app import create_app
from quizhub.bindings import Bindings
from quizhub.errors import NonRetryableError
from quizhub.local.host import with_env
from quizhub.local.workflows import LocalWorkflowBinding, LocalWorkflowEngine
from quizhub.pipeline.consumer import handle_batch
from quizhub.pipeline.workflow import run_save_workflow
from tests.conftest import FakeClock
from tests.fakes import TOKEN, FakeBatch, FakeMessage, local_bindings, run

AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Api:
    """A TestClient plus the bindings behind it (and the workflow engine in workflow mode)."""

    def __init__(self, b: Bindings, clock: FakeClock, engine: Any = None) -> None:
        self.b = b
        self.clock = clock
        self.engine = engine
        self.client = TestClient(with_env(create_app(), b), raise_server_exceptions=False)
        self.delivered = 0

    def process(self) -> list[FakeMessage]:
        """Deliver every message sent since the last call to the consumer, once."""
        sent = self.b.queue.sent[self.delivered :]  # type: ignore[attr-defined]
        self.delivered += len(sent)
        messages = [FakeMessage(body, id=f"m{i}") for i, body in enumerate(sent)]
        if messages:
            run(handle_batch(FakeBatch(messages), self.b))
        if self.engine is not None:
            run(self._run_instances())
        return messages

    async def _run_instances(self) -> None:
        while await self.engine.tick():
            pass

    def save(self, test_id: str, doc: dict[str, Any]) -> dict[str, Any]:
        """PUT, process, and return the job status."""
        r = self.client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
        assert r.status_code == 202, r.text
        self.clock.advance(1)
        self.process()
        return self.client.get(r.json()["statusUrl"], headers=AUTH).json()


def make_api(tmp_path: Path, clock: FakeClock, **settings: Any) -> Api:
    b = local_bindings(tmp_path, clock, **settings)
    if settings.get("save_mode") != "workflow":
        return Api(b, clock)
    engine = LocalWorkflowEngine(tmp_path / "workflows.sqlite", clock_ms=clock)
    b = replace(b, workflow=LocalWorkflowBinding(engine, "save-test"))

    async def run_fn(event: Any, step: Any) -> Any:
        return await run_save_workflow(event, step, b, NonRetryableError)

    engine.register("save-test", run_fn)
    return Api(b, clock, engine)


@pytest.fixture(params=["queue", "workflow"])
def api(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    """The API in queue mode and in workflow mode: both must pass the same end-to-end tests."""
    yield make_api(tmp_path, clock, save_mode=request.param)
