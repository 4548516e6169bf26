"""Measured tables as Markdown files under ``docs/measured/``, each with its provenance.

Every tool that measures something (``make bench``, ``make bench-push``, ``make eval-search``,
``make reliability``) prints its tables and writes them with ``write_report``: one file per
table, headed by the date, the machine (cores, memory, Python, platform) and the command that
produced it. The documentation pages include these files, so no measured number is typed into
prose by hand. ``QUIZHUB_MEASURED_DIR`` (or a tool's ``--out``) sends the files elsewhere: tests
write into a temporary directory, never over ``docs/``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "MEASURED_DIR",
    "OUT_ENV",
    "Machine",
    "add_out_option",
    "invocation",
    "markdown_table",
    "measured_dir",
    "provenance",
    "write_report",
]

ROOT = Path(__file__).resolve().parents[1]
MEASURED_DIR = ROOT / "docs" / "measured"
OUT_ENV = "QUIZHUB_MEASURED_DIR"


@dataclass(frozen=True)
class Machine:
    """What a number was measured on."""

    cores: int | None
    memory_bytes: int | None
    python: str
    system: str

    @classmethod
    def this(cls) -> Machine:
        return cls(
            cores=os.cpu_count(),
            memory_bytes=_memory_bytes(),
            python=f"{platform.python_implementation()} {platform.python_version()}",
            system=f"{platform.system()} {platform.release()} {platform.machine()}".strip(),
        )

    def describe(self) -> str:
        """``2 cores, 23.4 GiB memory, CPython 3.11.7, Linux 6.1.0 x86_64``."""
        cores = "unknown cores" if self.cores is None else f"{self.cores} cores"
        if self.memory_bytes is None:
            memory = "unknown memory"
        else:
            memory = f"{self.memory_bytes / 2**30:.1f} GiB memory"
        return f"{cores}, {memory}, {self.python}, {self.system}"


def _memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):  # not a POSIX system
        return None


def measured_dir(out: str | os.PathLike[str] | None = None) -> Path:
    """Where reports go: ``out``, else ``$QUIZHUB_MEASURED_DIR``, else ``docs/measured/``."""
    if out:
        return Path(out)
    env = os.environ.get(OUT_ENV)
    return Path(env) if env else MEASURED_DIR


def add_out_option(parser: argparse.ArgumentParser) -> None:
    """The ``--out DIR`` option every measuring tool takes."""
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help=f"write the measured tables here (default: ${OUT_ENV}, else docs/measured/)",
    )


def invocation(argv: Sequence[str] | None = None) -> str:
    """The running command as a reader would type it (``python -m benchmarks.save_path``):
    the interpreter's own arguments (``sys.orig_argv``) without the interpreter's path."""
    args = list(sys.orig_argv[1:] if argv is None else argv)
    return shlex.join(["python", *args])


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; cells are written as given (``|`` inside a cell is escaped)."""

    def line(cells: Iterable[object]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(header), "|" + "---|" * len(header)]
    out += [line(row) for row in rows]
    return "\n".join(out)


def provenance(command: str, when: str, machine: Machine) -> str:
    """The line above every table: when, on what and by which command it was measured."""
    return f"Measured on {when} on {machine.describe()} by `{command}`."


def write_report(
    name: str,
    body: str,
    *,
    command: str | None = None,
    out: str | os.PathLike[str] | None = None,
    when: str | None = None,
    machine: Machine | None = None,
) -> Path:
    """Write ``body`` (tables and the notes that go with them) to ``<dir>/<name>.md`` under its
    provenance line; returns the path. ``when`` defaults to today (UTC), ``machine`` to this one
    and ``command`` to the running command line."""
    command = invocation() if command is None else command
    when = datetime.now(UTC).date().isoformat() if when is None else when
    machine = Machine.this() if machine is None else machine
    directory = measured_dir(out)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.md"
    text = (
        f"<!-- Written by `{command}` (benchmarks/report.py): run it again instead of editing. -->"
        f"\n\n*{provenance(command, when, machine)}*\n\n{body.strip()}\n"
    )
    path.write_text(text, encoding="utf-8")
    return path
