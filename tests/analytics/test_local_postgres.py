"""The local side of the analytics Postgres: connection URLs both ways, the command that
migrates it, and the dev server's banner line."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizhub.analytics.pg import PgParams
from quizhub.bindings import Settings
from quizhub.local.host import _cli
from quizhub.local.host._seed import Seeded
from quizhub.local.host._server import banner


@pytest.mark.parametrize(
    "url",
    [
        "postgres://quiz:p%40ss@db.example:6543/analytics",
        "postgres://postgres@/quizhub_analytics?host=/tmp/pg-socket",
    ],
)
def test_a_url_reads_back_to_the_same_params(url: str) -> None:
    """TCP and Unix-socket URLs; ``describe`` never shows the password."""
    params = PgParams.from_url(url)
    assert PgParams.from_url(params.url()) == params
    assert "p@ss" not in params.describe() and "p%40ss" not in params.describe()


def test_a_url_of_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="postgres://"):
        PgParams.from_url("mysql://root@localhost/db")


@pytest.mark.usefixtures("cli_settings")
def test_analytics_migrate_uses_the_database_the_variable_names(
    analytics: PgParams,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``python -m quizhub.local analytics-migrate`` with ANALYTICS_DATABASE_URL starts
    nothing: it migrates that server (already up to date here) and says where."""
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", analytics.url())
    assert _cli.main(["analytics-migrate", "--data-dir", str(tmp_path)]) == 0
    assert analytics.describe() in capsys.readouterr().out
    assert not (tmp_path / "postgres").exists()


def test_the_banner_says_where_the_analytics_database_is() -> None:
    """make dev prints it next to the data directory."""
    text = banner(
        "http://127.0.0.1:8787",
        Path("/data"),
        Settings(admin_token="t"),
        "",
        Seeded(),
        "postgres://postgres@/quizhub_analytics?host=/data/postgres (embedded PostgreSQL)",
    )
    assert "▸ analytics     postgres://postgres@/quizhub_analytics" in text
