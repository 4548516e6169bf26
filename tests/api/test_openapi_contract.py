"""The OpenAPI contract the docs and scorecard row 11 (schemathesis) rely on: error statuses,
security schemes, request bodies and examples; the answers that used to disagree with it; and
request bodies parsed by the models whose schemas are published."""

from __future__ import annotations

from typing import Any

import jsonschema_rs  # a dependency of schemathesis (the test group)

from quizhub.domain.samples import EXAMPLE_TEST_ID, minimal_document
from tests.api.conftest import AUTH, Api
from tests.conftest import sample_doc


def test_the_spec_declares_errors_security_bodies_and_examples(api: Api) -> None:
    """By-id routes list 404, admin routes 401 and both security schemes; the upload has a body;
    the save's example is the minimal document under the example id."""
    spec = api.client.get("/api/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cloudflareAccess"]["type"] == "apiKey"
    assert schemes["cloudflareAccess"]["name"].lower() == "cf-access-jwt-assertion"
    put = spec["paths"]["/api/admin/tests/{test_id}"]["put"]
    assert {"bearerAuth": []} in put["security"] and {"cloudflareAccess": []} in put["security"]
    assert {"202", "401", "413", "422"} <= set(put["responses"])
    assert "links" in put["responses"]["202"]
    error = put["responses"]["422"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    for path in ("/api/tests/{test_id}", "/api/admin/jobs/{job_id}", "/api/images/{key}"):
        assert "404" in spec["paths"][path]["get"]["responses"], path
    upload = spec["paths"]["/api/admin/images"]["post"]["requestBody"]["content"]
    assert {"image/png", "multipart/form-data"} <= set(upload)
    example = put["requestBody"]["content"]["application/json"]["schema"]["examples"][0]
    assert example["title"] == minimal_document()["title"]
    assert put["parameters"][0]["schema"]["examples"] == [EXAMPLE_TEST_ID]
    saved = api.client.put(f"/api/admin/tests/{EXAMPLE_TEST_ID}", json=example, headers=AUTH)
    assert saved.status_code in (200, 202), saved.text


def test_allow_names_every_method_of_the_path(api: Api) -> None:
    """A 405 names GET, DELETE and PUT for a test, not only the first route's method."""
    r = api.client.request("PATCH", "/api/admin/tests/travel", headers=AUTH)
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"DELETE", "GET", "HEAD", "PUT"}


def test_an_undecodable_body_is_422_like_malformed_json(api: Api) -> None:
    """Bytes that are not UTF-8 JSON: 422 invalid naming the body (FastAPI alone says 400)."""
    r = api.client.post(
        "/api/tests/travel/compute",
        content=b"\x80 not UTF-8",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["body"], r.text


def test_scores_of_whole_floats_are_integers_and_compute_needs_answers(api: Api) -> None:
    """2.0 is the integer 2 (JSON Schema's integer); 2.5 is not; compute without answers is 422."""
    body = minimal_document()
    body["questions"][0]["options"][0]["scores"] = {"planner": 2.0}
    assert api.client.put("/api/admin/tests/floats", json=body, headers=AUTH).status_code in (
        200,
        202,
    )
    body["questions"][0]["options"][0]["scores"] = {"planner": 2.5}
    assert api.client.put("/api/admin/tests/floats", json=body, headers=AUTH).status_code == 422
    r = api.client.post("/api/tests/travel/compute", json={})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == ["answers"]


def test_retry_and_restore_take_exactly_the_bodies_their_published_schemas_describe(
    api: Api,
) -> None:
    """The retry and restore bodies are parsed by the models OpenAPI publishes: a body the
    schema accepts is accepted (202), any other is 422; no body at all is accepted too."""
    spec = api.client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    first = api.save("travel", sample_doc("하나"))
    api.save("travel", sample_doc("둘", baseRev=first["rev"]))
    lost = api.save("travel", sample_doc("셋", baseRev=first["rev"]))
    current = api.client.get("/api/admin/tests/travel", headers=AUTH).json()["rev"]
    routes = {
        "RetryBody": ("/api/admin/jobs/{job_id}/retry", f"/api/admin/jobs/{lost['jobId']}/retry"),
        "RestoreBody": (
            "/api/admin/tests/{test_id}/versions/{rev}/restore",
            f"/api/admin/tests/travel/versions/{first['rev']}/restore",
        ),
    }
    bodies: list[Any] = [
        {},
        {"baseRev": None},
        {"baseRev": current},
        {"baseRev": current.lower()},
        {"baseRev": 123},
        {"baseRev": current, "other": 1},
        {"other": 1},
        [],
    ]
    for name, (template, url) in routes.items():
        published = spec["paths"][template]["post"]["requestBody"]
        assert published.get("required", False) is False, name
        body_schema = published["content"]["application/json"]["schema"]
        assert {"$ref": f"#/components/schemas/{name}"} in body_schema["anyOf"], name
        schema = jsonschema_rs.Draft202012Validator(schemas[name])
        assert api.client.post(url, headers=AUTH).status_code == 202, name
        for body in bodies:
            r = api.client.post(url, json=body, headers=AUTH)
            assert r.status_code == (202 if schema.is_valid(body) else 422), (name, body, r.text)
            if r.status_code == 422:
                assert r.json()["error"]["code"] == "invalid"
