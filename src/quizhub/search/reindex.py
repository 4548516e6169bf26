"""Rebuild both search indexes from D1 + R2 (they are derived): the repair for an index that
fell behind (a failed index step, an outage) and the first fill after enabling search."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from quizhub.bindings import Bindings
from quizhub.search.indexing import index_tests
from quizhub.search.terms import document_terms
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
    """Every test's keyword terms from its current document; every vector from the same, by the
    index queue consumer's own ``index_tests`` (a batch of tests per embeddings call)."""
    tests = TestsRepo(b.db)
    keyword = 0
    pointers = await tests.all_pointers()
    for row in pointers:
        if row.deleted or row.object_key is None:
            continue
        obj = await b.bucket.get(row.object_key)
        if obj is not None:
            await tests.reindex_keywords(row.id, document_terms(json.loads(obj.body)))
            keyword += 1
    vectors = await index_tests(b, [row.id for row in pointers])
    done = Reindexed(keyword, vectors.upserted, vectors.removed)
    log.info("%s", done.describe())
    return done
