"""Rebuild both search indexes from D1 + R2 (they are derived): the repair for an index that
fell behind (a failed index step, an outage) and the first fill after enabling search."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from quizhub.bindings import Bindings
from quizhub.search.terms import document_terms
from quizhub.search.vectors import index_test
from quizhub.store.tests import TestsRepo

__all__ = ["Reindexed", "reindex_all"]

log = logging.getLogger("quizhub.search")


@dataclass(frozen=True)
class Reindexed:
    """What a reindex did: keyword rows rewritten, vectors upserted or removed."""

    keyword: int
    vectors: int
    removed: int

    def describe(self) -> str:
        return (
            f"reindexed {self.keyword} test(s): {self.vectors} vector(s) upserted, "
            f"{self.removed} removed"
        )


async def reindex_all(b: Bindings) -> Reindexed:
    """Every test's keyword terms from its current document; every vector from the same."""
    tests = TestsRepo(b.db)
    keyword = vectors = removed = 0
    for row in await tests.all_pointers():
        doc = None
        if not row.deleted and row.object_key is not None:
            obj = await b.bucket.get(row.object_key)
            doc = json.loads(obj.body) if obj is not None else None
        if doc is not None:
            await tests.reindex_keywords(row.id, document_terms(doc))
            keyword += 1
        published = doc if doc is not None and row.status == "published" else None
        if await index_test(b, row.id, published):
            vectors += published is not None
            removed += published is None
    done = Reindexed(keyword, vectors, removed)
    log.info("%s", done.describe())
    return done
