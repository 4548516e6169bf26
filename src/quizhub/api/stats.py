"""Admin play stats (behind the admin auth): one test and the overview, from the analytics
store's daily rollup (``quizhub.analytics.stats``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from quizhub.analytics.stats import DEFAULT_DAYS, MAX_DAYS, overview, test_stats
from quizhub.api.deps import ADMIN_SECURITY, TestId, bindings, require_admin
from quizhub.api.edges import StrictJSONRoute
from quizhub.api.errors import error_responses
from quizhub.api.responses import NO_STORE, json_response
from quizhub.edge.ratelimits import ADMIN_PREFIX

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


@router.get("/overview")
async def stats_overview(request: Request, days: Days = DEFAULT_DAYS) -> Response:
    """Every test played in the window with its totals, most played (starts) first."""
    return json_response(await overview(bindings(request), days), headers=_HEADERS)
