"""Runs the project-SQL checks (``checks_store``, ``checks_jobs``, ``checks_listing``,
``checks_purges``) on local D1.

The same checks run on Miniflare's D1 inside the Pyodide harness (tests/pyodide), so the
repositories' SQL is proven on both engines.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quizhub.local.d1 import LocalD1

from . import checks_jobs, checks_listing, checks_purges, checks_store

ROOT = Path(__file__).resolve().parents[2]


def _checks() -> list[Any]:
    return [
        pytest.param(check, id=name)
        for module in (checks_store, checks_jobs, checks_listing, checks_purges)
        for name, check in inspect.getmembers(module, inspect.iscoroutinefunction)
        if name.startswith("check_") and check.__module__ == module.__name__
    ]


@pytest.fixture
def migrated_d1(tmp_path: Path) -> Iterator[LocalD1]:
    db = LocalD1(tmp_path / "d1.sqlite", migrations_dir=ROOT / "migrations")
    db.apply_migrations()
    yield db
    db.close()


@pytest.mark.parametrize("check", _checks())
def test_store_sql_honours_the_contract_on_local_d1(
    check: Callable[[Any], Any], migrated_d1: LocalD1
) -> None:
    """Each project-SQL check passes on the local D1 with the migrations applied."""
    asyncio.run(check(migrated_d1))


def test_store_checks_are_collected() -> None:
    """The collector finds the store checks (a rename must not silently drop them)."""
    assert len(_checks()) >= 20
