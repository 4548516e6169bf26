"""``.dev.vars`` (wrangler's local secrets file): read it, and create an admin token when absent."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["read_dev_vars", "ensure_admin_token"]


def read_dev_vars(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (quotes stripped, comments ignored)."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def ensure_admin_token(path: Path) -> tuple[str, bool]:
    """ADMIN_TOKEN from the environment, else .dev.vars, else a new one saved to .dev.vars.

    Returns (token, created).
    """
    if token := os.environ.get("ADMIN_TOKEN"):
        return token, False
    if token := read_dev_vars(path).get("ADMIN_TOKEN"):
        return token, False
    token = secrets.token_urlsafe(24)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    prefix = "" if not existing or existing.endswith("\n") else "\n"
    path.write_text(f"{existing}{prefix}ADMIN_TOKEN={token}\n", encoding="utf-8")
    path.chmod(0o600)
    return token, True
