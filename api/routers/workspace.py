"""Workspace data: status and working-capital KPIs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CurrentUser, WorkspaceDep
from tools.charts import MEDIA_TYPES, ccc_trend_chart
from tools.errors import ConfigError
from tools.kpi import KpiReport, working_capital_kpis
from tools.kpi.series import kpi_series
from tools.workspace.status import WorkspaceStatus, workspace_status

router = APIRouter(prefix="/v1", tags=["workspace"])


@router.get("/status")
def get_status(who: CurrentUser, ws: WorkspaceDep) -> WorkspaceStatus:
    """What data the workspace holds: rows, date ranges, gaps and quality issues."""
    return workspace_status(ws)


@router.get("/kpis")
def get_kpis(
    who: CurrentUser,
    ws: WorkspaceDep,
    as_of: date | None = Query(
        default=None,
        ge=date(1970, 1, 1),  # type: ignore[arg-type]
        le=date(2200, 12, 31),  # type: ignore[arg-type]
        description="Default: the latest data date",
    ),
    window_days: int = Query(default=90, ge=7, le=365),
) -> KpiReport:
    """DSO, DPO, DIO, CCC, ageing, cash and credit headroom per entity and for the group."""
    when = as_of or ws.as_of()
    if when is None:
        raise ConfigError("the workspace holds no dated data yet; import some first")
    return working_capital_kpis(
        ws.read_all(), as_of=when, reporting_currency=ws.reporting_currency, window_days=window_days
    )


@router.get(
    "/kpis/ccc-chart",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "Chart"}},
)
def ccc_chart(
    who: CurrentUser,
    ws: WorkspaceDep,
    scope: str = Query(default="group", max_length=40, description="group or an entity id"),
    months: int = Query(default=12, ge=2, le=60),
    fmt: Literal["svg", "png"] = Query(default="svg", alias="format"),
) -> Response:
    """Cash conversion cycle at month-ends with DSO, DIO and DPO."""
    end = ws.as_of()
    if end is None:
        raise ConfigError("the workspace holds no dated data yet; import some first")
    series = kpi_series(
        ws.read_all(), ws.policy(), start=end - timedelta(days=31 * months), end=end
    )
    return Response(
        ccc_trend_chart(series.frame(), scope=scope, fmt=fmt), media_type=MEDIA_TYPES[fmt]
    )
