"""pywrangler's lock: pylock.toml pins what `make deploy` vendors to the versions uv.lock tested.

pywrangler re-resolves ``[project.dependencies]`` for Pyodide before each deploy and keeps the
versions an existing pylock.toml names; without the file starlette, anyio and the rest would be
whatever is newest that day. scripts/pylock.py derives the file from uv.lock (docs/deploy-lock.md).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pywrangler.resolve import InstallPlan
from pywrangler.utils import LOCKFILE_NAME
from scripts import pylock

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "pylock.toml"


def _uv_lock_closure() -> tuple[dict[str, str], set[str]]:
    return pylock.runtime_closure(tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8")))


def _write_dist(site: Path, name: str, version: str) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


def test_the_lock_is_the_file_pywrangler_resolves_into_at_the_project_root() -> None:
    assert LOCK.name == LOCKFILE_NAME and LOCK.is_file()


def test_every_package_pywrangler_vendors_has_uv_locks_version() -> None:
    """pywrangler's own reading of the lock (the plan it installs into python_modules/) is the
    runtime closure of [project.dependencies] in uv.lock: the same names, the same versions,
    nothing built from a local source."""
    expected, _ = _uv_lock_closure()
    plan = InstallPlan(LOCK)
    vendored = {pylock.canonical(name): version for name, version in plan.requirements}
    assert vendored == expected
    assert plan.local_packages == []
    # The pins of pyproject.toml are in it as written (workers-runtime-sdk, pydantic, …).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name, version = requirement.split("==")
        assert vendored[pylock.canonical(name)] == version
    assert {"starlette", "anyio"} <= set(vendored)


@pytest.mark.skipif(
    not pylock.UV.exists(), reason="the project's uv is missing: run `make install`"
)
def test_the_committed_lock_is_what_uv_lock_derives() -> None:
    """`make pylock` writes exactly the committed file (uv export of the runtime dependencies):
    after changing uv.lock, the lock is regenerated, never edited by hand."""
    assert LOCK.read_text(encoding="utf-8") == pylock.derived()


def test_a_vendored_version_that_drifted_from_uv_lock_stops_the_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make deploy` checks python_modules/ after pywrangler's sync: uv.lock's versions pass;
    a different version, a stray package or a missing one exit 1, naming it."""
    expected, _ = _uv_lock_closure()
    for name, version in expected.items():
        _write_dist(tmp_path / "ok", name, version)
    assert pylock.main(["--vendored", str(tmp_path / "ok")]) == 0

    drifted = {**expected, "idna": "99.0", "left-pad": "1.0"}
    del drifted["starlette"]
    for name, version in drifted.items():
        _write_dist(tmp_path / "drifted", name, version)
    capsys.readouterr()
    assert pylock.main(["--vendored", str(tmp_path / "drifted")]) == 1
    err = capsys.readouterr().err
    assert f"idna 99.0: uv.lock has {expected['idna']}" in err
    assert "left-pad 1.0: not a runtime dependency in uv.lock" in err
    assert f"starlette {expected['starlette']}: missing" in err


def test_the_runtime_closure_follows_extras_and_knows_conditional_packages() -> None:
    """A dependency's extra pulls in its optional dependencies; a package reached only through
    an environment marker may be absent from a Pyodide install, every other one must be there."""
    uv_lock = {
        "package": [
            {
                "name": "app",
                "version": "0.1.0",
                "dependencies": [
                    {"name": "web", "extra": ["fast"]},
                    {"name": "Old_Backport", "marker": "python_full_version < '3.11'"},
                ],
            },
            {
                "name": "web",
                "version": "2.0",
                "dependencies": [{"name": "core"}],
                "optional-dependencies": {"fast": [{"name": "speedups"}]},
            },
            {"name": "core", "version": "1.1"},
            {"name": "speedups", "version": "3.0"},
            {"name": "old-backport", "version": "1.0"},
            {"name": "unrelated", "version": "5.0"},
        ]
    }
    versions, required = pylock.runtime_closure(uv_lock, project="app")
    assert versions == {
        "web": "2.0",
        "core": "1.1",
        "speedups": "3.0",
        "old-backport": "1.0",
    }
    assert required == {"web", "core", "speedups"}
    assert pylock.disagreements({"web": "2.0", "core": "1.1"}, versions, required) == [
        "speedups 3.0: missing"
    ]
