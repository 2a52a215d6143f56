"""The cash outlook against what the bank balances then did, on the demo-company simulator.

``python -m evals.cash_forecast [--seeds 21 22] [--origins 6] [--methods ...] [--json]``

**Forecasts.** For each seed a simulated company is generated; from ``2025-09-01`` on,
every 28 days (``--origins`` dates) its ledger is cut with ``tables_as_of`` and forecast
91 days ahead with ``build_outlook`` under each method (500 paths).

**Truth.** Seen from an origin ``d``, a position's *own-funds* balance on day ``t`` is its
actual closing balance (sum of its accounts) less the revolver drawings net of repayments
booked in ``(d, t]``: the outlook forecasts the balance before new treasury actions, so the
treasurer's later drawings are taken out of the truth the same way.

**Metrics** (all positions, every day of the horizon, pooled over origins and seeds):

- ``coverage_80`` / ``coverage_95``: share of days whose own-funds balance lies inside the
  forecast's central 80 % / 95 % band of balance paths (target: within 5 points of 0.80 and
  0.95); ``width_80``: the mean band width in the reporting currency (sharper is better at
  equal coverage);
- ``balance_mae``: mean absolute error of the mean balance path, in the reporting currency;
- ``weekly_flow_mae``: mean absolute error of each week's net flow;
- ``skill``: ``1 - balance_mae / balance_mae(trend)``;
- ``balance_bias``: mean signed error of the mean balance path (positive: the forecast
  expects more cash than came);
- ``receipts_weekly_mae``: how well the receipts from the invoices open at the origin are
  timed: mean absolute error of each week's expected receipts from those invoices
  (``receivables_daily``) against the receipts the simulator then booked on them;
  ``receipt_days_mae``: mean absolute days between each such invoice's expected (median)
  payment date and its actual settlement, over the invoices settled within the horizon.

**Methods.** ``outlook`` (the defaults: ``quality="standard"``, week bootstrap of the
statistical series; open invoices timed by the per-invoice payment-date model),
``outlook-calibrated`` (the same with its balance bands widened by backtests from six
earlier dates, ``calibrated_outlook``), ``outlook-engine`` (``quality="engine"``: the
statistical series re-centred on the forecasting engine's point forecast),
``outlook-payment-model`` and ``outlook-empirical`` (open invoices' receipts timed by the
per-invoice payment-date model fitted at the origin, or by each customer's own empirical
delays: ``open_invoices="payment_model"`` / ``"empirical"``), and two baselines
without uncertainty: ``flat`` (the balance stays at today's level) and ``trend`` (today's
balance plus the average daily net flow of the last 91 days, as a spreadsheet would).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit
from tools.data.asof import tables_as_of
from tools.data.simulator import Company, SimConfig, generate_company
from tools.forecasting.calibration import own_funds, own_funds_path
from tools.forecasting.cash import build_outlook
from tools.forecasting.cash_bands import calibrated_outlook
from tools.forecasting.categorize import INTERNAL, categorize
from tools.forecasting.positions import account_keys

__all__ = ["main"]

HORIZON = 91
FIRST_ORIGIN = date(2025, 9, 1)
SPACING = 28
_DRAW = r"^(?:Drawdown|Repayment) revolving"
_METHODS: dict[str, dict[str, Any]] = {
    "outlook": {"quality": "standard"},
    "outlook-calibrated": {"quality": "standard", "calibrate": True},  # calibrated_outlook
    "outlook-engine": {"quality": "engine"},
    "outlook-payment-model": {"quality": "standard", "open_invoices": "payment_model"},
    "outlook-empirical": {"quality": "standard", "open_invoices": "empirical"},
}
BASELINES = ("flat", "trend")


class OwnFunds:
    """Own-funds balances per position: closing balance less revolver drawings (net of
    repayments) booked after the origin, as the outlook's calibration measures them."""

    def __init__(self, company: Company) -> None:
        self.frames = own_funds(company.tables, _DRAW)

    def path(self, key: str, origin: date, dates: pd.DatetimeIndex) -> np.ndarray:
        """Own-funds balance on each of ``dates`` seen from ``origin`` (NaN where unknown)."""
        return own_funds_path(self.frames[key], origin, dates)


