"""One model over supplier payments, investments and credit-line draws.

Value = discounts + yield - late fees - credit interest (+ commitment fee saved). Paying
early costs what the cash would have earned invested, so the model needs no separate cost
of funds. Two further objectives are kept as constraints for the Pareto frontier
(``frontier``): the liquidity buffer (smallest headroom over the floor, reporting
currency, over positions that can meet their floor) and the supplier-relationship impact
(days paid late, weighted by supplier importance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook
from tools.optimization.cash_model import CashModel, ledgers_for
from tools.optimization.inputs import (
    CreditLine,
    check_reserve_widening,
    credit_lines,
    money_market_rates,
)
from tools.optimization.instruments import add_investments, house_banks
from tools.optimization.lp import LpSolution
from tools.optimization.payments import PaymentOptions, add_payment_choices, prepare_payments
from tools.optimization.results import SolveInfo, SolverParams

__all__ = ["JointInputs", "JointSolution", "prepare_joint", "solve_joint"]


@dataclass(frozen=True)
class JointInputs:
    outlook: CashOutlook
    bills: pd.DataFrame
    fixed: dict[str, np.ndarray]
    opts: PaymentOptions
    policy: Policy
    credit: dict[str, CreditLine]
    curves: dict[str, dict[str, float]]
    banks: dict[str, str]
    weights: np.ndarray  # supplier importance per bill
    mmf_spread_bp: float
    tbill_spread_bp: float
    reserve_widening: float


@dataclass
class JointSolution:
    model: CashModel
    cand: pd.DataFrame
    inv: pd.DataFrame
    sol: LpSolution
    info: SolveInfo
    impact_col: int


def prepare_joint(
    outlook: CashOutlook,
    bills: pd.DataFrame | None,
    suppliers: pd.DataFrame | None,
    policy: Policy,
    *,
    rates: pd.DataFrame | None,
    confidence: float,
    payment_run_weekdays: tuple[int, ...],
    credit: Mapping[str, CreditLine] | pd.DataFrame | None,
    bank_accounts: pd.DataFrame | None,
    late_fee_pct: float,
    max_days_late: int,
    supplier_importance: Mapping[str, float] | None,
    mmf_spread_bp: float,
    tbill_spread_bp: float,
    reserve_widening: float,
) -> JointInputs:
    if policy is None:
        raise ConfigError("optimize_working_capital needs the treasury policy (policy.yaml)")
    frame, fixed = prepare_payments(outlook, bills, suppliers)
    curves = money_market_rates(rates, outlook.as_of, {p.currency for p in outlook.positions})
    opts = PaymentOptions(
        confidence=confidence,
        payment_run_weekdays=payment_run_weekdays,
        max_days_late=max_days_late,
        late_fee_pct=late_fee_pct,
        cost_of_funds_pct={c: v["ON"] for c, v in curves.items()},
    )
    lines = credit if isinstance(credit, Mapping) else credit_lines(outlook, credit)
    importance = dict(supplier_importance or {})
    check_reserve_widening(reserve_widening)
    if any(v < 0 for v in importance.values()):
        raise ConfigError("supplier_importance weights must be >= 0")
    weights = frame["supplier_id"].map(importance).fillna(1.0).to_numpy(float)
    weights = np.where(frame["critical"].to_numpy(bool), np.maximum(weights, 3.0), weights)
    return JointInputs(
        outlook,
        frame,
        fixed,
        opts,
        policy,
        dict(lines),
        curves,
        house_banks(bank_accounts, outlook.keys),
        weights,
        mmf_spread_bp,
        tbill_spread_bp,
        reserve_widening,
    )


def solve_joint(
    inputs: JointInputs,
    params: SolverParams,
    *,
    buffer_min: float | None = None,
    buffer_keys: tuple[str, ...] | None = None,
    impact_cap: float | None = None,
    maximize_buffer: bool = False,
) -> JointSolution:
    """Build and solve the joint model under optional buffer floor / impact cap."""
    o = inputs.outlook
    ledgers = ledgers_for(
        o,
        confidence=inputs.opts.confidence,
        credit=inputs.credit,
        fixed_flows=inputs.fixed,
        reserve_widening=inputs.reserve_widening,
    )
    model = CashModel(ledgers, o.horizon_days)
    cand, groups = add_payment_choices(
        model, inputs.bills, o.dates, inputs.opts, charge_cost_of_funds=False
    )
    model.add_draws()
    inv = add_investments(
        model,
        o.dates,
        inputs.policy,
        inputs.curves,
        inputs.banks,
        mmf_spread_bp=inputs.mmf_spread_bp,
        tbill_spread_bp=inputs.tbill_spread_bp,
    )
    # Relationship impact: weighted supplier-days late, as a variable the frontier can cap.
    impact = model.lp.add_vars(1, ub=np.inf if impact_cap is None else impact_cap)
    row = model.lp.add_rows(1, lb=0.0, ub=0.0)
    w = inputs.weights[cand["bill"].to_numpy()] * cand["days_late"].to_numpy(float)
    model.lp.add_terms(np.full(len(cand), row[0]), cand["col"].to_numpy(), w)
    model.lp.add_terms(row, impact, -1.0)
    if buffer_min is not None or maximize_buffer:
        model.add_buffer(
            minimum=buffer_min or 0.0, weight=1.0 if maximize_buffer else 0.0, keys=buffer_keys
        )
    if maximize_buffer:
        for i, arr in enumerate(model.lp.obj):
            if i < len(model.lp.obj) - 1:
                model.lp.obj[i] = arr * 1e-6
    model.build()
    sol, info = model.lp.solve_rounded(params, groups, method="joint MIP")
    return JointSolution(model, cand, inv, sol, info, int(impact[0]))


def buffer_of(
    model: CashModel, x: np.ndarray, dates: pd.DatetimeIndex, keys: tuple[str, ...]
) -> float:
    """Smallest headroom over the floor (reporting currency) over ``keys``."""
    bal = model.balances(x, dates)
    fx = {led.key: led.fx for led in model.ledgers}
    bal = bal.loc[bal["key"].isin(keys)]
    if bal.empty:
        return 0.0
    return float((bal["headroom"] * bal["key"].map(fx)).min())


def today(outlook: CashOutlook) -> date:
    return outlook.as_of
