"""Measuring every tracked KPI on a workspace: the ledger, the current forecast's risk and
the stored forecast runs (their accuracy, and the idle cash a period ago)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from tools.domain.policy import Policy
from tools.forecasting.cash import CashForecast
from tools.monitoring.accuracy import AccuracyScores, score_runs
from tools.monitoring.measures import (
    breach_days,
    discount_capture,
    idle_cash_share,
    working_capital_values,
)
from tools.risk import liquidity_risk
from tools.risk.models import LiquidityRisk
from tools.workspace import Workspace
from tools.workspace.db import FORECAST_RUNS
from tools.workspace.forecast_runs import load_run

__all__ = ["Values", "kpi_values", "stored_runs"]

Values = dict[str, tuple[float | None, float | None]]


def stored_runs(ws: Workspace, *, since: date, before: date, limit: int = 40) -> list[str]:
    """Run ids with an origin in ``since..before`` (exclusive), the first run made for
    each origin (a run made later for a past origin saw data from after it), newest
    origin first."""
    with ws.engine.connect() as conn:
        rows = conn.execute(
            sa.select(FORECAST_RUNS.c.run_id, FORECAST_RUNS.c.as_of, FORECAST_RUNS.c.folder)
            .where(FORECAST_RUNS.c.as_of >= since)
            .where(FORECAST_RUNS.c.as_of < before)
            .order_by(FORECAST_RUNS.c.as_of.desc(), FORECAST_RUNS.c.created_at)
        ).all()
    first: dict[date, str] = {}
    for row in rows:
        if row.as_of not in first and (ws.root / row.folder).is_dir():
            first[row.as_of] = str(row.run_id)
    return list(first.values())[:limit]


def _accuracy(
    ws: Workspace, tables: Mapping[str, pd.DataFrame], as_of: date, period_days: int, weeks: int
) -> AccuracyScores:
    since = as_of - timedelta(days=2 * period_days + 7 * weeks)
    runs = [(r, load_run(ws, r)) for r in stored_runs(ws, since=since, before=as_of)]
    return score_runs(runs, tables, as_of=as_of, period_days=period_days, weeks_ahead=weeks)


def _previous_idle(ws: Workspace, policy: Policy, as_of: date, period_days: int) -> float | None:
    then = as_of - timedelta(days=period_days)
    runs = stored_runs(ws, since=then - timedelta(days=7), before=then + timedelta(days=1))
    if not runs:
        return None
    outlook = load_run(ws, runs[0]).outlook
    return idle_cash_share(liquidity_risk(outlook, policy))


def kpi_values(
    ws: Workspace,
    tables: Mapping[str, pd.DataFrame],
    policy: Policy,
    *,
    forecast: CashForecast | None,
    risk: LiquidityRisk | None,
    period_days: int = 30,
    accuracy_weeks: int = 4,
) -> tuple[Values, date, AccuracyScores | None]:
    """(current, previous) value of each KPI, the date they describe, and the accuracy
    detail; KPIs that cannot be measured (no forecast, no stored run) are None."""
    as_of = forecast.outlook.as_of if forecast is not None else ws.as_of()
    if as_of is None:
        return {}, date.today(), None
    values: Values = dict(
        working_capital_values(tables, policy, as_of=as_of, period_days=period_days)
    )
    start = as_of - timedelta(days=period_days - 1)
    before_end = start - timedelta(days=1)
    before_start = before_end - timedelta(days=period_days - 1)
    bills = tables["ap_bills"]
    values["discount_capture"] = (
        discount_capture(bills, start=start, end=as_of),
        discount_capture(bills, start=before_start, end=before_end),
    )
    values["breaches"] = (
        float(breach_days(tables, policy, start=start, end=as_of)),
        float(breach_days(tables, policy, start=before_start, end=before_end)),
    )
    values["idle_cash_share"] = (
        None if risk is None else idle_cash_share(risk),
        _previous_idle(ws, policy, as_of, period_days),
    )
    accuracy = None
    if not tables["bank_transactions"].empty:
        accuracy = _accuracy(ws, tables, as_of, period_days, accuracy_weeks)
        values["forecast_accuracy"] = (accuracy.current.accuracy, accuracy.previous.accuracy)
        values["interval_coverage"] = (accuracy.current.coverage, accuracy.previous.coverage)
    return values, as_of, accuracy
