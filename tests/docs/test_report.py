"""benchmarks.report: the one writer of measured tables (docs/measured/), with provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.report import (
    MEASURED_DIR,
    OUT_ENV,
    Machine,
    invocation,
    markdown_table,
    measured_dir,
    write_report,
)

MACHINE = Machine(cores=2, memory_bytes=8 * 2**30, python="CPython 3.11.7", system="Linux 6 x86")


def test_a_report_is_a_titled_table_under_its_provenance(tmp_path: Path) -> None:
    table = markdown_table(["metric", "p50"], [("PUT", "0.72 ms"), ("a | b", "1 ms")])
    path = write_report(
        "save-path",
        f"{table}\n\n- a note.",
        command="python -m benchmarks.save_path",
        out=tmp_path,
        when="2026-12-07",
        machine=MACHINE,
    )
    assert path == tmp_path / "save-path.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("<!-- Written by `python -m benchmarks.save_path`")
    assert lines[2] == (
        "*Measured on 2026-12-07 on 2 cores, 8.0 GiB memory, CPython 3.11.7, Linux 6 x86"
        " by `python -m benchmarks.save_path`.*"
    )
    assert lines[4:8] == [
        "| metric | p50 |",
        "|---|---|",
        "| PUT | 0.72 ms |",
        "| a \\| b | 1 ms |",
    ]
    assert lines[-1] == "- a note."


def test_this_machine_and_today_are_the_defaults(tmp_path: Path) -> None:
    path = write_report("x", "| a |\n|---|\n| 1 |", command="python -m x", out=tmp_path)
    provenance = path.read_text(encoding="utf-8").splitlines()[2]
    assert Machine.this().describe() in provenance
    assert Machine.this().cores is not None


def test_the_destination_is_the_argument_then_the_environment_then_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(OUT_ENV, raising=False)
    assert measured_dir() == MEASURED_DIR == Path(__file__).resolve().parents[2] / "docs/measured"
    monkeypatch.setenv(OUT_ENV, str(tmp_path / "env"))
    assert measured_dir() == tmp_path / "env"
    assert measured_dir(tmp_path / "arg") == tmp_path / "arg"
    path = write_report("y", "| a |\n|---|\n| 1 |", command="python -m y")
    assert path == tmp_path / "env" / "y.md"


def test_the_command_is_the_running_one_without_the_interpreter_path() -> None:
    assert invocation(["-m", "benchmarks.save_path", "--puts", "10"]) == (
        "python -m benchmarks.save_path --puts 10"
    )
    assert invocation(["-m", "x", "a b"]) == "python -m x 'a b'"
