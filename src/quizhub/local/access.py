"""Cloudflare Access on CPython: RS256 checked by PyJWT (cryptography underneath), keys from
the JWKS file ``CF_ACCESS_JWKS_FILE`` names (tests and local setups; no network)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from quizhub.edge.access import KeySource, jwks_keys

__all__ = ["PyJwtSignatureCheck", "jwks_file"]


class PyJwtSignatureCheck:
    """``SignatureCheck`` with PyJWT's RSA algorithm (RS256)."""

    async def verify_rs256(self, jwk: dict[str, Any], message: bytes, signature: bytes) -> bool:
        """True when ``signature`` signs ``message`` under ``jwk``."""
        try:
            key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        except (InvalidKeyError, ValueError, TypeError):
            return False
        verified: bool = RSAAlgorithm(RSAAlgorithm.SHA256).verify(message, key, signature)  # type: ignore[arg-type]
        return verified


def jwks_file(path: Path) -> KeySource:
    """A key source reading ``path`` (a JWKS document) on every refresh."""

    async def keys() -> list[dict[str, Any]]:
        return jwks_keys(json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8")))

    return keys
