"""Health: the save mode in use and whether D1 (the records) answers."""

from __future__ import annotations

from typing import Any

from quizhub.bindings import Bindings
from quizhub.store.tests import TestsRepo

__all__ = ["health_report"]


async def health_report(b: Bindings) -> dict[str, Any]:
    """``{ok, saveMode}``; ``ok`` false with ``degraded`` naming the cause when D1 does not
    answer (a broken store never looks healthy)."""
    body: dict[str, Any] = {"ok": True, "saveMode": b.settings.save_mode}
    try:
        await TestsRepo(b.db).ping()
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health answer
        body |= {"ok": False, "degraded": [f"D1: {exc}"[:300]]}
    return body
