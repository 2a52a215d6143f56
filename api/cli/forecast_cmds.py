"""``wcm forecast``: the cash forecast per position, by week or month, with its drivers."""

from __future__ import annotations

import re
from typing import Annotated, Any

import pandas as pd
import typer

from api.cli.data_cmds import _as_of
from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, settings, workspace_path
from api.cli.output import console, err_console, money, print_json, table
from tools.errors import ConfigError

__all__ = ["forecast_tables", "parse_horizon", "show_forecast"]

_UNITS = {"d": 1, "w": 7, "m": 365 / 12, "y": 365}


def parse_horizon(text: str) -> int:
    """Calendar days in a horizon such as ``13w``, ``90d``, ``3m`` or ``12m``."""
    match = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", text.lower())
    if not match:
        raise ConfigError(f"--horizon {text!r}: expected a number and a unit, e.g. 13w, 90d, 6m")
    days = round(int(match.group(1)) * _UNITS[match.group(2) or "d"])
    if not 7 <= days <= 366:
        raise ConfigError(f"--horizon {text!r}: choose between 1 week (1w) and 12 months (12m)")
    return days


@app.command("forecast")
@handle_errors
def forecast_cmd(
    workspace: WorkspaceOpt = None,
    horizon: Annotated[
        str, typer.Option(help="How far ahead: 13w (weeks), 90d (days), 6m or 12m (months).")
    ] = "13w",
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Forecast origin YYYY-MM-DD [default: the last bank booking date].",
            show_default=False,
        ),
    ] = None,
    paths: Annotated[int, typer.Option(min=50, max=5000, help="Monte Carlo sample paths.")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same forecast).")] = 0,
    fast: Annotated[bool, typer.Option(help="Quick statistical models only.")] = False,
    engine: Annotated[
        bool,
        typer.Option(
            help="Re-centre the statistical series on the backtested forecasting engine "
            "(slower; see evals.cash_forecast).",
        ),
    ] = False,
    calibrate: Annotated[
        bool,
        typer.Option(
            help="Calibrate the balance bands again now (backtests from six earlier dates, "
            "about six fast forecasts more) and store the calibration for later forecasts. "
            "By default the newest stored calibration applies (the daily job makes one "
            "every 14 days).",
        ),
    ] = False,
    raw_bands: Annotated[
        bool,
        typer.Option(
            "--raw-bands",
            help="Show the sample paths' own bands, without the stored calibration.",
        ),
    ] = False,
    refresh: Annotated[bool, typer.Option(help="Recompute even if a stored run fits.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Forecast cash per entity and currency, with 80/95 % bands, drivers and changes."""
    from tools.forecasting.explain import compare_forecasts, summarize
    from tools.workspace import open_workspace
    from tools.workspace.forecast_runs import load_run, previous_run, run_forecast

    ws = open_workspace(workspace_path(workspace), database_url=settings().database_url)
    days = parse_horizon(horizon)
    with err_console.status("forecasting cash (first run of new data takes a few seconds)"):
        run = run_forecast(
            ws,
            as_of=_as_of(as_of),
            horizon_days=days,
            n_paths=paths,
            seed=seed,
            quality="engine" if engine else "fast" if fast else "standard",
            bands="fresh" if calibrate else "raw" if raw_bands else "stored",
            refresh=refresh,
        )
    fc = run.forecast
    changes = []
    before = previous_run(ws, run)
    if before is not None:
        changes = compare_forecasts(load_run(ws, before), fc, threshold=1.0)[:8]
    grain, periods = forecast_tables(fc, days)
    summary = summarize(fc)
    if as_json:
        print_json(
            {
                "run_id": run.run_id,
                "cached": run.cached,
                "as_of": fc.outlook.as_of,
                "horizon_days": days,
                "grain": grain,
                "positions": [s.model_dump() for s in summary],
                "periods": periods.to_dict("records"),
                "drivers": list(fc.outlook.drivers),
                "changes_since_previous": [c.model_dump() for c in changes],
                "provenance": dict(fc.provenance),
            }
        )
        return
    show_forecast(run, periods, summary, changes, days=days, grain=grain)


def show_forecast(
    run: Any,
    periods: pd.DataFrame,
    summary: list[Any],
    changes: list[Any],
    *,
    days: int,
    grain: str,
) -> None:
    """Print a forecast run: one table per position, the drivers, the changes."""
    fc = run.forecast
    o = fc.outlook
    console.print(
        f"Cash forecast from {o.as_of} for {days} days ({run.run_id}"
        f"{', stored run reused' if run.cached else ''}); bands are 80 % and 95 %, "
        f"{_bands_note(o.provenance.get('calibration'))}."
    )
    for s in summary:
        rows = periods.loc[periods["key"] == s.key]
        console.print(
            table(
                f"{s.key}: opening {money(s.opening, s.currency)}, floor "
                f"{money(s.minimum, s.currency)}",
                [
                    grain,
                    "ending",
                    "receipts",
                    "payments, other",
                    "net",
                    "closing",
                    "95 % band",
                    "vs floor",
                ],
                [
                    (
                        r["period"],
                        r["ending"],
                        money(r["receipts"]),
                        money(r["payments"]),
                        money(r["net_flow"]),
                        money(r["closing_mean"]),
                        f"{money(r['closing_lo_95'])} .. {money(r['closing_hi_95'])}",
                        "below" if r["closing_lo_95"] < s.minimum else "ok",
                    )
                    for r in rows.to_dict("records")
                ],
                numeric={"receipts", "payments, other", "net", "closing"},
            )
        )
    if o.drivers:
        console.print(
            table(
                "What drives it",
                ["kind", "position", "reference", "amount", "date", "basis"],
                [
                    (
                        d["kind"].replace("_", " "),
                        d["key"],
                        d.get("ref") or d.get("counterparty"),
                        money(d["amount"]),
                        d.get("expected_date") or d.get("date"),
                        d.get("basis")
                        or (f"p={d['probability']:.0%}" if "probability" in d else ""),
                    )
                    for d in o.drivers
                ],
                numeric={"amount"},
            )
        )
    if changes:
        console.print(
            table(
                "Changed since the previous forecast",
                ["position", "what", "before", "now", "change"],
                [
                    (c.key, c.what, money(c.previous), money(c.current), money(c.change))
                    for c in changes
                ],
                numeric={"before", "now", "change"},
            )
        )


def forecast_tables(fc: Any, days: int) -> tuple[str, pd.DataFrame]:
    """The grain (week up to 13 weeks, month beyond) and the table per period."""
    grain = "week" if days <= 92 else "month"
    return grain, _periods(fc.weekly() if grain == "week" else _monthly(fc), grain)


def _monthly(fc: Any) -> pd.DataFrame:
    """Month totals: the weekly table regrouped by calendar month of the week's end."""
    weekly = fc.weekly()
    weekly["month"] = pd.to_datetime(weekly["week_ending"]).dt.to_period("M").astype(str)
    flow_cols = [str(c) for c in weekly if str(c).startswith("flow_") or c == "net_flow"]
    agg: dict[str, Any] = dict.fromkeys(flow_cols, "sum")
    agg |= {
        c: "last" for c in weekly if c.startswith("closing_") or c in ("minimum", "week_ending")
    }
    out = weekly.groupby(["key", "month"], sort=False).agg(agg).reset_index()
    return out.rename(columns={"month": "week"})


def _periods(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    names = [str(c) for c in frame.columns]
    receipts = [c for c in names if c == "flow_customer_receipt"]
    payments = [c for c in names if c.startswith("flow_") and c != "flow_customer_receipt"]
    out = pd.DataFrame(
        {
            "key": frame["key"],
            "period": frame["week"],
            "ending": frame["week_ending"].astype(str),
            "receipts": frame[receipts].sum(axis=1) if receipts else 0.0,
            "payments": frame[payments].sum(axis=1),
            "net_flow": frame["net_flow"],
            "closing_mean": frame["closing_mean"],
            "closing_lo_95": frame["closing_lo_95"],
            "closing_lo_80": frame["closing_lo_80"],
            "closing_hi_80": frame["closing_hi_80"],
            "closing_hi_95": frame["closing_hi_95"],
        }
    )
    out.attrs["grain"] = grain
    return out.round(2)


def _bands_note(cal: Any) -> str:
    """How the bands were calibrated, in a few words."""
    if not cal:
        return "the sample paths' own"
    if not cal.get("calibrated"):
        return f"the sample paths' own ({cal.get('reason', 'not calibrated')})"
    cover = cal.get("coverage_before", {}).get("80")
    held = f"; raw 80 % bands held {cover:.0%} of backtested balances" if cover is not None else ""
    made = cal.get("calibration_id") or f"as of {cal.get('as_of')}"
    n = len(cal.get("origins", []))
    return f"calibrated on backtests from {n} earlier dates ({made}{held})"
