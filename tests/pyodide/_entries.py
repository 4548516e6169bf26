"""Helpers of the entry/adapter checks (run inside Pyodide): documents, JS snippets, waiting."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

__all__ = ["document", "js", "js_json", "flaky_env", "entry_env", "with_token", "TOKEN"]

TOKEN = "harness-admin-token"


def document(title: str = "나의 여행 성향 테스트", status: str = "published") -> dict[str, Any]:
    """A valid document as the API would have accepted it (the consumer trusts its signature)."""
    from quizhub.domain.samples import minimal_document

    return minimal_document(title, status=status)


def js(source: str) -> Any:
    from pyodide.code import run_js

    return run_js(source)


def js_json(value: Any) -> Any:
    """A JS value read back through JSON (plain Python values)."""
    return json.loads(str(js("JSON.stringify")(value)))


# The env a Worker gets, with one binding method failing for its next N calls (an outage).
_FLAKY_ENV = """(env, binding, method, failures) => {
  const target = env[binding];
  const flaky = new Proxy(target, { get(t, p) {
    if (p === method && failures > 0) {
      return () => {
        failures -= 1;
        return Promise.reject(new Error(`injected ${binding}.${method} outage`));
      };
    }
    const v = t[p];
    return typeof v === "function" ? v.bind(t) : v;
  } });
  return new Proxy(env, { get(t, p) { return p === binding ? flaky : t[p]; } });
}"""


def flaky_env(raw_env: Any, binding: str, method: str, failures: int) -> Any:
    """``raw_env`` whose ``binding.method`` rejects its next ``failures`` calls."""
    return js(_FLAKY_ENV)(raw_env, binding, method, failures)


def entry_env(raw_env: Any) -> Any:
    """A raw env wrapped the way workerd's SDK wraps ``self.env``."""
    from tests.pyodide.checks_cloudflare import sdk_env

    return sdk_env(raw_env)


def with_token(bindings: Any) -> Any:
    """``bindings`` with an admin token set (the harness loads no secrets)."""
    return replace(bindings, settings=replace(bindings.settings, admin_token=TOKEN))
