"""Optimizer quality on the demo-company simulator, against a rule-based treasurer.

``python -m evals.optimize [--seeds 3] [--first-seed 1] [--paths 400] [--json]``: each seeded
company is cut 91 days before its end; the cash forecast (``build_outlook``) gives sample
paths, of which the first half plan and the second half are held out. Methods:

- ``optimizer``: ``optimize_working_capital`` (payments + investments + credit draws, the
  frontier point chosen by the default weights; term placements held clear of its
  liquidity reserve, ``tools.optimization.cash_model``);
- ``baseline``: pay every bill on the last payment run on or before its due date (overdue
  ones at the first run); in discount-deadline order, pay a bill early for its discount
  when the planning balance (the same policy-confidence balance the optimizer plans
  against) stays above the floor every day after paying it; sweep everything above the
  floor overnight; never plans a credit draw.

Both plans are realised by one function, ``tools.optimization.realise.realise_plan``, on
the same held-out paths (its docstring defines every term): committed payments, term
placements and planned draws are applied to each path; same-day-liquid holdings are kept
only out of cash above the floor and the rest above the floor is swept overnight (the
baseline's sweep rule, applied to both); a balance below the floor is restored by drawing
the undrawn credit line at its rate, beyond it by an overdraft at the line's rate + 10 pp,
and that cost is charged to the plan.

Metrics per method: ``value`` is the mean realised value over held-out paths (reporting
currency, summed over companies) of the positions that can meet their floor: discounts -
late fees + term interest + fund/overnight yield - planned credit interest - cost of
restoring the minimum; bills paid after the horizon count for nothing. ``breaches`` counts
(position, day) pairs of those positions whose held-out share of paths below the floor
(before the restoring draw) exceeds ``1 - confidence`` by more than two binomial standard
errors. Positions that cannot hold their floor at the confidence whatever the plan (the
optimizer's relaxation: short even with the full credit line; listed under
``positions_short_before_decisions``; the optimizer proposes no action there, only the
credit it would need) are left out of both metrics for both methods, and reported with
everything else as ``value_all_positions`` / ``breaches_all_positions``.
``solve_seconds``: wall time of the slowest plan (the rule's own time for the baseline);
``gap``: the largest relative optimality gap the solver reports (None for the rule).
``planned_value`` is the optimizer's own objective on its planning paths, for reference.
``scaling`` times ``optimize_payments`` on 1k, 10k and 50k synthetic bills over the 91-day
horizon of seed 1's outlook, placed in positions that can meet their floor.

``ceiling``: the most value any plan could create, on ``--ceiling-paths`` held-out paths per
company spread over the sample: on each path the joint model is planned on that very path
(perfect foresight: payments, placements and draws that know the future; value weights
only) and realised there, next to the baseline and the optimizer realised on the same
paths. ``max_uplift_pct`` bounds what any plan can add over the rule-based treasurer.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit
from tools.data.asof import tables_as_of
from tools.data.simulator import SimConfig, generate_company
from tools.domain.policy import Policy
from tools.forecasting.cash import build_outlook
from tools.forecasting.cash_bands import calibrated_outlook
from tools.forecasting.outlook import CashOutlook
from tools.optimization import (
    SolverParams,
    WorkingCapitalPlan,
    optimize_payments,
    optimize_working_capital,
)
from tools.optimization.cash_model import planning_balance
from tools.optimization.hindsight import hindsight_plan
from tools.optimization.inputs import money_market_rates
from tools.optimization.payment_candidates import run_days
from tools.optimization.payments import prepare_payments
from tools.optimization.realise import realise_plan

__all__ = ["main", "perfect_foresight_plan", "plan_working_capital", "rule_based_pay_dates"]

CONFIDENCE = 0.95
WEEKDAYS = (1, 3)


def _split(outlook: CashOutlook) -> tuple[CashOutlook, CashOutlook]:
    half = outlook.n_paths // 2
    plan = outlook.with_paths({k: v[:half] for k, v in outlook.paths.items()})
    held = outlook.with_paths({k: v[half:] for k, v in outlook.paths.items()})
    return plan, held


def plan_working_capital(
    outlook: CashOutlook, tables: dict[str, pd.DataFrame], policy: Policy
) -> WorkingCapitalPlan:
    """The joint plan both evaluations follow: payments, investments and credit draws at the
    policy's confidence, payment runs on the company's run days."""
    return optimize_working_capital(
        outlook,
        None,
        tables["suppliers"],
        policy,
        rates=tables["interest_rates"],
        confidence=CONFIDENCE,
        payment_run_weekdays=WEEKDAYS,
        credit=tables["credit_facilities"],
        bank_accounts=tables["bank_accounts"],
        frontier_points=3,
    )


def perfect_foresight_plan(
    outlook: CashOutlook, tables: dict[str, pd.DataFrame], policy: Policy
) -> dict[str, pd.DataFrame]:
    """The ceiling's plan on a one-path outlook (``hindsight_plan``), with the same
    payment runs, credit and banks as the compared plans."""
    return hindsight_plan(
        outlook,
        tables["suppliers"],
        policy,
        rates=tables["interest_rates"],
        payment_run_weekdays=WEEKDAYS,
        credit=tables["credit_facilities"],
        bank_accounts=tables["bank_accounts"],
    )


def rule_based_pay_dates(outlook: CashOutlook, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The rule-based treasurer's pay dates (its sweep is the standing rule of the replay)."""
    bills, fixed = prepare_payments(outlook, None, tables["suppliers"])
    runs = run_days(outlook.dates, WEEKDAYS)
    start = outlook.dates[0]
    h = outlook.horizon_days
    due = (bills["due_date"] - start).dt.days.to_numpy()
    disc = (bills["discount_date"] - start).dt.days.to_numpy(dtype=float, na_value=np.nan)

    def last_run(d: int) -> int:
        pos = np.searchsorted(runs, d, side="right") - 1
        return int(runs[pos]) if pos >= 0 else int(runs[0])

    pay = np.array(
        [last_run(int(d)) if 0 <= d < h else (int(runs[0]) if d < 0 else int(d)) for d in due]
    )
    amount = bills["amount"].to_numpy()
    keys = bills["key"].to_numpy()
    cum: dict[str, np.ndarray] = {}
    room: dict[str, np.ndarray] = {}
    for pos in outlook.positions:
        k = pos.key
        flows = np.zeros(h) + fixed.get(k, np.zeros(h))
        mine = (keys == k) & (pay < h)
        np.add.at(flows, pay[mine], -amount[mine])
        cum[k] = np.cumsum(flows)
        base = planning_balance(outlook.balance_paths(k, include_scheduled=False), CONFIDENCE)
        room[k] = base - pos.minimum
    for i in np.argsort(np.nan_to_num(disc, nan=1e9), kind="stable"):
        if not np.isfinite(disc[i]) or not 0 <= disc[i] < h:
            continue
        d = last_run(int(disc[i]))
        if d > disc[i] or pay[i] <= d:
            continue
        k = keys[i]
        trial = cum[k].copy()
        trial[d : min(pay[i], h)] -= amount[i]
        if (room[k] + trial >= 0).all():
            cum[k] = trial
            pay[i] = d
    return bills.assign(pay_date=start + pd.to_timedelta(pay, unit="D"))


