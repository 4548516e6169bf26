"""The admin's JavaScript unit tests (``tests/js/*.test.mjs``, Node's own test runner) inside the
Python suite, so ``make test`` runs them: ``node --test`` with the project's Node 22 must pass."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import ROOT

NODE = ROOT / "node_modules" / ".bin" / "node"
# Node 22 takes globs, not directories, as the files to test.
SUITES = "tests/js/**/*.test.mjs"


@pytest.mark.skipif(not NODE.exists(), reason="node_modules is not installed: run `npm ci`")
def test_the_javascript_suites_pass() -> None:
    """Every ``tests/js`` suite passes under ``node --test`` (the output names what failed)."""
    assert list((ROOT / "tests" / "js").glob("*.test.mjs")), "no JavaScript suites found"
    done = subprocess.run(
        [str(NODE), "--test", "--test-reporter=spec", SUITES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout or "ℹ fail 0" in done.stdout, done.stdout[-2000:]
