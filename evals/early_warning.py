"""Early-warning lead time and false alarms on the demo-company simulator, against its truth.

``python -m evals.early_warning [--runs N] [--first-seed K] [--json]``

**Runs.** Run ``i`` uses seed ``K + i`` (default ``K`` = 1; parameters of the alert logic
were chosen on seeds 100-127, ``--first-seed 100``) and the shock design
``DESIGNS[i % 7]``: no shock; the largest US01 customers covering >= 10 % of US01 revenue
stop paying (small) or >= 40 % (large); the largest DE01 customers covering >= 30 % of
DE01 revenue stop paying; the five largest US01 goods suppliers demand prepayment; sales
fall 50 % for 120 days; EURUSD falls 15 %. Customer shares come from the simulator's truth
for the seed. The shock starts on ``S`` = 2025-09-01 plus ``23 x seed mod 150`` days (moved
to a weekday), so shocks meet different seasons. Sizes span shocks that cause breaches and
shocks that do not. The default 28 runs hold each design four times.

**Checks.** Every seven days from ``S - 21`` to ``S + 63`` days (13 as-of dates) the ledger
is cut with ``tables_as_of`` (the credit facilities' drawn amounts set back to that date
from the drawdowns and repayments booked after it, as a user would have had them), forecast
with ``build_outlook(quality="fast")``, its balance bands calibrated as the daily job does
(``band_calibration`` from the cut ledger when the last calibration is 14 days old or
missing, so every other check; reused in between) and passed through
``run_early_warnings``, the run
the daily job makes: ``liquidity_risk``, ``early_warnings`` plus the counterparty warnings
(customers that stopped paying, assumed not to pay; suppliers that switched to payment at
order) and ``watch``, which carries its state from check to check. A check *alerts*
for a cash position when a warning or critical alert is open on that position after
``watch`` (confirmed over consecutive checks, or critical, near, more likely than not, or
backed by a counterparty warning). Only positions with a
policy floor are scored (US01/USD, DE01/EUR); DE01's USD collection account has none.

**Truth: a breach.** The simulated treasurer defends the floor by drawing on the revolver,
so the recorded balance rarely stays below it. The outlook forecasts the balance *without
new drawings*, so the truth is measured the same way: seen from an as-of date ``d``, the
position breaches on the first business day ``t`` in ``(d, d + 91]`` on which its actual
closing balance (sum of its accounts, ``bank_balances``) minus the revolver drawings net of
repayments booked in ``(d, t]`` is below the policy minimum (``policy.minimum_cash``).

**Breach-causing shock.** The simulator draws every random stream whether or not a shock
is injected, so each shocked run has an unshocked twin (same seed, no shock) that differs
only by the shock. A shocked run's position has a breach caused by the shock when it
breaches seen from ``S``, at least seven days after ``S`` (so at least one check can see
the shock), and its twin does not breach at all seen from ``S`` (within 91 days). A breach
the twin has too (a position that runs at its floor anyway) is not the shock's. Runs
without a shock have no breach-causing shocks; their breaches seen from ``S`` (at least
seven days on, none seen from ``S - 91``) are reported apart as spontaneous.

**Detection and lead time.** A caused breach at ``t`` is detected when some check ``d``
with ``S <= d < t`` alerts on its position; the lead time is the business days from the
first such ``d`` to ``t``. Breaches too close to ``S`` for any check count as missed.

**False alarm.** Per check: a check that alerts on a position for which no breach is seen
from its date within 91 days; ``false_alarm_rate`` = such checks / checks with no breach
ahead (all runs, both positions). Per episode (reported beside it): an episode is a run of
consecutive alerting checks on one position; it is false when no check in it has a breach
ahead; ``false_episode_share`` = false episodes / episodes.

**Methods.** ``early_warning`` as above (the product). ``early_warning_raw_bands``: the
same on the outlook's raw bands (no calibration), with its own watch state.
``single_check_threshold``: the same checks, alerting whenever one check's own-cash breach
probability crosses the policy's flat warning threshold on some day or a counterparty or
prepayment warning fires, with no memory between checks (the rule before ``watch`` and the
horizon-graded warning levels).
``point_forecast_rule`` (baseline): the 13-week point forecast (mean path, bills on due
dates) below the minimum on any day. All use the same checks, truth and definitions.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit
from tools.data.asof import tables_as_of
from tools.data.simulator import Company, Shock, SimConfig, generate_company
from tools.forecasting.calibration import Calibration, own_funds, own_funds_path
from tools.forecasting.cash import build_outlook
from tools.forecasting.cash_bands import band_calibration, calibrated
from tools.forecasting.outlook import CashOutlook
from tools.risk import business_days
from tools.risk.alerts import Alert
from tools.risk.daily import run_early_warnings
from tools.risk.episodes import WatchState
from tools.workspace.calibrations import EVERY_DAYS

__all__ = ["main"]

DESIGNS = (
    "none",
    "default_us01_small",
    "default_us01_large",
    "default_de01",
    "prepayment",
    "sales_drop",
    "fx_move",
)
HORIZON = 91
CHECK_WEEKS = range(-3, 10)
KEYS = ("US01/USD", "DE01/EUR")
_DRAW = r"^(?:Drawdown|Repayment) revolving"


@dataclass(frozen=True)
class Run:
    index: int
    seed: int
    design: str
    start: date


def _run(index: int, first_seed: int = 1) -> Run:
    seed = first_seed + index
    start = date(2025, 9, 1) + timedelta(days=(23 * seed) % 150)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return Run(index, seed, DESIGNS[index % len(DESIGNS)], start)


def _top_customers(base: Company, entity: str, share: float) -> list[str]:
    rows = pd.DataFrame(base.truth["customers"])
    rows = rows.loc[rows["entity_id"] == entity].sort_values(
        "revenue_share_of_entity", ascending=False
    )
    cumulative = rows["revenue_share_of_entity"].cumsum().to_numpy()
    k = int(np.searchsorted(cumulative, share)) + 1
    return list(rows["customer_id"].iloc[:k])


def _top_suppliers(base: Company, entity: str, start: date, n: int) -> list[str]:
    goods = set(base.tables["inventory_items"]["supplier_id"])
    bills = base.tables["ap_bills"]
    recent = bills.loc[
        (bills["entity_id"] == entity)
        & bills["supplier_id"].isin(goods)
        & (bills["issue_date"] < pd.Timestamp(start))
        & (bills["issue_date"] >= pd.Timestamp(start) - pd.Timedelta(days=365))
    ]
    return list(recent.groupby("supplier_id")["amount"].sum().nlargest(n).index)


def shocks_for(run: Run) -> tuple[Shock, ...]:
    """The shocks of a run's design, sized on the seed's unshocked company."""
    s = run.start
    if run.design == "none":
        return ()
    if run.design == "sales_drop":
        return (Shock(kind="sales_drop", start=s, pct=50, days=120),)
    if run.design == "fx_move":
        return (Shock(kind="fx_move", start=s, pct=-15),)
    base = generate_company(SimConfig(seed=run.seed))
    if run.design == "prepayment":
        ids = _top_suppliers(base, "US01", s, 5)
        return tuple(Shock(kind="supplier_prepayment", start=s, supplier_id=i) for i in ids)
    entity, share = {
        "default_us01_small": ("US01", 0.10),
        "default_us01_large": ("US01", 0.40),
        "default_de01": ("DE01", 0.30),
    }[run.design]
    ids = _top_customers(base, entity, share)
    return tuple(Shock(kind="customer_default", start=s, customer_id=i) for i in ids)


class Truth:
    """Own-funds balances per position: closing balance less later revolver drawings."""

    def __init__(self, company: Company) -> None:
        self.frames = own_funds(company.tables, _DRAW)
        floors = company.policy.minimum_cash.entities
        self.floor = {k: floors[k.split("/")[0]] for k in KEYS}

    def first_breach(self, key: str, d: date) -> date | None:
        frame = self.frames[key]
        t = pd.Timestamp(d)
        window = frame.index[(frame.index > t) & (frame.index <= t + pd.Timedelta(days=HORIZON))]
        own = own_funds_path(frame, d, pd.DatetimeIndex(window))
        hit = np.flatnonzero(own < self.floor.get(key, 0.0))
        return window[hit[0]].date() if hit.size else None


def _point_alert(outlook: CashOutlook, key: str) -> date | None:
    mean = outlook.flow_paths(key).mean(axis=0) + outlook.scheduled_flows(key)
    balance = outlook.position(key).opening + np.cumsum(mean)
    hits = np.flatnonzero(balance < outlook.position(key).minimum)
    return outlook.dates[hits[0]].date() if hits.size else None


def _open_alert(alerts: list[Alert], key: str) -> date | None:
    dates = sorted(
        a.breach_date
        for a in alerts
        if a.scope == key and a.severity in ("warning", "critical") and a.breach_date
    )
    return dates[0] if dates else None


def evaluate_run(run: Run, *, n_paths: int) -> list[dict[str, Any]]:
    """One record per check and scored position."""
    company = generate_company(SimConfig(seed=run.seed, shocks=shocks_for(run)))
    twin = company if run.design == "none" else generate_company(SimConfig(seed=run.seed))
    truth, twin_truth = Truth(company), Truth(twin)
    fixed = {
        "post": {k: truth.first_breach(k, run.start) for k in KEYS},
        "twin": {k: twin_truth.first_breach(k, run.start) for k in KEYS},
        "pre": {k: truth.first_breach(k, run.start - timedelta(days=HORIZON)) for k in KEYS},
    }
    state: WatchState | None = None
    raw_state: WatchState | None = None
    cal: Calibration | None = None
    records = []
    for week in CHECK_WEEKS:
        d = run.start + timedelta(days=7 * week)
        view = tables_as_of(company.tables, d)
        raw = build_outlook(
            view,
            company.policy,
            as_of=d,
            horizon_days=HORIZON,
            n_paths=n_paths,
            seed=run.seed,
            quality="fast",
        )
        if cal is None or cal.as_of is None or (d - cal.as_of).days >= EVERY_DAYS:
            cal = band_calibration(view, company.policy, as_of=d, horizon_days=HORIZON)
        forecast = calibrated(raw, cal)
        found = run_early_warnings(
            forecast.outlook, company.policy, view, forecast.receivables, previous=state
        )
        risk, state = found.risk, found.state
        found_raw = run_early_warnings(
            raw.outlook, company.policy, view, raw.receivables, previous=raw_state
        )
        raw_state = found_raw.state
        for key in KEYS:
            single = [
                risk.scope(key).first_breach_date,
                _open_alert(list(found.counterparties.alerts), key),
            ]
            records.append(
                {
                    "run": run.index,
                    "seed": run.seed,
                    "design": run.design,
                    "start": run.start,
                    "key": key,
                    "check": d,
                    "truth": truth.first_breach(key, d),
                    "ours": _open_alert(list(found.shown.alerts), key),
                    "ours_raw": _open_alert(list(found_raw.shown.alerts), key),
                    "single": min((x for x in single if x is not None), default=None),
                    "baseline": _point_alert(forecast.outlook, key),
                    "max_probability": risk.scope(key).max_breach_probability,
                    **{name: values[key] for name, values in fixed.items()},
                }
            )
    return records


def _episodes(records: pd.DataFrame, method: str) -> tuple[int, int]:
    """(episodes, false episodes): runs of consecutive alerting checks per run and position."""
    total = false = 0
    for _, group in records.sort_values("check").groupby(["run", "key"]):
        on = group[method].notna().to_numpy()
        ahead = group["truth"].notna().to_numpy()
        i = 0
        while i < len(on):
            if on[i]:
                j = i
                while j + 1 < len(on) and on[j + 1]:
                    j += 1
                total += 1
                false += int(not ahead[i : j + 1].any())
                i = j + 1
            else:
                i += 1
    return total, false


def score(records: pd.DataFrame, method: str) -> dict[str, Any]:
    """Detection rate, median lead time and false-alarm rate of one alert rule."""
    events = records.drop_duplicates(["run", "key"])
    events = events.loc[events["post"].notna()]
    events = events.loc[
        [
            post >= start + timedelta(days=7)
            for post, start in zip(events["post"], events["start"], strict=True)
        ]
    ]
    shocked = events["design"] != "none"
    events = events.loc[(shocked & events["twin"].isna()) | (~shocked & events["pre"].isna())]
    found: dict[str, list[float]] = {"shock": [], "none": []}
    leads: list[int] = []
    for ev in events.itertuples(index=False):
        checks = records.loc[
            (records["run"] == ev.run)
            & (records["key"] == ev.key)
            & (records["check"] >= ev.start)
            & (records["check"] < ev.post)
            & records[method].notna()
        ]
        group = "none" if ev.design == "none" else "shock"
        found[group].append(float(not checks.empty))
        if not checks.empty and group == "shock":
            first: date = min(checks["check"])
            breach: date = ev.post  # type: ignore[assignment]
            leads.append(business_days(first, breach))
    negatives = records.loc[records["truth"].isna()]
    alerts = records.loc[records[method].notna()]
    episodes, false_episodes = _episodes(records, method)
    return {
        "detection_rate": round(float(np.mean(found["shock"])), 3) if found["shock"] else None,
        "median_lead_days": float(np.median(leads)) if leads else None,
        "false_alarm_rate": round(float(negatives[method].notna().mean()), 3)
        if len(negatives)
        else None,
        "false_discovery_rate": round(float(alerts["truth"].isna().mean()), 3)
        if len(alerts)
        else None,
        "false_episode_share": round(false_episodes / episodes, 3) if episodes else None,
        "episodes": episodes,
        "detection_rate_unshocked": round(float(np.mean(found["none"])), 3)
        if found["none"]
        else None,
        "breach_events_shocked": len(found["shock"]),
        "breach_events_unshocked": len(found["none"]),
        "checks": len(records),
        "checks_without_breach_ahead": len(negatives),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=28, help="simulator runs (28 = each design four times)"
    )
    parser.add_argument("--first-seed", type=int, default=1, help="seed of the first run")
    parser.add_argument("--paths", type=int, default=300, help="Monte Carlo paths per outlook")
    parser.add_argument("--workers", type=int, default=2, help="runs evaluated in parallel")
    parser.add_argument("--records", type=Path, help="write the per-check records (CSV) here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    runs = [_run(i, args.first_seed) for i in range(args.runs)]
    rows: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=max(args.workers, 1)) as pool:
        jobs = [pool.submit(evaluate_run, run, n_paths=args.paths) for run in runs]
        for done, (run, job) in enumerate(zip(runs, jobs, strict=True), start=1):
            rows += job.result()
            print(
                f"run {done}/{args.runs} done: seed {run.seed}, {run.design}, from {run.start}",
                file=sys.stderr,
            )
    records = pd.DataFrame(rows)
    if args.records:
        records.to_csv(args.records, index=False)
    results = {
        "early_warning": score(records, "ours"),
        "early_warning_raw_bands": score(records, "ours_raw"),
        "single_check_threshold": score(records, "single"),
        "point_forecast_rule": score(records, "baseline"),
    }
    doc = {
        "dataset": f"simulator seeds {args.first_seed}-{args.first_seed + args.runs - 1}, "
        f"{args.runs} runs x {len(CHECK_WEEKS)} weekly checks, {HORIZON}-day horizon, "
        f"{args.paths} paths",
        "primary": "early_warning",
        "results": results,
    }
    emit(doc, as_json=args.json)


if __name__ == "__main__":
    main()
