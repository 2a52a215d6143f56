"""Optimizer quality on the demo-company simulator, against a rule-based treasurer.

``python -m evals.optimize [--seeds 3] [--paths 400] [--json]``: each seeded company is cut
91 days before its end; the cash forecast (``build_outlook``) gives sample paths, of which
half plan and the other half are held out. Methods:

- ``optimizer``: ``optimize_working_capital`` (payments + investments + credit draws, the
  frontier point chosen by the default weights);
- ``baseline``: pay every bill on the last payment run before its due date, take a
  discount when the planning balance stays above the floor after paying early, sweep
  everything above the floor overnight; never draws credit.

Both plans are valued by one formula (discounts + yield - late fees - credit interest +
commitment fee saved, reporting currency) and replayed on the held-out paths: a breach
is a (position, day) where the held-out share of paths below the floor exceeds
``1 - confidence`` by more than two binomial standard errors; positions whose forecast is
below the floor before any decision are left out for both (reported as
``positions_short_before_decisions``). ``scaling`` times ``optimize_payments`` on 1k, 10k
and 50k synthetic bills over the 91-day horizon of seed 1's outlook.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit
from tools.data.asof import tables_as_of
from tools.data.simulator import SimConfig, generate_company
from tools.forecasting.cash import build_outlook
from tools.forecasting.outlook import CashOutlook
from tools.optimization import SolverParams, optimize_payments, optimize_working_capital
from tools.optimization.inputs import money_market_rates, normalize_bills
from tools.optimization.payment_candidates import run_days

__all__ = ["main"]

CONFIDENCE = 0.95
WEEKDAYS = (1, 3)


def _split(outlook: CashOutlook) -> tuple[CashOutlook, CashOutlook]:
    half = outlook.n_paths // 2
    plan = outlook.with_paths({k: v[:half] for k, v in outlook.paths.items()})
    held = outlook.with_paths({k: v[half:] for k, v in outlook.paths.items()})
    return plan, held


def _baseline(outlook: CashOutlook, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    bills = normalize_bills(outlook, None, tables["suppliers"])
    curves = money_market_rates(
        tables["interest_rates"], outlook.as_of, {p.currency for p in outlook.positions}
    )
    runs = run_days(outlook.dates, WEEKDAYS)
    start = outlook.dates[0]
    h = outlook.horizon_days
    due = (bills["due_date"] - start).dt.days.to_numpy()
    disc = (bills["discount_date"] - start).dt.days.to_numpy(dtype=float, na_value=np.nan)

    def last_run(d: int) -> int:
        pos = np.searchsorted(runs, d, side="right") - 1
        return int(runs[pos]) if pos >= 0 else int(runs[0])

    pay = np.array(
        [last_run(int(d)) if 0 <= d < h else (int(runs[0]) if d < 0 else h + d) for d in due]
    )
    taken = np.zeros(len(bills), bool)
    cum: dict[str, np.ndarray] = {}
    q = {
        k: outlook.balance_quantile(k, 1 - CONFIDENCE, include_scheduled=False).to_numpy()
        for k in outlook.keys
    }
    amount = bills["amount"].to_numpy()
    keys = bills["key"].to_numpy()
    for k in outlook.keys:
        flows = np.zeros(h)
        mine = (keys == k) & (pay < h)
        np.add.at(flows, pay[mine], -amount[mine])
        cum[k] = np.cumsum(flows)
    floor = {p.key: p.minimum for p in outlook.positions}
    for i in np.argsort(np.nan_to_num(disc, nan=1e9)):
        if not np.isfinite(disc[i]) or not 0 <= disc[i] < h:
            continue
        d = last_run(int(disc[i]))
        if d > disc[i] or pay[i] <= d:
            continue
        k = keys[i]
        trial = cum[k].copy()
        trial[d : min(pay[i], h)] -= amount[i]
        if (q[k] + trial >= floor[k]).all():
            cum[k] = trial
            pay[i] = d
            taken[i] = True
    plan = bills.assign(
        pay_day=pay,
        discount=np.where(taken, amount * bills["discount_pct"].to_numpy() / 100, 0.0),
        late_fee=-amount * 0.12 * np.maximum(np.minimum(pay, h) - due, 0) / 365,
    )
    decisions: dict[str, np.ndarray] = {}
    yield_ = 0.0
    for pos in outlook.positions:
        k = pos.key
        sweep = np.maximum(q[k] + cum[k] - pos.minimum, 0.0)
        yield_ += float(sweep.sum() * curves[pos.currency]["ON"] / 100 / 365 * pos.fx_to_reporting)
        decisions[k] = cum[k] - sweep
    fx = {p.key: p.fx_to_reporting for p in outlook.positions}
    rate = plan["key"].map(fx)
    parts = {
        "discounts": float((plan["discount"] * rate).sum()),
        "late_fees": float((plan["late_fee"] * rate).sum()),
        "yield": yield_,
    }
    return {"parts": parts, "decisions": decisions}


def _held_out_breaches(held: CashOutlook, decisions: dict[str, np.ndarray], skip: set[str]) -> int:
    count = 0
    alpha = 1 - CONFIDENCE
    for pos in held.positions:
        if pos.key in skip or pos.key not in decisions:
            continue
        paths = held.balance_paths(pos.key, include_scheduled=False) + decisions[pos.key]
        share = (paths < pos.minimum - 0.5).mean(axis=0)
        tol = 2 * np.sqrt(alpha * (1 - alpha) / paths.shape[0])
        count += int((share > alpha + tol).sum())
    return count


def _optimizer_decisions(result: Any) -> dict[str, np.ndarray]:
    bal = result.balances
    return {str(k): g["decisions"].to_numpy() for k, g in bal.groupby("key")}


def _company(seed: int, n_paths: int) -> dict[str, Any]:
    company = generate_company(SimConfig(seed=seed))
    as_of = company.config.end - timedelta(days=91)
    tables = tables_as_of(company.tables, as_of)
    outlook = build_outlook(
        tables, company.policy, as_of=as_of, n_paths=n_paths, seed=seed, quality="fast"
    ).outlook
    plan_o, held = _split(outlook)
    start = time.perf_counter()
    result = optimize_working_capital(
        plan_o,
        None,
        tables["suppliers"],
        company.policy,
        rates=tables["interest_rates"],
        confidence=CONFIDENCE,
        payment_run_weekdays=WEEKDAYS,
        credit=tables["credit_facilities"],
        bank_accounts=tables["bank_accounts"],
        frontier_points=3,
    )
    seconds = time.perf_counter() - start
    skip = {str(r.key) for r in result.relaxation}
    base = _baseline(plan_o, tables)
    opt_parts = {k: v for k, v in result.objective.items() if k != "total"}
    return {
        "seed": seed,
        "skip": sorted(skip),
        "optimizer": {
            "value": sum(opt_parts.values()),
            "breaches": _held_out_breaches(held, _optimizer_decisions(result), skip),
            "solve_seconds": seconds,
            "gap": result.solve.gap or 0.0,
            "parts": opt_parts,
        },
        "baseline": {
            "value": sum(base["parts"].values()),
            "breaches": _held_out_breaches(held, base["decisions"], skip),
            "parts": base["parts"],
        },
    }


def _synthetic_bills(outlook: CashOutlook, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = [p.key for p in outlook.positions if p.credit_limit > 0] or list(outlook.keys)
    key = rng.choice(keys, n)
    issue = pd.Timestamp(outlook.as_of) + pd.to_timedelta(rng.integers(-40, 60, n), unit="D")
    disc = rng.random(n) < 0.2
    due = issue + pd.to_timedelta(np.where(disc, 30, rng.choice([30, 45, 60], n)), unit="D")
    amount = rng.lognormal(0, 1, n)
    amount = amount / amount.sum() * 12e6
    return pd.DataFrame(
        {
            "key": key,
            "item_id": [f"SB{i:06d}" for i in range(n)],
            "counterparty_id": [f"SS{j:04d}" for j in rng.integers(0, max(n // 20, 5), n)],
            "category": "supplier_payment",
            "due_date": due,
            "amount": -amount.round(2),
            "discount_date": (issue + pd.Timedelta(days=10)).where(disc),
            "discount_pct": np.where(disc, 2.0, 0.0),
            "critical": rng.random(n) < 0.1,
        }
    )


def _scaling(sizes: list[int]) -> list[dict[str, Any]]:
    company = generate_company(SimConfig(seed=1))
    as_of = company.config.end - timedelta(days=91)
    tables = tables_as_of(company.tables, as_of)
    outlook = build_outlook(
        tables, company.policy, as_of=as_of, n_paths=200, seed=1, quality="fast"
    ).outlook
    out = []
    for n in sizes:
        synth = outlook.with_paths(outlook.paths, scheduled=_synthetic_bills(outlook, n, seed=n))
        start = time.perf_counter()
        r = optimize_payments(
            synth,
            None,
            None,
            company.policy,
            rates=tables["interest_rates"],
            credit=tables["credit_facilities"],
            solver=SolverParams(time_limit_s=10, workers=2, seed=0),
        )
        seconds = time.perf_counter() - start
        print(f"scaling {n} bills: {seconds:.2f} s, gap {r.solve.gap}", file=sys.stderr)
        out.append(
            {
                "bills": n,
                "horizon_days": outlook.horizon_days,
                "solve_seconds": round(seconds, 3),
                "solver_seconds": r.solve.seconds,
                "gap": r.solve.gap,
                "status": r.status,
                "method": r.solve.method,
                "variables": r.solve.n_variables,
                "constraints": r.solve.n_constraints,
            }
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--paths", type=int, default=400)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args(argv)
    runs = []
    for seed in range(1, args.seeds + 1):
        print(f"company seed {seed} ...", file=sys.stderr)
        runs.append(_company(seed, args.paths))
    results: dict[str, dict[str, Any]] = {}
    for method in ("optimizer", "baseline"):
        rows = [r[method] for r in runs]
        results[method] = {
            "value": round(float(sum(r["value"] for r in rows)), 2),
            "breaches": int(sum(r["breaches"] for r in rows)),
        }
        if method == "optimizer":
            results[method]["solve_seconds"] = round(max(r["solve_seconds"] for r in rows), 3)
            results[method]["gap"] = max(r["gap"] for r in rows)
        results[method]["per_company"] = [
            {
                "seed": run["seed"],
                "value": round(run[method]["value"], 2),
                "breaches": run[method]["breaches"],
                "parts": {k: round(v, 2) for k, v in run[method]["parts"].items()},
            }
            for run in runs
        ]
    base = results["baseline"]["value"]
    results["optimizer"]["value_uplift_pct"] = (
        round((results["optimizer"]["value"] - base) / abs(base) * 100, 2) if base else None
    )
    sizes = [int(s) for s in args.sizes.split(",") if s]
    doc = {
        "dataset": "simulator",
        "primary": "optimizer",
        "confidence": CONFIDENCE,
        "positions_short_before_decisions": {str(r["seed"]): r["skip"] for r in runs},
        "results": results,
        "scaling": _scaling(sizes),
    }
    emit(doc, as_json=args.as_json)


if __name__ == "__main__":
    main()