def _baseline_paths(
    company: Company, view: dict[str, pd.DataFrame], origin: date, key: str, opening: float, h: int
) -> dict[str, np.ndarray]:
    keys = account_keys(company.tables["bank_accounts"])
    lines = categorize(view["bank_transactions"], view)
    lines = lines.assign(key=lines["account_id"].map(keys))
    t = pd.Timestamp(origin)
    recent = lines.loc[
        (lines["key"] == key)
        & (lines["category"] != INTERNAL)
        & ~lines["description"].fillna("").str.match(_DRAW)
        & (pd.to_datetime(lines["booking_date"]) > t - pd.Timedelta(days=91))
    ]
    daily = float(recent["amount"].sum()) / 91
    steps = np.arange(1, h + 1)
    return {"flat": np.full(h, opening), "trend": opening + daily * steps}


def evaluate(seed: int, origins: list[date], methods: list[str], say: Any) -> list[dict[str, Any]]:
    company = generate_company(SimConfig(seed=seed))
    truth = OwnFunds(company)
    booked = company.tables["ar_receipts"].assign(
        payment_date=lambda r: pd.to_datetime(r["payment_date"])
    )
    settled = pd.to_datetime(company.tables["ar_invoices"].set_index("invoice_id")["settled_date"])
    rows: list[dict[str, Any]] = []
    for origin in origins:
        view = tables_as_of(company.tables, origin)
        fast = None
        for method in methods:
            started = time.perf_counter()
            kwargs = dict(_METHODS[method])
            build = calibrated_outlook if kwargs.pop("calibrate", False) else build_outlook
            forecast = build(
                view,
                company.policy,
                as_of=origin,
                horizon_days=HORIZON,
                n_paths=500,
                seed=seed,
                **kwargs,
            )
            seconds = time.perf_counter() - started
            say(f"seed {seed} {origin} {method}: {seconds:.1f} s")
            o = forecast.outlook
            fast = o
            timing = _receipt_errors(forecast.receivables, forecast.receivables_daily, booked, o)
            days = _receipt_days(forecast.receivables, settled, o.dates)
            for pos in o.positions:
                actual = truth.path(pos.key, origin, o.dates)
                paths = o.balance_paths(pos.key)
                row = _score(
                    method, seed, origin, pos.key, pos.fx_to_reporting, actual, paths, seconds
                )
                row["receipts_weekly_abs_err"] = timing.get(pos.key, 0.0) * pos.fx_to_reporting
                row["receipt_days"] = days.get(pos.key, np.zeros(0))
                rows.append(row)
        assert fast is not None
        for pos in fast.positions:
            actual = truth.path(pos.key, origin, fast.dates)
            for name, mean in _baseline_paths(
                company, view, origin, pos.key, pos.opening, HORIZON
            ).items():
                rows.append(
                    _score(
                        name, seed, origin, pos.key, pos.fx_to_reporting, actual, mean[None, :], 0.0
                    )
                )
    return rows


def _receipt_days(
    invoices: pd.DataFrame, settled: pd.Series, dates: pd.DatetimeIndex
) -> dict[str, np.ndarray]:
    """Per position: absolute days between each open invoice's expected payment date and
    its settlement, for the invoices settled within the horizon."""
    if invoices.empty:
        return {}
    actual = invoices["invoice_id"].map(settled)
    ok = actual.between(dates[0], dates[-1]) & invoices["expected_date"].notna()
    err = (invoices["expected_date"] - actual).dt.days.abs()
    return {str(k): g.to_numpy(float) for k, g in err.loc[ok].groupby(invoices.loc[ok, "key"])}


