"""Workspace data: status and working-capital KPIs."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from api.deps import WorkspaceDep
from tools.errors import ConfigError
from tools.kpi import KpiReport, working_capital_kpis
from tools.workspace.status import WorkspaceStatus, workspace_status

router = APIRouter(prefix="/v1", tags=["workspace"])


@router.get("/status")
def get_status(ws: WorkspaceDep) -> WorkspaceStatus:
    """What data the workspace holds: rows, date ranges, gaps and quality issues."""
    return workspace_status(ws)


@router.get("/kpis")
def get_kpis(
    ws: WorkspaceDep,
    as_of: date | None = Query(default=None, description="Default: the latest data date"),
    window_days: int = Query(default=90, ge=7, le=365),
) -> KpiReport:
    """DSO, DPO, DIO, CCC, ageing, cash and credit headroom per entity and for the group."""
    when = as_of or ws.as_of()
    if when is None:
        raise ConfigError("the workspace holds no dated data yet; import some first")
    return working_capital_kpis(
        ws.read_all(), as_of=when, reporting_currency=ws.reporting_currency, window_days=window_days
    )
