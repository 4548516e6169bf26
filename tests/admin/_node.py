"""Running the admin's browser modules under the project's Node (``node_modules/.bin/node``,
Node 22): the modules that touch no DOM (the message catalogue, the field rules) are imported
as they are, by small ``.mjs`` drivers next to the tests."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

NODE = ROOT / "node_modules" / ".bin" / "node"
HERE = Path(__file__).resolve().parent

needs_node = pytest.mark.skipif(
    not NODE.exists(), reason="node_modules/.bin/node is missing: run `npm ci`"
)


def run_driver(name: str, payload: Any) -> Any:
    """``node tests/admin/<name>`` with ``payload`` as JSON on stdin; its JSON output."""
    done = subprocess.run(
        # The browser modules are ES modules in a package without "type": say so, quietly.
        [str(NODE), "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", str(HERE / name)],
        input=json.dumps(payload, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
