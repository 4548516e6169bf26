"""Download the pure-Python wheels the Pyodide harness installs (tests/pyodide/.wheels/).

Versions and sha256 hashes come from uv.lock (one source of truth with the dev environment);
pip downloads with ``--require-hashes``. A wheel already present with the right hash is kept,
so repeated runs are offline no-ops. Never commit the wheels (the folder is gitignored).

    .tools/bin/python scripts/fetch-pyodide-wheels.py [DEST]      (or: make pyodide-wheels)
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEST = ROOT / "tests" / "pyodide" / ".wheels"
# Loaded inside Pyodide by the harness. Pure-Python wheels only (py3-none-any).
PACKAGES = ["workers-runtime-sdk"]


def _locked_wheel(lock: dict, name: str) -> tuple[str, str, str]:
    """(version, wheel file name, sha256) of ``name``'s py3-none-any wheel in uv.lock."""
    for package in lock["package"]:
        if package["name"] != name:
            continue
        for wheel in package.get("wheels", []):
            filename = wheel["url"].rsplit("/", 1)[-1]
            if filename.endswith("-none-any.whl"):
                return package["version"], filename, wheel["hash"].removeprefix("sha256:")
        raise SystemExit(f"uv.lock has no pure-Python wheel for {name}")
    raise SystemExit(f"{name} is not in uv.lock (add it to the dev dependency group)")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(dest: Path) -> int:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    dest.mkdir(parents=True, exist_ok=True)
    wanted = {name: _locked_wheel(lock, name) for name in PACKAGES}
    keep = {filename for _, filename, _ in wanted.values()}
    for stale in dest.glob("*.whl"):
        if stale.name not in keep:
            stale.unlink()
    missing = [
        (name, version, digest)
        for name, (version, filename, digest) in wanted.items()
        if not (dest / filename).exists() or _sha256(dest / filename) != digest
    ]
    if missing:
        with tempfile.TemporaryDirectory() as tmp:
            requirements = Path(tmp) / "requirements.txt"
            requirements.write_text(
                "".join(f"{n}=={v} --hash=sha256:{d}\n" for n, v, d in missing), encoding="utf-8"
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--require-hashes",
                    "-r",
                    str(requirements),
                    "-d",
                    str(dest),
                ],
                check=True,
            )
    for name, (version, filename, digest) in wanted.items():
        path = dest / filename
        if not path.exists() or _sha256(path) != digest:
            raise SystemExit(f"{path} is missing or does not match uv.lock's sha256")
        print(f"pyodide wheel ok: {name}=={version} ({filename})")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEST))
