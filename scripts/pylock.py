"""pylock.toml, the lock pywrangler vendors from, derived from uv.lock (one source of truth).

pywrangler (workers-py) resolves ``[project.dependencies]`` for Pyodide with ``uv pip compile
… -o pylock.toml`` before every ``deploy``/``dev``, then installs that lock into
``python_modules/``. An existing pylock.toml is what keeps the versions from floating: uv prefers
the versions it pins. So the committed pylock.toml is ``uv export --format pylock.toml`` of the
runtime dependencies (no dependency group, not the project itself) — the versions the tests ran
with — and this script keeps it that way:

    scripts/pylock.py                 write it (only when it changed): `make pylock`
    scripts/pylock.py --check         exit 1 unless the committed file is uv.lock's
    scripts/pylock.py --vendored DIR  exit 1 unless DIR (python_modules/ after `pywrangler
                                      sync`) holds uv.lock's versions, and nothing else

pywrangler rewrites the file during its sync (the same versions, with Pyodide's wheels);
``make deploy`` writes it back afterwards.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from importlib.metadata import distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYLOCK = ROOT / "pylock.toml"
UV_LOCK = ROOT / "uv.lock"
PYPROJECT = ROOT / "pyproject.toml"
UV = ROOT / ".tools" / "bin" / "uv"
# The runtime closure only: no dependency group (serve, test, …) and not quizhub itself (the
# Worker's own code is uploaded from src/, never installed).
EXPORT = [
    "export",
    "--frozen",
    "--format",
    "pylock.toml",
    "--no-default-groups",
    "--no-emit-project",
    "--no-header",
]
HEADER = (
    "# The Workers' vendored packages (pywrangler installs this lock into python_modules/).\n"
    "# Derived from uv.lock by scripts/pylock.py: run `make pylock` after changing uv.lock and\n"
    "# never edit it by hand. tests/deploy/test_pylock.py fails when the two disagree.\n"
)


def derived(uv: Path = UV) -> str:
    """The pylock.toml text uv.lock gives (``uv export``, offline: ``--frozen``)."""
    result = subprocess.run(
        [str(uv), *EXPORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise SystemExit(f"uv export failed:\n{result.stderr.strip()}")
    return HEADER + result.stdout


def canonical(name: str) -> str:
    """A distribution name as package indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(
    uv_lock: Mapping[str, object], project: str = "quizhub"
) -> tuple[dict[str, str], set[str]]:
    """What ``[project.dependencies]`` pulls in according to uv.lock: {name: version} of every
    package reachable from the project's runtime dependencies (extras followed), and the names
    reachable through edges without an environment marker (a Pyodide resolution cannot drop
    those)."""
    packages = uv_lock["package"]
    assert isinstance(packages, list)
    by_name: dict[str, list[dict[str, object]]] = {}
    for package in packages:
        by_name.setdefault(canonical(str(package["name"])), []).append(package)

    def resolve(edge: Mapping[str, object]) -> dict[str, object]:
        candidates = by_name[canonical(str(edge["name"]))]
        if "version" in edge:  # uv.lock names the version when one name has several
            candidates = [c for c in candidates if c["version"] == edge["version"]]
        return candidates[0]

    [root] = by_name[canonical(project)]
    versions: dict[str, str] = {}
    unconditional: set[str] = set()
    stack: list[tuple[dict[str, object], bool]] = [
        (edge, "marker" not in edge) for edge in _edges(root.get("dependencies"))
    ]
    seen: set[tuple[str, str, bool]] = set()
    while stack:
        edge, always = stack.pop()
        package = resolve(edge)
        name, version = canonical(str(package["name"])), str(package["version"])
        extras = tuple(sorted(str(e) for e in _strings(edge.get("extra"))))
        key = (f"{name}[{','.join(extras)}]", version, always)
        if key in seen:
            continue
        seen.add(key)
        if versions.setdefault(name, version) != version:
            raise SystemExit(f"uv.lock pins {name} at {versions[name]} and {version}")
        if always:
            unconditional.add(name)
        children = _edges(package.get("dependencies"))
        optional = package.get("optional-dependencies")
        for extra in extras:
            if isinstance(optional, dict):
                children += _edges(optional.get(extra))
        stack += [(child, always and "marker" not in child) for child in children]
    return versions, unconditional


def _edges(value: object) -> list[dict[str, object]]:
    return [dict(item) for item in value] if isinstance(value, list) else []


def _strings(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def lock_versions(pylock_text: str) -> dict[str, str]:
    """{name: version} of the packages a pylock.toml lists (what pywrangler installs)."""
    data = tomllib.loads(pylock_text)
    return {canonical(p["name"]): str(p.get("version", "")) for p in data.get("packages", [])}


def vendored_versions(directory: Path) -> dict[str, str]:
    """{name: version} of the distributions installed in ``directory`` (python_modules/)."""
    return {
        canonical(str(dist.metadata["Name"])): str(dist.version)
        for dist in distributions(path=[str(directory)])
    }


def disagreements(
    found: Mapping[str, str], expected: Mapping[str, str], required: set[str]
) -> list[str]:
    """Every way ``found`` differs from uv.lock's runtime closure ``expected``: a version that is
    not uv.lock's, a package uv.lock does not pull in, a required package that is missing."""
    out = [
        f"{name} {version}: uv.lock has {expected[name]}"
        if name in expected
        else f"{name} {version}: not a runtime dependency in uv.lock"
        for name, version in sorted(found.items())
        if expected.get(name) != version
    ]
    out += [f"{name} {expected[name]}: missing" for name in sorted(required - set(found))]
    return out


def _expected() -> tuple[dict[str, str], set[str]]:
    return runtime_closure(tomllib.loads(UV_LOCK.read_text(encoding="utf-8")))


def _report(what: str, found: Mapping[str, str]) -> int:
    expected, required = _expected()
    problems = disagreements(found, expected, required)
    if problems:
        print(f"{what} disagrees with uv.lock:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"{what}: {len(found)} packages, each at uv.lock's version")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/pylock.py", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare, write nothing")
    mode.add_argument("--vendored", type=Path, metavar="DIR", help="check installed packages")
    args = parser.parse_args(argv)
    if args.vendored is not None:
        return _report(str(args.vendored), vendored_versions(args.vendored))
    text = derived()
    current = PYLOCK.read_text(encoding="utf-8") if PYLOCK.exists() else ""
    if args.check:
        if current != text:
            print("pylock.toml is not uv.lock's: run `make pylock`", file=sys.stderr)
            return 1
        return _report("pylock.toml", lock_versions(current))
    if current != text:  # an unchanged file keeps its mtime: pywrangler's sync stays valid
        PYLOCK.write_text(text, encoding="utf-8")
        print("pylock.toml written from uv.lock")
    return _report("pylock.toml", lock_versions(text))


if __name__ == "__main__":
    sys.exit(main())
