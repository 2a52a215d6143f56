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
- ``skill``: ``1 - balance_mae / balance_mae(trend)``.

**Methods.** ``outlook`` (the default ``quality="standard"``: week bootstrap of the
statistical series, per-customer empirical delays for open invoices),
``outlook-calibrated`` (the same with its balance bands widened by backtests from six
earlier dates, ``calibrate=True``), ``outlook-engine`` (``quality="engine"``: the
statistical series re-centred on the forecasting engine's point forecast), and two
baselines
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
from tools.forecasting.categorize import INTERNAL, categorize
from tools.forecasting.positions import account_keys

__all__ = ["main"]

HORIZON = 91
FIRST_ORIGIN = date(2025, 9, 1)
SPACING = 28
_DRAW = r"^(?:Drawdown|Repayment) revolving"
_METHODS: dict[str, dict[str, Any]] = {
    "outlook": {"quality": "standard"},
    "outlook-calibrated": {"quality": "standard", "calibrate": True},
    "outlook-engine": {"quality": "engine"},
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
    rows: list[dict[str, Any]] = []
    for origin in origins:
        view = tables_as_of(company.tables, origin)
        fast = None
        for method in methods:
            started = time.perf_counter()
            forecast = build_outlook(
                view,
                company.policy,
                as_of=origin,
                horizon_days=HORIZON,
                n_paths=500,
                seed=seed,
                **_METHODS[method],
            )
            seconds = time.perf_counter() - started
            say(f"seed {seed} {origin} {method}: {seconds:.1f} s")
            o = forecast.outlook
            fast = o
            for pos in o.positions:
                actual = truth.path(pos.key, origin, o.dates)
                paths = o.balance_paths(pos.key)
                rows.append(
                    _score(
                        method, seed, origin, pos.key, pos.fx_to_reporting, actual, paths, seconds
                    )
                )
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
        "weekly_abs_err": float(np.mean(weekly_err) * fx) if weekly_err else 0.0,
        "seconds": seconds,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    frame = pd.DataFrame(rows)
    out: dict[str, dict[str, float]] = {}
    for method, g in frame.groupby("method", sort=False):
        days = g["days"].sum()
        res = {
            "balance_mae": round(float(g["abs_err"].sum() / days), 0),
            "weekly_flow_mae": round(float(g["weekly_abs_err"].mean()), 0),
        }
        if method not in BASELINES:
            res |= {
                "coverage_80": round(float(g["in_80"].sum() / days), 3),
                "coverage_95": round(float(g["in_95"].sum() / days), 3),
                "width_80": round(float(g["width_80"].mean()), 0),
                "seconds_per_forecast": round(
                    float(g.drop_duplicates(["seed", "origin"])["seconds"].mean()), 2
                ),
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
    parser.add_argument("--methods", nargs="+", default=list(_METHODS)[:2], choices=list(_METHODS))
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
