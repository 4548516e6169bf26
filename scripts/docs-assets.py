"""Swagger UI for /api/docs, served by us (offline, under our CSP) instead of from a CDN.

Fetches the pinned ``swagger-ui-dist`` tarball with ``npm pack`` (one file from the npm
registry; no install scripts run), checks it against the pinned sha512 integrity and extracts
the few files the docs page loads into ``public/docs/vendor/`` (gitignored): the static assets
of both platforms. A no-op when that version is already there.

    python3 scripts/docs-assets.py        (make dev / make install / make deploy run it)
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "swagger-ui-dist"
VERSION = "5.35.0"
INTEGRITY = (
    "sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE"
    "/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
)
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE")
TARGET = Path(__file__).resolve().parent.parent / "public" / "docs" / "vendor"
MARKER = TARGET / ".version"


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def main() -> int:
    if MARKER.exists() and MARKER.read_text(encoding="utf-8").strip() == VERSION:
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("scripts/docs-assets.py: npm is missing (install Node.js)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        if _integrity(tarball) != INTEGRITY:
            print(f"scripts/docs-assets.py: {tarball.name} fails its integrity", file=sys.stderr)
            return 1
        TARGET.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for name in FILES:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise SystemExit(f"scripts/docs-assets.py: {name} is not in {tarball.name}")
                (TARGET / name).write_bytes(member.read())
    MARKER.write_text(VERSION + "\n", encoding="utf-8")
    print(f"Swagger UI {VERSION} assets in {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
