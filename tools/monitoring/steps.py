"""The checks of the daily job, each timed and reported: forecast, liquidity risk and early
warnings, bank-flow anomalies, data completeness, variance of the last days, KPI tracking
and model recalibration.

A check that cannot run on this data (no bank lines yet, a window outside the previous
forecast) is reported as failed with the reason and the others go on; its source's
alerts are then left as they were instead of being resolved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.errors import WcmError
from tools.forecasting.cash import CashForecast
from tools.monitoring.alert_sources import (
    from_anomalies,
    from_completeness,
    from_early_warnings,
    from_issues,
)
from tools.monitoring.alerts_store import MonitorAlert
from tools.monitoring.kpi_values import kpi_values, stored_runs
from tools.monitoring.recalibration import Recalibration, recalibrate
from tools.monitoring.tracking import TARGETS_FILE, KpiTracking, load_targets, track_kpis
from tools.monitoring.variance import VarianceReport, explain_variance
from tools.risk import WatchState, bank_anomalies, run_early_warnings
from tools.risk.models import LiquidityRisk
from tools.workspace import Workspace
from tools.workspace.calibrations import (
    EVERY_DAYS,
    due_reason,
    last_booking,
    latest_calibration,
    make_calibration,
)
from tools.workspace.completeness import bank_completeness
from tools.workspace.forecast_runs import load_run, run_forecast
from tools.workspace.status import workspace_status

WATCH_FILE = "state/early_warning_watch.json"


def read_watch(root: Path) -> WatchState | None:
    """The early-warning watch the last daily run left in a workspace (None before any)."""
    state = root / WATCH_FILE
    return WatchState.model_validate_json(state.read_text()) if state.exists() else None


__all__ = ["Checks", "DailyOptions", "StepResult", "read_watch", "recent_variance", "run_checks"]


CHECKS = 8  # steps run_checks reports progress for


class DailyOptions(BaseModel):
    """Knobs of the daily job (defaults match the forecast the service answers from)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizon_days: int = Field(default=91, ge=7, le=366)
    n_paths: int = Field(default=300, ge=50, le=5000)
    quality: Literal["standard", "fast"] = "fast"
    period_days: int = Field(default=30, ge=7, le=366, description="KPI trend period")
    variance_days: int = Field(default=7, ge=1, le=92, description="Variance window")
    anomaly_days: int = Field(default=30, ge=1, le=366)
    recalibrate: bool = True
    recalibration_budget: float = Field(default=5.0, gt=0, description="Seconds")
    bands_every_days: int = Field(
        default=EVERY_DAYS, ge=1, le=91, description="Calibrate the balance bands this often"
    )


class StepResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    step: str
    status: Literal["done", "skipped", "failed"]
    detail: str
    seconds: float


