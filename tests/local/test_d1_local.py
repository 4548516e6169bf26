"""Local D1: migrations like wrangler, the JS bridge's bind rules, cross-process use."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from quizhub.local.d1 import D1Error, D1TypeError, LocalD1, split_sql

from .conftest import REPO


def test_migrations_apply_once_and_are_recorded(d1: LocalD1) -> None:
    """The repo's migrations apply on the first call and are a no-op on the second."""
    names = sorted(p.name for p in (REPO / "migrations").glob("*.sql"))
    assert d1.apply_migrations() == names
    assert d1.apply_migrations() == []
    rows = asyncio.run(d1.prepare("SELECT id, name, applied_at FROM d1_migrations").all())
    assert [r["name"] for r in rows["results"]] == names
    assert all(r["applied_at"] for r in rows["results"])
    tables = asyncio.run(
        d1.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'jobs'").first()
    )
    assert tables == {"name": "jobs"}


def test_migrations_table_has_wranglers_shape(d1: LocalD1) -> None:
    """``d1_migrations`` has wrangler's columns, so ``wrangler d1 migrations`` agrees with us."""
    d1.apply_migrations()
    columns = asyncio.run(d1.prepare("PRAGMA table_info(d1_migrations)").all())["results"]
    assert [c["name"] for c in columns] == ["id", "name", "applied_at"]


def test_pending_migrations_apply_in_filename_order(tmp_path: Path) -> None:
    """Files apply sorted by name, later ones seeing the earlier ones' tables."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0002_rows.sql").write_text("INSERT INTO t (v) VALUES ('두 번째');\n")
    (migrations / "0001_table.sql").write_text("-- first\nCREATE TABLE t (v TEXT);\n")
    db = LocalD1(tmp_path / "d1.sqlite", migrations)
    try:
        assert db.apply_migrations() == ["0001_table.sql", "0002_rows.sql"]
        (migrations / "0003_more.sql").write_text("INSERT INTO t (v) VALUES ('세 번째');")
        assert db.apply_migrations() == ["0003_more.sql"]
        assert asyncio.run(db.prepare("SELECT COUNT(*) AS n FROM t").first("n")) == 2
    finally:
        db.close()


def test_failed_migration_is_rolled_back_and_not_recorded(tmp_path: Path) -> None:
    """A migration that fails half-way leaves no table and no d1_migrations row behind."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_bad.sql").write_text("CREATE TABLE half (v TEXT);\nNOT SQL AT ALL;\n")
    db = LocalD1(tmp_path / "d1.sqlite", migrations)
    try:
        with pytest.raises(D1Error, match="0001_bad.sql"):
            db.apply_migrations()
        tables = asyncio.run(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all())
        assert tables["results"] == []
        assert asyncio.run(db.prepare("SELECT COUNT(*) AS n FROM d1_migrations").first("n")) == 0
    finally:
        db.close()


def test_no_migrations_dir_means_nothing_to_apply(tmp_path: Path) -> None:
    """Without a migrations directory ``apply_migrations`` does nothing."""
    db = LocalD1(tmp_path / "d1.sqlite")
    try:
        assert db.apply_migrations() == []
    finally:
        db.close()


@pytest.mark.parametrize("value", [(1, 2), bytearray(b"ab"), {"a": 1}, 2**53, -(2**60), object()])
def test_values_the_js_bridge_refuses_raise_type_error(d1: LocalD1, value: object) -> None:
    """Tuples, bytearrays, dicts and unsafe integers fail at bind time with D1_TYPE_ERROR."""
    with pytest.raises(TypeError, match="^D1_TYPE_ERROR"):
        d1.prepare("SELECT ? AS v").bind(value)
    with pytest.raises(D1TypeError):
        d1.prepare("SELECT ? AS v").bind(value)


def test_blobs_roundtrip_as_lists_of_byte_values(d1: LocalD1) -> None:
    """bytes and byte lists bind as BLOBs and come back as lists of ints, as from D1."""
    row = asyncio.run(d1.prepare("SELECT ?1 AS a, ?2 AS b").bind(b"\x00\xff", [1, 2]).first())
    assert row == {"a": [0, 255], "b": [1, 2]}


def test_transaction_statements_are_refused(d1: LocalD1) -> None:
    """BEGIN/COMMIT are refused as on D1, which wants batch() instead."""
    with pytest.raises(D1Error, match="^D1_ERROR"):
        asyncio.run(d1.prepare("BEGIN TRANSACTION").run())
    with pytest.raises(D1Error):
        asyncio.run(d1.exec("SELECT 1\nCOMMIT"))


def test_more_than_100_bound_parameters_fail(d1: LocalD1) -> None:
    """D1 allows at most 100 bound parameters per query."""
    sql = "SELECT " + ", ".join("?" for _ in range(101))
    with pytest.raises(D1Error, match="too many SQL variables"):
        asyncio.run(d1.prepare(sql).bind(*range(101)).all())
    ok = asyncio.run(
        d1.prepare("SELECT " + ", ".join("?" for _ in range(100))).bind(*range(100)).all()
    )
    assert ok["success"]


def test_batch_refuses_statements_from_another_database(d1: LocalD1, tmp_path: Path) -> None:
    """A batch only takes statements prepared on the same database."""
    other = LocalD1(tmp_path / "other.sqlite")
    try:
        with pytest.raises(TypeError):
            asyncio.run(d1.batch([other.prepare("SELECT 1")]))
    finally:
        other.close()


def test_second_connection_sees_committed_batches(tmp_path: Path) -> None:
    """Two handles on one file (dev server + a test) see each other's commits."""
    writer = LocalD1(tmp_path / "shared.sqlite")
    reader = LocalD1(tmp_path / "shared.sqlite")
    try:
        asyncio.run(writer.exec("CREATE TABLE s (v TEXT)"))
        stmt = writer.prepare("INSERT INTO s (v) VALUES (?)")
        asyncio.run(writer.batch([stmt.bind("하나"), stmt.bind("둘")]))
        assert asyncio.run(reader.prepare("SELECT COUNT(*) AS n FROM s").first("n")) == 2
        mode = asyncio.run(reader.prepare("PRAGMA journal_mode").first("journal_mode"))
        assert mode == "wal"
    finally:
        writer.close()
        reader.close()


def test_meta_reports_changes_and_schema_writes(d1: LocalD1) -> None:
    """``changed_db`` is true for DDL and writes, false for reads."""
    created = asyncio.run(d1.prepare("CREATE TABLE m (v INTEGER)").run())
    assert created["meta"]["changed_db"] is True
    read = asyncio.run(d1.prepare("SELECT * FROM m").all())
    assert read["meta"]["changed_db"] is False
    assert read["meta"]["changes"] == 0


def test_split_sql_respects_quotes_comments_and_triggers() -> None:
    """Semicolons inside strings, comments and trigger bodies do not split statements."""
    script = (
        "-- header; comment\n"
        "CREATE TABLE a (x TEXT DEFAULT ';');\n"
        "/* block; */ INSERT INTO a VALUES ('a;b');\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END;\n"
        "-- trailing comment only"
    )
    statements = split_sql(script)
    assert len(statements) == 3
    assert statements[2].startswith("CREATE TRIGGER") and statements[2].endswith("END;")
