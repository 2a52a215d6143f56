"""Does the variance split name the cause injected into the simulated company?

``python -m evals.variance [--runs N] [--paths P] [--first-seed F] [--json]``

**Runs.** Run ``i`` uses seed ``i + F`` (``F`` = 1 by default: the reported figures; other
first seeds give runs to develop on) and the cause ``KINDS[i % 3]``, sized by
``i // 3`` (so every size meets every kind in turn), starting on ``S`` = 2025-09-01 plus
``23 x seed mod 150`` days, moved to a weekday (causes meet different seasons):

- ``late_payer``: one of the three customers with the most receipts in the 91 days before
  ``S`` (rank ``i // 3 mod 3``) pays every receipt due from ``S`` on ``N`` = 10, 20 or 30
  days later (``i // 3 mod 3``; moved to the next business day). The simulator has no such
  shock, so the ledger is edited: the receipts, the invoices' settlement dates and the
  customer's bank lines move together;
- ``lost_customer``: the same choice of customer stops paying from ``S``
  (the simulator's ``customer_default`` shock);
- ``fx_move``: EURUSD steps by -10, +10, -15 or +15 % at ``S`` (``i // 3 mod 4``, the
  simulator's ``fx_move`` shock).

**Variance.** The window is the 20 business days from ``S``; it is compared with the
forecasts made 1, 5 and 20 business days before ``S`` (``lookback_variance``, 91-day
fast forecasts) on the ledger as known 10 business days after the window (so a late payer
has been seen to pay again). **Hit:** the first-ranked driver (the lookback ranks by
median surprise across the lags) names the cause: a ``timing``
driver of that customer's receipts (late payer), a ``missing`` driver of that customer
(lost customer), an ``fx`` driver of EUR (one per currency, the group's EUR held and moved:
key ``group/EUR``) (FX move). Financing flows (drawings,
repayments, dividends) are the treasurer's decisions, not causes, and are not ranked.
``named_rate`` only asks for
the customer or the currency. Per-lag rates score each lag's own largest driver.

**Baselines**, on the forecast made 5 business days before: ``largest_category_gap`` names
the (position, category) with the largest actual-minus-forecast bank flow (a hit when it is
customer receipts of the customer's position, or any EUR position for an FX move: it
cannot name a customer); ``largest_counterparty_gap`` names the customer or supplier whose
cash differs most from its open items' forecast (a hit when it is the customer; it cannot
name a currency).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit
from tools.data.asof import tables_as_of
from tools.data.simulator import Company, Shock, SimConfig, generate_company
from tools.forecasting.cash import CashForecast, build_outlook
from tools.forecasting.categorize import categorize
from tools.forecasting.positions import account_keys
from tools.monitoring.lookback import DEFAULT_LAGS, lag_origin, lookback_variance
from tools.monitoring.variance import VarianceDriver

__all__ = ["main"]

KINDS = ("late_payer", "lost_customer", "fx_move")
LATE_DAYS = (10, 20, 30)
FX_PCT = (-10.0, 10.0, -15.0, 15.0)
WINDOW_BD = 20
REVIEW_BD = 10
BASELINE_LAG = 5


@dataclass(frozen=True)
class Run:
    index: int
    seed: int
    kind: str
    size: int
    start: date


def make_run(index: int, first_seed: int = 1) -> Run:
    seed = index + first_seed
    start = date(2025, 9, 1) + timedelta(days=(23 * seed) % 150)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    return Run(index, seed, KINDS[index % len(KINDS)], index // len(KINDS), start)


def _bday(day: date, n: int) -> date:
    return pd.Timestamp(np.busday_offset(np.datetime64(day, "D"), n, roll="forward")).date()


def top_customers(tables: Mapping[str, pd.DataFrame], start: date, n: int = 3) -> list[str]:
    """Customers with the most receipts (USD at the day's rate) in the 91 days before ``start``."""
    rc = tables["ar_receipts"]
    when = pd.to_datetime(rc["payment_date"])
    recent = rc.loc[
        (when < pd.Timestamp(start)) & (when >= pd.Timestamp(start) - pd.Timedelta(91, "D"))
    ]
    fx = tables["fx_rates"]
    eur = fx.loc[(fx["base"] == "EUR") & (fx["quote"] == "USD")].set_index("date")["rate"]
    rate = recent["payment_date"].map(eur).ffill().fillna(float(eur.iloc[-1]))
    usd = recent["amount"] * np.where(recent["currency"] == "EUR", rate, 1.0)
    return list(usd.groupby(recent["customer_id"]).sum().nlargest(n).index)


def delay_customer(
    tables: Mapping[str, pd.DataFrame], customer: str, start: date, days: int
) -> dict[str, pd.DataFrame]:
    """The ledger with every receipt of ``customer`` from ``start`` on ``days`` later."""

    def shift(values: pd.Series) -> pd.Series:
        moved = pd.to_datetime(values) + pd.Timedelta(days=days)
        out = np.busday_offset(moved.to_numpy().astype("datetime64[D]"), 0, roll="forward")
        return pd.Series(pd.to_datetime(out), index=values.index)

    t0 = pd.Timestamp(start)
    out = dict(tables)
    rc = tables["ar_receipts"].copy()
    hit = (rc["customer_id"] == customer) & (pd.to_datetime(rc["payment_date"]) >= t0)
    rc.loc[hit, "payment_date"] = shift(rc.loc[hit, "payment_date"])
    inv = tables["ar_invoices"].copy()
    own = inv["customer_id"] == customer
    late = own & (pd.to_datetime(inv["settled_date"]) >= t0)
    inv.loc[late, "settled_date"] = shift(inv.loc[late, "settled_date"])
    bt = tables["bank_transactions"].copy()
    mine = (
        bt["reference"].isin(set(inv.loc[own, "invoice_id"]))
        & (bt["category"] == "customer_receipt")
        & (pd.to_datetime(bt["booking_date"]) >= t0)
    )
    for col in ("booking_date", "value_date"):
        bt.loc[mine, col] = shift(bt.loc[mine, col])
    out |= {"ar_receipts": rc, "ar_invoices": inv, "bank_transactions": bt}
    return out


def _company(run: Run) -> tuple[Company, dict[str, pd.DataFrame], dict[str, Any]]:
    base = generate_company(SimConfig(seed=run.seed))
    if run.kind == "fx_move":
        pct = FX_PCT[run.size % len(FX_PCT)]
        shocked = generate_company(
            SimConfig(seed=run.seed, shocks=(Shock(kind="fx_move", start=run.start, pct=pct),))
        )
        return shocked, shocked.tables, {"currency": "EUR", "size": f"{pct:+g} %"}
    customer = top_customers(base.tables, run.start)[run.size % 3]
    row = base.tables["customers"].set_index("customer_id").loc[customer]
    truth = {
        "customer": customer,
        "rank": run.size % 3 + 1,
        "key": f"{row['entity_id']}/{row['currency']}",
    }
    if run.kind == "late_payer":
        n = LATE_DAYS[run.size % len(LATE_DAYS)]
        return (
            base,
            delay_customer(base.tables, customer, run.start, n),
            truth | {"size": f"{n} days"},
        )
    shocked = generate_company(
        SimConfig(
            seed=run.seed,
            shocks=(Shock(kind="customer_default", start=run.start, customer_id=customer),),
        )
    )
    return shocked, shocked.tables, truth | {"size": f"rank {run.size % 3 + 1}"}


def is_hit(kind: str, truth: Mapping[str, Any], d: VarianceDriver | None, *, named: bool) -> bool:
    """Whether driver ``d`` names the injected cause (``named``: ignore the component)."""
    if d is None:
        return False
    if kind == "fx_move":
        return d.key.endswith("/" + truth["currency"]) and (named or d.component == "fx")
    if d.counterparty != truth["customer"] or d.category != "customer_receipt":
        return False
    return named or d.component == ("timing" if kind == "late_payer" else "missing")


def _actual_by_category(
    fc: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> pd.Series:
    bank = tables["bank_transactions"]
    when = pd.to_datetime(bank["booking_date"])
    lines = categorize(bank.loc[(when >= a) & (when <= b)], tables)
    lines["key"] = lines["account_id"].map(account_keys(tables["bank_accounts"]))
    lines = lines.loc[lines["key"].isin(fc.outlook.keys) & (lines["category"] != "internal")]
    return lines.groupby(["key", "category"])["amount"].sum()


def largest_category_gap(
    fc: CashForecast, tables: Mapping[str, pd.DataFrame], start: date, end: date
) -> tuple[str, str]:
    """(position, category) whose actual bank flow differs most from its forecast mean."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    o = fc.outlook
    comp = fc.components
    window = comp.loc[(comp["ds"] >= a) & (comp["ds"] <= b)]
    forecast = window.groupby(["key", "category"])["mean"].sum()
    cols = (o.dates >= a) & (o.dates <= b)
    for key in o.keys:
        bills = float(o.scheduled_flows(key)[cols].sum())
        forecast.loc[(key, "supplier_payment")] = (
            forecast.get((key, "supplier_payment"), 0.0) + bills
        )
    actual = _actual_by_category(fc, tables, a, b)
    fx = {p.key: p.fx_to_reporting for p in o.positions}
    index = forecast.index.union(actual.index)
    gap = (actual.reindex(index, fill_value=0.0) - forecast.reindex(index, fill_value=0.0)) * [
        fx[k] for k, _ in index
    ]
    best: Any = gap.abs().idxmax()
    return str(best[0]), str(best[1])


def largest_counterparty_gap(
    fc: CashForecast, tables: Mapping[str, pd.DataFrame], start: date, end: date
) -> str:
    """The customer or supplier whose cash in the window differs most from its open items."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    fx = {p.key: p.fx_to_reporting for p in fc.outlook.positions}
    gaps: dict[str, float] = {}
    daily = fc.receivables_daily
    inside = daily.loc[(daily["ds"] >= a) & (daily["ds"] <= b)]
    inv = fc.receivables.set_index("invoice_id")
    exp = inside.groupby("invoice_id")["expected"].sum()
    party = inv["customer_id"].astype(str).to_dict()
    where = inv["key"].astype(str).to_dict()
    for inv_id, value in exp.items():
        who = party[str(inv_id)]
        gaps[who] = gaps.get(who, 0.0) - float(value) * fx[where[str(inv_id)]]
    rc = tables["ar_receipts"]
    when = pd.to_datetime(rc["payment_date"])
    got = rc.loc[(when >= a) & (when <= b) & rc["invoice_id"].isin(inv.index)]
    for who, inv_id, amount in zip(
        got["customer_id"], got["invoice_id"], got["amount"], strict=True
    ):
        gaps[str(who)] = gaps.get(str(who), 0.0) + float(amount) * fx[where[str(inv_id)]]
    sched = fc.outlook.scheduled
    due = pd.to_datetime(sched["due_date"]).where(
        pd.to_datetime(sched["due_date"]) >= fc.outlook.dates[0], fc.outlook.dates[0]
    )
    due_in = sched.loc[(due >= a) & (due <= b)]
    for who, amount, key in zip(
        due_in["counterparty_id"], due_in["amount"], due_in["key"], strict=True
    ):
        gaps[str(who)] = gaps.get(str(who), 0.0) - float(amount) * fx[str(key)]
    bills = tables["ap_bills"].set_index("bill_id")
    paid = bills.loc[
        (pd.to_datetime(bills["paid_date"]) >= a)
        & (pd.to_datetime(bills["paid_date"]) <= b)
        & bills.index.isin(set(sched["item_id"]))
    ]
    keys = dict(zip(sched["item_id"], sched["key"], strict=True))
    for bill_id, who, amount in zip(paid.index, paid["supplier_id"], paid["amount"], strict=True):
        gaps[str(who)] = gaps.get(str(who), 0.0) - float(amount) * fx[keys[str(bill_id)]]
    return max(gaps, key=lambda k: abs(gaps[k])) if gaps else ""


def evaluate_run(run: Run, *, n_paths: int) -> dict[str, Any]:
    """The lookback's and the baselines' answers for one run, with the truth."""
    company, tables, truth = _company(run)
    end = _bday(run.start, WINDOW_BD - 1)
    review = tables_as_of(tables, _bday(end, REVIEW_BD))
    made: dict[date, CashForecast] = {}

    def forecast_for(as_of: date, horizon: int) -> CashForecast:
        made[as_of] = build_outlook(
            tables_as_of(tables, as_of),
            company.policy,
            as_of=as_of,
            horizon_days=max(horizon, 91),
            n_paths=n_paths,
            seed=run.seed,
            quality="fast",
        )
        return made[as_of]

    report = lookback_variance(
        review, company.policy, start=run.start, end=end, forecast_for=forecast_for
    )
    fc = made[lag_origin(run.start, BASELINE_LAG)]
    cat_key, category = largest_category_gap(fc, review, run.start, end)
    party = largest_counterparty_gap(fc, review, run.start, end)
    top = report.drivers[0] if report.drivers else None
    record: dict[str, Any] = {
        "run": run.index,
        "seed": run.seed,
        "kind": run.kind,
        "start": run.start.isoformat(),
        "truth": truth,
        "top": None if top is None else top.explanation,
        "hit": is_hit(run.kind, truth, top, named=False),
        "named": is_hit(run.kind, truth, top, named=True),
    }
    for item in report.lags:
        first = item.report.drivers[0] if item.report.drivers else None
        record[f"hit_lag_{item.lag}"] = is_hit(run.kind, truth, first, named=False)
    if run.kind == "fx_move":
        cat_hit = cat_key.endswith("/" + truth["currency"])
        party_hit = False
    else:
        cat_hit = category == "customer_receipt" and cat_key == truth["key"]
        party_hit = party == truth["customer"]
    record |= {
        "category_gap": f"{category} {cat_key}",
        "category_hit": cat_hit,
        "counterparty_gap": party,
        "counterparty_hit": party_hit,
    }
    return record


def _rate(values: list[bool]) -> float | None:
    return round(float(np.mean(values)), 3) if values else None


def summarise(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Hit rates per method, overall and per kind."""
    out: dict[str, dict[str, Any]] = {}
    for method, col in (
        ("lookback_variance", "hit"),
        ("largest_category_gap", "category_hit"),
        ("largest_counterparty_gap", "counterparty_hit"),
    ):
        res: dict[str, Any] = {"cause_hit_rate": _rate([r[col] for r in records])}
        for kind in KINDS:
            res[f"hit_rate_{kind}"] = _rate([r[col] for r in records if r["kind"] == kind])
        res["runs"] = len(records)
        out[method] = res
    ours = out["lookback_variance"]
    ours["named_rate"] = _rate([r["named"] for r in records])
    for lag in DEFAULT_LAGS:
        ours[f"hit_rate_lag_{lag}"] = _rate([r[f"hit_lag_{lag}"] for r in records])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=18, help="simulator runs (kinds rotate)")
    parser.add_argument("--paths", type=int, default=40, help="Monte Carlo paths per forecast")
    parser.add_argument("--workers", type=int, default=1, help="runs evaluated in parallel")
    parser.add_argument(
        "--first-seed", type=int, default=1, help="seed of the first run (later runs count up)"
    )
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args(argv)
    runs = [make_run(i, args.first_seed) for i in range(args.runs)]
    started = time.perf_counter()
    records = []
    with ProcessPoolExecutor(max_workers=max(args.workers, 1)) as pool:
        jobs = [pool.submit(evaluate_run, run, n_paths=args.paths) for run in runs]
        for done, (run, job) in enumerate(zip(runs, jobs, strict=True), start=1):
            rec = job.result()
            records.append(rec)
            print(
                f"run {done}/{args.runs}: seed {run.seed} {run.kind} {rec['truth'].get('size')} "
                f"from {run.start}: {'hit' if rec['hit'] else 'miss'} ({rec['top']})",
                file=sys.stderr,
            )
    results = summarise(records)
    doc = {
        "dataset": f"simulator, {args.runs} runs (seeds {args.first_seed}.."
        f"{args.first_seed + args.runs - 1}) with one injected cause each, "
        f"{WINDOW_BD}-business-day window from the cause, lags {list(DEFAULT_LAGS)}, "
        f"{args.paths} paths",
        "primary": "lookback_variance",
        "results": results,
        "seconds": round(time.perf_counter() - started, 1),
        "runs": records,
    }
    lines = [
        f"{m}: cause_hit_rate={r['cause_hit_rate']} "
        + " ".join(f"{k}={v}" for k, v in r.items() if k.startswith("hit_rate_"))
        for m, r in results.items()
    ]
    emit(doc, as_json=args.as_json, lines=lines)


if __name__ == "__main__":
    main()
