"""Demo content: Korean tests saved through the real pipeline on the first run only."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from quizhub.domain.document import parse_document
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.accept import accept_save

__all__ = ["DEMO_FILE", "seed_demo_tests"]

DEMO_FILE = Path(__file__).with_name("demo_tests.json")
_MARKER = ".seeded"


async def seed_demo_tests(platform: LocalPlatform, *, force: bool = False) -> int:
    """Save every demo test (steps inline) unless this data directory was seeded before."""
    marker = platform.data_dir / _MARKER
    if marker.exists() and not force:
        return 0
    b = platform.bindings
    inline = replace(b, settings=replace(b.settings, save_mode="sync"))
    demos = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    for test_id, raw in demos.items():
        accepted = await accept_save(inline, test_id, parse_document(raw).content(), None)
        if not accepted.job or accepted.job["status"] != "succeeded":
            raise RuntimeError(f"seeding {test_id} failed: {accepted.job}")
    marker.write_text(f"{len(demos)} demo tests\n", encoding="utf-8")
    return len(demos)