def _company(
    seed: int, n_paths: int, ceiling_paths: int, bands: str = "calibrated"
) -> dict[str, Any]:
    company = generate_company(SimConfig(seed=seed))
    as_of = company.config.end - timedelta(days=91)
    tables = tables_as_of(company.tables, as_of)
    outlook = (calibrated_outlook if bands == "calibrated" else build_outlook)(
        tables, company.policy, as_of=as_of, n_paths=n_paths, seed=seed, quality="fast"
    ).outlook
    plan_o, held = _split(outlook)
    curves = money_market_rates(
        tables["interest_rates"], as_of, {p.currency for p in outlook.positions}
    )
    start = time.perf_counter()
    result = plan_working_capital(plan_o, tables, company.policy)
    seconds = time.perf_counter() - start
    skip = {str(r.key) for r in result.relaxation}
    start = time.perf_counter()
    base_pay = rule_based_pay_dates(plan_o, tables)
    base_seconds = time.perf_counter() - start

    def realise(pay: pd.DataFrame, outlook: CashOutlook = held, **plan: Any) -> Any:
        return realise_plan(
            outlook,
            pay,
            policy=company.policy,
            curves=curves,
            credit=tables["credit_facilities"],
            bank_accounts=tables["bank_accounts"],
            confidence=CONFIDENCE,
            breach_exempt=skip,
            **plan,
        )

    opt = realise(result.plan, ladder=result.ladder, draws=result.draws)
    base = realise(base_pay)
    planned = {k: v for k, v in result.objective.items() if k != "total"}
    ceiling = dict.fromkeys(("perfect_foresight", "baseline", "optimizer"), 0.0)
    picks = np.unique(np.linspace(0, held.n_paths - 1, ceiling_paths).astype(int))
    for j in picks if ceiling_paths > 0 else ():
        one = held.with_paths({k: v[j : j + 1] for k, v in held.paths.items()})
        best = perfect_foresight_plan(one, tables, company.policy)
        for name, pay, plan in (
            ("perfect_foresight", best["payments"], best),
            ("baseline", base_pay, {}),
            ("optimizer", result.plan, {"ladder": result.ladder, "draws": result.draws}),
        ):
            r = realise(pay, outlook=one, **{k: plan[k] for k in ("ladder", "draws") if k in plan})
            ceiling[name] += sum(v for k, v in r.values_by_key.items() if k not in skip) / len(
                picks
            )

    def row(r: Any, seconds: float, gap: float | None) -> dict[str, Any]:
        return {
            "value": sum(v for k, v in r.values_by_key.items() if k not in skip),
            "breaches": r.breaches,
            "solve_seconds": seconds,
            "gap": gap,
            "value_all_positions": r.value,
            "breaches_all_positions": sum(r.breach_days.values()),
            "parts": r.parts,
            "values_by_key": r.values_by_key,
            "worst_short_share": r.worst_short_share,
        }

    return {
        "seed": seed,
        "skip": sorted(skip),
        "optimizer": {
            **row(opt, seconds, result.solve.gap or 0.0),
            "planned_value": sum(planned.values()),
        },
        "baseline": row(base, base_seconds, None),
        "ceiling": ceiling,
    }


