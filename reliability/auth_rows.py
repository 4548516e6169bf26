"""Scorecard row 12: the auth matrix. Every admin operation the app declares (read from its
OpenAPI document, so a new route is in the matrix the day it exists) × every kind of credential:
none, a wrong bearer token, the right token under the wrong scheme, Access tokens that are
expired, for another application or team, badly signed or signed by an unknown key, and the two
valid ones (the bearer token, an Access token). Bad credentials must answer 401; valid ones must
get past the door (no 401/403) and never a 5xx."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from tests.fakes import TOKEN, AccessTeam, FakeClock, run

from quizhub.analytics.pg import PgParams
from quizhub.api.app import create_app
from quizhub.bindings import Settings
from quizhub.domain.samples import minimal_document
from quizhub.edge.access import LEEWAY_S
from quizhub.edge.guard import ADMIN_PREFIX
from quizhub.local.platform import build_platform
from reliability.rows import Row, _tmp, with_examples

__all__ = ["row12_auth_matrix", "admin_operations"]

# Admin operations when row 12 was written (more may come; fewer means the scan broke).
MIN_OPERATIONS = 14
CHECK = "auth matrix: every admin operation × 10 kinds of credential"
Credential = Callable[[AccessTeam], dict[str, str]]


def _access(make: Callable[[AccessTeam], str]) -> Credential:
    return lambda team: {"Cf-Access-Jwt-Assertion": make(team)}


BAD: dict[str, Credential] = {
    "none": lambda team: {},
    "wrong token": lambda team: {"Authorization": "Bearer not-the-token"},
    "wrong scheme": lambda team: {
        "Authorization": "Basic " + base64.b64encode(f"admin:{TOKEN}".encode()).decode()
    },
    "expired JWT": _access(lambda t: t.token(exp=t.clock() // 1000 - LEEWAY_S - 1)),
    "wrong aud": _access(lambda t: t.token(aud=["another-application"])),
    "wrong iss": _access(lambda t: t.token(iss="https://other.cloudflareaccess.com")),
    "bad signature": _access(lambda t: t.token(key=t.stranger)),
    "unknown kid": _access(lambda t: t.token(key=t.stranger, kid="k9")),
}
VALID: dict[str, Credential] = {
    "valid token": lambda team: {"Authorization": f"Bearer {TOKEN}"},
    "valid JWT": _access(lambda t: t.token()),
}


def admin_operations() -> list[tuple[str, str]]:
    """(method, path template) of every admin operation in the app's OpenAPI document."""
    paths: dict[str, dict[str, Any]] = create_app().openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith(ADMIN_PREFIX)
        for method in operations
    )


def _request(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body: dict[str, Any] = {}
    if method == "PUT":
        body = {"json": minimal_document()}
    elif method == "POST":
        body = {"json": {"answers": {}}}
    return client.request(method, path, headers=headers, **body).status_code


def row12_auth_matrix(analytics: PgParams | None = None) -> Row:
    tmp = _tmp()
    clock = FakeClock()
    team = AccessTeam(tmp, clock)
    settings = Settings(admin_token=TOKEN, **team.settings())
    platform = build_platform(
        tmp / "platform", settings, clock_ms=clock, rate_limits=False, analytics=analytics
    )
    try:
        client = TestClient(platform.app(), raise_server_exceptions=False)
        auth = VALID["valid token"](team)
        saved = client.put("/api/admin/tests/auth", json=minimal_document(), headers=auth).json()
        clock.advance(1000)
        run(platform.drain())
        ids = {"test_id": "auth", "job_id": saved["jobId"], "rev": saved["rev"]}
        total, wrong = 0, []
        operations = admin_operations()
        for method, template in operations:
            path = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m[1], "x")), template)
            for name, credential in {**BAD, **VALID}.items():
                status = _request(client, method, path, credential(team))
                ok = status == 401 if name in BAD else status not in (401, 403) and status < 500
                total += 1
                if not ok:
                    wrong.append(f"{method} {template} [{name}] → {status}")
        result = f"{len(operations)} operations × {len(BAD) + len(VALID)} credentials:"
        result += f" {total - len(wrong)}/{total} as expected"
        if len(operations) < MIN_OPERATIONS:  # the matrix must not pass by testing nothing
            wrong.append(f"only {len(operations)} admin operations found in the OpenAPI")
        result = with_examples(result, wrong)
        return Row(
            "12",
            CHECK,
            result,
            "100 % as expected (bad → 401; valid → no 401/403, no 5xx)",
            not wrong,
        )
    finally:
        platform.close()
