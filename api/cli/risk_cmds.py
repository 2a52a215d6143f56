"""``wcm risk``, ``wcm scenario``, ``wcm stress`` and ``wcm alerts``: liquidity risk on the
workspace's cash forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import pandas as pd
import typer

from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, settings, workspace_path
from api.cli.output import console, err_console, money, print_json, table
from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook
from tools.risk.episodes import WatchState

AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Forecast origin YYYY-MM-DD (default: the last bank booking).",
        show_default=False,
    ),
]
HorizonOpt = Annotated[int, typer.Option(min=7, max=365, help="Days ahead.")]
PathsOpt = Annotated[int, typer.Option(min=50, max=20_000, help="Monte Carlo sample paths.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the sample paths.")]
FastOpt = Annotated[bool, typer.Option("--fast", help="Quicker, rougher forecast.")]


@dataclass(frozen=True)
class Context:
    """What the commands work on: the ledger, the policy and the forecast.

    ``watch`` is the daily job's early-warning state (None before its first run): which
    warnings held on earlier runs and are confirmed.
    """

    tables: dict[str, pd.DataFrame]
    policy: Policy
    outlook: CashOutlook
    receivables: pd.DataFrame
    watch: WatchState | None = None


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ConfigError(f"{option} {value!r}: expected a date like 2026-06-30") from None


def load_context(
    workspace: Any, *, as_of: date | None, horizon: int, paths: int, seed: int, fast: bool
) -> Context:
    """Read the workspace and forecast its cash (tests replace this)."""
    from tools.workspace import open_workspace
    from tools.workspace.forecast_runs import run_forecast

    ws = open_workspace(workspace_path(workspace), database_url=settings().database_url)
    with err_console.status("forecasting cash (a stored run is reused when the data is unchanged)"):
        forecast = run_forecast(
            ws,
            as_of=as_of,
            horizon_days=horizon,
            n_paths=paths,
            seed=seed,
            quality="fast" if fast else "standard",
        ).forecast
    from tools.monitoring.steps import read_watch

    watch = read_watch(ws.root)
    return Context(ws.read_all(), ws.policy(), forecast.outlook, forecast.receivables, watch)


def _usable(watch: WatchState | None, as_of: date) -> WatchState | None:
    """The daily job's state when it is not from a later day than the forecast."""
    return watch if watch is not None and watch.as_of <= as_of else None


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