def _receipt_errors(
    invoices: pd.DataFrame, daily: pd.DataFrame, booked: pd.DataFrame, o: Any
) -> dict[str, float]:
    """Per position: mean absolute error of each week's expected receipts from the invoices
    open at the origin against the receipts booked on them (position currency)."""
    if invoices.empty:
        return {}
    key_of = invoices.set_index("invoice_id")["key"]
    start, weeks = o.dates[0], np.arange(o.horizon_days // 7)
    mine = booked.loc[
        booked["invoice_id"].isin(key_of.index)
        & (booked["payment_date"] >= start)
        & (booked["payment_date"] <= o.dates[-1])
    ]
    out = {}
    for frame, day, value, name in (
        (mine, "payment_date", "amount", "actual"),
        (daily, "ds", "expected", "expected"),
    ):
        week = (pd.to_datetime(frame[day]) - start).dt.days // 7
        out[name] = frame.groupby([frame["invoice_id"].map(key_of), week])[value].sum()
    both = pd.concat(out, axis=1).fillna(0.0)
    errors = {}
    for key in key_of.unique():
        table = both.loc[key] if key in both.index.get_level_values(0) else both.iloc[:0]
        table = table.reindex(weeks, fill_value=0.0)
        errors[str(key)] = float((table["actual"] - table["expected"]).abs().mean())
    return errors


def _score(
    method: str,
    seed: int,
    origin: date,
    key: str,
    fx: float,
    actual: np.ndarray,
    paths: np.ndarray,
    seconds: float,
) -> dict[str, Any]:
    ok = ~np.isnan(actual)
    mean = paths.mean(axis=0)
    q = np.quantile(paths, [0.025, 0.10, 0.90, 0.975], axis=0)
    weeks = np.arange(len(actual)) // 7
    flow_true = np.diff(np.concatenate([[actual[0]], actual]))
    flow_mean = np.diff(np.concatenate([[mean[0]], mean]))
    weekly_err = [
        abs(flow_true[(weeks == w) & ok].sum() - flow_mean[(weeks == w) & ok].sum())
        for w in np.unique(weeks[ok])
    ]
    return {
        "method": method,
        "seed": seed,
        "origin": origin.isoformat(),
        "key": key,
        "days": int(ok.sum()),
        "in_80": int(((actual >= q[1]) & (actual <= q[2]) & ok).sum()),
        "in_95": int(((actual >= q[0]) & (actual <= q[3]) & ok).sum()),
        "width_80": float(((q[2] - q[1])[ok]).mean() * fx),
        "abs_err": float(np.abs(mean - actual)[ok].sum() * fx),
        "err": float((mean - actual)[ok].sum() * fx),
        "weekly_abs_err": float(np.mean(weekly_err) * fx) if weekly_err else 0.0,
        "seconds": seconds,
    }


def _mean_days(errors: pd.Series) -> float:
    pooled = np.concatenate([np.zeros(0), *errors])
    return round(float(pooled.mean()), 2) if len(pooled) else float("nan")


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    frame = pd.DataFrame(rows)
    out: dict[str, dict[str, float]] = {}
    for method, g in frame.groupby("method", sort=False):
        days = g["days"].sum()
        res = {
            "balance_mae": round(float(g["abs_err"].sum() / days), 0),
            "weekly_flow_mae": round(float(g["weekly_abs_err"].mean()), 0),
            "balance_bias": round(float(g["err"].sum() / days), 0),
        }
        if method not in BASELINES:
            res |= {
                "coverage_80": round(float(g["in_80"].sum() / days), 3),
                "coverage_95": round(float(g["in_95"].sum() / days), 3),
                "width_80": round(float(g["width_80"].mean()), 0),
                "seconds_per_forecast": round(
                    float(g.drop_duplicates(["seed", "origin"])["seconds"].mean()), 2
                ),
                "receipts_weekly_mae": round(float(g["receipts_weekly_abs_err"].mean()), 0),
                "receipt_days_mae": _mean_days(g["receipt_days"]),
            }
        out[str(method)] = res
    trend = out.get("trend", {}).get("balance_mae")
    if trend:
        for res in out.values():
            res["skill"] = round(1 - res["balance_mae"] / trend, 3)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m evals.cash_forecast",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[21, 22])
    parser.add_argument("--origins", type=int, default=6, help="forecast dates per seed")
    parser.add_argument(
        "--methods",
        nargs="+",
        default=["outlook", "outlook-calibrated", "outlook-empirical"],
        choices=list(_METHODS),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    origins = [FIRST_ORIGIN + timedelta(days=SPACING * i) for i in range(args.origins)]

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    rows: list[dict[str, Any]] = []
    for seed in args.seeds:
        rows += evaluate(seed, origins, args.methods, say)
    results = summarise(rows)
    doc = {
        "dataset": f"simulator seeds {args.seeds}, {len(origins)} origins from "
        f"{origins[0]} every {SPACING} days, {HORIZON}-day horizon",
        "primary": args.methods[0],
        "results": results,
    }
    lines = [f"{m:13s} " + "  ".join(f"{k}={v}" for k, v in r.items()) for m, r in results.items()]
    emit(doc, as_json=args.json, lines=lines)


if __name__ == "__main__":
    main()
