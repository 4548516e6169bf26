"""Admin stats (behind the admin auth): one test and the overview, from the analytics store's
daily rollup (``quizhub.analytics.stats``), and the searches that found nothing, from D1
(``quizhub.search.missed``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from quizhub.analytics.stats import DEFAULT_DAYS, overview, test_stats
from quizhub.api.deps import ADMIN_SECURITY, TestId, bindings, require_admin
from quizhub.api.edges import StrictJSONRoute
from quizhub.api.errors import error_responses
from quizhub.api.responses import NO_STORE, json_response
from quizhub.domain.days import MAX_DAYS
from quizhub.edge.ratelimits import ADMIN_PREFIX
from quizhub.search.missed import top_missed

__all__ = ["router"]

router = APIRouter(
    route_class=StrictJSONRoute,
    prefix=f"{ADMIN_PREFIX}/stats",
    tags=["stats"],
    dependencies=[*ADMIN_SECURITY, Depends(require_admin)],
    responses=error_responses(401, 422, 500, 503),
)
Days = Annotated[
    int,
    Query(ge=1, le=MAX_DAYS, description="the last N Korean days (KST), today included"),
]
_HEADERS = {"Cache-Control": NO_STORE}


@router.get("/tests/{test_id}", responses=error_responses(404))
async def stats_of_test(request: Request, test_id: TestId, days: Days = DEFAULT_DAYS) -> Response:
    """Totals (views, starts, answers, completions, shares), completion rate, result
    distribution, per-question drop-off (in the test's question order) and a daily series."""
    data: dict[str, Any] = await test_stats(bindings(request), test_id, days)
    return json_response(data, headers=_HEADERS)


@router.get("/missed-searches")
async def missed_searches(request: Request, days: Days = DEFAULT_DAYS) -> Response:
    """찾지 못한 검색어: the searches that found nothing most often in the window (query and
    count only; nothing about who searched is stored), from D1 (no analytics store needed)."""
    b = bindings(request)
    return json_response(await top_missed(b.db, b.clock_ms(), days), headers=_HEADERS)


@router.get("/overview")
async def stats_overview(request: Request, days: Days = DEFAULT_DAYS) -> Response:
    """Every test played in the window with its totals, most played (starts) first."""
    return json_response(await overview(bindings(request), days), headers=_HEADERS)
