"""What a job row keeps of a merge (docs/merge.md#the-job-row): conflicts and paths, bounded
so that a row stays small whatever the documents hold."""

from __future__ import annotations

from typing import Any

from quizhub.domain.merge import Conflict, as_json
from quizhub.domain.wire import json_text

__all__ = [
    "bounded_conflicts",
    "bounded_paths",
    "MAX_CONFLICTS",
    "MAX_VALUE_CHARS",
    "MAX_PATHS",
]

# At most this many conflicts, each value at most this many characters (longer ones are cut,
# and the row says so), at most this many paths per side.
MAX_CONFLICTS = 20
MAX_VALUE_CHARS = 200
MAX_PATHS = 100


def _shorten(value: Any, chars: int) -> tuple[Any, bool]:
    if isinstance(value, str) and len(value) > chars:
        return value[:chars] + "…", True
    if isinstance(value, dict | list) and len(text := json_text(value)) > chars:
        return text[:chars] + "…", True  # its JSON text, cut
    return as_json(value), False


def bounded_conflicts(
    conflicts: list[Conflict], *, limit: int = MAX_CONFLICTS, chars: int = MAX_VALUE_CHARS
) -> dict[str, Any]:
    """What a job row keeps: ``{"items": [{path, base, live, incoming, truncated?}], "total"}``,
    the first ``limit`` conflicts with values over ``chars`` characters cut (``truncated``)."""
    items = []
    for conflict in conflicts[:limit]:
        row: dict[str, Any] = {"path": conflict.path}
        cut = False
        for side in ("base", "live", "incoming"):
            row[side], shortened = _shorten(getattr(conflict, side), chars)
            cut = cut or shortened
        if cut:
            row["truncated"] = True
        items.append(row)
    return {"items": items, "total": len(conflicts)}


def bounded_paths(paths: list[str], limit: int = MAX_PATHS) -> tuple[list[str], bool]:
    """The first ``limit`` paths, and whether any were left out."""
    return paths[:limit], len(paths) > limit
