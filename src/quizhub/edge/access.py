"""Editors are people: Cloudflare Access identifies them to the admin API.

With ``CF_ACCESS_TEAM_DOMAIN`` and ``CF_ACCESS_AUD`` set, an admin request may carry Access's
``Cf-Access-Jwt-Assertion``: an RS256 JWT signed by a key of the team's JWKS
(``https://<team>/cdn-cgi/access/certs``; locally ``CF_ACCESS_JWKS_FILE`` names a JWKS file).
The claims are checked here, once, for every platform: ``aud`` holds the application's AUD,
``iss`` is the team's URL, ``exp``/``nbf`` hold with ``LEEWAY_S`` of leeway, and the token names
an ``email`` (the editor: the author of jobs and versions). Only the RS256 signature check is a
port: WebCrypto (``crypto.subtle``) on Cloudflare, PyJWT on CPython.

Keys are cached per isolate and fetched again when a token names an unknown ``kid`` (Access
rotates its keys), at most once every ``REFRESH_EVERY_MS``.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeGuard

from quizhub.bindings import AccessConfig
from quizhub.domain.wire import parse_json
from quizhub.errors import Code, Unauthorized

__all__ = [
    "HEADER",
    "LEEWAY_S",
    "SignatureCheck",
    "KeySource",
    "AccessVerifier",
    "jwks_keys",
]

HEADER = "cf-access-jwt-assertion"


def jwks_keys(document: Any) -> list[dict[str, Any]]:
    """The keys of a JWKS document (``{"keys": [...]}``), anything that is not one left out."""
    keys = document.get("keys", []) if isinstance(document, dict) else []
    return [k for k in keys if isinstance(k, dict)]


LEEWAY_S = 60
REFRESH_EVERY_MS = 30_000


class SignatureCheck(Protocol):
    """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with a public JWK."""

    async def verify_rs256(self, jwk: dict[str, Any], message: bytes, signature: bytes) -> bool:
        """True when ``signature`` signs ``message`` under ``jwk``."""
        ...


KeySource = Callable[[], Awaitable[list[dict[str, Any]]]]  # the JWKS's "keys"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _seconds(value: Any) -> TypeGuard[int | float]:
    """A NumericDate: a finite number (``true``, ``NaN`` and ``Infinity`` are not times; a
    comparison with NaN is always false, so an unchecked one would pass every test)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _denied(reason: str, why: str) -> Unauthorized:
    """``reason``: the machine's (``Code.ACCESS_DENIED``'s param); ``why``: the English one."""
    message = f"Cloudflare Access token rejected: {why}"
    return Unauthorized(message, code=Code.ACCESS_DENIED, params={"reason": reason})


class AccessVerifier:
    """``await identity(token)`` → the editor's email, or Unauthorized saying why not."""

    def __init__(
        self,
        config: AccessConfig,
        keys: KeySource,
        check: SignatureCheck,
        clock_ms: Callable[[], int],
    ) -> None:
        self.config = config
        self._fetch_keys = keys
        self._check = check
        self._clock_ms = clock_ms
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: int | None = None

    async def _key(self, kid: str) -> dict[str, Any]:
        now = self._clock_ms()
        stale = self._fetched_at is None or now - self._fetched_at >= REFRESH_EVERY_MS
        if kid not in self._keys and stale:
            self._keys = {str(k.get("kid")): k for k in await self._fetch_keys()}
            self._fetched_at = now
        if kid not in self._keys:
            raise _denied("unknown_key", f"unknown signing key {kid[:40]!r}")
        return self._keys[kid]

    async def identity(self, token: str) -> str:
        """Verify ``token`` (signature, then claims); the editor's email."""
        parts = token.strip().split(".")
        if len(parts) != 3:
            raise _denied("not_jwt", "not a JWT")
        try:
            header, claims = parse_json(_b64(parts[0])), parse_json(_b64(parts[1]))
            signature = _b64(parts[2])
        except (ValueError, binascii.Error):
            raise _denied("malformed", "malformed JWT") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise _denied("malformed", "malformed JWT")
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise _denied("algorithm", "only RS256 tokens with a key id are accepted")
        jwk = await self._key(header["kid"])
        message = f"{parts[0]}.{parts[1]}".encode("ascii")
        if not await self._check.verify_rs256(jwk, message, signature):
            raise _denied("signature", "bad signature")
        return self._claims(claims)

    def _claims(self, claims: dict[str, Any]) -> str:
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.audience not in audiences:
            raise _denied("audience", "issued for another application (aud)")
        if claims.get("iss") != self.config.issuer:
            raise _denied("issuer", "issued by another team (iss)")
        now = self._clock_ms() / 1000
        expires, not_before = claims.get("exp"), claims.get("nbf", 0)
        if not _seconds(expires) or now > expires + LEEWAY_S:
            raise _denied("expired", "expired (exp)")
        if not _seconds(not_before) or now < not_before - LEEWAY_S:
            raise _denied("not_yet_valid", "not valid yet (nbf)")
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise _denied("no_email", "no email in the token")
        return email[:254]
