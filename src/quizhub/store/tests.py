"""The tests table's read queries: pointers, the public list and its keyword candidates, tags,
summaries and the stamps of the sitemap. The table is written only by the commit batch
(``quizhub.store.commit``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from quizhub.ports import D1Database

__all__ = ["ListOrder", "TestRow", "TestsRepo", "KeywordCandidates"]


@dataclass(frozen=True)
class KeywordCandidates:
    """Tests sharing a term with a query (id and terms, best bm25 first), each term's document
    frequency in the keyword index, and the number of documents in it."""

    tests: list[tuple[str, set[str]]]
    df: dict[str, int]
    n: int


_SUMMARY_COLS = (
    "id, rev, status, title, description, tags, thumbnail, question_count, created_at,"
    " updated_at, published_at, COALESCE(p.participants, 0) AS participants"
)
# Summaries carry the public participation count (quizhub.store.participation).
_SUMMARY_FROM = "tests LEFT JOIN participation p ON p.test_id = tests.id"
_TAGGED = "EXISTS (SELECT 1 FROM test_tags g WHERE g.test_id = tests.id AND g.tag = ?)"
# Completed plays per test over the 인기순 window (days from ?).
_RECENT = """LEFT JOIN (SELECT test_id, SUM(completions) AS recent FROM participation_days
  WHERE day >= ? GROUP BY test_id) w ON w.test_id = tests.id"""
ListOrder = Literal["newest", "popular"]


@dataclass(frozen=True)
class TestRow:
    __test__ = False

    id: str
    rev: str
    status: str
    deleted: bool
    object_key: str | None
    created_at: str
    updated_at: str


class TestsRepo:
    __test__ = False

    def __init__(self, db: D1Database) -> None:
        self.db = db

    async def pointer(self, test_id: str) -> TestRow | None:
        """The current pointer row (including drafts and tombstones)."""
        row = (
            await self.db.prepare(
                "SELECT id, rev, status, deleted, object_key, created_at, updated_at"
                " FROM tests WHERE id = ?"
            )
            .bind(test_id)
            .first()
        )
        return None if row is None else _row(row)

    async def list_public(
        self,
        *,
        tag: str | None,
        limit: int,
        after: tuple[Any, ...] | None,
        sort: ListOrder = "newest",
        since_day: int = 0,
    ) -> list[dict[str, Any]]:
        """Published tests (with ``tag``) in ``sort`` order, after the position ``after``:

        - ``newest``: by first publish, newest first; a position is ``(publishedAt, id)``;
        - ``popular``: by completed plays since ``since_day`` (``recent`` on each item), then
          newest first; a position is ``(recent, publishedAt, id)``."""
        where = ["deleted = 0", "status = 'published'"]
        joins, args, head = "", [], []
        if sort == "popular":
            joins, head = _RECENT, [since_day]
        if tag:
            where.append(_TAGGED)
            args.append(tag)
        newest = "published_at < ? OR (published_at = ? AND id < ?)"
        if after and sort == "newest":
            where.append(f"({newest})")
            args += [after[0], after[0], after[1]]
        if after and sort == "popular":
            recent = "COALESCE(w.recent, 0)"
            where.append(f"({recent} < ? OR ({recent} = ? AND ({newest})))")
            args += [after[0], after[0], after[1], after[1], after[2]]
        if sort == "popular":
            cols, order = f"{_SUMMARY_COLS}, COALESCE(w.recent, 0) AS recent", "recent DESC, "
        else:
            cols, order = _SUMMARY_COLS, ""
        sql = (
            f"SELECT {cols} FROM {_SUMMARY_FROM} {joins} WHERE {' AND '.join(where)}"
            f" ORDER BY {order}published_at DESC, id DESC LIMIT ?"
        )
        rows = await self.db.prepare(sql).bind(*head, *args, limit).all()
        return [
            {**_summary(r), **({"recent": int(r["recent"])} if sort == "popular" else {})}
            for r in rows["results"]
        ]

    async def top_tags(self, limit: int) -> list[dict[str, Any]]:
        """The tags of published tests, most used first (then by name): the home's categories."""
        rows = (
            await self.db.prepare(
                "SELECT g.tag AS tag, COUNT(*) AS tests FROM test_tags g"
                " JOIN tests t ON t.id = g.test_id WHERE t.deleted = 0 AND t.status = 'published'"
                " GROUP BY g.tag ORDER BY tests DESC, g.tag LIMIT ?1"
            )
            .bind(limit)
            .all()
        )
        return [{"tag": str(r["tag"]), "tests": int(r["tests"])} for r in rows["results"]]

    async def keyword_candidates(
        self, expression: str, terms: list[str], *, depth: int
    ) -> KeywordCandidates:
        """Published tests matching the FTS5 MATCH ``expression``, best bm25 first (at most
        ``depth``), each with its terms; and, for weighing the query's ``terms``, how many tests
        (drafts and deletes too: the FTS index's rows) hold each and how many there are. One D1
        round trip.

        Search (``quizhub.search``) makes the expression and the terms from the query and
        decides which candidates hold enough of it."""
        frequency, matches = await self.db.batch(
            [
                self.db.prepare(
                    """SELECT j.value AS term, (SELECT count(*) FROM test_search
                WHERE test_search MATCH '"' || j.value || '"') AS df,
              (SELECT count(*) FROM tests) AS n
            FROM json_each(?1) AS j"""
                ).bind(json.dumps(terms, ensure_ascii=False)),
                self.db.prepare(
                    """SELECT tests.id, tests.search_text FROM test_search
            JOIN tests ON tests.rowid = test_search.rowid
            WHERE test_search MATCH ?1 AND tests.deleted = 0 AND tests.status = 'published'
            ORDER BY bm25(test_search), tests.updated_at DESC LIMIT ?2"""
                ).bind(expression, depth),
            ]
        )
        counted = frequency["results"]
        return KeywordCandidates(
            [(str(r["id"]), set(str(r["search_text"]).split())) for r in matches["results"]],
            {str(r["term"]): int(r["df"]) for r in counted},
            int(counted[0]["n"]) if counted else 0,
        )

    async def summaries(self, ids: list[str], *, tag: str | None = None) -> list[dict[str, Any]]:
        """Summaries of the published tests among ``ids``, in the order of ``ids``."""
        if not ids:
            return []
        where = "deleted = 0 AND status = 'published' AND id IN (SELECT value FROM json_each(?))"
        args: list[Any] = [json.dumps(ids)]
        if tag:
            where += f" AND {_TAGGED}"
            args.append(tag)
        rows = (
            await self.db.prepare(f"SELECT {_SUMMARY_COLS} FROM {_SUMMARY_FROM} WHERE {where}")
            .bind(*args)
            .all()
        )
        by_id = {r["id"]: _summary(r) for r in rows["results"]}
        return [by_id[i] for i in ids if i in by_id]

    async def ping(self) -> None:
        """One cheap read of the tests table: raises when D1 does not answer (health)."""
        await self.db.prepare("SELECT 1 AS ok FROM tests LIMIT 1").first("ok")

    async def titles(self, ids: list[str]) -> dict[str, str]:
        """Titles of the tests among ``ids`` that exist and are not deleted (drafts too)."""
        if not ids:
            return {}
        rows = (
            await self.db.prepare(
                "SELECT id, title FROM tests WHERE deleted = 0"
                " AND id IN (SELECT value FROM json_each(?1))"
            )
            .bind(json.dumps(ids))
            .all()
        )
        return {str(r["id"]): str(r["title"]) for r in rows["results"]}

    async def pointers(self, test_ids: list[str]) -> dict[str, TestRow]:
        """The pointer rows of ``test_ids`` (tombstones and drafts included) in one query."""
        rows = await (
            self.db.prepare(
                "SELECT id, rev, status, deleted, object_key, created_at, updated_at FROM tests"
                " WHERE id IN (SELECT value FROM json_each(?1))"
            )
            .bind(json.dumps(test_ids))
            .all()
        )
        return {str(r["id"]): _row(r) for r in rows["results"]}

    async def all_pointers(self) -> list[TestRow]:
        """Every pointer row, tombstones and drafts included (the reindex walks them all)."""
        rows = await self.db.prepare(
            "SELECT id, rev, status, deleted, object_key, created_at, updated_at FROM tests"
            " ORDER BY id"
        ).all()
        return [_row(r) for r in rows["results"]]

    async def reindex_keywords(self, test_id: str, terms: str) -> None:
        """Rewrite one test's keyword terms (the FTS index follows through its trigger)."""
        await (
            self.db.prepare("UPDATE tests SET search_text = ? WHERE id = ?")
            .bind(terms, test_id)
            .run()
        )

    async def published_stamps(self, limit: int) -> list[tuple[str, str]]:
        """``(id, updated_at)`` of published tests, newest first (the sitemap's entries)."""
        rows = (
            await self.db.prepare(
                "SELECT id, updated_at FROM tests WHERE deleted = 0 AND status = 'published'"
                " ORDER BY updated_at DESC, id DESC LIMIT ?"
            )
            .bind(limit)
            .all()
        )
        return [(str(r["id"]), str(r["updated_at"])) for r in rows["results"]]

    async def list_all(self) -> list[dict[str, Any]]:
        """Every live test (drafts too), newest first, for the admin list."""
        rows = await self.db.prepare(
            f"SELECT {_SUMMARY_COLS} FROM {_SUMMARY_FROM} WHERE deleted = 0"
            " ORDER BY updated_at DESC, id DESC"
        ).all()
        return [_summary(r) for r in rows["results"]]


def _row(row: dict[str, Any]) -> TestRow:
    return TestRow(
        id=row["id"],
        rev=row["rev"],
        status=row["status"],
        deleted=bool(row["deleted"]),
        object_key=row["object_key"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "rev": row["rev"],
        "status": row["status"],
        "title": row["title"],
        "description": row["description"],
        "tags": json.loads(row["tags"]),
        "thumbnail": row["thumbnail"],
        "questionCount": row["question_count"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "publishedAt": row["published_at"],
        "participants": int(row["participants"]),
    }
