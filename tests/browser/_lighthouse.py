"""Lighthouse (npm ``lighthouse``, pinned in package.json) against a page of the dev server, in
Debian's Chromium, with its default configuration: the mobile preset (a Moto G-class screen,
simulated slow 4G and a 4× slower CPU). ``make test`` gates SEO, Accessibility and Best Practices
on it (tests/browser/test_lighthouse.py); ``make bench`` reports Performance, which is too noisy
on a shared machine for a gate (benchmarks/lighthouse_bench.py)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT

__all__ = ["CLI", "GATES", "CATEGORIES", "available", "audit", "scores", "shortfalls"]

# LIGHTHOUSE_CLI: another checkout's cli/index.js (a machine whose node_modules is shared).
CLI = Path(os.environ.get("LIGHTHOUSE_CLI", ROOT / "node_modules/lighthouse/cli/index.js"))
NODE = ROOT / "node_modules" / ".bin" / "node"
# The lowest score each gated category may have (Lighthouse scores are 0..1).
GATES = {"seo": 1.0, "accessibility": 1.0, "best-practices": 0.95}
CATEGORIES = ("performance", *GATES)
_TIMEOUT_S = 240


def available() -> str | None:
    """None when Lighthouse can run here, else why not."""
    if not NODE.exists():
        return f"no Node 22 at {NODE} (npm ci)"
    if not CLI.exists():
        return f"Lighthouse is not installed at {CLI} (npm ci installs package.json's)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def audit(url: str) -> dict[str, Any]:
    """The Lighthouse report (JSON, as a dict) of ``url``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
        cmd = [str(NODE), str(CLI), url, "--quiet", "--output=json", f"--output-path={out}"]
        cmd += [f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}"]
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        done = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse exited {done.returncode}: {done.stderr[-2000:]}")
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def scores(report: dict[str, Any]) -> dict[str, float]:
    """Each category's score (0..1)."""
    return {name: float(c["score"] or 0) for name, c in report["categories"].items()}


def shortfalls(report: dict[str, Any], category: str) -> list[str]:
    """The weighted audits of ``category`` that did not pass, as ``id: title``."""
    audits = report["audits"]
    return [
        f"{ref['id']}: {audits[ref['id']]['title']}"
        for ref in report["categories"][category]["auditRefs"]
        if ref["weight"] > 0 and (audits[ref["id"]]["score"] or 0) < 1
    ]
