"""The weekly report: Markdown with PNG charts beside it, for people and for the agent.

It holds the cash outlook (fan chart of the largest position, the binding position's
breach view), the cash conversion cycle trend, every tracked KPI against its target,
the open alerts, the largest variance drivers of the week, the pending proposals (the
caller passes them: they live in the agent's ledger) and the forecast-model changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.charts import cash_position_chart, ccc_trend_chart, fan_chart
from tools.errors import WcmError
from tools.kpi import kpi_series
from tools.monitoring.alerts_store import StoredAlert, list_alerts
from tools.monitoring.kpi_values import kpi_values
from tools.monitoring.recalibration import ModelChoice, model_history
from tools.monitoring.steps import recent_variance
from tools.monitoring.tracking import TARGETS_FILE, KpiStatus, load_targets, track_kpis
from tools.risk import liquidity_risk
from tools.workspace import Workspace
from tools.workspace.calibrations import StoredCalibration, latest_calibration
from tools.workspace.forecast_runs import run_forecast
from tools.workspace.workspace import write_atomic

ChartKind = Literal["fan", "cash_position", "ccc_trend"]

__all__ = ["ReportChart", "ReportFigures", "WeeklyReport", "weekly_report"]


class ReportFigures(BaseModel):
    """The report's headline numbers, as the text states them (reporting currency)."""

    model_config = ConfigDict(frozen=True)

    reporting_currency: str
    group_cash: float
    minimum_cash: float
    breach_probability: float = Field(description="Share 0..1 within the risk horizon")
    breach_probability_with_credit: float
    risk_horizon_days: int
    tightest_scope: str
    tightest_date: date
    tightest_balance_q05: float = Field(description="In the tightest position's currency")
    tightest_minimum: float
    alerts_open: int
    kpis_tracked: int
    kpis_off_target: int
    pending_proposals: int
    variance: float | None = Field(default=None, description="Actual less forecast, 7 days")


class ReportChart(BaseModel):
    """One chart of the report: what it draws and the PNG file beside the Markdown."""

    model_config = ConfigDict(frozen=True)

    kind: ChartKind
    title: str
    key: str | None
    path: Path


class WeeklyReport(BaseModel):
    """The written report: where it is, its text, its charts and what it was made from."""

    model_config = ConfigDict(frozen=True)

    path: Path
    title: str
    markdown: str
    charts: tuple[Path, ...]
    chart_refs: tuple[ReportChart, ...] = ()
    figures: ReportFigures
    as_of: date
    forecast_run_id: str
    provenance: dict[str, Any]
    pdf: Path | None = Field(default=None, description="The PDF rendering, once written")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{value:.0%}"
    if unit == "days":
        return f"{value:.1f} d"
    return f"{value:g}"


def _kpi_rows(kpis: Sequence[KpiStatus]) -> list[str]:
    rows = [
        "| KPI | now | a period ago | target | status | trend |",
        "|---|---:|---:|---:|---|---|",
    ]
    for k in kpis:
        rows.append(
            f"| {k.label} | {_fmt(k.value, k.unit)} | {_fmt(k.previous, k.unit)} | "
            f"{ {'higher': '>=', 'lower': '<=', 'near': '~'}[k.direction] } "
            f"{_fmt(k.target, k.unit)} | {k.status.replace('_', ' ')} | {k.trend or '-'} |"
        )
    return rows


def _alert_rows(alerts: Sequence[StoredAlert]) -> list[str]:
    if not alerts:
        return ["No open alerts."]
    rows = ["| severity | since | scope | alert |", "|---|---|---|---|"]
    for a in alerts:
        rows.append(
            f"| {a.severity} | {a.created_at:%Y-%m-%d} | {a.scope} | {a.title.replace('|', '/')} |"
        )
    return rows


def _proposal_rows(proposals: Sequence[Mapping[str, Any]]) -> list[str]:
    if not proposals:
        return ["No proposals await approval."]
    rows = [
        "| id | action | title | amount | requester | approvals |",
        "|---|---|---|---:|---|---|",
    ]
    for p in proposals:
        rows.append(
            f"| {p['proposal_id']} | {p['action']} | {p['title']} | "
            f"{p['amount']:,.0f} {p.get('currency', '')} | {p['requester']} | "
            f"{len(p.get('approvers', []))} of {p.get('required_approvers', 1)} |"
        )
    return rows


def _model_rows(changes: Sequence[ModelChoice], bands: StoredCalibration | None) -> list[str]:
    rows = [f"- {c.as_of} {c.series_id}: {c.action} {c.model}: {c.reason}" for c in changes]
    rows = rows or ["No forecast model changed this week."]
    if bands is None:
        return [*rows, "- Balance bands: raw (no calibration stored)."]
    cal = bands.calibration
    widest = {k: max(cal.widening(k, 0.8)) for k in cal.real_q}
    wider = ", ".join(f"{k} up to x{f:.1f}" for k, f in sorted(widest.items()))
    held = cal.coverage_before.get("80")
    return [
        *rows,
        f"- Balance bands calibrated {bands.as_of} ({bands.calibration_id}, {bands.reason}): "
        + (f"raw 80 % bands held {held:.0%} of backtested balances; " if held is not None else "")
        + f"80 % bands widened {wider or 'nowhere'}.",
    ]


