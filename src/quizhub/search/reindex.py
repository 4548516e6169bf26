"""Rebuild both search indexes from D1 + R2 (they are derived): the repair for an index that
fell behind (a failed index step, an outage), the first fill after enabling search, and the
step after an upgrade that changes what is indexed (keyword terms, field vectors)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from quizhub.bindings import Bindings
from quizhub.ports import MAX_UPSERT_BATCH
from quizhub.search.indexing import index_tests
from quizhub.search.terms import document_terms
from quizhub.search.vectors import vector_side
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


async def _drop_single_vectors(b: Bindings, test_ids: list[str]) -> None:
    """Remove the one-vector-per-test layout's vectors (id = the test id), which indexes built
    before field vectors hold: the first reindex after the upgrade clears them."""
    side = vector_side(b)
    if side is None:
        return
    for start in range(0, len(test_ids), MAX_UPSERT_BATCH):
        await side.index.delete_by_ids(test_ids[start : start + MAX_UPSERT_BATCH])


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
    await _drop_single_vectors(b, [row.id for row in pointers])
    done = Reindexed(keyword, vectors.upserted, vectors.removed)
    log.info("%s", done.describe())
    return done
