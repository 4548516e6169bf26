"""Cloudflare Access: an editor's Access token opens the admin API and names the author of the
jobs and versions they save; a token that is expired, for another application or team, badly
signed or signed by an unknown key is a 401 that says which; the bearer token can be switched
off. Tokens are real RS256 JWTs signed with a key generated here; the keys come from a JWKS file,
as ``CF_ACCESS_JWKS_FILE`` gives them locally."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import FrozenInstanceError, fields
from pathlib import Path
from typing import Any

import jwt
import pytest

from quizhub.bindings import ConfigError, settings_from_vars
from quizhub.edge.access import LEEWAY_S
from quizhub.edge.ratelimits import ADMIN_WRITES
from tests.api.conftest import AUTH, Api, make_api
from tests.api.test_public_read import tiny_png
from tests.conftest import sample_doc
from tests.fakes import ACCESS_AUD, ACCESS_TEAM, EDITOR, AccessTeam, FakeClock


@pytest.fixture
def team(tmp_path: Path, clock: FakeClock) -> AccessTeam:
    return AccessTeam(tmp_path, clock)


def _api(tmp_path: Path, team: AccessTeam, **settings: Any) -> Api:
    return make_api(tmp_path / "platform", team.clock, **team.settings(), **settings)


@pytest.fixture
def api(tmp_path: Path, team: AccessTeam) -> Iterator[Api]:
    api = _api(tmp_path, team)
    yield api
    api.platform.close()


def _as(token: str) -> dict[str, str]:
    return {"Cf-Access-Jwt-Assertion": token}


def test_an_access_token_saves_and_names_the_author_of_job_and_version(
    api: Api, team: AccessTeam
) -> None:
    r = api.client.put("/api/admin/tests/travel", json=sample_doc(), headers=_as(team.token()))
    assert r.status_code == 202, r.text
    team.clock.advance(1000)
    api.process()
    job = api.client.get(f"/api/admin/jobs/{r.json()['jobId']}", headers=_as(team.token()))
    assert job.json()["status"] == "succeeded" and job.json()["author"] == EDITOR
    versions = api.client.get("/api/admin/tests/travel/versions", headers=AUTH).json()
    assert [v["author"] for v in versions["items"]] == [EDITOR]


def test_the_editor_is_request_scoped_never_part_of_the_platforms_bindings(
    api: Api, team: AccessTeam
) -> None:
    """An Access save, then a bearer save: each job names its own author (the first request's
    editor never leaks into the next), and the shared bindings carry no editor at all."""
    first = api.client.put("/api/admin/tests/a", json=sample_doc(), headers=_as(team.token()))
    second = api.client.put("/api/admin/tests/b", json=sample_doc(), headers=AUTH)
    upload = api.client.post(
        "/api/admin/images",
        content=tiny_png(),
        headers={**_as(team.token()), "Content-Type": "image/png"},
    )
    assert {first.status_code, second.status_code, upload.status_code} == {202}
    team.clock.advance(1000)
    api.process()
    authors = [
        api.client.get(f"/api/admin/jobs/{r.json()['jobId']}", headers=AUTH).json()["author"]
        for r in (first, second, upload)
    ]
    assert authors == [EDITOR, None, EDITOR]
    assert "editor" not in {f.name for f in fields(api.b)}
    with pytest.raises(FrozenInstanceError):
        api.b.db = api.b.db  # type: ignore[misc]  # the platform's ports are built once


def test_the_bearer_token_still_works_and_leaves_no_author(api: Api) -> None:
    job = api.save("travel", sample_doc())
    assert job["status"] == "succeeded" and job["author"] is None


def _raw_token(team: AccessTeam, claim: str) -> str:
    """A correctly signed token whose claims are written as raw JSON text: ``1e400`` decodes to
    infinity and ``true`` to a bool, neither of which is a time."""
    import jwt.api_jws

    now = team.clock() // 1000
    valid = f'"aud":["{ACCESS_AUD}"],"iss":"https://{ACCESS_TEAM}","email":"{EDITOR}"'
    times = {"nbf": f'"nbf":{now}', "exp": f'"exp":{now + 600}'}
    times[claim[1:4]] = claim
    payload = "{" + ",".join([valid, *times.values()]) + "}"
    return jwt.api_jws.encode(payload.encode(), team.key, algorithm="RS256", headers={"kid": "k1"})


@pytest.mark.parametrize(
    ("make", "reason", "slug"),
    [
        (lambda t: t.token(exp=t.clock() // 1000 - LEEWAY_S - 1), "expired (exp)", "expired"),
        (
            lambda t: t.token(nbf=t.clock() // 1000 + LEEWAY_S + 60),
            "not valid yet (nbf)",
            "not_yet_valid",
        ),
        (
            lambda t: t.token(aud=["another-application"]),
            "issued for another application",
            "audience",
        ),
        (
            lambda t: t.token(iss="https://other.cloudflareaccess.com"),
            "another team (iss)",
            "issuer",
        ),
        (lambda t: t.token(key=t.stranger), "bad signature", "signature"),
        (lambda t: t.token(key=t.stranger, kid="k9"), "unknown signing key", "unknown_key"),
        (lambda t: t.token(email=None), "no email", "no_email"),
        (lambda t: t.token(exp=float("nan")), "malformed JWT", "malformed"),
        (lambda t: t.token(exp=float("inf")), "malformed JWT", "malformed"),
        (lambda t: _raw_token(t, '"exp":1e400'), "expired (exp)", "expired"),
        (lambda t: _raw_token(t, '"exp":true'), "expired (exp)", "expired"),
        (lambda t: _raw_token(t, '"nbf":-1e400'), "not valid yet (nbf)", "not_yet_valid"),
        (lambda t: "not-a-jwt", "not a JWT", "not_jwt"),
        (
            lambda t: jwt.encode({"aud": ACCESS_AUD}, "s" * 32, algorithm="HS256"),
            "only RS256",
            "algorithm",
        ),
    ],
    ids=[
        *("expired", "early", "aud", "iss", "signature", "kid", "email"),
        *("exp-nan", "exp-infinity", "exp-overflow", "exp-true", "nbf-overflow"),
        *("garbage", "hs256"),
    ],
)
def test_a_bad_access_token_is_a_401_saying_why(
    api: Api, team: AccessTeam, make: Any, reason: str, slug: str
) -> None:
    """The message says why in English; code and params say it for clients."""
    r = api.client.get("/api/admin/tests", headers=_as(make(team)))
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["code"] == "access_denied" and reason in error["message"], error
    assert error["params"] == {"reason": slug}


def test_a_token_within_the_leeway_is_accepted(api: Api, team: AccessTeam) -> None:
    late = team.token(exp=team.clock() // 1000 - LEEWAY_S + 5)
    assert api.client.get("/api/admin/tests", headers=_as(late)).status_code == 200


def test_a_rotated_key_is_fetched_again(api: Api, team: AccessTeam) -> None:
    """Access rotates keys: a token naming a new kid makes the verifier read the JWKS again
    (after the refresh interval)."""
    assert api.client.get("/api/admin/tests", headers=_as(team.token())).status_code == 200
    team.publish({"k1": team.key, "k2": team.stranger})
    team.clock.advance(60_000)
    rotated = team.token(key=team.stranger, kid="k2")
    assert api.client.get("/api/admin/tests", headers=_as(rotated)).status_code == 200


def test_with_the_bearer_token_switched_off_only_access_gets_in(
    tmp_path: Path, team: AccessTeam
) -> None:
    api = _api(tmp_path, team, admin_token_disabled=True)
    try:
        refused = api.client.get("/api/admin/tests", headers=AUTH)
        assert refused.status_code == 401
        assert "Cloudflare Access" in refused.json()["error"]["message"]
        assert api.client.get("/api/admin/tests", headers=_as(team.token())).status_code == 200
    finally:
        api.platform.close()


def test_access_limits_count_per_editor_not_per_shared_token(api: Api, team: AccessTeam) -> None:
    """Two editors each get their own admin write window."""
    first, second = team.token(), team.token(email="second@quizhub.example")
    for i in range(ADMIN_WRITES.limit):
        r = api.client.put(f"/api/admin/tests/t{i}", json=sample_doc(), headers=_as(first))
        assert r.status_code == 202, r.text
    over = api.client.put("/api/admin/tests/over", json=sample_doc(), headers=_as(first))
    assert over.status_code == 429
    other = api.client.put("/api/admin/tests/over", json=sample_doc(), headers=_as(second))
    assert other.status_code == 202


@pytest.mark.parametrize(
    "written",
    [
        ACCESS_TEAM,
        f"https://{ACCESS_TEAM}",
        f"https://{ACCESS_TEAM}/",
        f"  HTTPS://{ACCESS_TEAM.upper()}/ ",
    ],
)
def test_the_team_domain_may_be_written_as_cloudflare_writes_it(
    tmp_path: Path, team: AccessTeam, written: str
) -> None:
    """``https://<team>.cloudflareaccess.com`` (Cloudflare's examples) and the bare host name
    are the same team: tokens issued by it are accepted either way."""
    values = {
        "ADMIN_TOKEN": "t",
        "CF_ACCESS_TEAM_DOMAIN": written,
        "CF_ACCESS_AUD": ACCESS_AUD,
    }
    settings = settings_from_vars(lambda name: values.get(name, ""))
    assert settings.cf_access_team_domain == ACCESS_TEAM
    overrides = {**team.settings(), "cf_access_team_domain": settings.cf_access_team_domain}
    api = make_api(tmp_path / "platform", team.clock, **overrides)
    try:
        r = api.client.get("/api/admin/tests", headers=_as(team.token()))
        assert r.status_code == 200, r.text
    finally:
        api.platform.close()


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"CF_ACCESS_TEAM_DOMAIN": "http://t.example/x", "CF_ACCESS_AUD": "a"}, "team's domain"),
        ({"CF_ACCESS_TEAM_DOMAIN": "team", "CF_ACCESS_AUD": "a"}, "team's domain"),
        ({"CF_ACCESS_TEAM_DOMAIN": "team.cloudflareaccess.com"}, "needs both"),
        ({"CF_ACCESS_AUD": "aud"}, "needs both"),
    ],
    ids=["path-and-http", "bare-word", "no-aud", "no-domain"],
)
def test_an_unusable_access_setting_is_refused_in_one_line(
    values: dict[str, str], says: str
) -> None:
    """Another scheme, a path, a bare word or half of the pair: refused when the settings are
    read (the server does not start), in one line naming the variable."""
    with pytest.raises(ConfigError, match=says) as refused:
        settings_from_vars(lambda name: values.get(name, ""))
    assert "\n" not in str(refused.value) and "CF_ACCESS" in str(refused.value)
