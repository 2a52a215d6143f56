"""Monitoring alerts: the list (filtered by severity and status) and acknowledging one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentUser, WorkspaceDep, require_role
from api.errors import ApiError
from tools.monitoring.alerts_store import AlertNotFound, StoredAlert, acknowledge, list_alerts

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

Severity = Literal["info", "warning", "critical"]
Status = Literal["open", "acknowledged", "resolved"]


class NotFound(ApiError):
    status, kind = 404, "not_found"


class AlertPublic(BaseModel):
    alert_id: str
    severity: Severity
    status: Status
    source: str = Field(description="liquidity, counterparty, anomaly, kpi, data, inbox...")
    scope: str
    title: str
    cause: str
    metric: str | None
    value: float | None
    target: float | None
    as_of: date | None
    created_at: datetime
    last_seen: datetime
    seen_count: int
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    data: dict[str, Any]


class AlertsPublic(BaseModel):
    data: list[AlertPublic]
    count: int


def _public(alert: StoredAlert) -> AlertPublic:
    return AlertPublic.model_validate(alert.model_dump())


@router.get("")
def get_alerts(
    who: CurrentUser,
    ws: WorkspaceDep,
    severity: Severity | None = None,
    min_severity: Severity | None = Query(default=None, description="This severity or worse"),
    status: Status | None = Query(default=None, description="Default: open and acknowledged"),
    source: str | None = Query(default=None, max_length=40),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=100_000),
) -> AlertsPublic:
    """Alerts raised by the daily job, most severe and newest first."""
    page, count = list_alerts(
        ws.engine,
        severity=severity,
        min_severity=min_severity,
        status=status,
        source=source,
        live=status is None,
        limit=limit,
        offset=offset,
    )
    return AlertsPublic(data=[_public(a) for a in page], count=count)


@router.post(
    "/{alert_id}/acknowledge",
    dependencies=[require_role("analyst")],
    responses={404: {"description": "No alert with that id"}},
)
def acknowledge_alert(alert_id: str, who: CurrentUser, ws: WorkspaceDep) -> AlertPublic:
    """Mark an alert as seen (needs the analyst role); acknowledging twice keeps the first."""
    try:
        return _public(acknowledge(ws.engine, alert_id, user=who.user, now=datetime.now(UTC)))
    except AlertNotFound as exc:
        raise NotFound(str(exc)) from None
