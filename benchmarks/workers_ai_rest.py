"""``env.AI`` for ``make eval-search EMBEDDER=workers-ai``: Workers AI over its REST API.

The search quality bar is set for production's model (``@cf/baai/bge-m3``), which runs only on
Cloudflare. This client lets the eval embed through the real model from any machine with an
account and the network, so the quality table and the no-answer cut can be measured on it:

    CLOUDFLARE_ACCOUNT_ID=… CLOUDFLARE_API_TOKEN=… make eval-search EMBEDDER=workers-ai

The token needs the "Workers AI: Read" permission. Only the eval uses this; the Workers call the
``AI`` binding.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from quizhub.search.vectors import EMBEDDING_MODEL

__all__ = ["WorkersAiRest", "MissingCredentials", "ACCOUNT_VAR", "TOKEN_VAR", "run_url"]

ACCOUNT_VAR = "CLOUDFLARE_ACCOUNT_ID"
TOKEN_VAR = "CLOUDFLARE_API_TOKEN"
_RUN_URL = "https://api.cloudflare.com/client/v4/accounts/{account}/ai/run/{model}"
TIMEOUT_S = 30.0

# (url, body, headers) -> the decoded JSON answer; swapped in tests.
Post = Callable[[str, bytes, Mapping[str, str]], dict[str, Any]]


class MissingCredentials(RuntimeError):
    """The account id or the API token is not in the environment."""


def run_url(account: str, model: str) -> str:
    return _RUN_URL.format(account=account, model=model)


def _post(url: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:  # Cloudflare's error bodies say what is wrong
        answer = json.loads(exc.read() or b"{}")
        answer.setdefault("success", False)
        answer.setdefault("errors", [{"message": f"HTTP {exc.code}"}])
    return answer


class WorkersAiRest:
    """``await run(model, {"text": [...]})`` → ``{"shape": [n, d], "data": [[...], ...]}``, as
    the binding answers (production's model, and so production's cut:
    ``quizhub.search.vectors.VECTOR_CUTS[EMBEDDING_MODEL]``)."""

    model = EMBEDDING_MODEL

    def __init__(self, account: str, token: str, *, post: Post = _post) -> None:
        self._account = account
        self._token = token
        self._post = post

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **kwargs: Any) -> WorkersAiRest:
        missing = [name for name in (ACCOUNT_VAR, TOKEN_VAR) if not env.get(name)]
        if missing:
            raise MissingCredentials(
                f"set {' and '.join(missing)} to embed with Workers AI (an API token with the "
                "'Workers AI: Read' permission), or run the eval with the local model"
            )
        return cls(env[ACCOUNT_VAR], env[TOKEN_VAR], **kwargs)

    async def run(self, model: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        body = json.dumps({"text": list(inputs["text"])}, ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"}
        answer = await asyncio.to_thread(self._post, run_url(self._account, model), body, headers)
        if not answer.get("success"):
            errors = "; ".join(str(e.get("message", e)) for e in answer.get("errors") or [])
            raise RuntimeError(f"Workers AI refused {model}: {errors or 'no reason given'}")
        result: dict[str, Any] = answer["result"]
        return result
