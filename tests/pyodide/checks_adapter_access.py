"""``adapter.access``: Cloudflare Access tokens verified through WebCrypto in Pyodide
(``WebCryptoSignatureCheck``: the JWK dict crosses to ``crypto.subtle.importKey``, the signature
and message cross as bytes). The token is signed on the JS side with a key WebCrypto generates,
so the Python verification path is checked against an independent signer."""

from __future__ import annotations

import json
from typing import Any

from tests.pyodide._entries import js

_TEAM = "harness.cloudflareaccess.com"
_AUD = "harness-aud"
_NOW_MS = 1_800_000_000_000

# (claims) => {token, jwk}: an RS256 JWT signed by a fresh RSA key, and that key's public JWK.
_SIGNER = """async (claims) => {
  const alg = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048,
                publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pair = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
  const part = (value) => b64(new TextEncoder().encode(JSON.stringify(value)));
  const input = part({ alg: "RS256", kid: "k1", typ: "JWT" }) + "." + part(JSON.parse(claims));
  const signature = await crypto.subtle.sign(alg.name, pair.privateKey,
                                             new TextEncoder().encode(input));
  return { token: input + "." + b64(new Uint8Array(signature)),
           jwk: JSON.stringify({ ...jwk, kid: "k1" }) };
}"""


async def _signed(**claims: Any) -> tuple[str, dict[str, Any]]:
    body = {"aud": [_AUD], "iss": f"https://{_TEAM}", "email": "editor@quizhub.example"}
    body |= {"exp": _NOW_MS // 1000 + 600, **claims}
    out = await js(_SIGNER)(json.dumps(body))
    return str(out.token), json.loads(str(out.jwk))


def _verifier(jwk: dict[str, Any]) -> Any:
    from quizhub.bindings import AccessConfig
    from quizhub.cloudflare.access import WebCryptoSignatureCheck
    from quizhub.edge.access import AccessVerifier

    async def keys() -> list[dict[str, Any]]:
        return [jwk]

    config = AccessConfig(_TEAM, _AUD)
    return AccessVerifier(config, keys, WebCryptoSignatureCheck(), lambda: _NOW_MS)


async def check_a_webcrypto_signed_token_names_the_editor(h: Any) -> None:
    token, jwk = await _signed()
    assert await _verifier(jwk).identity(token) == "editor@quizhub.example"


async def check_a_tampered_payload_fails_the_signature(h: Any) -> None:
    from quizhub.errors import Unauthorized

    token, jwk = await _signed()
    header, _, signature = token.split(".")
    _, other = (await _signed(email="intruder@quizhub.example"))[0].split(".")[:2]
    try:
        await _verifier(jwk).identity(f"{header}.{other}.{signature}")
    except Unauthorized as exc:
        assert "bad signature" in exc.message
    else:
        raise AssertionError("a token with a swapped payload was accepted")


async def check_a_key_webcrypto_refuses_verifies_nothing(h: Any) -> None:
    from quizhub.cloudflare.access import WebCryptoSignatureCheck

    check = WebCryptoSignatureCheck()
    assert await check.verify_rs256({"kty": "RSA", "n": "AA", "e": "AQAB"}, b"m", b"s") is False