def _synthetic_bills(outlook: CashOutlook, n: int, seed: int) -> pd.DataFrame:
    """``n`` bills (20 % with 2/10 terms) in positions that can meet their floor before any
    decision, so the timed problem is a feasible one."""
    rng = np.random.default_rng(seed)
    ok = [
        p.key
        for p in outlook.positions
        if p.credit_limit > 0
        and planning_balance(
            outlook.balance_paths(p.key, include_scheduled=False), CONFIDENCE
        ).min()
        >= p.minimum
    ]
    keys = ok or [p.key for p in outlook.positions if p.credit_limit > 0] or list(outlook.keys)
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


def _summary(runs: list[dict[str, Any]], method: str) -> dict[str, Any]:
    rows = [r[method] for r in runs]
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    out: dict[str, Any] = {
        "value": round(float(sum(r["value"] for r in rows)), 2),
        "breaches": int(sum(r["breaches"] for r in rows)),
        "solve_seconds": round(max(r["solve_seconds"] for r in rows), 3),
        "gap": max(gaps) if gaps else None,
        "value_all_positions": round(float(sum(r["value_all_positions"] for r in rows)), 2),
        "breaches_all_positions": int(sum(r["breaches_all_positions"] for r in rows)),
    }
    if method == "optimizer":
        out["planned_value"] = round(float(sum(r["planned_value"] for r in rows)), 2)
    keep = ("value", "breaches", "parts", "values_by_key", "worst_short_share")
    out["per_company"] = [
        {"seed": run["seed"], **{k: run[method][k] for k in keep}} for run in runs
    ]
    return out


@contextlib.contextmanager
def _solver_output_to_stderr() -> Iterator[None]:
    """HiGHS prints a few MIP messages on the C-level stdout whatever its log settings;
    stdout is kept for the one JSON object."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        ctypes.CDLL(None).fflush(None)
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--paths", type=int, default=400)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument(
        "--ceiling-paths", type=int, default=8, help="held-out paths per company for the ceiling"
    )
    parser.add_argument(
        "--bands",
        choices=("calibrated", "raw"),
        default="calibrated",
        help="plan on balance bands calibrated on backtests (the product default) or raw",
    )
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = []
    with _solver_output_to_stderr():
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            print(f"company seed {seed} ...", file=sys.stderr)
            runs.append(_company(seed, args.paths, args.ceiling_paths, args.bands))
        scaling = _scaling(sizes)
    results = {method: _summary(runs, method) for method in ("optimizer", "baseline")}
    base = results["baseline"]["value"]
    results["optimizer"]["value_uplift_pct"] = (
        round((results["optimizer"]["value"] - base) / abs(base) * 100, 2) if base else None
    )
    ceiling = {
        name: round(float(sum(r["ceiling"][name] for r in runs)), 2)
        for name in ("perfect_foresight", "baseline", "optimizer")
    }
    same = ceiling["baseline"]
    ceiling_doc = {
        "paths_per_company": args.ceiling_paths,
        **ceiling,
        "max_uplift_pct": round((ceiling["perfect_foresight"] - same) / abs(same) * 100, 2)
        if same
        else None,
        "optimizer_uplift_pct": round((ceiling["optimizer"] - same) / abs(same) * 100, 2)
        if same
        else None,
    }
    doc = {
        "dataset": "simulator",
        "primary": "optimizer",
        "seeds": [r["seed"] for r in runs],
        "confidence": CONFIDENCE,
        "bands": args.bands,
        "positions_short_before_decisions": {str(r["seed"]): r["skip"] for r in runs},
        "results": results,
        "ceiling": ceiling_doc,
        "scaling": scaling,
    }
    emit(doc, as_json=args.as_json)


if __name__ == "__main__":
    main()
