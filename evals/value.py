"""Value created by following the optimizers' proposals for a quarter, realised on what
actually happened, against the rule-based treasurer.

``python -m evals.value [--seeds 3] [--paths 200] [--json]``

**Quarter.** Each seeded simulated company is cut 91 days before its end
(``tables_as_of``); a fast 91-day forecast (``build_outlook``) is what both methods plan on.

**Methods.** ``optimizer`` follows ``optimize_working_capital`` for the whole quarter
(payment dates of every open bill, the investment ladder, planned credit drawings: the
proposals it makes, approved as made). ``baseline`` is the rule-based treasurer of
``evals.optimize`` (pay on the last payment run before the due date, take a discount
when the planning balance stays above the floor, sweep everything above the floor
overnight, never plan a drawing).

**Realised on actual flows, not the forecast.** The simulator's booked bank flows of the
quarter form one path per position (``actual_path_outlook``): the actual payments of the
planned bills are removed (each plan pays them on its own dates) and so are the
simulator's own revolver drawings, repayments and interest (each plan's financing is
replayed instead). Bills issued during the quarter are paid as they actually were, for
both. ``tools.optimization.realise.realise_plan`` replays each plan on that path with one
set of standing rules for both (overnight sweep above the floor; a balance below the floor
restored by the credit line, beyond it by an overdraft at the line's rate + 10 pp).

``perfect_foresight`` is a bound, not a method a treasurer could follow: the joint model
planned on the actual flows themselves (``evals.optimize.perfect_foresight_plan``) and
replayed by the same rules, i.e. the most value any plan could have created in the quarter.

**Value** (reporting currency) = discounts captured + yield (term + overnight) - financing
(planned drawings and restoring draws) - late fees (12 % a year) - shortfall (overdraft
cost). ``breach_days``: days a position's actual balance, before restoring, was below its
floor. ``discounts_available``: discounts on the planned bills whose discount date falls in
the quarter.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from evals.common import emit
from evals.optimize import (
    CONFIDENCE,
    perfect_foresight_plan,
    plan_working_capital,
    rule_based_pay_dates,
)
from tools.data.asof import tables_as_of
from tools.data.simulator import SimConfig, generate_company
from tools.forecasting.cash import build_outlook
from tools.forecasting.cash_bands import calibrated_outlook
from tools.forecasting.outlook import CashOutlook
from tools.monitoring.value import ValueBreakdown, actual_path_outlook, cumulative
from tools.optimization.inputs import money_market_rates
from tools.optimization.realise import realise_plan

__all__ = ["main"]

HORIZON = 91


def discounts_available(outlook: CashOutlook) -> float:
    """Reporting-currency discounts on the scheduled bills whose discount date is inside."""
    s = outlook.scheduled
    when = pd.to_datetime(s["discount_date"])
    inside = when.notna() & (when >= outlook.dates[0]) & (when <= outlook.dates[-1])
    fx = s["key"].map({p.key: p.fx_to_reporting for p in outlook.positions}).astype(float)
    value = -s["amount"].astype(float) * s["discount_pct"].fillna(0).astype(float) / 100 * fx
    return float(value.loc[inside].sum())


@contextlib.contextmanager
def _native_output_to_stderr() -> Iterator[None]:
    """The MIP solver's native library writes notes to file descriptor 1; stdout carries
    only the JSON result, so they go to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def evaluate_company(seed: int, n_paths: int, bands: str = "calibrated") -> dict[str, Any]:
    """Both methods' realised value for one seeded company's last quarter."""
    company = generate_company(SimConfig(seed=seed))
    as_of = company.config.end - timedelta(days=HORIZON)
    tables = tables_as_of(company.tables, as_of)
    outlook = (calibrated_outlook if bands == "calibrated" else build_outlook)(
        tables,
        company.policy,
        as_of=as_of,
        horizon_days=HORIZON,
        n_paths=n_paths,
        seed=seed,
        quality="fast",
    ).outlook
    started = time.perf_counter()
    with _native_output_to_stderr():
        result = plan_working_capital(outlook, tables, company.policy)
    solve_seconds = time.perf_counter() - started
    base_pay = rule_based_pay_dates(outlook, tables)
    actual = actual_path_outlook(
        outlook, company.tables, replaced_items=set(outlook.scheduled["item_id"].astype(str))
    )
    curves = money_market_rates(
        tables["interest_rates"], as_of, {p.currency for p in outlook.positions}
    )
    available = discounts_available(outlook)
    with _native_output_to_stderr():
        best = perfect_foresight_plan(actual, tables, company.policy)

    def realise(pay: pd.DataFrame, **plan: Any) -> ValueBreakdown:
        r = realise_plan(
            actual,
            pay,
            policy=company.policy,
            curves=curves,
            credit=tables["credit_facilities"],
            bank_accounts=tables["bank_accounts"],
            confidence=CONFIDENCE,
            **plan,
        )
        return ValueBreakdown.from_parts(
            r.parts, discounts_available=available, breach_days=sum(r.breach_days.values())
        )

    return {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "solve_seconds": round(solve_seconds, 2),
        "optimizer": realise(result.plan, ladder=result.ladder, draws=result.draws),
        "baseline": realise(base_pay),
        "perfect_foresight": realise(best.pop("payments"), **best),
        "proposals": len(result.proposals),
    }


def _row(item: ValueBreakdown) -> dict[str, Any]:
    return item.model_dump()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="simulated companies")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--paths", type=int, default=200, help="forecast paths to plan on")
    parser.add_argument(
        "--bands",
        choices=("calibrated", "raw"),
        default="calibrated",
        help="plan on balance bands calibrated on backtests (the product default) or raw",
    )
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        print(f"company seed {seed} ...", file=sys.stderr)
        runs.append(evaluate_company(seed, args.paths, args.bands))
        r = runs[-1]
        print(
            f"  optimizer {r['optimizer'].value:,.0f} vs baseline {r['baseline'].value:,.0f}",
            file=sys.stderr,
        )
    results: dict[str, dict[str, Any]] = {}
    for method in ("optimizer", "baseline", "perfect_foresight"):
        total = cumulative(r[method] for r in runs)
        results[method] = {
            **_row(total),
            "per_company": [{"seed": r["seed"], **_row(r[method])} for r in runs],
        }
    base = results["baseline"]["value"]
    opt = results["optimizer"]["value"]
    results["optimizer"]["value_over_baseline"] = round(opt - base, 2)
    results["perfect_foresight"]["value_over_baseline"] = round(
        results["perfect_foresight"]["value"] - base, 2
    )
    results["optimizer"]["solve_seconds"] = max(r["solve_seconds"] for r in runs)
    doc = {
        "dataset": f"simulator, {args.seeds} companies, last {HORIZON} days realised on "
        f"actual flows, planned on {args.paths} forecast paths ({args.bands} bands)",
        "primary": "optimizer",
        "results": results,
        "seconds": round(time.perf_counter() - started, 1),
        "value_per_company_difference": [
            round(float(np.subtract(r["optimizer"].value, r["baseline"].value)), 2) for r in runs
        ],
    }
    lines = [
        f"{m}: value={r['value']:,.2f} discounts={r['discounts_captured']:,.2f}"
        f"/{r['discounts_available']:,.2f} yield={r['yield_earned']:,.2f} "
        f"financing={r['financing_cost']:,.2f} late_fees={r['late_fees']:,.2f} "
        f"shortfall={r['shortfall_cost']:,.2f} breach_days={r['breach_days']}"
        for m, r in results.items()
    ]
    emit(doc, as_json=args.as_json, lines=lines)


if __name__ == "__main__":
    main()
