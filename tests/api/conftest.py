"""An API client over the real app and a local platform, plus a way to run its consumers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quizhub.bindings import Bindings
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.names import IMAGE_QUEUE
from tests.fakes import AUTH, FakeClock, make_platform, run, sent


class Api:
    """A TestClient over ``platform.app()``; ``process`` delivers what is due, as Cloudflare
    would."""

    def __init__(self, platform: LocalPlatform, clock: FakeClock) -> None:
        self.platform = platform
        self.clock = clock
        self.client = TestClient(platform.app(), raise_server_exceptions=False)

    def from_address(self, address: str) -> TestClient:
        """A client of the same app whose requests come from ``address`` (the socket's peer: the
        client address the local front door keys per-client limits on)."""
        return TestClient(self.client.app, raise_server_exceptions=False, client=(address, 50000))

    @property
    def b(self) -> Bindings:
        return self.platform.bindings

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Every message the API put on the save queue."""
        return sent(self.b)

    @property
    def sent_images(self) -> list[dict[str, Any]]:
        """Every message the API put on the image queue (uploads, reprocessing)."""
        return sent(self.b, IMAGE_QUEUE)

    def process(self) -> int:
        """Deliver every message due now to the consumers (and run workflow instances)."""
        return run(self.platform.drain())

    def settle(self, rounds: int = 1000) -> None:
        """Deliver everything, moving the fake clock to each retry, until nothing is due."""
        for _ in range(rounds):
            self.process()
            due = self.platform.next_due_ms()
            if due is None:
                return
            self.clock.advance(max(1, due - self.clock()))
        raise AssertionError(f"work still due after {rounds} rounds")

    def save(self, test_id: str, doc: dict[str, Any]) -> dict[str, Any]:
        """PUT, process, and return the job status."""
        r = self.client.put(f"/api/admin/tests/{test_id}", json=doc, headers=AUTH)
        assert r.status_code == 202, r.text
        self.clock.advance(1000)
        self.process()
        return self.job(r.json()["jobId"])

    def job(self, job_id: str) -> dict[str, Any]:
        """``GET /api/admin/jobs/{jobId}``."""
        r = self.client.get(f"/api/admin/jobs/{job_id}", headers=AUTH)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def make_api(tmp_path: Path, clock: FakeClock, **options: Any) -> Api:
    """An ``Api`` over ``make_platform`` (``mode=``, ``wrap=`` and settings as keywords)."""
    return Api(make_platform(tmp_path, clock, **options), clock)


@pytest.fixture(params=["queue", "workflow"])
def api(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    """The API in queue mode and in workflow mode: both must pass the same end-to-end tests."""
    api = make_api(tmp_path, clock, mode=request.param)
    yield api
    api.platform.close()