class Checks(BaseModel):
    """What the checks found."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    as_of: date | None = None
    forecast_run_id: str | None = None
    forecast_cached: bool | None = None
    group_breach_probability: float | None = None
    variance: VarianceReport | None = None
    kpis: KpiTracking | None = None
    recalibration: Recalibration | None = None
    bands: dict[str, Any] | None = None  # the balance-band calibration made by this run
    alerts: tuple[MonitorAlert, ...] = ()
    complete_sources: tuple[str, ...] = ()
    steps: tuple[StepResult, ...] = ()


class _Run:
    """Collects step results and alerts while the checks run."""

    def __init__(self, progress: Callable[[str, int, int], None], total: int) -> None:
        self.progress, self.total = progress, total
        self.steps: list[StepResult] = []
        self.alerts: list[MonitorAlert] = []
        self.sources: list[str] = []

    def step(
        self, name: str, call: Callable[[], tuple[str, Any]], sources: tuple[str, ...] = ()
    ) -> Any:
        self.progress(name, len(self.steps), self.total)
        began = time.perf_counter()
        try:
            detail, value = call()
        except (WcmError, ValueError) as exc:
            self.steps.append(
                StepResult(
                    step=name,
                    status="failed",
                    detail=str(exc),
                    seconds=round(time.perf_counter() - began, 2),
                )
            )
            return None
        status: Literal["done", "skipped"] = "skipped" if value is None else "done"
        self.steps.append(
            StepResult(
                step=name,
                status=status,
                detail=detail,
                seconds=round(time.perf_counter() - began, 2),
            )
        )
        if value is not None:
            self.sources += sources
        return value


def recent_variance(
    ws: Workspace, forecast: CashForecast, tables: Any, days: int
) -> tuple[str, VarianceReport | None]:
    """Forecast versus actual over the last ``days`` days up to the forecast's origin,
    against the newest stored run made before them whose horizon covers them."""
    as_of = forecast.outlook.as_of
    earlier = stored_runs(ws, since=as_of - timedelta(days=92), before=as_of)
    for run_id in earlier:
        before = load_run(ws, run_id)
        last = before.outlook.dates[-1].date()
        start = max(before.outlook.as_of + timedelta(days=1), as_of - timedelta(days=days - 1))
        if last >= as_of:
            report = explain_variance(before, tables, start=start, end=as_of)
            return f"{start}..{as_of} against run {run_id}: {report.summary}", report
    return "no earlier forecast to compare the last days with", None


def run_checks(
    ws: Workspace,
    opts: DailyOptions,
    *,
    now: datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> Checks:
    """Run every check of the daily job on the workspace's current data."""
    run = _Run(progress or (lambda _s, _i, _n: None), CHECKS)
    policy = ws.policy()

    def bands_step() -> tuple[str, Any]:
        # Before the forecast, so today's forecast carries the new calibration.
        day = last_booking(ws)
        if not opts.recalibrate or day is None:
            return "not enabled" if not opts.recalibrate else "no bank data", None
        last = latest_calibration(ws, as_of=day)
        why = due_reason(last, day, every_days=opts.bands_every_days)
        if why is None and last is not None:
            return f"calibration {last.calibration_id} as of {last.as_of} still current", None
        made = make_calibration(
            ws, reason=why or "due", as_of=day, horizon_days=opts.horizon_days, now=now
        )
        cover = made.calibration.coverage_before.get("80")
        return (
            f"{made.calibration_id} ({why}); raw 80 % bands held "
            f"{'n/a' if cover is None else f'{cover:.0%}'} of backtested balances",
            made.summary(),
        )

    bands = run.step("bands", bands_step, ("recalibration",))
    fc_run = run.step(
        "forecast",
        lambda: (lambda r: (f"run {r.run_id}{' (stored, reused)' if r.cached else ''}", r))(
            run_forecast(
                ws, horizon_days=opts.horizon_days, n_paths=opts.n_paths, quality=opts.quality
            )
        ),
    )
    forecast: CashForecast | None = None if fc_run is None else fc_run.forecast
    tables = ws.read_all()
    as_of = forecast.outlook.as_of if forecast is not None else ws.as_of()

    def risk_step() -> tuple[str, Any]:
        if forecast is None:
            return "no forecast", None
        # A warning is raised once it holds on consecutive runs (or is critical or close):
        # the watch state carries the streaks from one daily run to the next.
        state_file = ws.root / WATCH_FILE
        previous = read_watch(ws.root)
        found = run_early_warnings(
            forecast.outlook, policy, tables, forecast.receivables, previous=previous
        )
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(found.state.model_dump_json())
        shown = [a for a in found.shown.alerts if a.data.get("status") not in ("pending", "closed")]
        run.alerts += from_early_warnings(tuple(shown))
        g = found.risk.group
        return (
            f"group P(breach) {g.horizon_breach_probability:.0%}; {len(found.raw.alerts)} "
            f"early warnings, {len(found.counterparties.silent)} silent customers",
            found.risk,
        )

    risk: LiquidityRisk | None = run.step("risk", risk_step, ("liquidity", "counterparty"))

    def anomaly_step() -> tuple[str, Any]:
        since = None if as_of is None else as_of - timedelta(days=opts.anomaly_days)
        found = bank_anomalies(tables, since=since)
        run.alerts += from_anomalies(found.anomalies, as_of=as_of)
        return f"{len(found.anomalies)} anomalies since {found.since}", found

    run.step("anomalies", anomaly_step, ("anomaly",))

    def data_step() -> tuple[str, Any]:
        status = workspace_status(ws)
        complete = bank_completeness(
            tables["bank_accounts"],
            tables["bank_balances"],
            tables["bank_transactions"],
            as_of=status.as_of,
        )
        found = from_issues(status.issues, as_of=status.as_of) + from_completeness(complete)
        run.alerts += found
        return f"{len(found)} data warnings, bank coverage {complete.coverage:.0%}", status

    run.step("data", data_step, ("data",))
    variance = run.step(
        "variance",
        lambda: (
            ("no forecast", None)
            if forecast is None
            else recent_variance(ws, forecast, tables, opts.variance_days)
        ),
    )

    def kpi_step() -> tuple[str, Any]:
        values, day, accuracy = kpi_values(
            ws, tables, policy, forecast=forecast, risk=risk, period_days=opts.period_days
        )
        tracking = track_kpis(
            values,
            load_targets(ws.root / TARGETS_FILE),
            as_of=day,
            period_days=opts.period_days,
            provenance={"accuracy": None if accuracy is None else accuracy.model_dump(mode="json")},
        )
        run.alerts += tracking.alerts
        off = [k.metric for k in tracking.kpis if k.status == "off_target"]
        return f"{len(off)} KPIs off target{': ' + ', '.join(off) if off else ''}", tracking

    kpis = run.step("kpis", kpi_step, ("kpi",))

    def recal_step() -> tuple[str, Any]:
        if not opts.recalibrate or as_of is None or tables["bank_transactions"].empty:
            return "not enabled" if not opts.recalibrate else "no bank data", None
        result = recalibrate(
            ws.engine, tables, as_of=as_of, now=now, time_budget=opts.recalibration_budget
        )
        run.alerts += result.alerts
        moved = ", ".join(f"{d.series_id} -> {d.model}" for d in result.switched)
        detail = (
            f"re-backtested {len(result.decisions)} series; switched: {moved or 'none'}"
            if result.rebacktested
            else "no drift, re-backtest not due"
        )
        return detail, result

    recal = run.step("recalibration", recal_step, ("recalibration",))
    return Checks(
        as_of=as_of,
        forecast_run_id=None if fc_run is None else fc_run.run_id,
        forecast_cached=None if fc_run is None else fc_run.cached,
        group_breach_probability=None if risk is None else risk.group.horizon_breach_probability,
        variance=variance,
        kpis=kpis,
        recalibration=recal,
        bands=bands,
        alerts=tuple(run.alerts),
        complete_sources=tuple(run.sources),
        steps=tuple(run.steps),
    )
