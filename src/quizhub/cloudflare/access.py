"""Cloudflare Access in the Worker: RS256 through WebCrypto (``crypto.subtle``: compiled
packages such as ``cryptography`` do not load here), keys fetched from the team's certs URL."""

from __future__ import annotations

import json
from typing import Any

from quizhub.bindings import AccessConfig
from quizhub.cloudflare._ffi import js_bytes, to_js
from quizhub.edge.access import KeySource, jwks_keys
from quizhub.errors import Code, Transient
from quizhub.ports import HttpFetch

__all__ = ["WebCryptoSignatureCheck", "jwks_url"]

_RS256 = {"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"}


class WebCryptoSignatureCheck:
    """``SignatureCheck`` with ``crypto.subtle.importKey('jwk', …)`` + ``verify``."""

    async def verify_rs256(self, jwk: dict[str, Any], message: bytes, signature: bytes) -> bool:
        """True when ``signature`` signs ``message`` under ``jwk``."""
        import js

        public = {k: jwk[k] for k in ("kty", "n", "e") if k in jwk}
        try:
            key = await js.crypto.subtle.importKey(
                "jwk", to_js(public), to_js(_RS256), False, to_js(["verify"])
            )
            ok = await js.crypto.subtle.verify(
                _RS256["name"], key, js_bytes(signature), js_bytes(message)
            )
        except Exception:  # noqa: BLE001 - a key WebCrypto refuses verifies nothing
            return False
        return bool(ok)


def jwks_url(config: AccessConfig, fetch: HttpFetch) -> KeySource:
    """A key source fetching the team's JWKS (``https://<team>/cdn-cgi/access/certs``)."""

    async def keys() -> list[dict[str, Any]]:
        status, body = await fetch("GET", config.certs_url, {"Accept": "application/json"}, b"")
        if status != 200:
            raise Transient(
                f"Access certs answered {status}",
                code=Code.ACCESS_KEYS_UNAVAILABLE,
                params={"status": status},
            )
        return jwks_keys(json.loads(body))

    return keys
