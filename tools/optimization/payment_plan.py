"""The payment plan result: solve, read the solution back, explain it, propose it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from tools.domain.policy import Policy
from tools.domain.proposals import ProposedAction
from tools.forecasting.outlook import CashOutlook
from tools.optimization.cash_model import SCALE, CashModel
from tools.optimization.explain import bindings, relaxations
from tools.optimization.payment_candidates import AFTER
from tools.optimization.proposals import draw_proposals, payment_proposals
from tools.optimization.results import (
    Binding,
    OptimizationResult,
    Relaxation,
    SolveInfo,
    SolverParams,
)

if TYPE_CHECKING:
    from tools.optimization.payments import PaymentOptions

__all__ = ["PaymentPlan", "chosen_payments", "finish_payment_plan"]

Builder = Callable[[bool], tuple[CashModel, pd.DataFrame, list[np.ndarray]]]


class PaymentPlan(OptimizationResult):
    """A pay date per open bill, the credit drawn to fund it, and why.

    ``status`` is "infeasible" when some position cannot keep its floor: its rows carry
    ``feasible = False`` (the least-bad plan, for information), ``relaxation`` says what
    would fix it, and only feasible positions get proposals.
    """

    status: Literal["feasible", "infeasible", "error"]
    plan: pd.DataFrame = Field(description="One row per bill: pay_date, kind, value parts")
    draws: pd.DataFrame = Field(description="Credit drawn (outstanding) per position and day")
    balances: pd.DataFrame = Field(description="Planning balance per position and day")
    objective: dict[str, float] = Field(description="Value parts, reporting currency")
    binding: tuple[Binding, ...] = ()
    relaxation: tuple[Relaxation, ...] = ()
    solve: SolveInfo
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


def chosen_payments(
    cand: pd.DataFrame, bills: pd.DataFrame, x: np.ndarray, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """The chosen candidate per bill as plan rows."""
    pick = cand.loc[x[cand["col"].to_numpy()] > 0.5].drop_duplicates("bill", keep="last")
    rows = bills.iloc[pick["bill"].to_numpy()].reset_index(drop=True)
    day = pick["day"].to_numpy()
    inside = day < AFTER
    when = pd.Series(pd.NaT, index=range(len(pick)), dtype="datetime64[ns]")
    when[inside] = dates[day[inside]]
    fallback = rows["discount_date"].where(rows["discount_pct"] > 0, rows["due_date"])
    when = when.where(inside, pd.to_datetime(fallback))
    return rows.assign(
        pay_date=when.to_numpy(),
        kind=pick["kind"].to_numpy(),
        in_horizon=inside,
        days_late=pick["days_late"].to_numpy(),
        days_early=pick["days_early"].to_numpy(),
        discount=pick["discount"].to_numpy().round(2),
        late_fee=pick["late_fee"].to_numpy().round(2),
        cost_of_funds=pick["cost_of_funds"].to_numpy().round(2),
    )


def draws_frame(model: CashModel, x: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    rows = []
    for key, cols in model.draw_cols.items():
        drawn = np.round(x[cols] * SCALE, 2)
        change = np.diff(np.r_[0.0, drawn])
        rows.append(
            pd.DataFrame({"key": key, "ds": dates[: len(cols)], "drawn": drawn, "change": change})
        )
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["key", "ds", "drawn", "change"])
    )


def finish_payment_plan(
    outlook: CashOutlook,
    bills: pd.DataFrame,
    opts: PaymentOptions,
    params: SolverParams,
    build: Builder,
    *,
    policy: Policy,
) -> PaymentPlan:
    model, cand, groups = build(True)
    sol, info = model.lp.solve_rounded(params, groups, method="payment MIP")
    parameters = {
        "confidence": opts.confidence,
        "planning_quantile": round(1 - opts.confidence, 6),
        "payment_run_weekdays": list(opts.weekdays),
        "max_days_late": opts.max_days_late,
        "late_fee_pct": opts.late_fee_pct,
        "cost_of_funds_pct": opts.cost_of_funds_pct,
        "credit": {led.key: led.credit.model_dump() for led in model.ledgers},
        "floors": {led.key: led.floor for led in model.ledgers},
    }
    provenance = {
        "as_of": outlook.as_of.isoformat(),
        "horizon_days": outlook.horizon_days,
        "n_paths": outlook.n_paths,
        "n_bills": len(bills),
        "n_candidates": len(cand),
        "outlook": dict(outlook.provenance),
    }
    if info.status not in ("optimal", "feasible"):
        empty = pd.DataFrame()
        return PaymentPlan(
            status="error",
            plan=empty,
            draws=empty,
            balances=empty,
            objective={},
            solve=info,
            parameters=parameters,
            provenance=provenance,
        )
    x = sol.x
    relax = relaxations(model, x, outlook.dates, opts.confidence)
    short = {r.key for r in relax}
    plan = chosen_payments(cand, bills, x, outlook.dates)
    plan["feasible"] = ~plan["key"].isin(short)
    draws = draws_frame(model, x, outlook.dates)
    balances = model.balances(x, outlook.dates)
    parts = model.objective_parts(x)
    parts["total"] = round(sum(parts.values()), 2)
    fx = {led.key: led.fx for led in model.ledgers}
    currency = {led.key: led.currency for led in model.ledgers}
    proposals = (
        *payment_proposals(plan.loc[plan["feasible"]], fx, as_of=outlook.as_of, policy=policy),
        *draw_proposals(draws.loc[~draws["key"].isin(short)], fx, currency, as_of=outlook.as_of),
    )
    return PaymentPlan(
        status="infeasible" if relax else "feasible",
        plan=plan,
        draws=draws,
        balances=balances,
        objective=parts,
        binding=bindings(model, sol, outlook.dates),
        relaxation=relax,
        solve=info,
        parameters=parameters,
        proposals=proposals,
        provenance=provenance,
    )
