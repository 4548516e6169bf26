"""The dev server's admin token: environment first, then .dev.vars, else generated and saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.local.host import ensure_admin_token, read_dev_vars


def test_token_is_generated_once_and_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh checkout gets a random token in .dev.vars; the next start reuses it."""
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    path = tmp_path / ".dev.vars"
    path.write_text("JOB_SECRET=abc")
    token, created = ensure_admin_token(path)
    assert created and len(token) >= 24
    assert read_dev_vars(path) == {"JOB_SECRET": "abc", "ADMIN_TOKEN": token}
    assert ensure_admin_token(path) == (token, False)


def test_environment_token_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ADMIN_TOKEN in the environment overrides .dev.vars and writes nothing."""
    monkeypatch.setenv("ADMIN_TOKEN", "from-env")
    path = tmp_path / ".dev.vars"
    assert ensure_admin_token(path) == ("from-env", False)
    assert not path.exists()
