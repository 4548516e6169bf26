"""The Cloudflare side for real: the Pyodide/Miniflare harness (harness.mjs), driven from pytest.

One harness run loads Pyodide 314 in Node, gets Miniflare's D1/R2/KV/Queue bindings from
``getPlatformProxy`` (schema by ``wrangler d1 migrations apply``) and runs every check in
catalog.py against the ``quizhub.cloudflare`` adapters; each check is one test here. A second,
concurrent run breaks the adapters on purpose and must fail. Skipped only when node_modules is
missing (``npm ci``); missing wheels are a failure (``make pyodide-wheels``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.pyodide import catalog

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
WHEELS = ROOT / "tests" / "pyodide" / ".wheels"
RUN_TIMEOUT_SECONDS = 300
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")
LINE = re.compile(r"^(PASS|FAIL|XFAIL) (\S+?)(?::? (.*))?$")

_MISSING = [
    p
    for p in (
        ".bin/node",
        "pyodide/pyodide.mjs",
        "pyodide/pyodide-lock.json",
        "wrangler/package.json",
    )
    if not (NODE_MODULES / p).exists()
]
pytestmark = pytest.mark.skipif(
    bool(_MISSING), reason=f"node_modules is incomplete ({', '.join(_MISSING)}): run `npm ci`"
)


@dataclass
class HarnessRun:
    returncode: int
    stdout: str
    stderr: str
    results: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (status, detail)
    summary: tuple[int, int] | None = None

    def tail(self, lines: int = 60) -> str:
        out = "\n".join(self.stdout.splitlines()[-lines:])
        err = "\n".join(self.stderr.splitlines()[-20:])
        return f"exit {self.returncode}\n--- stdout (tail)\n{out}\n--- stderr (tail)\n{err}"


def _parse(returncode: int, stdout: str, stderr: str) -> HarnessRun:
    run = HarnessRun(returncode, stdout, stderr)
    lines = stdout.splitlines()
    for line in lines:
        match = LINE.match(line)
        if match:
            run.results[match.group(2)] = (match.group(1), match.group(3) or "")
    last = SUMMARY.match(lines[-1]) if lines else None
    run.summary = (int(last.group(1)), int(last.group(2))) if last else None
    return run


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ROOT / "scripts" / "node.sh"), "node", "tests/pyodide/harness.mjs", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a timeout kills exactly this run
    )


def _finish(process: subprocess.Popen[str]) -> HarnessRun:
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n[killed after {RUN_TIMEOUT_SECONDS}s]"
    return _parse(process.returncode, stdout, stderr)


def _locked_sdk_wheel() -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    [package] = [p for p in lock["package"] if p["name"] == "workers-runtime-sdk"]
    return str(package["wheels"][0]["url"].rsplit("/", 1)[-1])


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, HarnessRun]]:
    """The full run and the deliberately broken run, started together (they share nothing)."""
    wheel = _locked_sdk_wheel()
    if not (WHEELS / wheel).exists():
        pytest.fail(f"{WHEELS / wheel} is missing: run `make pyodide-wheels`")
    full = _start()
    broken = _start("--break", "nulls", "--only", "contract:d1")
    yield {"full": _finish(full), "broken": _finish(broken)}


def test_harness_passes_every_check_on_miniflare(runs: dict[str, HarnessRun]) -> None:
    """One harness run ends with `N passed, 0 failed` (N >= 40) and exit code 0."""
    run = runs["full"]
    assert run.summary is not None, f"no final `N passed, N failed` line\n{run.tail()}"
    passed, failed = run.summary
    assert (failed, run.returncode) == (0, 0), run.tail()
    assert passed >= 40, run.tail()
    assert passed == sum(status == "PASS" for status, _ in run.results.values()), run.tail()


@pytest.mark.parametrize("check_id", catalog.all_check_ids())
def test_check_passes_in_pyodide_against_miniflare(
    runs: dict[str, HarnessRun], check_id: str
) -> None:
    """This contract/store/Cloudflare check passed inside Pyodide against Miniflare's bindings."""
    run = runs["full"]
    if check_id not in run.results:
        pytest.fail(f"the harness did not report {check_id}\n{run.tail()}")
    status, detail = run.results[check_id]
    if status == "XFAIL":
        pytest.xfail(detail)
    assert status == "PASS", f"{check_id}: {detail}\n{run.tail()}"


def test_a_broken_adapter_makes_the_harness_fail(runs: dict[str, HarnessRun]) -> None:
    """With None no longer converted to JS null, the harness reports failures and exits 1."""
    run = runs["broken"]
    assert run.summary is not None, run.tail()
    passed, failed = run.summary
    assert failed >= 1 and run.returncode == 1, run.tail()
    assert run.results["contract:d1:check_null_roundtrips"][0] == "FAIL", run.tail()
    assert "deliberately broken: nulls" in run.stdout


def test_pinned_pydantic_is_the_one_pyodide_ships() -> None:
    """pyproject's `pydantic==X` Worker dependency equals pydantic in Pyodide 314's lock file."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if re.match(r"^pydantic\s*==", d)]
    assert len(pins) == 1, (
        f"pydantic must be pinned exactly once with ==: {project['dependencies']}"
    )
    pinned = pins[0].split("==", 1)[1].strip()
    lock = json.loads((NODE_MODULES / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    assert pinned == lock["packages"]["pydantic"]["version"]
