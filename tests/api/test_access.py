"""Cloudflare Access: an editor's Access token opens the admin API and names the author of the
jobs and versions they save; a token that is expired, for another application or team, badly
signed or signed by an unknown key is a 401 that says which; the bearer token can be switched
off. Tokens are real RS256 JWTs signed with a key generated here; the keys come from a JWKS file,
as ``CF_ACCESS_JWKS_FILE`` gives them locally."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from quizhub.access import LEEWAY_S
from tests.api.conftest import AUTH, Api, make_api
from tests.conftest import sample_doc
from tests.fakes import FakeClock

TEAM = "quizhub-test.cloudflareaccess.com"
AUD = "aud-tag-of-the-admin-application"
EDITOR = "editor@quizhub.example"


@dataclass
class Team:
    """A signing key whose public half is in the team's JWKS file, and one that is not."""

    key: Any
    stranger: Any
    jwks: Path
    clock: FakeClock

    def token(self, *, key: Any = None, kid: str = "k1", **claims: Any) -> str:
        now = self.clock() // 1000
        body = {"aud": [AUD], "iss": f"https://{TEAM}", "email": EDITOR, "iat": now}
        body |= {"nbf": now, "exp": now + 600, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid})


def _jwk(key: Any, kid: str) -> dict[str, Any]:
    public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "alg": "RS256", "use": "sig"}


@pytest.fixture(scope="module")
def keys() -> tuple[Any, Any]:
    return tuple(rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in "ab")  # type: ignore[return-value]


@pytest.fixture
def team(tmp_path: Path, clock: FakeClock, keys: tuple[Any, Any]) -> Team:
    jwks = tmp_path / "certs.json"
    jwks.write_text(json.dumps({"keys": [_jwk(keys[0], "k1")]}), encoding="utf-8")
    return Team(keys[0], keys[1], jwks, clock)


def _api(tmp_path: Path, team: Team, **settings: Any) -> Api:
    return make_api(
        tmp_path / "platform",
        team.clock,
        cf_access_team_domain=TEAM,
        cf_access_aud=AUD,
        access_jwks_file=str(team.jwks),
        **settings,
    )


@pytest.fixture
def api(tmp_path: Path, team: Team) -> Iterator[Api]:
    api = _api(tmp_path, team)
    yield api
    api.platform.close()


def _as(token: str) -> dict[str, str]:
    return {"Cf-Access-Jwt-Assertion": token}


def test_an_access_token_saves_and_names_the_author_of_job_and_version(
    api: Api, team: Team
) -> None:
    r = api.client.put("/api/admin/tests/travel", json=sample_doc(), headers=_as(team.token()))
    assert r.status_code == 202, r.text
    team.clock.advance(1000)
    api.process()
    job = api.client.get(f"/api/admin/jobs/{r.json()['jobId']}", headers=_as(team.token()))
    assert job.json()["status"] == "succeeded" and job.json()["author"] == EDITOR
    versions = api.client.get("/api/admin/tests/travel/versions", headers=AUTH).json()
    assert [v["author"] for v in versions["items"]] == [EDITOR]


def test_the_bearer_token_still_works_and_leaves_no_author(api: Api) -> None:
    job = api.save("travel", sample_doc())
    assert job["status"] == "succeeded" and job["author"] is None


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda t: t.token(exp=t.clock() // 1000 - LEEWAY_S - 1), "expired (exp)"),
        (lambda t: t.token(nbf=t.clock() // 1000 + LEEWAY_S + 60), "not valid yet (nbf)"),
        (lambda t: t.token(aud=["another-application"]), "issued for another application"),
        (lambda t: t.token(iss="https://other.cloudflareaccess.com"), "another team (iss)"),
        (lambda t: t.token(key=t.stranger), "bad signature"),
        (lambda t: t.token(key=t.stranger, kid="k9"), "unknown signing key"),
        (lambda t: t.token(email=None), "no email"),
        (lambda t: "not-a-jwt", "not a JWT"),
        (lambda t: jwt.encode({"aud": AUD}, "s" * 32, algorithm="HS256"), "only RS256"),
    ],
    ids=["expired", "early", "aud", "iss", "signature", "kid", "email", "garbage", "hs256"],
)
def test_a_bad_access_token_is_a_401_saying_why(
    api: Api, team: Team, make: Any, reason: str
) -> None:
    r = api.client.get("/api/admin/tests", headers=_as(make(team)))
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["code"] == "unauthorized" and reason in error["message"], error


def test_a_token_within_the_leeway_is_accepted(api: Api, team: Team) -> None:
    late = team.token(exp=team.clock() // 1000 - LEEWAY_S + 5)
    assert api.client.get("/api/admin/tests", headers=_as(late)).status_code == 200


def test_a_rotated_key_is_fetched_again(api: Api, team: Team, keys: tuple[Any, Any]) -> None:
    """Access rotates keys: a token naming a new kid makes the verifier read the JWKS again
    (after the refresh interval)."""
    assert api.client.get("/api/admin/tests", headers=_as(team.token())).status_code == 200
    both = [_jwk(keys[0], "k1"), _jwk(keys[1], "k2")]
    team.jwks.write_text(json.dumps({"keys": both}), encoding="utf-8")
    team.clock.advance(60_000)
    rotated = team.token(key=team.stranger, kid="k2")
    assert api.client.get("/api/admin/tests", headers=_as(rotated)).status_code == 200


def test_with_the_bearer_token_switched_off_only_access_gets_in(tmp_path: Path, team: Team) -> None:
    api = _api(tmp_path, team, admin_token_disabled=True)
    try:
        refused = api.client.get("/api/admin/tests", headers=AUTH)
        assert refused.status_code == 401
        assert "Cloudflare Access" in refused.json()["error"]["message"]
        assert api.client.get("/api/admin/tests", headers=_as(team.token())).status_code == 200
    finally:
        api.platform.close()


def test_access_limits_count_per_editor_not_per_shared_token(api: Api, team: Team) -> None:
    """Two editors each get their own admin write window."""
    from quizhub.ratelimits import ADMIN_WRITES

    first, second = team.token(), team.token(email="second@quizhub.example")
    for i in range(ADMIN_WRITES.limit):
        r = api.client.put(f"/api/admin/tests/t{i}", json=sample_doc(), headers=_as(first))
        assert r.status_code == 202, r.text
    over = api.client.put("/api/admin/tests/over", json=sample_doc(), headers=_as(first))
    assert over.status_code == 429
    other = api.client.put("/api/admin/tests/over", json=sample_doc(), headers=_as(second))
    assert other.status_code == 202