@app.command("risk")
@handle_errors
def risk_cmd(
    workspace: WorkspaceOpt = None,
    as_of: AsOfOpt = None,
    horizon: HorizonOpt = 91,
    paths: PathsOpt = 500,
    seed: SeedOpt = 0,
    fast: FastOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Liquidity risk: chance of breaching minimum cash per position, entity and group."""
    from tools.risk import liquidity_risk

    ctx = load_context(
        workspace, as_of=_date(as_of, "--as-of"), horizon=horizon, paths=paths, seed=seed, fast=fast
    )
    risk = liquidity_risk(ctx.outlook, ctx.policy, horizon_days=horizon)
    if as_json:
        print_json(risk)
        return
    rows = [
        (
            s.scope,
            s.currency,
            money(s.minimum),
            money(s.opening),
            _pct(s.horizon_breach_probability),
            _pct(s.horizon_breach_probability_with_credit),
            s.first_breach_date or "-",
            money(s.expected_shortfall),
            money(s.cash_flow_at_risk),
            money(s.min_balance_q05),
        )
        for s in risk.scopes
    ]
    cols = ["scope", "ccy", "minimum", "opening", "P(breach)", "with credit", "first breach",
            "exp. shortfall", "CFaR 95%", "min q05"]  # fmt: skip
    console.print(
        table(
            f"Liquidity risk as of {risk.as_of}, {risk.horizon_days} days, "
            f"{risk.provenance['n_paths']} paths (P: any day below the minimum)",
            cols,
            rows,
            numeric=set(cols[2:]) - {"first breach"},
        )
    )
    b = risk.binding
    console.print(
        f"binding: {b.scope} on {b.date}, 5 % balance {b.balance_q05:,.0f} against "
        f"{b.minimum:,.0f} (P {b.breach_probability:.0%})"
    )
    worst = max(risk.policy_scopes, key=lambda s: s.horizon_breach_probability)
    drivers = ", ".join(f"{d.category} {d.contribution:,.0f}" for d in worst.drivers[:3])
    console.print(f"drivers for {worst.scope} to {worst.reference_date}: {drivers}")


def _comparison(result: Any, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    ccy = result.reporting_currency
    rows = [
        (
            r.name,
            r.severity,
            money(r.group_min_balance_q05),
            _pct(r.breach_probability),
            _pct(r.breach_probability_with_credit),
            money(r.expected_shortfall),
            r.first_breach_date or "-",
            r.worst_scope,
        )
        for r in result.results
    ]
    cols = [
        "scenario",
        "severity",
        "group min q05",
        "P(breach)",
        "with credit",
        "exp. shortfall",
        "first breach",
        "worst scope",
    ]
    console.print(
        table(
            f"Scenarios as of {result.as_of}, {result.horizon_days} days, amounts in {ccy}",
            cols,
            rows,
            numeric={"group min q05", "P(breach)", "with credit", "exp. shortfall"},
        )
    )


@app.command("scenario")
@handle_errors
def scenario_cmd(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help='Scenario text, e.g. "collections -15% for 6 weeks" (several allowed).'
        ),
    ],
    workspace: WorkspaceOpt = None,
    as_of: AsOfOpt = None,
    horizon: HorizonOpt = 91,
    paths: PathsOpt = 500,
    seed: SeedOpt = 0,
    fast: FastOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Compare what-if scenarios with the baseline forecast, side by side."""
    from tools.scenarios import compare_scenarios, expected_receipts_from, parse_scenario

    parsed = [parse_scenario(text) for text in scenarios]  # fail fast, before forecasting
    ctx = load_context(
        workspace, as_of=_date(as_of, "--as-of"), horizon=horizon, paths=paths, seed=seed, fast=fast
    )
    result = compare_scenarios(
        ctx.outlook, ctx.policy, parsed, expected_receipts=expected_receipts_from(ctx.receivables)
    )
    _comparison(result, as_json)


@app.command("stress")
@handle_errors
def stress_cmd(
    workspace: WorkspaceOpt = None,
    severity: Annotated[
        str | None, typer.Option(help="Only 'moderate' or 'severe' scenarios.")
    ] = None,
    as_of: AsOfOpt = None,
    horizon: HorizonOpt = 91,
    paths: PathsOpt = 500,
    seed: SeedOpt = 0,
    fast: FastOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Stress test: the standard library of moderate and severe scenarios."""
    from tools.scenarios import expected_receipts_from, stress_test

    if severity not in (None, "moderate", "severe"):
        raise ConfigError(f"--severity {severity!r}: expected 'moderate' or 'severe'")
    ctx = load_context(
        workspace, as_of=_date(as_of, "--as-of"), horizon=horizon, paths=paths, seed=seed, fast=fast
    )
    result = stress_test(
        ctx.outlook,
        ctx.policy,
        severity=severity,  # type: ignore[arg-type]
        expected_receipts=expected_receipts_from(ctx.receivables),
    )
    _comparison(result, as_json)


@app.command("alerts")
@handle_errors
def alerts_cmd(
    workspace: WorkspaceOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Check bank lines from this date (default: the last 30 days).", show_default=False
        ),
    ] = None,
    as_of: AsOfOpt = None,
    horizon: HorizonOpt = 91,
    paths: PathsOpt = 500,
    seed: SeedOpt = 0,
    fast: FastOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Early warnings (minimum-cash breaches ahead) and anomalies in recent bank flows.

    The warnings are the daily job's (``wcm run-daily``): each with its status against the
    job's earlier runs (new, ongoing, escalated, pending confirmation, structural). This
    command only reads that history; the daily job moves it on.
    """
    from tools.risk import bank_anomalies, run_early_warnings

    ctx = load_context(
        workspace, as_of=_date(as_of, "--as-of"), horizon=horizon, paths=paths, seed=seed, fast=fast
    )
    run = run_early_warnings(
        ctx.outlook,
        ctx.policy,
        ctx.tables,
        ctx.receivables,
        previous=_usable(ctx.watch, ctx.outlook.as_of),
        horizon_days=horizon,
    )
    warnings = run.shown
    anomalies = bank_anomalies(ctx.tables, since=_date(since, "--since"))
    if as_json:
        print_json(
            {
                "liquidity": warnings.model_dump(mode="json"),
                "anomalies": anomalies.model_dump(mode="json"),
            }
        )
        return
    rows = [
        (
            a.severity,
            str(a.data.get("status", "")),
            a.scope,
            a.breach_date,
            a.lead_time_days,
            _pct(a.probability),
            a.cause,
        )
        for a in warnings.alerts
    ]
    console.print(
        table(
            f"Early warnings as of {warnings.as_of}",
            ["severity", "status", "scope", "breach", "lead (bd)", "P", "cause"],
            rows or [("-", "", "no breach probability above the thresholds", "", "", "", "")],
        )
    )
    found = [
        (
            a.severity,
            a.kind,
            a.booking_date,
            a.counterparty or "",
            f"{a.amount:,.2f} {a.currency}",
            a.reason,
        )
        for a in anomalies.anomalies
    ]
    console.print(
        table(
            f"Bank-flow anomalies {anomalies.since}..{anomalies.until}",
            ["severity", "kind", "date", "counterparty", "amount", "reason"],
            found or [("-", "none found", "", "", "", "")],
        )
    )
    details = anomalies.checks["bank_details"]
    if details.get("status") == "not_checked":
        console.print(f"bank details not checked: {details['reason']}")
