"""The public participation counts of a test (``GET /api/tests/{id}/stats``), read from D1 only:
the analytics consumer derives them there from PostgreSQL after each batch
(``quizhub.store.participation``), so a public page never queries PostgreSQL."""

from __future__ import annotations

from typing import Any

from quizhub.errors import Code, NotFound
from quizhub.ports import D1Database
from quizhub.store.participation import ParticipationRepo
from quizhub.store.tests import TestsRepo

__all__ = ["public_stats"]


async def public_stats(db: D1Database, test_id: str) -> dict[str, Any]:
    """``{"participants", "results": [{"resultId", "share"}]}`` of a published test: its
    completed plays, and for each result reached the share of them that ended on it (0 to 1,
    four decimals), most reached first. A result no play reached is not listed."""
    row = await TestsRepo(db).pointer(test_id)
    if row is None or row.deleted or row.status != "published":
        message = f"test '{test_id}' does not exist or is not published"
        raise NotFound(message, code=Code.TEST_NOT_FOUND, params={"testId": test_id})
    participants, results = await ParticipationRepo(db).of_test(test_id)
    ordered = sorted(results.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "participants": participants,
        "results": [
            {"resultId": r, "share": round(n / participants, 4) if participants else 0.0}
            for r, n in ordered
        ],
    }
