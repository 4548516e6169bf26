"""Demo content: Korean tests saved through the real pipeline on the first run only."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from quizhub.domain.document import parse_document
from quizhub.domain.preconditions import Precondition
from quizhub.local.platform import LocalPlatform
from quizhub.pipeline.accept import accept_save

__all__ = ["DEMO_FILE", "Seeded", "seed_demo_tests"]

DEMO_FILE = Path(__file__).with_name("demo_tests.json")
_MARKER = ".seeded"


@dataclass(frozen=True)
class Seeded:
    """How many demo tests a seed run saved, by status."""

    published: int = 0
    drafts: int = 0

    @property
    def total(self) -> int:
        return self.published + self.drafts

    def describe(self) -> str:
        """``"6 demo tests (5 published, 1 draft)"``."""
        drafts = f"{self.drafts} draft" + ("" if self.drafts == 1 else "s")
        return f"{self.total} demo tests ({self.published} published, {drafts})"


async def seed_demo_tests(platform: LocalPlatform, *, force: bool = False) -> Seeded:
    """Save every demo test (steps inline) unless this data directory was seeded before."""
    marker = platform.data_dir / _MARKER
    if marker.exists() and not force:
        return Seeded()
    b = platform.bindings
    inline = replace(b, settings=replace(b.settings, save_mode="sync"))
    demos = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    counts = {"published": 0, "draft": 0}
    for test_id, raw in demos.items():
        content = parse_document(raw).content()
        accepted = await accept_save(inline, test_id, content, Precondition())
        if not accepted.job or accepted.job.status != "succeeded":
            raise RuntimeError(f"seeding {test_id} failed: {accepted.job}")
        counts[content["status"]] += 1
    seeded = Seeded(published=counts["published"], drafts=counts["draft"])
    marker.write_text(seeded.describe() + "\n", encoding="utf-8")
    return seeded
