"""Charts that answers refer to, rendered on request as SVG or PNG."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.assistant import ChartNotFound
from api.deps import AssistantDep, CurrentUser, ForecasterDep, WorkspaceDep
from tools.charts import (
    MEDIA_TYPES,
    ChartFormat,
    cash_position_chart,
    ccc_trend_chart,
    fan_chart,
    pareto_chart,
)
from tools.errors import ConfigError
from tools.kpi.series import kpi_series
from tools.workspace import Workspace

router = APIRouter(prefix="/v1/charts", tags=["charts"])

__all__ = ["render_spec", "router"]


def render_spec(
    spec: dict[str, Any], ws: Workspace, forecaster: Any, fmt: ChartFormat, *, key: str | None
) -> bytes:
    """A chart spec from an answer as image bytes, drawn from the workspace's data."""
    kind = spec.get("kind")
    if kind in ("fan", "cash_position"):
        outlook = forecaster(91).forecast.outlook
        chosen = key or (spec.get("positions") or [None])[0] or outlook.keys[0]
        draw = fan_chart if kind == "fan" else cash_position_chart
        return draw(outlook, str(chosen), fmt=fmt)
    if kind == "ccc_trend":
        end = ws.as_of()
        if end is None:
            raise ConfigError("the workspace holds no dated data yet; import some first")
        series = kpi_series(ws.read_all(), ws.policy(), start=end - timedelta(days=365), end=end)
        return ccc_trend_chart(series.frame(), scope=key or "group", fmt=fmt)
    if kind == "pareto" and spec.get("points"):
        frame = pd.DataFrame(spec["points"])
        return pareto_chart(frame, currency=str(spec.get("currency", "")), fmt=fmt)
    raise ChartNotFound(f"chart kind {kind!r} has no data to draw; ask the question again")


@router.get(
    "/{chart_id}.{fmt}",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The chart"},
        404: {"description": "Unknown chart id"},
    },
)
def get_chart(
    chart_id: str,
    fmt: Literal["svg", "png"],
    who: CurrentUser,
    assistant: AssistantDep,
    ws: WorkspaceDep,
    forecaster: ForecasterDep,
    key: str | None = Query(default=None, max_length=40, description="Position or scope"),
) -> Response:
    """A chart of an answer (fan chart, cash position, CCC trend, Pareto frontier)."""
    spec = assistant.chart_spec(chart_id)
    if spec is None:
        raise ChartNotFound(f"no chart {chart_id!r}; charts are kept for recent answers")
    return Response(render_spec(spec, ws, forecaster, fmt, key=key), media_type=MEDIA_TYPES[fmt])
