"""The cash forecast and liquidity risk, with their charts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentUser, ForecasterDep, WorkspaceDep
from tools.charts import MEDIA_TYPES, cash_position_chart, fan_chart
from tools.forecasting.explain import PositionSummary, summarize
from tools.risk import EarlyWarning, LiquidityRisk, early_warnings, liquidity_risk

router = APIRouter(prefix="/v1", tags=["forecast and risk"])

Horizon = Query(default=91, ge=7, le=366, description="Calendar days ahead")
_IMAGES: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The chart"},
    400: {"description": "Unknown position"},
}


class ForecastPublic(BaseModel):
    run_id: str
    created_at: datetime
    cached: bool
    as_of: date
    horizon_days: int
    reporting_currency: str
    positions: list[PositionSummary]
    weekly: list[dict[str, Any]]
    provenance: dict[str, Any]


@router.get("/forecast")
def get_forecast(
    who: CurrentUser, forecaster: ForecasterDep, horizon_days: int = Horizon
) -> ForecastPublic:
    """Cash forecast per position: opening, closing with 95 % band, lowest point, weekly
    closing balances with 80/95 % bands and flows by category."""
    run = forecaster(horizon_days)
    fc = run.forecast
    weekly = fc.weekly()
    weekly = weekly.loc[weekly["week"] <= -(-horizon_days // 7)]
    return ForecastPublic(
        run_id=run.run_id,
        created_at=run.created_at,
        cached=run.cached,
        as_of=fc.outlook.as_of,
        horizon_days=horizon_days,
        reporting_currency=fc.outlook.reporting_currency,
        positions=summarize(fc),
        weekly=[
            {k: (str(v) if isinstance(v, date) else v) for k, v in r.items()}
            for r in weekly.to_dict("records")
        ],
        provenance={k: str(v) for k, v in dict(fc.provenance).items()},
    )


@router.get("/forecast/chart", response_class=Response, responses=_IMAGES)
def forecast_chart(
    who: CurrentUser,
    forecaster: ForecasterDep,
    key: str = Query(max_length=40, description="Cash position, e.g. US01/USD"),
    kind: Literal["fan", "position"] = "fan",
    fmt: Literal["svg", "png"] = Query(default="svg", alias="format"),
) -> Response:
    """Fan chart (bands and floor) or cash position with breach markers, as SVG or PNG."""
    outlook = forecaster(91).forecast.outlook
    draw = fan_chart if kind == "fan" else cash_position_chart
    return Response(draw(outlook, key, fmt=fmt), media_type=MEDIA_TYPES[fmt])


@router.get("/risk")
def get_risk(
    who: CurrentUser, ws: WorkspaceDep, forecaster: ForecasterDep, horizon_days: int = Horizon
) -> LiquidityRisk:
    """Probability of breaching minimum cash per day and over the horizon, shortfall,
    first likely breach date and the drivers, per position, entity and the group."""
    outlook = forecaster(horizon_days).forecast.outlook
    return liquidity_risk(outlook, ws.policy(), horizon_days=horizon_days)


@router.get("/risk/warnings")
def get_warnings(
    who: CurrentUser, ws: WorkspaceDep, forecaster: ForecasterDep, horizon_days: int = Horizon
) -> EarlyWarning:
    """Early-warning alerts: what may breach, when, with how much lead time and why."""
    risk = get_risk(who, ws, forecaster, horizon_days)
    return early_warnings(risk)
