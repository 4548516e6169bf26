"""D1 contract checks: ``async def check_*(db) -> None``, plain asserts, stdlib only.

Each check creates (and first drops) its own small table, so the checks also run against a
shared database in the Pyodide/Miniflare harness. No pytest import: reused outside pytest.
"""

from __future__ import annotations

from typing import Any


async def _fresh_table(db: Any, name: str, columns: str) -> None:
    await db.exec(f"DROP TABLE IF EXISTS {name}")
    await db.exec(f"CREATE TABLE {name} ({columns})")


async def _error_of(awaitable: Any) -> BaseException:
    try:
        await awaitable
    except Exception as exc:
        return exc
    raise AssertionError("expected the call to fail")


async def check_all_returns_rows_and_meta(db: Any) -> None:
    await _fresh_table(db, "c_all", "id INTEGER PRIMARY KEY, name TEXT")
    await (
        db.prepare("INSERT INTO c_all (id, name) VALUES (?, ?), (?, ?)").bind(1, "a", 2, "b").run()
    )
    result = await db.prepare("SELECT id, name FROM c_all ORDER BY id").all()
    assert result["success"] is True
    assert result["results"] == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    assert isinstance(result["meta"]["duration"], int | float)


async def check_bind_returns_a_new_statement(db: Any) -> None:
    stmt = db.prepare("SELECT ?1 AS v")
    one, two = stmt.bind(1), stmt.bind(2)
    assert await one.first("v") == 1
    assert await two.first("v") == 2


async def check_null_roundtrips(db: Any) -> None:
    await _fresh_table(db, "c_null", "id INTEGER PRIMARY KEY, note TEXT")
    await db.prepare("INSERT INTO c_null (id, note) VALUES (?, ?)").bind(1, None).run()
    row = await db.prepare("SELECT note FROM c_null WHERE id = ?").bind(1).first()
    assert row == {"note": None}
    found = await db.prepare("SELECT COUNT(*) AS n FROM c_null WHERE note IS NULL").first("n")
    assert found == 1


async def check_integers_roundtrip(db: Any) -> None:
    await _fresh_table(db, "c_int", "v INTEGER NOT NULL")
    values = [0, -1, 42, 2**31, -(2**31) - 1, 2**53 - 1, -(2**53 - 1)]
    for v in values:
        await db.prepare("INSERT INTO c_int (v) VALUES (?)").bind(v).run()
    rows = (await db.prepare("SELECT v FROM c_int ORDER BY v").all())["results"]
    assert [r["v"] for r in rows] == sorted(values)


async def check_korean_text_roundtrips(db: Any) -> None:
    await _fresh_table(db, "c_ko", "id INTEGER PRIMARY KEY, title TEXT NOT NULL")
    title = "나와 어울리는 여행지는? 🧳 MBTI 테스트"
    await db.prepare("INSERT INTO c_ko (id, title) VALUES (?, ?)").bind(1, title).run()
    assert await db.prepare("SELECT title FROM c_ko WHERE id = 1").first("title") == title
    like = await db.prepare("SELECT id FROM c_ko WHERE title LIKE ?").bind("%여행%").first("id")
    assert like == 1


async def check_bool_binds_as_integer(db: Any) -> None:
    row = await db.prepare("SELECT ?1 AS t, ?2 AS f").bind(True, False).first()
    assert row == {"t": 1, "f": 0}


async def check_first_without_rows_is_none(db: Any) -> None:
    await _fresh_table(db, "c_empty", "id INTEGER PRIMARY KEY")
    assert await db.prepare("SELECT * FROM c_empty").first() is None
    assert await db.prepare("SELECT id FROM c_empty").first("id") is None


async def check_first_column_returns_the_value(db: Any) -> None:
    assert await db.prepare("SELECT 7 AS seven, 'x' AS ex").first("ex") == "x"


async def check_first_unknown_column_fails(db: Any) -> None:
    exc = await _error_of(db.prepare("SELECT 1 AS a").first("b"))
    assert "D1_COLUMN_NOTFOUND" in str(exc)


async def check_run_reports_changes_and_last_row_id(db: Any) -> None:
    await _fresh_table(db, "c_run", "id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT")
    first = await db.prepare("INSERT INTO c_run (v) VALUES (?)").bind("a").run()
    assert first["success"] is True
    assert first["meta"]["changes"] == 1
    assert first["meta"]["last_row_id"] == 1
    await db.prepare("INSERT INTO c_run (v) VALUES ('b'), ('c')").run()
    updated = await db.prepare("UPDATE c_run SET v = 'z' WHERE id > ?").bind(1).run()
    assert updated["meta"]["changes"] == 2


async def check_batch_applies_statements_in_order(db: Any) -> None:
    await _fresh_table(db, "c_batch", "id INTEGER PRIMARY KEY, v INTEGER NOT NULL")
    insert = db.prepare("INSERT INTO c_batch (id, v) VALUES (?, ?)")
    results = await db.batch(
        [
            insert.bind(1, 10),
            insert.bind(2, 20),
            db.prepare("UPDATE c_batch SET v = v + 1 WHERE id = ?").bind(1),
            db.prepare("SELECT id, v FROM c_batch ORDER BY id"),
        ]
    )
    assert len(results) == 4
    assert results[0]["meta"]["changes"] == 1
    assert results[3]["results"] == [{"id": 1, "v": 11}, {"id": 2, "v": 20}]


async def check_failing_batch_rolls_back_everything(db: Any) -> None:
    await _fresh_table(db, "c_rollback", "id INTEGER PRIMARY KEY, v TEXT NOT NULL")
    await db.prepare("INSERT INTO c_rollback (id, v) VALUES (1, 'kept')").run()
    exc = await _error_of(
        db.batch(
            [
                db.prepare("UPDATE c_rollback SET v = 'changed' WHERE id = 1"),
                db.prepare("INSERT INTO c_rollback (id, v) VALUES (2, 'new')"),
                db.prepare("INSERT INTO c_rollback (id, v) VALUES (1, 'duplicate')"),
            ]
        )
    )
    assert "D1_ERROR" in str(exc)
    rows = (await db.prepare("SELECT id, v FROM c_rollback ORDER BY id").all())["results"]
    assert rows == [{"id": 1, "v": "kept"}]


async def check_sql_errors_read_like_d1(db: Any) -> None:
    exc = await _error_of(db.prepare("SELECT * FROM c_table_that_does_not_exist").all())
    assert "D1_ERROR" in str(exc)
    assert "no such table" in str(exc)


async def check_exec_runs_one_statement_per_line(db: Any) -> None:
    await db.exec("DROP TABLE IF EXISTS c_exec")
    result = await db.exec(
        "CREATE TABLE c_exec (id INTEGER PRIMARY KEY, v TEXT)\n"
        "INSERT INTO c_exec (id, v) VALUES (1, '가')\n"
        "INSERT INTO c_exec (id, v) VALUES (2, '나')"
    )
    assert result["count"] == 3
    assert await db.prepare("SELECT COUNT(*) AS n FROM c_exec").first("n") == 2


async def check_unsupported_bind_value_is_refused(db: Any) -> None:
    try:
        stmt = db.prepare("SELECT ? AS v").bind({"not": "bindable"})
        await stmt.first()
    except Exception as exc:
        assert "D1_TYPE_ERROR" in str(exc)
        return
    raise AssertionError("binding a dict should fail")
