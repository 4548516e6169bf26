"""The local platform's data directory: what lives there, and a check before anything opens it.

A damaged or half-missing data dir must never become an empty site served as healthy, nor a
place that answers 202 to saves it cannot commit. So, before the bindings open their files:

- a **record** file (D1, R2's index, the save queue, the workflow engine) that is not a sound
  SQLite database stops the platform with ``DataDirError`` naming the file and what to do;
- a record file missing while other records exist is the same error (a missing ``d1.sqlite``
  would otherwise be re-created empty and the site would look new);
- a **derived** file (the KV cache, the vector index) that is damaged is moved aside
  (``<name>.damaged``) and rebuilt: KV refills from D1 + R2 on the next reads, the vector index
  with ``python -m quizhub.local reindex`` (logged).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from quizhub.local.r2 import INDEX_FILE

__all__ = [
    "D1_FILE",
    "R2_DIR",
    "R2_INDEX",
    "KV_FILE",
    "QUEUE_FILE",
    "WORKFLOWS_FILE",
    "VECTORS_FILE",
    "RECORDS",
    "DERIVED",
    "DataDirError",
    "check_data_dir",
]

log = logging.getLogger(__name__)

D1_FILE = "d1.sqlite"
R2_DIR = "r2"
R2_INDEX = f"{R2_DIR}/{INDEX_FILE}"
KV_FILE = "kv.sqlite"
QUEUE_FILE = "queue.sqlite"
WORKFLOWS_FILE = "workflows.sqlite"
VECTORS_FILE = "vectors.sqlite"

# File → what it holds. Records are the truth; derived files are rebuilt from them.
RECORDS = {
    D1_FILE: "D1: tests, jobs and versions",
    R2_INDEX: "R2: the index of stored documents",
    QUEUE_FILE: "the save queue: accepted saves not yet applied",
    WORKFLOWS_FILE: "the workflow engine's instances",
}
# Files every platform creates (the workflow engine's only in workflow mode).
_ALWAYS = (D1_FILE, R2_INDEX, QUEUE_FILE)
DERIVED = {
    KV_FILE: "the KV read cache (refills from D1 + R2)",
    VECTORS_FILE: "the vector search index (rebuild: python -m quizhub.local reindex)",
}


class DataDirError(RuntimeError):
    """The data dir cannot be opened safely; the message names the file and what to do."""


def _damage(path: Path) -> str | None:
    """Why ``path`` is not a sound SQLite database (None: it is)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if result is None or result[0] != "ok":
        return f"integrity check: {result[0] if result else 'no answer'}"
    return None


def _advice(data_dir: Path) -> str:
    return (
        f"restore it from a backup, or start fresh by moving {data_dir} away"
        " (make dev then seeds the demo tests again)"
    )


def _vector_dimensions(path: Path) -> int | None:
    """The dimension count a vector index file was built for (None: not recorded)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM settings WHERE name = 'dimensions'").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return int(row[0]) if row is not None else None


def _move_aside(path: Path, suffix: str) -> Path:
    aside = path.with_name(path.name + suffix)
    for journal in ("-wal", "-shm"):
        path.with_name(path.name + journal).unlink(missing_ok=True)
    path.replace(aside)
    return aside


def check_data_dir(data_dir: Path, *, vector_dimensions: int | None = None) -> list[str]:
    """Raise ``DataDirError`` for a damaged or half-missing record; move damaged derived files
    aside, and a vector index built for another embedding model (not ``vector_dimensions``
    dimensions). Returns what was moved (for the log, the tests and the dev server, which
    then queues a reindex)."""
    present = [name for name in _ALWAYS if (data_dir / name).exists()]
    missing = [name for name in _ALWAYS if name not in present]
    if present and missing:
        gone = ", ".join(f"{name} ({RECORDS[name]})" for name in missing)
        raise DataDirError(
            f"data dir {data_dir} is incomplete: {gone} missing while"
            f" {', '.join(present)} exist; {_advice(data_dir)}"
        )
    for name, holds in RECORDS.items():
        path = data_dir / name
        if path.exists() and (why := _damage(path)) is not None:
            raise DataDirError(
                f"data file {path} ({holds}) is damaged ({why}); {_advice(data_dir)}"
            )
    moved = []
    for name, holds in DERIVED.items():
        path = data_dir / name
        if present and not path.exists():
            log.warning("%s (%s) is missing: it starts empty", path, holds)
        if path.exists() and (why := _damage(path)) is not None:
            aside = _move_aside(path, ".damaged")
            log.warning(
                "%s (%s) was damaged (%s): moved to %s and rebuilt", path, holds, why, aside
            )
            moved.append(name)
    vectors = data_dir / VECTORS_FILE
    if vector_dimensions is not None and vectors.exists():
        built = _vector_dimensions(vectors)
        if built is not None and built != vector_dimensions:
            aside = _move_aside(vectors, f".{built}d")
            log.warning(
                "%s holds %d-dimension vectors of another embedding model (this one has %d):"
                " moved to %s; a reindex rebuilds it",
                vectors,
                built,
                vector_dimensions,
                aside,
            )
            moved.append(VECTORS_FILE)
    return moved
