"""A document's size limit is on the document as stored (defaults included), and a document sent
back exactly as GET returned it always fits through the front door."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.domain.document import parse_document
from quizhub.domain.wire import DOCUMENT_LIMIT, json_bytes
from tests.api.conftest import Api, make_api
from tests.conftest import sample_doc
from tests.fakes import AUTH, FakeClock


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    api = make_api(tmp_path, clock)
    yield api
    api.platform.close()


def _stored_size(doc: dict[str, Any]) -> int:
    return len(json_bytes(parse_document(doc).content()))


def document_stored_at(size: int) -> dict[str, Any]:
    """A valid document whose stored form is exactly ``size`` bytes, sent without the defaults
    (question images, empty option scores) the stored form adds: its body is smaller."""
    doc = sample_doc(description="")
    scores = [{"planner": 1}, {"free": 1}]
    doc["questions"] = [
        {
            "id": f"q{q}",
            "text": "질" * 500,
            "options": [
                {"id": f"o{o}", "text": "가" * 500, **({"scores": scores[o]} if o < 2 else {})}
                for o in range(10)
            ],
        }
        for q in range(100)
    ]
    # Trim whole questions until the rest fits, then pad the description to the exact size.
    while _stored_size(doc) > size - 10:
        doc["questions"].pop()
    doc["description"] = "a" * (size - _stored_size(doc))
    assert _stored_size(doc) == size
    return doc


def _put(api: Api, test_id: str, body: bytes) -> Any:
    headers = {**AUTH, "Content-Type": "application/json"}
    return api.client.put(f"/api/admin/tests/{test_id}", content=body, headers=headers)


def test_the_largest_document_saves_and_goes_back_exactly_as_get_returned_it(api: Api) -> None:
    """A 1 MiB document (as stored) saves; GET answers it with its rev and timestamps, larger
    than 1 MiB; that answer PUT back unchanged is accepted and saves again (it once was a 413)."""
    doc = document_stored_at(DOCUMENT_LIMIT)
    sent = json_bytes(doc)
    assert len(sent) < DOCUMENT_LIMIT  # the defaults are added when it is stored
    first = _put(api, "big", sent)
    assert first.status_code == 202, first.text
    api.clock.advance(1000)
    api.process()
    assert api.job(first.json()["jobId"])["status"] == "succeeded"
    got = api.client.get("/api/admin/tests/big", headers=AUTH)
    assert got.status_code == 200 and len(got.content) > DOCUMENT_LIMIT
    again = _put(api, "big", got.content)
    assert again.status_code == 202, again.text
    api.clock.advance(1000)
    api.process()
    job = api.job(again.json()["jobId"])
    assert job["status"] == "succeeded", job
    assert (
        json.loads(api.client.get("/api/admin/tests/big", headers=AUTH).content)["rev"]
        == (again.json()["rev"])
    )


def test_a_document_over_the_limit_as_stored_is_413_saying_its_size(api: Api) -> None:
    """A body under the front door's limit whose stored form (defaults added) is over 1 MiB is
    refused before anything is queued, with its size and the limit."""
    doc = document_stored_at(DOCUMENT_LIMIT + 1)
    r = _put(api, "too-big", json_bytes(doc))
    assert r.status_code == 413, r.text
    error = r.json()["error"]
    assert error["code"] == "document_too_large"
    assert error["params"] == {"limit": DOCUMENT_LIMIT, "size": DOCUMENT_LIMIT + 1}
    assert error["details"] == error["params"]
    assert "as stored" in error["message"]
    assert api.sent == []