def weekly_report(
    ws: Workspace,
    *,
    out: Path | None = None,
    proposals: Sequence[Mapping[str, Any]] = (),
    trend_months: int = 6,
    period_days: int = 30,
    as_of: date | None = None,
) -> WeeklyReport:
    """Write the weekly report as Markdown with its charts (PNG files beside it).

    Args:
        ws: the workspace.
        out: the Markdown file (default ``WORKSPACE/reports/weekly-<as of>.md``).
        proposals: pending proposals (``ProposalRecord.summary()`` dicts) to list.
        trend_months: month-ends in the CCC trend.
        period_days: KPI trend period.
        as_of: forecast origin (default: the latest bank data); passing the date a
            session already forecast from reuses that stored forecast run.

    Raises:
        DataError: too little bank data to forecast.
    """
    run = run_forecast(ws, as_of=as_of, horizon_days=91, n_paths=300, quality="fast")
    fc = run.forecast
    o = fc.outlook
    policy = ws.policy()
    tables = ws.read_all()
    risk = liquidity_risk(o, policy)
    path = out or ws.root / "reports" / f"weekly-{o.as_of}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    refs: list[ReportChart] = []

    def save(name: str, png: bytes, kind: ChartKind, title: str, key: str | None) -> str:
        target = path.with_name(f"{path.stem}-{name}.png")
        target.write_bytes(png)
        refs.append(ReportChart(kind=kind, title=title, key=key, path=target))
        return target.name

    largest = max(o.positions, key=lambda p: p.opening * p.fx_to_reporting)
    fan_title = f"Cash forecast {largest.key}"
    fan = save("fan", fan_chart(o, largest.key, fmt="png"), "fan", fan_title, largest.key)
    binding = risk.binding.scope if risk.binding.scope in o.keys else largest.key
    position_title = f"Cash position {binding}"
    position = save(
        "cash-position",
        cash_position_chart(o, binding, fmt="png"),
        "cash_position",
        position_title,
        binding,
    )
    start = (o.as_of.replace(day=1) - timedelta(days=31 * (trend_months - 1))).replace(day=1)
    ccc_line = "CCC trend not available: "
    try:
        trend = kpi_series(dict(tables), policy, start=start, end=o.as_of, freq="ME")
        png = ccc_trend_chart(trend.frame(), fmt="png")
        ccc_name = save("ccc", png, "ccc_trend", "Cash conversion cycle", None)
        ccc_line = f"![Cash conversion cycle]({ccc_name})"
    except WcmError as exc:
        ccc_line += str(exc)
    values, day, _ = kpi_values(ws, tables, policy, forecast=fc, risk=risk, period_days=period_days)
    tracking = track_kpis(
        values, load_targets(ws.root / TARGETS_FILE), as_of=day, period_days=period_days
    )
    open_alerts, n_open = list_alerts(ws.engine, status="open", limit=15)
    _, variance = recent_variance(ws, fc, tables, 7)
    week_ago = o.as_of - timedelta(days=7)
    changes = [c for c in model_history(ws.engine) if c.as_of > week_ago and c.action != "kept"]
    ccy = o.reporting_currency
    g = risk.group
    title = f"Weekly working-capital report: {ws.name}"
    lines = [
        f"# {title}",
        "",
        f"Data up to **{o.as_of}**; forecast run `{run.run_id}` ({o.horizon_days} days, "
        f"{o.n_paths} paths). Amounts in {ccy} unless a position's currency is named.",
        "",
        "## Cash outlook",
        "",
        f"- Group cash {g.opening:,.0f} {ccy} against a minimum of {g.minimum:,.0f} {ccy}; "
        f"chance of a breach within {risk.horizon_days} days: {g.horizon_breach_probability:.0%}"
        f" ({g.horizon_breach_probability_with_credit:.0%} drawing the credit lines).",
        f"- Tightest point: {risk.binding.scope} on {risk.binding.date}, 5 % balance "
        f"{risk.binding.balance_q05:,.0f} against {risk.binding.minimum:,.0f}.",
        "",
        f"![{fan_title}]({fan})",
        "",
        f"![{position_title}]({position})",
        "",
        "## KPIs against targets",
        "",
        *_kpi_rows(tracking.kpis),
        "",
        ccc_line,
        "",
        f"## Open alerts ({n_open})",
        "",
        *_alert_rows(open_alerts),
        "",
        "## Forecast versus actual, last 7 days",
        "",
    ]
    if variance is None:
        lines.append("No earlier forecast covers the last days yet.")
    else:
        lines += [variance.summary, ""]
        lines += [f"- {d.explanation}" for d in variance.drivers[:5]]
    lines += [
        "",
        f"## Pending proposals ({len(proposals)})",
        "",
        *_proposal_rows(proposals),
        "",
        "## Forecast models",
        "",
        *_model_rows(changes, latest_calibration(ws, as_of=o.as_of)),
        "",
    ]
    markdown = "\n".join(lines)
    write_atomic(path, markdown)
    figures = ReportFigures(
        reporting_currency=ccy,
        group_cash=g.opening,
        minimum_cash=g.minimum,
        breach_probability=g.horizon_breach_probability,
        breach_probability_with_credit=g.horizon_breach_probability_with_credit,
        risk_horizon_days=risk.horizon_days,
        tightest_scope=risk.binding.scope,
        tightest_date=risk.binding.date,
        tightest_balance_q05=risk.binding.balance_q05,
        tightest_minimum=risk.binding.minimum,
        alerts_open=n_open,
        kpis_tracked=len(tracking.kpis),
        kpis_off_target=sum(k.status == "off_target" for k in tracking.kpis),
        pending_proposals=len(proposals),
        variance=None if variance is None else variance.variance,
    )
    return WeeklyReport(
        path=path,
        title=title,
        markdown=markdown,
        charts=tuple(r.path for r in refs),
        chart_refs=tuple(refs),
        figures=figures,
        as_of=o.as_of,
        forecast_run_id=run.run_id,
        provenance={
            "forecast": dict(o.provenance),
            "kpi_targets": str(ws.root / TARGETS_FILE),
            "alerts_open": n_open,
            "variance_window": None if variance is None else [str(d) for d in variance.window],
        },
    )
