"""Hostile bodies get a clear 422, never a 500: unpaired surrogates, NaN and deep nesting are
refused where the body is decoded; every API answer says ``nosniff``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizhub.domain.wire import parse_json
from tests.api.conftest import Api, make_api
from tests.conftest import sample_doc
from tests.fakes import AUTH, FakeClock

# Raw JSON text: json.dumps cannot write a lone surrogate without escaping it, so the bodies are
# spelled out as a client would send them.
LONE = "\\udc00"


@pytest.fixture
def api(tmp_path: Path, clock: FakeClock) -> Iterator[Api]:
    api = make_api(tmp_path, clock)
    yield api
    api.platform.close()


def _post(api: Api, path: str, text: str, **headers: str) -> tuple[int, dict]:
    r = api.client.post(
        path, content=text.encode(), headers={"Content-Type": "application/json", **headers}
    )
    return r.status_code, r.json()


def test_an_unpaired_surrogate_in_compute_answers_is_422(api: Api) -> None:
    """As an option id and as a question id: the body did not decode as Unicode text."""
    api.save("travel", sample_doc())
    for body in (f'{{"answers":{{"q1":"{LONE}"}}}}', f'{{"answers":{{"{LONE}":"a"}}}}'):
        status, error = _post(api, "/api/tests/travel/compute", body)
        assert status == 422, error
        assert error["error"]["details"][0]["type"] == "json_invalid"
        assert "surrogate" in error["error"]["message"]


@pytest.mark.parametrize("field", ["title", "description"])
def test_an_unpaired_surrogate_in_a_saved_document_is_422_and_nothing_is_queued(
    api: Api, field: str
) -> None:
    """A PUT whose title or result description holds a lone surrogate is refused up front."""
    doc = sample_doc()
    if field == "title":
        doc["title"] = "SURROGATE"
    else:
        doc["results"][0]["description"] = "SURROGATE"
    text = json.dumps(doc, ensure_ascii=False).replace("SURROGATE", f"여행{LONE}")
    r = api.client.put(
        "/api/admin/tests/travel",
        content=text.encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"] == [
        {
            "loc": ["body"],
            "msg": "not valid JSON: text holds an unpaired surrogate (not Unicode text)",
            "type": "json_invalid",
            "ctx": {"error": "text holds an unpaired surrogate (not Unicode text)"},
        }
    ]
    assert api.sent == []


def test_a_paired_surrogate_escape_is_ordinary_text(api: Api) -> None:
    """An emoji written as a surrogate pair escape saves like any other text."""
    doc = sample_doc()
    doc["title"] = "EMOJI"
    text = json.dumps(doc, ensure_ascii=False).replace("EMOJI", "여행 \\ud83d\\ude00")
    r = api.client.put(
        "/api/admin/tests/travel",
        content=text.encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 202, r.text


def test_deeply_nested_play_events_are_422(api: Api) -> None:
    """A thousand nested arrays: the decoder's depth is a 422, not a RecursionError."""
    status, error = _post(api, "/api/events", "[" * 1000 + "]" * 1000)
    assert status == 422, error
    assert error["error"]["details"][0] == {
        "loc": ["body"],
        "msg": "nested too deeply",
        "type": "json_invalid",
        "ctx": {"error": "nested too deeply"},
    }


def test_nested_bodies_elsewhere_are_422_too(api: Api) -> None:
    """The same body on a route FastAPI decodes (compute) and on the admin save."""
    api.save("travel", sample_doc())
    deep = '{"answers":' + "[" * 5000 + "]" * 5000 + "}"
    assert _post(api, "/api/tests/travel/compute", deep)[0] == 422
    r = api.client.put(
        "/api/admin/tests/travel",
        content=deep.encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_not_json(constant: str) -> None:
    """Python's decoder admits NaN and Infinity; the API's does not."""
    with pytest.raises(ValueError, match="not a JSON number"):
        parse_json(f'{{"at": {constant}}}')


def test_every_api_answer_says_nosniff(api: Api) -> None:
    """JSON answers, the app's errors and the front door's refusals alike."""
    api.save("travel", sample_doc())
    answers = [
        api.client.get("/api/tests"),
        api.client.get("/api/tests/travel"),
        api.client.get("/api/tests/no-such-test"),
        api.client.get("/api/no-such-endpoint"),
        api.client.put("/api/admin/tests/travel", json=sample_doc()),  # 401 from the guard
        api.client.post(
            "/api/tests/travel/compute", content=b"{", headers={"Content-Type": "application/json"}
        ),
    ]
    assert [r.status_code for r in answers] == [200, 200, 404, 404, 401, 422]
    assert all(r.headers.get("x-content-type-options") == "nosniff" for r in answers)
